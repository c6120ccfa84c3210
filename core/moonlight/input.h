// core/moonlight/input.h — Moonlight input packets (payload of control message 0x0206), §9.
//
// Every packet starts with an 8-byte header {BE32 size = total length - 4, LE32 magic}; the body
// layout depends on the magic and mixes byte orders (mouse coordinates and scroll amounts are
// big-endian, everything else little-endian, floats are little-endian IEEE-754).
//
// DecodeInput() turns one packet into a typed InputEvent (a std::variant); EncodeInput() is the
// exact inverse (the reference client and tests use it). Decoding is strict about lengths: the
// header size must match the packet, and each magic has a fixed size (text: 1..32 bytes).
// Values a host cannot act on are rejected with kBadValue (controller number >= 16, mouse button
// outside 1..5, non-finite or out-of-range normalized coordinates). Nothing allocates.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <type_traits>
#include <variant>

#include "core/moonlight/wire.h"

namespace lumen::moonlight::input {

// Packet magics (LE32 at offset 4).
inline constexpr uint32_t kKeyDownMagic = 0x00000003;
inline constexpr uint32_t kKeyUpMagic = 0x00000004;
inline constexpr uint32_t kMouseMoveAbsMagic = 0x00000005;
inline constexpr uint32_t kMouseMoveRelMagic = 0x00000007;
inline constexpr uint32_t kMouseButtonDownMagic = 0x00000008;
inline constexpr uint32_t kMouseButtonUpMagic = 0x00000009;
inline constexpr uint32_t kScrollMagic = 0x0000000A;
inline constexpr uint32_t kMultiControllerMagic = 0x0000000C;
inline constexpr uint32_t kEnableHapticsMagic = 0x0000000D;
inline constexpr uint32_t kUtf8TextMagic = 0x00000017;
inline constexpr uint32_t kHScrollMagic = 0x55000001;
inline constexpr uint32_t kTouchMagic = 0x55000002;
inline constexpr uint32_t kPenMagic = 0x55000003;
inline constexpr uint32_t kControllerArrivalMagic = 0x55000004;
inline constexpr uint32_t kControllerTouchMagic = 0x55000005;
inline constexpr uint32_t kControllerMotionMagic = 0x55000006;
inline constexpr uint32_t kControllerBatteryMagic = 0x55000007;

inline constexpr size_t kHeaderSize = 8;
inline constexpr size_t kMaxTextBytes = 32;
inline constexpr size_t kMaxPacketSize = kHeaderSize + kMaxTextBytes;  // 40 (fixed ones <= 36)

// Keyboard modifier bits.
inline constexpr uint8_t kModShift = 0x01, kModCtrl = 0x02, kModAlt = 0x04, kModMeta = 0x08;
// Gamepad button bits (buttons field; bits 16+ are Sunshine's buttonFlags2).
inline constexpr uint32_t kBtnUp = 0x0001, kBtnDown = 0x0002, kBtnLeft = 0x0004,
                          kBtnRight = 0x0008, kBtnStart = 0x0010, kBtnBack = 0x0020,
                          kBtnLsClick = 0x0040, kBtnRsClick = 0x0080, kBtnLb = 0x0100,
                          kBtnRb = 0x0200, kBtnGuide = 0x0400, kBtnA = 0x1000, kBtnB = 0x2000,
                          kBtnX = 0x4000, kBtnY = 0x8000, kBtnPaddle1 = 0x010000,
                          kBtnPaddle2 = 0x020000, kBtnPaddle3 = 0x040000,
                          kBtnPaddle4 = 0x080000, kBtnTouchpad = 0x100000, kBtnMisc = 0x200000;
inline constexpr int kMaxControllers = 16;

enum class InputError : uint8_t {
  kOk = 0,
  kTruncated,       // shorter than the header or the magic's fixed size
  kLengthMismatch,  // header size != packet length - 4, or the wrong size for the magic
  kUnknownMagic,
  kBadValue,        // a field outside what the protocol allows
  kBufferTooSmall,  // encode only
  kCount
};

struct KeyEvent {
  bool down = true;
  uint8_t flags = 0;      // Sunshine ext.: 0x01 = key code is not normalized
  uint16_t key_code = 0;  // Windows VK; moonlight-qt sets bit 15, so use vk()
  uint8_t modifiers = 0;  // kMod*
  uint8_t vk() const noexcept { return static_cast<uint8_t>(key_code & 0xFF); }
};
struct Utf8Text {
  std::array<char, kMaxTextBytes> bytes{};
  uint8_t length = 0;  // 1..32 (the client sends one code point per packet)
  std::string_view text() const noexcept { return {bytes.data(), length}; }
};
struct MouseMoveRel {
  int16_t dx = 0, dy = 0;
};
struct MousePosition {
  int16_t x = 0, y = 0;
  uint16_t ref_width = 0, ref_height = 0;  // the client sends size - 1
};
struct MouseButton {
  bool down = true;
  uint8_t button = 1;  // 1 left, 2 middle, 3 right, 4 X1, 5 X2
};
struct ScrollVertical {
  int16_t amount = 0;  // 120 = one notch; high resolution allowed
};
struct ScrollHorizontal {
  int16_t amount = 0;
};
struct ControllerState {
  uint16_t controller = 0;   // 0..15
  uint16_t active_mask = 0;  // bit n = pad n present (a cleared bit is a removal)
  uint32_t buttons = 0;      // kBtn* (low 16 bits buttonFlags, high 16 bits buttonFlags2)
  uint8_t left_trigger = 0, right_trigger = 0;
  int16_t left_x = 0, left_y = 0, right_x = 0, right_y = 0;  // Y positive = up
};
struct EnableHaptics {};
struct Touch {
  uint8_t event_type = 0;  // 0 hover .. 7 cancel-all
  uint16_t rotation = 0xFFFF;
  uint32_t pointer_id = 0;
  float x = 0, y = 0;  // 0..1
  float pressure_or_distance = 0;
  float contact_major = 0, contact_minor = 0;
};
struct Pen {
  uint8_t event_type = 0;
  uint8_t tool_type = 0;    // 0 unknown, 1 pen, 2 eraser
  uint8_t pen_buttons = 0;  // 0x01, 0x02, 0x04
  float x = 0, y = 0;
  float pressure_or_distance = 0;
  uint16_t rotation = 0xFFFF;
  uint8_t tilt = 0xFF;  // 0..90, 0xFF unknown
  float contact_major = 0, contact_minor = 0;
};
struct ControllerArrival {
  uint8_t controller = 0;
  uint8_t type = 0;  // 0 unknown, 1 Xbox, 2 PlayStation, 3 Nintendo, 4 Steam
  uint16_t capabilities = 0;
  uint32_t supported_buttons = 0;
};
struct ControllerTouch {
  uint8_t controller = 0;
  uint8_t event_type = 0;
  uint8_t touchpad_index = 0;
  uint32_t pointer_id = 0;
  float x = 0, y = 0, pressure = 0;
};
struct ControllerMotion {
  uint8_t controller = 0;
  uint8_t motion_type = 1;  // 1 accelerometer (m/s^2), 2 gyro (deg/s)
  float x = 0, y = 0, z = 0;
};
struct ControllerBattery {
  uint8_t controller = 0;
  uint8_t state = 0;      // 0 unknown .. 5 full
  uint8_t percent = 0xFF;  // 0xFF unknown
};

using InputEvent = std::variant<KeyEvent, Utf8Text, MouseMoveRel, MousePosition, MouseButton,
                                ScrollVertical, ScrollHorizontal, ControllerState, EnableHaptics,
                                Touch, Pen, ControllerArrival, ControllerTouch, ControllerMotion,
                                ControllerBattery>;

namespace detail {

inline bool Unit(float v) noexcept { return std::isfinite(v) && v >= 0.0f && v <= 1.0f; }
inline bool Finite(float v) noexcept { return std::isfinite(v); }

// Fixed total packet size for a magic, or 0 when unknown; text is variable.
inline constexpr size_t FixedSize(uint32_t magic) noexcept {
  switch (magic) {
    case kKeyDownMagic:
    case kKeyUpMagic: return 14;
    case kMouseMoveAbsMagic: return 18;
    case kMouseMoveRelMagic: return 12;
    case kMouseButtonDownMagic:
    case kMouseButtonUpMagic: return 9;
    case kScrollMagic: return 14;
    case kMultiControllerMagic: return 34;
    case kEnableHapticsMagic: return 10;
    case kHScrollMagic: return 10;
    case kTouchMagic: return 36;
    case kPenMagic: return 36;
    case kControllerArrivalMagic: return 16;
    case kControllerTouchMagic: return 28;
    case kControllerMotionMagic: return 24;
    case kControllerBatteryMagic: return 12;
    default: return 0;
  }
}

}  // namespace detail

// Decodes one input packet. On success *out holds the event.
inline InputError DecodeInput(std::span<const uint8_t> pkt, InputEvent* out) noexcept {
  if (pkt.size() < kHeaderSize) return InputError::kTruncated;
  const uint8_t* p = pkt.data();
  const uint32_t size = LoadBe32(p);
  if (static_cast<uint64_t>(size) + 4 != pkt.size()) return InputError::kLengthMismatch;
  const uint32_t magic = LoadLe32(p + 4);
  if (magic == kUtf8TextMagic) {
    const size_t n = pkt.size() - kHeaderSize;
    if (n == 0) return InputError::kTruncated;
    if (n > kMaxTextBytes) return InputError::kLengthMismatch;
    Utf8Text t;
    std::memcpy(t.bytes.data(), p + kHeaderSize, n);
    t.length = static_cast<uint8_t>(n);
    *out = t;
    return InputError::kOk;
  }
  const size_t want = detail::FixedSize(magic);
  if (want == 0) return InputError::kUnknownMagic;
  if (pkt.size() < want) return InputError::kTruncated;
  if (pkt.size() != want) return InputError::kLengthMismatch;
  switch (magic) {
    case kKeyDownMagic:
    case kKeyUpMagic: {
      KeyEvent k;
      k.down = magic == kKeyDownMagic;
      k.flags = p[8];
      k.key_code = LoadLe16(p + 9);
      k.modifiers = p[11];
      *out = k;
      return InputError::kOk;
    }
    case kMouseMoveAbsMagic: {
      MousePosition m;
      m.x = static_cast<int16_t>(LoadBe16(p + 8));
      m.y = static_cast<int16_t>(LoadBe16(p + 10));
      m.ref_width = LoadBe16(p + 14);
      m.ref_height = LoadBe16(p + 16);
      if (m.ref_width == 0 || m.ref_height == 0) return InputError::kBadValue;
      *out = m;
      return InputError::kOk;
    }
    case kMouseMoveRelMagic:
      *out = MouseMoveRel{static_cast<int16_t>(LoadBe16(p + 8)),
                          static_cast<int16_t>(LoadBe16(p + 10))};
      return InputError::kOk;
    case kMouseButtonDownMagic:
    case kMouseButtonUpMagic: {
      MouseButton b{magic == kMouseButtonDownMagic, p[8]};
      if (b.button < 1 || b.button > 5) return InputError::kBadValue;
      *out = b;
      return InputError::kOk;
    }
    case kScrollMagic:
      *out = ScrollVertical{static_cast<int16_t>(LoadBe16(p + 8))};
      return InputError::kOk;
    case kHScrollMagic:
      *out = ScrollHorizontal{static_cast<int16_t>(LoadBe16(p + 8))};
      return InputError::kOk;
    case kMultiControllerMagic: {
      ControllerState c;
      c.controller = LoadLe16(p + 10);
      c.active_mask = LoadLe16(p + 12);
      c.buttons = LoadLe16(p + 16) | (static_cast<uint32_t>(LoadLe16(p + 30)) << 16);
      c.left_trigger = p[18];
      c.right_trigger = p[19];
      c.left_x = static_cast<int16_t>(LoadLe16(p + 20));
      c.left_y = static_cast<int16_t>(LoadLe16(p + 22));
      c.right_x = static_cast<int16_t>(LoadLe16(p + 24));
      c.right_y = static_cast<int16_t>(LoadLe16(p + 26));
      if (c.controller >= kMaxControllers) return InputError::kBadValue;
      *out = c;
      return InputError::kOk;
    }
    case kEnableHapticsMagic:
      *out = EnableHaptics{};
      return InputError::kOk;
    case kTouchMagic: {
      Touch t;
      t.event_type = p[8];
      t.rotation = LoadLe16(p + 10);
      t.pointer_id = LoadLe32(p + 12);
      t.x = LoadLeF32(p + 16);
      t.y = LoadLeF32(p + 20);
      t.pressure_or_distance = LoadLeF32(p + 24);
      t.contact_major = LoadLeF32(p + 28);
      t.contact_minor = LoadLeF32(p + 32);
      if (t.event_type > 7 || !detail::Unit(t.x) || !detail::Unit(t.y) ||
          !detail::Finite(t.pressure_or_distance) || !detail::Finite(t.contact_major) ||
          !detail::Finite(t.contact_minor)) {
        return InputError::kBadValue;
      }
      *out = t;
      return InputError::kOk;
    }
    case kPenMagic: {
      Pen n;
      n.event_type = p[8];
      n.tool_type = p[9];
      n.pen_buttons = p[10];
      n.x = LoadLeF32(p + 12);
      n.y = LoadLeF32(p + 16);
      n.pressure_or_distance = LoadLeF32(p + 20);
      n.rotation = LoadLe16(p + 24);
      n.tilt = p[26];
      n.contact_major = LoadLeF32(p + 28);
      n.contact_minor = LoadLeF32(p + 32);
      if (n.event_type > 7 || !detail::Unit(n.x) || !detail::Unit(n.y) ||
          !detail::Finite(n.pressure_or_distance) || !detail::Finite(n.contact_major) ||
          !detail::Finite(n.contact_minor)) {
        return InputError::kBadValue;
      }
      *out = n;
      return InputError::kOk;
    }
    case kControllerArrivalMagic: {
      ControllerArrival a{p[8], p[9], LoadLe16(p + 10), LoadLe32(p + 12)};
      if (a.controller >= kMaxControllers) return InputError::kBadValue;
      *out = a;
      return InputError::kOk;
    }
    case kControllerTouchMagic: {
      ControllerTouch t;
      t.controller = p[8];
      t.event_type = p[9];
      t.touchpad_index = p[11];
      t.pointer_id = LoadLe32(p + 12);
      t.x = LoadLeF32(p + 16);
      t.y = LoadLeF32(p + 20);
      t.pressure = LoadLeF32(p + 24);
      if (t.controller >= kMaxControllers || t.event_type > 7 || !detail::Unit(t.x) ||
          !detail::Unit(t.y) || !detail::Finite(t.pressure)) {
        return InputError::kBadValue;
      }
      *out = t;
      return InputError::kOk;
    }
    case kControllerMotionMagic: {
      ControllerMotion m;
      m.controller = p[8];
      m.motion_type = p[9];
      m.x = LoadLeF32(p + 12);
      m.y = LoadLeF32(p + 16);
      m.z = LoadLeF32(p + 20);
      if (m.controller >= kMaxControllers || (m.motion_type != 1 && m.motion_type != 2) ||
          !detail::Finite(m.x) || !detail::Finite(m.y) || !detail::Finite(m.z)) {
        return InputError::kBadValue;
      }
      *out = m;
      return InputError::kOk;
    }
    case kControllerBatteryMagic: {
      ControllerBattery b{p[8], p[9], p[10]};
      if (b.controller >= kMaxControllers || b.state > 5 ||
          (b.percent > 100 && b.percent != 0xFF)) {
        return InputError::kBadValue;
      }
      *out = b;
      return InputError::kOk;
    }
    default:
      return InputError::kUnknownMagic;
  }
}

// Encodes one event as a complete input packet into `out`. Returns bytes written, 0 when `out`
// is too small or the event cannot be represented (empty or over-long text).
inline size_t EncodeInput(const InputEvent& ev, std::span<uint8_t> out) noexcept {
  uint8_t buf[kMaxPacketSize]{};
  uint32_t magic = 0;
  size_t total = 0;
  uint8_t* b = buf;
  std::visit(
      [&](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, KeyEvent>) {
          magic = e.down ? kKeyDownMagic : kKeyUpMagic;
          b[8] = e.flags;
          StoreLe16(b + 9, e.key_code);
          b[11] = e.modifiers;
        } else if constexpr (std::is_same_v<T, Utf8Text>) {
          magic = kUtf8TextMagic;
          if (e.length == 0 || e.length > kMaxTextBytes) return;
          std::memcpy(b + 8, e.bytes.data(), e.length);
          total = kHeaderSize + e.length;
        } else if constexpr (std::is_same_v<T, MouseMoveRel>) {
          magic = kMouseMoveRelMagic;
          StoreBe16(b + 8, static_cast<uint16_t>(e.dx));
          StoreBe16(b + 10, static_cast<uint16_t>(e.dy));
        } else if constexpr (std::is_same_v<T, MousePosition>) {
          magic = kMouseMoveAbsMagic;
          StoreBe16(b + 8, static_cast<uint16_t>(e.x));
          StoreBe16(b + 10, static_cast<uint16_t>(e.y));
          StoreBe16(b + 14, e.ref_width);
          StoreBe16(b + 16, e.ref_height);
        } else if constexpr (std::is_same_v<T, MouseButton>) {
          magic = e.down ? kMouseButtonDownMagic : kMouseButtonUpMagic;
          b[8] = e.button;
        } else if constexpr (std::is_same_v<T, ScrollVertical>) {
          magic = kScrollMagic;
          StoreBe16(b + 8, static_cast<uint16_t>(e.amount));
          StoreBe16(b + 10, static_cast<uint16_t>(e.amount));
        } else if constexpr (std::is_same_v<T, ScrollHorizontal>) {
          magic = kHScrollMagic;
          StoreBe16(b + 8, static_cast<uint16_t>(e.amount));
        } else if constexpr (std::is_same_v<T, ControllerState>) {
          magic = kMultiControllerMagic;
          StoreLe16(b + 8, 0x001A);
          StoreLe16(b + 10, e.controller);
          StoreLe16(b + 12, e.active_mask);
          StoreLe16(b + 14, 0x0014);
          StoreLe16(b + 16, static_cast<uint16_t>(e.buttons));
          b[18] = e.left_trigger;
          b[19] = e.right_trigger;
          StoreLe16(b + 20, static_cast<uint16_t>(e.left_x));
          StoreLe16(b + 22, static_cast<uint16_t>(e.left_y));
          StoreLe16(b + 24, static_cast<uint16_t>(e.right_x));
          StoreLe16(b + 26, static_cast<uint16_t>(e.right_y));
          StoreLe16(b + 28, 0x009C);
          StoreLe16(b + 30, static_cast<uint16_t>(e.buttons >> 16));
          StoreLe16(b + 32, 0x0055);
        } else if constexpr (std::is_same_v<T, EnableHaptics>) {
          magic = kEnableHapticsMagic;
          StoreLe16(b + 8, 1);
        } else if constexpr (std::is_same_v<T, Touch>) {
          magic = kTouchMagic;
          b[8] = e.event_type;
          StoreLe16(b + 10, e.rotation);
          StoreLe32(b + 12, e.pointer_id);
          StoreLeF32(b + 16, e.x);
          StoreLeF32(b + 20, e.y);
          StoreLeF32(b + 24, e.pressure_or_distance);
          StoreLeF32(b + 28, e.contact_major);
          StoreLeF32(b + 32, e.contact_minor);
        } else if constexpr (std::is_same_v<T, Pen>) {
          magic = kPenMagic;
          b[8] = e.event_type;
          b[9] = e.tool_type;
          b[10] = e.pen_buttons;
          StoreLeF32(b + 12, e.x);
          StoreLeF32(b + 16, e.y);
          StoreLeF32(b + 20, e.pressure_or_distance);
          StoreLe16(b + 24, e.rotation);
          b[26] = e.tilt;
          StoreLeF32(b + 28, e.contact_major);
          StoreLeF32(b + 32, e.contact_minor);
        } else if constexpr (std::is_same_v<T, ControllerArrival>) {
          magic = kControllerArrivalMagic;
          b[8] = e.controller;
          b[9] = e.type;
          StoreLe16(b + 10, e.capabilities);
          StoreLe32(b + 12, e.supported_buttons);
        } else if constexpr (std::is_same_v<T, ControllerTouch>) {
          magic = kControllerTouchMagic;
          b[8] = e.controller;
          b[9] = e.event_type;
          b[11] = e.touchpad_index;
          StoreLe32(b + 12, e.pointer_id);
          StoreLeF32(b + 16, e.x);
          StoreLeF32(b + 20, e.y);
          StoreLeF32(b + 24, e.pressure);
        } else if constexpr (std::is_same_v<T, ControllerMotion>) {
          magic = kControllerMotionMagic;
          b[8] = e.controller;
          b[9] = e.motion_type;
          StoreLeF32(b + 12, e.x);
          StoreLeF32(b + 16, e.y);
          StoreLeF32(b + 20, e.z);
        } else if constexpr (std::is_same_v<T, ControllerBattery>) {
          magic = kControllerBatteryMagic;
          b[8] = e.controller;
          b[9] = e.state;
          b[10] = e.percent;
        }
      },
      ev);
  if (magic == kUtf8TextMagic) {
    if (total == 0) return 0;
  } else {
    total = detail::FixedSize(magic);
  }
  if (total == 0 || out.size() < total) return 0;
  StoreBe32(b, static_cast<uint32_t>(total - 4));
  StoreLe32(b + 4, magic);
  std::memcpy(out.data(), b, total);
  return total;
}

}  // namespace lumen::moonlight::input
