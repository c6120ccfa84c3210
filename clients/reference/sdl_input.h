// clients/reference/sdl_input.h — the reference client window's keyboard and mouse, as
// Moonlight input events for the host (control stream 0x0206; core/moonlight/input.h).
//
// Keys become Windows virtual-key codes (what Moonlight clients send, with bit 15 set as
// moonlight-qt does) plus the modifier byte; keys without a VK (media keys and the like)
// are dropped. The mouse position is mapped from the window into the picture's own pixels
// (the picture is letterboxed in the window; the reference size is sent as size - 1, like
// moonlight-qt), outside the picture it is not sent; buttons
// 1-5; the wheel in Windows units (120 a notch). Pure translation: no SDL calls.
#pragma once

#include <SDL2/SDL.h>

#include <array>
#include <optional>
#include <vector>

#include "core/moonlight/input.h"

namespace lumen::client {

// Where the picture is drawn in the window and its size in pixels.
struct PictureGeometry {
  SDL_Rect dst{};  // in window (renderer output) coordinates
  int width = 0, height = 0;
};

// Game controllers (SDL_GameController) as Moonlight's multi-controller state: up to 16
// pads numbered in arrival order, each reported whole (buttons, triggers 0-255, sticks with
// Y up) after every change, with the mask of the pads present; an arrival announces the pad
// (ControllerArrival) first; a removal sends the mask without it.
class GamepadTracker {
 public:
  // A controller was opened (SDL_CONTROLLERDEVICEADDED carries a device index; the caller
  // opens it and passes the joystick instance id). Nothing when 16 pads are in use.
  std::vector<moonlight::input::InputEvent> Added(SDL_JoystickID instance);
  // SDL_CONTROLLERDEVICEREMOVED / BUTTONDOWN / BUTTONUP / AXISMOTION; others: nothing.
  std::vector<moonlight::input::InputEvent> Handle(const SDL_Event& e);

 private:
  struct Pad {
    bool used = false;
    SDL_JoystickID instance = -1;
    moonlight::input::ControllerState state;
  };
  Pad* Find(SDL_JoystickID instance);
  moonlight::input::ControllerState Report(const Pad& p) const;
  std::array<Pad, moonlight::input::kMaxControllers> pads_{};
  uint16_t active_mask_ = 0;
};

// Windows VK code for an SDL scancode, 0 if none.
uint8_t VirtualKeyFor(SDL_Scancode sc);

// The Moonlight event for `e`, or nothing (not an input event, no VK, outside the picture).
std::optional<moonlight::input::InputEvent> TranslateSdlEvent(const SDL_Event& e,
                                                              const PictureGeometry& g);

}  // namespace lumen::client
