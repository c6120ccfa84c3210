// tools/bench/fec_bench.h — the FEC benchmark's workload groups.
// fec_bench_main.cc parses flags and calls each group; each group appends its rows.
#pragma once

#include <vector>

#include "tools/bench/bench_util.h"

namespace lumen::bench {

struct FecBenchOptions {
  int reps = 9;          // repetitions per measurement; the median is reported
  bool quick = false;    // fewer repetitions (smoke run)
  bool gf256 = true;     // run the GF(2^8) workloads (--only=gf16 turns them off)
  bool gf16 = true;      // run the GF(2^16) workloads (--only=gf256 turns them off)
  bool anchor = true;    // also time the ISA-L anchors of the GF(2^16) rows (--no-anchor)
  const char* match = nullptr;  // --match=W3: only GF(2^16) workloads whose name contains it
};

// W1 40+8, W2 204+51 (shard 1392 B), W5 audio 4+2 x 240 B — GF(2^8), anchor ISA-L.
void RunGf256Workloads(const FecBenchOptions& opt, std::vector<Row>* rows);

// W3 1000+200, W4 4000+800 (shard 1392 B) and W1-sized decode — GF(2^16).
void RunGf16Workloads(const FecBenchOptions& opt, std::vector<Row>* rows);

}  // namespace lumen::bench
