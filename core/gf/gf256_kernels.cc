// core/gf/gf256_kernels.cc — run-time choice among the GF(2^8) kernel variants.
#include "core/gf/gf256_kernels.h"

namespace lumen::gf {

const Gf256Kernels* Gf256KernelsFor(cpu::Isa isa) noexcept {
  if (!cpu::HostSupports(isa)) return nullptr;
  switch (isa) {
    case cpu::Isa::kScalar: return &detail::kGf256Scalar;
    case cpu::Isa::kSsse3: return &detail::kGf256Ssse3;
    case cpu::Isa::kAvx2: return &detail::kGf256Avx2;
    case cpu::Isa::kAvx512: return &detail::kGf256Avx512;
    case cpu::Isa::kGfni: return &detail::kGf256Gfni;
  }
  return nullptr;
}

const Gf256Kernels& SelectGf256Kernels() noexcept {
  for (int i = static_cast<int>(cpu::ActiveIsa()); i > 0; --i) {
    if (const Gf256Kernels* k = Gf256KernelsFor(static_cast<cpu::Isa>(i))) return *k;
  }
  return detail::kGf256Scalar;
}

}  // namespace lumen::gf
