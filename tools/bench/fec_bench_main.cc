// fec_bench — lumen's erasure codecs against ISA-L in the same process.
//   bazel run -c opt //tools/bench:fec_bench -- [--csv] [--quick] [--reps=N]
//       [--only=gf256|gf16] [--no-anchor] [--match=W3]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>

#include "core/cpu/cpu.h"
#include "tools/bench/fec_bench.h"

int main(int argc, char** argv) {
  lumen::bench::FecBenchOptions opt;
  bool csv = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--csv")) {
      csv = true;
    } else if (!std::strcmp(argv[i], "--quick")) {
      opt.quick = true;
      opt.reps = 3;
    } else if (!std::strncmp(argv[i], "--reps=", 7)) {
      opt.reps = std::max(1, std::atoi(argv[i] + 7));
    } else if (!std::strcmp(argv[i], "--only=gf16")) {
      opt.gf256 = false;
    } else if (!std::strcmp(argv[i], "--only=gf256")) {
      opt.gf16 = false;
    } else if (!std::strcmp(argv[i], "--no-anchor")) {
      opt.anchor = false;
    } else if (!std::strncmp(argv[i], "--match=", 8)) {
      opt.match = argv[i] + 8;
    } else {
      std::fprintf(stderr,
                   "usage: fec_bench [--csv] [--quick] [--reps=N] [--only=gf256|gf16] "
                   "[--no-anchor] [--match=S]\n"
                   "  --only=...   run one field's workloads\n"
                   "  --no-anchor  GF(2^16) rows without the ISA-L anchor timings\n"
                   "  --match=S    only the GF(2^16) workloads whose name contains S (W1, W3, W4)\n");
      return 2;
    }
  }
  std::vector<lumen::bench::Row> rows;
  if (opt.gf256) lumen::bench::RunGf256Workloads(opt, &rows);
  if (opt.gf16) lumen::bench::RunGf16Workloads(opt, &rows);
  if (!csv) {
    std::printf("kernel variant: %s (median of %d repetitions, single thread)\n",
                lumen::cpu::IsaName(lumen::cpu::ActiveIsa()), opt.reps);
  }
  lumen::bench::PrintRows(rows, csv);
  return 0;
}
