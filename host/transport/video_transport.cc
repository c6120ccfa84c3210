// host/transport/video_transport.cc — see video_transport.h.
#include "host/transport/video_transport.h"

#include <algorithm>
#include <vector>

#include "host/common/clock.h"
#include "host/transport/feedback_wire.h"
#include "spdlog/spdlog.h"

namespace lumen::transport {

absl::StatusOr<std::unique_ptr<VideoTransport>> VideoTransport::Create(
    const TransportConfig& cfg, std::function<void(const host::ControlMessage&)> on_control) {
  std::unique_ptr<VideoTransport> t(new VideoTransport());
  t->cfg_ = cfg;
  t->on_control_ = std::move(on_control);
  t->next_frame_index_ = cfg.first_frame_index == 0 ? 1 : cfg.first_frame_index;
  moonlight::VideoPacketizerConfig pc;
  pc.packet_size = cfg.packet_size;
  pc.fec_percent = cfg.fec_percent;
  pc.min_fec_packets = cfg.min_fec_packets;
  pc.encrypt = cfg.encrypt;
  pc.key = cfg.key;
  // Never more than the protocol allows at this packet size (4 blocks x 1023 shards).
  const size_t protocol_max =
      cfg.packet_size > 24 ? size_t(moonlight::kMaxFecBlocks) * moonlight::kMaxBlockShards *
                                     (size_t(cfg.packet_size) - moonlight::kVideoShardOverhead) -
                                 moonlight::kFrameHeaderSize
                           : 0;
  pc.max_frame_bytes = std::min(cfg.max_frame_bytes, protocol_max);
  if (cfg.framing == Framing::kLumen) {
    LumenLinkConfig lc;
    lc.params = cfg.lumen;
    lc.packet_size = cfg.packet_size;
    lc.max_frame_bytes = cfg.max_frame_bytes;
    lc.fec_percent = cfg.fec_percent;
    lc.adaptive_fec = cfg.lumen_adaptive_fec;
    auto link = LumenHostLink::Create(lc);
    if (!link.ok()) return link.status();
    t->lumen_ = std::move(*link);
  } else if (absl::Status s = t->packetizer_.Init(pc); !s.ok()) {
    return s;
  }
  auto sock = host::UdpSocket::Bind(cfg.bind, 1 << 20, 8 << 20, cfg.gso);
  if (!sock.ok()) return sock.status();
  t->socket_ = std::move(*sock);
  t->local_port_ = t->socket_.local_port();
  if (!cfg.dest.empty()) {
    auto d = host::SocketAddress::Parse(cfg.dest);
    if (!d.ok()) return d.status();
    t->dest_ = *d;
  }
  t->feedback_thread_ = std::thread([p = t.get()] { p->FeedbackLoop(); });
  return t;
}

VideoTransport::~VideoTransport() {
  stop_ = true;
  if (feedback_thread_.joinable()) feedback_thread_.join();
}

bool VideoTransport::has_destination() const {
  std::lock_guard<std::mutex> l(mu_);
  return dest_.valid();
}

std::string VideoTransport::destination() const {
  std::lock_guard<std::mutex> l(mu_);
  return dest_.ToString();
}

TransportStats VideoTransport::stats() const {
  std::lock_guard<std::mutex> l(mu_);
  TransportStats s = stats_;
  s.gso_sends = socket_.stats().gso_sends;
  s.send_errors = socket_.stats().send_errors;
  if (lumen_) s.fec_ratio_permille = lumen_->ratio_permille();
  return s;
}

void VideoTransport::SendAccessUnit(const host::AccessUnitDesc& au,
                                    std::span<const uint8_t> bitstream, host::FrameTiming* timing) {
  *timing = {};
  timing->frame_id = au.frame_id;
  timing->is_idr = au.is_idr;
  timing->capture_ts_ns = au.capture_ts_ns;
  timing->encode_start_ts_ns = au.encode_start_ts_ns;
  timing->encode_done_ts_ns = au.encode_done_ts_ns;
  timing->encoder_epoch = au.encoder_epoch;
  timing->au_bytes = uint32_t(bitstream.size());
  host::SocketAddress dest;
  {
    std::lock_guard<std::mutex> l(mu_);
    dest = dest_;
    if (!dest.valid()) {
      ++stats_.frames_without_client;
      timing->flags |= host::kTimingNoClient;
      need_idr_ = true;
      return;
    }
  }
  if (au.is_idr) {
    need_idr_ = false;
  } else if (need_idr_) {
    timing->flags |= host::kTimingWaitingIdr;
    {
      std::lock_guard<std::mutex> l(mu_);
      ++stats_.frames_skipped_waiting_idr;
    }
    RequestIdrFromEncoder();
    return;
  }
  timing->send_start_ts_ns = host::MonotonicNs();
  if (lumen_) {
    SendLumen(au, bitstream, dest, timing);
    return;
  }
  moonlight::VideoFrameMeta meta;
  meta.frame_index = next_frame_index_;
  meta.type = au.is_idr ? moonlight::FrameType::kIdr : moonlight::FrameType::kP;
  meta.rtp_timestamp = uint32_t(au.capture_ts_ns / 100000 * 9);  // 90 kHz
  const uint64_t host_latency = (timing->send_start_ts_ns - au.capture_ts_ns) / 100000;
  meta.host_latency_100us = uint16_t(host_latency > 65535 ? 65535 : host_latency);
  // The packetizer's datagrams lie back to back in its arena: remember the first and the
  // count, then hand the whole frame to the kernel in as few calls as possible.
  const uint8_t* first = nullptr;
  size_t count = 0;
  const moonlight::PacketizeStatus ps =
      packetizer_.Packetize(bitstream, meta, [&](std::span<const uint8_t> d) {
        if (first == nullptr) first = d.data();
        ++count;
      });
  if (ps != moonlight::PacketizeStatus::kOk) {
    FrameNotSent(timing);
    return;
  }
  ++next_frame_index_;
  const size_t stride = packetizer_.datagram_size();
  socket_.SendStrided(dest, first, stride, stride, count);
  timing->send_done_ts_ns = host::MonotonicNs();
  timing->frame_index = meta.frame_index;
  const auto& plan = packetizer_.last_plan();
  timing->datagrams = uint32_t(count);
  timing->parity = uint32_t(plan.total_shards - plan.data_shards_total);
  std::lock_guard<std::mutex> l(mu_);
  ++stats_.frames_sent;
  stats_.datagrams += count;
  stats_.parity_datagrams += timing->parity;
  stats_.bytes += count * stride;
}

// A frame neither framing could send: counted, flagged in its timing, and an IDR asked for
// so the client does not wait on a stream it cannot decode.
void VideoTransport::FrameNotSent(host::FrameTiming* timing) {
  timing->flags |= host::kTimingTooLarge;
  {
    std::lock_guard<std::mutex> l(mu_);
    ++stats_.frames_too_large;
  }
  need_idr_ = true;
  last_idr_request_ns_ = 0;
  RequestIdrFromEncoder();
}

void VideoTransport::SendLumen(const host::AccessUnitDesc& au, std::span<const uint8_t> bitstream,
                               const host::SocketAddress& dest, host::FrameTiming* timing) {
  LumenHostLink::Packets p;
  const char* why = "";
  if (!lumen_->Packetize(bitstream, next_frame_index_, au.is_idr, &p, &why)) {
    spdlog::warn("lumen framing: frame of {} bytes not sent: {}", bitstream.size(), why);
    FrameNotSent(timing);
    return;
  }
  timing->frame_index = next_frame_index_;
  ++next_frame_index_;
  socket_.SendStrided(dest, p.base, p.datagram_bytes, p.stride, p.count);
  timing->send_done_ts_ns = host::MonotonicNs();
  timing->datagrams = p.count;
  timing->parity = p.parity;
  std::lock_guard<std::mutex> l(mu_);
  ++stats_.frames_sent;
  stats_.datagrams += p.count;
  stats_.parity_datagrams += p.parity;
  stats_.bytes += size_t(p.count) * p.datagram_bytes;
}

bool VideoTransport::HandleLumenFeedback(const host::Datagram& d) {
  const LumenHostLink::Event ev = lumen_->OnFeedback(d.data);
  host::SocketAddress dest;
  {
    std::lock_guard<std::mutex> l(mu_);
    dest = dest_;
    switch (ev) {
      case LumenHostLink::Event::kDropped:
        ++stats_.bad_feedback;
        return false;
      case LumenHostLink::Event::kIdrRequested:
        ++stats_.idr_requests;
        break;
      case LumenHostLink::Event::kLossReport:
        ++stats_.loss_reports;
        break;
      case LumenHostLink::Event::kRatioChanged:
        ++stats_.loss_reports;
        ++stats_.fec_ratio_changes;
        break;
      case LumenHostLink::Event::kNone:
        break;
    }
  }
  if (ev == LumenHostLink::Event::kRatioChanged) {
    spdlog::info("lumen FEC ratio -> {} permille", lumen_->ratio_permille());
    uint8_t buf[256];
    if (const size_t n = lumen_->SealRatioChange(buf, sizeof(buf)); n != 0 && dest.valid()) {
      socket_.SendTo(dest, std::span<const uint8_t>(buf, n));
    }
  } else if (ev == LumenHostLink::Event::kIdrRequested && on_control_) {
    host::ControlMessage m{};
    m.type = host::ControlType::kRequestIdr;
    m.sent_ts_ns = host::MonotonicNs();
    on_control_(m);
  }
  return true;
}

void VideoTransport::RequestIdrFromEncoder() {
  // At most one request per 100 ms while waiting: the encoder answers with the next frame.
  const uint64_t now = host::MonotonicNs();
  if (last_idr_request_ns_ != 0 && now - last_idr_request_ns_ < 100'000'000) return;
  last_idr_request_ns_ = now;
  host::ControlMessage m{};
  m.type = host::ControlType::kRequestIdr;
  m.sent_ts_ns = now;
  if (on_control_) on_control_(m);
}

void VideoTransport::FeedbackLoop() {
  std::vector<host::Datagram> batch;
  const std::span<const uint8_t> payload(reinterpret_cast<const uint8_t*>(cfg_.ping_payload.data()),
                                         cfg_.ping_payload.size());
  while (!stop_.load(std::memory_order_relaxed)) {
    const size_t n = socket_.RecvBatch(&batch, 16, 2048, 100);
    for (size_t i = 0; i < n; ++i) {
      const host::Datagram& d = batch[i];
      bool new_dest_idr = false;
      host::ControlMessage idr{};
      if (IsPing(d.data, payload)) {
        std::lock_guard<std::mutex> l(mu_);
        ++stats_.pings;
        if (!(dest_ == d.from)) {
          if (dest_.valid()) {
            spdlog::info("video destination moves {} -> {}", dest_.ToString(), d.from.ToString());
          } else {
            spdlog::info("video destination {} (ping)", d.from.ToString());
          }
          dest_ = d.from;
          // A new receiver can only start decoding at an IDR.
          host::ControlMessage m{};
          m.type = host::ControlType::kRequestIdr;
          m.sent_ts_ns = host::MonotonicNs();
          new_dest_idr = true;
          idr = m;
        }
      }
      if (new_dest_idr) {
        new_dest_idr = false;
        if (on_control_) on_control_(idr);
        continue;
      }
      if (IsPing(d.data, payload)) {
        continue;
      }
      if (lumen_) {
        HandleLumenFeedback(d);
        continue;
      }
      auto fb = ParseFeedback(d.data);
      if (!fb) {
        std::lock_guard<std::mutex> l(mu_);
        ++stats_.bad_feedback;
        continue;
      }
      host::ControlMessage m{};
      m.sent_ts_ns = host::MonotonicNs();
      bool forward = false;
      {
        std::lock_guard<std::mutex> l(mu_);
        switch (fb->type) {
          case FeedbackType::kIdrRequest:
            ++stats_.idr_requests;
            m.type = host::ControlType::kRequestIdr;
            m.last_frame = fb->frame;
            forward = true;
            break;
          case FeedbackType::kLossReport:
            ++stats_.loss_reports;
            break;
          case FeedbackType::kFecStatus:
            stats_.fec_recoveries += fb->count;
            break;
        }
      }
      if (forward && on_control_) on_control_(m);
    }
  }
}

}  // namespace lumen::transport
