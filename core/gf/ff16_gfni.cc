// core/gf/ff16_gfni.cc — GF(2^16) kernels with AVX-512 + GFNI. Multiplication by
// c is GF(2)-linear, a 16x16 bit matrix made of four 8x8 blocks; for a block
// x = [lo | hi]: c*x = affine(x, [Mll | Mhh]) ^ affine(swap(x), [Mlh | Mhl]),
// where swap exchanges the 256-bit halves. Two gf2p8affineqb, one lane shuffle.
// Built with LUMEN_GFNI_COPTS; only simde and plain data are used here.
// gcc 12's _mm512_undefined_epi32() (inside the lane-shuffle/insert intrinsics)
// is a deliberate self-initialisation that -Wuninitialized reports; silence it.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <simde/x86/avx512.h>
#include <simde/x86/gfni.h>

#include <cstring>

#include "core/gf/ff16_kernels.h"

namespace lumen::gf::ff16::gfni {

struct Prep {
  simde__m512i direct;   // [lo<-lo x4 | hi<-hi x4]
  simde__m512i crossed;  // [lo<-hi x4 | hi<-lo x4]
};

// One 256-bit load of gfni[0..3] and two lane permutes (the per-group cost
// matters at narrow stripes: 8 set_epi64 inserts per matrix pair did not).
static inline Prep LoadConst(const MulConst& c) {
  const simde__m512i g = simde_mm512_castsi256_si512(
      simde_mm256_loadu_si256(reinterpret_cast<const simde__m256i*>(c.gfni)));
  Prep p;
  p.direct = simde_mm512_permutexvar_epi64(simde_mm512_set_epi64(1, 1, 1, 1, 0, 0, 0, 0), g);
  p.crossed = simde_mm512_permutexvar_epi64(simde_mm512_set_epi64(3, 3, 3, 3, 2, 2, 2, 2), g);
  return p;
}

using Blk = simde__m512i;

static inline Blk MulBlk(const Blk& x, const Prep& c) {
  const simde__m512i swapped = simde_mm512_shuffle_i64x2(x, x, 0x4E);  // [hi | lo]
  return simde_mm512_xor_si512(simde_mm512_gf2p8affine_epi64_epi8(x, c.direct, 0),
                               simde_mm512_gf2p8affine_epi64_epi8(swapped, c.crossed, 0));
}
static inline Blk LoadBlk(const uint8_t* p) { return simde_mm512_loadu_si512(p); }
static inline void StoreBlk(uint8_t* p, const Blk& v) { simde_mm512_storeu_si512(p, v); }
static inline Blk XorBlk(const Blk& a, const Blk& b) { return simde_mm512_xor_si512(a, b); }

#include "core/gf/ff16_engine-inl.h"

static const Kernels kKernels = LUMEN_FF16_KERNEL_TABLE(static_cast<cpu::Isa>(4), "avx512+gfni");

}  // namespace lumen::gf::ff16::gfni

namespace lumen::gf::ff16::detail {
const Kernels* GfniKernels() noexcept { return &gfni::kKernels; }
}  // namespace lumen::gf::ff16::detail
