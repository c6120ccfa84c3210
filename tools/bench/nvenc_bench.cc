// tools/bench/nvenc_bench.cc — the GPU encode path, measured where a GPU exists.
//
//   bazel run --config=bench //tools/bench:nvenc_bench -- [--width=1920 --height=1080]
//       [--frames=240] [--codec=h264|hevc|av1]
//
// 1. CUDA upload: creates FFmpeg's CUDA device (libcuda is loaded at run time), an NV12
//    hwframes pool at the frame size, and times one pooled surface per frame
//    (av_hwframe_get_buffer + av_hwframe_transfer_data) — the copy lumen-encode's NVENC
//    path makes. Anchor: memcpy of the same bytes in host memory.
// 2. Encode: VideoEncoder with nvenc=true (NVENC through CUDA hwframes, software fallback)
//    against the software encoder of the same codec (the anchor), same frames, same
//    process; prints which encoder really ran, the fallback reason if any, the median
//    ms/frame of each and the ratio.
// On a machine without a GPU it says so and exits 0 (the fallback is the product's
// behaviour, not a failure). Prints "nvenc_bench: done" at the end.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include <libavutil/frame.h>
#include <libavutil/hwcontext.h>
#include <libavutil/pixfmt.h>
}

#include "core/pattern/test_pattern.h"
#include "host/encode/video_encoder.h"
#include "tools/bench/bench_util.h"

namespace {

using lumen::bench::NowNs;

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int IntFlag(int argc, char** argv, const char* name, int def) {
  const size_t n = std::strlen(name);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--", 2) == 0 && std::strncmp(argv[i] + 2, name, n) == 0 &&
        argv[i][2 + n] == '=') {
      return std::atoi(argv[i] + 3 + n);
    }
  }
  return def;
}

std::string StrFlag(int argc, char** argv, const char* name, const char* def) {
  const size_t n = std::strlen(name);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--", 2) == 0 && std::strncmp(argv[i] + 2, name, n) == 0 &&
        argv[i][2 + n] == '=') {
      return argv[i] + 3 + n;
    }
  }
  return def;
}

std::string AvErr(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

// Part 1: pooled CUDA surfaces, upload cost per frame.
void CudaUpload(int w, int h, int frames) {
  AVBufferRef* dev = nullptr;
  int err = av_hwdevice_ctx_create(&dev, AV_HWDEVICE_TYPE_CUDA, nullptr, nullptr, 0);
  if (err < 0) {
    std::printf("cuda: no CUDA device (%s); upload not measured\n", AvErr(err).c_str());
    return;
  }
  AVBufferRef* pool = av_hwframe_ctx_alloc(dev);
  auto* fc = reinterpret_cast<AVHWFramesContext*>(pool->data);
  fc->format = AV_PIX_FMT_CUDA;
  fc->sw_format = AV_PIX_FMT_NV12;
  fc->width = w;
  fc->height = h;
  fc->initial_pool_size = 8;
  err = av_hwframe_ctx_init(pool);
  if (err < 0) {
    std::printf("cuda: hwframes pool init failed (%s)\n", AvErr(err).c_str());
    av_buffer_unref(&pool);
    av_buffer_unref(&dev);
    return;
  }
  AVFrame* sw = av_frame_alloc();
  sw->format = AV_PIX_FMT_NV12;
  sw->width = w;
  sw->height = h;
  av_frame_get_buffer(sw, 64);
  for (int y = 0; y < h; ++y) std::memset(sw->data[0] + y * sw->linesize[0], y & 0xff, w);
  for (int y = 0; y < h / 2; ++y) std::memset(sw->data[1] + y * sw->linesize[1], 128, w);

  std::vector<double> up;
  int failures = 0;
  for (int i = 0; i < frames + 10; ++i) {
    const uint64_t t0 = NowNs();
    AVFrame* hw = av_frame_alloc();
    int e = av_hwframe_get_buffer(pool, hw, 0);
    if (e >= 0) e = av_hwframe_transfer_data(hw, sw, 0);
    const uint64_t t1 = NowNs();
    av_frame_free(&hw);
    if (e < 0) {
      ++failures;
      continue;
    }
    if (i >= 10) up.push_back(double(t1 - t0) / 1e6);
  }
  const size_t bytes = size_t(w) * h * 3 / 2;
  std::vector<uint8_t> a(bytes, 1), b(bytes);
  std::vector<double> cp;
  for (int i = 0; i < frames; ++i) {
    const uint64_t t0 = NowNs();
    std::memcpy(b.data(), a.data(), bytes);
    cp.push_back(double(NowNs() - t0) / 1e6);
  }
  const double m = Median(up), c = Median(cp);
  std::printf(
      "cuda: pooled NV12 surface + upload %dx%d: median %.3f ms/frame (%.1f GB/s), "
      "%d failures; anchor host memcpy %.3f ms; ratio %.2f\n",
      w, h, m, m > 0 ? double(bytes) / (m * 1e6) : 0.0, failures, c, c > 0 ? m / c : 0.0);
  av_frame_free(&sw);
  av_buffer_unref(&pool);
  av_buffer_unref(&dev);
}

struct EncodeResult {
  std::string name;
  std::string fallback;
  bool hardware = false;
  double median_ms = 0;
  double p99_ms = 0;
  size_t bytes = 0;
  int aus = 0;
};

EncodeResult RunEncoder(lumen::encode::Codec codec, bool nvenc, int w, int h, int frames,
                        const std::vector<std::vector<uint8_t>>& pics) {
  lumen::encode::EncoderConfig cfg;
  cfg.codec = codec;
  cfg.nvenc = nvenc;
  cfg.width = w;
  cfg.height = h;
  cfg.bitrate_kbps = 20000;
  EncodeResult r;
  auto enc = lumen::encode::VideoEncoder::Create(cfg);
  if (!enc.ok()) {
    r.name = "(failed: " + enc.status().ToString() + ")";
    return r;
  }
  std::vector<double> t;
  lumen::encode::AccessUnit au;
  for (int i = 0; i < frames; ++i) {
    const auto& p = pics[size_t(i) % pics.size()];
    lumen::encode::RawFrame f{p.data(), p.size(), w, h, w * 4, lumen::encode::PixelFormat::kBgrx,
                              i};
    const uint64_t t0 = NowNs();
    const absl::Status s = (*enc)->Encode(f, &au);
    const double ms = double(NowNs() - t0) / 1e6;
    if (!s.ok()) {
      r.name = (*enc)->encoder_name() + " (encode failed: " + s.ToString() + ")";
      return r;
    }
    if (i >= 10) t.push_back(ms);
    if (!au.data.empty()) {
      ++r.aus;
      r.bytes += au.data.size();
    }
  }
  r.name = (*enc)->encoder_name();
  r.fallback = (*enc)->fallback_reason();
  r.hardware = (*enc)->hardware();
  std::sort(t.begin(), t.end());
  r.median_ms = t.empty() ? 0 : t[t.size() / 2];
  r.p99_ms = t.empty() ? 0 : t[std::min(t.size() - 1, t.size() * 99 / 100)];
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const int w = IntFlag(argc, argv, "width", 1920);
  const int h = IntFlag(argc, argv, "height", 1080);
  const int frames = std::max(20, IntFlag(argc, argv, "frames", 240));
  const std::string codec_name = StrFlag(argc, argv, "codec", "h264");
  lumen::encode::Codec codec = lumen::encode::Codec::kH264;
  if (codec_name == "hevc") codec = lumen::encode::Codec::kHevc;
  if (codec_name == "av1") codec = lumen::encode::Codec::kAv1;

  std::printf("nvenc_bench: %dx%d, %d frames, codec %s\n", w, h, frames, codec_name.c_str());
  CudaUpload(w, h, frames);

  // 30 distinct pattern frames, reused (painting is not what is measured).
  std::vector<std::vector<uint8_t>> pics(30, std::vector<uint8_t>(size_t(w) * h * 4));
  for (size_t i = 0; i < pics.size(); ++i) {
    lumen::pattern::PaintBgrx(pics[i], w, h, w * 4,
                              lumen::pattern::Stamp{uint32_t(i), uint64_t(i) * 16666});
  }
  const EncodeResult hw = RunEncoder(codec, true, w, h, frames, pics);
  const EncodeResult sw = RunEncoder(codec, false, w, h, frames, pics);
  std::printf("encode (nvenc asked): %s%s, median %.3f ms/frame, p99 %.3f, %d AUs, %.1f KB/AU\n",
              hw.name.c_str(), hw.hardware ? " [GPU]" : " [software fallback]", hw.median_ms,
              hw.p99_ms, hw.aus, hw.aus ? double(hw.bytes) / hw.aus / 1024 : 0.0);
  if (!hw.fallback.empty()) std::printf("  fallback reason: %s\n", hw.fallback.c_str());
  std::printf("encode (anchor, software): %s, median %.3f ms/frame, p99 %.3f, %d AUs\n",
              sw.name.c_str(), sw.median_ms, sw.p99_ms, sw.aus);
  if (hw.median_ms > 0) {
    std::printf("ratio software/asked: %.2fx\n", sw.median_ms / hw.median_ms);
  }
  std::printf("nvenc_bench: done\n");
  return 0;
}
