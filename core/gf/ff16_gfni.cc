// core/gf/ff16_gfni.cc — GF(2^16) kernels with AVX-512 + GFNI. Multiplication by
// c is GF(2)-linear, a 16x16 bit matrix made of four 8x8 blocks; for a block
// x = [lo | hi]: c*x = affine(x, [Mll | Mhh]) ^ affine(swap(x), [Mlh | Mhl]),
// where swap exchanges the 256-bit halves. Two gf2p8affineqb, one lane shuffle.
// Built with LUMEN_GFNI_COPTS; only simde and plain data are used here.
#include <simde/x86/avx512.h>
#include <simde/x86/gfni.h>

#include <cstring>

#include "core/gf/ff16_kernels.h"

namespace lumen::gf::ff16::gfni {

struct Prep {
  simde__m512i direct;   // [lo<-lo x4 | hi<-hi x4]
  simde__m512i crossed;  // [lo<-hi x4 | hi<-lo x4]
};

static inline Prep LoadConst(const MulConst& c) {
  Prep p;
  p.direct = simde_mm512_set_epi64(int64_t(c.gfni[1]), int64_t(c.gfni[1]), int64_t(c.gfni[1]),
                                   int64_t(c.gfni[1]), int64_t(c.gfni[0]), int64_t(c.gfni[0]),
                                   int64_t(c.gfni[0]), int64_t(c.gfni[0]));
  p.crossed = simde_mm512_set_epi64(int64_t(c.gfni[3]), int64_t(c.gfni[3]), int64_t(c.gfni[3]),
                                    int64_t(c.gfni[3]), int64_t(c.gfni[2]), int64_t(c.gfni[2]),
                                    int64_t(c.gfni[2]), int64_t(c.gfni[2]));
  return p;
}

static inline simde__m512i MulBlock(simde__m512i x, const Prep& c) {
  const simde__m512i swapped = simde_mm512_shuffle_i64x2(x, x, 0x4E);  // [hi | lo]
  return simde_mm512_xor_si512(simde_mm512_gf2p8affine_epi64_epi8(x, c.direct, 0),
                               simde_mm512_gf2p8affine_epi64_epi8(swapped, c.crossed, 0));
}

static inline simde__m512i Ld(const uint8_t* p) { return simde_mm512_loadu_si512(p); }
static inline void St(uint8_t* p, simde__m512i v) { simde_mm512_storeu_si512(p, v); }

static void XorBuf(uint8_t* x, const uint8_t* y, size_t len) {
  for (size_t i = 0; i < len; i += 64) St(x + i, simde_mm512_xor_si512(Ld(x + i), Ld(y + i)));
}

static void MulBuf(uint8_t* out, const uint8_t* in, const Prep& c, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) St(out + b, MulBlock(Ld(in + b), c));
}

static void Fft2(uint8_t* x, uint8_t* y, const Prep& c, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) {
    const simde__m512i yv = Ld(y + b);
    const simde__m512i xv = simde_mm512_xor_si512(Ld(x + b), MulBlock(yv, c));
    St(x + b, xv);
    St(y + b, simde_mm512_xor_si512(yv, xv));
  }
}

static void Ifft2(uint8_t* x, uint8_t* y, const Prep& c, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) {
    const simde__m512i xv = Ld(x + b);
    const simde__m512i yv = simde_mm512_xor_si512(Ld(y + b), xv);
    St(y + b, yv);
    St(x + b, simde_mm512_xor_si512(xv, MulBlock(yv, c)));
  }
}

#include "core/gf/ff16_engine-inl.h"

static const Kernels kKernels = LUMEN_FF16_KERNEL_TABLE(static_cast<cpu::Isa>(4), "avx512+gfni");

}  // namespace lumen::gf::ff16::gfni

namespace lumen::gf::ff16::detail {
const Kernels* GfniKernels() noexcept { return &gfni::kKernels; }
}  // namespace lumen::gf::ff16::detail
