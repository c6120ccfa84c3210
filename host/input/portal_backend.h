// Input injection through the xdg-desktop-portal RemoteDesktop interface
// (org.freedesktop.portal.RemoteDesktop over sd-bus): CreateSession, SelectDevices (keyboard +
// pointer), Start (the desktop may show a consent dialog), then Notify* calls with the session
// handle. Works on any desktop whose portal backend implements RemoteDesktop (GNOME, KDE).
// Best effort: absolute motion needs a ScreenCast stream and gamepads are not in the API
// (Unimplemented). Not covered by a live test here (no portal backend on the CI machine); the
// test checks that a missing portal is reported cleanly.
#ifndef LUMEN_HOST_INPUT_PORTAL_BACKEND_H_
#define LUMEN_HOST_INPUT_PORTAL_BACKEND_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "host/input/input_backend.h"

struct sd_bus;

namespace lumen::input {

class PortalBackend : public InputBackend {
 public:
  // `consent_timeout` bounds the wait for each portal Request's Response (Start may show a
  // dialog). Unavailable with the reason if the portal is missing, refuses, or times out.
  static absl::StatusOr<std::unique_ptr<PortalBackend>> Open(
      std::chrono::seconds consent_timeout = std::chrono::seconds(60));
  ~PortalBackend() override;

  const char* name() const override { return "xdg-portal-remote-desktop"; }
  absl::Status Key(uint16_t evdev_code, bool down) override;
  absl::Status MoveRelative(int dx, int dy) override;
  absl::Status MoveAbsolute(double x, double y) override;
  absl::Status Button(uint16_t evdev_button, bool down) override;
  absl::Status Scroll(int vertical, int horizontal) override;
  absl::Status Gamepad(int index, const GamepadState& state) override;
  absl::Status GamepadRemoved(int index) override;

 private:
  PortalBackend() = default;

  std::mutex mu_;
  sd_bus* bus_ = nullptr;
  std::string session_;
  int scroll_rem_v_ = 0, scroll_rem_h_ = 0;
};

}  // namespace lumen::input

#endif  // LUMEN_HOST_INPUT_PORTAL_BACKEND_H_
