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

// One block as 32 elements.
struct Blk {
  uint16_t v[32];
};

static inline Blk LoadBlk(const uint8_t* p) {
  Blk r;
  for (int j = 0; j < 32; ++j) r.v[j] = uint16_t(p[j] | (p[32 + j] << 8));
  return r;
}
static inline void StoreBlk(uint8_t* p, const Blk& x) {
  for (int j = 0; j < 32; ++j) {
    p[j] = uint8_t(x.v[j]);
    p[32 + j] = uint8_t(x.v[j] >> 8);
  }
}
static inline Blk XorBlk(const Blk& a, const Blk& b) {
  Blk r;
  for (int j = 0; j < 32; ++j) r.v[j] = uint16_t(a.v[j] ^ b.v[j]);
  return r;
}
static inline Blk MulBlk(const Blk& a, const Prep& c) {
  Blk r;
  for (int j = 0; j < 32; ++j) r.v[j] = MulElem(a.v[j], c);
  return r;
}

#include "core/gf/ff16_engine-inl.h"

static const Kernels kKernels = LUMEN_FF16_KERNEL_TABLE(static_cast<cpu::Isa>(0), "scalar");

}  // namespace lumen::gf::ff16::scalar

namespace lumen::gf::ff16::detail {
const Kernels* ScalarKernels() noexcept { return &scalar::kKernels; }
}  // namespace lumen::gf::ff16::detail
