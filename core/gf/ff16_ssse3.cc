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

static inline simde__m128i Ld(const uint8_t* p) {
  return simde_mm_loadu_si128(reinterpret_cast<const simde__m128i*>(p));
}
static inline void St(uint8_t* p, simde__m128i v) {
  simde_mm_storeu_si128(reinterpret_cast<simde__m128i*>(p), v);
}

static void XorBuf(uint8_t* x, const uint8_t* y, size_t len) {
  for (size_t i = 0; i < len; i += 16) St(x + i, simde_mm_xor_si128(Ld(x + i), Ld(y + i)));
}

static void MulBuf(uint8_t* out, const uint8_t* in, const Prep& c, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) {
    for (int h = 0; h < 32; h += 16) {
      simde__m128i l, hh;
      Mul16(Ld(in + b + h), Ld(in + b + 32 + h), c, &l, &hh);
      St(out + b + h, l);
      St(out + b + 32 + h, hh);
    }
  }
}

static void Fft2(uint8_t* x, uint8_t* y, const Prep& c, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) {
    for (int h = 0; h < 32; h += 16) {
      const simde__m128i ylo = Ld(y + b + h), yhi = Ld(y + b + 32 + h);
      simde__m128i pl, ph;
      Mul16(ylo, yhi, c, &pl, &ph);
      const simde__m128i xlo = simde_mm_xor_si128(Ld(x + b + h), pl);
      const simde__m128i xhi = simde_mm_xor_si128(Ld(x + b + 32 + h), ph);
      St(x + b + h, xlo);
      St(x + b + 32 + h, xhi);
      St(y + b + h, simde_mm_xor_si128(ylo, xlo));
      St(y + b + 32 + h, simde_mm_xor_si128(yhi, xhi));
    }
  }
}

static void Ifft2(uint8_t* x, uint8_t* y, const Prep& c, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) {
    for (int h = 0; h < 32; h += 16) {
      const simde__m128i xlo = Ld(x + b + h), xhi = Ld(x + b + 32 + h);
      const simde__m128i ylo = simde_mm_xor_si128(Ld(y + b + h), xlo);
      const simde__m128i yhi = simde_mm_xor_si128(Ld(y + b + 32 + h), xhi);
      St(y + b + h, ylo);
      St(y + b + 32 + h, yhi);
      simde__m128i pl, ph;
      Mul16(ylo, yhi, c, &pl, &ph);
      St(x + b + h, simde_mm_xor_si128(xlo, pl));
      St(x + b + 32 + h, simde_mm_xor_si128(xhi, ph));
    }
  }
}

#include "core/gf/ff16_engine-inl.h"

static const Kernels kKernels = LUMEN_FF16_KERNEL_TABLE(static_cast<cpu::Isa>(1), "ssse3");

}  // namespace lumen::gf::ff16::ssse3

namespace lumen::gf::ff16::detail {
const Kernels* Ssse3Kernels() noexcept { return &ssse3::kKernels; }
}  // namespace lumen::gf::ff16::detail
