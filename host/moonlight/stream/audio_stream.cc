// Moonlight audio sender (see audio_stream.h).
#include "host/moonlight/stream/audio_stream.h"

#include <opus/opus_multistream.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/moonlight/audio.h"
#include "host/common/udp.h"
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
    case 6:
      return hq ? OpusLayout{6, 6, 0, 1536000} : OpusLayout{6, 4, 2, 256000};
    case 8:
      return hq ? OpusLayout{8, 8, 0, 2048000} : OpusLayout{8, 5, 3, 450000};
    default:
      return hq ? OpusLayout{2, 1, 1, 512000} : OpusLayout{2, 1, 1, 96000};
  }
}

struct AudioStream::Impl {
  AudioStreamOptions options;
  LaunchSession launch;
  StreamConfig config;
  PcmSource source;
  OpusPacketSource packets;
  host::UdpSocket socket;
  OpusMSEncoder* encoder = nullptr;
  OpusLayout layout;
  AudioPacketizer packetizer;
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

  // Sends one Opus packet (plus FEC) to `to`; updates the counters.
  void Send(const host::SocketAddress& to, std::span<const uint8_t> opus, bool silent) {
    uint64_t errors = 0;
    const AudioStatus st = packetizer.Packetize(opus, [&](std::span<const uint8_t> d) {
      if (!socket.SendTo(to, d)) ++errors;
    });
    std::lock_guard l(mu);
    if (st != AudioStatus::kOk) ++stats.encode_errors;
    stats.packets_sent = packetizer.stats().packets;
    stats.fec_sent = packetizer.stats().fec_packets;
    if (silent) ++stats.silent_packets;
    stats.send_errors += errors;
  }

  // Pre-encoded packets: the source paces the loop; pings are read between packets.
  void PacketLoop() {
    std::vector<uint8_t> pkt;
    while (!stop.load()) {
      PollPings(0);
      bool silent = false;
      if (!packets(&pkt, &silent) || pkt.empty()) {
        {
          std::lock_guard l(mu);
          ++stats.encode_errors;
        }
        PollPings(config.audio_packet_duration_ms);
        continue;
      }
      host::SocketAddress to;
      {
        std::lock_guard l(mu);
        to = dest;
        if (!to.valid()) ++stats.ticks_without_client;
      }
      if (!to.valid()) continue;  // packets keep being pulled: capture stays drained
      Send(to, pkt, silent);
    }
  }

  void Loop() {
    if (packets) {
      PacketLoop();
      return;
    }
    const int ms = config.audio_packet_duration_ms;
    const int frames = 48 * ms;
    std::vector<float> pcm(static_cast<size_t>(frames * layout.channels));
    uint8_t opus[kAudioMaxShard];
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
      const bool have = source && source(std::span<float>(pcm), layout.channels, frames);
      if (!have) std::fill(pcm.begin(), pcm.end(), 0.0f);
      // Leave room for the CBC padding block.
      const int n = opus_multistream_encode_float(encoder, pcm.data(), frames, opus,
                                                  static_cast<opus_int32>(sizeof(opus) - 16));
      if (n <= 0) {
        std::lock_guard l(mu);
        ++stats.encode_errors;
        continue;
      }
      Send(to, std::span<const uint8_t>(opus, static_cast<size_t>(n)), !have);
    }
  }
};

absl::StatusOr<std::unique_ptr<AudioStream>> AudioStream::Start(const AudioStreamOptions& options,
                                                                const LaunchSession& launch,
                                                                const StreamConfig& config,
                                                                PcmSource source) {
  return StartImpl(options, launch, config, std::move(source), nullptr);
}

absl::StatusOr<std::unique_ptr<AudioStream>> AudioStream::StartImpl(
    const AudioStreamOptions& options, const LaunchSession& launch, const StreamConfig& config,
    PcmSource source, OpusPacketSource packets) {
  auto impl = std::make_unique<Impl>();
  impl->packets = std::move(packets);
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
  impl->encoder = opus_multistream_encoder_create(
      48000, impl->layout.channels, impl->layout.streams, impl->layout.coupled, mapping,
      OPUS_APPLICATION_RESTRICTED_LOWDELAY, &err);
  if (err != OPUS_OK || !impl->encoder) {
    return absl::InternalError(absl::StrCat("opus encoder: ", opus_strerror(err)));
  }
  opus_multistream_encoder_ctl(impl->encoder, OPUS_SET_BITRATE(impl->layout.bitrate_bps));
  opus_multistream_encoder_ctl(impl->encoder, OPUS_SET_VBR(0));
  AudioPacketizerConfig pc;
  pc.packet_duration_ms = impl->config.audio_packet_duration_ms;
  pc.encrypt = config.audio_encrypted();
  pc.key = launch.key;
  pc.rikeyid = launch.key_id;
  pc.fec = options.fec;
  if (auto st = impl->packetizer.Init(pc); !st.ok()) return st;
  return std::unique_ptr<AudioStream>(new AudioStream(std::move(impl)));
}

absl::StatusOr<std::unique_ptr<AudioStream>> AudioStream::StartWithPackets(
    const AudioStreamOptions& options, const LaunchSession& launch, const StreamConfig& config,
    OpusPacketSource packets) {
  if (!packets) return absl::InvalidArgumentError("no packet source");
  return StartImpl(options, launch, config, nullptr, std::move(packets));
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
