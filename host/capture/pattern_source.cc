// host/capture/pattern_source.cc — see pattern_source.h.
#include "host/capture/pattern_source.h"

#include <time.h>

#include <algorithm>

#include "core/pattern/test_pattern.h"
#include "host/common/clock.h"

namespace lumen::capture {

uint64_t PatternSource::Run(RingFrameSink& sink, const std::atomic<bool>& stop) {
  const uint64_t period_ns = 1'000'000'000ull / uint64_t(std::max(1, config_.fps));
  uint64_t due = host::MonotonicNs();
  uint64_t painted = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    if (config_.max_frames != 0 && painted >= config_.max_frames) break;
    const int w = std::max(pattern::kMinWidth, width_.load());
    const int h = std::max(pattern::kMinHeight, height_.load());
    const uint64_t ts = host::MonotonicNs();
    sink.Produce(w, h, w * 4, PixelFormat::kBgrx, ts,
                 [&](std::span<uint8_t> px, uint64_t id) {
                   pattern::PaintBgrx(px, w, h, w * 4,
                                      pattern::Stamp{uint32_t(id), ts / 1000});
                 });
    ++painted;
    due += period_ns;
    uint64_t now = host::MonotonicNs();
    if (now > due + 10 * period_ns) due = now;  // fell far behind: do not burst
    while (now < due && !stop.load(std::memory_order_relaxed)) {
      const uint64_t until = std::min<uint64_t>(due, now + 50'000'000ull);  // wake to check stop
      timespec t{time_t(until / 1'000'000'000ull), long(until % 1'000'000'000ull)};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nullptr);
      now = host::MonotonicNs();
    }
  }
  return painted;
}

}  // namespace lumen::capture
