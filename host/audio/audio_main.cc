// host/audio/audio_main.cc — lumen-audio: PipeWire sink monitor (or silence) -> Opus ->
// the encoded-audio ring, for a transport running in another process.
//
//   lumen-audio --ring-fd=3 | --ring-socket=PATH [--channels=2|6|8] [--hq]
//               [--packet-ms=5|10|20] [--sink=NODE] [--no-pipewire]
// Ring (host/common/ring_handoff.h): kEncodedAudioOut (AudioPacketDesc + one Opus packet).
// Exits on SIGTERM/SIGINT or when the supervisor's socket closes.
#include <unistd.h>

#include <thread>

#include "host/audio/audio_source.h"
#include "host/common/frame_desc.h"
#include "host/common/process.h"
#include "host/common/ring_handoff.h"
#include "host/common/shm_ring.h"
#include "spdlog/spdlog.h"

namespace lumen::audio {
namespace {

int Run(int argc, char** argv) {
  host::InstallStopSignals();
  host::InitLogging("audio");
  host::Args args(argc, argv);
  const int ring_fd = int(args.Int("ring-fd", -1));
  const std::string ring_socket = args.Str("ring-socket");
  AudioSourceConfig cfg;
  cfg.opus.channels = int(args.Int("channels", 2));
  cfg.opus.high_quality = args.Bool("hq", false);
  cfg.opus.frame_samples = int(args.Int("packet-ms", 5)) * kSampleRate / 1000;
  cfg.target = args.Str("sink");
  cfg.use_pipewire = args.Bool("pipewire", true);  // --no-pipewire: silence only
  if (absl::Status s = args.Check(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 2;
  }
  auto handed = host::AttachChildRings(
      ring_fd, ring_socket, {{host::RingRole::kEncodedAudioOut, host::RingKind::kEncodedAudio}});
  if (!handed.ok()) {
    spdlog::error("{}", handed.status().ToString());
    return absl::IsInvalidArgument(handed.status()) ? 2 : 3;
  }
  std::optional<host::ShmRing>& ring = handed->rings[0];
  auto src = AudioSource::Start(cfg);
  if (!src.ok()) {
    spdlog::error("audio: {}", src.status().ToString());
    return 4;
  }
  spdlog::info("{} ch, {} samples/packet, {} bps: {}", cfg.opus.channels, cfg.opus.frame_samples,
               (*src)->layout().bitrate_bps,
               (*src)->capturing() ? "capturing PipeWire" : "silence (" + (*src)->fallback_reason() + ")");
  std::thread watch([&] {
    while (!host::StopRequested()) {
      auto m = host::ReadChildMessage(handed->sock, 200);
      if (!m.ok() && m.status().code() == absl::StatusCode::kUnavailable) host::RequestStop();
    }
  });
  host::RingProducer out(&*ring);
  uint64_t rejected = 0;
  AudioPacket p;
  while (!host::StopRequested()) {
    absl::Status st = (*src)->NextPacket(&p);
    if (!st.ok()) {
      spdlog::error("{}", st.ToString());
      break;
    }
    host::AudioPacketDesc d{};
    d.seq = p.seq;
    d.capture_ts_ns = p.capture_ts_ns;
    d.samples_per_channel = uint32_t((*src)->frame_samples());
    d.channels = uint32_t(cfg.opus.channels);
    d.sample_rate = kSampleRate;
    d.len = uint32_t(p.data.size());
    if (!out.TryPush(d, std::span<const uint8_t>(p.data))) ++rejected;  // transport is behind
  }
  host::RequestStop();
  watch.join();
  const AudioSourceStats s = (*src)->stats();
  spdlog::info("packets {} ({} silent), ring full {}, underrun samples {}", s.packets,
               s.silent_packets, rejected, s.underrun_samples);
  return 0;
}

}  // namespace
}  // namespace lumen::audio

int main(int argc, char** argv) { return lumen::audio::Run(argc, argv); }
