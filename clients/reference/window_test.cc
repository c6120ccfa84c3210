// The reference client's SDL2 window under a real X server (Xvfb, started here on a free
// display, SDL_VIDEODRIVER=x11, SDL's software renderer): pictures are shown and read back
// from the renderer, and the test-pattern stamp must survive the YUV->RGB conversion.
//  * the Presenter directly: I420 and NV12 pictures, three sizes (window follows), an
//    unsupported format is refused, SDL_QUIT sets closed();
//  * end to end: the real host pipeline (lumen-capture synthetic -> lumen-encode x264 ->
//    lumen-transport) streams to the real `reference_client --window --window-check=3`
//    process, which must exit 0 with read-back stamps checked and none wrong;
//  * `lumen demo --window` (the host's demo with the presenter embedded) passes and
//    prints its window line;
//  * `reference_client --moonlight-host --window` against a real `lumen serve`: pairs,
//    receives in lumen framing, and letters typed into its window (X key events) reach
//    the host as the right Windows VK codes;
//  * closing the window as a window manager does (WM_DELETE_WINDOW) ends that process
//    cleanly, long before its --seconds.
// If Xvfb cannot start, each case prints SKIP with the reason and passes.
#include <SDL2/SDL.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern "C" {
#include <libavutil/pixfmt.h>
}

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "clients/reference/presenter.h"
#include "clients/reference/window_test_x11.h"
#include "core/pattern/test_pattern.h"
#include "host/lumen/supervisor.h"

namespace lumen::client {
namespace {

// Xvfb on a display it picks itself (-displayfd); stopped by the destructor.
class Xvfb {
 public:
  Xvfb() {
    int fds[2];
    if (pipe(fds) != 0) {
      error_ = "pipe failed";
      return;
    }
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      const int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
      close(fds[0]);
      const std::string fd = std::to_string(fds[1]);
      execlp("Xvfb", "Xvfb", "-displayfd", fd.c_str(), "-screen", "0", "1280x800x24", "-nolisten",
             "tcp", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    if (pid_ < 0) {
      close(fds[0]);
      error_ = "fork failed";
      return;
    }
    // Xvfb writes the display number and a newline once it accepts connections.
    std::string got;
    bool eof = false;
    pollfd p{fds[0], POLLIN, 0};
    while (got.find('\n') == std::string::npos && poll(&p, 1, 15000) == 1) {
      char buf[32];
      const ssize_t n = read(fds[0], buf, sizeof(buf));
      if (n <= 0) {
        eof = true;  // Xvfb (or the failed exec) is exiting
        break;
      }
      got.append(buf, size_t(n));
    }
    close(fds[0]);
    if (got.find('\n') == std::string::npos) {
      int status = 0;
      if (waitpid(pid_, &status, eof ? 0 : WNOHANG) == pid_) {
        pid_ = -1;
        error_ = WIFEXITED(status) && WEXITSTATUS(status) == 127
                     ? "Xvfb is not installed (Debian package xvfb)"
                     : "Xvfb exited during start-up (status " + std::to_string(status) + ")";
      } else {
        error_ = "Xvfb did not report a display within 15 s";
      }
      return;
    }
    display_ = ":" + got.substr(0, got.find('\n'));
    setenv("DISPLAY", display_.c_str(), 1);
    setenv("SDL_VIDEODRIVER", "x11", 1);
    // No session bus next to a bare Xvfb: without this, SDL's D-Bus use (screensaver
    // inhibit, IME) makes libdbus try X11 autolaunch, which leaks (LeakSanitizer).
    setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:", 0);
  }
  ~Xvfb() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  bool ok() const { return !display_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& display() const { return display_; }

 private:
  pid_t pid_ = -1;
  std::string display_;
  std::string error_;
};

// The pattern for `frame`, BT.601 limited-range I420 or NV12 (top-left chroma sample).
struct YuvPicture {
  std::vector<uint8_t> y, u, v;
  Picture pic;
  FrameRecord rec;
};

YuvPicture MakePicture(int w, int h, uint32_t frame, bool nv12) {
  std::vector<uint8_t> bgrx(size_t(w) * size_t(h) * 4);
  REQUIRE(pattern::PaintBgrx(bgrx, w, h, w * 4, pattern::Stamp{frame, 1000u * frame}));
  YuvPicture out;
  const int cw = (w + 1) / 2, ch = (h + 1) / 2;
  out.y.resize(size_t(w) * size_t(h));
  out.u.resize(size_t(cw) * size_t(ch) * (nv12 ? 2 : 1));
  out.v.resize(nv12 ? 1 : size_t(cw) * size_t(ch));
  for (int yy = 0; yy < h; ++yy) {
    for (int xx = 0; xx < w; ++xx) {
      const uint8_t* px = &bgrx[(size_t(yy) * size_t(w) + size_t(xx)) * 4];
      const int b = px[0], g = px[1], r = px[2];
      out.y[size_t(yy) * size_t(w) + size_t(xx)] =
          uint8_t(((66 * r + 129 * g + 25 * b + 128) >> 8) + 16);
      if ((xx | yy) & 1) continue;
      const uint8_t cu = uint8_t(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);
      const uint8_t cv = uint8_t(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);
      const size_t ci = size_t(yy / 2) * size_t(cw) + size_t(xx / 2);
      if (nv12) {
        out.u[2 * ci] = cu;
        out.u[2 * ci + 1] = cv;
      } else {
        out.u[ci] = cu;
        out.v[ci] = cv;
      }
    }
  }
  Picture& p = out.pic;
  p.width = w;
  p.height = h;
  p.stride = w;
  p.luma = out.y;
  p.planes[0] = out.y.data();
  p.planes[1] = out.u.data();
  p.planes[2] = nv12 ? nullptr : out.v.data();
  p.strides[0] = w;
  p.strides[1] = nv12 ? 2 * cw : cw;
  p.strides[2] = nv12 ? 0 : cw;
  p.av_format = nv12 ? AV_PIX_FMT_NV12 : AV_PIX_FMT_YUV420P;
  p.color_range = AVCOL_RANGE_MPEG;
  p.colorspace = AVCOL_SPC_SMPTE170M;
  out.rec.frame_index = frame;
  out.rec.width = w;
  out.rec.height = h;
  out.rec.stamp_ok = true;
  out.rec.stamp_frame = frame;
  return out;
}

// Submits successive frames of one size/format until one of them was read back from the
// window at that size with its stamp intact (or 10 s pass, which fails the check).
bool ShowUntilReadBack(Presenter& pr, int w, int h, bool nv12, uint32_t* frame) {
  const uint64_t before = pr.stats().readback_stamp_ok;
  for (int i = 0; i < 500; ++i) {
    const YuvPicture p = MakePicture(w, h, ++*frame, nv12);
    pr.Submit(p.rec, p.pic);
    usleep(20000);
    const PresenterStats s = pr.stats();
    if (s.readback_stamp_ok > before && s.last_readback_width == w && s.last_readback_height == h) {
      return true;
    }
  }
  return false;
}

std::string Runfile(const std::string& path) {
  const char* r = getenv("TEST_SRCDIR");
  return std::string(r ? r : ".") + "/lumen/" + path;
}

// The real host pipeline, 640x360 @ 30 fps x264, no fixed destination: lumen-transport
// learns the client's address from its ping.
std::unique_ptr<supervisor::Pipeline> StartHost() {
  supervisor::PipelineConfig pc;
  pc.width = 640;
  pc.height = 360;
  pc.fps = 30;
  pc.bitrate_kbps = 2000;
  pc.bind = "127.0.0.1:0";
  pc.child_log_level = "warn";
  auto p = supervisor::Pipeline::Start(pc);
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  return std::move(*p);
}

std::string ClientCommand(const supervisor::Pipeline& host, const std::string& flags) {
  return Runfile("clients/reference/reference_client") +
         " --server=127.0.0.1:" + std::to_string(host.transport_port()) +
         " --bind=127.0.0.1:0 --window " + flags + " 2>&1";
}

// Reads the child's output to EOF; returns its exit status (pclose).
int Finish(FILE* f, std::string* out) {
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof(buf), f)) out->append(buf, n);
  return pclose(f);
}

TEST_SUITE("Window") {
  TEST_CASE("presenter: I420 and NV12 at three sizes are shown and read back with stamps") {
    Xvfb x;
    if (!x.ok()) {
      std::printf("SKIP: Xvfb cannot start here: %s\n", x.error().c_str());
      return;
    }
    PresenterConfig cfg;
    cfg.software_renderer = true;
    cfg.readback_every = 1;
    auto pr = Presenter::Create(cfg);
    REQUIRE_MESSAGE(pr.ok(), pr.status().ToString());
    uint32_t frame = 100;
    CHECK(ShowUntilReadBack(**pr, 640, 360, false, &frame));
    CHECK(ShowUntilReadBack(**pr, 320, 192, true, &frame));  // smaller: window shrinks
    CHECK(ShowUntilReadBack(**pr, 1280, 720, false, &frame));
    // A format the presenter does not handle is counted and dropped, not shown.
    YuvPicture odd = MakePicture(320, 192, ++frame, false);
    odd.pic.av_format = AV_PIX_FMT_YUV444P;
    (*pr)->Submit(odd.rec, odd.pic);
    const PresenterStats s = (*pr)->stats();
    CHECK(s.unsupported == 1);
    CHECK(s.readback_stamp_bad == 0);
    CHECK(s.reconfigs >= 3);
    CHECK(s.presented >= 3);
    CHECK(s.presented + s.replaced <= s.submitted);
    CHECK(s.width == 1280);
    CHECK(s.height == 720);
    CHECK_FALSE((*pr)->closed());
    // SDL_QUIT (what closing the last window sends) ends the presenter's session.
    SDL_Event quit{};
    quit.type = SDL_QUIT;
    REQUIRE(SDL_PushEvent(&quit) == 1);
    for (int i = 0; i < 500 && !(*pr)->closed(); ++i) usleep(10000);
    CHECK((*pr)->closed());
    (*pr)->Stop();
    (*pr)->Stop();  // idempotent
  }

  TEST_CASE("presenter: a game controller's buttons and sticks go to on_input") {
    Xvfb x;
    if (!x.ok()) {
      std::printf("SKIP: Xvfb cannot start here: %s\n", x.error().c_str());
      return;
    }
    namespace in = ::lumen::moonlight::input;
    std::mutex mu;
    std::vector<in::InputEvent> got;
    PresenterConfig cfg;
    cfg.software_renderer = true;
    cfg.on_input = [&](const in::InputEvent& ev) {
      std::lock_guard<std::mutex> l(mu);
      got.push_back(ev);
    };
    auto pr = Presenter::Create(cfg);
    REQUIRE_MESSAGE(pr.ok(), pr.status().ToString());
    // The last ControllerState seen, once `pred` holds for it (5 s at most).
    auto wait_state = [&](auto pred) {
      for (int i = 0; i < 250; ++i) {
        {
          std::lock_guard<std::mutex> l(mu);
          for (auto it = got.rbegin(); it != got.rend(); ++it) {
            if (const auto* s = std::get_if<in::ControllerState>(&*it)) {
              if (pred(*s)) return true;
              break;
            }
          }
        }
        usleep(20000);
      }
      return false;
    };
    // A virtual game controller (SDL's own): it appears, is opened by the presenter and
    // reported as pad 0.
    const int index = SDL_JoystickAttachVirtual(
        SDL_JOYSTICK_TYPE_GAMECONTROLLER, SDL_CONTROLLER_AXIS_MAX, SDL_CONTROLLER_BUTTON_MAX, 0);
    REQUIRE_MESSAGE(index >= 0, SDL_GetError());
    SDL_Joystick* j = SDL_JoystickOpen(index);
    REQUIRE_MESSAGE(j != nullptr, SDL_GetError());
    CHECK(wait_state([](const in::ControllerState& s) { return s.active_mask == 1; }));
    {
      std::lock_guard<std::mutex> l(mu);
      REQUIRE(!got.empty());
      CHECK(std::holds_alternative<in::ControllerArrival>(got.front()));
    }
    REQUIRE(SDL_JoystickSetVirtualButton(j, SDL_CONTROLLER_BUTTON_A, 1) == 0);
    CHECK(wait_state([](const in::ControllerState& s) { return s.buttons == in::kBtnA; }));
    REQUIRE(SDL_JoystickSetVirtualAxis(j, SDL_CONTROLLER_AXIS_LEFTY, -32768) == 0);  // up
    CHECK(wait_state([](const in::ControllerState& s) { return s.left_y == 32767; }));
    REQUIRE(SDL_JoystickSetVirtualButton(j, SDL_CONTROLLER_BUTTON_A, 0) == 0);
    CHECK(wait_state(
        [](const in::ControllerState& s) { return s.buttons == 0 && s.left_y == 32767; }));
    SDL_JoystickClose(j);
    REQUIRE(SDL_JoystickDetachVirtual(index) == 0);
    CHECK(wait_state([](const in::ControllerState& s) { return s.active_mask == 0; }));
    (*pr)->Stop();
    CHECK((*pr)->stats().input_events >= 6);
  }

  TEST_CASE("end to end: host pipeline -> reference_client --window, stamps read back") {
    Xvfb x;
    if (!x.ok()) {
      std::printf("SKIP: Xvfb cannot start here: %s\n", x.error().c_str());
      return;
    }
    auto host = StartHost();
    FILE* f =
        popen(ClientCommand(*host, "--seconds=4 --window-software --window-check=3").c_str(), "r");
    REQUIRE(f != nullptr);
    std::string out;
    const int status = Finish(f, &out);
    host->Stop();
    MESSAGE(out);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    // "window: presented N of M pictures (...), read-back stamps ok K, bad 0, skipped S"
    const size_t at = out.find("read-back stamps ok ");
    REQUIRE(at != std::string::npos);
    unsigned long long ok = 0, bad = 1;
    REQUIRE(std::sscanf(out.c_str() + at, "read-back stamps ok %llu, bad %llu", &ok, &bad) == 2);
    CHECK(ok >= 5);
    CHECK(bad == 0);
    CHECK(out.find("stamp errors 0, decode errors 0") != std::string::npos);
    CHECK(out.find("640 x 360") != std::string::npos);
  }

  TEST_CASE("lumen demo --window: the demo's stream is shown and the window reported") {
    Xvfb x;
    if (!x.ok()) {
      std::printf("SKIP: Xvfb cannot start here: %s\n", x.error().c_str());
      return;
    }
    FILE* f = popen((Runfile("host/lumen/lumen") +
                     " demo --window --seconds=3 --width=640 --height=360 --fps=30"
                     " --bitrate=2000 2>&1")
                        .c_str(),
                    "r");
    REQUIRE(f != nullptr);
    std::string out;
    const int status = Finish(f, &out);
    MESSAGE(out);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(out.find("RESULT: PASS") != std::string::npos);
    // "window: presented N of M pictures (replaced R, unsupported 0, 640 x 360), ..."
    const size_t at = out.find("window: presented ");
    REQUIRE(at != std::string::npos);
    unsigned long long shown = 0, submitted = 0;
    REQUIRE(std::sscanf(out.c_str() + at, "window: presented %llu of %llu", &shown, &submitted) ==
            2);
    CHECK(shown >= 10);
    CHECK(submitted >= shown);
    CHECK(out.find("unsupported 0, 640 x 360") != std::string::npos);
  }

  TEST_CASE("reference_client --moonlight-host --window: keys typed in the window reach serve") {
    Xvfb x;
    if (!x.ok()) {
      std::printf("SKIP: Xvfb cannot start here: %s\n", x.error().c_str());
      return;
    }
    const char* t = getenv("TEST_TMPDIR");
    const std::string tmp = std::string(t ? t : "/tmp") + "/mlwin." + std::to_string(getpid());
    REQUIRE(std::system(("mkdir -p '" + tmp + "'").c_str()) == 0);
    // `lumen serve` with --input=log (logs every key it decodes) on its own ports and state.
    const int base = 20000 + int(getpid() * 7 % 30000);
    const std::string log = tmp + "/serve.log";
    setenv("XDG_CONFIG_HOME", (tmp + "/cfg").c_str(), 1);
    setenv("XDG_STATE_HOME", (tmp + "/state").c_str(), 1);
    const std::string serve_cmd = Runfile("host/lumen/lumen") +
                                  " serve --base-port=" + std::to_string(base) +
                                  " --bind=127.0.0.1 --audio=silence --input=log --no-mdns"
                                  " --pin=4321 > '" +
                                  log + "' 2>&1 & echo $!";
    FILE* sp = popen(serve_cmd.c_str(), "r");
    REQUIRE(sp != nullptr);
    int serve_pid = 0;
    REQUIRE(std::fscanf(sp, "%d", &serve_pid) == 1);
    pclose(sp);
    auto read_log = [&] {
      std::string s;
      if (FILE* f = fopen(log.c_str(), "r")) {
        char buf[4096];
        while (size_t n = fread(buf, 1, sizeof buf, f)) s.append(buf, n);
        fclose(f);
      }
      return s;
    };
    const std::string ready = "HTTP " + std::to_string(base) + " ";
    for (int i = 0; i < 200 && read_log().find(ready) == std::string::npos; ++i) usleep(50000);
    REQUIRE_MESSAGE(read_log().find(ready) != std::string::npos, read_log());

    FILE* f = popen(
        (Runfile("clients/reference/reference_client") +
         " --moonlight-host=127.0.0.1:" + std::to_string(base) + " --pin=4321 --keydir='" + tmp +
         "/keys' --window --window-software"
         " --seconds=8 --width=640 --height=360 --fps=30 --bitrate=2000 2>&1")
            .c_str(),
        "r");
    REQUIRE(f != nullptr);
    std::string error;
    const bool typed =
        testing::TypeIntoWindow(x.display(), "lumen reference client", "lumen", 60000, &error);
    std::string out;
    const int status = Finish(f, &out);
    kill(serve_pid, SIGINT);
    for (int i = 0; i < 100 && kill(serve_pid, 0) == 0; ++i) usleep(50000);
    const std::string serve_log = read_log();
    MESSAGE(out);
    REQUIRE_MESSAGE(typed, error);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(out.find("lumen framing (") != std::string::npos);
    CHECK(out.find("stamp errors 0, decode errors 0") != std::string::npos);
    // L U M E N, each pressed and released, as Windows VK codes on the host.
    for (const char* vk : {"0x4C", "0x55", "0x4D", "0x45", "0x4E"}) {
      CAPTURE(vk);
      CHECK(serve_log.find(std::string("input: key down vk ") + vk) != std::string::npos);
      CHECK(serve_log.find(std::string("input: key up vk ") + vk) != std::string::npos);
    }
  }

  TEST_CASE("closing the window (WM_DELETE_WINDOW) ends reference_client cleanly") {
    Xvfb x;
    if (!x.ok()) {
      std::printf("SKIP: Xvfb cannot start here: %s\n", x.error().c_str());
      return;
    }
    auto host = StartHost();
    // --seconds is only a bound: the window is closed as soon as it is on screen (it is
    // shown at the first picture).
    FILE* f = popen(ClientCommand(*host, "--seconds=120 --window-software").c_str(), "r");
    REQUIRE(f != nullptr);
    std::string error;
    const bool closed = testing::CloseWindowLikeAWindowManager(
        x.display(), "lumen reference client", 60000, &error);
    std::string out;
    const int status = Finish(f, &out);
    host->Stop();
    MESSAGE(out);
    REQUIRE_MESSAGE(closed, error);
    CHECK(out.find("window closed") != std::string::npos);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(out.find("window: presented ") != std::string::npos);
  }
}

}  // namespace
}  // namespace lumen::client
