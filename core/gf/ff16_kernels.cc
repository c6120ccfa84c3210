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

// The field tables and log(2^j) for j < 16, fetched once (GetTables() runs
// std::call_once on every call, and the decoder prepares thousands of factors).
struct PrepTables {
  const gf65536_detail::Tables* t;
  uint16_t log_unit[16];
};
const PrepTables& GetPrepTables() noexcept {
  static const PrepTables p = [] {
    PrepTables r;
    r.t = &gf65536_detail::GetTables();
    for (int j = 0; j < 16; ++j) r.log_unit[j] = r.t->clog[1u << j];
    return r;
  }();
  return p;
}

}  // namespace

void PrepareMulConst(uint16_t c, MulConst* out) noexcept {
  const PrepTables& pt = GetPrepTables();
  const auto& t = *pt.t;
  out->value = c;
  const uint16_t lc = t.clog[c];
  out->log = lc;
  // c * 2^j = cexp[log(2^j) + log c].
  for (int j = 0; j < 16; ++j) {
    out->basis[j] = c == 0 ? 0 : t.cexp[gf65536_detail::AddMod(pt.log_unit[j], lc)];
  }
  out->gfni[0] = AffineMatrix(out->basis, 0, 0);  // lo <- lo
  out->gfni[1] = AffineMatrix(out->basis, 1, 1);  // hi <- hi
  out->gfni[2] = AffineMatrix(out->basis, 1, 0);  // lo <- hi
  out->gfni[3] = AffineMatrix(out->basis, 0, 1);  // hi <- lo
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
