// host/capture/frame_sink.cc — see frame_sink.h.
#include "host/capture/frame_sink.h"

#include <cstring>

namespace lumen::capture {

size_t FrameBytes(PixelFormat format, int stride, int height) {
  switch (format) {
    case PixelFormat::kBgrx:
    case PixelFormat::kRgbx:
      return size_t(stride) * size_t(height);
    case PixelFormat::kNv12:
    case PixelFormat::kI420:
      return size_t(stride) * size_t(height) + size_t(stride) * size_t((height + 1) / 2);
    default:
      return 0;
  }
}

bool RingFrameSink::Produce(
    int width, int height, int stride, PixelFormat format, uint64_t capture_ts_ns,
    const std::function<void(std::span<uint8_t>, uint64_t)>& fill) {
  const size_t bytes = FrameBytes(format, stride, height);
  if (bytes == 0 || bytes > producer_.ring()->slot_payload_bytes()) {
    too_big_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  auto slot = producer_.TryBeginWrite();
  if (!slot) return false;
  const uint64_t id = next_id_;
  fill(slot->payload.first(bytes), id);
  host::RawFrameDesc d{};
  d.frame_id = id;
  d.capture_ts_ns = capture_ts_ns;
  d.width = uint32_t(width);
  d.height = uint32_t(height);
  d.format = format;
  d.stride = uint32_t(stride);
  d.payload_offset = 0;
  d.payload_len = bytes;
  d.flags = host::kRawFrameDamaged;
  producer_.Commit(*slot, d, bytes);
  ++next_id_;
  written_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

bool RingFrameSink::Deliver(const CapturedFrame& f) {
  const size_t bytes = FrameBytes(f.format, f.stride, f.height);
  if (f.data == nullptr || bytes == 0 || f.len < bytes) return false;
  return Produce(f.width, f.height, f.stride, f.format, f.capture_ts_ns,
                 [&](std::span<uint8_t> dst, uint64_t) { std::memcpy(dst.data(), f.data, bytes); });
}

}  // namespace lumen::capture
