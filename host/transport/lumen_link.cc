// host/transport/lumen_link.cc — see lumen_link.h.
#include "host/transport/lumen_link.h"

#include <time.h>

#include <mutex>

#include "core/transport/endpoint.h"
#include "core/transport/wire.h"

namespace lumen::transport {
namespace {

size_t ShardBytesFor(int packet_size) { return ShardBytesForBudget(size_t(packet_size)); }

uint64_t WallMicros() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return uint64_t(ts.tv_sec) * 1000000u + uint64_t(ts.tv_nsec) / 1000u;
}

}  // namespace

struct LumenHostLink::Impl {
  mutable std::mutex mu;
  HostEndpoint ep;
  AlignedBuffer out;
  size_t max_datagrams = 0;
};

absl::StatusOr<std::unique_ptr<LumenHostLink>> LumenHostLink::Create(const LumenLinkConfig& cfg) {
  if (absl::Status s = EnsureSodium(); !s.ok()) return s;
  auto keys = cfg.params.Keys();
  if (!keys.ok()) return keys.status();
  HostEndpointConfig hc;
  hc.sender.session_id = cfg.params.session_id;
  hc.sender.shard_bytes = ShardBytesFor(cfg.packet_size);
  if (hc.sender.shard_bytes == 0) return absl::InvalidArgumentError("packet size too small");
  hc.sender.max_frame_bytes = cfg.max_frame_bytes;
  const int pct = cfg.fec_percent < 0 ? 0 : cfg.fec_percent > 100 ? 100 : cfg.fec_percent;
  hc.policy.initial_ratio_permille = uint16_t(pct * 10);
  if (hc.policy.min_ratio_permille > hc.policy.initial_ratio_permille) {
    hc.policy.min_ratio_permille = hc.policy.initial_ratio_permille;
  }
  if (!cfg.adaptive_fec) {
    // Fixed ratio: pin the policy's bounds to it, so loss reports never move it.
    hc.policy.min_ratio_permille = hc.policy.max_ratio_permille = hc.policy.initial_ratio_permille;
  }
  std::unique_ptr<LumenHostLink> l(new LumenHostLink());
  l->impl_ = std::make_unique<Impl>();
  Impl& im = *l->impl_;
  if (absl::Status s = im.ep.Init(hc, cfg.params.aead, *keys); !s.ok()) return s;
  // Largest frame at the largest ratio: k data + up to k parity (+ the parity floor).
  const size_t k_max = (cfg.max_frame_bytes + hc.sender.shard_bytes - 1) / hc.sender.shard_bytes;
  im.max_datagrams = 2 * k_max + hc.policy.min_parity + 2;
  if (!im.out.Allocate(im.max_datagrams * im.ep.datagram_bytes())) {
    return absl::ResourceExhaustedError("lumen send buffer");
  }
  im.ep.sender().sealer().Take(WallMicros());  // see the header: nonces across restarts
  return l;
}

LumenHostLink::~LumenHostLink() = default;

bool LumenHostLink::Packetize(std::span<const uint8_t> frame, uint32_t frame_id, bool keyframe,
                              Packets* out, const char** why) {
  Impl& im = *impl_;
  std::lock_guard<std::mutex> l(im.mu);
  const size_t db = im.ep.datagram_bytes();
  uint32_t count = 0;
  const SendStatus st = im.ep.SendFrame(frame.data(), frame.size(), frame_id, keyframe,
                                        im.out.data(), db, im.max_datagrams, &count);
  if (st != SendStatus::kOk) {
    if (why) *why = SendStatusName(st);
    return false;
  }
  out->base = im.out.data();
  out->datagram_bytes = db;
  out->stride = db;
  out->count = count;
  out->parity = count - im.ep.sender().DataShards(frame.size());
  return true;
}

LumenHostLink::Event LumenHostLink::OnFeedback(std::span<const uint8_t> d) {
  Impl& im = *impl_;
  std::lock_guard<std::mutex> l(im.mu);
  // Peek at the type for the caller's counters: a loss report is the 36-byte body.
  const bool loss_report = d.size() == kCommonHeaderBytes + kLossReportBytes + kTagBytes;
  switch (im.ep.OnFeedback(d.data(), d.size())) {
    case FeedbackEvent::kDropped:
      return Event::kDropped;
    case FeedbackEvent::kIdrRequested:
      return Event::kIdrRequested;
    case FeedbackEvent::kRatioChanged:
      return Event::kRatioChanged;
    case FeedbackEvent::kNone:
      break;
  }
  return loss_report ? Event::kLossReport : Event::kNone;
}

size_t LumenHostLink::SealRatioChange(uint8_t* out, size_t cap) {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->ep.SealRatioChange(out, cap);
}

uint16_t LumenHostLink::ratio_permille() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->ep.ratio_permille();
}

struct LumenClientLink::Impl {
  mutable std::mutex mu;
  ClientEndpoint ep;
  size_t max_shard_bytes = 0;
  uint64_t datagrams = 0, dropped = 0;
};

absl::StatusOr<std::unique_ptr<LumenClientLink>> LumenClientLink::Create(
    const LumenLinkConfig& cfg) {
  if (absl::Status s = EnsureSodium(); !s.ok()) return s;
  auto keys = cfg.params.Keys();
  if (!keys.ok()) return keys.status();
  ReceiverConfig rc;
  rc.session_id = cfg.params.session_id;
  rc.max_shard_bytes = ShardBytesFor(cfg.packet_size);
  if (rc.max_shard_bytes == 0) return absl::InvalidArgumentError("packet size too small");
  rc.max_frame_bytes = cfg.max_frame_bytes;
  std::unique_ptr<LumenClientLink> l(new LumenClientLink());
  l->impl_ = std::make_unique<Impl>();
  l->impl_->max_shard_bytes = rc.max_shard_bytes;
  if (absl::Status s = l->impl_->ep.Init(rc, cfg.params.aead, *keys); !s.ok()) return s;
  return l;
}

LumenClientLink::~LumenClientLink() = default;

LumenClientLink::Rx LumenClientLink::Receive(std::span<const uint8_t> d, Frame* frame) {
  Impl& im = *impl_;
  std::lock_guard<std::mutex> l(im.mu);
  ++im.datagrams;
  ReceivedFrame f;
  const RxStatus st = im.ep.Receive(d.data(), d.size(), &f);
  if (st == RxStatus::kDropped) ++im.dropped;
  if (st != RxStatus::kFrameComplete) return Rx::kNothing;
  frame->frame_id = f.frame_id;
  frame->keyframe = (f.flags & kFlagKeyframe) != 0;
  frame->recovered = f.recovered;
  frame->data = std::span<const uint8_t>(f.data, f.len);
  return Rx::kFrame;
}

bool LumenClientLink::PeekFrameId(std::span<const uint8_t> d, uint32_t* frame_id) {
  if (d.size() < kShardHeaderBytes || (d[0] & 0x0f) != uint8_t(PacketType::kShard)) return false;
  *frame_id = uint32_t(d[16]) << 24 | uint32_t(d[17]) << 16 | uint32_t(d[18]) << 8 | d[19];
  return true;
}

size_t LumenClientLink::SealLossReport(uint32_t interval_ms, uint8_t* out, size_t cap) {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->ep.SealLossReport(interval_ms, out, cap);
}

size_t LumenClientLink::SealIdrRequest(uint8_t* out, size_t cap) {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->ep.SealIdrRequest(out, cap);
}

size_t LumenClientLink::SealPendingAck(uint8_t* out, size_t cap) {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->ep.SealPendingAck(out, cap);
}

bool LumenClientLink::need_idr() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->ep.need_idr();
}

LumenClientLink::Counters LumenClientLink::counters() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  const ReceiverCounters& rc = impl_->ep.receiver().counters();
  Counters c;
  c.datagrams = impl_->datagrams;
  c.dropped = impl_->dropped;
  c.frames_complete = rc.frames_complete;
  c.frames_recovered = rc.frames_recovered;
  c.frames_lost = rc.frames_lost;
  return c;
}

}  // namespace lumen::transport
