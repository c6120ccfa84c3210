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
};

absl::StatusOr<std::unique_ptr<ReferenceClient>> ReferenceClient::Create(
    const ClientConfig& cfg) {
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
  impl_->thread = std::thread([this] { Loop(); });
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

void ReferenceClient::set_on_picture(
    std::function<void(const FrameRecord&, const Picture&)> fn) {
  impl_->on_picture = std::move(fn);
}

void ReferenceClient::Loop() {
  Impl& im = *impl_;
  std::mt19937_64 rng(im.cfg.loss_seed);
  std::uniform_real_distribution<double> uni(0.0, 100.0);
  std::vector<host::Datagram> batch;
  uint64_t next_ping = 0;
  uint32_t ping_count = 0;
  uint64_t last_idr_request = 0;
  auto send_feedback = [&](transport::FeedbackType type, uint32_t frame, uint32_t count) {
    if (!im.server.valid() || !im.cfg.send_feedback) return;
    uint8_t buf[transport::kFeedbackSize];
    transport::WriteFeedback({type, frame, count}, buf);
    im.socket.SendTo(im.server, buf);
  };
  while (!im.stop.load(std::memory_order_relaxed)) {
    const uint64_t now = host::MonotonicNs();
    if (im.server.valid() && now >= next_ping) {
      if (im.cfg.ping_payload.size() == 16) {
        uint8_t ping[20];
        std::memcpy(ping, im.cfg.ping_payload.data(), 16);
        ++ping_count;
        for (int i = 0; i < 4; ++i) ping[16 + i] = uint8_t(ping_count >> (24 - 8 * i));
        im.socket.SendTo(im.server, ping);
      } else {
        im.socket.SendTo(im.server, std::span<const uint8_t>(
                                        reinterpret_cast<const uint8_t*>("PING"), 4));
      }
      std::lock_guard<std::mutex> l(im.mu);
      ++im.stats.pings_sent;
      next_ping = now + 500'000'000;
    }
    const size_t n = im.socket.RecvBatch(&batch, 64, 9216, 20);
    for (size_t i = 0; i < n; ++i) {
      const host::Datagram& d = batch[i];
      {
        std::lock_guard<std::mutex> l(im.mu);
        ++im.stats.datagrams;
      }
      if (im.cfg.loss_percent > 0 && uni(rng) < im.cfg.loss_percent) {
        std::lock_guard<std::mutex> l(im.mu);
        ++im.stats.datagrams_dropped_induced;
        continue;
      }
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
            if (im.es) fwrite(f.au.data(), 1, f.au.size(), im.es);
            bool decode_error = false;
            if (im.decoder) {
              absl::Status s = im.decoder->Decode(f.au, [&](const Picture& p) {
                rec.decoded_ns = host::MonotonicNs();
                rec.width = p.width;
                rec.height = p.height;
                if (im.cfg.read_stamp) {
                  pattern::Stamp st;
                  if (pattern::ReadLuma(p.luma, p.width, p.height, p.stride, &st) ==
                      pattern::ReadStatus::kOk) {
                    rec.stamp_ok = true;
                    rec.stamp_frame = st.frame;
                    rec.stamp_capture_us = st.timestamp_us;
                  }
                }
                if (im.on_picture) im.on_picture(rec, p);
              });
              decode_error = !s.ok();
            }
            std::lock_guard<std::mutex> l(im.mu);
            if (decode_error) ++im.stats.decode_errors;
            if (rec.decoded_ns) ++im.stats.frames_decoded;
            if (rec.decoded_ns && im.cfg.read_stamp && !rec.stamp_ok) ++im.stats.stamp_errors;
            im.records.push_back(rec);
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

}  // namespace lumen::client
