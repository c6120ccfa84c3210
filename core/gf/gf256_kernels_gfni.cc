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

#include "core/gf/gf256_v512-inl.h"  // NOLINT(build/include): textual, per-ISA namespace

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
