// host/capture/pattern_source.h — the synthetic source (lumen-capture --source=synthetic):
// paints core/pattern's moving test pattern straight into ring slots at a fixed rate, with
// Stamp{frame = frame_id, timestamp_us = capture_ts_ns / 1000}.
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

  // Paints frames into `sink` every 1/fps s (absolute CLOCK_MONOTONIC deadlines, no
  // drift) until `stop` becomes true or max_frames are out. Returns frames painted.
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
