// core/gf/ff16_avx512.cc — GF(2^16) kernels with AVX-512BW pshufb. A 64-byte
// block is one vector [lo plane | hi plane]; nibbles of both planes are looked
// up at once in tables arranged [T_q | T_q+2] per half, and two 256-bit lane
// shuffles fold the partial products back into [lo | hi].
// Built with LUMEN_AVX512_COPTS; only simde and plain data are used here.
// gcc 12's _mm512_undefined_epi32() (inside the lane-shuffle/insert intrinsics)
// is a deliberate self-initialisation that -Wuninitialized reports; silence it.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <simde/x86/avx512.h>

#include <cstring>

#include "core/gf/ff16_kernels.h"

namespace lumen::gf::ff16::avx512 {

struct Prep {
  // la/lb: low-byte tables for (nibble 0 | nibble 2) and (nibble 1 | nibble 3);
  // ha/hb: the same for high bytes. Each 128-bit table appears twice per half.
  simde__m512i la, lb, ha, hb;
};

static inline Prep LoadConst(const MulConst& c) {
  alignas(64) uint8_t tl[4][16], th[4][16];
  for (int q = 0; q < 4; ++q) {
    uint16_t t[16];
    t[0] = 0;
    for (int b = 0; b < 4; ++b)
      for (int j = 0; j < (1 << b); ++j) t[j + (1 << b)] = uint16_t(t[j] ^ c.basis[4 * q + b]);
    for (int n = 0; n < 16; ++n) {
      tl[q][n] = uint8_t(t[n]);
      th[q][n] = uint8_t(t[n] >> 8);
    }
  }
  auto make = [](const uint8_t* a, const uint8_t* b) {
    const simde__m128i va = simde_mm_load_si128(reinterpret_cast<const simde__m128i*>(a));
    const simde__m128i vb = simde_mm_load_si128(reinterpret_cast<const simde__m128i*>(b));
    const simde__m256i wa = simde_mm256_broadcastsi128_si256(va);
    const simde__m256i wb = simde_mm256_broadcastsi128_si256(vb);
    return simde_mm512_inserti64x4(simde_mm512_castsi256_si512(wa), wb, 1);
  };
  Prep p;
  p.la = make(tl[0], tl[2]);
  p.lb = make(tl[1], tl[3]);
  p.ha = make(th[0], th[2]);
  p.hb = make(th[1], th[3]);
  return p;
}

using Blk = simde__m512i;

// c * x for one block x = [lo | hi].
static inline Blk MulBlk(const Blk& x, const Prep& c) {
  const simde__m512i mask = simde_mm512_set1_epi8(0x0F);
  const simde__m512i n_lo = simde_mm512_and_si512(x, mask);
  const simde__m512i n_hi = simde_mm512_and_si512(simde_mm512_srli_epi16(x, 4), mask);
  // L = [T0lo[lo&15] ^ T1lo[lo>>4] | T2lo[hi&15] ^ T3lo[hi>>4]]: the low
  // product plane is the XOR of L's two halves; likewise H for the high plane.
  const simde__m512i l = simde_mm512_xor_si512(simde_mm512_shuffle_epi8(c.la, n_lo),
                                               simde_mm512_shuffle_epi8(c.lb, n_hi));
  const simde__m512i h = simde_mm512_xor_si512(simde_mm512_shuffle_epi8(c.ha, n_lo),
                                               simde_mm512_shuffle_epi8(c.hb, n_hi));
  const simde__m512i u = simde_mm512_shuffle_i64x2(l, h, 0x44);  // [L.lo | H.lo]
  const simde__m512i v = simde_mm512_shuffle_i64x2(l, h, 0xEE);  // [L.hi | H.hi]
  return simde_mm512_xor_si512(u, v);
}
static inline Blk LoadBlk(const uint8_t* p) { return simde_mm512_loadu_si512(p); }
static inline void StoreBlk(uint8_t* p, const Blk& v) { simde_mm512_storeu_si512(p, v); }
static inline Blk XorBlk(const Blk& a, const Blk& b) { return simde_mm512_xor_si512(a, b); }

#include "core/gf/ff16_engine-inl.h"

static const Kernels kKernels = LUMEN_FF16_KERNEL_TABLE(static_cast<cpu::Isa>(3), "avx512");

}  // namespace lumen::gf::ff16::avx512

namespace lumen::gf::ff16::detail {
const Kernels* Avx512Kernels() noexcept { return &avx512::kKernels; }
}  // namespace lumen::gf::ff16::detail
