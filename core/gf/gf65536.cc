// core/gf/gf65536.cc — one-time construction of the GF(2^16) log/exp tables.
#include "core/gf/gf65536.h"

#include <mutex>

namespace lumen::gf::gf65536_detail {
namespace {

void Build(Tables* t) {
  // Polynomial basis: exp[i] = 2^i by an LFSR over 0x1002D.
  uint32_t x = 1;
  for (uint32_t i = 0; i < kModulus; ++i) {
    t->exp[i] = static_cast<uint16_t>(x);
    t->log[x] = static_cast<uint16_t>(i);
    x <<= 1;
    if (x & 0x10000) x ^= kPoly;
  }
  t->exp[kModulus] = t->exp[0];
  t->log[0] = kModulus;
  // Cantor coordinates: clog[c] = log(PolyFromCantor(c)), built incrementally
  // (PolyFromCantor(j + 2^i) = PolyFromCantor(j) ^ basis[i] for j < 2^i).
  uint16_t* poly_of = t->cexp;  // scratch: reuse cexp before it is filled
  poly_of[0] = 0;
  for (int i = 0; i < 16; ++i) {
    const uint32_t width = 1u << i;
    for (uint32_t j = 0; j < width; ++j)
      poly_of[j + width] = static_cast<uint16_t>(poly_of[j] ^ kCantorBasis[i]);
  }
  for (uint32_t c = 0; c < 65536; ++c) t->clog[c] = t->log[poly_of[c]];
  for (uint32_t c = 0; c < 65536; ++c) t->cexp[t->clog[c]] = static_cast<uint16_t>(c);
  // c = 0 wrote cexp[65535] = 0; the log domain treats 65535 as 0, so it is 1.
  t->cexp[kModulus] = 1;
}

}  // namespace

const Tables& GetTables() noexcept {
  static Tables tables;
  static std::once_flag once;
  std::call_once(once, [] { Build(&tables); });
  return tables;
}

}  // namespace lumen::gf::gf65536_detail
