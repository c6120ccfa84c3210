// clients/reference/sdl_api.cc — see sdl_api.h.
#include "clients/reference/sdl_api.h"

#include <dlfcn.h>

#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"

namespace lumen::client {
namespace {

constexpr char kLibrary[] = "libSDL2-2.0.so.0";

absl::StatusOr<const SdlApi*> Load() {
  const char* env = std::getenv("LUMEN_SDL_LIBRARY");
  const std::string file = env != nullptr && *env != '\0' ? env : kLibrary;
  void* lib = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    const char* why = dlerror();
    return absl::UnavailableError(
        absl::StrCat("SDL2 is needed for the window: ", why != nullptr ? why : file,
                     " (Debian: apt install libsdl2-2.0-0)"));
  }
  static SdlApi api;
#define LUMEN_SDL_RESOLVE(name)                                                       \
  api.name = reinterpret_cast<decltype(api.name)>(dlsym(lib, "SDL_" #name));          \
  if (api.name == nullptr) {                                                          \
    return absl::UnavailableError(                                                    \
        absl::StrCat(file, " lacks SDL_" #name, " (SDL 2.0.16 or newer is needed)")); \
  }
  LUMEN_SDL_FUNCTIONS(LUMEN_SDL_RESOLVE)
#undef LUMEN_SDL_RESOLVE
  return &api;
}

}  // namespace

absl::StatusOr<const SdlApi*> LoadSdl() {
  static const absl::StatusOr<const SdlApi*> api = Load();
  return api;
}

}  // namespace lumen::client
