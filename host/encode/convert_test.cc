// Tests for host/encode/convert.h against a floating-point BT.709 reference.
#include "host/encode/convert.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

#include "core/cpu/cpu.h"

namespace lumen::encode {
namespace {

struct Ref {
  double y, u, v;
};
Ref Bt709(double r, double g, double b) {
  const double kr = 0.2126, kb = 0.0722, kg = 1 - kr - kb;
  const double yy = kr * r + kg * g + kb * b;  // 0..255
  return {16 + yy * 219 / 255, 128 + (b - yy) / (2 * (1 - kb)) * 224 / 255,
          128 + (r - yy) / (2 * (1 - kr)) * 224 / 255};
}

TEST_SUITE("Convert") {
  TEST_CASE("MatchesBt709ReferenceI420AndNv12") {
    std::mt19937 rng(42);
    for (int w : {2, 3, 16, 33, 64}) {
      for (int h : {2, 5, 16}) {
        CAPTURE(w);
        CAPTURE(h);
        const int stride = 4 * w + 12;
        std::vector<uint8_t> src(size_t(stride) * h);
        for (auto& b : src) b = uint8_t(rng());
        const int cw = (w + 1) / 2, ch = (h + 1) / 2;
        std::vector<uint8_t> y(size_t(w) * h), u(size_t(cw) * ch), v(u.size()),
            y2(y.size()), uv(size_t(2 * cw) * ch);
        for (RgbOrder order : {RgbOrder::kBgrx, RgbOrder::kRgbx}) {
          const int ri = order == RgbOrder::kBgrx ? 2 : 0, bi = 2 - ri;
          RgbToI420(src.data(), stride, w, h, order, {y.data(), u.data(), v.data(), w, cw, cw});
          RgbToNv12(src.data(), stride, w, h, order, {y2.data(), uv.data(), nullptr, w, 2 * cw, 0});
          CHECK(y == y2);
          for (int r = 0; r < h; ++r) {
            for (int c = 0; c < w; ++c) {
              const uint8_t* p = &src[size_t(r) * stride + 4 * c];
              const Ref ref = Bt709(p[ri], p[1], p[bi]);
              REQUIRE(std::abs(y[size_t(r) * w + c] - ref.y) <= 1.0);
            }
          }
          for (int r = 0; r < ch; ++r) {
            for (int c = 0; c < cw; ++c) {
              double rs = 0, gs = 0, bs = 0;
              for (int dy = 0; dy < 2; ++dy) {
                for (int dx = 0; dx < 2; ++dx) {
                  const int sy = std::min(2 * r + dy, h - 1), sx = std::min(2 * c + dx, w - 1);
                  const uint8_t* p = &src[size_t(sy) * stride + 4 * sx];
                  rs += p[ri];
                  gs += p[1];
                  bs += p[bi];
                }
              }
              const Ref ref = Bt709(rs / 4, gs / 4, bs / 4);
              REQUIRE(std::abs(u[size_t(r) * cw + c] - ref.u) <= 1.5);
              REQUIRE(std::abs(v[size_t(r) * cw + c] - ref.v) <= 1.5);
              CHECK(uv[size_t(r) * 2 * cw + 2 * c] == u[size_t(r) * cw + c]);
              CHECK(uv[size_t(r) * 2 * cw + 2 * c + 1] == v[size_t(r) * cw + c]);
            }
          }
        }
      }
    }
  }

  TEST_CASE("SimdAndScalarColumnsAgreeBitForBit") {
    // The SIMD body handles 16-pixel groups, the scalar tail the rest: both must follow
    // the documented integer formulas exactly, for every width.
    std::mt19937 rng(9);
    for (int w = 1; w <= 70; ++w) {
      CAPTURE(w);
      const int h = 4, stride = 4 * w;
      std::vector<uint8_t> src(size_t(stride) * h);
      for (auto& b : src) b = uint8_t(rng());
      const int cw = (w + 1) / 2;
      std::vector<uint8_t> y(size_t(w) * h), u(size_t(cw) * 2), v(u.size());
      RgbToI420(src.data(), stride, w, h, RgbOrder::kBgrx, {y.data(), u.data(), v.data(), w, cw, cw});
      for (int r = 0; r < h; ++r) {
        for (int c = 0; c < w; ++c) {
          const uint8_t* p = &src[size_t(r) * stride + 4 * c];
          REQUIRE(y[size_t(r) * w + c] == ((47 * p[2] + 157 * p[1] + 16 * p[0] + 128 + 4096) >> 8));
        }
      }
      for (int r = 0; r < 2; ++r) {
        for (int c = 0; c < w / 2; ++c) {
          int R = 0, G = 0, B = 0;
          for (int dy = 0; dy < 2; ++dy) {
            for (int dx = 0; dx < 2; ++dx) {
              const uint8_t* p = &src[size_t(2 * r + dy) * stride + 4 * (2 * c + dx)];
              B += p[0];
              G += p[1];
              R += p[2];
            }
          }
          REQUIRE(u[size_t(r) * cw + c] == ((-26 * R - 86 * G + 112 * B + 512 + (128 << 10)) >> 10));
          REQUIRE(v[size_t(r) * cw + c] == ((112 * R - 102 * G - 10 * B + 512 + (128 << 10)) >> 10));
        }
      }
    }
  }

  TEST_CASE("EveryIsaMatchesTheIntegerFormulasBitForBit") {
    // Each body the dispatcher can pick (SSE2 baseline, AVX2 32-pixel groups) against the
    // documented formulas, for both byte orders, I420 and NV12, every width up to 3 AVX2
    // groups plus tails, odd and even heights, a padded stride.
    std::mt19937 rng(77);
    for (cpu::Isa isa : {cpu::Isa::kScalar, cpu::Isa::kAvx2}) {
      if (!cpu::HostSupports(isa)) continue;
      CAPTURE(cpu::IsaName(isa));
      cpu::ForceMaxIsa(isa);
      for (int w = 1; w <= 100; ++w) {
        for (int h : {1, 3, 4}) {
          CAPTURE(w);
          CAPTURE(h);
          const int stride = 4 * w + 8, cw = (w + 1) / 2, ch = (h + 1) / 2;
          std::vector<uint8_t> src(size_t(stride) * h);
          for (auto& b : src) b = uint8_t(rng());
          for (RgbOrder order : {RgbOrder::kBgrx, RgbOrder::kRgbx}) {
            const int ri = order == RgbOrder::kBgrx ? 2 : 0, bi = 2 - ri;
            std::vector<uint8_t> y(size_t(w) * h), u(size_t(cw) * ch), v(u.size()), y2(y.size()),
                uv(size_t(2 * cw) * ch);
            RgbToI420(src.data(), stride, w, h, order, {y.data(), u.data(), v.data(), w, cw, cw});
            RgbToNv12(src.data(), stride, w, h, order,
                      {y2.data(), uv.data(), nullptr, w, 2 * cw, 0});
            REQUIRE(y == y2);
            for (int r = 0; r < h; ++r) {
              for (int c = 0; c < w; ++c) {
                const uint8_t* p = &src[size_t(r) * stride + 4 * c];
                REQUIRE(y[size_t(r) * w + c] ==
                        ((47 * p[ri] + 157 * p[1] + 16 * p[bi] + 128 + 4096) >> 8));
              }
            }
            for (int r = 0; r < ch; ++r) {
              for (int c = 0; c < cw; ++c) {
                int R = 0, G = 0, B = 0;
                for (int dy = 0; dy < 2; ++dy) {
                  for (int dx = 0; dx < 2; ++dx) {
                    const int sy = std::min(2 * r + dy, h - 1), sx = std::min(2 * c + dx, w - 1);
                    const uint8_t* p = &src[size_t(sy) * stride + 4 * sx];
                    R += p[ri];
                    G += p[1];
                    B += p[bi];
                  }
                }
                const int ue = (-26 * R - 86 * G + 112 * B + 512 + (128 << 10)) >> 10;
                const int ve = (112 * R - 102 * G - 10 * B + 512 + (128 << 10)) >> 10;
                REQUIRE(u[size_t(r) * cw + c] == ue);
                REQUIRE(v[size_t(r) * cw + c] == ve);
                REQUIRE(uv[size_t(r) * 2 * cw + 2 * c] == ue);
                REQUIRE(uv[size_t(r) * 2 * cw + 2 * c + 1] == ve);
              }
            }
          }
        }
      }
    }
    cpu::ResetForcedIsa();
  }

  TEST_CASE("HelperThreadSplitGivesTheSerialResult") {
    // Frames of 640x360 and up are split in stripes between the caller and a helper
    // thread: the planes must be byte-for-byte what one thread writes, for both layouts
    // and odd sizes (last stripe short, last row single).
    std::mt19937 rng(5);
    for (auto [w, h] : {std::pair{1920, 1080}, std::pair{1279, 721}, std::pair{640, 360}}) {
      CAPTURE(w);
      CAPTURE(h);
      const int stride = 4 * w + 64, cw = (w + 1) / 2, ch = (h + 1) / 2;
      std::vector<uint8_t> src(size_t(stride) * h);
      for (auto& b : src) b = uint8_t(rng());
      std::vector<uint8_t> y[2], u[2], v[2], y2[2], uv[2];
      for (int par = 0; par < 2; ++par) {
        SetParallelConversion(par == 1);
        y[par].assign(size_t(w) * h, 0);
        u[par].assign(size_t(cw) * ch, 0);
        v[par].assign(u[par].size(), 0);
        y2[par].assign(y[par].size(), 0);
        uv[par].assign(size_t(2 * cw) * ch, 0);
        // Several frames in a row: the helper is reused across calls; PrepareConversion()
        // before some (the helper spinning when the job comes; its spin run out first;
        // prepared twice in a row), which must not change a byte either.
        PrepareConversion(320, 240);  // too small to split: a no-op
        for (int rep = 0; rep < 4; ++rep) {
          if (rep == 1) PrepareConversion(w, h);
          if (rep == 2) {
            PrepareConversion(w, h);
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
          if (rep == 3) {
            PrepareConversion(w, h);
            PrepareConversion(w, h);
          }
          RgbToI420(src.data(), stride, w, h, RgbOrder::kBgrx,
                    {y[par].data(), u[par].data(), v[par].data(), w, cw, cw});
          RgbToNv12(src.data(), stride, w, h, RgbOrder::kRgbx,
                    {y2[par].data(), uv[par].data(), nullptr, w, 2 * cw, 0});
        }
      }
      SetParallelConversion(true);
      CHECK(y[0] == y[1]);
      CHECK(u[0] == u[1]);
      CHECK(v[0] == v[1]);
      CHECK(y2[0] == y2[1]);
      CHECK(uv[0] == uv[1]);
    }
  }

  TEST_CASE("BlackAndWhiteHitLimitedRangeEnds") {
    std::vector<uint8_t> src(4 * 4 * 2, 0xFF);
    std::vector<uint8_t> y(8), u(2), v(2);
    RgbToI420(src.data(), 16, 4, 2, RgbOrder::kBgrx, {y.data(), u.data(), v.data(), 4, 2, 2});
    for (uint8_t s : y) CHECK(s == 235);
    for (uint8_t s : u) CHECK(s == 128);
    std::fill(src.begin(), src.end(), 0);
    RgbToI420(src.data(), 16, 4, 2, RgbOrder::kBgrx, {y.data(), u.data(), v.data(), 4, 2, 2});
    for (uint8_t s : y) CHECK(s == 16);
    for (uint8_t s : v) CHECK(s == 128);
  }
}

}  // namespace
}  // namespace lumen::encode
