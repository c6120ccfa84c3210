// Input injection through /dev/uinput: one virtual keyboard+mouse, one absolute tablet pointer,
// and an Xbox-360-style gamepad per Moonlight controller slot (created on first use).
// Needs write access to /dev/uinput (root or the input group). Open() fails with the reason
// ("/dev/uinput: No such file or directory") where the kernel or permissions do not allow it.
#ifndef LUMEN_HOST_INPUT_UINPUT_BACKEND_H_
#define LUMEN_HOST_INPUT_UINPUT_BACKEND_H_

#include <array>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "host/input/input_backend.h"

namespace lumen::input {

class UinputBackend : public InputBackend {
 public:
  // `path` is the uinput device node (tests can point it elsewhere).
  static absl::StatusOr<std::unique_ptr<UinputBackend>> Open(
      const std::string& path = "/dev/uinput");
  ~UinputBackend() override;

  const char* name() const override { return "uinput"; }
  absl::Status Key(uint16_t evdev_code, bool down) override;
  absl::Status MoveRelative(int dx, int dy) override;
  absl::Status MoveAbsolute(double x, double y) override;
  absl::Status Button(uint16_t evdev_button, bool down) override;
  absl::Status Scroll(int vertical, int horizontal) override;
  absl::Status Gamepad(int index, const GamepadState& state) override;
  absl::Status GamepadRemoved(int index) override;

 private:
  UinputBackend() = default;
  std::string path_;
  int kbd_mouse_fd_ = -1;
  int tablet_fd_ = -1;
  std::array<int, 16> pad_fds_;
  int scroll_rem_v_ = 0, scroll_rem_h_ = 0;
};

}  // namespace lumen::input

#endif  // LUMEN_HOST_INPUT_UINPUT_BACKEND_H_
