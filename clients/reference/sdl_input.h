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

#include <optional>

#include "core/moonlight/input.h"

namespace lumen::client {

// Where the picture is drawn in the window and its size in pixels.
struct PictureGeometry {
  SDL_Rect dst{};  // in window (renderer output) coordinates
  int width = 0, height = 0;
};

// Windows VK code for an SDL scancode, 0 if none.
uint8_t VirtualKeyFor(SDL_Scancode sc);

// The Moonlight event for `e`, or nothing (not an input event, no VK, outside the picture).
std::optional<moonlight::input::InputEvent> TranslateSdlEvent(const SDL_Event& e,
                                                              const PictureGeometry& g);

}  // namespace lumen::client
