// core/gf/gf256_kernels_avx512.cc — GF(2^8) kernels on 512-bit AVX-512BW
// (vpshufb split-nibble tables broadcast to all four lanes; masked loads/stores
// for the tail). Built with LUMEN_AVX512_COPTS.
#include <simde/x86/avx512.h>

#include <cstring>

#include "core/gf/gf256.h"
#include "core/gf/gf256_kernels.h"

namespace lumen::gf::detail::avx512 {
namespace {

using V = simde__m512i;
constexpr size_t kW = 64;
constexpr int kMaxGroup = 12;
constexpr int kColumns = 1;
constexpr int kMaxAccumulators = 12;

#include "core/gf/gf256_v512-inl.h"  // NOLINT(build/include): textual, per-ISA namespace

struct Src {
  V lo, hi;
};
inline Src Prepare(V x) {
  const V mask = simde_mm512_set1_epi8(0x0f);
  return {simde_mm512_and_si512(x, mask),
          simde_mm512_and_si512(simde_mm512_srli_epi16(x, 4), mask)};
}
struct Coef {
  V lo, hi;
};
inline Coef MakeCoef(uint8_t c) {
  const auto* lo = reinterpret_cast<const simde__m128i*>(gf256_detail::kNibble.lo[c]);
  const auto* hi = reinterpret_cast<const simde__m128i*>(gf256_detail::kNibble.hi[c]);
  return {simde_mm512_broadcast_i32x4(simde_mm_load_si128(lo)),
          simde_mm512_broadcast_i32x4(simde_mm_load_si128(hi))};
}
inline V MulBy(const Coef& c, const Src& x) {
  return simde_mm512_xor_si512(simde_mm512_shuffle_epi8(c.lo, x.lo),
                               simde_mm512_shuffle_epi8(c.hi, x.hi));
}

using Prep = uint8_t;
inline Prep PrepCoef(uint8_t c) { return c; }
inline V MulP(Prep c, const Src& x) { return MulBy(MakeCoef(c), x); }

#include "core/gf/gf256_kernels_simd-inl.h"

}  // namespace
}  // namespace lumen::gf::detail::avx512

namespace lumen::gf::detail {
const Gf256Kernels kGf256Avx512 = {cpu::Isa::kAvx512, "avx512", avx512::Mul, avx512::MulAdd,
                                   avx512::Xor, avx512::Dot};
}  // namespace lumen::gf::detail
