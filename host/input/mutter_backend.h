// Input injection through GNOME mutter's org.gnome.Mutter.RemoteDesktop D-Bus API (sd-bus):
// CreateSession, Start, then NotifyKeyboardKeycode / NotifyPointerMotionRelative /
// NotifyPointerButton / NotifyPointerAxisDiscrete on the session object. Works on GNOME Wayland
// and X11 sessions and on `mutter --headless`. The session lives as long as our bus connection,
// so the backend keeps it open; Stop is called on destruction.
//
// Absolute pointer motion needs a ScreenCast stream tied to the session (the API takes a stream
// path); until that is wired, MoveAbsolute returns Unimplemented. Gamepads are not part of the
// API (Unimplemented: use uinput for pads).
#ifndef LUMEN_HOST_INPUT_MUTTER_BACKEND_H_
#define LUMEN_HOST_INPUT_MUTTER_BACKEND_H_

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "host/input/input_backend.h"

struct sd_bus;

namespace lumen::input {

class MutterBackend : public InputBackend {
 public:
  // Connects to the session bus ($DBUS_SESSION_BUS_ADDRESS), creates and starts a RemoteDesktop
  // session. Unavailable (with the D-Bus error) if mutter is not on the bus.
  static absl::StatusOr<std::unique_ptr<MutterBackend>> Open();
  ~MutterBackend() override;

  const char* name() const override { return "mutter-remote-desktop"; }
  const std::string& session_path() const { return session_path_; }
  absl::Status Key(uint16_t evdev_code, bool down) override;
  absl::Status MoveRelative(int dx, int dy) override;
  absl::Status MoveAbsolute(double x, double y) override;
  absl::Status Button(uint16_t evdev_button, bool down) override;
  absl::Status Scroll(int vertical, int horizontal) override;
  absl::Status Gamepad(int index, const GamepadState& state) override;
  absl::Status GamepadRemoved(int index) override;

 private:
  MutterBackend() = default;
  template <typename... Args>
  absl::Status Call(const char* method, const char* signature, Args... args);

  std::mutex mu_;  // sd_bus objects are not thread-safe
  sd_bus* bus_ = nullptr;
  std::string session_path_;
  int scroll_rem_v_ = 0, scroll_rem_h_ = 0;
};

}  // namespace lumen::input

#endif  // LUMEN_HOST_INPUT_MUTTER_BACKEND_H_
