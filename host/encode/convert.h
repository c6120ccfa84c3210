// host/encode/convert.h — packed RGB (BGRx / RGBx) to planar YUV 4:2:0 (I420 or NV12),
// BT.709 limited range, the colour description lumen's encoders signal.
//
// Our own converter instead of swscale: one pass over two source rows at a time, SSE2
// (x86-64 baseline, through simde) for 16-pixel groups and a scalar tail with the same
// integer formulas (bit-identical), exact BT.709 limited-range coefficients, NV12 written
// directly (NVENC's input), no per-size context or allocation. About 3x faster than
// swscale's BGRx->YUV420P (tools/bench/capture_encode_bench, docs/performance.md).
// Chroma is the average of each 2x2 block; odd widths/heights repeat the last
// column/row. Caller-owned buffers, no allocation per call.
//
// Bodies: AVX2 (32 pixels per turn) where lumen::cpu reports it, else SSE2; the same
// integer formulas everywhere, so the output does not depend on the ISA. Frames of at
// least 640x360 on a machine with two or more CPUs are split in 16-row stripes between the
// calling thread and one helper thread (started on first use, asleep between frames);
// the caller converts whatever the helper has not claimed, so a slow helper never delays
// it by more than one stripe. PrepareConversion() wakes the helper ahead of a frame.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lumen::encode {

// Source byte order of a 4-byte pixel.
enum class RgbOrder : uint8_t { kBgrx, kRgbx };

// Destination planes. For NV12, `u` is the interleaved UV plane and `v` is ignored.
struct YuvPlanes {
  uint8_t* y = nullptr;
  uint8_t* u = nullptr;
  uint8_t* v = nullptr;
  int y_stride = 0;
  int u_stride = 0;
  int v_stride = 0;
};

// Converts width x height pixels of `src` (stride bytes per row, >= 4*width) into I420
// planes (Y: width x height; U, V: ceil(width/2) x ceil(height/2)). Requires width,
// height >= 1 and plane strides large enough; violations are the caller's bug.
void RgbToI420(const uint8_t* src, int stride, int width, int height, RgbOrder order,
               const YuvPlanes& dst) noexcept;

// As RgbToI420, writing NV12 (dst.u = interleaved UV, ceil(width/2) pairs per row).
void RgbToNv12(const uint8_t* src, int stride, int width, int height, RgbOrder order,
               const YuvPlanes& dst) noexcept;

// A width x height frame will be converted shortly (within a few ms; e.g. the caller is about
// to draw or receive it): wakes the helper thread now, to spin until the conversion starts,
// so that it takes its share of the stripes from the first one instead of after its own
// wake-up (0.1-0.6 ms on a VM, as long as a 1080p conversion). Spins at most 3 ms. No-op
// when the frame is too small to be split, the split is off, or there is one CPU.
void PrepareConversion(int width, int height) noexcept;

// Turns the helper-thread split on (default) or off, for every caller (tests, benches).
void SetParallelConversion(bool on) noexcept;

}  // namespace lumen::encode
