// core/gf/field_laws.h — reusable checks that a GaloisField type really is a field.
//
// Used by core/gf/field_laws_test.cc (TEST_CASE_TEMPLATE over every field type)
// and available to other fields' tests. Checks run over a caller-chosen sample of
// elements (exhaustive for small fields) and report the failing operands.
#pragma once

#include <doctest/doctest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/gf/field.h"

namespace lumen::gf::testing {

// Edge values plus `count` pseudo-random elements (deterministic, seeded).
template <GaloisField F>
std::vector<typename F::Element> SampleElements(std::size_t count,
                                                uint64_t seed = 0x9E3779B97F4A7C15ull) {
  using E = typename F::Element;
  const uint32_t max = kMulGroupOrder<F>;
  std::vector<E> out = {E(0), E(1), E(2), E(3), E(max), E(max - 1), E(max >> 1),
                        E((max >> 1) + 1), F::kGenerator};
  uint64_t s = seed;
  for (std::size_t i = 0; i < count; ++i) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    out.push_back(E(s & max));
  }
  return out;
}

// Checks for every pair/triple from `xs`: table multiply equals the carry-less
// reference, commutativity, associativity, distributivity, identities, and
// inverse/division consistency. Pass a small set for triples (|xs|^3 work).
template <GaloisField F>
void CheckFieldLaws(const std::vector<typename F::Element>& xs,
                    const std::vector<typename F::Element>& triples) {
  using E = typename F::Element;
  bool ok = true;
  for (E a : xs) {
    ok = ok && F::Mul(a, E(1)) == a && F::Mul(a, E(0)) == 0 && F::Add(a, a) == 0;
    if (a != 0) ok = ok && F::Mul(a, F::Inv(a)) == 1;
    if (!ok) {
      FAIL_CHECK("identity/inverse law fails for a=" << uint32_t(a));
      return;
    }
    for (E b : xs) {
      const E ab = F::Mul(a, b);
      if (ab != ReferenceMul<F>(a, b) || ab != F::Mul(b, a) ||
          (b != 0 && F::Div(ab, b) != a)) {
        FAIL_CHECK("mul law fails for a=" << uint32_t(a) << " b=" << uint32_t(b));
        return;
      }
    }
  }
  for (E a : triples)
    for (E b : triples)
      for (E c : triples) {
        if (F::Mul(F::Mul(a, b), c) != F::Mul(a, F::Mul(b, c)) ||
            F::Mul(a, F::Add(b, c)) != F::Add(F::Mul(a, b), F::Mul(a, c))) {
          FAIL_CHECK("assoc/distrib fails for a=" << uint32_t(a) << " b=" << uint32_t(b)
                                                  << " c=" << uint32_t(c));
          return;
        }
      }
  CHECK(ok);
}

// The generator's powers cycle with period exactly 2^kBits - 1 (primitive).
template <GaloisField F>
void CheckGeneratorIsPrimitive() {
  using E = typename F::Element;
  const uint32_t order = kMulGroupOrder<F>;
  E x = 1;
  uint32_t period = 0;
  do {
    x = F::Mul(x, F::kGenerator);
    ++period;
  } while (x != 1 && period <= order);
  CHECK(period == order);
  CHECK(F::Exp(0) == 1);
  CHECK(F::Exp(1) == F::kGenerator);
  CHECK(F::Exp(int(order)) == 1);
}

}  // namespace lumen::gf::testing
