// core/gf/ff16_ssse3.cc — GF(2^16) kernels with SSSE3 split-nibble pshufb.
// Built with LUMEN_SSSE3_COPTS; only simde and plain data are used here.
#include <simde/x86/ssse3.h>

#include <cstring>

#include "core/gf/ff16_kernels.h"

namespace lumen::gf::ff16::ssse3 {

// Eight 16-entry tables: lo[q][n] / hi[q][n] = low / high byte of c * (n << 4q).
struct Prep {
  simde__m128i lo[4], hi[4];
};

static inline Prep LoadConst(const MulConst& c) {
  alignas(16) uint8_t tl[4][16], th[4][16];
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
  Prep p;
  for (int q = 0; q < 4; ++q) {
    p.lo[q] = simde_mm_load_si128(reinterpret_cast<const simde__m128i*>(tl[q]));
    p.hi[q] = simde_mm_load_si128(reinterpret_cast<const simde__m128i*>(th[q]));
  }
  return p;
}

// (plo, phi) = c * (lo, hi) for 16 elements.
static inline void Mul16(simde__m128i lo, simde__m128i hi, const Prep& c, simde__m128i* plo,
                         simde__m128i* phi) {
  const simde__m128i mask = simde_mm_set1_epi8(0x0F);
  const simde__m128i n0 = simde_mm_and_si128(lo, mask);
  const simde__m128i n1 = simde_mm_and_si128(simde_mm_srli_epi16(lo, 4), mask);
  const simde__m128i n2 = simde_mm_and_si128(hi, mask);
  const simde__m128i n3 = simde_mm_and_si128(simde_mm_srli_epi16(hi, 4), mask);
  simde__m128i l = simde_mm_shuffle_epi8(c.lo[0], n0);
  simde__m128i h = simde_mm_shuffle_epi8(c.hi[0], n0);
  l = simde_mm_xor_si128(l, simde_mm_shuffle_epi8(c.lo[1], n1));
  h = simde_mm_xor_si128(h, simde_mm_shuffle_epi8(c.hi[1], n1));
  l = simde_mm_xor_si128(l, simde_mm_shuffle_epi8(c.lo[2], n2));
  h = simde_mm_xor_si128(h, simde_mm_shuffle_epi8(c.hi[2], n2));
  l = simde_mm_xor_si128(l, simde_mm_shuffle_epi8(c.lo[3], n3));
  h = simde_mm_xor_si128(h, simde_mm_shuffle_epi8(c.hi[3], n3));
  *plo = l;
  *phi = h;
}

// One block: v[0], v[1] = low bytes of elements 0-15, 16-31; v[2], v[3] = high.
struct Blk {
  simde__m128i v[4];
};

static inline Blk MulBlk(const Blk& x, const Prep& c) {
  Blk r;
  Mul16(x.v[0], x.v[2], c, &r.v[0], &r.v[2]);
  Mul16(x.v[1], x.v[3], c, &r.v[1], &r.v[3]);
  return r;
}
static inline Blk LoadBlk(const uint8_t* p) {
  Blk r;
  for (int i = 0; i < 4; ++i) r.v[i] = simde_mm_loadu_si128(reinterpret_cast<const simde__m128i*>(p + 16 * i));
  return r;
}
static inline void StoreBlk(uint8_t* p, const Blk& x) {
  for (int i = 0; i < 4; ++i) simde_mm_storeu_si128(reinterpret_cast<simde__m128i*>(p + 16 * i), x.v[i]);
}
static inline Blk XorBlk(const Blk& a, const Blk& b) {
  Blk r;
  for (int i = 0; i < 4; ++i) r.v[i] = simde_mm_xor_si128(a.v[i], b.v[i]);
  return r;
}

#include "core/gf/ff16_engine-inl.h"

static const Kernels kKernels = LUMEN_FF16_KERNEL_TABLE(static_cast<cpu::Isa>(1), "ssse3");

}  // namespace lumen::gf::ff16::ssse3

namespace lumen::gf::ff16::detail {
const Kernels* Ssse3Kernels() noexcept { return &ssse3::kKernels; }
}  // namespace lumen::gf::ff16::detail
