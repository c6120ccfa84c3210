// host/encode/video_encoder.cc — see video_encoder.h.
#include "host/encode/video_encoder.h"

#include <sched.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "host/common/clock.h"
#include "host/encode/convert.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/hwcontext.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
}

namespace lumen::encode {
namespace {

constexpr int kInfiniteGop = 1 << 30;

// Encoder threads when the config leaves it to us: the CPUs this process may run on, at
// most 8. x264/x265 in zerolatency mode split each frame into one slice per thread; on a
// 16-CPU machine 16 slices at 10 Mbit/s 1080p left the frames after an IDR so starved
// (one-frame VBV) that the corner stamp was unreadable, while 8 slices did not, and
// encode time barely changes past 8.
int AutoThreads() {
  cpu_set_t set;
  CPU_ZERO(&set);
  int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
  if (n <= 0) n = 1;
  return std::min(n, 8);
}

// The last error-level line FFmpeg logged on this thread: the "why" of a failed open
// (e.g. "Cannot load libcuda.so.1"), which FFmpeg reports only through av_log.
thread_local std::string t_last_ffmpeg_error;
bool g_ffmpeg_debug = false;

// The caller's pixels are not ours to free: AVBuffers over them release nothing.
void NoFree(void*, uint8_t*) {}

void FfmpegLogCallback(void* avcl, int level, const char* fmt, va_list vl) {
  if (level <= AV_LOG_ERROR) {
    char line[512];
    int print_prefix = 1;
    va_list copy;
    va_copy(copy, vl);
    av_log_format_line(avcl, level, fmt, copy, line, sizeof(line), &print_prefix);
    va_end(copy);
    std::string s(line);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    t_last_ffmpeg_error = s;
  }
  if (g_ffmpeg_debug) av_log_default_callback(avcl, level, fmt, vl);
}

std::string AvErr(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof(buf));
  return buf;
}

// Appends FFmpeg's own last error line (if any) to a failure message.
std::string WithFfmpegDetail(std::string msg) {
  if (!t_last_ffmpeg_error.empty()) absl::StrAppend(&msg, " (ffmpeg: ", t_last_ffmpeg_error, ")");
  return msg;
}

void Log(const std::string& msg) { std::fprintf(stderr, "lumen-encode: %s\n", msg.c_str()); }

}  // namespace

void ConfigureFfmpegLogging() {
  static std::once_flag once;
  std::call_once(once, [] {
    g_ffmpeg_debug = std::getenv("LUMEN_FFMPEG_DEBUG") != nullptr;
    // SVT-AV1 prints to stderr on its own; keep it to errors unless debugging.
    if (!g_ffmpeg_debug) setenv("SVT_LOG", "1", /*overwrite=*/0);
    av_log_set_level(g_ffmpeg_debug ? AV_LOG_DEBUG : AV_LOG_ERROR);
    av_log_set_callback(&FfmpegLogCallback);
  });
}

const char* SoftwareEncoderName(Codec codec) {
  switch (codec) {
    case Codec::kH264: return "libx264";
    case Codec::kHevc: return "libx265";
    case Codec::kAv1: return "libsvtav1";
  }
  return "?";
}

const char* NvencEncoderName(Codec codec) {
  switch (codec) {
    case Codec::kH264: return "h264_nvenc";
    case Codec::kHevc: return "hevc_nvenc";
    case Codec::kAv1: return "av1_nvenc";
  }
  return "?";
}

// Everything one open encoder owns. Destroyed (and re-created) on size changes.
struct VideoEncoder::Session {
  AVCodecContext* ctx = nullptr;
  AVFrame* frame = nullptr;      // CPU picture: I420 (software) or NV12 (NVENC upload)
  AVFrame* wrap = nullptr;       // the caller's I420 planes, refcounted, no copy (see Encode)
  AVBufferRef* device = nullptr; // CUDA device (NVENC only)
  AVBufferRef* frames = nullptr; // AVHWFramesContext: the pool of CUDA surfaces
  AVPacket* pkt = nullptr;
  bool hw = false;
  bool x264 = false;
  bool x265 = false;
  bool svtav1 = false;
  uint64_t frames_sent = 0;

  ~Session() {
    // libsvtav1 (SVT-AV1 1.4) hangs in deinit unless it saw end-of-stream, and hangs on
    // an end-of-stream that follows no picture at all: give it one, then drain.
    if (svtav1 && ctx != nullptr && avcodec_is_open(ctx)) {
      if (frames_sent == 0 && frame != nullptr) avcodec_send_frame(ctx, frame);
      avcodec_send_frame(ctx, nullptr);
      AVPacket* p = av_packet_alloc();
      while (p != nullptr && avcodec_receive_packet(ctx, p) == 0) av_packet_unref(p);
      av_packet_free(&p);
    }
    avcodec_free_context(&ctx);
    av_frame_free(&frame);
    av_frame_free(&wrap);
    av_buffer_unref(&frames);
    av_buffer_unref(&device);
    av_packet_free(&pkt);
  }
};

namespace {

// Opens codec `name` into *s. hw: through a CUDA device and hwframes pool.
absl::Status OpenSession(const EncoderConfig& cfg, const char* name, bool hw, int width,
                         int height, VideoEncoder::Session* s);

}  // namespace

VideoEncoder::VideoEncoder(const EncoderConfig& config) : config_(config) {}
VideoEncoder::~VideoEncoder() = default;

absl::StatusOr<std::unique_ptr<VideoEncoder>> VideoEncoder::Create(const EncoderConfig& config) {
  ConfigureFfmpegLogging();
  if (config.width < 2 || config.height < 2 || config.width > 8192 || config.height > 8192) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad encoder size ", config.width, "x", config.height));
  }
  if (config.fps <= 0 || config.fps > 1000 || config.bitrate_kbps <= 0) {
    return absl::InvalidArgumentError("fps and bitrate must be positive");
  }
  std::unique_ptr<VideoEncoder> enc(new VideoEncoder(config));
  if (config.nvenc) {
    absl::Status st = enc->Open(/*hardware=*/true, config.width & ~1, config.height & ~1);
    if (st.ok()) return enc;
    enc->fallback_reason_ = std::string(st.message());
    Log(absl::StrCat("NVENC unavailable, using ", SoftwareEncoderName(config.codec), ": ",
                     enc->fallback_reason_));
  }
  absl::Status st = enc->Open(/*hardware=*/false, config.width & ~1, config.height & ~1);
  if (!st.ok()) return st;
  return enc;
}

absl::Status VideoEncoder::Open(bool hardware, int width, int height) {
  const char* name = hardware ? NvencEncoderName(config_.codec) : SoftwareEncoderName(config_.codec);
  auto s = std::make_unique<Session>();
  absl::Status st = OpenSession(config_, name, hardware, width, height, s.get());
  if (!st.ok()) return st;
  session_ = std::move(s);
  encoder_name_ = name;
  hardware_ = hardware;
  width_ = width;
  height_ = height;
  idr_requested_ = true;  // a fresh encoder starts with a key frame anyway; mark it
  bitrate_dirty_ = false;
  return absl::OkStatus();
}

absl::Status VideoEncoder::FallBackToSoftware(const std::string& why) {
  fallback_reason_ = why;
  Log(absl::StrCat(encoder_name_, " failed, falling back to ", SoftwareEncoderName(config_.codec),
                   ": ", why));
  session_.reset();
  return Open(/*hardware=*/false, width_, height_);
}

absl::Status VideoEncoder::SetBitrate(int kbps) {
  if (kbps <= 0) return absl::InvalidArgumentError("bitrate must be positive");
  if (kbps == config_.bitrate_kbps) return absl::OkStatus();
  config_.bitrate_kbps = kbps;
  bitrate_dirty_ = true;
  return absl::OkStatus();
}

absl::Status VideoEncoder::Encode(const RawFrame& f, AccessUnit* out) {
  if (out == nullptr || f.data == nullptr || f.width < 2 || f.height < 2 || f.width > 8192 ||
      f.height > 8192) {
    return absl::InvalidArgumentError("bad frame");
  }
  size_t need = 0;
  switch (f.format) {
    case PixelFormat::kBgrx:
    case PixelFormat::kRgbx:
      if (f.stride < 4 * f.width) return absl::InvalidArgumentError("stride < 4*width");
      need = size_t(f.stride) * size_t(f.height - 1) + size_t(4) * f.width;
      break;
    case PixelFormat::kNv12:
    case PixelFormat::kI420:
      if (f.stride < f.width) return absl::InvalidArgumentError("stride < width");
      need = host::Yuv420Layout(f.stride, f.height).bytes;
      break;
    default:
      return absl::InvalidArgumentError("unsupported pixel format");
  }
  if (f.len < need) return absl::InvalidArgumentError("frame buffer too short");

  const int w = f.width & ~1, h = f.height & ~1;
  if (w != width_ || h != height_ || !session_) {
    session_.reset();
    absl::Status st = Open(hardware_, w, h);
    if (!st.ok() && hardware_) {
      width_ = w;
      height_ = h;
      st = FallBackToSoftware(absl::StrCat("re-open at ", w, "x", h, ": ", st.message()));
    }
    if (!st.ok()) return st;
  }
  if (bitrate_dirty_) {
    if (session_->x264) {
      // libx264 notices bit_rate changes between frames and calls x264_encoder_reconfig.
      const int64_t bps = int64_t(config_.bitrate_kbps) * 1000;
      session_->ctx->bit_rate = bps;
      session_->ctx->rc_max_rate = bps;
      session_->ctx->rc_buffer_size = int(bps / config_.fps);
      bitrate_dirty_ = false;
    } else {
      session_.reset();
      absl::Status st = Open(hardware_, w, h);
      if (!st.ok() && hardware_) st = FallBackToSoftware(std::string(st.message()));
      if (!st.ok()) return st;
    }
  }
  absl::Status st = EncodeOnce(f, out);
  if (!st.ok() && hardware_) {
    absl::Status fb = FallBackToSoftware(std::string(st.message()));
    if (!fb.ok()) return fb;
    st = EncodeOnce(f, out);
  }
  if (st.ok()) ++frames_encoded_;
  return st;
}

absl::Status VideoEncoder::EncodeOnce(const RawFrame& f, AccessUnit* out) {
  Session& s = *session_;
  t_last_ffmpeg_error.clear();
  const int w = width_, h = height_;
  int err = 0;
  AVFrame* pic = s.frame;
  // I420 in, software x264/x265 out: hand the caller's planes to the encoder as they are.
  // The AVFrame is refcounted (an AVBuffer over the caller's memory that frees nothing), so
  // avcodec_send_frame references it instead of copying, and both encoders copy the
  // picture into their own frame inside x264_encoder_encode / x265_encoder_encode, i.e.
  // before EncodeOnce returns (the caller's buffer only has to live for Encode()).
  const bool wrap_input =
      f.format == PixelFormat::kI420 && !s.hw && (s.x264 || s.x265) && (f.stride & 1) == 0;
  if (wrap_input) {
    if (s.wrap == nullptr && (s.wrap = av_frame_alloc()) == nullptr) {
      return absl::ResourceExhaustedError("av_frame_alloc");
    }
    pic = s.wrap;
    av_frame_unref(pic);
    pic->buf[0] = av_buffer_create(const_cast<uint8_t*>(f.data), f.len, &NoFree, nullptr,
                                   AV_BUFFER_FLAG_READONLY);
    if (pic->buf[0] == nullptr) return absl::ResourceExhaustedError("av_buffer_create");
    const int cs = f.stride / 2;
    const host::PlanarLayout layout = host::Yuv420Layout(f.stride, f.height);
    uint8_t* y = const_cast<uint8_t*>(f.data);
    pic->data[0] = y;
    pic->data[1] = y + layout.uv_offset;
    pic->data[2] = y + layout.v_offset;
    pic->linesize[0] = f.stride;
    pic->linesize[1] = cs;
    pic->linesize[2] = cs;
    pic->format = AV_PIX_FMT_YUV420P;
    pic->width = w;
    pic->height = h;
    pic->colorspace = AVCOL_SPC_BT709;
    pic->color_range = AVCOL_RANGE_MPEG;
    last_convert_ns_ = 0;
  } else {
    err = av_frame_make_writable(s.frame);
    if (err < 0) return absl::InternalError("av_frame_make_writable: " + AvErr(err));
  }
  YuvPlanes planes{pic->data[0], pic->data[1], pic->data[2],
                   pic->linesize[0], pic->linesize[1], pic->linesize[2]};
  const bool nv12_out = pic->format == AV_PIX_FMT_NV12;
  const uint64_t convert_start = host::MonotonicNs();
  switch (wrap_input ? PixelFormat::kUnknown : f.format) {
    case PixelFormat::kUnknown:  // wrapped above: nothing to convert or copy
      break;
    case PixelFormat::kBgrx:
    case PixelFormat::kRgbx: {
      const RgbOrder order = f.format == PixelFormat::kBgrx ? RgbOrder::kBgrx : RgbOrder::kRgbx;
      if (nv12_out) {
        RgbToNv12(f.data, f.stride, w, h, order, planes);
      } else {
        RgbToI420(f.data, f.stride, w, h, order, planes);
      }
      break;
    }
    case PixelFormat::kNv12:
    case PixelFormat::kI420: {
      // Planar input: copy luma, then re-pack chroma as the encoder wants it.
      const host::PlanarLayout layout = host::Yuv420Layout(f.stride, f.height);
      const uint8_t* src_uv = f.data + layout.uv_offset;
      av_image_copy_plane(pic->data[0], pic->linesize[0], f.data, f.stride, w, h);
      const int cw = w / 2, ch = h / 2;
      for (int y = 0; y < ch; ++y) {
        if (f.format == PixelFormat::kNv12) {
          const uint8_t* uv = src_uv + size_t(y) * f.stride;
          if (nv12_out) {
            std::memcpy(pic->data[1] + size_t(y) * pic->linesize[1], uv, size_t(2) * cw);
          } else {
            for (int x = 0; x < cw; ++x) {
              pic->data[1][size_t(y) * pic->linesize[1] + x] = uv[2 * x];
              pic->data[2][size_t(y) * pic->linesize[2] + x] = uv[2 * x + 1];
            }
          }
        } else {
          const int cs = f.stride / 2;
          const uint8_t* u = src_uv + size_t(y) * cs;
          const uint8_t* v = f.data + layout.v_offset + size_t(y) * cs;
          if (nv12_out) {
            uint8_t* d = pic->data[1] + size_t(y) * pic->linesize[1];
            for (int x = 0; x < cw; ++x) {
              d[2 * x] = u[x];
              d[2 * x + 1] = v[x];
            }
          } else {
            std::memcpy(pic->data[1] + size_t(y) * pic->linesize[1], u, cw);
            std::memcpy(pic->data[2] + size_t(y) * pic->linesize[2], v, cw);
          }
        }
      }
      break;
    }
    default:
      return absl::InvalidArgumentError("unsupported pixel format");
  }
  if (!wrap_input) last_convert_ns_ = host::MonotonicNs() - convert_start;
  pic->pts = f.pts;
  const bool want_idr = idr_requested_;
  pic->pict_type = want_idr ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
  pic->key_frame = want_idr ? 1 : 0;

  AVFrame* send = pic;
  AVFrame* hwf = nullptr;
  if (s.hw) {
    // One pooled CUDA surface per frame, from the hwframes context (never a bare frame).
    hwf = av_frame_alloc();
    if (hwf == nullptr) return absl::ResourceExhaustedError("av_frame_alloc");
    err = av_hwframe_get_buffer(s.frames, hwf, 0);
    if (err >= 0) err = av_hwframe_transfer_data(hwf, pic, 0);
    if (err >= 0) err = av_frame_copy_props(hwf, pic);
    if (err < 0) {
      av_frame_free(&hwf);
      return absl::InternalError(WithFfmpegDetail("CUDA upload: " + AvErr(err)));
    }
    send = hwf;
  }
  err = avcodec_send_frame(s.ctx, send);
  av_frame_free(&hwf);
  // The encoder holds no reference to the caller's memory after this (see above).
  if (wrap_input) av_frame_unref(pic);
  if (err >= 0) ++s.frames_sent;
  if (err < 0) {
    return absl::InternalError(WithFfmpegDetail(absl::StrCat(encoder_name_, " send_frame: ", AvErr(err))));
  }
  idr_requested_ = false;
  out->data.clear();
  out->keyframe = false;
  out->pts = f.pts;
  out->width = w;
  out->height = h;
  for (;;) {
    err = avcodec_receive_packet(s.ctx, s.pkt);
    if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) break;
    if (err < 0) {
      return absl::InternalError(
          WithFfmpegDetail(absl::StrCat(encoder_name_, " receive_packet: ", AvErr(err))));
    }
    out->data.insert(out->data.end(), s.pkt->data, s.pkt->data + s.pkt->size);
    if (s.pkt->flags & AV_PKT_FLAG_KEY) out->keyframe = true;
    out->pts = s.pkt->pts;
    av_packet_unref(s.pkt);
  }
  return absl::OkStatus();
}

namespace {

absl::Status OpenSession(const EncoderConfig& cfg, const char* name, bool hw, int width,
                         int height, VideoEncoder::Session* s) {
  t_last_ffmpeg_error.clear();
  const AVCodec* codec = avcodec_find_encoder_by_name(name);
  if (codec == nullptr) {
    return absl::NotFoundError(absl::StrCat(name, ": not compiled into this FFmpeg"));
  }
  s->hw = hw;
  s->x264 = std::string_view(name) == "libx264";
  s->x265 = std::string_view(name) == "libx265";
  s->svtav1 = std::string_view(name) == "libsvtav1";
  int err = 0;
  if (hw) {
    err = av_hwdevice_ctx_create(&s->device, AV_HWDEVICE_TYPE_CUDA, nullptr, nullptr, 0);
    if (err < 0) {
      return absl::UnavailableError(
          WithFfmpegDetail(absl::StrCat(name, ": CUDA device: ", AvErr(err))));
    }
    s->frames = av_hwframe_ctx_alloc(s->device);
    if (s->frames == nullptr) return absl::ResourceExhaustedError("av_hwframe_ctx_alloc");
    auto* fc = reinterpret_cast<AVHWFramesContext*>(s->frames->data);
    fc->format = AV_PIX_FMT_CUDA;
    fc->sw_format = AV_PIX_FMT_NV12;
    fc->width = width;
    fc->height = height;
    fc->initial_pool_size = 0;  // grow on demand; surfaces are recycled per frame
    err = av_hwframe_ctx_init(s->frames);
    if (err < 0) {
      return absl::UnavailableError(
          WithFfmpegDetail(absl::StrCat(name, ": CUDA frames pool: ", AvErr(err))));
    }
  }
  s->ctx = avcodec_alloc_context3(codec);
  if (s->ctx == nullptr) return absl::ResourceExhaustedError("avcodec_alloc_context3");
  AVCodecContext* c = s->ctx;
  const int64_t bps = int64_t(cfg.bitrate_kbps) * 1000;
  c->width = width;
  c->height = height;
  c->time_base = AVRational{1, cfg.fps};
  c->framerate = AVRational{cfg.fps, 1};
  c->bit_rate = bps;
  if (!s->svtav1) {  // SVT-AV1 wants max > target; its low-delay mode is CBR anyway
    c->rc_max_rate = bps;
    c->rc_buffer_size = int(bps / cfg.fps);  // one frame of VBV: no bursts, low latency
  }
  c->gop_size = cfg.gop_frames > 0 ? cfg.gop_frames : kInfiniteGop;
  c->max_b_frames = 0;
  c->thread_count = cfg.threads > 0 ? cfg.threads : AutoThreads();
  c->colorspace = AVCOL_SPC_BT709;
  c->color_primaries = AVCOL_PRI_BT709;
  c->color_trc = AVCOL_TRC_BT709;
  c->color_range = AVCOL_RANGE_MPEG;
  c->pix_fmt = hw ? AV_PIX_FMT_CUDA : AV_PIX_FMT_YUV420P;
  if (hw) c->hw_frames_ctx = av_buffer_ref(s->frames);

  AVDictionary* opts = nullptr;
  const std::string_view n(name);
  if (n == "libx264") {
    av_dict_set(&opts, "preset", "ultrafast", 0);
    av_dict_set(&opts, "tune", "zerolatency", 0);
    av_dict_set(&opts, "forced-idr", "1", 0);
  } else if (n == "libx265") {
    av_dict_set(&opts, "preset", "ultrafast", 0);
    av_dict_set(&opts, "tune", "zerolatency", 0);
    av_dict_set(&opts, "forced-idr", "1", 0);
    // info=0: no x265 version/options SEI (~2.4 KB on every keyframe with repeat-headers), which
    // pushed the IDR slice out of the first Moonlight packet, where clients look for it.
    // open-gop=0: forced keyframes are IDR, not CRA.
    av_dict_set(&opts, "x265-params",
                g_ffmpeg_debug
                    ? "repeat-headers=1:bframes=0:rc-lookahead=0:frame-threads=1:info=0:open-gop=0"
                    : "repeat-headers=1:bframes=0:rc-lookahead=0:frame-threads=1:info=0:open-gop=0:"
                      "log-level=error",
                0);
  } else if (n == "libsvtav1") {
    av_dict_set_int(&opts, "preset", cfg.svtav1_preset, 0);
    av_dict_set(&opts, "svtav1-params", "pred-struct=1:lookahead=0", 0);
  } else if (hw) {
    av_dict_set(&opts, "preset", "p1", 0);
    av_dict_set(&opts, "tune", "ull", 0);
    av_dict_set(&opts, "rc", "cbr", 0);
    av_dict_set(&opts, "zerolatency", "1", 0);
    av_dict_set(&opts, "delay", "0", 0);
    av_dict_set(&opts, "forced-idr", "1", 0);
    av_dict_set(&opts, "rc-lookahead", "0", 0);
  }
  err = avcodec_open2(c, codec, &opts);
  av_dict_free(&opts);
  if (err < 0) {
    return absl::UnavailableError(WithFfmpegDetail(absl::StrCat(name, ": open: ", AvErr(err))));
  }
  s->frame = av_frame_alloc();
  s->pkt = av_packet_alloc();
  if (s->frame == nullptr || s->pkt == nullptr) return absl::ResourceExhaustedError("alloc");
  s->frame->format = hw ? AV_PIX_FMT_NV12 : AV_PIX_FMT_YUV420P;
  s->frame->width = width;
  s->frame->height = height;
  s->frame->colorspace = AVCOL_SPC_BT709;
  s->frame->color_range = AVCOL_RANGE_MPEG;
  err = av_frame_get_buffer(s->frame, 64);
  if (err < 0) return absl::ResourceExhaustedError("av_frame_get_buffer: " + AvErr(err));
  return absl::OkStatus();
}

}  // namespace

CodecSupport ProbeEncoders(bool probe_nvenc) {
  ConfigureFfmpegLogging();
  auto try_open = [](Codec codec, bool hw) {
    EncoderConfig cfg;
    cfg.codec = codec;
    cfg.width = 256;
    cfg.height = 256;
    cfg.fps = 30;
    cfg.bitrate_kbps = 1000;
    cfg.threads = 1;
    VideoEncoder::Session s;
    const char* name = hw ? NvencEncoderName(codec) : SoftwareEncoderName(codec);
    return OpenSession(cfg, name, hw, cfg.width, cfg.height, &s).ok();
  };
  CodecSupport cs;
  cs.h264 = try_open(Codec::kH264, false);
  cs.hevc = try_open(Codec::kHevc, false);
  cs.av1 = try_open(Codec::kAv1, false);
  if (probe_nvenc) {
    cs.h264_nvenc = try_open(Codec::kH264, true);
    cs.hevc_nvenc = cs.h264_nvenc && try_open(Codec::kHevc, true);
    cs.av1_nvenc = cs.h264_nvenc && try_open(Codec::kAv1, true);
  }
  return cs;
}

}  // namespace lumen::encode
