// libFuzzer target for the nvhttp request parsing (host/moonlight/http/request.h): query
// strings, percent-decoding and the /launch and /resume parameter validation.
// Input layout: the bytes are a request target ("/launch?appid=...").
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "host/moonlight/http/request.h"

namespace {

namespace http = lumen::moonlight::http;

[[noreturn]] void Fail() { __builtin_trap(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* in, size_t size) {
  if (size > 64 * 1024) return 0;
  std::string_view target(reinterpret_cast<const char*>(in), size);
  std::string_view query = http::QueryOf(target);
  if (http::PathOf(target).size() + (query.empty() ? 0 : query.size() + 1) > target.size()) {
    Fail();
  }
  auto decoded = http::UrlDecode(query);
  if (decoded.ok() && decoded->size() > query.size()) Fail();  // decoding never grows
  auto q = http::ParseQuery(query);
  if (!q.ok()) return 0;
  if (q->size() > http::kMaxParams) Fail();
  for (bool resume : {false, true}) {
    auto p = http::ParseLaunchParams(*q, resume);
    if (!p.ok()) continue;
    if (!resume && p->app_id <= 0) Fail();
    if (p->app_id < 0 || p->width < 0 || p->width > 16384 || p->height > 16384) Fail();
    if (p->fps < 0 || p->fps > 1000) Fail();
    if (p->audio_channels != 2 && p->audio_channels != 6 && p->audio_channels != 8) Fail();
    if (p->gamepad_mask > 0xFFFF) Fail();
  }
  if (auto mode = q->Get("mode")) {
    auto m = http::ParseMode(*mode);
    if (m.ok() && ((*m)[0] < 1 || (*m)[1] < 1 || (*m)[2] < 0)) Fail();
  }
  return 0;
}
