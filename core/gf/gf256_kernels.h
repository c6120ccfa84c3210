// core/gf/gf256_kernels.h — bulk GF(2^8) region kernels and their run-time dispatch.
//
// One table of function pointers per instruction set: scalar (the reference and
// the fallback, always present), SSSE3 and AVX2 (split-nibble pshufb), AVX-512BW
// (pshufb on 512-bit vectors) and GFNI (gf2p8affineqb with the 8x8 bit matrix of
// multiplication by c in GF(2^8)/0x11D; gf2p8mulb is NOT used since it reduces by
// 0x11B). Each variant lives in its own translation unit built with its own -m
// flags and namespace (lumen::gf::detail::<isa>).
//
// Dispatch happens once per codec: callers fetch a table (SelectGf256Kernels())
// when they are initialised and keep the pointer. Tests reach every variant with
// Gf256KernelsFor().
//
// All kernels accept any length >= 0 and any alignment, never read or write
// outside [ptr, ptr+len), and require that outputs do not overlap inputs
// (except `dst` of MulAdd/Xor, which is read and written).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/cpu/cpu.h"

namespace lumen::gf {

struct Gf256Kernels {
  cpu::Isa isa;
  const char* name;
  // dst[b] = c * src[b]
  void (*mul)(uint8_t* dst, const uint8_t* src, uint8_t c, size_t len);
  // dst[b] ^= c * src[b]
  void (*mul_add)(uint8_t* dst, const uint8_t* src, uint8_t c, size_t len);
  // dst[b] ^= src[b]
  void (*xor_into)(uint8_t* dst, const uint8_t* src, size_t len);
  // Multi-source dot product (the encode kernel): for j in [0, m):
  //   out[j][b] = XOR over i in [0, k) of coeffs[j * k + i] * in[i][b].
  // Every output is overwritten. k >= 1, m >= 1; buffers len bytes each.
  void (*dot)(const uint8_t* coeffs, const uint8_t* const* in, int k, uint8_t* const* out,
              int m, size_t len);
};

// The kernel table for `isa`, or nullptr when that variant is not compiled in
// or the host CPU/OS cannot run it.
const Gf256Kernels* Gf256KernelsFor(cpu::Isa isa) noexcept;

// The strongest variant allowed by cpu::ActiveIsa() (honours cpu::ForceMaxIsa).
// Never null: falls back to scalar.
const Gf256Kernels& SelectGf256Kernels() noexcept;

namespace detail {
// Per-ISA tables (defined in gf256_kernels_<isa>.cc).
extern const Gf256Kernels kGf256Scalar;
extern const Gf256Kernels kGf256Ssse3;
extern const Gf256Kernels kGf256Avx2;
extern const Gf256Kernels kGf256Avx512;
extern const Gf256Kernels kGf256Gfni;
}  // namespace detail

}  // namespace lumen::gf
