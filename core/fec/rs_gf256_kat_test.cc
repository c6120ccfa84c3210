// Known-answer test: every Moonlight FEC vector (core/fec/testdata/moonlight-fec,
// parity made by nanors as shipped by Moonlight/Sunshine) reproduced byte for
// byte, and data recovered after erasures. LUMEN_FEC_VECTORS=/dir overrides the
// folder (.bazelrc passes it through with --test_env).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/cpu/cpu.h"
#include "core/fec/rs_gf256.h"

namespace lumen::fec {
namespace {

namespace fs = std::filesystem;

std::string VectorDir() {
  if (const char* env = std::getenv("LUMEN_FEC_VECTORS"); env && *env) return env;
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir ? srcdir : ".") + "/lumen/core/fec/testdata/moonlight-fec";
}

uint32_t Le32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24; }
uint64_t Le64(const uint8_t* p) { return Le32(p) | uint64_t(Le32(p + 4)) << 32; }

struct Vector {
  std::string name;
  int k = 0, m = 0, kind = 0;
  size_t shard = 0;
  uint64_t seed = 0;
  uint32_t payload_len = 0;
  std::vector<uint8_t> matrix;  // m*k
  std::vector<uint8_t> data;    // k*shard
  std::vector<uint8_t> parity;  // m*shard
};

bool Load(const fs::path& path, Vector* v) {
  std::ifstream f(path, std::ios::binary);
  std::vector<uint8_t> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  static constexpr uint8_t kMagic[8] = {'M', 'L', 'F', 'E', 'C', 1, 0, 0};
  if (b.size() < 64 || std::memcmp(b.data(), kMagic, 8) != 0 || Le32(&b[8]) != 1) return false;
  v->name = path.filename().string();
  v->k = int(Le32(&b[12]));
  v->m = int(Le32(&b[16]));
  v->shard = Le32(&b[20]);
  v->kind = int(Le32(&b[24]));
  v->seed = Le64(&b[32]);
  v->payload_len = Le32(&b[40]);
  if (Le32(&b[44]) != 64 || v->k < 1 || v->m < 1 || v->k + v->m > 255 || v->shard == 0) return false;
  const size_t mk = size_t(v->m) * v->k;
  if (b.size() != 64 + mk + size_t(v->k + v->m) * v->shard) return false;
  const uint8_t* p = b.data() + 64;
  v->matrix.assign(p, p + mk);
  p += mk;
  v->data.assign(p, p + size_t(v->k) * v->shard);
  p += v->data.size();
  v->parity.assign(p, p + size_t(v->m) * v->shard);
  return true;
}

std::vector<uint8_t> SplitMix(uint64_t seed, size_t n, size_t payload) {
  std::vector<uint8_t> out(n, 0);
  uint64_t s = seed;
  for (size_t i = 0; i < n; i += 8) {
    s += 0x9E3779B97F4A7C15ull;
    uint64_t z = s;
    z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ z >> 27) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    for (size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = uint8_t(z >> (8 * j));
  }
  for (size_t i = payload; i < n; ++i) out[i] = 0;
  return out;
}

std::vector<Vector> LoadAll() {
  std::vector<Vector> all;
  const std::string dir = VectorDir();
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& ent : fs::directory_iterator(dir, ec)) {
    if (ent.path().extension() == ".mlfec") files.push_back(ent.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    Vector v;
    INFO("file: " << p.string());
    REQUIRE(Load(p, &v));
    all.push_back(std::move(v));
  }
  return all;
}

size_t ManifestCount() {
  std::ifstream f(VectorDir() + "/MANIFEST.tsv");
  std::string line;
  size_t n = 0;
  while (std::getline(f, line)) {
    if (line.find(".mlfec") != std::string::npos) ++n;
  }
  return n;
}

Gf256Matrix KindOf(const Vector& v) {
  return v.kind == 1 ? Gf256Matrix::kMoonlightAudio : Gf256Matrix::kCauchy;
}

// Erases `lost` shards (fills them with junk), decodes, and checks the data.
void CheckRecovery(Rs256& rs, const Vector& v, const std::vector<int>& lost, bool expect_ok) {
  const int n = v.k + v.m;
  std::vector<std::vector<uint8_t>> shards(n);
  for (int i = 0; i < v.k; ++i)
    shards[i].assign(v.data.begin() + i * v.shard, v.data.begin() + (i + 1) * v.shard);
  for (int j = 0; j < v.m; ++j)
    shards[v.k + j].assign(v.parity.begin() + j * v.shard, v.parity.begin() + (j + 1) * v.shard);
  std::vector<uint8_t> missing(n, 0);
  for (int i : lost) {
    missing[i] = 1;
    std::fill(shards[i].begin(), shards[i].end(), uint8_t(0xA5 ^ i));
  }
  const auto before = shards;
  std::vector<uint8_t*> ptrs(n);
  for (int i = 0; i < n; ++i) ptrs[i] = shards[i].data();
  const Status st = rs.Decode(ptrs.data(), missing.data(), v.shard, /*rebuild_parity=*/true);
  if (!expect_ok) {
    CHECK(st == Status::kTooFewShards);
    CHECK(shards == before);  // nothing written on failure
    return;
  }
  REQUIRE(st == Status::kOk);
  for (int i = 0; i < v.k; ++i) {
    INFO("data shard " << i);
    CHECK(std::memcmp(shards[i].data(), v.data.data() + i * v.shard, v.shard) == 0);
  }
  for (int j = 0; j < v.m; ++j) {
    INFO("parity shard " << j);
    CHECK(std::memcmp(shards[v.k + j].data(), v.parity.data() + j * v.shard, v.shard) == 0);
  }
}

void RunAllVectors() {
  const std::vector<Vector> all = LoadAll();
  REQUIRE(!all.empty());
  CHECK(all.size() == ManifestCount());
  std::mt19937_64 rng(0x5eedf00d);
  for (const Vector& v : all) {
    INFO("vector: " << v.name);
    CHECK(v.data == SplitMix(v.seed, v.data.size(), v.payload_len));
    Rs256 rs;
    REQUIRE(rs.Init(v.k, v.m, KindOf(v)) == Status::kOk);
    CHECK(std::memcmp(rs.matrix(), v.matrix.data(), v.matrix.size()) == 0);

    // Encode.
    std::vector<const uint8_t*> dp(v.k);
    for (int i = 0; i < v.k; ++i) dp[i] = v.data.data() + i * v.shard;
    std::vector<uint8_t> parity(v.parity.size(), 0xEE);
    std::vector<uint8_t*> pp(v.m);
    for (int j = 0; j < v.m; ++j) pp[j] = parity.data() + j * v.shard;
    REQUIRE(rs.Encode(dp.data(), pp.data(), v.shard) == Status::kOk);
    CHECK(parity == v.parity);

    // Decode: named erasure sets, then random ones.
    const int n = v.k + v.m;
    std::vector<std::vector<int>> sets;
    std::vector<int> s;
    for (int i = 0; i < std::min(v.m, v.k); ++i) s.push_back(i);  // first m data
    sets.push_back(s);
    s.clear();
    for (int i = std::max(0, v.k - v.m); i < v.k; ++i) s.push_back(i);  // last m data
    sets.push_back(s);
    s.clear();
    for (int j = 0; j < v.m; ++j) s.push_back(v.k + j);  // all parity
    sets.push_back(s);
    if (n <= 12) {
      for (uint32_t mask = 1; mask < (1u << n); ++mask) {
        if (__builtin_popcount(mask) > v.m + 1) continue;
        s.clear();
        for (int i = 0; i < n; ++i)
          if (mask >> i & 1) s.push_back(i);
        sets.push_back(s);
      }
    } else {
      std::vector<int> idx(n);
      for (int i = 0; i < n; ++i) idx[i] = i;
      for (int r = 0; r < 12; ++r) {
        std::shuffle(idx.begin(), idx.end(), rng);
        const int e = int(rng() % v.m) + 1;
        s.assign(idx.begin(), idx.begin() + e);
        std::sort(s.begin(), s.end());
        sets.push_back(s);
      }
    }
    // m+1 lost: must be rejected.
    s.clear();
    for (int i = 0; i <= v.m && i < n; ++i) s.push_back(i);
    sets.push_back(s);
    for (const auto& lost : sets) {
      INFO("lost " << lost.size() << " shards, first " << lost.front());
      CheckRecovery(rs, v, lost, int(lost.size()) <= v.m);
    }
  }
}

TEST_CASE("MoonlightFec.ParityAndRecoveryMatchReference") {
  // Every kernel variant this CPU supports must reproduce the vectors.
  for (int isa = 0; isa <= static_cast<int>(cpu::Isa::kGfni); ++isa) {
    if (!cpu::HostSupports(static_cast<cpu::Isa>(isa))) continue;
    cpu::ForceMaxIsa(static_cast<cpu::Isa>(isa));
    Rs256 probe;
    REQUIRE(probe.Init(3, 2) == Status::kOk);
    CAPTURE(probe.kernel_name());
    RunAllVectors();
  }
  cpu::ResetForcedIsa();
}

TEST_CASE("MoonlightFec.SmallKnownAnswer") {
  Rs256 rs;
  REQUIRE(rs.Init(3, 2) == Status::kOk);
  const uint8_t want_matrix[6] = {0x8e, 0xf4, 0x47, 0xf4, 0x8e, 0xa7};
  CHECK(std::memcmp(rs.matrix(), want_matrix, 6) == 0);
  uint8_t d[3] = {1, 2, 3}, p[2] = {0, 0};
  const uint8_t* dp[3] = {&d[0], &d[1], &d[2]};
  uint8_t* pp[2] = {&p[0], &p[1]};
  REQUIRE(rs.Encode(dp, pp, 1) == Status::kOk);
  CHECK(p[0] == 0xb2);
  CHECK(p[1] == 0x01);
}

TEST_CASE("MoonlightFec.AudioMatrixDiffersFromCauchy") {
  Rs256 audio, cauchy;
  REQUIRE(audio.Init(4, 2, Gf256Matrix::kMoonlightAudio) == Status::kOk);
  REQUIRE(cauchy.Init(4, 2) == Status::kOk);
  const uint8_t want_audio[8] = {0x77, 0x40, 0x38, 0x0e, 0xc7, 0xa7, 0x0d, 0x6c};
  const uint8_t want_cauchy[8] = {0x8e, 0xf4, 0x47, 0xa7, 0xf4, 0x8e, 0xa7, 0x47};
  CHECK(std::memcmp(audio.matrix(), want_audio, 8) == 0);
  CHECK(std::memcmp(cauchy.matrix(), want_cauchy, 8) == 0);
}

}  // namespace
}  // namespace lumen::fec
