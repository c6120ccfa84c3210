// Tests for core/fec/rs_fft16.h (Rs16): parameter checks, every erasure pattern
// of tiny blocks, seeded random blocks, every SIMD variant against scalar,
// wide-mode blocks and a few very large blocks.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "core/cpu/cpu.h"
#include "core/fec/rs_fft16.h"

namespace lumen::fec {
namespace {

struct Block {
  Block(uint32_t k, uint32_t m, size_t len, uint64_t seed) : k(k), m(m), len(len) {
    bytes.resize(size_t(k + m) * len);
    std::mt19937_64 rng(seed);
    for (size_t i = 0; i < size_t(k) * len; ++i) bytes[i] = uint8_t(rng());
    for (uint32_t i = 0; i < k + m; ++i) ptrs.push_back(bytes.data() + size_t(i) * len);
  }
  const uint8_t* const* data() const { return ptrs.data(); }
  uint8_t* const* parity() { return ptrs.data() + k; }
  uint32_t k, m;
  size_t len;
  std::vector<uint8_t> bytes;
  std::vector<uint8_t*> ptrs;
};

// Encodes, loses `missing`, decodes and compares. Returns the decode status.
Status RoundTrip(Rs16& rs, uint32_t k, uint32_t m, size_t len, const std::vector<uint8_t>& missing,
                 uint64_t seed, bool* data_ok) {
  Block b(k, m, len, seed);
  REQUIRE(rs.Encode(b.data(), b.parity(), len) == Status::kOk);
  const std::vector<uint8_t> orig = b.bytes;
  for (uint32_t i = 0; i < k + m; ++i)
    if (missing[i]) std::memset(b.ptrs[i], 0xA5 ^ int(i), len);
  const Status st = rs.Decode(b.ptrs.data(), missing.data(), len);
  *data_ok = std::memcmp(b.bytes.data(), orig.data(), size_t(k) * len) == 0;
  return st;
}

TEST_CASE("Rs16.RejectsInvalidParameters") {
  Rs16 rs;
  uint8_t buf[64] = {};
  const uint8_t* d[1] = {buf};
  uint8_t* p[1] = {buf};
  CHECK(rs.Encode(d, p, 64) == Status::kInvalidArgument);  // not initialised
  CHECK(rs.Init(0, 1, 64) == Status::kInvalidArgument);
  CHECK(rs.Init(1, 0, 64) == Status::kInvalidArgument);
  CHECK(rs.Init(65535, 1, 64) == Status::kInvalidArgument);
  CHECK(rs.Init(40000, 25536, 64) == Status::kInvalidArgument);
  CHECK(rs.Init(1, 1, 0) == Status::kInvalidArgument);
  CHECK(rs.Init(1, 1, 100) == Status::kInvalidArgument);
  REQUIRE(rs.Init(2, 2, 128) == Status::kOk);
  CHECK(rs.k() == 2);
  CHECK(rs.m() == 2);
  Block b(2, 2, 128, 1);
  CHECK(rs.Encode(b.data(), b.parity(), 100) == Status::kInvalidArgument);
  CHECK(rs.Encode(b.data(), b.parity(), 192) == Status::kInvalidArgument);
  CHECK(rs.Encode(nullptr, b.parity(), 64) == Status::kInvalidArgument);
  CHECK(rs.Encode(b.data(), nullptr, 64) == Status::kInvalidArgument);
  std::vector<const uint8_t*> dn = {b.ptrs[0], nullptr};
  CHECK(rs.Encode(dn.data(), b.parity(), 64) == Status::kInvalidArgument);
  CHECK(rs.Encode(b.data(), b.parity(), 128) == Status::kOk);
  std::vector<uint8_t> missing(4, 0);
  CHECK(rs.Decode(nullptr, missing.data(), 64) == Status::kInvalidArgument);
  CHECK(rs.Decode(b.ptrs.data(), nullptr, 64) == Status::kInvalidArgument);
  CHECK(rs.Decode(b.ptrs.data(), missing.data(), 65) == Status::kInvalidArgument);
  std::vector<uint8_t*> sn = b.ptrs;
  sn[3] = nullptr;
  CHECK(rs.Decode(sn.data(), missing.data(), 64) == Status::kInvalidArgument);
  missing = {1, 1, 1, 0};
  const std::vector<uint8_t> before = b.bytes;
  CHECK(rs.Decode(b.ptrs.data(), missing.data(), 128) == Status::kTooFewShards);
  CHECK(b.bytes == before);  // nothing written
  CHECK(rs.Encode(b.data(), b.parity(), 0) == Status::kOk);
}

TEST_CASE("Rs16.EveryErasurePatternTinyBlocks") {
  const uint32_t shapes[][2] = {{1, 1}, {1, 2}, {2, 1}, {1, 3}, {2, 2}, {3, 1}, {3, 2}, {2, 3},
                                {4, 2}, {3, 3}, {5, 3}, {4, 4}, {6, 4}, {7, 5}, {5, 7}, {9, 3}};
  for (const auto& s : shapes) {
    const uint32_t k = s[0], m = s[1], total = k + m;
    Rs16 rs;
    REQUIRE(rs.Init(k, m, 192) == Status::kOk);
    for (uint32_t mask = 0; mask < (1u << total); ++mask) {
      std::vector<uint8_t> missing(total);
      uint32_t lost = 0;
      for (uint32_t i = 0; i < total; ++i) {
        missing[i] = (mask >> i) & 1;
        lost += missing[i];
      }
      bool ok = false;
      const Status st = RoundTrip(rs, k, m, 192, missing, mask * 31 + k, &ok);
      if (lost > m) {
        if (st != Status::kTooFewShards) FAIL_CHECK("k=" << k << " m=" << m << " mask=" << mask);
      } else if (st != Status::kOk || !ok) {
        FAIL_CHECK("decode failed k=" << k << " m=" << m << " mask=" << mask);
      }
    }
  }
}

TEST_CASE("Rs16.RandomBlocks") {
  const uint64_t seed = 0x5eed16;
  std::mt19937_64 rng(seed);
  for (int iter = 0; iter < 60; ++iter) {
    const uint32_t k = 1 + uint32_t(rng() % (iter < 40 ? 64 : 700));
    const uint32_t m = 1 + uint32_t(rng() % (iter < 40 ? 40 : 300));
    const size_t len = 64 * (1 + rng() % 6);
    Rs16 rs;
    REQUIRE(rs.Init(k, m, len) == Status::kOk);
    // Lose exactly m shards (worst case) chosen at random, favouring data.
    std::vector<uint8_t> missing(k + m, 0);
    uint32_t lost = 0;
    while (lost < m) {
      const uint32_t i = uint32_t(rng() % (k + m));
      if (!missing[i]) {
        missing[i] = 1;
        ++lost;
      }
    }
    bool ok = false;
    const uint64_t bseed = rng();
    CAPTURE(seed);
    CAPTURE(iter);
    CAPTURE(k);
    CAPTURE(m);
    CHECK(RoundTrip(rs, k, m, len, missing, bseed, &ok) == Status::kOk);
    CHECK(ok);
    // One more loss is too many.
    for (uint32_t i = 0; i < k + m; ++i)
      if (!missing[i]) {
        missing[i] = 1;
        break;
      }
    CHECK(RoundTrip(rs, k, m, len, missing, bseed, &ok) == Status::kTooFewShards);
  }
}

TEST_CASE("Rs16.EveryIsaGivesIdenticalBytes") {
  const uint32_t shapes[][2] = {{40, 8}, {5, 17}, {200, 51}, {1000, 200}, {3, 1}};
  for (const auto& s : shapes) {
    const uint32_t k = s[0], m = s[1];
    const size_t len = 1408;
    std::vector<uint8_t> ref_parity, ref_data;
    for (int isa = 0; isa <= static_cast<int>(cpu::HostBestIsa()); ++isa) {
      cpu::ForceMaxIsa(static_cast<cpu::Isa>(isa));
      Rs16 rs;
      REQUIRE(rs.Init(k, m, len) == Status::kOk);
      Block b(k, m, len, 99 + k);
      REQUIRE(rs.Encode(b.data(), b.parity(), len) == Status::kOk);
      const std::vector<uint8_t> orig = b.bytes;
      std::vector<uint8_t> parity(b.bytes.begin() + size_t(k) * len, b.bytes.end());
      // Lose the first min(k, m) data shards.
      std::vector<uint8_t> missing(k + m, 0);
      for (uint32_t i = 0; i < std::min(k, m); ++i) {
        missing[i] = 1;
        std::memset(b.ptrs[i], 0, len);
      }
      REQUIRE(rs.Decode(b.ptrs.data(), missing.data(), len) == Status::kOk);
      CAPTURE(isa);
      CAPTURE(k);
      CHECK(b.bytes == orig);
      if (isa == 0) {
        ref_parity = parity;
      } else {
        CHECK(parity == ref_parity);
      }
    }
    cpu::ResetForcedIsa();
  }
}

TEST_CASE("Rs16.ClusteredLossesEveryIsa") {
  // Runs of lost data shards (the first, middle and last ones, and runs that
  // fill one eighth of the decoder's transform) take the decoder's fused
  // derivative / top-of-FFT path, with and without the IFFT's last pass fused
  // in (n = 64 vs larger); every ISA must rebuild the same bytes.
  const uint32_t shapes[][2] = {{40, 8},     {25, 7},     {100, 20}, {200, 51},
                                {1000, 200}, {3000, 600}, {60, 4},   {500, 100}};
  for (const auto& s : shapes) {
    const uint32_t k = s[0], m = s[1];
    uint32_t mpow = 1;
    while (mpow < m) mpow <<= 1;
    uint32_t n = 1;
    while (n < mpow + k) n <<= 1;
    const size_t len = 128;
    std::vector<uint32_t> starts = {0, k / 2, k > m ? k - m : 0, k > m + 3 ? k - m - 3 : 0};
    // A run covering data positions [j n/8, (j+1) n/8) within the data, for each j.
    for (uint32_t j = 0; j < 8; ++j) {
      const uint32_t lo = j * (n / 8);
      if (lo >= mpow && lo < mpow + k) starts.push_back(lo - mpow);
    }
    for (const uint32_t start : starts) {
      const uint32_t e = std::min(m, k - start);
      std::vector<uint8_t> ref;
      for (int isa = 0; isa <= static_cast<int>(cpu::HostBestIsa()); ++isa) {
        cpu::ForceMaxIsa(static_cast<cpu::Isa>(isa));
        Rs16 rs;
        REQUIRE(rs.Init(k, m, len) == Status::kOk);
        std::vector<uint8_t> missing(k + m, 0);
        for (uint32_t i = start; i < start + e; ++i) missing[i] = 1;
        // With room left, lose one parity shard too.
        if (e < m) missing[k + m - 1] = 1;
        bool ok = false;
        CAPTURE(k);
        CAPTURE(m);
        CAPTURE(start);
        CAPTURE(isa);
        CHECK(RoundTrip(rs, k, m, len, missing, 7 + start, &ok) == Status::kOk);
        CHECK(ok);
      }
      cpu::ResetForcedIsa();
    }
  }
}

TEST_CASE("Rs16.RepeatedAndChangingPatternsOnOneCodec") {
  // Decode caches its error locator per erasure pattern: alternate patterns
  // (and repeat one with fresh data) on one codec; every decode must be right.
  const uint32_t k = 300, m = 60;
  const size_t len = 192;
  Rs16 rs;
  REQUIRE(rs.Init(k, m, len) == Status::kOk);
  std::mt19937_64 rng(31);
  std::vector<std::vector<uint8_t>> patterns;
  for (int p = 0; p < 3; ++p) {
    std::vector<uint8_t> missing(k + m, 0);
    for (uint32_t lost = 0; lost < m - uint32_t(p);) {
      const uint32_t i = uint32_t(rng() % (k + m));
      if (!missing[i]) {
        missing[i] = 1;
        ++lost;
      }
    }
    patterns.push_back(missing);
  }
  const int order[] = {0, 0, 1, 0, 2, 2, 1, 1, 0};
  for (int step = 0; step < 9; ++step) {
    CAPTURE(step);
    bool ok = false;
    CHECK(RoundTrip(rs, k, m, len, patterns[order[step]], 1000 + step, &ok) == Status::kOk);
    CHECK(ok);
  }
}

TEST_CASE("Rs16.StripedMatchesUnstriped") {
  // 1000+200 at 4096 B runs in several column stripes; a 64-byte block decoded
  // alone must give the same bytes as the same columns of the big block.
  const uint32_t k = 1000, m = 200;
  Rs16 big, small;
  REQUIRE(big.Init(k, m, 4096) == Status::kOk);
  REQUIRE(small.Init(k, m, 64) == Status::kOk);
  Block b(k, m, 4096, 5);
  REQUIRE(big.Encode(b.data(), b.parity(), 4096) == Status::kOk);
  Block c(k, m, 64, 6);
  for (uint32_t i = 0; i < k; ++i) std::memcpy(c.ptrs[i], b.ptrs[i] + 4032, 64);
  REQUIRE(small.Encode(c.data(), c.parity(), 64) == Status::kOk);
  for (uint32_t j = 0; j < m; ++j) CHECK(std::memcmp(c.ptrs[k + j], b.ptrs[k + j] + 4032, 64) == 0);
}

TEST_CASE("Rs16.WideModeAndEdgeShapes") {
  // (k, m): wide mode when NextPow2(m) + k > 65536.
  const uint32_t shapes[][2] = {{60000, 5000}, {65534, 1}, {1, 65534}, {32768, 32767}, {40000, 17000}};
  std::mt19937_64 rng(77);
  for (const auto& s : shapes) {
    const uint32_t k = s[0], m = s[1];
    CAPTURE(k);
    CAPTURE(m);
    Rs16 rs;
    REQUIRE(rs.Init(k, m, 64) == Status::kOk);
    std::vector<uint8_t> missing(k + m, 0);
    // Lose m shards: data first, then parity.
    uint32_t lost = 0;
    for (uint32_t i = 0; i < k + m && lost < m; ++i)
      if (rng() % 3 == 0 || k + m - i <= m - lost) {
        missing[i] = 1;
        ++lost;
      }
    bool ok = false;
    CHECK(RoundTrip(rs, k, m, 64, missing, rng(), &ok) == Status::kOk);
    CHECK(ok);
  }
}

TEST_CASE("Rs16.LargeBlock20000Plus4000") {
  const uint32_t k = 20000, m = 4000;
  Rs16 rs;
  REQUIRE(rs.Init(k, m, 128) == Status::kOk);
  std::vector<uint8_t> missing(k + m, 0);
  for (uint32_t i = 0; i < m; ++i) missing[(i * 7919u) % k] = 1;  // 4000 data shards
  bool ok = false;
  CHECK(RoundTrip(rs, k, m, 128, missing, 2024, &ok) == Status::kOk);
  CHECK(ok);
}

}  // namespace
}  // namespace lumen::fec
