// core/gf/gf256_kernels_scalar.cc — portable GF(2^8) kernels: the reference
// every SIMD variant is tested against, and the fallback on any CPU.
#include <cstring>

#include "core/gf/gf256.h"
#include "core/gf/gf256_kernels.h"

namespace lumen::gf::detail::scalar {
namespace {

using gf256_detail::kMul;

void Mul(uint8_t* dst, const uint8_t* src, uint8_t c, size_t len) {
  const uint8_t* t = kMul.v[c];
  for (size_t b = 0; b < len; ++b) dst[b] = t[src[b]];
}

void MulAdd(uint8_t* dst, const uint8_t* src, uint8_t c, size_t len) {
  if (c == 0) return;
  const uint8_t* t = kMul.v[c];
  for (size_t b = 0; b < len; ++b) dst[b] ^= t[src[b]];
}

void Xor(uint8_t* dst, const uint8_t* src, size_t len) {
  size_t b = 0;
  for (; b + 8 <= len; b += 8) {
    uint64_t x, y;
    std::memcpy(&x, dst + b, 8);
    std::memcpy(&y, src + b, 8);
    x ^= y;
    std::memcpy(dst + b, &x, 8);
  }
  for (; b < len; ++b) dst[b] ^= src[b];
}

// Column blocks keep the touched part of every input in L1 across outputs.
constexpr size_t kBlock = 1024;

void Dot(const uint8_t* coeffs, const uint8_t* const* in, int k, uint8_t* const* out, int m,
         size_t len) {
  for (size_t off = 0; off < len; off += kBlock) {
    const size_t n = len - off < kBlock ? len - off : kBlock;
    for (int j = 0; j < m; ++j) {
      const uint8_t* row = coeffs + size_t(j) * k;
      Mul(out[j] + off, in[0] + off, row[0], n);
      for (int i = 1; i < k; ++i) MulAdd(out[j] + off, in[i] + off, row[i], n);
    }
  }
}

}  // namespace
}  // namespace lumen::gf::detail::scalar

namespace lumen::gf::detail {
const Gf256Kernels kGf256Scalar = {cpu::Isa::kScalar, "scalar", scalar::Mul, scalar::MulAdd,
                                   scalar::Xor, scalar::Dot};
}  // namespace lumen::gf::detail
