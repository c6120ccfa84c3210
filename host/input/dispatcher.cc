#include <algorithm>
#include <variant>

#include "absl/strings/str_cat.h"
#include "host/input/input_backend.h"
#include "host/input/mutter_backend.h"
#include "host/input/portal_backend.h"
#include "host/input/uinput_backend.h"

namespace lumen::input {
namespace {

namespace ml = ::lumen::moonlight::input;

enum Kind : uint32_t {
  kKey = 1,
  kRel = 2,
  kAbs = 4,
  kButton = 8,
  kScroll = 16,
  kPad = 32,
  kUnmapped = 64,
  kOther = 128
};

uint32_t KindOf(const char* what) {
  std::string_view w(what);
  if (w == "key") return kKey;
  if (w == "relative motion") return kRel;
  if (w == "absolute motion") return kAbs;
  if (w == "button") return kButton;
  if (w == "scroll") return kScroll;
  if (w == "gamepad") return kPad;
  if (w == "unmapped key") return kUnmapped;
  return kOther;
}

}  // namespace

InputDispatcher::InputDispatcher(std::unique_ptr<InputBackend> backend,
                                 std::function<void(const std::string&)> report)
    : backend_(std::move(backend)), report_(std::move(report)) {}

void InputDispatcher::Result(const absl::Status& s, const char* what) {
  if (s.ok()) {
    ++delivered_;
    return;
  }
  ++dropped_;
  uint32_t k = KindOf(what);
  if ((reported_ & k) != 0) return;  // each kind of problem is reported once
  reported_ |= k;
  if (report_) {
    report_(absl::StrCat("input (", backend_ ? backend_->name() : "none", "): ", what, ": ",
                         std::string(s.message())));
  }
}

void InputDispatcher::Handle(const ml::InputEvent& ev) {
  if (!backend_) return Result(absl::UnavailableError("no input backend"), "other");
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, ml::KeyEvent>) {
          uint16_t code = VkToEvdev(e.vk());
          if (code == 0) {
            Result(absl::NotFoundError(absl::StrCat("no evdev key for VK 0x", absl::Hex(e.vk()))),
                   "unmapped key");
            return;
          }
          Result(backend_->Key(code, e.down), "key");
        } else if constexpr (std::is_same_v<T, ml::MouseMoveRel>) {
          Result(backend_->MoveRelative(e.dx, e.dy), "relative motion");
        } else if constexpr (std::is_same_v<T, ml::MousePosition>) {
          // The client sends reference size - 1.
          double w = static_cast<double>(e.ref_width) + 1.0;
          double h = static_cast<double>(e.ref_height) + 1.0;
          double x = std::clamp(static_cast<double>(e.x) / w, 0.0, 1.0);
          double y = std::clamp(static_cast<double>(e.y) / h, 0.0, 1.0);
          Result(backend_->MoveAbsolute(x, y), "absolute motion");
        } else if constexpr (std::is_same_v<T, ml::MouseButton>) {
          uint16_t b = MoonlightButtonToEvdev(e.button);
          if (b == 0) return Result(absl::InvalidArgumentError("bad mouse button"), "button");
          Result(backend_->Button(b, e.down), "button");
        } else if constexpr (std::is_same_v<T, ml::ScrollVertical>) {
          Result(backend_->Scroll(e.amount, 0), "scroll");
        } else if constexpr (std::is_same_v<T, ml::ScrollHorizontal>) {
          Result(backend_->Scroll(0, e.amount), "scroll");
        } else if constexpr (std::is_same_v<T, ml::ControllerState>) {
          int idx = e.controller & 0x0F;
          uint16_t bit = static_cast<uint16_t>(1u << idx);
          if ((e.active_mask & bit) == 0) {
            if (active_pads_ & bit) {
              active_pads_ &= static_cast<uint16_t>(~bit);
              Result(backend_->GamepadRemoved(idx), "gamepad");
            }
            return;
          }
          active_pads_ |= bit;
          GamepadState s;
          s.buttons = e.buttons;
          s.left_trigger = e.left_trigger;
          s.right_trigger = e.right_trigger;
          s.left_x = e.left_x;
          s.left_y = e.left_y;
          s.right_x = e.right_x;
          s.right_y = e.right_y;
          Result(backend_->Gamepad(idx, s), "gamepad");
        } else {
          // Text, touch, pen, motion sensors, battery, haptics: not injected yet.
          Result(absl::UnimplementedError("event type not injected by lumen yet"), "other");
        }
      },
      ev);
}

absl::StatusOr<std::unique_ptr<InputBackend>> OpenBestBackend(
    const std::function<void(const std::string&)>& report) {
  std::string reasons;
  auto m = MutterBackend::Open();
  if (m.ok()) return std::unique_ptr<InputBackend>(std::move(*m));
  std::string r1 =
      absl::StrCat("mutter RemoteDesktop unavailable: ", std::string(m.status().message()));
  if (report) report(r1);
  auto p = PortalBackend::Open();
  if (p.ok()) return std::unique_ptr<InputBackend>(std::move(*p));
  std::string rp =
      absl::StrCat("RemoteDesktop portal unavailable: ", std::string(p.status().message()));
  if (report) report(rp);
  auto u = UinputBackend::Open();
  if (u.ok()) return std::unique_ptr<InputBackend>(std::move(*u));
  std::string r2 = absl::StrCat("uinput unavailable: ", std::string(u.status().message()));
  if (report) report(r2);
  return absl::NotFoundError(absl::StrCat("no input backend: ", r1, "; ", rp, "; ", r2));
}

}  // namespace lumen::input
