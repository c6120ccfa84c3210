// GF(2^8) workloads of fec_bench: lumen::fec::Rs256 against ISA-L (same process,
// same Cauchy matrix, same buffers). Shard 1392 B: W1 40+8, W2 204+51; W5 audio
// 4+2 x 240 B. Encode, and worst-case decode (the first m data shards lost).
//
// Table building: encode excludes it on both sides (Rs256::Init / ec_init_tables
// run once). Decode includes it on both sides: Rs256::Decode inverts and builds
// its decode rows on every call; the ISA-L anchor does gf_invert_matrix on the
// k x k survivor matrix + ec_init_tables + ec_encode_data per block (the
// erasure_code examples' gf_gen_decode pattern). A second decode row times
// ISA-L's ec_encode_data alone with prebuilt tables (a pure kernel anchor).
// Outputs are verified after timing.
//
// Timing uses this thread's CPU time (CLOCK_THREAD_CPUTIME_ID), not wall time, so
// that a shared, oversubscribed build machine does not count other processes'
// time slices against either side; medians of opt.reps repetitions.
#include <isa-l/erasure_code.h>
#include <time.h>

#include <algorithm>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/fec/rs_gf256.h"
#include "tools/bench/bench_util.h"
#include "tools/bench/fec_bench.h"

namespace lumen::bench {
namespace {

using fec::Gf256Matrix;
using fec::Rs256;
using fec::Status;

struct Block {
  int k, m;
  size_t len;
  std::vector<std::vector<uint8_t>> shards;  // k + m, 64-byte aligned storage
  std::vector<uint8_t*> ptrs;

  Block(int k_, int m_, size_t len_, uint64_t seed) : k(k_), m(m_), len(len_) {
    std::mt19937_64 rng(seed);
    shards.resize(k + m);
    for (auto& s : shards) {
      s.resize(len);
      for (auto& b : s) b = uint8_t(rng());
    }
    for (auto& s : shards) ptrs.push_back(s.data());
  }
};

uint64_t CpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// Median CPU nanoseconds for one call of fn; each repetition runs ~target_ns.
template <class Fn>
double MedianCpuNs(Fn&& fn, int reps, double target_ns) {
  uint64_t t0 = CpuNs();
  fn();
  const double one = std::max<double>(1.0, double(CpuNs() - t0));
  const int inner = std::max(1, int(target_ns / one));
  for (int i = 0; i < inner; ++i) fn();  // warm-up: hot cache
  std::vector<double> samples;
  for (int r = 0; r < reps; ++r) {
    t0 = CpuNs();
    for (int i = 0; i < inner; ++i) fn();
    samples.push_back(double(CpuNs() - t0) / inner);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

double Mbps(size_t bytes, double ns) { return double(bytes) / ns * 1e3; }

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "fec_bench gf256: %s\n", what);
  std::exit(1);
}

void RunWorkload(const char* name, int k, int m, size_t len, Gf256Matrix kind,
                 const FecBenchOptions& opt, std::vector<Row>* rows) {
  Rs256 rs;
  if (rs.Init(k, m, kind) != Status::kOk) Die("init");
  const size_t data_bytes = size_t(k) * len;

  // ---- encode ----
  Block ours(k, m, len, 42), theirs(k, m, len, 42);
  std::vector<uint8_t> mat(rs.matrix(), rs.matrix() + size_t(m) * k);
  std::vector<uint8_t> tbls(32 * size_t(k) * m);
  ec_init_tables(k, m, mat.data(), tbls.data());
  auto enc_ours = [&] { rs.Encode(ours.ptrs.data(), ours.ptrs.data() + k, len); };
  auto enc_isal = [&] {
    ec_encode_data(int(len), k, m, tbls.data(), theirs.ptrs.data(), theirs.ptrs.data() + k);
  };
  const double target = opt.quick ? 2e6 : 20e6;
  const double ns_enc = MedianCpuNs(enc_ours, opt.reps, target);
  const double ns_enc_isal = MedianCpuNs(enc_isal, opt.reps, target);
  for (int j = 0; j < m; ++j) {
    if (ours.shards[k + j] != theirs.shards[k + j]) Die("encode output differs from ISA-L");
  }
  char note[160];
  std::snprintf(note, sizeof note, "%s; ns/block=%.0f (isa-l %.0f)", rs.kernel_name(), ns_enc,
                ns_enc_isal);
  rows->push_back({name, "rs256", "encode", Mbps(data_bytes, ns_enc), "isa-l 2.30",
                   Mbps(data_bytes, ns_enc_isal), note});

  // ---- worst-case decode: the first e = min(m, k) data shards lost ----
  const int e = m < k ? m : k;
  std::vector<uint8_t> missing(k + m, 0);
  for (int i = 0; i < e; ++i) missing[i] = 1;
  const std::vector<std::vector<uint8_t>> original = ours.shards;
  for (int i = 0; i < e; ++i) std::memset(ours.ptrs[i], 0, len);
  auto dec_ours = [&] {
    if (rs.Decode(ours.ptrs.data(), missing.data(), len) != Status::kOk) Die("decode");
  };

  // ISA-L: survivors = data e..k-1 then parity 0..e-1 (the shards Rs256 uses).
  std::vector<uint8_t> gen(size_t(k + m) * k, 0);  // systematic generator
  for (int i = 0; i < k; ++i) gen[size_t(i) * k + i] = 1;
  std::memcpy(gen.data() + size_t(k) * k, mat.data(), mat.size());
  std::vector<int> surv;
  for (int i = e; i < k; ++i) surv.push_back(i);
  for (int j = 0; j < e; ++j) surv.push_back(k + j);
  std::vector<uint8_t> sub(size_t(k) * k), inv(size_t(k) * k), dec_mat(size_t(e) * k);
  std::vector<uint8_t> dec_tbls(32 * size_t(k) * e);
  std::vector<uint8_t*> isal_in(k), isal_out(e);
  Block isal_blk = theirs;
  isal_blk.ptrs.clear();
  for (auto& s : isal_blk.shards) isal_blk.ptrs.push_back(s.data());
  for (int r = 0; r < k; ++r) isal_in[r] = isal_blk.ptrs[surv[r]];
  for (int t = 0; t < e; ++t) {
    isal_out[t] = isal_blk.ptrs[t];
    std::memset(isal_out[t], 0, len);
  }
  auto build_isal = [&] {
    for (int r = 0; r < k; ++r) std::memcpy(&sub[size_t(r) * k], &gen[size_t(surv[r]) * k], k);
    if (gf_invert_matrix(sub.data(), inv.data(), k) != 0) Die("isa-l: singular");
    for (int t = 0; t < e; ++t) std::memcpy(&dec_mat[size_t(t) * k], &inv[size_t(t) * k], k);
    ec_init_tables(k, e, dec_mat.data(), dec_tbls.data());
  };
  auto dec_isal_full = [&] {
    build_isal();
    ec_encode_data(int(len), k, e, dec_tbls.data(), isal_in.data(), isal_out.data());
  };
  build_isal();
  auto dec_isal_kernel = [&] {
    ec_encode_data(int(len), k, e, dec_tbls.data(), isal_in.data(), isal_out.data());
  };
  const double ns_dec = MedianCpuNs(dec_ours, opt.reps, target);
  const double ns_dec_full = MedianCpuNs(dec_isal_full, opt.reps, target);
  const double ns_dec_kernel = MedianCpuNs(dec_isal_kernel, opt.reps, target);
  for (int i = 0; i < k; ++i) {
    if (ours.shards[i] != original[i]) Die("decode: data not recovered");
  }
  for (int t = 0; t < e; ++t) {
    if (std::memcmp(isal_out[t], original[t].data(), len) != 0) Die("isa-l decode mismatch");
  }
  std::snprintf(note, sizeof note, "%d data lost; ns/block=%.0f (isa-l %.0f), incl. inversion",
                e, ns_dec, ns_dec_full);
  rows->push_back({name, "rs256", "decode", Mbps(data_bytes, ns_dec), "isa-l +inv+tables",
                   Mbps(data_bytes, ns_dec_full), note});
  std::snprintf(note, sizeof note, "anchor: ec_encode_data only, tables prebuilt (%.0f ns)",
                ns_dec_kernel);
  rows->push_back({name, "rs256", "decode", Mbps(data_bytes, ns_dec), "isa-l kernel only",
                   Mbps(data_bytes, ns_dec_kernel), note});
}

}  // namespace

void RunGf256Workloads(const FecBenchOptions& opt, std::vector<Row>* rows) {
  RunWorkload("W1 40+8 x1392", 40, 8, 1392, Gf256Matrix::kCauchy, opt, rows);
  RunWorkload("W2 204+51 x1392", 204, 51, 1392, Gf256Matrix::kCauchy, opt, rows);
  RunWorkload("W5 audio 4+2 x240", 4, 2, 240, Gf256Matrix::kMoonlightAudio, opt, rows);
}

}  // namespace lumen::bench
