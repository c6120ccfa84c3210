// core/gf/ff16_kernels.h — bulk GF(2^16) kernels for the additive-FFT codec, with
// run-time ISA dispatch.
//
// Buffer layout (fixed; every variant produces identical bytes): a buffer is a
// sequence of 64-byte blocks; block b holds 32 field elements (Cantor
// coordinates, core/gf/gf65536.h), element j's LOW byte at offset 64b + j and its
// HIGH byte at offset 64b + 32 + j. So lengths are multiples of 64 bytes. This is
// the byte-plane layout Leopard uses; it lets pshufb/GFNI work on whole vectors
// of low and high bytes.
//
// Variants: scalar (log/exp tables; the reference and fallback, always built),
// SSSE3 and AVX2 (split-nibble pshufb: 8 lookups per 16/32 elements), AVX-512BW
// (pshufb on [lo|hi] 512-bit blocks, 4 lookups + 2 lane shuffles per block) and
// AVX-512+GFNI (multiplication by c is a 16x16 bit matrix = four 8x8 blocks,
// gf2p8affineqb on [lo|hi] and on its half-swapped copy). Each lives in its own
// translation unit (core/gf/ff16_<isa>.cc) with its own -m flags and namespace
// lumen::gf::ff16::<isa>. The FFT layer loops (ff16_engine-inl.h) are compiled
// into every variant, so dispatch happens once per codec call, not per block.
#pragma once

#include <cstddef>
#include <cstdint>

// Forward declaration only: the per-ISA translation units include this header
// and must not instantiate cpu.h's inline functions with their -m flags.
namespace lumen::cpu {
enum class Isa : int;
}  // namespace lumen::cpu

namespace lumen::gf::ff16 {

inline constexpr size_t kBlockBytes = 64;

// Multiplication by a fixed element c, prepared for every variant.
struct MulConst {
  uint16_t value;      // c itself (0 => multiply gives 0; FFT layers then only XOR)
  uint16_t log;        // log of c (65535 when c == 0)
  uint32_t pad;
  uint64_t gfni[4];    // 8x8 matrices (gf2p8affineqb form): lo<-lo, hi<-hi, lo<-hi, hi<-lo
  uint16_t basis[16];  // c * 2^j (Cantor coordinates): the columns of the 16x16 matrix
};

// Fills `out` for the element c (Cantor coordinates).
void PrepareMulConst(uint16_t c, MulConst* out) noexcept;

// Encode of one column stripe, parity layout of the Leopard-style codec
// (see core/fec/rs_fft16.h): data i sits at FFT position mpow + i, parity at 0..m.
struct EncodePlan {
  unsigned k = 0, m = 0, mpow = 0;     // mpow = NextPow2(m), mpow + k <= 65536
  const uint8_t* const* data = nullptr;  // k buffers
  uint8_t* const* parity = nullptr;      // m buffers
  uint8_t* const* work = nullptr;        // mpow buffers of at least one stripe
  // skew[i] = prepared FFT skew factor for index i - 1 (skew[0] unused).
  const MulConst* skew = nullptr;
  const uint8_t* zero = nullptr;         // one stripe of zero bytes (never written)
  const uint8_t** in_scratch = nullptr;  // mpow entries of pointer scratch
  uint8_t** out_scratch = nullptr;       // mpow entries of pointer scratch
};

// Erasure decode of one column stripe over n FFT positions.
struct DecodePlan {
  unsigned n = 0;            // power of two
  unsigned in_count = 0;     // positions >= in_count are zero inputs
  unsigned out_count = 0;    // FFT outputs needed: positions < out_count
  // n + 1 prefix counts of the positions to reveal (need[i] = how many of
  // out_pos are < i), so the final FFT computes only what they depend on.
  // nullptr: every position < out_count.
  const uint32_t* need = nullptr;
  const uint8_t* const* src = nullptr;  // n entries; nullptr => zero (erased or known 0)
  const MulConst* in_mul = nullptr;     // n entries: locator value for present positions
                                        // (any value where src is nullptr)
  uint8_t* const* work = nullptr;       // n buffers of at least one stripe
  const MulConst* skew = nullptr;       // as EncodePlan::skew
  unsigned num_out = 0;
  const uint32_t* out_pos = nullptr;    // num_out FFT positions to reveal
  uint8_t* const* out_dst = nullptr;    // num_out destination buffers
  const MulConst* out_mul = nullptr;    // num_out factors (1 / locator derivative)
  const uint8_t* zero = nullptr;        // one stripe of zero bytes (never written)
  const uint8_t** in_scratch = nullptr; // n entries of pointer scratch
};

struct Kernels {
  cpu::Isa isa;
  const char* name;
  // All lengths are multiples of 64 bytes. Buffers must not overlap.
  void (*xor_buf)(uint8_t* x, const uint8_t* y, size_t len);                     // x ^= y
  void (*mul_buf)(uint8_t* out, const uint8_t* in, const MulConst& c, size_t len);  // out = c*in
  void (*fft2)(uint8_t* x, uint8_t* y, const MulConst& c, size_t len);   // x ^= c*y; y ^= x
  void (*ifft2)(uint8_t* x, uint8_t* y, const MulConst& c, size_t len);  // y ^= x; x ^= c*y
  // Whole-codec column stripes: bytes [off, off + len) of every data/parity/src/
  // dst buffer; work buffers are stripe-sized scratch (bytes [0, len) used).
  void (*encode)(const EncodePlan& p, size_t off, size_t len);
  void (*decode)(const DecodePlan& p, size_t off, size_t len);
};

// The table for `isa`, or nullptr when the host cannot run it.
const Kernels* KernelsFor(cpu::Isa isa) noexcept;
// The strongest variant allowed by cpu::ActiveIsa(). Never null.
const Kernels& SelectKernels() noexcept;

namespace detail {
const Kernels* ScalarKernels() noexcept;
const Kernels* Ssse3Kernels() noexcept;
const Kernels* Avx2Kernels() noexcept;
const Kernels* Avx512Kernels() noexcept;
const Kernels* GfniKernels() noexcept;
}  // namespace detail

}  // namespace lumen::gf::ff16
