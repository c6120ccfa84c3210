// core/fec/detail/fft16_tables.h — constants of the GF(2^16) additive FFT and the
// error-locator evaluation used by core/fec/rs_fft16.
//
// Positions 0..65535 are field elements in Cantor coordinates. FftSkew()[j]
// is the twist factor of the butterfly group whose upper half starts at
// position j + 1 (Lin/Chung/Han novel polynomial basis, as in Leopard's
// FFTInitialize). Fwht() is the Walsh-Hadamard transform over Z/65535, used to
// compute sum_{e in E} log(x_i + x_e) for every position i at once (a dyadic
// convolution), i.e. the log of the error locator prod (x_i - x_e).
#pragma once

#include <cstddef>
#include <cstdint>

namespace lumen::fec::detail {

// 65535 entries (element values, 0 allowed), built once on first use.
const uint16_t* FftSkew() noexcept;

// In-place Walsh-Hadamard transform of d[0, n) modulo 65535 (n a power of two,
// values in [0, 65535] with 65535 == 0).
void Fwht(uint32_t* d, unsigned n) noexcept;

// out[i] = FWHT_n of (i == 0 ? 0 : log(i)) for i < n: the transformed log
// table for an n-point locator evaluation. out has n entries.
void LogWalsh(unsigned n, uint32_t* out) noexcept;

// Given erased[i] (0/1) for i < n and lw = LogWalsh(n), writes loc[i] in
// [0, 65534]: for a non-erased i, log prod_{e erased} (x_i - x_e); for an erased
// i, log prod_{e erased, e != i} (x_i - x_e) (the locator's derivative). O(n log n).
void LocatorLogs(const uint8_t* erased, const uint32_t* lw, unsigned n, uint32_t* loc) noexcept;

}  // namespace lumen::fec::detail
