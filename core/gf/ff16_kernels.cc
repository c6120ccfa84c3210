// core/gf/ff16_kernels.cc — MulConst preparation and run-time kernel selection.
#include "core/gf/ff16_kernels.h"

#include "core/cpu/cpu.h"
#include "core/gf/gf65536.h"

namespace lumen::gf::ff16 {

namespace {

// 8x8 bit-matrix transpose: bit (8r + c) -> bit (8c + r).
inline uint64_t Transpose8(uint64_t x) {
  uint64_t t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAull;
  x ^= t ^ (t << 7);
  t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCull;
  x ^= t ^ (t << 14);
  t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ull;
  x ^= t ^ (t << 28);
  return x;
}

// gf2p8affineqb matrix mapping input byte plane `in` to output plane `outp`:
// result bit i = parity(matrix byte (7 - i) & x), so byte (7 - i) must hold, at
// bit j, bit (8*outp + i) of c * 2^(8*in + j). Gather the bytes column-wise,
// transpose, and reverse the byte order.
inline uint64_t AffineMatrix(const uint16_t* basis, int in, int outp) {
  uint64_t cols = 0;
  for (int j = 0; j < 8; ++j) cols |= uint64_t((basis[8 * in + j] >> (8 * outp)) & 0xFF) << (8 * j);
  return __builtin_bswap64(Transpose8(cols));
}

// c -> (basis, gfni) is GF(2)-linear in c (c * 2^j is, and the matrices are bit
// permutations of the basis), so a factor is the XOR of the entries of its low
// and high byte: two 256-entry tables (32 KiB) built once from the slow path.
struct LinearParts {
  uint16_t basis[16];
  uint64_t gfni[4];
};
struct PrepTables {
  const gf65536_detail::Tables* t;
  LinearParts part[2][256];  // [byte][value]: the parts of value << (8 * byte)
};

void SlowParts(const gf65536_detail::Tables& t, uint16_t c, LinearParts* out) {
  const uint16_t lc = t.clog[c];
  // c * 2^j = cexp[log(2^j) + log c].
  for (int j = 0; j < 16; ++j)
    out->basis[j] = c == 0 ? 0 : t.cexp[gf65536_detail::AddMod(t.clog[1u << j], lc)];
  out->gfni[0] = AffineMatrix(out->basis, 0, 0);  // lo <- lo
  out->gfni[1] = AffineMatrix(out->basis, 1, 1);  // hi <- hi
  out->gfni[2] = AffineMatrix(out->basis, 1, 0);  // lo <- hi
  out->gfni[3] = AffineMatrix(out->basis, 0, 1);  // hi <- lo
}

const PrepTables& GetPrepTables() noexcept {
  static const PrepTables* const p = [] {
    static PrepTables r;
    r.t = &gf65536_detail::GetTables();
    for (int h = 0; h < 2; ++h)
      for (unsigned v = 0; v < 256; ++v) SlowParts(*r.t, uint16_t(v << (8 * h)), &r.part[h][v]);
    return &r;
  }();
  return *p;
}

}  // namespace

void PrepareMulConst(uint16_t c, MulConst* out) noexcept {
  const PrepTables& pt = GetPrepTables();
  const LinearParts& a = pt.part[0][c & 0xFF];
  const LinearParts& b = pt.part[1][c >> 8];
  out->value = c;
  out->log = pt.t->clog[c];
  for (int j = 0; j < 16; ++j) out->basis[j] = uint16_t(a.basis[j] ^ b.basis[j]);
  for (int j = 0; j < 4; ++j) out->gfni[j] = a.gfni[j] ^ b.gfni[j];
}

const Kernels* KernelsFor(cpu::Isa isa) noexcept {
  if (!cpu::HostSupports(isa)) return nullptr;
  switch (isa) {
    case cpu::Isa::kScalar: return detail::ScalarKernels();
    case cpu::Isa::kSsse3: return detail::Ssse3Kernels();
    case cpu::Isa::kAvx2: return detail::Avx2Kernels();
    case cpu::Isa::kAvx512: return detail::Avx512Kernels();
    case cpu::Isa::kGfni: return detail::GfniKernels();
  }
  return nullptr;
}

const Kernels& SelectKernels() noexcept {
  for (int i = static_cast<int>(cpu::ActiveIsa()); i > 0; --i) {
    if (const Kernels* k = KernelsFor(static_cast<cpu::Isa>(i))) return *k;
  }
  return *detail::ScalarKernels();
}

}  // namespace lumen::gf::ff16
