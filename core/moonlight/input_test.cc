// Tests for core/moonlight/input.h: exact bytes (doc §9.1 tables), encode/decode round trips for
// every event type, and rejection of malformed lengths, unknown magics and bad values.
#include "core/moonlight/input.h"

#include <doctest/doctest.h>

#include <limits>
#include <random>
#include <vector>

namespace lumen::moonlight::input {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Enc(const InputEvent& e) {
  Bytes b(64);
  const size_t n = EncodeInput(e, b);
  REQUIRE(n > 0);
  b.resize(n);
  return b;
}

InputEvent Dec(const Bytes& b) {
  InputEvent e;
  REQUIRE(DecodeInput(b, &e) == InputError::kOk);
  return e;
}

TEST_SUITE("MoonlightInput") {
  TEST_CASE("ExactBytes") {
    KeyEvent k;
    k.key_code = 0x8041;
    k.modifiers = kModShift;
    CHECK(Enc(k) == Bytes{0, 0, 0, 10, 3, 0, 0, 0, 0, 0x41, 0x80, 0x01, 0, 0});
    CHECK(std::get<KeyEvent>(Dec(Enc(k))).vk() == 0x41);
    CHECK(Enc(MouseMoveRel{-1, 2}) == Bytes{0, 0, 0, 8, 7, 0, 0, 0, 0xFF, 0xFF, 0x00, 0x02});
    CHECK(Enc(MousePosition{100, 200, 1919, 1079}) ==
          Bytes{0, 0, 0, 14, 5, 0, 0, 0, 0, 100, 0, 200, 0, 0, 0x07, 0x7F, 0x04, 0x37});
    CHECK(Enc(MouseButton{false, 3}) == Bytes{0, 0, 0, 5, 9, 0, 0, 0, 3});
    CHECK(Enc(ScrollVertical{-120}) ==
          Bytes{0, 0, 0, 10, 0x0A, 0, 0, 0, 0xFF, 0x88, 0xFF, 0x88, 0, 0});
    CHECK(Enc(ScrollHorizontal{60}) == Bytes{0, 0, 0, 6, 0x01, 0, 0, 0x55, 0, 60});
    CHECK(Enc(EnableHaptics{}) == Bytes{0, 0, 0, 6, 0x0D, 0, 0, 0, 1, 0});
    ControllerState c;
    c.controller = 1;
    c.active_mask = 0x3;
    c.buttons = kBtnA | kBtnPaddle1;
    c.left_trigger = 0xFF;
    c.left_y = 32767;
    c.right_x = -32768;
    CHECK(Enc(c) == Bytes{0, 0, 0, 30, 0x0C, 0, 0, 0,     0x1A, 0,    1, 0, 3, 0, 0x14, 0,
                          0x00, 0x10, 0xFF, 0, 0, 0, 0xFF, 0x7F, 0x00, 0x80, 0, 0,
                          0x9C, 0, 0x01, 0x00, 0x55, 0});
    ControllerBattery bat{2, 3, 55};
    CHECK(Enc(bat) == Bytes{0, 0, 0, 8, 0x07, 0, 0, 0x55, 2, 3, 55, 0});
    Utf8Text t;
    t.bytes[0] = static_cast<char>(0xE2);
    t.bytes[1] = static_cast<char>(0x82);
    t.bytes[2] = static_cast<char>(0xAC);
    t.length = 3;
    CHECK(Enc(t) == Bytes{0, 0, 0, 7, 0x17, 0, 0, 0, 0xE2, 0x82, 0xAC});
    Touch touch;
    touch.x = 1.0f;  // 0x3F800000 little-endian
    const Bytes tb = Enc(touch);
    REQUIRE(tb.size() == 36);
    CHECK(Bytes(tb.begin() + 16, tb.begin() + 20) == Bytes{0, 0, 0x80, 0x3F});
  }

  TEST_CASE("RoundTripEveryType") {
    std::vector<InputEvent> evs;
    evs.push_back(KeyEvent{false, 1, 0x1B, kModCtrl | kModAlt});
    Utf8Text t;
    t.length = 32;
    for (int i = 0; i < 32; ++i) t.bytes[i] = static_cast<char>('a' + i % 26);
    evs.push_back(t);
    evs.push_back(MouseMoveRel{-300, 400});
    evs.push_back(MousePosition{-5, 32000, 3839, 2159});
    evs.push_back(MouseButton{true, 5});
    evs.push_back(ScrollVertical{1});
    evs.push_back(ScrollHorizontal{-240});
    ControllerState cs;
    cs.controller = 15;
    cs.active_mask = 0x8001;
    cs.buttons = 0x3FF7FF;
    cs.left_trigger = 1;
    cs.right_trigger = 2;
    cs.left_x = -1;
    cs.left_y = 2;
    cs.right_x = -3;
    cs.right_y = 4;
    evs.push_back(cs);
    evs.push_back(EnableHaptics{});
    evs.push_back(Touch{3, 90, 77, 0.25f, 0.75f, 0.5f, 0.1f, 0.2f});
    Pen pen;
    pen.event_type = 1;
    pen.tool_type = 2;
    pen.pen_buttons = 0x05;
    pen.x = 0.5f;
    pen.y = 0.0f;
    pen.pressure_or_distance = 0.9f;
    pen.rotation = 180;
    pen.tilt = 45;
    evs.push_back(pen);
    evs.push_back(ControllerArrival{3, 2, 0x1FF, 0xFFFFF});
    evs.push_back(ControllerTouch{1, 3, 1, 9, 0.1f, 0.2f, 0.3f});
    evs.push_back(ControllerMotion{0, 2, -1.5f, 200.0f, 9.81f});
    evs.push_back(ControllerBattery{4, 5, 0xFF});
    REQUIRE(evs.size() == std::variant_size_v<InputEvent>);
    for (const auto& e : evs) {
      CAPTURE(e.index());
      const Bytes b = Enc(e);
      CHECK(LoadBe32(b.data()) + 4 == b.size());
      const InputEvent back = Dec(b);
      REQUIRE(back.index() == e.index());
      CHECK(Enc(back) == b);  // re-encoding is byte-identical
    }
  }

  TEST_CASE("MalformedRejected") {
    InputEvent e;
    CHECK(DecodeInput(Bytes{0, 0, 0}, &e) == InputError::kTruncated);
    // Header size disagrees with the packet length.
    Bytes rel = Enc(MouseMoveRel{1, 1});
    rel[3] = 9;
    CHECK(DecodeInput(rel, &e) == InputError::kLengthMismatch);
    // Right header, wrong size for the magic (too short and too long).
    Bytes key = Enc(KeyEvent{});
    Bytes short_key(key.begin(), key.end() - 1);
    StoreBe32(short_key.data(), static_cast<uint32_t>(short_key.size() - 4));
    CHECK(DecodeInput(short_key, &e) == InputError::kTruncated);
    Bytes long_key = key;
    long_key.push_back(0);
    StoreBe32(long_key.data(), static_cast<uint32_t>(long_key.size() - 4));
    CHECK(DecodeInput(long_key, &e) == InputError::kLengthMismatch);
    Bytes unk = {0, 0, 0, 4, 0x99, 0, 0, 0};
    CHECK(DecodeInput(unk, &e) == InputError::kUnknownMagic);
    // Text: empty and 33 bytes.
    Bytes empty_text = {0, 0, 0, 4, 0x17, 0, 0, 0};
    CHECK(DecodeInput(empty_text, &e) == InputError::kTruncated);
    Bytes long_text(8 + 33, 'x');
    StoreBe32(long_text.data(), 37);
    StoreLe32(long_text.data() + 4, kUtf8TextMagic);
    CHECK(DecodeInput(long_text, &e) == InputError::kLengthMismatch);
    // Bad values.
    CHECK(DecodeInput(Enc(MouseButton{true, 6}), &e) == InputError::kBadValue);
    CHECK(DecodeInput(Enc(MouseButton{true, 0}), &e) == InputError::kBadValue);
    ControllerState cs;
    cs.controller = 16;
    CHECK(DecodeInput(Enc(cs), &e) == InputError::kBadValue);
    Touch nan_touch;
    nan_touch.x = std::numeric_limits<float>::quiet_NaN();
    CHECK(DecodeInput(Enc(nan_touch), &e) == InputError::kBadValue);
    Touch far_touch;
    far_touch.y = 1.5f;
    CHECK(DecodeInput(Enc(far_touch), &e) == InputError::kBadValue);
    CHECK(DecodeInput(Enc(ControllerMotion{0, 3, 0, 0, 0}), &e) == InputError::kBadValue);
    CHECK(DecodeInput(Enc(ControllerBattery{0, 1, 101}), &e) == InputError::kBadValue);
    CHECK(DecodeInput(Enc(MousePosition{1, 1, 0, 10}), &e) == InputError::kBadValue);
    // Encode refuses what it cannot represent.
    Bytes small(4);
    CHECK(EncodeInput(KeyEvent{}, small) == 0);
    Bytes big(64);
    CHECK(EncodeInput(Utf8Text{}, big) == 0);  // empty text
  }

  TEST_CASE("EveryTruncationOfEveryPacketRejected") {
    std::vector<InputEvent> evs = {KeyEvent{}, MouseMoveRel{}, MousePosition{0, 0, 1, 1},
                                   ControllerState{}, Touch{}, Pen{}, ControllerMotion{}};
    for (const auto& ev : evs) {
      const Bytes b = Enc(ev);
      for (size_t len = 0; len < b.size(); ++len) {
        InputEvent e;
        Bytes t(b.begin(), b.begin() + len);
        CHECK(DecodeInput(t, &e) != InputError::kOk);
        if (len >= 8) {
          StoreBe32(t.data(), static_cast<uint32_t>(len - 4));  // consistent header, short body
          CHECK(DecodeInput(t, &e) != InputError::kOk);
        }
      }
    }
  }

  TEST_CASE("RandomJunk") {
    std::mt19937 rng(3);
    int ok = 0;
    for (int i = 0; i < 20000; ++i) {
      Bytes b(rng() % 48);
      for (auto& x : b) x = static_cast<uint8_t>(rng());
      if (b.size() >= 8 && rng() % 2) {
        StoreBe32(b.data(), static_cast<uint32_t>(b.size() - 4));
        static const uint32_t magics[] = {3, 4, 5, 7, 8, 9, 0xA, 0xC, 0xD, 0x17, 0x55000001,
                                          0x55000002, 0x55000003, 0x55000004, 0x55000005,
                                          0x55000006, 0x55000007};
        StoreLe32(b.data() + 4, magics[rng() % 17]);
      }
      InputEvent e;
      if (DecodeInput(b, &e) == InputError::kOk) {
        ++ok;
        Bytes again(64);
        const size_t n = EncodeInput(e, again);
        REQUIRE(n == b.size());
      }
    }
    CHECK(ok > 0);
  }
}

}  // namespace
}  // namespace lumen::moonlight::input
