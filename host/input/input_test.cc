// Input backends: VK->evdev mapping, dispatcher routing, uinput availability reporting, and the
// mutter RemoteDesktop backend against a real `mutter --headless` on a private session bus,
// including delivery of injected keys, motion and buttons to a real Wayland client
// (weston-eventdemo).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/input-event-codes.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "host/input/input_backend.h"
#include "host/input/mutter_backend.h"
#include "host/input/portal_backend.h"
#include "host/input/uinput_backend.h"

namespace lumen::input {
namespace {

namespace ml = ::lumen::moonlight::input;

// Records what the dispatcher asks for; used only to check the event -> call mapping.
class RecordingBackend : public InputBackend {
 public:
  const char* name() const override { return "recording"; }
  absl::Status Key(uint16_t c, bool d) override { return Log(absl::StrCat("key ", c, " ", d)); }
  absl::Status MoveRelative(int dx, int dy) override {
    return Log(absl::StrCat("rel ", dx, " ", dy));
  }
  absl::Status MoveAbsolute(double x, double y) override {
    return Log(absl::StrCat("abs ", static_cast<int>(x * 1000), " ", static_cast<int>(y * 1000)));
  }
  absl::Status Button(uint16_t b, bool d) override { return Log(absl::StrCat("btn ", b, " ", d)); }
  absl::Status Scroll(int v, int h) override { return Log(absl::StrCat("scroll ", v, " ", h)); }
  absl::Status Gamepad(int i, const GamepadState& s) override {
    return Log(absl::StrCat("pad ", i, " ", s.buttons, " ", s.left_y));
  }
  absl::Status GamepadRemoved(int i) override { return Log(absl::StrCat("padgone ", i)); }
  std::vector<std::string> log;

 private:
  absl::Status Log(std::string s) {
    log.push_back(std::move(s));
    return absl::OkStatus();
  }
};

pid_t Spawn(const std::vector<std::string>& args, int stdout_fd = -1) {
  pid_t pid = fork();
  if (pid == 0) {
    if (stdout_fd >= 0) dup2(stdout_fd, 1);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

void Reap(pid_t pid) {
  if (pid <= 0) return;
  kill(pid, SIGTERM);
  int st = 0;
  waitpid(pid, &st, 0);
}

// A private session bus and `mutter --headless --wayland` with a 640x480 virtual monitor, in
// a fresh runtime dir made from `rt_template` (short: the Wayland socket path must fit in
// sun_path, 108 bytes). Sets XDG_RUNTIME_DIR and DBUS_SESSION_BUS_ADDRESS for this process.
struct HeadlessMutter {
  std::string runtime_dir;
  pid_t dbus = -1;
  pid_t mutter = -1;
};
HeadlessMutter StartHeadlessMutter(const char* rt_template) {
  HeadlessMutter h;
  h.runtime_dir = rt_template;
  REQUIRE(mkdtemp(h.runtime_dir.data()) != nullptr);
  setenv("XDG_RUNTIME_DIR", h.runtime_dir.c_str(), 1);
  int p[2];
  REQUIRE(pipe(p) == 0);
  h.dbus = Spawn({"dbus-daemon", "--session", "--nofork", "--print-address=1"}, p[1]);
  close(p[1]);
  std::string addr;
  char c;
  while (read(p[0], &c, 1) == 1 && c != '\n') addr.push_back(c);
  close(p[0]);
  REQUIRE(!addr.empty());
  setenv("DBUS_SESSION_BUS_ADDRESS", addr.c_str(), 1);
  h.mutter = Spawn({"mutter", "--headless", "--wayland", "--no-x11", "--wayland-display", "wl",
                    "--virtual-monitor", "640x480"});
  return h;
}

}  // namespace

TEST_SUITE("Input") {
  TEST_CASE("Keymap.VirtualKeysToEvdev") {
    CHECK(VkToEvdev('A') == KEY_A);
    CHECK(VkToEvdev('Z') == KEY_Z);
    CHECK(VkToEvdev('0') == KEY_0);
    CHECK(VkToEvdev('9') == KEY_9);
    CHECK(VkToEvdev(0x0D) == KEY_ENTER);
    CHECK(VkToEvdev(0x1B) == KEY_ESC);
    CHECK(VkToEvdev(0x70) == KEY_F1);
    CHECK(VkToEvdev(0x7B) == KEY_F12);
    CHECK(VkToEvdev(0x87) == KEY_F24);
    CHECK(VkToEvdev(0xA3) == KEY_RIGHTCTRL);
    CHECK(VkToEvdev(0x5B) == KEY_LEFTMETA);
    CHECK(VkToEvdev(0xBA) == KEY_SEMICOLON);
    CHECK(VkToEvdev(0x60) == KEY_KP0);
    CHECK(VkToEvdev(0xFF) == 0);
    CHECK(MoonlightButtonToEvdev(1) == BTN_LEFT);
    CHECK(MoonlightButtonToEvdev(3) == BTN_RIGHT);
    CHECK(MoonlightButtonToEvdev(2) == BTN_MIDDLE);
    CHECK(MoonlightButtonToEvdev(9) == 0);
  }

  TEST_CASE("Dispatcher.RoutesEventsAndReportsOnce") {
    auto rec = std::make_unique<RecordingBackend>();
    RecordingBackend* r = rec.get();
    std::vector<std::string> reports;
    InputDispatcher d(std::move(rec), [&](const std::string& s) { reports.push_back(s); });
    ml::KeyEvent k;
    k.key_code = 0x8041;  // moonlight-qt sets bit 15
    k.down = true;
    d.Handle(k);
    d.Handle(ml::MouseMoveRel{5, -3});
    d.Handle(ml::MousePosition{640, 360, 1279, 719});
    d.Handle(ml::MouseButton{true, 3});
    d.Handle(ml::ScrollVertical{120});
    d.Handle(ml::ScrollHorizontal{-60});
    ml::ControllerState pad;
    pad.controller = 1;
    pad.active_mask = 0x2;
    pad.buttons = ml::kBtnA;
    pad.left_y = 100;
    d.Handle(pad);
    pad.active_mask = 0;
    d.Handle(pad);
    d.Handle(pad);  // removal of an absent pad: nothing
    ml::KeyEvent unmapped;
    unmapped.key_code = 0xFF;
    d.Handle(unmapped);
    d.Handle(unmapped);
    d.Handle(ml::EnableHaptics{});
    std::vector<std::string> want = {"key 30 1",     "rel 5 -3",     "abs 500 500",    "btn 273 1",
                                     "scroll 120 0", "scroll 0 -60", "pad 1 4096 100", "padgone 1"};
    CHECK(r->log == want);
    CHECK(d.delivered() == 8);
    CHECK(d.dropped() == 3);
    REQUIRE(reports.size() == 2);  // unmapped key once, unsupported event type once
  }

  TEST_CASE("Uinput.ReportsWhyItIsUnavailable") {
    auto u = UinputBackend::Open("/dev/uinput");
    if (access("/dev/uinput", W_OK) != 0) {
      REQUIRE(!u.ok());
      CHECK(std::string(u.status().message()).find("/dev/uinput") != std::string::npos);
      std::vector<std::string> reports;
      auto best = OpenBestBackend([&](const std::string& s) { reports.push_back(s); });
      // Without a mutter session on the bus and without uinput: both reasons, once each.
      if (!best.ok()) {
        REQUIRE(reports.size() == 3);
        CHECK(reports[0].rfind("mutter RemoteDesktop unavailable: ", 0) == 0);
        CHECK(reports[1].rfind("RemoteDesktop portal unavailable: ", 0) == 0);
        CHECK(reports[2].rfind("uinput unavailable: ", 0) == 0);
      }
    } else {
      CHECK(u.ok());  // a machine with uinput: the virtual devices are created
    }
    auto bogus = UinputBackend::Open("/nonexistent/uinput");
    CHECK(!bogus.ok());
  }

  // Real mutter, real D-Bus: the RemoteDesktop session accepts every call we make.
  TEST_CASE("Mutter.RemoteDesktopSessionAcceptsEvents") {
    if (system("command -v mutter >/dev/null 2>&1 && command -v dbus-daemon >/dev/null 2>&1") !=
        0) {
      MESSAGE("mutter or dbus-daemon not installed; skipping");
      return;
    }
    const HeadlessMutter hm = StartHeadlessMutter("/tmp/lmi_XXXXXX");
    const pid_t dbus = hm.dbus, mutter = hm.mutter;
    std::unique_ptr<MutterBackend> m;
    absl::Status last;
    for (int i = 0; i < 600 && !m; ++i) {  // mutter takes a moment to claim its names
      auto o = MutterBackend::Open();
      if (o.ok()) {
        m = std::move(*o);
      } else {
        last = o.status();
        usleep(50 * 1000);
      }
    }
    CAPTURE(last.message());
    REQUIRE(m != nullptr);
    CHECK(m->session_path().rfind("/org/gnome/Mutter/RemoteDesktop/Session/", 0) == 0);
    CHECK(m->Key(KEY_A, true).ok());
    CHECK(m->Key(KEY_A, false).ok());
    CHECK(m->MoveRelative(10, -4).ok());
    CHECK(m->Button(BTN_LEFT, true).ok());
    CHECK(m->Button(BTN_LEFT, false).ok());
    CHECK(m->Scroll(240, 0).ok());
    CHECK(m->Scroll(60, -120).ok());
    CHECK(absl::IsUnimplemented(m->Gamepad(0, {})));
    // No portal service on this private bus: a clean, immediate refusal.
    auto portal = PortalBackend::Open(std::chrono::seconds(5));
    REQUIRE(!portal.ok());
    CHECK(absl::IsUnavailable(portal.status()));

    // Through the dispatcher, with the backend picked automatically.
    std::vector<std::string> reports;
    auto best = OpenBestBackend([&](const std::string& s) { reports.push_back(s); });
    REQUIRE(best.ok());
    CHECK(std::string((*best)->name()) == "mutter-remote-desktop");
    InputDispatcher d(std::move(*best), [&](const std::string& s) { reports.push_back(s); });
    ml::KeyEvent k;
    k.key_code = 'B';
    d.Handle(k);
    k.down = false;
    d.Handle(k);
    d.Handle(ml::MouseMoveRel{3, 3});
    d.Handle(ml::MouseButton{true, 1});
    d.Handle(ml::MouseButton{false, 1});
    ml::ControllerState pad;
    pad.active_mask = 1;
    d.Handle(pad);
    d.Handle(pad);
    CHECK(d.delivered() == 5);
    CHECK(d.dropped() == 2);
    CHECK(reports.size() == 1);  // "gamepad: ... use uinput", once
    m.reset();
    d = InputDispatcher(nullptr, nullptr);
    Reap(mutter);
    Reap(dbus);
    unsetenv("DBUS_SESSION_BUS_ADDRESS");
  }
  // The events must reach a real Wayland client, not only be accepted on the bus: weston's
  // eventdemo runs on the headless mutter and logs what its surface receives.
  TEST_CASE("Mutter.InjectedEventsReachWaylandClient") {
    if (system("command -v mutter >/dev/null 2>&1 && command -v dbus-daemon >/dev/null 2>&1 && "
               "command -v weston-eventdemo >/dev/null 2>&1 && command -v stdbuf >/dev/null "
               "2>&1") != 0) {
      MESSAGE("mutter, dbus-daemon, weston-eventdemo or stdbuf not installed; skipping");
      return;
    }
    const HeadlessMutter hm = StartHeadlessMutter("/tmp/lmj_XXXXXX");
    const std::string& rt = hm.runtime_dir;
    const pid_t dbus = hm.dbus, mutter = hm.mutter;
    std::unique_ptr<MutterBackend> m;
    for (int i = 0; i < 300 && !m; ++i) {
      auto o = MutterBackend::Open();
      if (o.ok()) {
        m = std::move(*o);
      } else {
        usleep(50 * 1000);
      }
    }
    if (m == nullptr) {
      MESSAGE("mutter RemoteDesktop did not come up; skipping");
      Reap(mutter);
      Reap(dbus);
      unsetenv("DBUS_SESSION_BUS_ADDRESS");
      return;
    }
    // The client's stdout is a pipe: stdbuf -oL makes it line-buffered so lines arrive live.
    int out[2];
    REQUIRE(pipe(out) == 0);
    setenv("WAYLAND_DISPLAY", "wl", 1);
    pid_t demo = Spawn({"stdbuf", "-oL", "weston-eventdemo", "--width=640", "--height=480",
                        "--no-border", "--log-key", "--log-button", "--log-motion", "--log-focus"},
                       out[1]);
    unsetenv("WAYLAND_DISPLAY");
    close(out[1]);
    fcntl(out[0], F_SETFL, fcntl(out[0], F_GETFL) | O_NONBLOCK);
    std::string log;
    auto drain = [&] {
      char buf[4096];
      ssize_t n;
      while ((n = read(out[0], buf, sizeof buf)) > 0) log.append(buf, n);
    };
    auto has = [&](const char* s) { return log.find(s) != std::string::npos; };
    // Until the window is mapped and focused nothing is delivered: inject, look, repeat (~15 s
    // max).
    bool key_seen = false, button_seen = false, motion_seen = false;
    for (int i = 0; i < 150 && !(key_seen && button_seen && motion_seen); ++i) {
      if (!key_seen) {
        CHECK(m->Key(KEY_A, true).ok());
        CHECK(m->Key(KEY_A, false).ok());
      }
      if (!motion_seen) CHECK(m->MoveRelative((i % 2) ? 7 : -7, (i % 2) ? 5 : -5).ok());
      if (!button_seen) {
        CHECK(m->Button(BTN_LEFT, true).ok());
        CHECK(m->Button(BTN_LEFT, false).ok());
      }
      usleep(100 * 1000);
      drain();
      // KEY_A pressed and released, with the keymap's 'a'; BTN_LEFT pressed and released.
      key_seen = has("key key: 30, unicode: 97, state: pressed") &&
                 has("key key: 30, unicode: 97, state: released");
      button_seen = has("button: 272, state: pressed") && has("button: 272, state: released");
      motion_seen = has("motion time:");
    }
    MESSAGE("weston-eventdemo log:\n" << log);
    bool demo_ran = !log.empty();
    if (!demo_ran && waitpid(demo, nullptr, WNOHANG) == demo) {
      demo = -1;  // exited already (could not connect): reaped, nothing to stop
    } else {
      demo_ran = true;
    }
    if (!demo_ran) {
      MESSAGE("weston-eventdemo could not start on mutter; skipping");
    } else {
      CHECK(key_seen);
      CHECK(button_seen);
      CHECK(motion_seen);  // "motion time: ..., x: ..., y: ..." inside the surface
    }
    close(out[0]);
    m.reset();
    Reap(demo);
    Reap(mutter);
    Reap(dbus);
    unsetenv("DBUS_SESSION_BUS_ADDRESS");
    CHECK(system(("rm -rf " + rt).c_str()) == 0);
  }
}

}  // namespace lumen::input
