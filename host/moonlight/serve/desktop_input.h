// Input for `lumen serve` (--input=...): decoded Moonlight input events from the control
// stream delivered to one of F1's injection backends (host/input):
//
//   auto     mutter RemoteDesktop, else the RemoteDesktop portal, else uinput
//   mutter   org.gnome.Mutter.RemoteDesktop (GNOME / mutter --headless)
//   portal   org.freedesktop.portal.RemoteDesktop (may ask the user)
//   uinput   /dev/uinput virtual devices (needs access to it)
//   log      no injection: events are logged at debug level
//   none     no injection
//
// A backend that cannot be opened is reported once, with why; events are then counted
// as dropped and the stream carries on. Thread-safe.
#ifndef LUMEN_HOST_MOONLIGHT_SERVE_DESKTOP_INPUT_H_
#define LUMEN_HOST_MOONLIGHT_SERVE_DESKTOP_INPUT_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "core/moonlight/input.h"
#include "host/input/input_backend.h"

namespace lumen::moonlight::serve {

// True for the --input values above.
bool ValidInputChoice(const std::string& choice);

class InputRouter {
 public:
  // Opens the backend for `choice` now (logging why it could not, once).
  explicit InputRouter(const std::string& choice);

  // From the control thread: one decoded event.
  void Handle(const input::InputEvent& ev);

  // Backend name ("mutter-remote-desktop", ...) or "" when none is open.
  std::string backend_name() const;
  // Why no backend is open ("" when one is, or for log/none).
  std::string open_error() const;
  uint64_t delivered() const;  // events the backend accepted
  uint64_t dropped() const;    // events it refused, or with no backend
  std::string StatsLine() const;

 private:
  std::string choice_;
  mutable std::mutex mu_;
  std::unique_ptr<::lumen::input::InputDispatcher> dispatcher_;  // guarded by mu_
  std::string open_error_;
  uint64_t no_backend_ = 0;  // guarded by mu_
  uint64_t logged_ = 0;      // guarded by mu_
};

}  // namespace lumen::moonlight::serve

#endif  // LUMEN_HOST_MOONLIGHT_SERVE_DESKTOP_INPUT_H_
