// GF(2^16) workloads of fec_bench: lumen::fec::Rs16 (additive-FFT RS) against
// ISA-L on the same payload split Moonlight-style into GF(2^8) blocks of at
// most 255 shards with the same FEC ratio (what a GF(2^16) code replaces).
//
//  W3 1000+200 and W4 4000+800: shards of 1392 payload bytes. Rs16 needs a
//  multiple of 64, so its shards are 1408 B (1392 rounded up, zero padded);
//  ISA-L uses 1392 B. MB/s = k * 1392 payload bytes / time on BOTH sides, so
//  the padding is charged to Rs16.
//  Encode: tables prebuilt on both sides (Rs16::Init / ec_init_tables).
//  Decode: worst case, m data shards lost (the first m). Rs16's decode computes
//  its error locator on every call; ISA-L's anchor does gf_invert_matrix +
//  ec_init_tables + ec_encode_data per sub-block every call (first m_i data
//  shards of each sub-block lost).
//  W1 40+8 GF(2^16) decode latency: 8 data shards lost, reported in us.
// Outputs are verified after timing (Rs16 decode restores the data; ISA-L's
// decode restores its data).
#include <isa-l/erasure_code.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/cpu/cpu.h"
#include "core/fec/rs_fft16.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/fec_bench.h"

namespace lumen::bench {
namespace {

using fec::Rs16;
using fec::Status;

constexpr size_t kPayload = 1392;
constexpr size_t kPadded = (kPayload + Rs16::kShardAlign - 1) / Rs16::kShardAlign * Rs16::kShardAlign;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "fec_bench gf16: %s\n", what);
  std::exit(1);
}

double Mbps(size_t bytes, double ns) { return double(bytes) / ns * 1e3; }

// k + m shards of `len` bytes in one 64-byte aligned allocation.
struct Shards {
  Shards(uint32_t k, uint32_t m, size_t len, size_t payload, uint64_t seed) : len(len) {
    mem = static_cast<uint8_t*>(std::aligned_alloc(64, size_t(k + m) * len));
    std::memset(mem, 0, size_t(k + m) * len);
    std::mt19937_64 rng(seed);
    for (uint32_t i = 0; i < k; ++i)
      for (size_t b = 0; b < payload; ++b) mem[size_t(i) * len + b] = uint8_t(rng());
    for (uint32_t i = 0; i < k + m; ++i) ptrs.push_back(mem + size_t(i) * len);
  }
  ~Shards() { std::free(mem); }
  Shards(const Shards&) = delete;
  Shards& operator=(const Shards&) = delete;
  uint8_t* mem;
  size_t len;
  std::vector<uint8_t*> ptrs;
};

// The ISA-L anchor: the same data split into blocks of at most 255 shards.
struct IsalSplit {
  struct Sub {
    int k, m;
    std::vector<uint8_t> gen;   // (k+m) x k, Cauchy, systematic
    std::vector<uint8_t> tbls;  // encode tables
    std::vector<uint8_t*> data, parity;
    // decode state (first m data lost)
    std::vector<uint8_t> sub, inv, dec_mat, dec_tbls;
    std::vector<uint8_t*> in, out;
  };
  std::vector<Sub> subs;
  std::unique_ptr<Shards> shards;
  std::vector<std::vector<uint8_t>> lost_copy;

  IsalSplit(uint32_t k, uint32_t m, uint64_t seed) {
    const uint32_t blocks = (k + m + 254) / 255;
    shards = std::make_unique<Shards>(k, m, kPayload, kPayload, seed);
    uint32_t d = 0, p = k;
    for (uint32_t b = 0; b < blocks; ++b) {
      Sub s;
      s.k = int(k / blocks + (b < k % blocks ? 1 : 0));
      s.m = int(m / blocks + (b < m % blocks ? 1 : 0));
      s.gen.resize(size_t(s.k + s.m) * s.k);
      gf_gen_cauchy1_matrix(s.gen.data(), s.k + s.m, s.k);
      s.tbls.resize(32 * size_t(s.k) * s.m);
      ec_init_tables(s.k, s.m, s.gen.data() + size_t(s.k) * s.k, s.tbls.data());
      for (int i = 0; i < s.k; ++i) s.data.push_back(shards->ptrs[d++]);
      for (int j = 0; j < s.m; ++j) s.parity.push_back(shards->ptrs[p++]);
      subs.push_back(std::move(s));
    }
  }
  void Encode() {
    for (Sub& s : subs)
      ec_encode_data(int(kPayload), s.k, s.m, s.tbls.data(), s.data.data(), s.parity.data());
  }
  // Prepares decode pointers: the first e = min(m, k) data shards of each
  // sub-block are lost and rebuilt into scratch buffers.
  void PrepareDecode() {
    for (Sub& s : subs) {
      const int e = std::min(s.k, s.m);
      s.in.clear();
      s.out.clear();
      for (int i = e; i < s.k; ++i) s.in.push_back(s.data[i]);
      for (int j = 0; j < e; ++j) s.in.push_back(s.parity[j]);
      for (int t = 0; t < e; ++t) {
        lost_copy.emplace_back(kPayload, 0);
        s.out.push_back(lost_copy.back().data());
      }
      s.sub.resize(size_t(s.k) * s.k);
      s.inv.resize(size_t(s.k) * s.k);
      s.dec_mat.resize(size_t(e) * s.k);
      s.dec_tbls.resize(32 * size_t(s.k) * e);
    }
  }
  void Decode() {
    for (Sub& s : subs) {
      const int e = std::min(s.k, s.m);
      for (int r = 0; r < s.k; ++r) {
        const int row = r < s.k - e ? e + r : s.k + (r - (s.k - e));
        std::memcpy(&s.sub[size_t(r) * s.k], &s.gen[size_t(row) * s.k], s.k);
      }
      if (gf_invert_matrix(s.sub.data(), s.inv.data(), s.k) != 0) Die("isa-l: singular");
      std::memcpy(s.dec_mat.data(), s.inv.data(), size_t(e) * s.k);
      ec_init_tables(s.k, e, s.dec_mat.data(), s.dec_tbls.data());
      ec_encode_data(int(kPayload), s.k, e, s.dec_tbls.data(), s.in.data(), s.out.data());
    }
  }
  bool DecodeMatches() const {
    for (const Sub& s : subs)
      for (int t = 0; t < std::min(s.k, s.m); ++t)
        if (std::memcmp(s.out[t], s.data[t], kPayload) != 0) return false;
    return true;
  }
};

struct Timing {
  double enc_ns = 0, dec_ns = 0;
};

// Rs16 encode + worst-case decode for k+m; verifies the recovered data.
Timing RunRs16(uint32_t k, uint32_t m, const FecBenchOptions& opt, bool do_encode) {
  Rs16 rs;
  if (rs.Init(k, m, kPadded) != Status::kOk) Die("Rs16::Init");
  Shards sh(k, m, kPadded, kPayload, 42);
  Timing t;
  auto enc = [&] {
    if (rs.Encode(sh.ptrs.data(), sh.ptrs.data() + k, kPadded) != Status::kOk) Die("encode");
  };
  const double target = opt.quick ? 2e6 : 20e6;
  if (do_encode) {
    t.enc_ns = MedianNsPerCall(enc, opt.reps, CalibrateInner(enc, target));
  } else {
    enc();
  }
  std::vector<uint8_t> original(sh.mem, sh.mem + size_t(k) * kPadded);
  const uint32_t e = std::min(k, m);
  std::vector<uint8_t> missing(k + m, 0);
  for (uint32_t i = 0; i < e; ++i) {
    missing[i] = 1;
    std::memset(sh.ptrs[i], 0, kPadded);
  }
  auto dec = [&] {
    if (rs.Decode(sh.ptrs.data(), missing.data(), kPadded) != Status::kOk) Die("decode");
  };
  t.dec_ns = MedianNsPerCall(dec, opt.reps, CalibrateInner(dec, target));
  if (std::memcmp(sh.mem, original.data(), original.size()) != 0) Die("Rs16 decode wrong");
  return t;
}

void RunLarge(const char* name, uint32_t k, uint32_t m, const FecBenchOptions& opt,
              std::vector<Row>* rows) {
  const Timing ours = RunRs16(k, m, opt, true);
  IsalSplit isal(k, m, 42);
  const double target = opt.quick ? 2e6 : 20e6;
  auto enc = [&] { isal.Encode(); };
  const double isal_enc = MedianNsPerCall(enc, opt.reps, CalibrateInner(enc, target));
  isal.PrepareDecode();
  auto dec = [&] { isal.Decode(); };
  const double isal_dec = MedianNsPerCall(dec, opt.reps, CalibrateInner(dec, target));
  if (!isal.DecodeMatches()) Die("isa-l decode wrong");
  const size_t payload = size_t(k) * kPayload;
  const std::string anchor = "isa-l " + std::to_string(isal.subs.size()) + " blk<=255";
  char note[200];
  std::snprintf(note, sizeof note, "%s; shard %zu B (1392 padded); us/block=%.0f (isa-l %.0f)",
                cpu::IsaName(cpu::ActiveIsa()), kPadded, ours.enc_ns / 1e3, isal_enc / 1e3);
  rows->push_back({name, "rs16", "encode", Mbps(payload, ours.enc_ns), anchor,
                   Mbps(payload, isal_enc), note});
  std::snprintf(note, sizeof note,
                "%u data lost; us/block=%.0f (isa-l %.0f incl. inversion+tables)",
                std::min(k, m), ours.dec_ns / 1e3, isal_dec / 1e3);
  rows->push_back({name, "rs16", "decode", Mbps(payload, ours.dec_ns), anchor,
                   Mbps(payload, isal_dec), note});
}

void RunW1Decode(const FecBenchOptions& opt, std::vector<Row>* rows) {
  const uint32_t k = 40, m = 8;
  const Timing ours = RunRs16(k, m, opt, false);
  IsalSplit isal(k, m, 42);
  isal.Encode();
  isal.PrepareDecode();
  auto dec = [&] { isal.Decode(); };
  const double isal_dec =
      MedianNsPerCall(dec, opt.reps, CalibrateInner(dec, opt.quick ? 2e6 : 20e6));
  if (!isal.DecodeMatches()) Die("isa-l W1 decode wrong");
  char note[200];
  std::snprintf(note, sizeof note, "latency %.2f us/block (isa-l gf256 %.2f us); target <= 20 us",
                ours.dec_ns / 1e3, isal_dec / 1e3);
  rows->push_back({"W1 40+8 x1392 (gf16)", "rs16", "decode", Mbps(size_t(k) * kPayload, ours.dec_ns),
                   "isa-l +inv+tables", Mbps(size_t(k) * kPayload, isal_dec), note});
}

}  // namespace

void RunGf16Workloads(const FecBenchOptions& opt, std::vector<Row>* rows) {
  RunW1Decode(opt, rows);
  RunLarge("W3 1000+200 x1392", 1000, 200, opt, rows);
  RunLarge("W4 4000+800 x1392", 4000, 800, opt, rows);
}

}  // namespace lumen::bench
