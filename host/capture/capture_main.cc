// host/capture/capture_main.cc — lumen-capture: a video source -> the raw-frame ring.
//
//   lumen-capture --ring-fd=3 | --ring-socket=PATH  --width=W --height=H --fps=F
//                 --source=synthetic            the test pattern (default)
//                 --source=pipewire --node=N    any PipeWire video node (name or id)
//                 --source=mutter-virtual       mutter virtual monitor of exactly W x H
//                 --source=mutter-monitor [--connector=C]
//                 --source=portal               xdg-desktop-portal ScreenCast
//                 --ring-format=i420|bgrx       what the raw ring carries (default i420:
//                                               packed frames are converted on the way in,
//                                               the encoder's input format; bgrx: as captured)
// Ring (host/common/ring_handoff.h): kRawVideoOut. Exits on SIGTERM/SIGINT, when the
// supervisor's socket closes, or (exit 6) when a desktop source fails, so the
// supervisor can restart it.
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "host/capture/frame_sink.h"
#include "host/capture/pattern_source.h"
#include "host/capture/pipewire_source.h"
#include "host/capture/screencast.h"
#include "host/common/process.h"
#include "host/common/ring_handoff.h"
#include "host/common/shm_ring.h"
#include "spdlog/spdlog.h"

namespace lumen::capture {
namespace {

int Run(int argc, char** argv) {
  host::InstallStopSignals();
  host::InitLogging("capture");
  host::Args args(argc, argv);
  const int ring_fd = int(args.Int("ring-fd", -1));
  const std::string ring_socket = args.Str("ring-socket");
  const std::string source = args.Str("source", "synthetic");
  const int width = int(args.Int("width", 1280));
  const int height = int(args.Int("height", 720));
  const int fps = int(args.Int("fps", 60));
  const std::string node = args.Str("node");
  const std::string connector = args.Str("connector");
  const int64_t max_frames = args.Int("max-frames", 0);
  const std::string ring_format = args.Str("ring-format", "i420");
  if (absl::Status s = args.Check(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 2;
  }
  if (width <= 0 || height <= 0 || fps <= 0) {
    spdlog::error("--width, --height and --fps must be positive");
    return 2;
  }
  if (ring_format != "i420" && ring_format != "bgrx") {
    spdlog::error("--ring-format must be i420 or bgrx");
    return 2;
  }

  auto handed = host::AttachChildRings(ring_fd, ring_socket,
                                       {{host::RingRole::kRawVideoOut, host::RingKind::kRawVideo}});
  if (!handed.ok()) {
    spdlog::error("{}", handed.status().ToString());
    return absl::IsInvalidArgument(handed.status()) ? 2 : 3;
  }
  std::optional<host::ShmRing>& raw = handed->rings[0];
  // bgrx: frames go into the ring as the source delivers them.
  RingFrameSink sink(&*raw, ring_format == "i420" ? PixelFormat::kI420 : PixelFormat::kUnknown);

  std::atomic<bool> stop{false};
  std::thread watch([&] {
    while (!host::StopRequested()) {
      auto m = host::ReadChildMessage(handed->sock, 200);
      if (!m.ok() && m.status().code() == absl::StatusCode::kUnavailable) {
        spdlog::info("supervisor gone; stopping");
        host::RequestStop();
      }
    }
    stop = true;
  });
  int rc = 0;
  if (source == "synthetic" || source == "pattern") {
    PatternSource pattern({width, height, fps, uint64_t(max_frames)});
    spdlog::info("synthetic pattern {}x{} @ {} fps, ring {}", width, height, fps, ring_format);
    pattern.Run(sink, stop);
  } else {
    std::unique_ptr<ScreenCastSession> session;
    PipeWireSourceConfig pc;
    pc.width = width;
    pc.height = height;
    pc.fps = fps;
    absl::Status st;
    if (source == "pipewire") {
      pc.target = node;
    } else if (source == "mutter-virtual" || source == "mutter-monitor" || source == "portal") {
      absl::StatusOr<std::unique_ptr<ScreenCastSession>> s =
          source == "mutter-virtual"   ? ScreenCastSession::MutterVirtual()
          : source == "mutter-monitor" ? ScreenCastSession::MutterMonitor(connector)
                                       : ScreenCastSession::Portal();
      if (!s.ok()) {
        st = s.status();
      } else {
        session = std::move(*s);
        pc.node_id = session->node_id();
        pc.remote_fd = session->TakeRemoteFd();
        pc.fixed_size = source == "mutter-virtual";  // the virtual monitor takes our size
      }
    } else {
      spdlog::error("unknown --source {}", source);
      st = absl::InvalidArgumentError("source");
    }
    std::unique_ptr<PipeWireSource> pw;
    if (st.ok()) {
      auto p = PipeWireSource::Start(pc, &sink);
      if (p.ok()) pw = std::move(*p);
      else st = p.status();
    }
    if (!st.ok()) {
      spdlog::error("{}: {}", source, st.ToString());
      rc = 6;
    } else {
      spdlog::info("{}: capturing PipeWire node {}", source,
                   pc.target.empty() ? absl::StrCat(pc.node_id) : pc.target);
      while (!stop.load() && pw->ok()) {
        timespec ts{0, 100'000'000};
        nanosleep(&ts, nullptr);
        if (max_frames > 0 && int64_t(sink.frames_written()) >= max_frames) break;
      }
      if (!pw->ok()) {
        spdlog::error("{}: {}", source, pw->error());
        rc = 6;
      }
      const PipeWireSourceStats s = pw->stats();
      spdlog::info("frames {}, refused {}, format changes {}", s.frames, s.sink_refused,
                   s.format_changes);
    }
  }
  host::RequestStop();
  watch.join();
  spdlog::info("wrote {} frames ({} too big for a slot)", sink.frames_written(),
               sink.frames_too_big());
  return rc;
}

}  // namespace
}  // namespace lumen::capture

int main(int argc, char** argv) { return lumen::capture::Run(argc, argv); }
