// Moonlight audio sender (see audio_stream.h).
#include "host/moonlight/stream/audio_stream.h"

#include <opus/opus_multistream.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/crypto/aes.h"
#include "host/common/udp.h"
#include "host/moonlight/stream/audio_packets.h"
#include "host/moonlight/stream/ping.h"

namespace lumen::moonlight::stream {

PcmSource SineSource(double hz, double amplitude) {
  auto phase = std::make_shared<double>(0.0);
  return [hz, amplitude, phase](std::span<float> pcm, int channels, int frames) {
    const double step = 2.0 * M_PI * hz / 48000.0;
    for (int f = 0; f < frames; ++f) {
      const float v = static_cast<float>(amplitude * std::sin(*phase));
      *phase += step;
      for (int c = 0; c < channels; ++c) pcm[static_cast<size_t>(f * channels + c)] = v;
    }
    *phase = std::fmod(*phase, 2.0 * M_PI);
    return true;
  };
}

OpusLayout OpusLayoutFor(int channels, bool hq) {
  switch (channels) {
    case 6: return hq ? OpusLayout{6, 6, 0, 1536000} : OpusLayout{6, 4, 2, 256000};
    case 8: return hq ? OpusLayout{8, 8, 0, 2048000} : OpusLayout{8, 5, 3, 450000};
    default: return hq ? OpusLayout{2, 1, 1, 512000} : OpusLayout{2, 1, 1, 96000};
  }
}

struct AudioStream::Impl {
  AudioStreamOptions options;
  LaunchSession launch;
  StreamConfig config;
  PcmSource source;
  host::UdpSocket socket;
  OpusMSEncoder* encoder = nullptr;
  OpusLayout layout;
  crypto::AesCbc128 cbc;
  bool encrypt = false;
  std::thread thread;
  std::atomic<bool> stop{false};
  mutable std::mutex mu;
  host::SocketAddress dest;  // guarded by mu
  AudioStreamStats stats;    // guarded by mu

  ~Impl() {
    if (encoder) opus_multistream_encoder_destroy(encoder);
  }

  void PollPings(int timeout_ms) {
    std::vector<host::Datagram> batch;
    const size_t n = socket.RecvBatch(&batch, 8, 256, timeout_ms);
    for (size_t i = 0; i < n; ++i) {
      const bool session_id = (config.ml_feature_flags & kMlFeatureSessionIdV1) != 0;
      if (!IsSessionPing(batch[i].data, session_id ? launch.ping_payload : std::string_view())) {
        continue;
      }
      std::lock_guard l(mu);
      ++stats.pings;
      dest = batch[i].from;
    }
  }

  void Loop() {
    const int ms = config.audio_packet_duration_ms;
    const int frames = 48 * ms;
    std::vector<float> pcm(static_cast<size_t>(frames * layout.channels));
    uint8_t opus[1400];
    // Four data packets of one FEC block, kept for parity.
    std::array<std::vector<uint8_t>, 4> block;
    uint16_t seq = 0;
    uint32_t ts = 0;
    auto next = std::chrono::steady_clock::now();
    while (!stop.load()) {
      next += std::chrono::milliseconds(ms);
      for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                              next - std::chrono::steady_clock::now())
                              .count();
        if (left <= 0) break;
        PollPings(static_cast<int>(left));
      }
      host::SocketAddress to;
      {
        std::lock_guard l(mu);
        to = dest;
        if (!to.valid()) ++stats.ticks_without_client;
      }
      if (!to.valid()) {
        if (source) source(std::span<float>(pcm), layout.channels, frames);  // keep it drained
        next = std::chrono::steady_clock::now();
        continue;
      }
      bool have = source && source(std::span<float>(pcm), layout.channels, frames);
      if (!have) std::fill(pcm.begin(), pcm.end(), 0.0f);
      const int n = opus_multistream_encode_float(encoder, pcm.data(), frames, opus,
                                                  sizeof(opus) - 64);
      if (n < 0) {
        std::lock_guard l(mu);
        ++stats.encode_errors;
        continue;
      }
      std::vector<uint8_t>& pkt = block[seq % 4];
      pkt.resize(kAudioRtpHeader + crypto::AesCbc128::PaddedSize(static_cast<size_t>(n)));
      WriteAudioRtpHeader(pkt.data(), seq, ts);
      size_t payload = static_cast<size_t>(n);
      if (encrypt) {
        const auto iv = AudioIv(launch.key_id, seq);
        payload = cbc.Encrypt(iv, std::span<const uint8_t>(opus, static_cast<size_t>(n)),
                              pkt.data() + kAudioRtpHeader);
      } else {
        std::memcpy(pkt.data() + kAudioRtpHeader, opus, payload);
      }
      pkt.resize(kAudioRtpHeader + payload);
      bool ok = socket.SendTo(to, pkt);
      {
        std::lock_guard l(mu);
        ++stats.packets_sent;
        if (!have) ++stats.silent_packets;
        if (!ok) ++stats.send_errors;
      }
      if (options.fec && seq % 4 == 3) {
        const size_t len = block[0].size() - kAudioRtpHeader;
        bool same = true;
        for (const auto& b : block) same = same && b.size() == len + kAudioRtpHeader;
        if (same) {
          std::vector<uint8_t> p0(kAudioRtpHeader + kAudioFecHeader + len);
          std::vector<uint8_t> p1(p0.size());
          const uint16_t base = static_cast<uint16_t>(seq - 3);
          const uint32_t base_ts = ts - 3u * static_cast<uint32_t>(ms);
          WriteAudioFecHeader(p0.data(), 0, base, base_ts);
          WriteAudioFecHeader(p1.data(), 1, base, base_ts);
          AudioFecEncode({block[0].data() + kAudioRtpHeader, block[1].data() + kAudioRtpHeader,
                          block[2].data() + kAudioRtpHeader, block[3].data() + kAudioRtpHeader},
                         len, p0.data() + kAudioRtpHeader + kAudioFecHeader,
                         p1.data() + kAudioRtpHeader + kAudioFecHeader);
          const bool ok0 = socket.SendTo(to, p0);
          const bool ok1 = socket.SendTo(to, p1);
          std::lock_guard l(mu);
          stats.fec_sent += 2;
          if (!ok0 || !ok1) ++stats.send_errors;
        }
      }
      ++seq;
      ts += static_cast<uint32_t>(ms);
    }
  }
};

absl::StatusOr<std::unique_ptr<AudioStream>> AudioStream::Start(const AudioStreamOptions& options,
                                                                const LaunchSession& launch,
                                                                const StreamConfig& config,
                                                                PcmSource source) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->launch = launch;
  impl->config = config;
  impl->source = std::move(source);
  if (impl->config.audio_packet_duration_ms != 5 && impl->config.audio_packet_duration_ms != 10) {
    impl->config.audio_packet_duration_ms = 5;
  }
  auto sock = host::UdpSocket::Bind(options.bind, 1 << 20, 1 << 20, false);
  if (!sock.ok()) return sock.status();
  impl->socket = std::move(*sock);
  impl->layout = OpusLayoutFor(config.audio_channels, config.audio_high_quality);
  unsigned char mapping[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  int err = 0;
  impl->encoder = opus_multistream_encoder_create(48000, impl->layout.channels,
                                                  impl->layout.streams, impl->layout.coupled,
                                                  mapping, OPUS_APPLICATION_RESTRICTED_LOWDELAY,
                                                  &err);
  if (err != OPUS_OK || !impl->encoder) {
    return absl::InternalError(absl::StrCat("opus encoder: ", opus_strerror(err)));
  }
  opus_multistream_encoder_ctl(impl->encoder, OPUS_SET_BITRATE(impl->layout.bitrate_bps));
  opus_multistream_encoder_ctl(impl->encoder, OPUS_SET_VBR(0));
  impl->encrypt = config.audio_encrypted();
  if (impl->encrypt && !impl->cbc.SetKey(launch.key)) {
    return absl::InternalError("AES-CBC key setup failed");
  }
  return std::unique_ptr<AudioStream>(new AudioStream(std::move(impl)));
}

AudioStream::AudioStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
  port_ = impl_->socket.local_port();
  impl_->thread = std::thread([this] { impl_->Loop(); });
}

AudioStream::~AudioStream() {
  impl_->stop = true;
  if (impl_->thread.joinable()) impl_->thread.join();
}

bool AudioStream::has_destination() const {
  std::lock_guard l(impl_->mu);
  return impl_->dest.valid();
}

AudioStreamStats AudioStream::stats() const {
  std::lock_guard l(impl_->mu);
  return impl_->stats;
}

}  // namespace lumen::moonlight::stream
