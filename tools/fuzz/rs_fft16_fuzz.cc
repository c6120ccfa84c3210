// libFuzzer target for lumen::fec::Rs16 (GF(2^16) additive-FFT Reed-Solomon):
// decode(encode(x)) == x, or a clean status; the dispatched SIMD kernels and the
// scalar kernels must produce identical parity. Input layout (hard caps keep
// each run small):
//   [0..1] k (LE), [2..3] m (LE), [4] length byte, [5] flags,
//   [6 .. 6+ceil((k+m)/8)) erasure bitmap, rest: data bytes (repeated to fill).
// Normal mode: k = 1 + k16 % 300, m = 1 + m16 % 200, len = 64 * (1 + byte % 8).
// flags bit2 (raw): k, m and len taken as-is (k, m up to 65535, len any byte)
//   so invalid parameters are exercised; valid raw shapes larger than the
//   caps only check Init.
// flags bit3: skip the scalar cross-check (faster runs).
// Wide-mode shapes (NextPow2(m) + k > 65536) always cost a 65536-point
// transform, so they live in core/fec/rs_fft16_test, not here.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/cpu/cpu.h"
#include "core/fec/rs_fft16.h"

namespace {

constexpr uint32_t kMaxK = 300;
constexpr uint32_t kMaxM = 200;

[[noreturn]] void Fail() { __builtin_trap(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* in, size_t size) {
  using lumen::fec::Rs16;
  using lumen::fec::Status;
  if (size < 6) return 0;
  const uint8_t flags = in[5];
  const uint32_t k16 = uint32_t(in[0]) | uint32_t(in[1]) << 8;
  const uint32_t m16 = uint32_t(in[2]) | uint32_t(in[3]) << 8;
  uint32_t k, m;
  size_t len;
  if (flags & 4) {
    k = k16;
    m = m16;
    len = in[4];
  } else {
    k = 1 + k16 % kMaxK;
    m = 1 + m16 % kMaxM;
    len = 64 * (1 + size_t(in[4] % 8));
  }
  const size_t max_len = 512;
  const bool valid = k >= 1 && m >= 1 && k + m <= Rs16::kMaxShards;
  Rs16 rs;
  if (k <= kMaxK && m <= kMaxM) {
    if (rs.Init(k, m, max_len) != (valid ? Status::kOk : Status::kInvalidArgument)) Fail();
  } else {
    // Too big to run here: only the parameter check (cheap for invalid ones).
    if (!valid && rs.Init(k, m, max_len) != Status::kInvalidArgument) Fail();
    return 0;
  }
  if (!valid) return 0;

  const uint32_t n = k + m;
  size_t pos = 6;
  std::vector<uint8_t> missing(n, 0);
  uint32_t lost = 0;
  for (uint32_t i = 0; i < n; ++i) {
    const size_t byte = pos + i / 8;
    if (byte < size && (in[byte] >> (i % 8) & 1)) {
      missing[i] = 1;
      ++lost;
    }
  }
  pos += (n + 7) / 8;
  const uint8_t* payload = pos < size ? in + pos : nullptr;
  const size_t payload_len = pos < size ? size - pos : 0;

  // Every buffer is max_len bytes (never empty, so never a null data()); the
  // codec must not touch bytes past len.
  const size_t buf_len = max_len;
  std::vector<std::vector<uint8_t>> shards(n, std::vector<uint8_t>(buf_len));
  for (uint32_t i = 0; i < k; ++i) {
    for (size_t b = 0; b < buf_len; ++b) {
      const size_t at = size_t(i) * buf_len + b;
      shards[i][b] = payload_len ? payload[at % payload_len] ^ uint8_t(at / payload_len) : 0;
    }
  }
  std::vector<uint8_t*> ptrs(n);
  for (uint32_t i = 0; i < n; ++i) ptrs[i] = shards[i].data();

  lumen::cpu::ResetForcedIsa();
  const Status enc = rs.Encode(ptrs.data(), ptrs.data() + k, len);
  if (len % Rs16::kShardAlign != 0 || len > max_len) {
    if (enc != Status::kInvalidArgument) Fail();
    if (rs.Decode(ptrs.data(), missing.data(), len) != Status::kInvalidArgument) Fail();
    return 0;
  }
  if (enc != Status::kOk) Fail();

  if (!(flags & 8)) {  // the scalar kernels must give the same parity bytes
    std::vector<std::vector<uint8_t>> ref(m, std::vector<uint8_t>(buf_len));
    std::vector<uint8_t*> rp(m);
    for (uint32_t j = 0; j < m; ++j) rp[j] = ref[j].data();
    lumen::cpu::ForceMaxIsa(lumen::cpu::Isa::kScalar);
    if (rs.Encode(ptrs.data(), rp.data(), len) != Status::kOk) Fail();
    lumen::cpu::ResetForcedIsa();
    for (uint32_t j = 0; j < m; ++j)
      if (std::memcmp(ref[j].data(), shards[k + j].data(), len) != 0) Fail();
  }

  const auto original = shards;
  for (uint32_t i = 0; i < n; ++i)
    if (missing[i]) std::memset(shards[i].data(), 0xA5, len);
  const auto damaged = shards;
  const Status st = rs.Decode(ptrs.data(), missing.data(), len);
  if (lost > m) {
    if (st != Status::kTooFewShards || shards != damaged) Fail();
    return 0;
  }
  if (st != Status::kOk) Fail();
  for (uint32_t i = 0; i < n; ++i) {
    const bool parity_left_lost = i >= k && missing[i];  // Decode rebuilds data only
    if (shards[i] != (parity_left_lost ? damaged[i] : original[i])) Fail();
  }
  return 0;
}
