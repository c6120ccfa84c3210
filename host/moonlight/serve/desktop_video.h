// Real desktop video for `lumen serve` (--video=...): E2's capture library
// (host/capture) run in-process, its newest frame fed to the same encoder -> Moonlight
// video path the test pattern uses (host/moonlight/stream/video_stream.h).
//
//   pattern            the lumen test pattern (default)
//   pipewire:NODE      any PipeWire video node, by name or id
//   mutter-virtual     mutter ScreenCast RecordVirtual: a virtual monitor created at the
//                      client's requested resolution (from /launch + ANNOUNCE)
//   mutter-monitor[:CONNECTOR]  an existing mutter monitor (primary when omitted)
//   portal             xdg-desktop-portal ScreenCast (the desktop may ask the user)
//
// A source that cannot be opened is reported once (later sessions log at debug level)
// and the session streams the test pattern instead: the client always gets video.
#ifndef LUMEN_HOST_MOONLIGHT_SERVE_DESKTOP_VIDEO_H_
#define LUMEN_HOST_MOONLIGHT_SERVE_DESKTOP_VIDEO_H_

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "host/moonlight/serve/moonlight_host.h"

namespace lumen::moonlight::serve {

struct VideoSourceSpec {
  enum class Kind { kPattern, kPipeWire, kMutterVirtual, kMutterMonitor, kPortal };
  Kind kind = Kind::kPattern;
  std::string target;  // PipeWire node (kPipeWire) or monitor connector (kMutterMonitor)
};

// Parses a --video value; InvalidArgument (listing the choices) for anything else.
absl::StatusOr<VideoSourceSpec> ParseVideoSource(std::string_view value);

// Sessions capture from `spec`; on failure they fall back to the pattern.
// `stats` (optional) counts fallbacks for tests and logs.
struct DesktopVideoStats {
  std::atomic<uint64_t> opened{0};
  std::atomic<uint64_t> fallbacks{0};
};
VideoFactory DesktopVideoFactory(const VideoSourceSpec& spec, bool nvenc,
                                 std::shared_ptr<DesktopVideoStats> stats = nullptr);

}  // namespace lumen::moonlight::serve

#endif  // LUMEN_HOST_MOONLIGHT_SERVE_DESKTOP_VIDEO_H_
