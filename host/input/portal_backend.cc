#include "host/input/portal_backend.h"

#include <systemd/sd-bus.h>

#include "absl/strings/str_cat.h"

namespace lumen::input {
namespace {

constexpr char kService[] = "org.freedesktop.portal.Desktop";
constexpr char kPath[] = "/org/freedesktop/portal/desktop";
constexpr char kIface[] = "org.freedesktop.portal.RemoteDesktop";

absl::Status BusError(const std::string& what, int r, const sd_bus_error* e) {
  return absl::UnavailableError(
      absl::StrCat(what, ": ", (e && e->message) ? e->message : strerror(r < 0 ? -r : r)));
}

// Waits for org.freedesktop.portal.Request.Response on `request_path`; returns the response
// code (0 = success) and, if `want_key` is set, the string value of that key in the results.
struct ResponseWait {
  std::string path;
  bool done = false;
  uint32_t code = 2;
  const char* want_key = nullptr;
  std::string value;
};

int OnResponse(sd_bus_message* m, void* userdata, sd_bus_error*) {
  auto* w = static_cast<ResponseWait*>(userdata);
  if (w->path != sd_bus_message_get_path(m)) return 0;
  w->done = true;
  if (sd_bus_message_read(m, "u", &w->code) < 0) return 0;
  if (w->want_key == nullptr) return 0;
  if (sd_bus_message_enter_container(m, 'a', "{sv}") < 0) return 0;
  while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
    const char* key = nullptr;
    sd_bus_message_read(m, "s", &key);
    if (key && std::string(key) == w->want_key && sd_bus_message_enter_container(m, 'v', "s") > 0) {
      const char* v = nullptr;
      sd_bus_message_read(m, "s", &v);
      if (v) w->value = v;
      sd_bus_message_exit_container(m);
    } else {
      sd_bus_message_skip(m, "v");
    }
    sd_bus_message_exit_container(m);
  }
  sd_bus_message_exit_container(m);
  return 0;
}

absl::Status Wait(sd_bus* bus, ResponseWait* w, std::chrono::seconds timeout, const char* step) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!w->done) {
    int r = sd_bus_process(bus, nullptr);
    if (r < 0) return BusError(step, r, nullptr);
    if (r > 0) continue;
    auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      return absl::DeadlineExceededError(absl::StrCat(step, ": no answer from the portal"));
    }
    sd_bus_wait(bus, std::chrono::duration_cast<std::chrono::microseconds>(left).count());
  }
  if (w->code != 0) {
    return absl::PermissionDeniedError(
        absl::StrCat(step, ": portal refused (response ", w->code, ")"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<PortalBackend>> PortalBackend::Open(
    std::chrono::seconds consent_timeout) {
  std::unique_ptr<PortalBackend> b(new PortalBackend());
  int r = sd_bus_open_user(&b->bus_);
  if (r < 0) return BusError("cannot connect to the session bus", r, nullptr);
  sd_bus* bus = b->bus_;
  ResponseWait w;
  sd_bus_slot* slot = nullptr;
  r = sd_bus_match_signal(bus, &slot, nullptr, nullptr, "org.freedesktop.portal.Request",
                          "Response", OnResponse, &w);
  if (r < 0) return BusError("match Response", r, nullptr);

  auto request = [&](const char* method, const char* step, auto&&... args) -> absl::Status {
    sd_bus_error err = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    int rc = sd_bus_call_method(bus, kService, kPath, kIface, method, &err, &reply, args...);
    if (rc < 0) {
      absl::Status s = BusError(step, rc, &err);
      sd_bus_error_free(&err);
      return s;
    }
    const char* handle = nullptr;
    sd_bus_message_read(reply, "o", &handle);
    w.path = handle ? handle : "";
    sd_bus_message_unref(reply);
    return Wait(bus, &w, consent_timeout, step);
  };

  w = ResponseWait{};
  w.want_key = "session_handle";
  absl::Status s = request("CreateSession", "CreateSession", "a{sv}", 2, "handle_token", "s",
                           "lumen_c", "session_handle_token", "s", "lumen_s");
  if (s.ok()) {
    b->session_ = w.value;
    if (b->session_.empty()) s = absl::UnavailableError("CreateSession: no session handle");
  }
  if (s.ok()) {
    w = ResponseWait{};
    s = request("SelectDevices", "SelectDevices", "oa{sv}", b->session_.c_str(), 2, "handle_token",
                "s", "lumen_d", "types", "u", 3u /* keyboard | pointer */);
  }
  if (s.ok()) {
    w = ResponseWait{};
    s = request("Start", "Start", "osa{sv}", b->session_.c_str(), "", 1, "handle_token", "s",
                "lumen_t");
  }
  sd_bus_slot_unref(slot);
  if (!s.ok()) return s;
  return b;
}

PortalBackend::~PortalBackend() {
  if (bus_ == nullptr) return;
  if (!session_.empty()) {
    sd_bus_call_method(bus_, kService, session_.c_str(), "org.freedesktop.portal.Session", "Close",
                       nullptr, nullptr, "");
  }
  sd_bus_flush_close_unref(bus_);
}

#define LUMEN_PORTAL_CALL(method, sig, ...)                                               \
  do {                                                                                    \
    std::lock_guard<std::mutex> lock(mu_);                                                \
    sd_bus_error err = SD_BUS_ERROR_NULL;                                                 \
    int r = sd_bus_call_method(bus_, kService, kPath, kIface, method, &err, nullptr, sig, \
                               session_.c_str(), 0, __VA_ARGS__);                         \
    absl::Status s = r < 0 ? BusError(method, r, &err) : absl::OkStatus();                \
    sd_bus_error_free(&err);                                                              \
    return s;                                                                             \
  } while (0)

absl::Status PortalBackend::Key(uint16_t code, bool down) {
  LUMEN_PORTAL_CALL("NotifyKeyboardKeycode", "oa{sv}iu", static_cast<int32_t>(code),
                    down ? 1u : 0u);
}

absl::Status PortalBackend::MoveRelative(int dx, int dy) {
  LUMEN_PORTAL_CALL("NotifyPointerMotion", "oa{sv}dd", static_cast<double>(dx),
                    static_cast<double>(dy));
}

absl::Status PortalBackend::MoveAbsolute(double, double) {
  return absl::UnimplementedError("absolute pointer needs a portal ScreenCast stream");
}

absl::Status PortalBackend::Button(uint16_t button, bool down) {
  LUMEN_PORTAL_CALL("NotifyPointerButton", "oa{sv}iu", static_cast<int32_t>(button),
                    down ? 1u : 0u);
}

absl::Status PortalBackend::Scroll(int vertical, int horizontal) {
  scroll_rem_v_ += vertical;
  scroll_rem_h_ += horizontal;
  int v = scroll_rem_v_ / 120;
  int h = scroll_rem_h_ / 120;
  scroll_rem_v_ -= v * 120;
  scroll_rem_h_ -= h * 120;
  absl::Status s;
  if (v != 0) {
    s = [&]() -> absl::Status {
      LUMEN_PORTAL_CALL("NotifyPointerAxisDiscrete", "oa{sv}ui", 0u, static_cast<int32_t>(-v));
    }();
  }
  if (s.ok() && h != 0) {
    s = [&]() -> absl::Status {
      LUMEN_PORTAL_CALL("NotifyPointerAxisDiscrete", "oa{sv}ui", 1u, static_cast<int32_t>(h));
    }();
  }
  return s;
}

absl::Status PortalBackend::Gamepad(int, const GamepadState&) {
  return absl::UnimplementedError("the RemoteDesktop portal has no gamepads; use uinput");
}

absl::Status PortalBackend::GamepadRemoved(int) {
  return absl::UnimplementedError("the RemoteDesktop portal has no gamepads; use uinput");
}

}  // namespace lumen::input
