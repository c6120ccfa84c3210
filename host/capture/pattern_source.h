// host/capture/pattern_source.h — the synthetic source (lumen-capture --source=synthetic):
// core/pattern's moving test pattern at a fixed rate, with
// Stamp{frame = frame_id, timestamp_us = capture_ts_ns / 1000}.
//
// It models a compositor and a screen grab honestly: each frame, the "desktop" (bars and
// box) is rendered into a private, reused BGRx buffer first — drawing, not capture work —
// then the capture timestamp is taken, the stamp (a small corner region carrying that
// timestamp) is painted, and the frame is "captured" into the ring through
// RingFrameSink::Deliver (copied as BGRx, or converted to I420 on the way, per the sink's
// ring format). capture_ts_ns therefore starts the clock where a real capture would.
#pragma once

#include <atomic>
#include <cstdint>

#include "host/capture/frame_sink.h"

namespace lumen::capture {

struct PatternConfig {
  int width = 1280;
  int height = 720;
  int fps = 60;
  uint64_t max_frames = 0;  // stop after this many (0 = until stop)
};

class PatternSource {
 public:
  explicit PatternSource(const PatternConfig& config) : config_(config) {
    width_ = config.width;
    height_ = config.height;
  }

  // Delivers frames to `sink` every 1/fps s (absolute CLOCK_MONOTONIC deadlines, no
  // drift) until `stop` becomes true or max_frames are out. Returns frames produced.
  uint64_t Run(RingFrameSink& sink, const std::atomic<bool>& stop);

  // Changes the painted size from the next frame (renegotiation test hook and the
  // supervisor's resolution change). Sizes below the pattern's minimum are clamped.
  void SetSize(int width, int height) {
    width_.store(width);
    height_.store(height);
  }

 private:
  PatternConfig config_;
  std::atomic<int> width_;
  std::atomic<int> height_;
};

}  // namespace lumen::capture
