// core/fec/detail/fft16_tables.cc — skew factors and locator evaluation for the
// GF(2^16) additive FFT (algorithm after Lin/Chung/Han and Leopard's FF16).
#include "core/fec/detail/fft16_tables.h"

#include <mutex>

#include "core/gf/gf65536.h"

namespace lumen::fec::detail {
namespace {

using gf::gf65536_detail::AddMod;
using gf::gf65536_detail::kModulus;
using gf::gf65536_detail::SubMod;

void BuildSkew(uint16_t* skew) {
  namespace c = gf::gf65536_cantor;
  // temp[i] starts as the basis element 2^(i+1); after step m it is divided by
  // the normalising factor of subspace m, so every layer's twist stays in the
  // normalised (Cantor) novel basis.
  uint32_t temp[15];
  for (unsigned i = 1; i < 16; ++i) temp[i - 1] = 1u << i;
  for (unsigned m = 0; m < 15; ++m) {
    const unsigned step = 1u << (m + 1);
    skew[(1u << m) - 1] = 0;
    for (unsigned i = m; i < 15; ++i) {
      const unsigned s = 1u << (i + 1);
      for (unsigned j = (1u << m) - 1; j < s; j += step)
        skew[j + s] = static_cast<uint16_t>(skew[j] ^ temp[i]);
    }
    // temp[m] becomes a log: -log(temp[m] * (temp[m] + 1)).
    const uint16_t t = static_cast<uint16_t>(temp[m]);
    temp[m] = kModulus - c::Log(c::Mul(t, static_cast<uint16_t>(t ^ 1)));
    for (unsigned i = m + 1; i < 15; ++i) {
      const uint32_t sum = AddMod(c::Log(static_cast<uint16_t>(temp[i] ^ 1)), temp[m]);
      temp[i] = c::MulLog(static_cast<uint16_t>(temp[i]), sum);
    }
  }
}

}  // namespace

const uint16_t* FftSkew() noexcept {
  static uint16_t skew[kModulus];
  static std::once_flag once;
  std::call_once(once, [] { BuildSkew(skew); });
  return skew;
}

void Fwht(uint32_t* d, unsigned n) noexcept {
  for (unsigned dist = 1; dist < n; dist <<= 1) {
    for (unsigned r = 0; r < n; r += 2 * dist) {
      for (unsigned i = r; i < r + dist; ++i) {
        const uint32_t a = d[i], b = d[i + dist];
        d[i] = AddMod(a, b);
        d[i + dist] = SubMod(a, b);
      }
    }
  }
}

void LogWalsh(unsigned n, uint32_t* out) noexcept {
  out[0] = 0;
  for (unsigned i = 1; i < n; ++i) out[i] = gf::gf65536_cantor::Log(static_cast<uint16_t>(i));
  Fwht(out, n);
}

void LocatorLogs(const uint8_t* erased, const uint32_t* lw, unsigned n, uint32_t* loc) noexcept {
  for (unsigned i = 0; i < n; ++i) loc[i] = erased[i] ? 1 : 0;
  Fwht(loc, n);
  for (unsigned i = 0; i < n; ++i) loc[i] = (loc[i] * lw[i]) % kModulus;
  Fwht(loc, n);
  // Two unnormalised n-point transforms scale by n; 2^16 == 1 (mod 65535), so
  // 1/n == 2^(16 - log2 n).
  unsigned lg = 0;
  while ((1u << lg) < n) ++lg;
  const uint32_t inv_n = (1u << (16 - lg)) % kModulus;
  for (unsigned i = 0; i < n; ++i) loc[i] = (loc[i] * inv_n) % kModulus;
}

}  // namespace lumen::fec::detail
