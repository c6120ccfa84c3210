// clients/reference/client.cc — see client.h.
#include "clients/reference/client.h"

#include <cstdio>
#include <random>

#include "clients/reference/video_decoder.h"
#include "core/moonlight/video_depacketizer.h"
#include "core/pattern/test_pattern.h"
#include "host/common/clock.h"
#include "host/common/udp.h"
#include "host/transport/feedback_wire.h"
#include "host/transport/lumen_link.h"

namespace lumen::client {

struct ReferenceClient::Impl {
  ClientConfig cfg;
  host::UdpSocket socket;
  host::SocketAddress server;
  moonlight::VideoDepacketizer depacketizer;
  std::unique_ptr<VideoDecoder> decoder;
  FILE* es = nullptr;
  std::atomic<bool> stop{false};
  std::thread thread;
  mutable std::mutex mu;
  ClientStats stats;
  std::vector<FrameRecord> records;
  std::function<void(const FrameRecord&, const Picture&)> on_picture;
  // Per frame-index first datagram time (small ring keyed by frame index).
  std::array<std::pair<uint32_t, uint64_t>, 64> first_seen{};
  std::unique_ptr<transport::LumenClientLink> lumen;  // framing == kLumen
  void Deliver(FrameRecord rec, std::span<const uint8_t> au);
  void Ping(uint64_t now);
  // Counts a received datagram; true when the induced loss drops it. draw() returns a
  // uniform 0-100 and is called only when loss is induced.
  template <class Draw>
  bool CountAndDropInduced(Draw&& draw) {
    std::lock_guard<std::mutex> l(mu);
    ++stats.datagrams;
    if (cfg.loss_percent > 0 && draw() < cfg.loss_percent) {
      ++stats.datagrams_dropped_induced;
      return true;
    }
    return false;
  }
  uint64_t next_ping = 0;
  uint32_t ping_count = 0;
};

// Decodes one complete frame (in stream order), reads its stamp and records it.
void ReferenceClient::Impl::Deliver(FrameRecord rec, std::span<const uint8_t> au) {
  if (es) fwrite(au.data(), 1, au.size(), es);
  bool decode_error = false;
  if (decoder) {
    absl::Status s = decoder->Decode(au, [&](const Picture& p) {
      rec.decoded_ns = host::MonotonicNs();
      rec.width = p.width;
      rec.height = p.height;
      if (cfg.read_stamp) {
        pattern::Stamp st;
        if (pattern::ReadLuma(p.luma, p.width, p.height, p.stride, &st) ==
            pattern::ReadStatus::kOk) {
          rec.stamp_ok = true;
          rec.stamp_frame = st.frame;
          rec.stamp_capture_us = st.timestamp_us;
        }
      }
      if (on_picture) on_picture(rec, p);
    });
    decode_error = !s.ok();
  }
  std::lock_guard<std::mutex> l(mu);
  if (decode_error) ++stats.decode_errors;
  if (rec.decoded_ns) ++stats.frames_decoded;
  if (rec.decoded_ns && cfg.read_stamp && !rec.stamp_ok) ++stats.stamp_errors;
  records.push_back(rec);
}

// Pings the server's video port every 500 ms (it learns our address from the ping).
void ReferenceClient::Impl::Ping(uint64_t now) {
  if (!server.valid() || now < next_ping) return;
  if (cfg.ping_payload.size() == 16) {
    uint8_t ping[20];
    std::memcpy(ping, cfg.ping_payload.data(), 16);
    ++ping_count;
    for (int i = 0; i < 4; ++i) ping[16 + i] = uint8_t(ping_count >> (24 - 8 * i));
    socket.SendTo(server, ping);
  } else {
    socket.SendTo(server, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("PING"), 4));
  }
  std::lock_guard<std::mutex> l(mu);
  ++stats.pings_sent;
  next_ping = now + 500'000'000;
}

absl::StatusOr<std::unique_ptr<ReferenceClient>> ReferenceClient::Create(const ClientConfig& cfg) {
  std::unique_ptr<ReferenceClient> c(new ReferenceClient());
  c->impl_ = std::make_unique<Impl>();
  Impl& im = *c->impl_;
  im.cfg = cfg;
  auto sock = host::UdpSocket::Bind(cfg.bind, 8 << 20, 1 << 20, false);
  if (!sock.ok()) return sock.status();
  im.socket = std::move(*sock);
  if (!cfg.server.empty()) {
    auto s = host::SocketAddress::Parse(cfg.server);
    if (!s.ok()) return s.status();
    im.server = *s;
  }
  if (cfg.framing == transport::Framing::kLumen) {
    transport::LumenLinkConfig lc;
    lc.params = cfg.lumen;
    lc.packet_size = cfg.packet_size;
    lc.max_frame_bytes = cfg.max_frame_bytes;
    auto link = transport::LumenClientLink::Create(lc);
    if (!link.ok()) return link.status();
    im.lumen = std::move(*link);
  }
  moonlight::VideoDepacketizerConfig dc;
  dc.packet_size = cfg.packet_size;
  dc.encrypted = cfg.encrypted;
  dc.key = cfg.key;
  dc.frame_slots = 4;
  dc.max_frame_shards = 4 * 1023;
  if (absl::Status s = im.depacketizer.Init(dc); !s.ok()) return s;
  if (cfg.decode) {
    auto d = VideoDecoder::Create(cfg.codec);
    if (!d.ok()) return d.status();
    im.decoder = std::move(*d);
  }
  if (!cfg.dump_es.empty()) {
    im.es = fopen(cfg.dump_es.c_str(), "wb");
    if (im.es == nullptr) return absl::InvalidArgumentError("cannot open --dump-es file");
  }
  return c;
}

ReferenceClient::~ReferenceClient() {
  Stop();
  if (impl_ && impl_->es) fclose(impl_->es);
}

uint16_t ReferenceClient::local_port() const { return impl_->socket.local_port(); }

void ReferenceClient::Start() {
  impl_->stop = false;
  impl_->thread = std::thread([this] {
    if (impl_->lumen) {
      LoopLumen();
    } else {
      Loop();
    }
  });
}

void ReferenceClient::Stop() {
  if (!impl_) return;
  impl_->stop = true;
  if (impl_->thread.joinable()) impl_->thread.join();
}

ClientStats ReferenceClient::stats() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->stats;
}

std::vector<FrameRecord> ReferenceClient::records() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->records;
}

void ReferenceClient::set_on_picture(std::function<void(const FrameRecord&, const Picture&)> fn) {
  impl_->on_picture = std::move(fn);
}

void ReferenceClient::Loop() {
  Impl& im = *impl_;
  std::mt19937_64 rng(im.cfg.loss_seed);
  std::uniform_real_distribution<double> uni(0.0, 100.0);
  std::vector<host::Datagram> batch;
  uint64_t last_idr_request = 0;
  auto send_feedback = [&](transport::FeedbackType type, uint32_t frame, uint32_t count) {
    if (!im.server.valid() || !im.cfg.send_feedback) return;
    uint8_t buf[transport::kFeedbackSize];
    transport::WriteFeedback({type, frame, count}, buf);
    im.socket.SendTo(im.server, buf);
  };
  while (!im.stop.load(std::memory_order_relaxed)) {
    const uint64_t now = host::MonotonicNs();
    im.Ping(now);
    const size_t n = im.socket.RecvBatch(&batch, 64, 9216, 20);
    for (size_t i = 0; i < n; ++i) {
      const host::Datagram& d = batch[i];
      if (im.CountAndDropInduced([&] { return uni(rng); })) continue;
      // Remember when each frame's first datagram arrived (frameIndex at offset 20, or
      // 12 in the encryption prefix).
      if (d.data.size() >= 24) {
        const size_t off = im.cfg.encrypted ? 12 : 20;
        const uint32_t fi = uint32_t(d.data[off]) | uint32_t(d.data[off + 1]) << 8 |
                            uint32_t(d.data[off + 2]) << 16 | uint32_t(d.data[off + 3]) << 24;
        auto& slot = im.first_seen[fi % im.first_seen.size()];
        if (slot.first != fi) slot = {fi, d.recv_ts_ns};
      }
      const moonlight::ParseError e = im.depacketizer.OnDatagram(
          d.data, d.recv_ts_ns / 1000, [&](const moonlight::VideoFrame& f) {
            FrameRecord rec;
            rec.frame_index = f.frame_index;
            rec.idr = f.frame_type == uint8_t(moonlight::FrameType::kIdr);
            rec.au_bytes = uint32_t(f.au.size());
            rec.recovered_shards = f.recovered_shards;
            const auto& fs = im.first_seen[f.frame_index % im.first_seen.size()];
            rec.first_recv_ns = fs.first == f.frame_index ? fs.second : d.recv_ts_ns;
            rec.complete_ns = host::MonotonicNs();
            im.Deliver(rec, f.au);
          });
      (void)e;
    }
    const uint64_t after = host::MonotonicNs();
    im.depacketizer.Poll(after / 1000);
    if (im.depacketizer.TakeIdrRequest()) {
      // At most one IDR request per 100 ms (the server needs a moment to answer).
      if (after - last_idr_request > 100'000'000) {
        send_feedback(transport::FeedbackType::kIdrRequest, 0, 0);
        last_idr_request = after;
        std::lock_guard<std::mutex> l(im.mu);
        ++im.stats.idr_requests_sent;
      }
    }
    const auto& ds = im.depacketizer.stats();
    std::lock_guard<std::mutex> l(im.mu);
    if (ds.shards_recovered > im.stats.shards_recovered) {
      send_feedback(transport::FeedbackType::kFecStatus, 0,
                    uint32_t(ds.shards_recovered - im.stats.shards_recovered));
    }
    im.stats.frames_delivered = ds.frames_delivered;
    im.stats.frames_lost = ds.frames_lost;
    im.stats.frames_recovered = ds.frames_recovered;
    im.stats.shards_recovered = ds.shards_recovered;
    im.stats.frames_dropped_waiting_idr = ds.frames_dropped_waiting_idr;
    im.stats.datagrams_rejected = ds.datagrams - ds.accepted;
  }
}

// Lumen framing: the core receiver reassembles, authenticates and FEC-recovers; frames go
// to the decoder strictly in order (a gap holds P-frames back until the next keyframe, and
// an IDR request goes to the host at most every 100 ms while waiting).
void ReferenceClient::LoopLumen() {
  Impl& im = *impl_;
  transport::LumenClientLink& link = *im.lumen;
  std::mt19937_64 rng(im.cfg.loss_seed);
  std::uniform_real_distribution<double> uni(0.0, 100.0);
  std::vector<host::Datagram> batch;
  uint64_t last_idr_request = 0;
  uint64_t last_report = host::MonotonicNs();
  bool waiting_idr = true;  // the stream is joined at a keyframe
  bool any_delivered = false;
  uint32_t last_delivered = 0;
  uint64_t dropped_waiting = 0, recovered = 0;
  bool got_any = false;
  uint8_t fb[256];
  auto send = [&](size_t n) {
    if (n != 0 && im.server.valid() && im.cfg.send_feedback) {
      im.socket.SendTo(im.server, std::span<const uint8_t>(fb, n));
    }
    return n != 0;
  };
  while (!im.stop.load(std::memory_order_relaxed)) {
    im.Ping(host::MonotonicNs());
    const size_t n = im.socket.RecvBatch(&batch, 64, 9216, 20);
    for (size_t i = 0; i < n; ++i) {
      const host::Datagram& d = batch[i];
      if (im.CountAndDropInduced([&] { return uni(rng); })) continue;
      got_any = true;
      uint32_t fid = 0;
      if (transport::LumenClientLink::PeekFrameId(d.data, &fid)) {
        auto& slot = im.first_seen[fid % im.first_seen.size()];
        if (slot.first != fid) slot = {fid, d.recv_ts_ns};
      }
      transport::LumenClientLink::Frame f;
      if (link.Receive(d.data, &f) != transport::LumenClientLink::Rx::kFrame) continue;
      if (f.recovered) ++recovered;
      // Only a keyframe, or the frame right after the last one decoded, can be decoded.
      const bool in_order = any_delivered && f.frame_id == last_delivered + 1;
      const bool newer = !any_delivered || int32_t(f.frame_id - last_delivered) > 0;
      if (!(f.keyframe && newer) && (waiting_idr || !in_order)) {
        ++dropped_waiting;
        waiting_idr = true;
        continue;
      }
      waiting_idr = false;
      any_delivered = true;
      last_delivered = f.frame_id;
      FrameRecord rec;
      rec.frame_index = f.frame_id;
      rec.idr = f.keyframe;
      rec.au_bytes = uint32_t(f.data.size());
      rec.recovered_shards = f.recovered ? 1 : 0;
      const auto& fs = im.first_seen[f.frame_id % im.first_seen.size()];
      rec.first_recv_ns = fs.first == f.frame_id ? fs.second : d.recv_ts_ns;
      rec.complete_ns = host::MonotonicNs();
      im.Deliver(rec, f.data);
    }
    const uint64_t after = host::MonotonicNs();
    // Acks of FEC ratio changes, IDR requests, and a loss report every 100 ms.
    if (send(link.SealPendingAck(fb, sizeof(fb)))) {
      std::lock_guard<std::mutex> l(im.mu);
      ++im.stats.ratio_acks_sent;
    }
    // Before the first datagram the host has not started sending: it starts at an IDR.
    if (got_any && (waiting_idr || link.need_idr()) && after - last_idr_request > 100'000'000) {
      if (send(link.SealIdrRequest(fb, sizeof(fb)))) {
        last_idr_request = after;
        std::lock_guard<std::mutex> l(im.mu);
        ++im.stats.idr_requests_sent;
      }
    }
    if (after - last_report >= 100'000'000) {
      if (send(link.SealLossReport(uint32_t((after - last_report) / 1'000'000), fb, sizeof(fb)))) {
        std::lock_guard<std::mutex> l(im.mu);
        ++im.stats.loss_reports_sent;
      }
      last_report = after;
    }
    const transport::LumenClientLink::Counters c = link.counters();
    std::lock_guard<std::mutex> l(im.mu);
    im.stats.frames_delivered = c.frames_complete;
    im.stats.frames_lost = c.frames_lost;
    im.stats.frames_recovered = c.frames_recovered;
    im.stats.shards_recovered = recovered;  // lumen: frames that needed parity
    im.stats.frames_dropped_waiting_idr = dropped_waiting;
    im.stats.datagrams_rejected = c.dropped;
  }
}

}  // namespace lumen::client
