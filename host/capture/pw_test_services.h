// host/capture/pw_test_services.h — test-only: makes sure the real PipeWire services
// that capture and audio tests use are running (tools/ci/start-services.sh).
//
// If the environment already has them (.ci/run sourced the script: XDG_RUNTIME_DIR with a
// pipewire-0 socket and LUMEN_TEST_PW_NODE), they are used as they are. Otherwise the
// script is run detached once per process (a private runtime dir, bus, PipeWire,
// WirePlumber, null sink, video source), its environment is set in this process, and the
// services are stopped at exit (the script's watchdog also stops them if we crash).
// Tests skip, with the reason, only when this returns an error.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace lumen::capture {

struct PwTestEnv {
  std::string video_node;  // LUMEN_TEST_PW_NODE
  std::string audio_sink;  // LUMEN_TEST_PW_SINK
  bool started_here = false;
};

// Idempotent; thread-compatible (call from the test thread).
absl::StatusOr<PwTestEnv> EnsurePipeWireTestServices();

// `mutter --headless --wayland --no-x11 --virtual-monitor 1024x768` on the current session
// bus (and PipeWire), output discarded, wayland display "<display_prefix>-<pid>"; stopped
// (SIGTERM, then SIGKILL after 2 s) when destroyed. running() is false where mutter is not
// installed or exited: tests skip then.
class HeadlessMutter {
 public:
  explicit HeadlessMutter(const std::string& display_prefix);
  ~HeadlessMutter();
  HeadlessMutter(const HeadlessMutter&) = delete;
  HeadlessMutter& operator=(const HeadlessMutter&) = delete;
  bool running() const;

 private:
  int pid_ = -1;
};

}  // namespace lumen::capture
