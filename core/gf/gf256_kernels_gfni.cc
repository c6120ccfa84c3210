// core/gf/gf256_kernels_gfni.cc — GF(2^8) kernels with GFNI on 512-bit vectors.
// Multiplication by c is gf2p8affineqb with the 8x8 bit matrix of "times c" in
// GF(2^8)/0x11D (gf256_detail::kAffine); gf2p8mulb would reduce by 0x11B and is
// not used. Built with LUMEN_GFNI_COPTS.
#include <simde/x86/avx512.h>
#include <simde/x86/gfni.h>

#include <cstring>

#include "core/gf/gf256.h"
#include "core/gf/gf256_kernels.h"

namespace lumen::gf::detail::gfni {
namespace {

using V = simde__m512i;
constexpr size_t kW = 64;
constexpr int kMaxGroup = 12;
constexpr int kColumns = 2;
constexpr int kMaxAccumulators = 24;

inline V Load(const uint8_t* p) { return simde_mm512_loadu_si512(p); }
inline void Store(uint8_t* p, V v) { simde_mm512_storeu_si512(p, v); }
#if defined(SIMDE_X86_AVX512BW_NATIVE)
inline V LoadPartial(const uint8_t* p, size_t n) {
  return _mm512_maskz_loadu_epi8(_bzhi_u64(~uint64_t{0}, unsigned(n)), p);
}
inline void StorePartial(uint8_t* p, V v, size_t n) {
  _mm512_mask_storeu_epi8(p, _bzhi_u64(~uint64_t{0}, unsigned(n)), v);
}
#else
inline V LoadPartial(const uint8_t* p, size_t n) {
  alignas(64) uint8_t buf[64] = {};
  std::memcpy(buf, p, n);
  return Load(buf);
}
inline void StorePartial(uint8_t* p, V v, size_t n) {
  alignas(64) uint8_t buf[64];
  Store(buf, v);
  std::memcpy(p, buf, n);
}
#endif
inline V XorV(V a, V b) { return simde_mm512_xor_si512(a, b); }
inline V Xor3V(V a, V b, V c) { return simde_mm512_ternarylogic_epi64(a, b, c, 0x96); }

using Src = V;
inline Src Prepare(V x) { return x; }
using Coef = V;
inline Coef MakeCoef(uint8_t c) {
  return simde_mm512_set1_epi64(int64_t(gf256_detail::kAffine.v[c]));
}
inline V MulBy(const Coef& c, const Src& x) { return simde_mm512_gf2p8affine_epi64_epi8(x, c, 0); }

// Dot keeps the coefficient byte and broadcasts its matrix from the 2 KiB
// kAffine table at use. (Storing the 64-bit matrices in a stack array was
// miscompiled by clang 14 at -O1 and above; this form is as fast under gcc.)
using Prep = uint8_t;
inline Prep PrepCoef(uint8_t c) { return c; }
inline V MulP(Prep c, const Src& x) { return MulBy(MakeCoef(c), x); }

#include "core/gf/gf256_kernels_simd-inl.h"

}  // namespace
}  // namespace lumen::gf::detail::gfni

namespace lumen::gf::detail {
const Gf256Kernels kGf256Gfni = {cpu::Isa::kGfni, "avx512+gfni", gfni::Mul, gfni::MulAdd,
                                 gfni::Xor, gfni::Dot};
}  // namespace lumen::gf::detail
