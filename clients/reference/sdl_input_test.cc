// clients/reference/sdl_input_test.cc — SDL events -> Moonlight input events, as the host
// decodes them: VK codes with bit 15 and modifiers, mouse positions in picture pixels
// (letterboxed window), buttons, wheel; and every result survives EncodeInput/DecodeInput.
#include "clients/reference/sdl_input.h"

#include <doctest/doctest.h>

#include <array>
#include <variant>

namespace lumen::client {
namespace {

namespace in = ::lumen::moonlight::input;

SDL_Event Key(bool down, SDL_Scancode sc, uint16_t mod = 0) {
  SDL_Event e{};
  e.type = down ? SDL_KEYDOWN : SDL_KEYUP;
  e.key.keysym.scancode = sc;
  e.key.keysym.mod = mod;
  return e;
}

// The event after a trip through the wire format (what the host's control stream sees).
in::InputEvent RoundTrip(const in::InputEvent& ev) {
  std::array<uint8_t, 128> buf{};
  const size_t n = in::EncodeInput(ev, buf);
  REQUIRE(n > 0);
  in::InputEvent out;
  REQUIRE(in::DecodeInput(std::span<const uint8_t>(buf.data(), n), &out) == in::InputError::kOk);
  return out;
}

TEST_SUITE("sdl_input") {
  TEST_CASE("keys: VK codes with bit 15, modifiers, unmapped keys dropped") {
    auto a = TranslateSdlEvent(Key(true, SDL_SCANCODE_A, KMOD_LSHIFT | KMOD_LCTRL), {});
    REQUIRE(a);
    auto k = std::get<in::KeyEvent>(RoundTrip(*a));
    CHECK(k.down);
    CHECK(k.key_code == 0x8041);
    CHECK(k.vk() == 0x41);
    CHECK(k.modifiers == (in::kModShift | in::kModCtrl));
    auto up = std::get<in::KeyEvent>(*TranslateSdlEvent(Key(false, SDL_SCANCODE_F5), {}));
    CHECK(!up.down);
    CHECK(up.vk() == 0x74);
    CHECK(VirtualKeyFor(SDL_SCANCODE_0) == 0x30);
    CHECK(VirtualKeyFor(SDL_SCANCODE_9) == 0x39);
    CHECK(VirtualKeyFor(SDL_SCANCODE_RETURN) == 0x0D);
    CHECK(VirtualKeyFor(SDL_SCANCODE_LEFT) == 0x25);
    CHECK(VirtualKeyFor(SDL_SCANCODE_KP_5) == 0x65);
    CHECK(VirtualKeyFor(SDL_SCANCODE_RGUI) == 0x5C);
    CHECK(!TranslateSdlEvent(Key(true, SDL_SCANCODE_AUDIONEXT), {}));
  }

  TEST_CASE("mouse: positions in picture pixels, letterbox outside dropped, buttons, wheel") {
    // A 1280x720 picture drawn at (0, 60) 800x450 in an 800x570 window.
    const PictureGeometry g{SDL_Rect{0, 60, 800, 450}, 1280, 720};
    SDL_Event m{};
    m.type = SDL_MOUSEMOTION;
    m.motion.x = 400;
    m.motion.y = 60 + 225;
    auto p = std::get<in::MousePosition>(RoundTrip(*TranslateSdlEvent(m, g)));
    CHECK(p.x == 640);
    CHECK(p.y == 360);
    CHECK(p.ref_width == 1279);
    CHECK(p.ref_height == 719);
    m.motion.y = 30;  // in the black bar
    CHECK(!TranslateSdlEvent(m, g));
    CHECK(!TranslateSdlEvent(m, PictureGeometry{}));  // nothing drawn yet

    SDL_Event b{};
    b.type = SDL_MOUSEBUTTONDOWN;
    b.button.button = SDL_BUTTON_RIGHT;
    auto mb = std::get<in::MouseButton>(RoundTrip(*TranslateSdlEvent(b, g)));
    CHECK(mb.down);
    CHECK(mb.button == 3);
    b.type = SDL_MOUSEBUTTONUP;
    b.button.button = SDL_BUTTON_X2;
    mb = std::get<in::MouseButton>(*TranslateSdlEvent(b, g));
    CHECK(!mb.down);
    CHECK(mb.button == 5);

    SDL_Event w{};
    w.type = SDL_MOUSEWHEEL;
    w.wheel.y = -2;
    CHECK(std::get<in::ScrollVertical>(RoundTrip(*TranslateSdlEvent(w, g))).amount == -240);
    w.wheel.y = 0;
    w.wheel.x = 1;
    w.wheel.direction = SDL_MOUSEWHEEL_FLIPPED;
    CHECK(std::get<in::ScrollHorizontal>(*TranslateSdlEvent(w, g)).amount == -120);

    SDL_Event other{};
    other.type = SDL_WINDOWEVENT;
    CHECK(!TranslateSdlEvent(other, g));
  }

  TEST_CASE("gamepads: arrival, whole state per change, Y up, triggers, removal, 16 at most") {
    GamepadTracker t;
    auto added = t.Added(101);
    REQUIRE(added.size() == 2);
    auto arrival = std::get<in::ControllerArrival>(RoundTrip(added[0]));
    CHECK(arrival.controller == 0);
    CHECK((arrival.supported_buttons & in::kBtnA) != 0);
    CHECK(std::get<in::ControllerState>(RoundTrip(added[1])).active_mask == 0x1);
    CHECK(t.Added(101).empty());        // the same pad twice
    REQUIRE(t.Added(202).size() == 2);  // second pad: number 1

    SDL_Event b{};
    b.type = SDL_CONTROLLERBUTTONDOWN;
    b.cbutton.which = 202;
    b.cbutton.button = SDL_CONTROLLER_BUTTON_A;
    auto s = std::get<in::ControllerState>(RoundTrip(t.Handle(b).at(0)));
    CHECK(s.controller == 1);
    CHECK(s.active_mask == 0x3);
    CHECK(s.buttons == in::kBtnA);
    b.cbutton.button = SDL_CONTROLLER_BUTTON_DPAD_LEFT;
    CHECK(std::get<in::ControllerState>(t.Handle(b).at(0)).buttons == (in::kBtnA | in::kBtnLeft));
    b.type = SDL_CONTROLLERBUTTONUP;
    b.cbutton.button = SDL_CONTROLLER_BUTTON_A;
    CHECK(std::get<in::ControllerState>(t.Handle(b).at(0)).buttons == in::kBtnLeft);

    SDL_Event a{};
    a.type = SDL_CONTROLLERAXISMOTION;
    a.caxis.which = 202;
    a.caxis.axis = SDL_CONTROLLER_AXIS_LEFTY;
    a.caxis.value = -32768;  // SDL: fully up
    CHECK(std::get<in::ControllerState>(t.Handle(a).at(0)).left_y == 32767);
    a.caxis.axis = SDL_CONTROLLER_AXIS_TRIGGERRIGHT;
    a.caxis.value = 32767;
    s = std::get<in::ControllerState>(RoundTrip(t.Handle(a).at(0)));
    CHECK(s.right_trigger == 255);
    CHECK(s.left_y == 32767);  // the whole state each time
    CHECK(s.buttons == in::kBtnLeft);

    a.caxis.which = 999;  // not a pad we know
    CHECK(t.Handle(a).empty());

    SDL_Event r{};
    r.type = SDL_CONTROLLERDEVICEREMOVED;
    r.cdevice.which = 101;
    s = std::get<in::ControllerState>(RoundTrip(t.Handle(r).at(0)));
    CHECK(s.controller == 0);
    CHECK(s.active_mask == 0x2);
    REQUIRE(t.Added(303).size() == 2);  // takes the freed number 0
    b.type = SDL_CONTROLLERBUTTONDOWN;
    b.cbutton.which = 303;
    b.cbutton.button = SDL_CONTROLLER_BUTTON_START;
    CHECK(std::get<in::ControllerState>(t.Handle(b).at(0)).controller == 0);

    for (SDL_JoystickID id = 400; id < 414; ++id) CHECK(t.Added(id).size() == 2);
    CHECK(t.Added(500).empty());  // 16 pads in use
  }
}

}  // namespace
}  // namespace lumen::client
