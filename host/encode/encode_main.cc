// host/encode/encode_main.cc — lumen-encode: raw-frame ring -> FFmpeg -> access-unit ring.
//
//   lumen-encode --ring-fd=3 | --ring-socket=PATH
//                --codec=h264|hevc|av1 --bitrate-kbps=K --fps=F --width=W --height=H
//                [--nvenc] [--threads=N] [--gop=N]
//   lumen-encode --probe     print which encoders open on this machine, then exit
//
// Rings (host/common/ring_handoff.h): kRawVideoIn, kEncodedVideoOut, kControlIn.
// Exits when SIGTERM/SIGINT arrives or the supervisor's socket closes.
#include <unistd.h>

#include <cstdio>
#include <thread>

#include "absl/strings/str_cat.h"
#include "host/common/process.h"
#include "host/common/ring_handoff.h"
#include "host/common/shm_ring.h"
#include "host/encode/encode_service.h"
#include "spdlog/spdlog.h"

namespace lumen::encode {
namespace {

bool ParseCodec(const std::string& s, Codec* c) {
  if (s == "h264") *c = Codec::kH264;
  else if (s == "hevc" || s == "h265") *c = Codec::kHevc;
  else if (s == "av1") *c = Codec::kAv1;
  else return false;
  return true;
}

int Run(int argc, char** argv) {
  host::InstallStopSignals();
  host::InitLogging("encode");
  host::Args args(argc, argv);
  const int ring_fd = int(args.Int("ring-fd", -1));
  const std::string ring_socket = args.Str("ring-socket");
  EncodeServiceConfig cfg;
  const std::string codec = args.Str("codec", "h264");
  cfg.encoder.bitrate_kbps = int(args.Int("bitrate-kbps", 10000));
  cfg.encoder.fps = int(args.Int("fps", 60));
  cfg.encoder.width = int(args.Int("width", 1280));
  cfg.encoder.height = int(args.Int("height", 720));
  cfg.encoder.nvenc = args.Bool("nvenc", false);
  cfg.encoder.threads = int(args.Int("threads", 0));
  cfg.encoder.gop_frames = int(args.Int("gop", 0));
  const bool probe = args.Bool("probe", false);
  if (absl::Status s = args.Check(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 2;
  }
  if (!ParseCodec(codec, &cfg.encoder.codec)) {
    spdlog::error("--codec must be h264, hevc or av1 (got {})", codec);
    return 2;
  }
  if (probe) {
    const CodecSupport cs = ProbeEncoders(true);
    std::printf("h264=%d hevc=%d av1=%d h264_nvenc=%d hevc_nvenc=%d av1_nvenc=%d\n", cs.h264,
                cs.hevc, cs.av1, cs.h264_nvenc, cs.hevc_nvenc, cs.av1_nvenc);
    return 0;
  }

  auto handed = host::AttachChildRings(
      ring_fd, ring_socket,
      {{host::RingRole::kRawVideoIn, host::RingKind::kRawVideo},
       {host::RingRole::kEncodedVideoOut, host::RingKind::kEncodedVideo},
       {host::RingRole::kControlIn, host::RingKind::kControl, /*optional=*/true}});
  if (!handed.ok()) {
    spdlog::error("{}", handed.status().ToString());
    return absl::IsInvalidArgument(handed.status()) ? 2 : 3;
  }
  std::optional<host::ShmRing>& raw = handed->rings[0];
  std::optional<host::ShmRing>& au = handed->rings[1];
  std::optional<host::ShmRing>& control = handed->rings[2];

  EncodeService service(&*raw, &*au, control ? &*control : nullptr, cfg);
  if (absl::Status s = service.Init(); !s.ok()) {
    spdlog::error("encoder: {}", s.ToString());
    return 4;
  }
  spdlog::info("{} {}x{} {} kbps{}", service.encoder()->encoder_name(), cfg.encoder.width,
               cfg.encoder.height, cfg.encoder.bitrate_kbps,
               service.encoder()->fallback_reason().empty()
                   ? ""
                   : " (NVENC fallback: " + service.encoder()->fallback_reason() + ")");

  // The supervisor's socket: EOF means it is gone.
  std::thread watch([&] {
    while (!host::StopRequested()) {
      auto m = host::ReadChildMessage(handed->sock, 200);
      if (!m.ok() && m.status().code() == absl::StatusCode::kUnavailable) {
        spdlog::info("supervisor gone; stopping");
        host::RequestStop();
      }
    }
  });
  absl::Status st = service.Run([] { return host::StopRequested(); });
  host::RequestStop();
  watch.join();
  const EncodeServiceStats& s = service.stats();
  spdlog::info("frames in {}, AUs out {} ({} IDR), skipped {}, errors {}", s.frames_in, s.aus_out,
               s.idrs, s.aus_skipped, s.encode_errors);
  if (!st.ok()) {
    spdlog::error("{}", st.ToString());
    return 5;
  }
  return 0;
}

}  // namespace
}  // namespace lumen::encode

int main(int argc, char** argv) { return lumen::encode::Run(argc, argv); }
