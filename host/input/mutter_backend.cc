#include "host/input/mutter_backend.h"

#include <systemd/sd-bus.h>

#include "absl/strings/str_cat.h"

namespace lumen::input {
namespace {

constexpr char kService[] = "org.gnome.Mutter.RemoteDesktop";
constexpr char kPath[] = "/org/gnome/Mutter/RemoteDesktop";
constexpr char kSessionIface[] = "org.gnome.Mutter.RemoteDesktop.Session";

absl::Status BusError(const char* what, int r, const sd_bus_error* e) {
  std::string msg =
      absl::StrCat(what, ": ", (e && e->message) ? e->message : strerror(r < 0 ? -r : r));
  return absl::UnavailableError(msg);
}

}  // namespace

template <typename... Args>
absl::Status MutterBackend::Call(const char* method, const char* signature, Args... args) {
  std::lock_guard<std::mutex> lock(mu_);
  sd_bus_error err = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(bus_, kService, session_path_.c_str(), kSessionIface, method, &err,
                             &reply, signature, args...);
  absl::Status s = r < 0 ? BusError(method, r, &err) : absl::OkStatus();
  sd_bus_error_free(&err);
  sd_bus_message_unref(reply);
  return s;
}

absl::StatusOr<std::unique_ptr<MutterBackend>> MutterBackend::Open() {
  std::unique_ptr<MutterBackend> b(new MutterBackend());
  int r = sd_bus_open_user(&b->bus_);
  if (r < 0) return BusError("cannot connect to the session bus", r, nullptr);
  sd_bus_error err = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  r = sd_bus_call_method(b->bus_, kService, kPath, kService, "CreateSession", &err, &reply, "");
  if (r < 0) {
    absl::Status s = BusError("CreateSession", r, &err);
    sd_bus_error_free(&err);
    return s;
  }
  const char* path = nullptr;
  r = sd_bus_message_read(reply, "o", &path);
  if (r < 0 || path == nullptr) {
    sd_bus_message_unref(reply);
    return BusError("CreateSession reply", r, nullptr);
  }
  b->session_path_ = path;
  sd_bus_message_unref(reply);
  absl::Status s = b->Call("Start", "");
  if (!s.ok()) return s;
  return b;
}

MutterBackend::~MutterBackend() {
  if (bus_ != nullptr) {
    if (!session_path_.empty()) (void)Call("Stop", "");
    sd_bus_flush_close_unref(bus_);
  }
}

absl::Status MutterBackend::Key(uint16_t code, bool down) {
  return Call("NotifyKeyboardKeycode", "ub", static_cast<uint32_t>(code), down ? 1 : 0);
}

absl::Status MutterBackend::MoveRelative(int dx, int dy) {
  return Call("NotifyPointerMotionRelative", "dd", static_cast<double>(dx),
              static_cast<double>(dy));
}

absl::Status MutterBackend::MoveAbsolute(double, double) {
  return absl::UnimplementedError(
      "absolute pointer needs a ScreenCast stream; the mutter backend injects relative motion "
      "only");
}

absl::Status MutterBackend::Button(uint16_t button, bool down) {
  return Call("NotifyPointerButton", "ib", static_cast<int32_t>(button), down ? 1 : 0);
}

absl::Status MutterBackend::Scroll(int vertical, int horizontal) {
  // Discrete steps: axis 0 vertical (positive = down), 1 horizontal (positive = right).
  // Moonlight's vertical is positive = up; keep sub-notch remainders for high-res wheels.
  absl::Status s;
  scroll_rem_v_ += vertical;
  scroll_rem_h_ += horizontal;
  if (int steps = scroll_rem_v_ / 120; steps != 0) {
    scroll_rem_v_ -= steps * 120;
    s = Call("NotifyPointerAxisDiscrete", "ui", 0u, static_cast<int32_t>(-steps));
  }
  if (int steps = scroll_rem_h_ / 120; s.ok() && steps != 0) {
    scroll_rem_h_ -= steps * 120;
    s = Call("NotifyPointerAxisDiscrete", "ui", 1u, static_cast<int32_t>(steps));
  }
  return s;
}

absl::Status MutterBackend::Gamepad(int, const GamepadState&) {
  return absl::UnimplementedError("mutter RemoteDesktop has no gamepads; use uinput");
}

absl::Status MutterBackend::GamepadRemoved(int) {
  return absl::UnimplementedError("mutter RemoteDesktop has no gamepads; use uinput");
}

}  // namespace lumen::input
