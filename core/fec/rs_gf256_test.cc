// Rs256 property tests: random k/m/lengths round trips, every erasure pattern
// for small blocks, >= m+1 losses rejected without writing, invalid parameters
// rejected with a status (never an abort), on every kernel variant the CPU has.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <vector>

#include "core/cpu/cpu.h"
#include "core/fec/rs_gf256.h"
#include "core/gf/gf256.h"

namespace lumen::fec {
namespace {

struct Block {
  int k, m;
  size_t len;
  std::vector<std::vector<uint8_t>> shards;
  std::vector<uint8_t*> ptrs;
  Block(int k_, int m_, size_t len_, std::mt19937_64& rng) : k(k_), m(m_), len(len_) {
    shards.resize(k + m);
    for (auto& s : shards) {
      s.resize(len);
      for (auto& b : s) b = uint8_t(rng());
    }
    for (auto& s : shards) ptrs.push_back(s.data());
  }
};

// Parity straight from the definition, independent of the kernels.
std::vector<uint8_t> SlowParity(const Rs256& rs, const Block& b, int j) {
  std::vector<uint8_t> p(b.len, 0);
  for (int i = 0; i < b.k; ++i)
    for (size_t x = 0; x < b.len; ++x)
      p[x] ^= gf::Gf256::Mul(rs.matrix()[size_t(j) * b.k + i], b.shards[i][x]);
  return p;
}

// Loses the shards in `lost`, decodes, checks. Returns false on mismatch.
bool RoundTrip(Rs256& rs, Block& b, const std::vector<int>& lost, bool rebuild_parity) {
  const auto original = b.shards;
  std::vector<uint8_t> missing(b.k + b.m, 0);
  for (int i : lost) {
    missing[i] = 1;
    std::fill(b.shards[i].begin(), b.shards[i].end(), uint8_t(0x5A));
  }
  const auto damaged = b.shards;
  const auto missing_before = missing;
  const Status st = rs.Decode(b.ptrs.data(), missing.data(), b.len, rebuild_parity);
  bool ok = missing == missing_before;
  if (int(lost.size()) > b.m) {
    ok = ok && st == Status::kTooFewShards && b.shards == damaged;
  } else {
    ok = ok && st == Status::kOk;
    for (int i = 0; i < b.k + b.m; ++i) {
      const bool lost_parity = i >= b.k && missing[i];
      const auto& want = lost_parity && !rebuild_parity ? damaged[i] : original[i];
      ok = ok && b.shards[i] == want;
    }
  }
  b.shards = original;
  return ok;
}

void ForEachVariant(void (*fn)()) {
  for (int isa = 0; isa <= static_cast<int>(cpu::Isa::kGfni); ++isa) {
    if (!cpu::HostSupports(static_cast<cpu::Isa>(isa))) continue;
    cpu::ForceMaxIsa(static_cast<cpu::Isa>(isa));
    fn();
  }
  cpu::ResetForcedIsa();
}

TEST_CASE("Rs256.RandomRoundTrips") {
  ForEachVariant([] {
    std::mt19937_64 rng(20260101);
    for (int iter = 0; iter < 60; ++iter) {
      const int k = 1 + int(rng() % 120);
      const int m = 1 + int(rng() % std::min(100, 255 - k));
      const size_t len = 1 + rng() % (iter % 3 == 0 ? 1500 : 130);
      const auto kind = Gf256Matrix::kCauchy;
      Rs256 rs;
      REQUIRE(rs.Init(k, m, kind) == Status::kOk);
      Block b(k, m, len, rng);
      REQUIRE(rs.Encode(const_cast<const uint8_t* const*>(b.ptrs.data()), b.ptrs.data() + k,
                        len) == Status::kOk);
      for (int j = 0; j < m; j += std::max(1, m / 3)) {
        INFO("k=" << k << " m=" << m << " len=" << len << " parity " << j);
        REQUIRE(b.shards[k + j] == SlowParity(rs, b, j));
      }
      std::vector<int> idx(k + m);
      for (int i = 0; i < k + m; ++i) idx[i] = i;
      for (int r = 0; r < 4; ++r) {
        std::shuffle(idx.begin(), idx.end(), rng);
        // e in [1, m+2]; > m must be rejected.
        const int e = 1 + int(rng() % std::min(m + 2, k + m));
        std::vector<int> lost(idx.begin(), idx.begin() + e);
        std::sort(lost.begin(), lost.end());
        INFO("k=" << k << " m=" << m << " len=" << len << " lost=" << e << " seed iter " << iter);
        CHECK(RoundTrip(rs, b, lost, (r & 1) != 0));
      }
      // Worst case: the first min(m, k) data shards.
      std::vector<int> first;
      for (int i = 0; i < std::min(m, k); ++i) first.push_back(i);
      CHECK(RoundTrip(rs, b, first, true));
    }
  });
}

TEST_CASE("Rs256.EveryErasurePatternSmallBlocks") {
  ForEachVariant([] {
    std::mt19937_64 rng(7);
    struct Shape {
      int k, m;
      Gf256Matrix kind;
    };
    const Shape shapes[] = {{1, 1, Gf256Matrix::kCauchy},  {1, 3, Gf256Matrix::kCauchy},
                            {2, 2, Gf256Matrix::kCauchy},  {3, 2, Gf256Matrix::kCauchy},
                            {4, 2, Gf256Matrix::kMoonlightAudio},
                            {4, 4, Gf256Matrix::kCauchy},  {5, 3, Gf256Matrix::kCauchy},
                            {6, 5, Gf256Matrix::kCauchy},  {8, 4, Gf256Matrix::kCauchy}};
    for (const Shape& s : shapes) {
      Rs256 rs;
      REQUIRE(rs.Init(s.k, s.m, s.kind) == Status::kOk);
      Block b(s.k, s.m, 67, rng);
      REQUIRE(rs.Encode(const_cast<const uint8_t* const*>(b.ptrs.data()), b.ptrs.data() + s.k,
                        b.len) == Status::kOk);
      const int n = s.k + s.m;
      int failures = 0;
      for (uint32_t mask = 0; mask < (1u << n); ++mask) {
        std::vector<int> lost;
        for (int i = 0; i < n; ++i)
          if (mask >> i & 1) lost.push_back(i);
        if (!RoundTrip(rs, b, lost, (mask & 1) != 0)) ++failures;
      }
      INFO("k=" << s.k << " m=" << s.m);
      CHECK(failures == 0);
    }
  });
}

TEST_CASE("Rs256.InvalidParameters") {
  Rs256 rs;
  CHECK(rs.Init(0, 1) == Status::kInvalidArgument);
  CHECK(rs.Init(1, 0) == Status::kInvalidArgument);
  CHECK(rs.Init(-1, 5) == Status::kInvalidArgument);
  CHECK(rs.Init(200, 56) == Status::kInvalidArgument);
  CHECK(rs.Init(255, 1) == Status::kInvalidArgument);
  CHECK(rs.Init(3, 2, Gf256Matrix::kMoonlightAudio) == Status::kInvalidArgument);
  CHECK(rs.Init(4, 3, Gf256Matrix::kMoonlightAudio) == Status::kInvalidArgument);
  CHECK(rs.Init(4, 2, static_cast<Gf256Matrix>(7)) == Status::kInvalidArgument);
  CHECK(rs.k() == 0);
  uint8_t buf[4][8] = {};
  uint8_t* ptrs[4] = {buf[0], buf[1], buf[2], buf[3]};
  uint8_t missing[4] = {};
  // Not initialised.
  CHECK(rs.Encode(ptrs, ptrs + 2, 8) == Status::kInvalidArgument);
  CHECK(rs.Decode(ptrs, missing, 8) == Status::kInvalidArgument);
  REQUIRE(rs.Init(2, 2) == Status::kOk);
  CHECK(rs.Init(254, 1) == Status::kOk);
  CHECK(rs.Init(1, 254) == Status::kOk);
  REQUIRE(rs.Init(2, 2) == Status::kOk);
  CHECK(rs.Encode(ptrs, ptrs + 2, 0) == Status::kInvalidArgument);
  CHECK(rs.Encode(nullptr, ptrs + 2, 8) == Status::kInvalidArgument);
  CHECK(rs.Encode(ptrs, nullptr, 8) == Status::kInvalidArgument);
  uint8_t* with_null[4] = {buf[0], nullptr, buf[2], buf[3]};
  CHECK(rs.Encode(with_null, with_null + 2, 8) == Status::kInvalidArgument);
  uint8_t* null_parity[4] = {buf[0], buf[1], buf[2], nullptr};
  CHECK(rs.Encode(null_parity, null_parity + 2, 8) == Status::kInvalidArgument);
  CHECK(rs.Decode(nullptr, missing, 8) == Status::kInvalidArgument);
  CHECK(rs.Decode(ptrs, nullptr, 8) == Status::kInvalidArgument);
  CHECK(rs.Decode(ptrs, missing, 0) == Status::kInvalidArgument);
  CHECK(rs.Decode(null_parity, missing, 8) == Status::kInvalidArgument);
  CHECK(rs.Encode(ptrs, ptrs + 2, 8) == Status::kOk);
  CHECK(rs.Decode(ptrs, missing, 8) == Status::kOk);  // nothing lost
  const uint8_t three_lost[4] = {1, 1, 1, 0};
  CHECK(rs.Decode(ptrs, three_lost, 8) == Status::kTooFewShards);
}

TEST_CASE("Rs256.CopiesShareTablesSafely") {
  Rs256 a;
  REQUIRE(a.Init(10, 4) == Status::kOk);
  Rs256 b = a;  // per-object scratch: copies decode independently
  std::mt19937_64 rng(3);
  Block blk(10, 4, 100, rng);
  REQUIRE(b.Encode(const_cast<const uint8_t* const*>(blk.ptrs.data()), blk.ptrs.data() + 10,
                   100) == Status::kOk);
  CHECK(RoundTrip(a, blk, {0, 3, 9, 11}, true));
  CHECK(RoundTrip(b, blk, {1, 2, 4, 5}, false));
}

}  // namespace
}  // namespace lumen::fec
