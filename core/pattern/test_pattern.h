// core/pattern/test_pattern.h — lumen's synthetic test pattern: a moving picture with a
// machine-readable stamp (frame counter + capture timestamp) in the top-left corner.
//
// lumen-capture paints it when no real desktop is captured; clients and tests read the
// stamp back from the *decoded* picture to check pixels end to end and to measure latency.
//
// Stamp layout. 128 bits = 16 bytes, little-endian fields:
//   bytes 0..3   frame counter (uint32)
//   bytes 4..11  capture timestamp in microseconds (uint64, the painter's clock)
//   bytes 12..15 CRC-32 (IEEE) of bytes 0..11, XOR kStampMagic
// Each bit is one square cell, white (1) or black (0), 16 columns x 8 rows, MSB of byte 0
// first, row-major. The grid sits one cell in from the top-left corner and is surrounded by
// a one-cell black quiet zone. Cells are 16x16 px on frames at least 640x360, else 8x8,
// always aligned to the 8/16-px block grid codecs use, so the stamp survives lossy H.264,
// HEVC or AV1 coding at ordinary bitrates; a misread is caught by the CRC.
//
// Everything here is pure: caller-owned buffers, no allocation, time is a parameter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace lumen::pattern {

inline constexpr uint32_t kStampMagic = 0x4C554D4Eu;  // "LUMN"
inline constexpr int kStampCols = 16;
inline constexpr int kStampRows = 8;
inline constexpr int kStampBits = kStampCols * kStampRows;  // 128
inline constexpr int kMinWidth = 160;
inline constexpr int kMinHeight = 96;
inline constexpr int kMaxDimension = 16384;

// What the stamp carries.
struct Stamp {
  uint32_t frame = 0;
  uint64_t timestamp_us = 0;
  friend bool operator==(const Stamp&, const Stamp&) = default;
};

// Where the stamp's cells are, in pixels.
struct Geometry {
  int x = 0;     // left edge of bit cell (0, 0)
  int y = 0;     // top edge
  int cell = 0;  // cell side in pixels
};

enum class ReadStatus : uint8_t {
  kOk = 0,
  kBadArgs,      // null buffer, stride too small, buffer too short, or dimensions out of range
  kTooSmall,     // frame smaller than kMinWidth x kMinHeight: no stamp fits
  kBadChecksum,  // cells read but the CRC does not match: not a stamp or a misread
};

// Stamp geometry for a frame of the given size. Requires width >= kMinWidth and
// height >= kMinHeight (otherwise returns cell = 0).
constexpr Geometry GeometryFor(int width, int height) noexcept {
  if (width < kMinWidth || height < kMinHeight) return {};
  const int cell = (width >= 640 && height >= 360) ? 16 : 8;
  return Geometry{cell, cell, cell};
}

namespace detail {

constexpr uint32_t Crc32(const uint8_t* data, size_t n) noexcept {
  uint32_t crc = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

constexpr void Encode(const Stamp& s, uint8_t out[16]) noexcept {
  for (int i = 0; i < 4; ++i) out[i] = uint8_t(s.frame >> (8 * i));
  for (int i = 0; i < 8; ++i) out[4 + i] = uint8_t(s.timestamp_us >> (8 * i));
  const uint32_t crc = Crc32(out, 12) ^ kStampMagic;
  for (int i = 0; i < 4; ++i) out[12 + i] = uint8_t(crc >> (8 * i));
}

constexpr bool Decode(const uint8_t in[16], Stamp* s) noexcept {
  uint32_t crc = 0;
  for (int i = 0; i < 4; ++i) crc |= uint32_t(in[12 + i]) << (8 * i);
  if ((Crc32(in, 12) ^ kStampMagic) != crc) return false;
  Stamp r;
  for (int i = 0; i < 4; ++i) r.frame |= uint32_t(in[i]) << (8 * i);
  for (int i = 0; i < 8; ++i) r.timestamp_us |= uint64_t(in[4 + i]) << (8 * i);
  *s = r;
  return true;
}

inline void FillRect(uint8_t* px, int stride, int x0, int y0, int w, int h,
                     uint32_t bgrx) noexcept {
  for (int y = y0; y < y0 + h; ++y) {
    uint8_t* row = px + size_t(y) * size_t(stride) + size_t(x0) * 4;
    for (int x = 0; x < w; ++x) std::memcpy(row + 4 * x, &bgrx, 4);
  }
}

constexpr bool DimsOk(int width, int height, int stride, int bpp, size_t size) noexcept {
  if (width <= 0 || height <= 0 || width > kMaxDimension || height > kMaxDimension) {
    return false;
  }
  if (stride < width * bpp) return false;
  return size >= size_t(stride) * size_t(height - 1) + size_t(width) * size_t(bpp);
}

// Reads the 128 cells from any 8-bit plane-like buffer where `sample(x, y)` gives luma.
template <class Sample>
ReadStatus ReadCells(int width, int height, Sample&& sample, Stamp* out) noexcept {
  const Geometry g = GeometryFor(width, height);
  if (g.cell == 0) return ReadStatus::kTooSmall;
  uint8_t bytes[16] = {};
  const int inset = g.cell / 4;  // skip cell edges: ringing and chroma bleed live there
  const int span = g.cell - 2 * inset;
  for (int bit = 0; bit < kStampBits; ++bit) {
    const int cx = g.x + (bit % kStampCols) * g.cell + inset;
    const int cy = g.y + (bit / kStampCols) * g.cell + inset;
    uint32_t sum = 0;
    for (int y = cy; y < cy + span; ++y) {
      for (int x = cx; x < cx + span; ++x) sum += sample(x, y);
    }
    if (sum >= 128u * uint32_t(span * span)) bytes[bit / 8] |= uint8_t(0x80u >> (bit % 8));
  }
  return Decode(bytes, out) ? ReadStatus::kOk : ReadStatus::kBadChecksum;
}

}  // namespace detail

// Paints only the stamp (quiet zone + cells) into a BGRx/BGRA/RGBx buffer (4 bytes per
// pixel; black and white are the same in every such order). Leaves other pixels alone.
// Returns false (painting nothing) if the buffer or dimensions are invalid or too small.
inline bool PaintStampBgrx(std::span<uint8_t> pixels, int width, int height, int stride,
                           const Stamp& stamp) noexcept {
  if (pixels.data() == nullptr || !detail::DimsOk(width, height, stride, 4, pixels.size())) {
    return false;
  }
  const Geometry g = GeometryFor(width, height);
  if (g.cell == 0) return false;
  uint8_t* px = pixels.data();
  detail::FillRect(px, stride, g.x - g.cell, g.y - g.cell, (kStampCols + 2) * g.cell,
                   (kStampRows + 2) * g.cell, 0xFF000000u);
  uint8_t bytes[16];
  detail::Encode(stamp, bytes);
  for (int bit = 0; bit < kStampBits; ++bit) {
    if (!(bytes[bit / 8] & (0x80u >> (bit % 8)))) continue;
    detail::FillRect(px, stride, g.x + (bit % kStampCols) * g.cell,
                     g.y + (bit / kStampCols) * g.cell, g.cell, g.cell, 0xFFFFFFFFu);
  }
  return true;
}

// Paints the whole test pattern for `stamp.frame` into a BGRx buffer of width x height
// pixels with `stride` bytes per row: eight 75% colour bars scrolling left 8 px per
// frame, a white box bouncing across the picture, and the stamp. Cost: one pass over the
// first row plus one memcpy per row. Returns false (painting nothing) on invalid
// arguments or a frame smaller than kMinWidth x kMinHeight.
inline bool PaintBgrx(std::span<uint8_t> pixels, int width, int height, int stride,
                      const Stamp& stamp) noexcept {
  if (pixels.data() == nullptr || !detail::DimsOk(width, height, stride, 4, pixels.size())) {
    return false;
  }
  if (width < kMinWidth || height < kMinHeight) return false;
  // 75% bars, BGRx little-endian words: white yellow cyan green magenta red blue black.
  static constexpr uint32_t kBars[8] = {0xFFBFBFBFu, 0xFFBFBF00u, 0xFF00BFBFu, 0xFF00BF00u,
                                        0xFFBF00BFu, 0xFFBF0000u, 0xFF0000BFu, 0xFF101010u};
  uint8_t* px = pixels.data();
  const uint64_t shift = uint64_t(stamp.frame) * 8u;
  for (int x = 0; x < width; ++x) {
    const uint64_t pos = (uint64_t(x) + shift) % uint64_t(width);
    const uint32_t c = kBars[(pos * 8u) / uint64_t(width)];
    std::memcpy(px + 4 * x, &c, 4);
  }
  for (int y = 1; y < height; ++y) {
    std::memcpy(px + size_t(y) * size_t(stride), px, size_t(width) * 4);
  }
  // A box bouncing diagonally (triangle waves), so motion covers both axes.
  const int box = height / 6;
  const int range_x = width - box, range_y = height - box;
  const uint64_t tx = uint64_t(stamp.frame) * 6u % uint64_t(2 * range_x);
  const uint64_t ty = uint64_t(stamp.frame) * 4u % uint64_t(2 * range_y);
  const int bx = tx < uint64_t(range_x) ? int(tx) : int(2 * range_x - tx);
  const int by = ty < uint64_t(range_y) ? int(ty) : int(2 * range_y - ty);
  detail::FillRect(px, stride, bx, by, box, box, 0xFFEBEBEBu);
  return PaintStampBgrx(pixels, width, height, stride, stamp);
}

// Reads the stamp from an 8-bit luma plane (the Y plane of decoded YUV420P or NV12, any
// range). `stride` is bytes per row. kOk fills *out; anything else leaves it untouched.
inline ReadStatus ReadLuma(std::span<const uint8_t> luma, int width, int height, int stride,
                           Stamp* out) noexcept {
  if (luma.data() == nullptr || out == nullptr ||
      !detail::DimsOk(width, height, stride, 1, luma.size())) {
    return ReadStatus::kBadArgs;
  }
  const uint8_t* p = luma.data();
  return detail::ReadCells(
      width, height, [&](int x, int y) { return uint32_t(p[size_t(y) * size_t(stride) + x]); },
      out);
}

// Reads the stamp from a 4-byte-per-pixel buffer (BGRx/BGRA/RGBx/RGBA): the green byte
// (offset 1 in every such order) stands in for luma.
inline ReadStatus ReadBgrx(std::span<const uint8_t> pixels, int width, int height, int stride,
                           Stamp* out) noexcept {
  if (pixels.data() == nullptr || out == nullptr ||
      !detail::DimsOk(width, height, stride, 4, pixels.size())) {
    return ReadStatus::kBadArgs;
  }
  const uint8_t* p = pixels.data();
  return detail::ReadCells(
      width, height,
      [&](int x, int y) { return uint32_t(p[size_t(y) * size_t(stride) + size_t(x) * 4 + 1]); },
      out);
}

}  // namespace lumen::pattern
