// core/gf/gf256.h — GF(2^8) modulo x^8+x^4+x^3+x^2+1 (0x11D), generator 2.
//
// This is the field Moonlight/Sunshine's Reed-Solomon (nanors) uses. All tables
// are constexpr data, built at compile time: no init call, no static
// constructors. The SIMD kernels (core/gf/gf256_kernels.h) read the same tables
// (split nibble tables for pshufb, 8x8 bit matrices for GFNI).
#pragma once

#include <array>
#include <cstdint>

#include "core/gf/field.h"

namespace lumen::gf {

namespace gf256_detail {

inline constexpr uint32_t kPoly = 0x11D;

struct LogExp {
  uint8_t exp[512];  // exp[i] = 2^i, doubled so exp[log a + log b] needs no mod
  uint8_t log[256];  // log[0] is unused (0)
  uint8_t inv[256];  // inv[0] = 0
};

constexpr LogExp MakeLogExp() {
  LogExp t{};
  uint32_t x = 1;
  for (int i = 0; i < 255; ++i) {
    t.exp[i] = static_cast<uint8_t>(x);
    t.exp[i + 255] = static_cast<uint8_t>(x);
    t.log[x] = static_cast<uint8_t>(i);
    x <<= 1;
    if (x & 0x100) x ^= kPoly;
  }
  t.exp[510] = t.exp[0];
  t.exp[511] = t.exp[1];
  t.inv[0] = 0;
  for (int a = 1; a < 256; ++a) t.inv[a] = t.exp[(255 - t.log[a]) % 255];
  return t;
}

inline constexpr LogExp kLogExp = MakeLogExp();

constexpr uint8_t MulSlow(uint8_t a, uint8_t b) {
  if (a == 0 || b == 0) return 0;
  return kLogExp.exp[kLogExp.log[a] + kLogExp.log[b]];
}

// Full product table: kMul[c][x] = c*x. 64 KiB, used by the scalar kernels.
struct MulTable {
  uint8_t v[256][256];
};
constexpr MulTable MakeMulTable() {
  MulTable t{};
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) t.v[a][b] = MulSlow(uint8_t(a), uint8_t(b));
  return t;
}

// Split tables for pshufb: lo[c][n] = c*n, hi[c][n] = c*(n<<4), n in 0..15.
struct NibbleTables {
  alignas(64) uint8_t lo[256][16];
  alignas(64) uint8_t hi[256][16];
};
constexpr NibbleTables MakeNibbleTables() {
  NibbleTables t{};
  for (int c = 0; c < 256; ++c)
    for (int n = 0; n < 16; ++n) {
      t.lo[c][n] = MulSlow(uint8_t(c), uint8_t(n));
      t.hi[c][n] = MulSlow(uint8_t(c), uint8_t(n << 4));
    }
  return t;
}

// GFNI: the 8x8 bit matrix A_c with gf2p8affineqb(x, A_c, 0) == c*x in this
// field. gf2p8affineqb computes result bit i = parity(byte[7-i] of A & x), so
// byte (7-i) holds bit i of c*2^j at bit position j.
constexpr uint64_t AffineFor(uint8_t c) {
  uint64_t m = 0;
  for (int i = 0; i < 8; ++i) {
    uint8_t row = 0;
    for (int j = 0; j < 8; ++j)
      if ((MulSlow(c, uint8_t(1u << j)) >> i) & 1) row |= uint8_t(1u << j);
    m |= uint64_t{row} << (8 * (7 - i));
  }
  return m;
}
struct AffineTable {
  alignas(64) uint64_t v[256];
};
constexpr AffineTable MakeAffineTable() {
  AffineTable t{};
  for (int c = 0; c < 256; ++c) t.v[c] = AffineFor(uint8_t(c));
  return t;
}

inline constexpr MulTable kMul = MakeMulTable();
inline constexpr NibbleTables kNibble = MakeNibbleTables();
inline constexpr AffineTable kAffine = MakeAffineTable();

}  // namespace gf256_detail

// The field as a type (satisfies GaloisField).
struct Gf256 {
  using Element = uint8_t;
  static constexpr int kBits = 8;
  static constexpr uint32_t kPolynomial = gf256_detail::kPoly;
  static constexpr Element kGenerator = 2;

  static constexpr Element Add(Element a, Element b) { return a ^ b; }
  static constexpr Element Mul(Element a, Element b) { return gf256_detail::kMul.v[a][b]; }
  static constexpr Element Inv(Element a) { return gf256_detail::kLogExp.inv[a]; }
  static constexpr Element Div(Element a, Element b) {
    return b == 0 ? Element{0} : Mul(a, Inv(b));
  }
  // kGenerator^e, e >= 0.
  static constexpr Element Exp(int e) { return gf256_detail::kLogExp.exp[e % 255]; }
  // Discrete log base 2; Log(0) returns 0 (undefined).
  static constexpr int Log(Element a) { return gf256_detail::kLogExp.log[a]; }
};

static_assert(GaloisField<Gf256>);
static_assert(Gf256::Mul(0x80, 2) == 0x1D);
static_assert(Gf256::Inv(2) == 0x8E);
static_assert(Gf256::Inv(3) == 0xF4);

}  // namespace lumen::gf
