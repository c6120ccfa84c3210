// libFuzzer target for lumen::fec::Rs256: decode(encode(x)) == x, or a clean
// status. Input layout (hard caps keep each run small):
//   [0] k byte, [1] m byte, [2..3] len (LE), [4] flags,
//   [5 .. 5+ceil((k+m)/8)) erasure bitmap, rest: data bytes (repeated to fill).
// flags bit0: rebuild parity; bit1: audio matrix (used when k=4, m=2);
// bit2: raw parameters (k, m taken as-is, so invalid ones are exercised);
// bit3: force the scalar kernels (cross-checks dispatch).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/cpu/cpu.h"
#include "core/fec/rs_gf256.h"

namespace {

constexpr int kMaxK = 96;
constexpr int kMaxM = 64;
constexpr size_t kMaxLen = 700;

[[noreturn]] void Fail() { __builtin_trap(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* in, size_t size) {
  using lumen::fec::Gf256Matrix;
  using lumen::fec::Rs256;
  using lumen::fec::Status;
  if (size < 5) return 0;
  const uint8_t flags = in[4];
  int k, m;
  if (flags & 4) {
    k = int(int8_t(in[0]));  // may be <= 0
    m = int(in[1]);
  } else {
    k = 1 + in[0] % kMaxK;
    m = 1 + in[1] % kMaxM;
    if (k + m > 255) m = 255 - k;
  }
  const size_t len = 1 + (size_t(in[2]) | size_t(in[3]) << 8) % kMaxLen;
  const Gf256Matrix kind =
      (flags & 2) && k == 4 && m == 2 ? Gf256Matrix::kMoonlightAudio : Gf256Matrix::kCauchy;
  lumen::cpu::ForceMaxIsa((flags & 8) ? lumen::cpu::Isa::kScalar : lumen::cpu::Isa::kGfni);

  Rs256 rs;
  const Status init = rs.Init(k, m, kind);
  const bool valid = k >= 1 && m >= 1 && k + m <= 255;
  if (init != (valid ? Status::kOk : Status::kInvalidArgument)) Fail();
  if (!valid) return 0;
  if (k > kMaxK || m > kMaxM) return 0;  // raw mode: keep runs cheap

  const int n = k + m;
  size_t pos = 5;
  std::vector<uint8_t> missing(n, 0);
  int lost = 0;
  for (int i = 0; i < n; ++i) {
    const size_t byte = pos + size_t(i) / 8;
    if (byte < size && (in[byte] >> (i % 8) & 1)) {
      missing[i] = 1;
      ++lost;
    }
  }
  pos += size_t(n + 7) / 8;
  const uint8_t* payload = pos < size ? in + pos : nullptr;
  const size_t payload_len = pos < size ? size - pos : 0;

  std::vector<std::vector<uint8_t>> shards(n, std::vector<uint8_t>(len));
  for (int i = 0; i < k; ++i) {
    for (size_t b = 0; b < len; ++b) {
      const size_t at = size_t(i) * len + b;
      shards[i][b] = payload_len ? payload[at % payload_len] ^ uint8_t(at / payload_len) : 0;
    }
  }
  std::vector<uint8_t*> ptrs(n);
  for (int i = 0; i < n; ++i) ptrs[i] = shards[i].data();
  if (rs.Encode(ptrs.data(), ptrs.data() + k, len) != Status::kOk) Fail();
  const auto original = shards;
  for (int i = 0; i < n; ++i) {
    if (missing[i]) std::memset(shards[i].data(), 0xA5, len);
  }
  const auto damaged = shards;
  const bool rebuild = flags & 1;
  const Status st = rs.Decode(ptrs.data(), missing.data(), len, rebuild);
  if (lost > m) {
    if (st != Status::kTooFewShards || shards != damaged) Fail();
    return 0;
  }
  if (st != Status::kOk) Fail();
  for (int i = 0; i < n; ++i) {
    const bool parity_left_lost = i >= k && missing[i] && !rebuild;
    if (shards[i] != (parity_left_lost ? damaged[i] : original[i])) Fail();
  }
  return 0;
}
