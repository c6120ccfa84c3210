// core/gf/field.h — the shared shape of lumen's binary Galois fields.
//
// GF(2^8) (core/gf/gf256.h) and GF(2^16) (core/gf/gf65536.h) both satisfy
// `GaloisField`, so law tests (core/gf/field_laws.h) and generic matrix code
// can be written once. A field type is a stateless struct of static
// constexpr/inline functions over an unsigned `Element`; addition is XOR.
#pragma once

#include <concepts>
#include <cstdint>

namespace lumen::gf {

template <class F>
concept GaloisField = requires(typename F::Element a, typename F::Element b, int e) {
  typename F::Element;
  requires std::unsigned_integral<typename F::Element>;
  // Degree of the field over GF(2): the field has 2^kBits elements.
  { F::kBits } -> std::convertible_to<int>;
  // Reducing polynomial with the x^kBits term, e.g. 0x11D for GF(2^8).
  { F::kPolynomial } -> std::convertible_to<uint32_t>;
  // A primitive element (generator of the multiplicative group).
  { F::kGenerator } -> std::convertible_to<typename F::Element>;
  { F::Add(a, b) } -> std::same_as<typename F::Element>;
  { F::Mul(a, b) } -> std::same_as<typename F::Element>;
  // Inv(0) and Div(a, 0) return 0 (never trap); callers must not rely on it.
  { F::Inv(a) } -> std::same_as<typename F::Element>;
  { F::Div(a, b) } -> std::same_as<typename F::Element>;
  // kGenerator^e for any e >= 0.
  { F::Exp(e) } -> std::same_as<typename F::Element>;
};

// Number of elements minus one: the order of the multiplicative group.
template <GaloisField F>
inline constexpr uint32_t kMulGroupOrder = (uint32_t{1} << F::kBits) - 1;

// Carry-less reference multiply: shift-and-add modulo F::kPolynomial. Slow, but
// independent of any table; the law tests check every table against it.
template <GaloisField F>
constexpr typename F::Element ReferenceMul(typename F::Element a, typename F::Element b) {
  uint32_t x = a, y = b, r = 0;
  const uint32_t top = uint32_t{1} << F::kBits;
  while (y) {
    if (y & 1) r ^= x;
    y >>= 1;
    x <<= 1;
    if (x & top) x ^= F::kPolynomial;
  }
  return static_cast<typename F::Element>(r);
}

}  // namespace lumen::gf
