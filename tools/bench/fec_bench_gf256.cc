// Placeholder until the codec lands; replaced by the real workload group.
#include "tools/bench/fec_bench.h"

namespace lumen::bench {
void RunGf256Workloads(const FecBenchOptions&, std::vector<Row>*) {}
}  // namespace lumen::bench
