// clients/reference/sdl_api_test.cc — SDL2 is loaded at run time, never linked:
//  * with the library missing (LUMEN_SDL_LIBRARY names a file that does not exist, as on a
//    machine without libsdl2-2.0-0), LoadSdl() and Presenter::Create() return a clear
//    error instead of the process failing to start or crashing;
//  * `lumen` and `reference_client` carry no DT_NEEDED entry for libSDL2 (readelf -d), so
//    they start where SDL2 is not installed.
#include "clients/reference/sdl_api.h"

#include <doctest/doctest.h>
#include <stdio.h>
#include <stdlib.h>

#include <string>

#include "clients/reference/presenter.h"

namespace lumen::client {
namespace {

std::string Runfile(const std::string& path) {
  const char* r = getenv("TEST_SRCDIR");
  return std::string(r ? r : ".") + "/lumen/" + path;
}

std::string DynamicSection(const std::string& binary) {
  std::string out;
  FILE* p = popen(("readelf -d '" + binary + "' 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

TEST_SUITE("sdl_api") {
  TEST_CASE("MissingLibraryIsAClearErrorNotACrash") {
    setenv("LUMEN_SDL_LIBRARY", "/nonexistent/libSDL2-2.0.so.0", 1);
    absl::StatusOr<const SdlApi*> api = LoadSdl();
    REQUIRE_FALSE(api.ok());
    CHECK(absl::IsUnavailable(api.status()));
    const std::string msg(api.status().message());
    MESSAGE(msg);
    CHECK(msg.find("/nonexistent/libSDL2-2.0.so.0") != std::string::npos);
    CHECK(msg.find("libsdl2-2.0-0") != std::string::npos);
    // The window refuses the same way, every time (the result is cached).
    for (int i = 0; i < 2; ++i) {
      auto p = Presenter::Create(PresenterConfig{});
      REQUIRE_FALSE(p.ok());
      CHECK(p.status().message() == api.status().message());
    }
  }

  TEST_CASE("BinariesDoNotNeedSdl2") {
    for (const char* bin : {"host/lumen/lumen", "clients/reference/reference_client"}) {
      CAPTURE(bin);
      const std::string path = Runfile(bin);
      const std::string dyn = DynamicSection(path);
      REQUIRE(dyn.find("(NEEDED)") != std::string::npos);  // readelf ran on a dynamic binary
      CHECK(dyn.find("libSDL2") == std::string::npos);
    }
  }
}

}  // namespace
}  // namespace lumen::client
