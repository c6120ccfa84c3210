// Input injection backends behind one interface, and the dispatcher that turns decoded Moonlight
// input events (core/moonlight/input.h) into backend calls.
//
// Backends speak Linux evdev codes (linux/input-event-codes.h): keys KEY_*, buttons BTN_*.
// Implementations: MutterBackend (org.gnome.Mutter.RemoteDesktop over sd-bus), PortalBackend
// (org.freedesktop.portal.RemoteDesktop, best effort), UinputBackend
// (/dev/uinput virtual keyboard/mouse/tablet/Xbox pads). A backend that cannot do something
// (e.g. gamepads through mutter) says so once through InputDispatcher's report callback and the
// stream carries on.
#ifndef LUMEN_HOST_INPUT_INPUT_BACKEND_H_
#define LUMEN_HOST_INPUT_INPUT_BACKEND_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/moonlight/input.h"

namespace lumen::input {

// Gamepad state in XInput terms (Y positive = up), buttons as Moonlight's kBtn* mask.
struct GamepadState {
  uint32_t buttons = 0;
  uint8_t left_trigger = 0, right_trigger = 0;
  int16_t left_x = 0, left_y = 0, right_x = 0, right_y = 0;
};

class InputBackend {
 public:
  virtual ~InputBackend() = default;
  virtual const char* name() const = 0;
  // Each returns Unimplemented if the backend cannot do it at all (reported once by the
  // dispatcher), or another error for a failure of this one event (counted).
  virtual absl::Status Key(uint16_t evdev_code, bool down) = 0;
  virtual absl::Status MoveRelative(int dx, int dy) = 0;
  // Position as a fraction of the screen, x and y in [0, 1].
  virtual absl::Status MoveAbsolute(double x, double y) = 0;
  virtual absl::Status Button(uint16_t evdev_button, bool down) = 0;
  // Scroll in Moonlight units (120 = one notch); positive = up / right.
  virtual absl::Status Scroll(int vertical, int horizontal) = 0;
  virtual absl::Status Gamepad(int index, const GamepadState& state) = 0;
  virtual absl::Status GamepadRemoved(int index) = 0;
};

// Windows virtual-key code (low byte of Moonlight's keyCode) to evdev KEY_*; 0 if unmapped.
uint16_t VkToEvdev(uint8_t vk);
// Moonlight mouse button (1 L, 2 M, 3 R, 4 X1, 5 X2) to evdev BTN_*; 0 if invalid.
uint16_t MoonlightButtonToEvdev(uint8_t button);

// Routes decoded events to a backend. Not thread-safe: call from the control-stream thread.
class InputDispatcher {
 public:
  // `report` receives one line per problem kind (backend cannot do X), at most once each.
  InputDispatcher(std::unique_ptr<InputBackend> backend,
                  std::function<void(const std::string&)> report);
  void Handle(const moonlight::input::InputEvent& ev);

  uint64_t delivered() const { return delivered_; }
  uint64_t dropped() const { return dropped_; }
  InputBackend* backend() { return backend_.get(); }

 private:
  void Result(const absl::Status& s, const char* what);

  std::unique_ptr<InputBackend> backend_;
  std::function<void(const std::string&)> report_;
  uint64_t delivered_ = 0;
  uint64_t dropped_ = 0;
  uint32_t reported_ = 0;  // bit per `what` kind already reported
  uint16_t active_pads_ = 0;
};

// Opens the first backend that works, in order: mutter (needs a GNOME session bus), the
// RemoteDesktop portal (may show a consent dialog), uinput.
// The reasons the others failed go to `report`. NotFound with all reasons if none works.
absl::StatusOr<std::unique_ptr<InputBackend>> OpenBestBackend(
    const std::function<void(const std::string&)>& report);

}  // namespace lumen::input

#endif  // LUMEN_HOST_INPUT_INPUT_BACKEND_H_
