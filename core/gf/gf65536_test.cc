// Tests for core/gf/gf65536.h: field laws (shared checks) for the polynomial
// view, the Cantor basis property, and the Cantor view against the polynomial one.
#include <doctest/doctest.h>

#include "core/gf/field_laws.h"
#include "core/gf/gf65536.h"

namespace lumen::gf {
namespace {

TEST_CASE("Gf65536.Laws") {
  const auto xs = testing::SampleElements<Gf65536>(1500);
  const auto small = testing::SampleElements<Gf65536>(40, 777);
  testing::CheckFieldLaws<Gf65536>(xs, small);
  testing::CheckGeneratorIsPrimitive<Gf65536>();
}

TEST_CASE("Gf65536.LogExpRoundTrip") {
  for (uint32_t a = 1; a < 65536; ++a) {
    if (Gf65536::Exp(Gf65536::Log(uint16_t(a))) != a) {
      FAIL_CHECK("exp(log a) != a for a=" << a);
      break;
    }
  }
  CHECK(Gf65536::Inv(0) == 0);
  CHECK(Gf65536::Div(7, 0) == 0);
}

TEST_CASE("Gf65536.CantorBasisProperty") {
  // b0 = 1 and b_i^2 + b_i = b_{i-1}, checked with the carry-less reference.
  const auto* b = gf65536_detail::kCantorBasis;
  CHECK(b[0] == 1);
  for (int i = 1; i < 16; ++i) {
    const uint16_t sq = ReferenceMul<Gf65536>(b[i], b[i]);
    CHECK_MESSAGE(uint16_t(sq ^ b[i]) == b[i - 1], "basis index " << i);
  }
}

TEST_CASE("Gf65536.CantorViewMatchesPolynomialView") {
  namespace c = gf65536_cantor;
  // Conversions are inverse bijections.
  for (uint32_t x = 0; x < 65536; ++x) {
    if (c::FromPoly(c::ToPoly(uint16_t(x))) != x) {
      FAIL_CHECK("FromPoly(ToPoly(x)) != x for x=" << x);
      break;
    }
  }
  // Multiplication agrees with the carry-less reference after conversion.
  const auto xs = testing::SampleElements<Gf65536>(300, 4242);
  for (uint16_t a : xs) {
    for (uint16_t b : xs) {
      const uint16_t want = ReferenceMul<Gf65536>(c::ToPoly(a), c::ToPoly(b));
      if (c::ToPoly(c::Mul(a, b)) != want) {
        FAIL_CHECK("cantor mul mismatch a=" << a << " b=" << b);
        return;
      }
    }
    if (a != 0) CHECK(c::Mul(a, c::Inv(a)) == 1);
    CHECK(c::MulLog(a, 65535) == a);  // log 65535 == log 1
  }
}

}  // namespace
}  // namespace lumen::gf
