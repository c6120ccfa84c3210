#include "host/input/uinput_backend.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/uinput.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace lumen::input {
namespace {

namespace ml = ::lumen::moonlight::input;

constexpr int kAbsMax = 65535;

absl::Status Errno(const std::string& what) { return absl::ErrnoToStatus(errno, what); }

absl::Status Emit(int fd, uint16_t type, uint16_t code, int32_t value) {
  input_event ev{};
  ev.type = type;
  ev.code = code;
  ev.value = value;
  if (write(fd, &ev, sizeof(ev)) != static_cast<ssize_t>(sizeof(ev))) {
    return Errno("uinput write");
  }
  return absl::OkStatus();
}

absl::Status Sync(int fd) { return Emit(fd, EV_SYN, SYN_REPORT, 0); }

void SetAbs(int fd, uint16_t code, int min, int max, int flat = 0) {
  uinput_abs_setup a{};
  a.code = code;
  a.absinfo.minimum = min;
  a.absinfo.maximum = max;
  a.absinfo.flat = flat;
  ioctl(fd, UI_ABS_SETUP, &a);
}

absl::StatusOr<int> CreateDevice(const std::string& path, const char* name, uint16_t product,
                                 const std::function<void(int)>& setup) {
  int fd = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Errno(path);
  setup(fd);
  uinput_setup us{};
  us.id.bustype = BUS_VIRTUAL;
  us.id.vendor = 0x045e;  // matches the Xbox 360 mapping games expect for the pad
  us.id.product = product;
  snprintf(us.name, sizeof(us.name), "%s", name);
  if (ioctl(fd, UI_DEV_SETUP, &us) < 0 || ioctl(fd, UI_DEV_CREATE) < 0) {
    absl::Status s = Errno(absl::StrCat(path, ": UI_DEV_CREATE"));
    close(fd);
    return s;
  }
  return fd;
}

void Destroy(int& fd) {
  if (fd >= 0) {
    ioctl(fd, UI_DEV_DESTROY);
    close(fd);
    fd = -1;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<UinputBackend>> UinputBackend::Open(const std::string& path) {
  std::unique_ptr<UinputBackend> b(new UinputBackend());
  b->path_ = path;
  b->pad_fds_.fill(-1);
  auto km = CreateDevice(path, "lumen keyboard and mouse", 0x0001, [](int fd) {
    ioctl(fd, UI_SET_EVBIT, EV_KEY);
    for (int k = KEY_ESC; k <= KEY_MICMUTE; ++k) ioctl(fd, UI_SET_KEYBIT, k);
    for (int k = BTN_LEFT; k <= BTN_TASK; ++k) ioctl(fd, UI_SET_KEYBIT, k);
    ioctl(fd, UI_SET_EVBIT, EV_REL);
    ioctl(fd, UI_SET_RELBIT, REL_X);
    ioctl(fd, UI_SET_RELBIT, REL_Y);
    ioctl(fd, UI_SET_RELBIT, REL_WHEEL);
    ioctl(fd, UI_SET_RELBIT, REL_HWHEEL);
    ioctl(fd, UI_SET_RELBIT, REL_WHEEL_HI_RES);
    ioctl(fd, UI_SET_RELBIT, REL_HWHEEL_HI_RES);
  });
  if (!km.ok()) return km.status();
  b->kbd_mouse_fd_ = *km;
  auto tab = CreateDevice(path, "lumen absolute pointer", 0x0002, [](int fd) {
    ioctl(fd, UI_SET_EVBIT, EV_KEY);
    ioctl(fd, UI_SET_KEYBIT, BTN_LEFT);
    ioctl(fd, UI_SET_KEYBIT, BTN_TOOL_PEN);
    ioctl(fd, UI_SET_EVBIT, EV_ABS);
    ioctl(fd, UI_SET_ABSBIT, ABS_X);
    ioctl(fd, UI_SET_ABSBIT, ABS_Y);
    ioctl(fd, UI_SET_PROPBIT, INPUT_PROP_DIRECT);
    SetAbs(fd, ABS_X, 0, kAbsMax);
    SetAbs(fd, ABS_Y, 0, kAbsMax);
  });
  if (!tab.ok()) return tab.status();
  b->tablet_fd_ = *tab;
  return b;
}

UinputBackend::~UinputBackend() {
  Destroy(kbd_mouse_fd_);
  Destroy(tablet_fd_);
  for (int& fd : pad_fds_) Destroy(fd);
}

absl::Status UinputBackend::Key(uint16_t code, bool down) {
  absl::Status s = Emit(kbd_mouse_fd_, EV_KEY, code, down ? 1 : 0);
  return s.ok() ? Sync(kbd_mouse_fd_) : s;
}

absl::Status UinputBackend::MoveRelative(int dx, int dy) {
  absl::Status s = Emit(kbd_mouse_fd_, EV_REL, REL_X, dx);
  if (s.ok()) s = Emit(kbd_mouse_fd_, EV_REL, REL_Y, dy);
  return s.ok() ? Sync(kbd_mouse_fd_) : s;
}

absl::Status UinputBackend::MoveAbsolute(double x, double y) {
  absl::Status s = Emit(tablet_fd_, EV_ABS, ABS_X, static_cast<int>(x * kAbsMax));
  if (s.ok()) s = Emit(tablet_fd_, EV_ABS, ABS_Y, static_cast<int>(y * kAbsMax));
  return s.ok() ? Sync(tablet_fd_) : s;
}

absl::Status UinputBackend::Button(uint16_t button, bool down) { return Key(button, down); }

absl::Status UinputBackend::Scroll(int vertical, int horizontal) {
  // High-resolution wheel (120 per notch, same unit as Moonlight) plus legacy notches.
  absl::Status s;
  if (vertical != 0) {
    s = Emit(kbd_mouse_fd_, EV_REL, REL_WHEEL_HI_RES, vertical);
    scroll_rem_v_ += vertical;
    if (s.ok() && scroll_rem_v_ / 120 != 0) {
      s = Emit(kbd_mouse_fd_, EV_REL, REL_WHEEL, scroll_rem_v_ / 120);
      scroll_rem_v_ %= 120;
    }
  }
  if (s.ok() && horizontal != 0) {
    s = Emit(kbd_mouse_fd_, EV_REL, REL_HWHEEL_HI_RES, horizontal);
    scroll_rem_h_ += horizontal;
    if (s.ok() && scroll_rem_h_ / 120 != 0) {
      s = Emit(kbd_mouse_fd_, EV_REL, REL_HWHEEL, scroll_rem_h_ / 120);
      scroll_rem_h_ %= 120;
    }
  }
  return s.ok() ? Sync(kbd_mouse_fd_) : s;
}

absl::Status UinputBackend::Gamepad(int index, const GamepadState& st) {
  if (index < 0 || index >= 16) return absl::InvalidArgumentError("gamepad index");
  int& fd = pad_fds_[static_cast<size_t>(index)];
  if (fd < 0) {
    auto pad = CreateDevice(path_, "Microsoft X-Box 360 pad (lumen)", 0x028e, [](int f) {
      ioctl(f, UI_SET_EVBIT, EV_KEY);
      for (int k : {BTN_A, BTN_B, BTN_X, BTN_Y, BTN_TL, BTN_TR, BTN_SELECT, BTN_START, BTN_MODE,
                    BTN_THUMBL, BTN_THUMBR}) {
        ioctl(f, UI_SET_KEYBIT, k);
      }
      ioctl(f, UI_SET_EVBIT, EV_ABS);
      for (int a : {ABS_X, ABS_Y, ABS_RX, ABS_RY}) {
        ioctl(f, UI_SET_ABSBIT, a);
        SetAbs(f, static_cast<uint16_t>(a), -32768, 32767, 128);
      }
      for (int a : {ABS_Z, ABS_RZ}) {
        ioctl(f, UI_SET_ABSBIT, a);
        SetAbs(f, static_cast<uint16_t>(a), 0, 255);
      }
      for (int a : {ABS_HAT0X, ABS_HAT0Y}) {
        ioctl(f, UI_SET_ABSBIT, a);
        SetAbs(f, static_cast<uint16_t>(a), -1, 1);
      }
    });
    if (!pad.ok()) return pad.status();
    fd = *pad;
  }
  const uint32_t b = st.buttons;
  struct {
    uint32_t mask;
    uint16_t code;
  } const map[] = {{ml::kBtnA, BTN_A},           {ml::kBtnB, BTN_B},
                   {ml::kBtnX, BTN_X},           {ml::kBtnY, BTN_Y},
                   {ml::kBtnLb, BTN_TL},         {ml::kBtnRb, BTN_TR},
                   {ml::kBtnBack, BTN_SELECT},   {ml::kBtnStart, BTN_START},
                   {ml::kBtnGuide, BTN_MODE},    {ml::kBtnLsClick, BTN_THUMBL},
                   {ml::kBtnRsClick, BTN_THUMBR}};
  absl::Status s;
  for (const auto& m : map) {
    if (s.ok()) s = Emit(fd, EV_KEY, m.code, (b & m.mask) ? 1 : 0);
  }
  int hx = ((b & ml::kBtnRight) ? 1 : 0) - ((b & ml::kBtnLeft) ? 1 : 0);
  int hy = ((b & ml::kBtnDown) ? 1 : 0) - ((b & ml::kBtnUp) ? 1 : 0);
  if (s.ok()) s = Emit(fd, EV_ABS, ABS_HAT0X, hx);
  if (s.ok()) s = Emit(fd, EV_ABS, ABS_HAT0Y, hy);
  // evdev Y axes grow downwards; XInput's grow upwards.
  if (s.ok()) s = Emit(fd, EV_ABS, ABS_X, st.left_x);
  if (s.ok()) s = Emit(fd, EV_ABS, ABS_Y, -1 - st.left_y);
  if (s.ok()) s = Emit(fd, EV_ABS, ABS_RX, st.right_x);
  if (s.ok()) s = Emit(fd, EV_ABS, ABS_RY, -1 - st.right_y);
  if (s.ok()) s = Emit(fd, EV_ABS, ABS_Z, st.left_trigger);
  if (s.ok()) s = Emit(fd, EV_ABS, ABS_RZ, st.right_trigger);
  return s.ok() ? Sync(fd) : s;
}

absl::Status UinputBackend::GamepadRemoved(int index) {
  if (index < 0 || index >= 16) return absl::InvalidArgumentError("gamepad index");
  Destroy(pad_fds_[static_cast<size_t>(index)]);
  return absl::OkStatus();
}

}  // namespace lumen::input
