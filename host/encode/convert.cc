// host/encode/convert.cc — see convert.h. BT.709 limited range, 8-bit fixed point:
//   Y = 16  + ( 47 R + 157 G +  16 B) / 256
//   U = 128 + (-26 R -  86 G + 112 B) / 256
//   V = 128 + (112 R - 102 G -  10 B) / 256
#include "host/encode/convert.h"

namespace lumen::encode {
namespace {

template <int kR, int kB>
inline void ConvertRows(const uint8_t* s0, const uint8_t* s1, int width, uint8_t* y0,
                        uint8_t* y1, uint8_t* u, uint8_t* v, int uv_step) noexcept {
  for (int x = 0; x < width; ++x) {
    const int r0 = s0[4 * x + kR], g0 = s0[4 * x + 1], b0 = s0[4 * x + kB];
    const int r1 = s1[4 * x + kR], g1 = s1[4 * x + 1], b1 = s1[4 * x + kB];
    y0[x] = uint8_t((47 * r0 + 157 * g0 + 16 * b0 + 128 + (16 << 8)) >> 8);
    y1[x] = uint8_t((47 * r1 + 157 * g1 + 16 * b1 + 128 + (16 << 8)) >> 8);
  }
  const int cw = width / 2;
  for (int c = 0; c < cw; ++c) {
    const uint8_t* a = s0 + 8 * c;
    const uint8_t* b = s1 + 8 * c;
    const int r = a[kR] + a[4 + kR] + b[kR] + b[4 + kR];
    const int g = a[1] + a[5] + b[1] + b[5];
    const int bl = a[kB] + a[4 + kB] + b[kB] + b[4 + kB];
    u[c * uv_step] = uint8_t((-26 * r - 86 * g + 112 * bl + 512 + (128 << 10)) >> 10);
    v[c * uv_step] = uint8_t((112 * r - 102 * g - 10 * bl + 512 + (128 << 10)) >> 10);
  }
  if (width & 1) {  // last column: its 1x2 pair stands for a 2x2 block
    const uint8_t* a = s0 + 4 * (width - 1);
    const uint8_t* b = s1 + 4 * (width - 1);
    const int r = 2 * (a[kR] + b[kR]), g = 2 * (a[1] + b[1]), bl = 2 * (a[kB] + b[kB]);
    u[cw * uv_step] = uint8_t((-26 * r - 86 * g + 112 * bl + 512 + (128 << 10)) >> 10);
    v[cw * uv_step] = uint8_t((112 * r - 102 * g - 10 * bl + 512 + (128 << 10)) >> 10);
  }
}

template <int kR, int kB>
void Convert(const uint8_t* src, int stride, int width, int height, uint8_t* y, int y_stride,
             uint8_t* u, int u_stride, uint8_t* v, int v_stride, int uv_step) noexcept {
  for (int row = 0; row < height; row += 2) {
    const bool last_single = row + 1 >= height;
    const uint8_t* s0 = src + size_t(row) * size_t(stride);
    const uint8_t* s1 = last_single ? s0 : s0 + stride;
    uint8_t* y0 = y + size_t(row) * size_t(y_stride);
    // For an odd last row, write its luma twice into the same row (harmless).
    uint8_t* y1 = last_single ? y0 : y0 + y_stride;
    const size_t crow = size_t(row / 2);
    ConvertRows<kR, kB>(s0, s1, width, y0, y1, u + crow * size_t(u_stride),
                        v + crow * size_t(v_stride), uv_step);
  }
}

}  // namespace

void RgbToI420(const uint8_t* src, int stride, int width, int height, RgbOrder order,
               const YuvPlanes& d) noexcept {
  if (order == RgbOrder::kBgrx) {
    Convert<2, 0>(src, stride, width, height, d.y, d.y_stride, d.u, d.u_stride, d.v,
                  d.v_stride, 1);
  } else {
    Convert<0, 2>(src, stride, width, height, d.y, d.y_stride, d.u, d.u_stride, d.v,
                  d.v_stride, 1);
  }
}

void RgbToNv12(const uint8_t* src, int stride, int width, int height, RgbOrder order,
               const YuvPlanes& d) noexcept {
  if (order == RgbOrder::kBgrx) {
    Convert<2, 0>(src, stride, width, height, d.y, d.y_stride, d.u, d.u_stride, d.u + 1,
                  d.u_stride, 2);
  } else {
    Convert<0, 2>(src, stride, width, height, d.y, d.y_stride, d.u, d.u_stride, d.u + 1,
                  d.u_stride, 2);
  }
}

}  // namespace lumen::encode
