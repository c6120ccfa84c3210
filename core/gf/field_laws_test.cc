// Field laws for every lumen GaloisField (add new field types to LUMEN_FIELD_TYPES),
// plus exhaustive GF(2^8) checks over all 65536 pairs.
#include <doctest/doctest.h>

#include "core/gf/field_laws.h"
#include "core/gf/gf256.h"
#include "core/gf/gf65536.h"

namespace lumen::gf {
namespace {

#define LUMEN_FIELD_TYPES Gf256, Gf65536

TEST_CASE_TEMPLATE("GaloisField.Laws", F, LUMEN_FIELD_TYPES) {
  static_assert(GaloisField<F>);
  const auto xs = testing::SampleElements<F>(600);
  const auto small = testing::SampleElements<F>(40, 12345);
  testing::CheckFieldLaws<F>(xs, small);
  testing::CheckGeneratorIsPrimitive<F>();
}

TEST_CASE("Gf256.ExhaustivePairs") {
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[i] = uint8_t(i);
  // All 65536 pairs against the carry-less reference (and commutativity,
  // division); triples over a 64-element subset.
  std::vector<uint8_t> sub;
  for (int i = 0; i < 256; i += 4) sub.push_back(uint8_t(i ^ (i >> 3)));
  testing::CheckFieldLaws<Gf256>(all, sub);
}

TEST_CASE("Gf256.MoonlightConstants") {
  CHECK(Gf256::Mul(0x80, 2) == 0x1D);
  CHECK(Gf256::Inv(2) == 0x8E);
  CHECK(Gf256::Inv(3) == 0xF4);
  CHECK(Gf256::Inv(0) == 0);
  CHECK(Gf256::Div(5, 0) == 0);
  for (int a = 1; a < 256; ++a) CHECK(Gf256::Exp(Gf256::Log(uint8_t(a))) == a);
}

TEST_CASE("Gf256.SimdTablesAgreeWithField") {
  using gf256_detail::kAffine;
  using gf256_detail::kNibble;
  for (int c = 0; c < 256; ++c) {
    for (int x = 0; x < 256; ++x) {
      const uint8_t want = Gf256::Mul(uint8_t(c), uint8_t(x));
      if ((kNibble.lo[c][x & 15] ^ kNibble.hi[c][x >> 4]) != want) {
        FAIL_CHECK("nibble table wrong c=" << c << " x=" << x);
        return;
      }
      // Emulate gf2p8affineqb: bit i = parity(byte[7-i](A) & x).
      uint8_t r = 0;
      for (int i = 0; i < 8; ++i) {
        const uint8_t row = uint8_t(kAffine.v[c] >> (8 * (7 - i)));
        r |= uint8_t((__builtin_popcount(row & x) & 1) << i);
      }
      if (r != want) {
        FAIL_CHECK("affine matrix wrong c=" << c << " x=" << x);
        return;
      }
    }
  }
}

}  // namespace
}  // namespace lumen::gf
