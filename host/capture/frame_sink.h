// host/capture/frame_sink.h — where lumen-capture's sources put frames: the raw-frame
// ring (RingFrameSink, what the binary uses) or anything else implementing FrameSink.
//
// RingFrameSink writes RawFrameDesc + pixels into the capture -> encode ring
// (host/common/shm_ring.h, kDropOldest): frame ids count from 1, timestamps are
// CLOCK_MONOTONIC ns. Frames larger than a ring slot are dropped and counted (the
// supervisor sizes slots for the session's resolution).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "host/common/frame_desc.h"
#include "host/common/shm_ring.h"

namespace lumen::capture {

using host::PixelFormat;

// One captured picture; the pixels belong to the source and are valid during Deliver().
struct CapturedFrame {
  const uint8_t* data = nullptr;  // first plane; NV12/I420 planes follow contiguously
  size_t len = 0;
  int width = 0;
  int height = 0;
  int stride = 0;
  PixelFormat format = PixelFormat::kBgrx;
  uint64_t capture_ts_ns = 0;
  uint32_t flags = 0;  // host::RawFrameFlags
};

// Bytes a frame occupies in `format` with `stride` bytes per (luma) row.
size_t FrameBytes(PixelFormat format, int stride, int height);

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // Takes one frame (copies what it needs). Returns false if it was dropped.
  virtual bool Deliver(const CapturedFrame& frame) = 0;
};

class RingFrameSink : public FrameSink {
 public:
  // `ring` must be a kRawVideo ring and outlive the sink. One sink per ring.
  explicit RingFrameSink(host::ShmRing* ring) : producer_(ring) {}

  bool Deliver(const CapturedFrame& frame) override;

  // Zero-copy variant: reserves a slot for a width x height frame (stride bytes per row),
  // lets `fill` write the pixels straight into shared memory, then publishes it with
  // the given timestamp. `fill` receives the slot's payload and the frame id it will
  // carry. Returns false (nothing published) if the frame does not fit a slot or no slot
  // is free.
  bool Produce(int width, int height, int stride, PixelFormat format, uint64_t capture_ts_ns,
               const std::function<void(std::span<uint8_t>, uint64_t frame_id)>& fill);

  uint64_t frames_written() const { return written_.load(std::memory_order_relaxed); }
  uint64_t frames_too_big() const { return too_big_.load(std::memory_order_relaxed); }
  uint64_t next_frame_id() const { return next_id_; }

 private:
  host::RingProducer producer_;
  uint64_t next_id_ = 1;
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> too_big_{0};
};

}  // namespace lumen::capture
