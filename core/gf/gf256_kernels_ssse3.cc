// core/gf/gf256_kernels_ssse3.cc — GF(2^8) kernels on 128-bit SSSE3 (pshufb
// split-nibble tables). Built with LUMEN_SSSE3_COPTS.
#include <simde/x86/ssse3.h>

#include <cstring>

#include "core/gf/gf256.h"
#include "core/gf/gf256_kernels.h"

namespace lumen::gf::detail::ssse3 {
namespace {

using V = simde__m128i;
constexpr size_t kW = 16;
constexpr int kMaxGroup = 8;
constexpr int kColumns = 1;
constexpr int kMaxAccumulators = 8;

inline V Load(const uint8_t* p) { return simde_mm_loadu_si128(reinterpret_cast<const V*>(p)); }
inline void Store(uint8_t* p, V v) { simde_mm_storeu_si128(reinterpret_cast<V*>(p), v); }
inline V LoadPartial(const uint8_t* p, size_t n) {
  alignas(16) uint8_t buf[16] = {};
  std::memcpy(buf, p, n);
  return Load(buf);
}
inline void StorePartial(uint8_t* p, V v, size_t n) {
  alignas(16) uint8_t buf[16];
  Store(buf, v);
  std::memcpy(p, buf, n);
}
inline V XorV(V a, V b) { return simde_mm_xor_si128(a, b); }
inline V Xor3V(V a, V b, V c) { return simde_mm_xor_si128(simde_mm_xor_si128(a, b), c); }

struct Src {
  V lo, hi;
};
inline Src Prepare(V x) {
  const V mask = simde_mm_set1_epi8(0x0f);
  return {simde_mm_and_si128(x, mask), simde_mm_and_si128(simde_mm_srli_epi16(x, 4), mask)};
}
struct Coef {
  V lo, hi;
};
inline Coef MakeCoef(uint8_t c) {
  return {Load(gf256_detail::kNibble.lo[c]), Load(gf256_detail::kNibble.hi[c])};
}
inline V MulBy(const Coef& c, const Src& x) {
  return simde_mm_xor_si128(simde_mm_shuffle_epi8(c.lo, x.lo), simde_mm_shuffle_epi8(c.hi, x.hi));
}

using Prep = uint8_t;
inline Prep PrepCoef(uint8_t c) { return c; }
inline V MulP(Prep c, const Src& x) { return MulBy(MakeCoef(c), x); }

#include "core/gf/gf256_kernels_simd-inl.h"

}  // namespace
}  // namespace lumen::gf::detail::ssse3

namespace lumen::gf::detail {
const Gf256Kernels kGf256Ssse3 = {cpu::Isa::kSsse3, "ssse3", ssse3::Mul, ssse3::MulAdd,
                                  ssse3::Xor, ssse3::Dot};
}  // namespace lumen::gf::detail
