// host/capture/frame_sink.h — where lumen-capture's sources put frames: the raw-frame
// ring (RingFrameSink, what the binary uses) or anything else implementing FrameSink.
//
// RingFrameSink writes RawFrameDesc + pixels into the capture -> encode ring
// (host/common/shm_ring.h, kDropOldest): frame ids count from 1, timestamps are
// CLOCK_MONOTONIC ns. Frames larger than a ring slot are dropped and counted (the
// supervisor sizes slots for the session's resolution).
//
// Ring format: a RingFrameSink built with PixelFormat::kI420 converts packed BGRx/RGBx
// frames to I420 (host/encode/convert.h, BT.709 limited, AVX2 + helper thread) while it
// writes them into the slot, so the ring carries the encoder's own input format (3 MB per
// 1080p frame instead of 8 MB) and lumen-encode hands the slot's planes to the encoder
// without copying. Ring I420 layout: Y (stride bytes per row, height rows), then U and V
// (stride / 2 bytes per row, ceil(height / 2) rows each); the sink picks a stride of
// width rounded up to 64. Planar frames (NV12/I420) pass through unchanged.
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
  // `ring_format`: kUnknown writes frames as delivered; kI420 converts packed RGB to I420.
  explicit RingFrameSink(host::ShmRing* ring, PixelFormat ring_format = PixelFormat::kUnknown)
      : producer_(ring), ring_format_(ring_format) {}

  bool Deliver(const CapturedFrame& frame) override;

  // A width x height frame is about to be delivered (the source starts drawing or receiving
  // it): when this sink converts, the converter's helper thread is woken now so that it is
  // already running when Deliver() hands out the stripes (encode::PrepareConversion).
  void Prepare(int width, int height) const noexcept;

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
  PixelFormat ring_format() const { return ring_format_; }

 private:
  host::RingProducer producer_;
  PixelFormat ring_format_;
  uint64_t next_id_ = 1;
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> too_big_{0};
};

}  // namespace lumen::capture
