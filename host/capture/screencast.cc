// host/capture/screencast.cc — see screencast.h.
#include "host/capture/screencast.h"

#include <fcntl.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace lumen::capture {
namespace {

constexpr const char* kMutterService = "org.gnome.Mutter.ScreenCast";
constexpr const char* kMutterPath = "/org/gnome/Mutter/ScreenCast";
constexpr const char* kMutterSession = "org.gnome.Mutter.ScreenCast.Session";
constexpr const char* kMutterStream = "org.gnome.Mutter.ScreenCast.Stream";
constexpr const char* kPortalService = "org.freedesktop.portal.Desktop";
constexpr const char* kPortalPath = "/org/freedesktop/portal/desktop";
constexpr const char* kPortalScreenCast = "org.freedesktop.portal.ScreenCast";

std::string BusError(const char* what, const sd_bus_error& e, int r) {
  return absl::StrCat(what, ": ", e.message ? e.message : std::strerror(-r));
}

}  // namespace

struct ScreenCastSession::Bus {
  sd_bus* bus = nullptr;
  sd_bus_slot* slot = nullptr;
  // Filled by signal handlers.
  std::optional<uint32_t> node_id;
  std::optional<uint32_t> response;  // portal Response code
  std::string session_handle;        // portal CreateSession result
  uint32_t portal_node = 0;          // portal Start result

  ~Bus() {
    sd_bus_slot_unref(slot);
    if (bus != nullptr) sd_bus_flush_close_unref(bus);
  }

  // Runs the bus until done() or timeout.
  bool Pump(int timeout_ms, const std::function<bool()>& done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done()) {
      const int r = sd_bus_process(bus, nullptr);
      if (r < 0) return false;
      if (r > 0) continue;
      const auto left = end - std::chrono::steady_clock::now();
      if (left <= std::chrono::nanoseconds(0)) return false;
      sd_bus_wait(bus, uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(left).count()));
    }
    return true;
  }

  static int OnStreamAdded(sd_bus_message* m, void* user, sd_bus_error*) {
    uint32_t id = 0;
    if (sd_bus_message_read(m, "u", &id) >= 0) static_cast<Bus*>(user)->node_id = id;
    return 0;
  }

  // Portal Response(u code, a{sv} results): picks out session_handle and the first
  // stream's node id.
  static int OnResponse(sd_bus_message* m, void* user, sd_bus_error*) {
    auto* self = static_cast<Bus*>(user);
    uint32_t code = 2;
    if (sd_bus_message_read(m, "u", &code) < 0) return 0;
    if (sd_bus_message_enter_container(m, 'a', "{sv}") > 0) {
      while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
        const char* key = nullptr;
        sd_bus_message_read(m, "s", &key);
        if (key != nullptr && std::strcmp(key, "session_handle") == 0) {
          const char* s = nullptr;
          if (sd_bus_message_read(m, "v", "s", &s) >= 0 && s) self->session_handle = s;
        } else if (key != nullptr && std::strcmp(key, "streams") == 0 &&
                   sd_bus_message_enter_container(m, 'v', "a(ua{sv})") > 0) {
          if (sd_bus_message_enter_container(m, 'a', "(ua{sv})") > 0) {
            if (sd_bus_message_enter_container(m, 'r', "ua{sv}") > 0) {
              uint32_t node = 0;
              if (sd_bus_message_read(m, "u", &node) >= 0) self->portal_node = node;
              sd_bus_message_skip(m, "a{sv}");
              sd_bus_message_exit_container(m);
            }
            while (sd_bus_message_skip(m, "(ua{sv})") > 0) {
            }
            sd_bus_message_exit_container(m);
          }
          sd_bus_message_exit_container(m);
        } else {
          sd_bus_message_skip(m, "v");
        }
        sd_bus_message_exit_container(m);
      }
      sd_bus_message_exit_container(m);
    }
    self->response = code;
    return 0;
  }
};

ScreenCastSession::~ScreenCastSession() {
  if (bus_ && bus_->bus != nullptr && !session_path_.empty()) {
    sd_bus_error err = SD_BUS_ERROR_NULL;
    if (mutter_) {
      sd_bus_call_method(bus_->bus, kMutterService, session_path_.c_str(), kMutterSession, "Stop",
                         &err, nullptr, "");
    } else {
      sd_bus_call_method(bus_->bus, kPortalService, session_path_.c_str(),
                         "org.freedesktop.portal.Session", "Close", &err, nullptr, "");
    }
    sd_bus_error_free(&err);
  }
  if (remote_fd_ >= 0) ::close(remote_fd_);
}

namespace {

absl::StatusOr<std::unique_ptr<ScreenCastSession::Bus>> OpenBus() {
  auto b = std::make_unique<ScreenCastSession::Bus>();
  const int r = sd_bus_open_user(&b->bus);
  if (r < 0) {
    return absl::UnavailableError(absl::StrCat("session bus: ", std::strerror(-r)));
  }
  return b;
}

// mutter: CreateSession, then `record` (RecordVirtual / RecordMonitor), Start, wait node.
absl::StatusOr<std::pair<std::string, uint32_t>> MutterRecord(ScreenCastSession::Bus& b,
                                                              const std::string* connector,
                                                              int timeout_ms) {
  sd_bus_error err = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(b.bus, kMutterService, kMutterPath, kMutterService, "CreateSession",
                             &err, &reply, "a{sv}", 0);
  if (r < 0) {
    std::string msg = BusError("mutter CreateSession", err, r);
    sd_bus_error_free(&err);
    return absl::UnavailableError(msg);
  }
  const char* path = nullptr;
  sd_bus_message_read(reply, "o", &path);
  std::string session = path ? path : "";
  sd_bus_message_unref(reply);
  reply = nullptr;
  // cursor-mode 1 = embedded in the frames.
  if (connector == nullptr) {
    r = sd_bus_call_method(b.bus, kMutterService, session.c_str(), kMutterSession, "RecordVirtual",
                           &err, &reply, "a{sv}", 1, "cursor-mode", "u", 1u);
  } else {
    r = sd_bus_call_method(b.bus, kMutterService, session.c_str(), kMutterSession, "RecordMonitor",
                           &err, &reply, "sa{sv}", connector->c_str(), 1, "cursor-mode", "u", 1u);
  }
  if (r < 0) {
    std::string msg = BusError(connector ? "mutter RecordMonitor" : "mutter RecordVirtual", err, r);
    sd_bus_error_free(&err);
    return absl::UnavailableError(msg);
  }
  const char* stream = nullptr;
  sd_bus_message_read(reply, "o", &stream);
  const std::string stream_path = stream ? stream : "";
  sd_bus_message_unref(reply);
  r = sd_bus_match_signal(b.bus, &b.slot, kMutterService, stream_path.c_str(), kMutterStream,
                          "PipeWireStreamAdded", &ScreenCastSession::Bus::OnStreamAdded, &b);
  if (r < 0) return absl::InternalError(absl::StrCat("match: ", std::strerror(-r)));
  r = sd_bus_call_method(b.bus, kMutterService, session.c_str(), kMutterSession, "Start", &err,
                         nullptr, "");
  if (r < 0) {
    std::string msg = BusError("mutter Start", err, r);
    sd_bus_error_free(&err);
    return absl::UnavailableError(msg);
  }
  if (!b.Pump(timeout_ms, [&] { return b.node_id.has_value(); })) {
    return absl::DeadlineExceededError("mutter did not announce a PipeWire stream");
  }
  return std::make_pair(session, *b.node_id);
}

}  // namespace

absl::StatusOr<std::unique_ptr<ScreenCastSession>> ScreenCastSession::MutterVirtual(int timeout_ms) {
  auto bus = OpenBus();
  if (!bus.ok()) return bus.status();
  std::unique_ptr<ScreenCastSession> s(new ScreenCastSession());
  s->bus_ = std::move(*bus);
  s->mutter_ = true;
  auto rec = MutterRecord(*s->bus_, nullptr, timeout_ms);
  if (!rec.ok()) return rec.status();
  s->session_path_ = rec->first;
  s->node_id_ = rec->second;
  return s;
}

absl::StatusOr<std::unique_ptr<ScreenCastSession>> ScreenCastSession::MutterMonitor(
    const std::string& connector, int timeout_ms) {
  auto bus = OpenBus();
  if (!bus.ok()) return bus.status();
  std::unique_ptr<ScreenCastSession> s(new ScreenCastSession());
  s->bus_ = std::move(*bus);
  s->mutter_ = true;
  auto rec = MutterRecord(*s->bus_, &connector, timeout_ms);
  if (!rec.ok()) return rec.status();
  s->session_path_ = rec->first;
  s->node_id_ = rec->second;
  return s;
}

absl::StatusOr<std::unique_ptr<ScreenCastSession>> ScreenCastSession::Portal(int timeout_ms) {
  auto busr = OpenBus();
  if (!busr.ok()) return busr.status();
  std::unique_ptr<ScreenCastSession> s(new ScreenCastSession());
  s->bus_ = std::move(*busr);
  Bus& b = *s->bus_;
  const char* unique = nullptr;
  if (sd_bus_get_unique_name(b.bus, &unique) < 0 || unique == nullptr) {
    return absl::InternalError("no unique bus name");
  }
  // Request objects live at .../request/<sender>/<token>; subscribe before each call.
  const std::string sender = absl::StrReplaceAll(std::string(unique + 1), {{".", "_"}});
  int step = 0;
  auto call = [&](const char* method, const std::function<int(sd_bus_message*)>& append)
      -> absl::Status {
    const std::string token = absl::StrCat("lumen", ::getpid(), "_", step++);
    const std::string req = absl::StrCat(kPortalPath, "/request/", sender, "/", token);
    sd_bus_slot_unref(b.slot);
    b.slot = nullptr;
    b.response.reset();
    int r = sd_bus_match_signal(b.bus, &b.slot, kPortalService, req.c_str(),
                                "org.freedesktop.portal.Request", "Response",
                                &Bus::OnResponse, &b);
    if (r < 0) return absl::InternalError(absl::StrCat("match: ", std::strerror(-r)));
    sd_bus_message* m = nullptr;
    r = sd_bus_message_new_method_call(b.bus, &m, kPortalService, kPortalPath, kPortalScreenCast,
                                       method);
    if (r >= 0) r = append(m);
    // Options dict, always last: handle_token (+ method-specific entries appended above
    // are closed by the caller's append; here we add the token dict).
    if (r >= 0) r = sd_bus_message_open_container(m, 'a', "{sv}");
    if (r >= 0) r = sd_bus_message_append(m, "{sv}", "handle_token", "s", token.c_str());
    if (r >= 0 && std::strcmp(method, "CreateSession") == 0) {
      r = sd_bus_message_append(m, "{sv}", "session_handle_token", "s", token.c_str());
    }
    if (r >= 0 && std::strcmp(method, "SelectSources") == 0) {
      r = sd_bus_message_append(m, "{sv}{sv}{sv}", "types", "u", 1u | 4u, "multiple", "b", 0,
                                "cursor_mode", "u", 2u);
    }
    if (r >= 0) r = sd_bus_message_close_container(m);
    sd_bus_error err = SD_BUS_ERROR_NULL;
    if (r >= 0) r = sd_bus_call(b.bus, m, uint64_t(timeout_ms) * 1000, &err, nullptr);
    sd_bus_message_unref(m);
    if (r < 0) {
      std::string msg = BusError(absl::StrCat("portal ", method).c_str(), err, r);
      sd_bus_error_free(&err);
      return absl::UnavailableError(msg);
    }
    if (!b.Pump(timeout_ms, [&] { return b.response.has_value(); })) {
      return absl::DeadlineExceededError(absl::StrCat("portal ", method, ": no response"));
    }
    if (*b.response != 0) {
      return absl::PermissionDeniedError(
          absl::StrCat("portal ", method, " refused (response ", *b.response, ")"));
    }
    return absl::OkStatus();
  };
  absl::Status st = call("CreateSession", [](sd_bus_message*) { return 0; });
  if (!st.ok()) return st;
  if (b.session_handle.empty()) return absl::InternalError("portal gave no session handle");
  s->session_path_ = b.session_handle;
  const std::string session = b.session_handle;
  st = call("SelectSources", [&](sd_bus_message* m) { return sd_bus_message_append(m, "o", session.c_str()); });
  if (!st.ok()) return st;
  st = call("Start", [&](sd_bus_message* m) {
    return sd_bus_message_append(m, "os", session.c_str(), "");
  });
  if (!st.ok()) return st;
  if (b.portal_node == 0) return absl::InternalError("portal started no stream");
  s->node_id_ = b.portal_node;
  sd_bus_error err = SD_BUS_ERROR_NULL;
  sd_bus_message* reply = nullptr;
  int r = sd_bus_call_method(b.bus, kPortalService, kPortalPath, kPortalScreenCast,
                             "OpenPipeWireRemote", &err, &reply, "oa{sv}", session.c_str(), 0);
  if (r < 0) {
    std::string msg = BusError("portal OpenPipeWireRemote", err, r);
    sd_bus_error_free(&err);
    return absl::UnavailableError(msg);
  }
  int fd = -1;
  if (sd_bus_message_read(reply, "h", &fd) >= 0 && fd >= 0) s->remote_fd_ = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  sd_bus_message_unref(reply);
  if (s->remote_fd_ < 0) return absl::InternalError("portal returned no PipeWire fd");
  return s;
}

}  // namespace lumen::capture
