// Moonlight video/audio stream receivers for tests (see stream_client.h).
#include "clients/moonlight/stream_client.h"

#include <opus/opus_multistream.h>

#include <chrono>
#include <cmath>
#include <condition_variable>
#include <vector>

#include "core/moonlight/audio.h"
#include "core/moonlight/video_depacketizer.h"
#include "core/moonlight/wire.h"
#include "core/pattern/test_pattern.h"
#include "host/common/clock.h"
#include "host/common/udp.h"
#include "host/encode/test_decoder.h"
#include "host/moonlight/stream/ping.h"

namespace lumen::moonlight::client {
namespace {

host::Codec ToHostCodec(VideoCodec c) {
  switch (c) {
    case VideoCodec::kHevc:
      return host::Codec::kHevc;
    case VideoCodec::kAv1:
      return host::Codec::kAv1;
    case VideoCodec::kH264:
      break;
  }
  return host::Codec::kH264;
}

// Shared ping + receive loop.
template <class OnDatagram>
void PingReceiveLoop(host::UdpSocket& sock, const host::SocketAddress& to,
                     const std::string& payload, std::atomic<bool>& stop, OnDatagram on_dgram) {
  std::vector<host::Datagram> batch;
  uint32_t count = 0;
  auto next_ping = std::chrono::steady_clock::now();
  while (!stop.load()) {
    if (std::chrono::steady_clock::now() >= next_ping) {
      uint8_t ping[stream::kSsPingSize];
      if (payload.size() == 16) {
        stream::MakeSsPing(payload, ++count, ping);
        sock.SendTo(to, std::span<const uint8_t>(ping, sizeof(ping)));
      } else {
        sock.SendTo(to, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("PING"), 4));
      }
      next_ping += std::chrono::milliseconds(500);
    }
    const size_t n = sock.RecvBatch(&batch, 64, 2048, 20);
    for (size_t i = 0; i < n; ++i) on_dgram(batch[i].data);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
struct VideoReceiver::Impl {
  VideoReceiverConfig cfg;
  host::UdpSocket sock;
  host::SocketAddress to;
  VideoDepacketizer depacketizer;
  std::unique_ptr<encode::TestDecoder> decoder;
  std::thread thread;
  std::atomic<bool> stop{false};
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  VideoReceiverStats stats;  // guarded by mu

  void OnFrame(const VideoFrame& f) {
    {
      std::lock_guard l(mu);
      ++stats.frames;
      if (f.frame_type == static_cast<uint8_t>(FrameType::kIdr)) ++stats.idr_frames;
    }
    absl::Status st = decoder->Decode(f.au, f.frame_index, [this](const encode::DecodedPicture& p) {
      pattern::Stamp s;
      const auto r = pattern::ReadLuma(p.luma, p.width, p.height, p.stride, &s);
      std::lock_guard l(mu);
      ++stats.decoded;
      stats.width = p.width;
      stats.height = p.height;
      if (r == pattern::ReadStatus::kOk) {
        ++stats.stamps_ok;
        if (stats.last_stamp_frame != 0 && s.frame <= stats.last_stamp_frame) {
          ++stats.stamp_regressions;
        }
        stats.last_stamp_frame = s.frame;
      } else {
        ++stats.stamp_errors;
      }
    });
    if (!st.ok()) {
      {
        std::lock_guard l(mu);
        ++stats.decode_errors;
        ++stats.idr_requests;
      }
      if (cfg.on_need_idr) cfg.on_need_idr();
    }
    cv.notify_all();
  }

  void Loop() {
    PingReceiveLoop(sock, to, cfg.ping_payload, stop, [this](std::span<const uint8_t> d) {
      const uint64_t now_us = host::MonotonicNs() / 1000;
      depacketizer.OnDatagram(d, now_us, [this](const VideoFrame& f) { OnFrame(f); });
      bool need_idr = depacketizer.TakeIdrRequest();
      {
        std::lock_guard l(mu);
        ++stats.datagrams;
        stats.frames_lost = depacketizer.stats().frames_lost;
        if (need_idr) ++stats.idr_requests;
      }
      if (need_idr && cfg.on_need_idr) cfg.on_need_idr();
    });
  }
};

absl::StatusOr<std::unique_ptr<VideoReceiver>> VideoReceiver::Start(
    const VideoReceiverConfig& cfg) {
  auto impl = std::make_unique<Impl>();
  impl->cfg = cfg;
  auto sock = host::UdpSocket::Bind("0.0.0.0:0", 8 << 20, 1 << 20, false);
  if (!sock.ok()) return sock.status();
  impl->sock = std::move(*sock);
  auto to = host::SocketAddress::Parse(cfg.host + ":" + std::to_string(cfg.port));
  if (!to.ok()) return to.status();
  impl->to = *to;
  VideoDepacketizerConfig dc;
  dc.packet_size = cfg.packet_size;
  if (auto st = impl->depacketizer.Init(dc); !st.ok()) return st;
  auto dec = encode::TestDecoder::Create(ToHostCodec(cfg.codec));
  if (!dec.ok()) return dec.status();
  impl->decoder = std::move(*dec);
  return std::unique_ptr<VideoReceiver>(new VideoReceiver(std::move(impl)));
}

VideoReceiver::VideoReceiver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  impl_->thread = std::thread([this] { impl_->Loop(); });
}

VideoReceiver::~VideoReceiver() {
  impl_->stop = true;
  if (impl_->thread.joinable()) impl_->thread.join();
}

VideoReceiverStats VideoReceiver::stats() const {
  std::lock_guard l(impl_->mu);
  return impl_->stats;
}

bool VideoReceiver::WaitFor(const std::function<bool(const VideoReceiverStats&)>& pred,
                            int timeout_ms) const {
  std::unique_lock l(impl_->mu);
  return impl_->cv.wait_for(l, std::chrono::milliseconds(timeout_ms),
                            [&] { return pred(impl_->stats); });
}

// ---------------------------------------------------------------------------------------
struct AudioReceiver::Impl {
  AudioReceiverConfig cfg;
  host::UdpSocket sock;
  host::SocketAddress to;
  OpusMSDecoder* decoder = nullptr;
  AudioDepacketizer depacketizer;
  std::thread thread;
  std::atomic<bool> stop{false};
  mutable std::mutex mu;
  mutable std::condition_variable cv;
  AudioReceiverStats stats;  // guarded by mu

  ~Impl() {
    if (decoder) opus_multistream_decoder_destroy(decoder);
  }

  void OnPacket(const AudioPacket& p) {
    // Called with mu held.
    if (p.decrypt_failed) {
      ++stats.decrypt_errors;
      return;
    }
    if (p.lost) {
      ++stats.seq_gaps;
      return;
    }
    float pcm[8 * 960];
    const int frames = opus_multistream_decode_float(
        decoder, p.opus.data(), static_cast<opus_int32>(p.opus.size()), pcm, 960, 0);
    if (frames <= 0) {
      ++stats.decode_errors;
      return;
    }
    ++stats.decoded;
    float peak = 0;
    for (int i = 0; i < frames * cfg.channels; ++i) peak = std::max(peak, std::fabs(pcm[i]));
    if (peak > 0.01f) ++stats.non_silent;
  }

  void OnDatagram(std::span<const uint8_t> d) {
    std::lock_guard l(mu);
    if (d.size() >= 2) {
      const uint8_t pt = d[1] & 0x7f;
      if (pt == kAudioFecPayloadType) ++stats.fec_packets;
      if (pt == kAudioPayloadType) ++stats.packets;
    }
    depacketizer.OnDatagram(d, host::MonotonicNs() / 1000,
                            [this](const AudioPacket& p) { OnPacket(p); });
    cv.notify_all();
  }
};

absl::StatusOr<std::unique_ptr<AudioReceiver>> AudioReceiver::Start(
    const AudioReceiverConfig& cfg) {
  auto impl = std::make_unique<Impl>();
  impl->cfg = cfg;
  auto sock = host::UdpSocket::Bind("0.0.0.0:0", 1 << 20, 1 << 20, false);
  if (!sock.ok()) return sock.status();
  impl->sock = std::move(*sock);
  auto to = host::SocketAddress::Parse(cfg.host + ":" + std::to_string(cfg.port));
  if (!to.ok()) return to.status();
  impl->to = *to;
  // Normal-quality layouts (the test client asks for normal quality surround).
  int streams = 1, coupled = 1;
  unsigned char mapping[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  if (cfg.channels == 6) streams = 4, coupled = 2;
  if (cfg.channels == 8) streams = 5, coupled = 3;
  int err = 0;
  impl->decoder =
      opus_multistream_decoder_create(48000, cfg.channels, streams, coupled, mapping, &err);
  if (err != OPUS_OK) return absl::InternalError("opus decoder");
  AudioDepacketizerConfig dc;
  dc.encrypted = cfg.encrypted;
  dc.key = cfg.key;
  dc.rikeyid = cfg.key_id;
  if (auto st = impl->depacketizer.Init(dc); !st.ok()) return st;
  return std::unique_ptr<AudioReceiver>(new AudioReceiver(std::move(impl)));
}

AudioReceiver::AudioReceiver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  impl_->thread = std::thread([this] {
    PingReceiveLoop(impl_->sock, impl_->to, impl_->cfg.ping_payload, impl_->stop,
                    [this](std::span<const uint8_t> d) { impl_->OnDatagram(d); });
  });
}

AudioReceiver::~AudioReceiver() {
  impl_->stop = true;
  if (impl_->thread.joinable()) impl_->thread.join();
}

AudioReceiverStats AudioReceiver::stats() const {
  std::lock_guard l(impl_->mu);
  return impl_->stats;
}

bool AudioReceiver::WaitFor(const std::function<bool(const AudioReceiverStats&)>& pred,
                            int timeout_ms) const {
  std::unique_lock l(impl_->mu);
  return impl_->cv.wait_for(l, std::chrono::milliseconds(timeout_ms),
                            [&] { return pred(impl_->stats); });
}

}  // namespace lumen::moonlight::client
