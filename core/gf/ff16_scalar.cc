// core/gf/ff16_scalar.cc — reference GF(2^16) kernels (log/exp tables). Always
// built; the oracle for the SIMD variants and the fallback on any CPU.
#include <cstring>

#include "core/gf/ff16_kernels.h"
#include "core/gf/gf65536.h"

namespace lumen::gf::ff16::scalar {

struct Prep {
  uint32_t log;  // log of c; unused when zero
  bool zero;
  const uint16_t* clog;
  const uint16_t* cexp;
};

static inline Prep LoadConst(const MulConst& c) {
  const auto& t = gf65536_detail::GetTables();
  return Prep{c.log, c.value == 0, t.clog, t.cexp};
}

static inline uint16_t MulElem(uint16_t v, const Prep& c) {
  if (v == 0 || c.zero) return 0;
  return c.cexp[gf65536_detail::AddMod(c.clog[v], c.log)];
}

static void XorBuf(uint8_t* x, const uint8_t* y, size_t len) {
  for (size_t i = 0; i < len; ++i) x[i] ^= y[i];
}

static void MulBuf(uint8_t* out, const uint8_t* in, const Prep& c, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) {
    for (int j = 0; j < 32; ++j) {
      const uint16_t v = uint16_t(in[b + j] | (in[b + 32 + j] << 8));
      const uint16_t r = MulElem(v, c);
      out[b + j] = uint8_t(r);
      out[b + 32 + j] = uint8_t(r >> 8);
    }
  }
}

static void Fft2(uint8_t* x, uint8_t* y, const Prep& c, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) {
    for (int j = 0; j < 32; ++j) {
      const uint16_t yv = uint16_t(y[b + j] | (y[b + 32 + j] << 8));
      uint16_t xv = uint16_t(x[b + j] | (x[b + 32 + j] << 8));
      xv ^= MulElem(yv, c);
      const uint16_t ny = yv ^ xv;
      x[b + j] = uint8_t(xv);
      x[b + 32 + j] = uint8_t(xv >> 8);
      y[b + j] = uint8_t(ny);
      y[b + 32 + j] = uint8_t(ny >> 8);
    }
  }
}

static void Ifft2(uint8_t* x, uint8_t* y, const Prep& c, size_t len) {
  for (size_t b = 0; b < len; b += kBlockBytes) {
    for (int j = 0; j < 32; ++j) {
      uint16_t xv = uint16_t(x[b + j] | (x[b + 32 + j] << 8));
      const uint16_t yv = uint16_t((y[b + j] | (y[b + 32 + j] << 8)) ^ xv);
      xv ^= MulElem(yv, c);
      x[b + j] = uint8_t(xv);
      x[b + 32 + j] = uint8_t(xv >> 8);
      y[b + j] = uint8_t(yv);
      y[b + 32 + j] = uint8_t(yv >> 8);
    }
  }
}

#include "core/gf/ff16_engine-inl.h"

static const Kernels kKernels = LUMEN_FF16_KERNEL_TABLE(static_cast<cpu::Isa>(0), "scalar");

}  // namespace lumen::gf::ff16::scalar

namespace lumen::gf::ff16::detail {
const Kernels* ScalarKernels() noexcept { return &scalar::kKernels; }
}  // namespace lumen::gf::ff16::detail
