// libFuzzer target for lumen::moonlight::input: DecodeInput on arbitrary bytes. Whatever decodes
// must re-encode to a packet of the same length that decodes to the same event type, and
// re-encoding that is a fixed point.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/moonlight/input.h"

namespace {
[[noreturn]] void Fail() { __builtin_trap(); }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* in, size_t size) {
  namespace inp = lumen::moonlight::input;
  inp::InputEvent ev;
  if (inp::DecodeInput(std::span<const uint8_t>(in, size), &ev) != inp::InputError::kOk) return 0;
  uint8_t a[inp::kMaxPacketSize], b[inp::kMaxPacketSize];
  const size_t n = inp::EncodeInput(ev, a);
  if (n != size) Fail();
  inp::InputEvent again;
  if (inp::DecodeInput(std::span<const uint8_t>(a, n), &again) != inp::InputError::kOk) Fail();
  if (again.index() != ev.index()) Fail();
  const size_t m = inp::EncodeInput(again, b);
  if (m != n || std::memcmp(a, b, n) != 0) Fail();
  return 0;
}
