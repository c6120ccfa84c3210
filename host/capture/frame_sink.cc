// host/capture/frame_sink.cc — see frame_sink.h.
#include "host/capture/frame_sink.h"

#include <cstring>

#include "host/encode/convert.h"

namespace lumen::capture {

size_t FrameBytes(PixelFormat format, int stride, int height) {
  switch (format) {
    case PixelFormat::kBgrx:
    case PixelFormat::kRgbx:
      return size_t(stride) * size_t(height);
    case PixelFormat::kNv12:
    case PixelFormat::kI420:
      return host::Yuv420Layout(stride, height).bytes;
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

void RingFrameSink::Prepare(int width, int height) const noexcept {
  if (ring_format_ == PixelFormat::kI420) encode::PrepareConversion(width, height);
}

bool RingFrameSink::Deliver(const CapturedFrame& f) {
  const size_t bytes = FrameBytes(f.format, f.stride, f.height);
  if (f.data == nullptr || bytes == 0 || f.len < bytes) return false;
  const bool packed = f.format == PixelFormat::kBgrx || f.format == PixelFormat::kRgbx;
  if (ring_format_ == PixelFormat::kI420 && packed) {
    if (f.width <= 0 || f.height <= 0 || f.stride < 4 * f.width) return false;
    // Straight from the source's pixels into the slot's planes: one read of the packed
    // frame, 1.5 bytes per pixel written to shared memory.
    const int stride = (f.width + 63) & ~63;
    const host::PlanarLayout layout = host::Yuv420Layout(stride, f.height);
    const encode::RgbOrder order =
        f.format == PixelFormat::kBgrx ? encode::RgbOrder::kBgrx : encode::RgbOrder::kRgbx;
    return Produce(f.width, f.height, stride, PixelFormat::kI420, f.capture_ts_ns,
                   [&](std::span<uint8_t> dst, uint64_t) {
                     encode::YuvPlanes planes{dst.data(),
                                              dst.data() + layout.uv_offset,
                                              dst.data() + layout.v_offset,
                                              stride,
                                              stride / 2,
                                              stride / 2};
                     encode::RgbToI420(f.data, f.stride, f.width, f.height, order, planes);
                   });
  }
  return Produce(f.width, f.height, f.stride, f.format, f.capture_ts_ns,
                 [&](std::span<uint8_t> dst, uint64_t) { std::memcpy(dst.data(), f.data, bytes); });
}

}  // namespace lumen::capture
