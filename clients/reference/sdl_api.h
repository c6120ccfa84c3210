// clients/reference/sdl_api.h — SDL2, loaded at run time for the window (dlopen of
// libSDL2-2.0.so.0) instead of linked: `lumen` embeds the presenter for `lumen demo
// --window`, and a host machine without SDL2 (a headless server) must still start `lumen`,
// `lumen serve` and the demo without a window. Types and constants come from libsdl2-dev's
// headers at build time; only the functions the presenter calls are looked up.
#pragma once

#include <SDL2/SDL.h>

#include "absl/status/statusor.h"

namespace lumen::client {

#define LUMEN_SDL_FUNCTIONS(X) \
  X(CreateRenderer)            \
  X(CreateTexture)             \
  X(CreateWindow)              \
  X(DestroyRenderer)           \
  X(DestroyTexture)            \
  X(DestroyWindow)             \
  X(GameControllerClose)       \
  X(GameControllerGetJoystick) \
  X(GameControllerOpen)        \
  X(GetError)                  \
  X(GetRendererOutputSize)     \
  X(HideWindow)                \
  X(InitSubSystem)             \
  X(JoystickInstanceID)        \
  X(PollEvent)                 \
  X(Quit)                      \
  X(QuitSubSystem)             \
  X(RenderClear)               \
  X(RenderCopy)                \
  X(RenderPresent)             \
  X(RenderReadPixels)          \
  X(SetHint)                   \
  X(SetRenderDrawColor)        \
  X(SetWindowSize)             \
  X(SetYUVConversionMode)      \
  X(ShowWindow)                \
  X(UpdateNVTexture)           \
  X(UpdateYUVTexture)

// sdl->CreateWindow(...) calls SDL_CreateWindow(...).
struct SdlApi {
#define LUMEN_SDL_MEMBER(name) decltype(&::SDL_##name) name = nullptr;
  LUMEN_SDL_FUNCTIONS(LUMEN_SDL_MEMBER)
#undef LUMEN_SDL_MEMBER
};

// Loads SDL2 on first use (libSDL2-2.0.so.0, or the file LUMEN_SDL_LIBRARY names) (thread-safe; the
// library then stays loaded for the process) and returns its functions, or an error naming the
// library and why it could not be used (e.g. not installed: Debian's package is libsdl2-2.0-0).
absl::StatusOr<const SdlApi*> LoadSdl();

}  // namespace lumen::client
