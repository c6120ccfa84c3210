// tools/bench/capture_encode_bench.cc — per-frame cost of lumen's video path at 720p and
// 1080p: paint (core/pattern), BGRx->I420 conversion (ours vs swscale, the anchor), the
// capture-side grab into an I420 ring slot (stamp + conversion), and one encoded frame for
// each software encoder (x264 ultrafast/zerolatency, x265 ultrafast/zerolatency, SVT-AV1
// preset 12 low-delay) through host/encode's VideoEncoder, from BGRx and from I420 slots.
// Medians over several repetitions; the conversion is verified against swscale.
//
//   bazel run -c opt //tools/bench:capture_encode_bench [-- --quick]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/cpu/cpu.h"
#include "core/pattern/test_pattern.h"
#include "host/encode/convert.h"
#include "host/encode/video_encoder.h"
#include "tools/bench/bench_util.h"

extern "C" {
#include <libswscale/swscale.h>
}

namespace {

using lumen::bench::MedianNsPerCall;

void Line(const char* stage, int w, int h, double ours_ns, const char* anchor, double anchor_ns) {
  if (anchor_ns > 0) {
    std::printf("%-22s %5dx%-5d %9.2f ms   %-10s %9.2f ms   %6.2fx\n", stage, w, h, ours_ns / 1e6,
                anchor, anchor_ns / 1e6, anchor_ns / ours_ns);
  } else {
    std::printf("%-22s %5dx%-5d %9.2f ms\n", stage, w, h, ours_ns / 1e6);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const int reps = quick ? 3 : 7;
  std::printf("%-22s %-11s %12s   %-10s %12s   %7s\n", "stage", "size", "ours/frame", "anchor",
              "anchor/frame", "speedup");
  const int sizes[2][2] = {{1280, 720}, {1920, 1080}};
  for (const auto& s : sizes) {
    const int w = s[0], h = s[1], stride = w * 4;
    std::vector<uint8_t> bgrx(size_t(stride) * h);
    uint32_t n = 0;
    const double paint = MedianNsPerCall(
        [&] { lumen::pattern::PaintBgrx(bgrx, w, h, stride, lumen::pattern::Stamp{n++, 0}); },
        reps, 10);
    Line("paint (pattern)", w, h, paint, "", 0);

    std::vector<uint8_t> y(size_t(w) * h), u(size_t(w / 2) * (h / 2)), v(u.size());
    std::vector<uint8_t> y2(y.size()), u2(u.size()), v2(v.size());
    const lumen::encode::YuvPlanes planes{y.data(), u.data(), v.data(), w, w / 2, w / 2};
    const double ours = MedianNsPerCall(
        [&] {
          lumen::encode::RgbToI420(bgrx.data(), stride, w, h, lumen::encode::RgbOrder::kBgrx,
                                   planes);
        },
        reps, 10);
    // The same conversion from frames that are not in the cache (six rotating painted
    // frames, 50 MB at 1080p), as in the pipeline, where x264 and the decoder evict the
    // captured frame between paint and conversion.
    std::vector<std::vector<uint8_t>> cold(6, bgrx);
    int turn = 0;
    const double ours_cold = MedianNsPerCall(
        [&] {
          const std::vector<uint8_t>& src = cold[turn++ % cold.size()];
          lumen::encode::RgbToI420(src.data(), stride, w, h, lumen::encode::RgbOrder::kBgrx,
                                   planes);
        },
        reps, 12);
    // The same conversion on the calling thread only, then with the SSE2 body only.
    lumen::encode::SetParallelConversion(false);
    const double serial = MedianNsPerCall(
        [&] {
          lumen::encode::RgbToI420(bgrx.data(), stride, w, h, lumen::encode::RgbOrder::kBgrx,
                                   planes);
        },
        reps, 10);
    lumen::cpu::ForceMaxIsa(lumen::cpu::Isa::kSsse3);
    const double sse2 = MedianNsPerCall(
        [&] {
          lumen::encode::RgbToI420(bgrx.data(), stride, w, h, lumen::encode::RgbOrder::kBgrx,
                                   planes);
        },
        reps, 10);
    lumen::cpu::ResetForcedIsa();
    lumen::encode::SetParallelConversion(true);
    SwsContext* sws = sws_getContext(w, h, AV_PIX_FMT_BGR0, w, h, AV_PIX_FMT_YUV420P, SWS_POINT,
                                     nullptr, nullptr, nullptr);
    sws_setColorspaceDetails(sws, sws_getCoefficients(SWS_CS_ITU709), 0,
                             sws_getCoefficients(SWS_CS_ITU709), 0, 0, 1 << 16, 1 << 16);
    const uint8_t* src[1] = {bgrx.data()};
    const int src_stride[1] = {stride};
    uint8_t* dst[3] = {y2.data(), u2.data(), v2.data()};
    const int dst_stride[3] = {w, w / 2, w / 2};
    const double anchor = MedianNsPerCall(
        [&] { sws_scale(sws, src, src_stride, 0, h, dst, dst_stride); }, reps, 10);
    sws_freeContext(sws);
    int worst = 0;
    for (size_t i = 0; i < y.size(); ++i) worst = std::max(worst, std::abs(int(y[i]) - int(y2[i])));
    Line("BGRx->I420 convert", w, h, ours, "swscale", anchor);
    Line("  source not in cache", w, h, ours_cold, "", 0);
    Line("  one thread", w, h, serial, "", 0);
    Line("  one thread, sse2", w, h, sse2, "", 0);
    if (worst > 3) std::printf("  WARNING: luma differs from swscale by up to %d\n", worst);

    // lumen-capture's work after the capture timestamp with the synthetic source and an
    // I420 ring: stamp the freshly drawn desktop, convert it into the next of four
    // rotating ring-slot-sized I420 buffers (ring layout: stride = width rounded to 64).
    const int ring_stride = (w + 63) & ~63;
    std::vector<std::vector<uint8_t>> slots(
        4, std::vector<uint8_t>(size_t(ring_stride) * h + size_t(ring_stride) * ((h + 1) / 2)));
    auto slot_planes = [&](std::vector<uint8_t>& slot) {
      uint8_t* su = slot.data() + size_t(ring_stride) * h;
      return lumen::encode::YuvPlanes{slot.data(),
                                      su,
                                      su + size_t(ring_stride / 2) * ((h + 1) / 2),
                                      ring_stride,
                                      ring_stride / 2,
                                      ring_stride / 2};
    };
    int slot_turn = 0;
    uint32_t grab_n = 0;
    const double grab = MedianNsPerCall(
        [&] {
          lumen::pattern::PaintBgrx(bgrx, w, h, stride, lumen::pattern::Stamp{grab_n, 0});
          lumen::pattern::PaintStampBgrx(bgrx, w, h, stride, lumen::pattern::Stamp{grab_n++, 1});
          lumen::encode::RgbToI420(bgrx.data(), stride, w, h, lumen::encode::RgbOrder::kBgrx,
                                   slot_planes(slots[slot_turn++ % slots.size()]));
        },
        reps, 10);
    Line("grab: stamp + ->I420", w, h, grab - paint, "", 0);

    for (lumen::encode::Codec codec :
         {lumen::encode::Codec::kH264, lumen::encode::Codec::kHevc, lumen::encode::Codec::kAv1}) {
      lumen::encode::EncoderConfig cfg;
      cfg.codec = codec;
      cfg.width = w;
      cfg.height = h;
      cfg.fps = 60;
      cfg.bitrate_kbps = w >= 1920 ? 20000 : 10000;
      auto enc = lumen::encode::VideoEncoder::Create(cfg);
      if (!enc.ok()) {
        std::printf("%-22s %5dx%-5d unavailable: %s\n", lumen::encode::SoftwareEncoderName(codec),
                    w, h, enc.status().ToString().c_str());
        continue;
      }
      lumen::encode::AccessUnit au;
      int64_t pts = 0;
      const double t = MedianNsPerCall(
          [&] {
            lumen::pattern::PaintBgrx(bgrx, w, h, stride,
                                      lumen::pattern::Stamp{uint32_t(pts), 0});
            lumen::encode::RawFrame f{bgrx.data(), bgrx.size(), w, h, stride,
                                      lumen::host::PixelFormat::kBgrx, pts++};
            (void)(*enc)->Encode(f, &au);
          },
          reps, quick ? 3 : 8);
      const std::string name =
          std::string("encode ") + lumen::encode::SoftwareEncoderName(codec);
      Line(name.c_str(), w, h, t - paint - ours, "", 0);
      const std::string total = std::string("  convert+encode");
      Line(total.c_str(), w, h, t - paint, "", 0);
      // From the I420 ring slots (what lumen-encode does now): no conversion, and x264/x265
      // get the slot's planes without a copy.
      int turn_i420 = 0;
      const double t_i420 = MedianNsPerCall(
          [&] {
            std::vector<uint8_t>& slot = slots[turn_i420++ % slots.size()];
            lumen::encode::RawFrame f{slot.data(), slot.size(), w,
                                      h,           ring_stride, lumen::host::PixelFormat::kI420,
                                      pts++};
            (void)(*enc)->Encode(f, &au);
          },
          reps, quick ? 3 : 8);
      Line("  from I420 ring slot", w, h, t_i420, "", 0);
    }
  }
  std::printf(
      "(encode rows: one frame, conversion and paint subtracted; default threads. 'grab' = the\n"
      " synthetic source's work after the capture timestamp, drawing subtracted; 'from I420\n"
      " ring slot' = Encode() on ring-layout I420: no conversion, and no copy for x264/x265)\n");
  return 0;
}
