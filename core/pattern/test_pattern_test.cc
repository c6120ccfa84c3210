// Tests for core/pattern/test_pattern.h: paint -> read round trips, noise tolerance,
// corruption detection and argument checks. The lossy-codec round trip lives in
// host/encode (it needs FFmpeg).
#include "core/pattern/test_pattern.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace lumen::pattern {
namespace {

// BT.601-ish luma from a BGRx buffer, as a decoder's Y plane would hold it.
std::vector<uint8_t> ToLuma(const std::vector<uint8_t>& bgrx, int w, int h, int stride) {
  std::vector<uint8_t> y(size_t(w) * h);
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w; ++c) {
      const uint8_t* p = &bgrx[size_t(r) * stride + 4 * c];
      y[size_t(r) * w + c] = uint8_t(16 + (66 * p[2] + 129 * p[1] + 25 * p[0] + 128) / 256 * 219 / 255);
    }
  }
  return y;
}

TEST_SUITE("TestPattern") {
  TEST_CASE("PaintThenReadRoundTripsAtSeveralSizes") {
    const int sizes[][2] = {{160, 96}, {320, 240}, {640, 360}, {1280, 720}, {1920, 1080}, {643, 401}};
    for (const auto& s : sizes) {
      const int w = s[0], h = s[1], stride = w * 4 + 64;
      CAPTURE(w);
      CAPTURE(h);
      std::vector<uint8_t> px(size_t(stride) * h);
      for (uint32_t f : {0u, 1u, 77u, 0xFFFFFFFFu}) {
        const Stamp in{f, 0x0123456789ABCDEFull + f};
        REQUIRE(PaintBgrx(px, w, h, stride, in));
        Stamp out;
        REQUIRE(ReadBgrx(px, w, h, stride, &out) == ReadStatus::kOk);
        CHECK(out == in);
        const auto luma = ToLuma(px, w, h, stride);
        Stamp out2;
        REQUIRE(ReadLuma(luma, w, h, w, &out2) == ReadStatus::kOk);
        CHECK(out2 == in);
      }
    }
  }

  TEST_CASE("SurvivesNoise") {
    const int w = 640, h = 360;
    std::vector<uint8_t> px(size_t(w) * h * 4);
    const Stamp in{1234, 987654321};
    REQUIRE(PaintBgrx(px, w, h, w * 4, in));
    auto luma = ToLuma(px, w, h, w * 4);
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> noise(-40, 40);
    for (auto& v : luma) v = uint8_t(std::clamp(int(v) + noise(rng), 0, 255));
    Stamp out;
    REQUIRE(ReadLuma(luma, w, h, w, &out) == ReadStatus::kOk);
    CHECK(out == in);
  }

  TEST_CASE("DetectsFlippedCell") {
    const int w = 320, h = 240;
    std::vector<uint8_t> px(size_t(w) * h * 4);
    REQUIRE(PaintBgrx(px, w, h, w * 4, Stamp{5, 6}));
    auto luma = ToLuma(px, w, h, w * 4);
    const Geometry g = GeometryFor(w, h);
    for (int bit = 0; bit < kStampBits; bit += 13) {
      CAPTURE(bit);
      auto bad = luma;
      const int x0 = g.x + (bit % kStampCols) * g.cell, y0 = g.y + (bit / kStampCols) * g.cell;
      for (int y = y0; y < y0 + g.cell; ++y) {
        for (int x = x0; x < x0 + g.cell; ++x) bad[size_t(y) * w + x] ^= 0xFF;
      }
      Stamp out{99, 99};
      CHECK(ReadLuma(bad, w, h, w, &out) == ReadStatus::kBadChecksum);
      CHECK(out == Stamp{99, 99});
    }
  }

  TEST_CASE("BlankFramesAreNotStamps") {
    const int w = 320, h = 240;
    for (uint8_t v : {uint8_t(0), uint8_t(16), uint8_t(235), uint8_t(255)}) {
      std::vector<uint8_t> luma(size_t(w) * h, v);
      Stamp out;
      CHECK(ReadLuma(luma, w, h, w, &out) == ReadStatus::kBadChecksum);
    }
  }

  TEST_CASE("PatternMovesBetweenFrames") {
    const int w = 320, h = 240;
    std::vector<uint8_t> a(size_t(w) * h * 4), b(a.size());
    REQUIRE(PaintBgrx(a, w, h, w * 4, Stamp{10, 0}));
    REQUIRE(PaintBgrx(b, w, h, w * 4, Stamp{11, 0}));
    const Geometry g = GeometryFor(w, h);
    // Compare below the stamp area only: the picture itself must change.
    const size_t off = size_t(g.y + (kStampRows + 1) * g.cell) * w * 4;
    CHECK(std::memcmp(a.data() + off, b.data() + off, a.size() - off) != 0);
  }

  TEST_CASE("RejectsBadArguments") {
    std::vector<uint8_t> px(160 * 96 * 4);
    Stamp out;
    CHECK_FALSE(PaintBgrx(px, 159, 96, 159 * 4, Stamp{}));
    CHECK_FALSE(PaintBgrx(px, 160, 96, 100, Stamp{}));                  // stride < width*4
    CHECK_FALSE(PaintBgrx(std::span<uint8_t>(px).first(1000), 160, 96, 640, Stamp{}));
    CHECK_FALSE(PaintBgrx(px, 0, 0, 0, Stamp{}));
    CHECK_FALSE(PaintBgrx(px, -5, 96, 640, Stamp{}));
    CHECK(ReadBgrx(px, 100000, 96, 400000, &out) == ReadStatus::kBadArgs);
    CHECK(ReadLuma(std::span<const uint8_t>(px).first(10), 160, 96, 160, &out) ==
          ReadStatus::kBadArgs);
    CHECK(ReadLuma(px, 100, 50, 100, &out) == ReadStatus::kTooSmall);
    CHECK(ReadLuma(px, 160, 96, 160, nullptr) == ReadStatus::kBadArgs);
  }
}

}  // namespace
}  // namespace lumen::pattern
