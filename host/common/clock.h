// host/common/clock.h — the one clock every lumen process stamps frames with.
#pragma once

#include <time.h>

#include <cstdint>

namespace lumen::host {

// CLOCK_MONOTONIC in nanoseconds; comparable across processes on one machine.
inline uint64_t MonotonicNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

}  // namespace lumen::host
