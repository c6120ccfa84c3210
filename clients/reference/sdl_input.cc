// clients/reference/sdl_input.cc — see sdl_input.h.
#include "clients/reference/sdl_input.h"

namespace lumen::client {

namespace in = ::lumen::moonlight::input;

uint8_t VirtualKeyFor(SDL_Scancode sc) {
  if (sc >= SDL_SCANCODE_A && sc <= SDL_SCANCODE_Z) return uint8_t(0x41 + (sc - SDL_SCANCODE_A));
  if (sc >= SDL_SCANCODE_1 && sc <= SDL_SCANCODE_9) return uint8_t(0x31 + (sc - SDL_SCANCODE_1));
  if (sc >= SDL_SCANCODE_F1 && sc <= SDL_SCANCODE_F12) return uint8_t(0x70 + (sc - SDL_SCANCODE_F1));
  if (sc >= SDL_SCANCODE_KP_1 && sc <= SDL_SCANCODE_KP_9) {
    return uint8_t(0x61 + (sc - SDL_SCANCODE_KP_1));  // VK_NUMPAD1..9
  }
  switch (sc) {
    case SDL_SCANCODE_0: return 0x30;
    case SDL_SCANCODE_KP_0: return 0x60;
    case SDL_SCANCODE_RETURN: return 0x0D;
    case SDL_SCANCODE_KP_ENTER: return 0x0D;
    case SDL_SCANCODE_ESCAPE: return 0x1B;
    case SDL_SCANCODE_BACKSPACE: return 0x08;
    case SDL_SCANCODE_TAB: return 0x09;
    case SDL_SCANCODE_SPACE: return 0x20;
    case SDL_SCANCODE_MINUS: return 0xBD;         // VK_OEM_MINUS
    case SDL_SCANCODE_EQUALS: return 0xBB;        // VK_OEM_PLUS
    case SDL_SCANCODE_LEFTBRACKET: return 0xDB;   // VK_OEM_4
    case SDL_SCANCODE_RIGHTBRACKET: return 0xDD;  // VK_OEM_6
    case SDL_SCANCODE_BACKSLASH: return 0xDC;     // VK_OEM_5
    case SDL_SCANCODE_SEMICOLON: return 0xBA;     // VK_OEM_1
    case SDL_SCANCODE_APOSTROPHE: return 0xDE;    // VK_OEM_7
    case SDL_SCANCODE_GRAVE: return 0xC0;         // VK_OEM_3
    case SDL_SCANCODE_COMMA: return 0xBC;         // VK_OEM_COMMA
    case SDL_SCANCODE_PERIOD: return 0xBE;        // VK_OEM_PERIOD
    case SDL_SCANCODE_SLASH: return 0xBF;         // VK_OEM_2
    case SDL_SCANCODE_NONUSBACKSLASH: return 0xE2;  // VK_OEM_102
    case SDL_SCANCODE_CAPSLOCK: return 0x14;
    case SDL_SCANCODE_PRINTSCREEN: return 0x2C;
    case SDL_SCANCODE_SCROLLLOCK: return 0x91;
    case SDL_SCANCODE_PAUSE: return 0x13;
    case SDL_SCANCODE_INSERT: return 0x2D;
    case SDL_SCANCODE_HOME: return 0x24;
    case SDL_SCANCODE_PAGEUP: return 0x21;
    case SDL_SCANCODE_DELETE: return 0x2E;
    case SDL_SCANCODE_END: return 0x23;
    case SDL_SCANCODE_PAGEDOWN: return 0x22;
    case SDL_SCANCODE_RIGHT: return 0x27;
    case SDL_SCANCODE_LEFT: return 0x25;
    case SDL_SCANCODE_DOWN: return 0x28;
    case SDL_SCANCODE_UP: return 0x26;
    case SDL_SCANCODE_NUMLOCKCLEAR: return 0x90;
    case SDL_SCANCODE_KP_DIVIDE: return 0x6F;
    case SDL_SCANCODE_KP_MULTIPLY: return 0x6A;
    case SDL_SCANCODE_KP_MINUS: return 0x6D;
    case SDL_SCANCODE_KP_PLUS: return 0x6B;
    case SDL_SCANCODE_KP_PERIOD: return 0x6E;
    case SDL_SCANCODE_APPLICATION: return 0x5D;
    case SDL_SCANCODE_LCTRL: return 0xA2;
    case SDL_SCANCODE_LSHIFT: return 0xA0;
    case SDL_SCANCODE_LALT: return 0xA4;
    case SDL_SCANCODE_LGUI: return 0x5B;
    case SDL_SCANCODE_RCTRL: return 0xA3;
    case SDL_SCANCODE_RSHIFT: return 0xA1;
    case SDL_SCANCODE_RALT: return 0xA5;
    case SDL_SCANCODE_RGUI: return 0x5C;
    default: return 0;
  }
}

namespace {

uint8_t Modifiers(uint16_t mod) {
  uint8_t m = 0;
  if (mod & KMOD_SHIFT) m |= in::kModShift;
  if (mod & KMOD_CTRL) m |= in::kModCtrl;
  if (mod & KMOD_ALT) m |= in::kModAlt;
  if (mod & KMOD_GUI) m |= in::kModMeta;
  return m;
}

}  // namespace

std::optional<in::InputEvent> TranslateSdlEvent(const SDL_Event& e, const PictureGeometry& g) {
  switch (e.type) {
    case SDL_KEYDOWN:
    case SDL_KEYUP: {
      const uint8_t vk = VirtualKeyFor(e.key.keysym.scancode);
      if (vk == 0) return std::nullopt;
      in::KeyEvent k;
      k.down = e.type == SDL_KEYDOWN;
      k.key_code = uint16_t(0x8000 | vk);
      k.modifiers = Modifiers(e.key.keysym.mod);
      return k;
    }
    case SDL_MOUSEMOTION: {
      if (g.width <= 0 || g.height <= 0 || g.dst.w <= 0 || g.dst.h <= 0) return std::nullopt;
      const int x = e.motion.x - g.dst.x, y = e.motion.y - g.dst.y;
      if (x < 0 || y < 0 || x >= g.dst.w || y >= g.dst.h) return std::nullopt;
      in::MousePosition p;
      p.x = int16_t(int64_t(x) * g.width / g.dst.w);
      p.y = int16_t(int64_t(y) * g.height / g.dst.h);
      p.ref_width = uint16_t(g.width - 1);  // Moonlight clients send size - 1
      p.ref_height = uint16_t(g.height - 1);
      return p;
    }
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP: {
      uint8_t b = 0;
      switch (e.button.button) {
        case SDL_BUTTON_LEFT: b = 1; break;
        case SDL_BUTTON_MIDDLE: b = 2; break;
        case SDL_BUTTON_RIGHT: b = 3; break;
        case SDL_BUTTON_X1: b = 4; break;
        case SDL_BUTTON_X2: b = 5; break;
        default: return std::nullopt;
      }
      return in::MouseButton{e.type == SDL_MOUSEBUTTONDOWN, b};
    }
    case SDL_MOUSEWHEEL: {
      const int dir = e.wheel.direction == SDL_MOUSEWHEEL_FLIPPED ? -1 : 1;
      if (e.wheel.y != 0) return in::ScrollVertical{int16_t(e.wheel.y * 120 * dir)};
      if (e.wheel.x != 0) return in::ScrollHorizontal{int16_t(e.wheel.x * 120 * dir)};
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

namespace {

uint32_t ButtonBit(uint8_t b) {
  switch (b) {
    case SDL_CONTROLLER_BUTTON_A: return in::kBtnA;
    case SDL_CONTROLLER_BUTTON_B: return in::kBtnB;
    case SDL_CONTROLLER_BUTTON_X: return in::kBtnX;
    case SDL_CONTROLLER_BUTTON_Y: return in::kBtnY;
    case SDL_CONTROLLER_BUTTON_BACK: return in::kBtnBack;
    case SDL_CONTROLLER_BUTTON_GUIDE: return in::kBtnGuide;
    case SDL_CONTROLLER_BUTTON_START: return in::kBtnStart;
    case SDL_CONTROLLER_BUTTON_LEFTSTICK: return in::kBtnLsClick;
    case SDL_CONTROLLER_BUTTON_RIGHTSTICK: return in::kBtnRsClick;
    case SDL_CONTROLLER_BUTTON_LEFTSHOULDER: return in::kBtnLb;
    case SDL_CONTROLLER_BUTTON_RIGHTSHOULDER: return in::kBtnRb;
    case SDL_CONTROLLER_BUTTON_DPAD_UP: return in::kBtnUp;
    case SDL_CONTROLLER_BUTTON_DPAD_DOWN: return in::kBtnDown;
    case SDL_CONTROLLER_BUTTON_DPAD_LEFT: return in::kBtnLeft;
    case SDL_CONTROLLER_BUTTON_DPAD_RIGHT: return in::kBtnRight;
    case SDL_CONTROLLER_BUTTON_MISC1: return in::kBtnMisc;
    case SDL_CONTROLLER_BUTTON_PADDLE1: return in::kBtnPaddle1;
    case SDL_CONTROLLER_BUTTON_PADDLE2: return in::kBtnPaddle2;
    case SDL_CONTROLLER_BUTTON_PADDLE3: return in::kBtnPaddle3;
    case SDL_CONTROLLER_BUTTON_PADDLE4: return in::kBtnPaddle4;
    case SDL_CONTROLLER_BUTTON_TOUCHPAD: return in::kBtnTouchpad;
    default: return 0;
  }
}

constexpr uint32_t kAllButtons = in::kBtnA | in::kBtnB | in::kBtnX | in::kBtnY | in::kBtnBack |
                                 in::kBtnGuide | in::kBtnStart | in::kBtnLsClick |
                                 in::kBtnRsClick | in::kBtnLb | in::kBtnRb | in::kBtnUp |
                                 in::kBtnDown | in::kBtnLeft | in::kBtnRight;

int16_t Up(int16_t sdl_y) { return sdl_y == -32768 ? int16_t(32767) : int16_t(-sdl_y); }

}  // namespace

GamepadTracker::Pad* GamepadTracker::Find(SDL_JoystickID instance) {
  for (Pad& p : pads_) {
    if (p.used && p.instance == instance) return &p;
  }
  return nullptr;
}

in::ControllerState GamepadTracker::Report(const Pad& p) const {
  in::ControllerState s = p.state;
  s.active_mask = active_mask_;
  return s;
}

std::vector<in::InputEvent> GamepadTracker::Added(SDL_JoystickID instance) {
  if (Find(instance) != nullptr) return {};
  for (size_t n = 0; n < pads_.size(); ++n) {
    Pad& p = pads_[n];
    if (p.used) continue;
    p = Pad{true, instance, {}};
    p.state.controller = uint16_t(n);
    active_mask_ |= uint16_t(1u << n);
    in::ControllerArrival a;
    a.controller = uint8_t(n);
    a.supported_buttons = kAllButtons;
    return {a, Report(p)};
  }
  return {};
}

std::vector<in::InputEvent> GamepadTracker::Handle(const SDL_Event& e) {
  switch (e.type) {
    case SDL_CONTROLLERDEVICEREMOVED: {
      Pad* p = Find(e.cdevice.which);
      if (p == nullptr) return {};
      active_mask_ &= uint16_t(~(1u << p->state.controller));
      in::ControllerState gone = Report(*p);  // the cleared bit is the removal
      gone.buttons = 0;
      gone.left_trigger = gone.right_trigger = 0;
      gone.left_x = gone.left_y = gone.right_x = gone.right_y = 0;
      *p = Pad{};
      return {gone};
    }
    case SDL_CONTROLLERBUTTONDOWN:
    case SDL_CONTROLLERBUTTONUP: {
      Pad* p = Find(e.cbutton.which);
      const uint32_t bit = ButtonBit(e.cbutton.button);
      if (p == nullptr || bit == 0) return {};
      if (e.type == SDL_CONTROLLERBUTTONDOWN) {
        p->state.buttons |= bit;
      } else {
        p->state.buttons &= ~bit;
      }
      return {Report(*p)};
    }
    case SDL_CONTROLLERAXISMOTION: {
      Pad* p = Find(e.caxis.which);
      if (p == nullptr) return {};
      const int16_t v = e.caxis.value;
      auto trigger = [](int16_t t) { return uint8_t(t <= 0 ? 0 : int(t) * 255 / 32767); };
      switch (e.caxis.axis) {
        case SDL_CONTROLLER_AXIS_LEFTX: p->state.left_x = v; break;
        case SDL_CONTROLLER_AXIS_LEFTY: p->state.left_y = Up(v); break;
        case SDL_CONTROLLER_AXIS_RIGHTX: p->state.right_x = v; break;
        case SDL_CONTROLLER_AXIS_RIGHTY: p->state.right_y = Up(v); break;
        case SDL_CONTROLLER_AXIS_TRIGGERLEFT: p->state.left_trigger = trigger(v); break;
        case SDL_CONTROLLER_AXIS_TRIGGERRIGHT: p->state.right_trigger = trigger(v); break;
        default: return {};
      }
      return {Report(*p)};
    }
    default:
      return {};
  }
}

}  // namespace lumen::client
