// core/gf/ff16_avx2.cc — GF(2^16) kernels with AVX2 split-nibble pshufb: one
// 64-byte block = one 256-bit vector of low bytes + one of high bytes.
// Built with LUMEN_AVX2_COPTS; only simde and plain data are used here.
#include <simde/x86/avx2.h>

#include <cstring>

#include "core/gf/ff16_kernels.h"

namespace lumen::gf::ff16::avx2 {

// lo[q][n] / hi[q][n] = low / high byte of c * (n << 4q), in both 128-bit lanes.
struct Prep {
  simde__m256i lo[4], hi[4];
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
    p.lo[q] = simde_mm256_broadcastsi128_si256(
        simde_mm_load_si128(reinterpret_cast<const simde__m128i*>(tl[q])));
    p.hi[q] = simde_mm256_broadcastsi128_si256(
        simde_mm_load_si128(reinterpret_cast<const simde__m128i*>(th[q])));
  }
  return p;
}

struct Blk {
  simde__m256i lo, hi;
};

static inline Blk MulBlk(const Blk& x, const Prep& c) {
  const simde__m256i mask = simde_mm256_set1_epi8(0x0F);
  const simde__m256i n0 = simde_mm256_and_si256(x.lo, mask);
  const simde__m256i n1 = simde_mm256_and_si256(simde_mm256_srli_epi16(x.lo, 4), mask);
  const simde__m256i n2 = simde_mm256_and_si256(x.hi, mask);
  const simde__m256i n3 = simde_mm256_and_si256(simde_mm256_srli_epi16(x.hi, 4), mask);
  simde__m256i l = simde_mm256_shuffle_epi8(c.lo[0], n0);
  simde__m256i h = simde_mm256_shuffle_epi8(c.hi[0], n0);
  l = simde_mm256_xor_si256(l, simde_mm256_shuffle_epi8(c.lo[1], n1));
  h = simde_mm256_xor_si256(h, simde_mm256_shuffle_epi8(c.hi[1], n1));
  l = simde_mm256_xor_si256(l, simde_mm256_shuffle_epi8(c.lo[2], n2));
  h = simde_mm256_xor_si256(h, simde_mm256_shuffle_epi8(c.hi[2], n2));
  l = simde_mm256_xor_si256(l, simde_mm256_shuffle_epi8(c.lo[3], n3));
  h = simde_mm256_xor_si256(h, simde_mm256_shuffle_epi8(c.hi[3], n3));
  return Blk{l, h};
}
static inline Blk LoadBlk(const uint8_t* p) {
  return Blk{simde_mm256_loadu_si256(reinterpret_cast<const simde__m256i*>(p)),
             simde_mm256_loadu_si256(reinterpret_cast<const simde__m256i*>(p + 32))};
}
static inline void StoreBlk(uint8_t* p, const Blk& v) {
  simde_mm256_storeu_si256(reinterpret_cast<simde__m256i*>(p), v.lo);
  simde_mm256_storeu_si256(reinterpret_cast<simde__m256i*>(p + 32), v.hi);
}
static inline Blk XorBlk(const Blk& a, const Blk& b) {
  return Blk{simde_mm256_xor_si256(a.lo, b.lo), simde_mm256_xor_si256(a.hi, b.hi)};
}

#include "core/gf/ff16_engine-inl.h"

static const Kernels kKernels = LUMEN_FF16_KERNEL_TABLE(static_cast<cpu::Isa>(2), "avx2");

}  // namespace lumen::gf::ff16::avx2

namespace lumen::gf::ff16::detail {
const Kernels* Avx2Kernels() noexcept { return &avx2::kKernels; }
}  // namespace lumen::gf::ff16::detail
