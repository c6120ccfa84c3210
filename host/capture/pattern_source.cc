// host/capture/pattern_source.cc — see pattern_source.h.
#include "host/capture/pattern_source.h"

#include <time.h>

#include <algorithm>
#include <vector>

#include "core/pattern/test_pattern.h"
#include "host/common/clock.h"

namespace lumen::capture {

uint64_t PatternSource::Run(RingFrameSink& sink, const std::atomic<bool>& stop) {
  const uint64_t period_ns = 1'000'000'000ull / uint64_t(std::max(1, config_.fps));
  uint64_t due = host::MonotonicNs();
  uint64_t painted = 0;
  std::vector<uint8_t> desktop;  // the compositor's picture, reused frame to frame
  while (!stop.load(std::memory_order_relaxed)) {
    if (config_.max_frames != 0 && painted >= config_.max_frames) break;
    const int w = std::max(pattern::kMinWidth, width_.load());
    const int h = std::max(pattern::kMinHeight, height_.load());
    const int stride = w * 4;
    desktop.resize(size_t(stride) * size_t(h));
    // The frame id the sink will give this frame (one producer thread: it cannot change).
    const uint32_t id = uint32_t(sink.next_frame_id());
    // Drawing the desktop: bars and box (its stamp is overwritten below). The sink's
    // converter gets ready meanwhile (a compositor knows a frame is coming, too).
    sink.Prepare(w, h);
    pattern::PaintBgrx(desktop, w, h, stride, pattern::Stamp{id, 0});
    // Capture starts here: the stamp carries this instant, then the grab into the ring.
    const uint64_t ts = host::MonotonicNs();
    pattern::PaintStampBgrx(desktop, w, h, stride, pattern::Stamp{id, ts / 1000});
    CapturedFrame f;
    f.data = desktop.data();
    f.len = desktop.size();
    f.width = w;
    f.height = h;
    f.stride = stride;
    f.format = PixelFormat::kBgrx;
    f.capture_ts_ns = ts;
    f.flags = host::kRawFrameDamaged;
    sink.Deliver(f);
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
