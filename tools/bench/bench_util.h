// tools/bench/bench_util.h — timing and reporting helpers shared by lumen's benchmarks.
//
// Benchmarks are binaries, never tests. Each runs its anchor (e.g. ISA-L) in the same
// process, repeats every measurement, reports the median, and prints ours/anchor.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace lumen::bench {

inline uint64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Runs fn() `inner` times per repetition, `reps` repetitions; returns the median
// nanoseconds for ONE call of fn.
template <class Fn>
double MedianNsPerCall(Fn&& fn, int reps, int inner) {
  std::vector<double> samples;
  samples.reserve(reps);
  for (int i = 0; i < inner; ++i) fn();  // warm-up: hot cache, tables built
  for (int r = 0; r < reps; ++r) {
    const uint64_t t0 = NowNs();
    for (int i = 0; i < inner; ++i) fn();
    samples.push_back(double(NowNs() - t0) / inner);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

// Picks an inner-loop count so that one repetition takes about target_ns.
template <class Fn>
int CalibrateInner(Fn&& fn, double target_ns = 20e6) {
  const uint64_t t0 = NowNs();
  fn();
  const double one = std::max<double>(1.0, double(NowNs() - t0));
  return std::max(1, int(target_ns / one));
}

// One result line: `workload,codec,op,ours_mbps,anchor,anchor_mbps,ratio`.
struct Row {
  std::string workload;
  std::string codec;
  std::string op;
  double ours_mbps = 0;
  std::string anchor;
  double anchor_mbps = 0;  // 0 when no anchor applies
  std::string note;        // e.g. "ns/block=85", kernel variant
};

inline void PrintRows(const std::vector<Row>& rows, bool csv) {
  if (csv) {
    std::printf("workload,codec,op,ours_mbps,anchor,anchor_mbps,ratio\n");
    for (const Row& r : rows) {
      std::printf("%s,%s,%s,%.0f,%s,%.0f,%.2f\n", r.workload.c_str(), r.codec.c_str(),
                  r.op.c_str(), r.ours_mbps, r.anchor.c_str(), r.anchor_mbps,
                  r.anchor_mbps > 0 ? r.ours_mbps / r.anchor_mbps : 0.0);
    }
    return;
  }
  std::printf("%-22s %-8s %-7s %12s  %-22s %12s %7s  %s\n", "workload", "codec", "op", "ours MB/s",
              "anchor", "anchor MB/s", "ratio", "note");
  for (const Row& r : rows) {
    std::printf("%-22s %-8s %-7s %12.0f  %-22s %12.0f %7.2f  %s\n", r.workload.c_str(),
                r.codec.c_str(), r.op.c_str(), r.ours_mbps, r.anchor.c_str(), r.anchor_mbps,
                r.anchor_mbps > 0 ? r.ours_mbps / r.anchor_mbps : 0.0, r.note.c_str());
  }
}

}  // namespace lumen::bench
