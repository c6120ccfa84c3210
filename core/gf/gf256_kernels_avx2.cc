// core/gf/gf256_kernels_avx2.cc — GF(2^8) kernels on 256-bit AVX2 (vpshufb
// split-nibble tables, broadcast to both lanes). Built with LUMEN_AVX2_COPTS.
#include <simde/x86/avx2.h>

#include <cstring>

#include "core/gf/gf256.h"
#include "core/gf/gf256_kernels.h"

namespace lumen::gf::detail::avx2 {
namespace {

using V = simde__m256i;
constexpr size_t kW = 32;
constexpr int kMaxGroup = 8;
constexpr int kColumns = 1;
constexpr int kMaxAccumulators = 8;

inline V Load(const uint8_t* p) { return simde_mm256_loadu_si256(reinterpret_cast<const V*>(p)); }
inline void Store(uint8_t* p, V v) { simde_mm256_storeu_si256(reinterpret_cast<V*>(p), v); }
inline V LoadPartial(const uint8_t* p, size_t n) {
  alignas(32) uint8_t buf[32] = {};
  std::memcpy(buf, p, n);
  return Load(buf);
}
inline void StorePartial(uint8_t* p, V v, size_t n) {
  alignas(32) uint8_t buf[32];
  Store(buf, v);
  std::memcpy(p, buf, n);
}
inline V XorV(V a, V b) { return simde_mm256_xor_si256(a, b); }
inline V Xor3V(V a, V b, V c) { return simde_mm256_xor_si256(simde_mm256_xor_si256(a, b), c); }

struct Src {
  V lo, hi;
};
inline Src Prepare(V x) {
  const V mask = simde_mm256_set1_epi8(0x0f);
  return {simde_mm256_and_si256(x, mask),
          simde_mm256_and_si256(simde_mm256_srli_epi16(x, 4), mask)};
}
struct Coef {
  V lo, hi;
};
inline Coef MakeCoef(uint8_t c) {
  const auto* lo = reinterpret_cast<const simde__m128i*>(gf256_detail::kNibble.lo[c]);
  const auto* hi = reinterpret_cast<const simde__m128i*>(gf256_detail::kNibble.hi[c]);
  return {simde_mm256_broadcastsi128_si256(simde_mm_load_si128(lo)),
          simde_mm256_broadcastsi128_si256(simde_mm_load_si128(hi))};
}
inline V MulBy(const Coef& c, const Src& x) {
  return simde_mm256_xor_si256(simde_mm256_shuffle_epi8(c.lo, x.lo),
                               simde_mm256_shuffle_epi8(c.hi, x.hi));
}

using Prep = uint8_t;
inline Prep PrepCoef(uint8_t c) { return c; }
inline V MulP(Prep c, const Src& x) { return MulBy(MakeCoef(c), x); }

#include "core/gf/gf256_kernels_simd-inl.h"

}  // namespace
}  // namespace lumen::gf::detail::avx2

namespace lumen::gf::detail {
const Gf256Kernels kGf256Avx2 = {cpu::Isa::kAvx2, "avx2", avx2::Mul, avx2::MulAdd, avx2::Xor,
                                 avx2::Dot};
}  // namespace lumen::gf::detail
