// core/gf/gf65536.h — GF(2^16) modulo x^16+x^5+x^3+x^2+1 (0x1002D), generator 2.
//
// Two views of the same field:
//  * `Gf65536` — elements in the ordinary polynomial basis (bit i = coefficient of
//    x^i). Satisfies the GaloisField concept (core/gf/field.h) and is checked by the
//    shared law tests.
//  * `gf65536_cantor` — elements written in the Cantor basis kCantorBasis (bit i of
//    an element = coefficient of kCantorBasis[i]). The additive-FFT Reed-Solomon
//    codec (core/fec/rs_fft16.h) works in this view: with a Cantor basis the
//    normalised subspace polynomials have derivative 1, so the formal derivative
//    in the novel polynomial basis is XOR only. Multiplication is the same field
//    multiplication; only the coordinates differ (addition is XOR in both).
//
// Tables: four 65536-entry uint16_t tables (512 KiB) are built ONCE at first use
// in a function-local static (about 1 ms). constexpr evaluation of 2^16-step
// loops exceeds gcc 12's default constexpr operation limit, so these are not
// constexpr; everything small (polynomial, basis) is.
#pragma once

#include <cstdint>

#include "core/gf/field.h"

namespace lumen::gf {

namespace gf65536_detail {

inline constexpr uint32_t kPoly = 0x1002D;
inline constexpr uint32_t kModulus = 65535;  // multiplicative group order

// Cantor basis of GF(2^16)/0x1002D (polynomial coordinates): b0 = 1 and
// b[i]^2 + b[i] = b[i-1]. Verified by gf65536_test.
inline constexpr uint16_t kCantorBasis[16] = {
    0x0001, 0xACCA, 0x3C0E, 0x163E, 0xC582, 0xED2E, 0x914C, 0x4012,
    0x6C98, 0x10D8, 0x6A72, 0xB900, 0xFDB8, 0xFB34, 0xFF38, 0x991E,
};

struct Tables {
  uint16_t log[65536];   // polynomial basis: log base 2; log[0] = 65535 (sentinel)
  uint16_t exp[65536];   // exp[i] = 2^i for i < 65535; exp[65535] = 1
  uint16_t clog[65536];  // Cantor coordinates -> log; clog[0] = 65535 (sentinel)
  uint16_t cexp[65536];  // log -> Cantor coordinates; cexp[65535] = 1
};

// The tables, built on first call (thread-safe, never freed).
const Tables& GetTables() noexcept;

// (a + b) mod 65535 for a, b <= 65535, result in [0, 65535] where 65535 == 0.
inline uint32_t AddMod(uint32_t a, uint32_t b) noexcept {
  const uint32_t s = a + b;
  return (s + (s >> 16)) & 0xFFFF;
}
// (a - b) mod 65535 for a, b <= 65535, result in [0, 65535] where 65535 == 0.
inline uint32_t SubMod(uint32_t a, uint32_t b) noexcept {
  const uint32_t d = a - b;
  return (d + (d >> 16)) & 0xFFFF;
}

// Polynomial coordinates of the element whose Cantor coordinates are `c`.
constexpr uint16_t PolyFromCantor(uint16_t c) {
  uint16_t p = 0;
  for (int i = 0; i < 16; ++i)
    if ((c >> i) & 1) p ^= kCantorBasis[i];
  return p;
}

}  // namespace gf65536_detail

// The field in the polynomial basis (satisfies GaloisField).
struct Gf65536 {
  using Element = uint16_t;
  static constexpr int kBits = 16;
  static constexpr uint32_t kPolynomial = gf65536_detail::kPoly;
  static constexpr Element kGenerator = 2;

  static Element Add(Element a, Element b) { return Element(a ^ b); }
  static Element Mul(Element a, Element b) {
    if (a == 0 || b == 0) return 0;
    const auto& t = gf65536_detail::GetTables();
    return t.exp[gf65536_detail::AddMod(t.log[a], t.log[b])];
  }
  // Inv(0) == 0.
  static Element Inv(Element a) {
    if (a == 0) return 0;
    const auto& t = gf65536_detail::GetTables();
    return t.exp[gf65536_detail::kModulus - t.log[a]];
  }
  // Div(a, 0) == 0.
  static Element Div(Element a, Element b) {
    if (a == 0 || b == 0) return 0;
    const auto& t = gf65536_detail::GetTables();
    return t.exp[gf65536_detail::SubMod(t.log[a], t.log[b])];
  }
  // kGenerator^e, e >= 0.
  static Element Exp(int e) {
    return gf65536_detail::GetTables().exp[uint32_t(e) % gf65536_detail::kModulus];
  }
  // Discrete log base 2; Log(0) returns 65535 (undefined).
  static int Log(Element a) { return gf65536_detail::GetTables().log[a]; }
};

static_assert(GaloisField<Gf65536>);

// The same field in Cantor coordinates (what the FFT codec uses).
namespace gf65536_cantor {

inline uint16_t Mul(uint16_t a, uint16_t b) noexcept {
  if (a == 0 || b == 0) return 0;
  const auto& t = gf65536_detail::GetTables();
  return t.cexp[gf65536_detail::AddMod(t.clog[a], t.clog[b])];
}
// a * exp(log_b) where log_b in [0, 65535] (65535 means log 0, i.e. factor 1).
inline uint16_t MulLog(uint16_t a, uint32_t log_b) noexcept {
  if (a == 0) return 0;
  const auto& t = gf65536_detail::GetTables();
  return t.cexp[gf65536_detail::AddMod(t.clog[a], log_b)];
}
inline uint16_t Inv(uint16_t a) noexcept {
  if (a == 0) return 0;
  const auto& t = gf65536_detail::GetTables();
  return t.cexp[gf65536_detail::kModulus - t.clog[a]];
}
// Log of a nonzero element (65535 for 0).
inline uint16_t Log(uint16_t a) noexcept { return gf65536_detail::GetTables().clog[a]; }
// Element with log `e` (e in [0, 65535]).
inline uint16_t Exp(uint32_t e) noexcept { return gf65536_detail::GetTables().cexp[e]; }
inline uint16_t ToPoly(uint16_t c) noexcept { return gf65536_detail::PolyFromCantor(c); }
inline uint16_t FromPoly(uint16_t p) noexcept {
  if (p == 0) return 0;
  const auto& t = gf65536_detail::GetTables();
  return t.cexp[t.log[p]];
}

}  // namespace gf65536_cantor

}  // namespace lumen::gf
