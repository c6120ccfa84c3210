// core/gf/ff16_kernels.cc — MulConst preparation and run-time kernel selection.
#include "core/gf/ff16_kernels.h"

#include "core/cpu/cpu.h"
#include "core/gf/gf65536.h"

namespace lumen::gf::ff16 {

void PrepareMulConst(uint16_t c, MulConst* out) noexcept {
  const auto& t = gf65536_detail::GetTables();
  out->value = c;
  out->log = t.clog[c];
  for (int j = 0; j < 16; ++j) {
    out->basis[j] =
        c == 0 ? 0 : t.cexp[gf65536_detail::AddMod(t.clog[uint16_t(1u << j)], t.clog[c])];
  }
  // gf2p8affineqb: result bit i = parity(matrix byte (7 - i) & x). For the
  // block mapping input byte plane `in` to output plane `outp`, byte (7 - i)
  // has bit j set when bit (8*outp + i) of c * 2^(8*in + j) is set.
  auto matrix = [&](int in, int outp) {
    uint64_t m = 0;
    for (int i = 0; i < 8; ++i) {
      uint64_t row = 0;
      for (int j = 0; j < 8; ++j) row |= uint64_t((out->basis[8 * in + j] >> (8 * outp + i)) & 1) << j;
      m |= row << (8 * (7 - i));
    }
    return m;
  };
  out->gfni[0] = matrix(0, 0);  // lo <- lo
  out->gfni[1] = matrix(1, 1);  // hi <- hi
  out->gfni[2] = matrix(1, 0);  // lo <- hi
  out->gfni[3] = matrix(0, 1);  // hi <- lo
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
