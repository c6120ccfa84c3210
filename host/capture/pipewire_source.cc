// host/capture/pipewire_source.cc — see pipewire_source.h.
#include "host/capture/pipewire_source.h"

#include <linux/dma-buf.h>
#include <pipewire/pipewire.h>
#include <spa/param/video/format-utils.h>
#include <spa/debug/types.h>
#include <spa/param/video/type-info.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "host/common/clock.h"

namespace lumen::capture {
namespace {

void Log(const std::string& msg) { std::fprintf(stderr, "lumen-capture: %s\n", msg.c_str()); }

PixelFormat FromSpa(uint32_t f) {
  switch (f) {
    case SPA_VIDEO_FORMAT_BGRx:
    case SPA_VIDEO_FORMAT_BGRA:
      return PixelFormat::kBgrx;
    case SPA_VIDEO_FORMAT_RGBx:
    case SPA_VIDEO_FORMAT_RGBA:
      return PixelFormat::kRgbx;
    case SPA_VIDEO_FORMAT_NV12:
      return PixelFormat::kNv12;
    case SPA_VIDEO_FORMAT_I420:
      return PixelFormat::kI420;
    default:
      return PixelFormat::kUnknown;
  }
}

}  // namespace

struct PipeWireSource::Impl {
  PipeWireSourceConfig cfg;
  FrameSink* sink = nullptr;
  pw_thread_loop* loop = nullptr;
  pw_context* context = nullptr;
  pw_core* core = nullptr;
  pw_stream* stream = nullptr;
  spa_hook stream_listener{};
  spa_hook core_listener{};
  pw_stream_events stream_events{};
  pw_core_events core_events{};

  // Negotiated format (PipeWire thread writes, stats() reads under mu).
  mutable std::mutex mu;
  PipeWireSourceStats stats;
  std::string error;
  std::atomic<bool> failed{false};
  std::atomic<bool> streaming{false};
  uint32_t spa_format = 0;
  std::vector<uint8_t> planes;  // scratch: multi-plane buffers made contiguous

  ~Impl() {
    if (loop != nullptr) pw_thread_loop_stop(loop);
    if (stream != nullptr) pw_stream_destroy(stream);
    if (core != nullptr) pw_core_disconnect(core);
    if (context != nullptr) pw_context_destroy(context);
    if (loop != nullptr) pw_thread_loop_destroy(loop);
  }

  void Fail(const std::string& why) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (error.empty()) error = why;
    }
    if (!failed.exchange(true)) Log("PipeWire capture failed: " + why);
  }

  static void OnStateChanged(void* data, pw_stream_state old, pw_stream_state state,
                             const char* err) {
    auto* self = static_cast<Impl*>(data);
    self->streaming = state == PW_STREAM_STATE_STREAMING;
    if (state == PW_STREAM_STATE_ERROR) {
      self->Fail(absl::StrCat("stream error: ", err ? err : "?"));
    } else if (state == PW_STREAM_STATE_UNCONNECTED && old != PW_STREAM_STATE_UNCONNECTED) {
      self->Fail("stream disconnected (node gone?)");
    }
  }

  static void OnCoreError(void* data, uint32_t id, int seq, int res, const char* message) {
    if (id == PW_ID_CORE) static_cast<Impl*>(data)->Fail(absl::StrCat("core error: ", message ? message : "?"));
  }

  static void OnParamChanged(void* data, uint32_t id, const spa_pod* param) {
    auto* self = static_cast<Impl*>(data);
    if (param == nullptr || id != SPA_PARAM_Format) return;
    uint32_t media_type = 0, media_subtype = 0;
    if (spa_format_parse(param, &media_type, &media_subtype) < 0) return;
    if (media_type != SPA_MEDIA_TYPE_video || media_subtype != SPA_MEDIA_SUBTYPE_raw) return;
    spa_video_info_raw info{};
    if (spa_format_video_raw_parse(param, &info) < 0) return;
    const PixelFormat pf = FromSpa(info.format);
    {
      std::lock_guard<std::mutex> l(self->mu);
      self->stats.width = int(info.size.width);
      self->stats.height = int(info.size.height);
      self->stats.format = pf;
      ++self->stats.format_changes;
    }
    self->spa_format = info.format;
    Log(absl::StrCat("format: ", spa_debug_type_find_short_name(spa_type_video_format, info.format),
                     " ", info.size.width, "x", info.size.height, " @ ", info.framerate.num, "/",
                     info.framerate.denom));
    // Buffers: any count PipeWire likes; memory we can read from the CPU.
    uint8_t buf[1024];
    spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    const int data_types = (1 << SPA_DATA_MemFd) | (1 << SPA_DATA_MemPtr) | (1 << SPA_DATA_DmaBuf);
    const spa_pod* params[1];
    params[0] = static_cast<const spa_pod*>(spa_pod_builder_add_object(
        &b, SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers, SPA_PARAM_BUFFERS_buffers,
        SPA_POD_CHOICE_RANGE_Int(4, 2, 16), SPA_PARAM_BUFFERS_dataType,
        SPA_POD_CHOICE_FLAGS_Int(data_types)));
    pw_stream_update_params(self->stream, params, 1);
  }

  static void OnProcess(void* data) {
    auto* self = static_cast<Impl*>(data);
    // Newest buffer only: return older ones unread.
    pw_buffer* b = nullptr;
    while (pw_buffer* next = pw_stream_dequeue_buffer(self->stream)) {
      if (b != nullptr) pw_stream_queue_buffer(self->stream, b);
      b = next;
    }
    if (b == nullptr) return;
    self->Consume(b->buffer);
    pw_stream_queue_buffer(self->stream, b);
  }

  void Consume(spa_buffer* buf) {
    int width, height;
    PixelFormat pf;
    {
      std::lock_guard<std::mutex> l(mu);
      width = stats.width;
      height = stats.height;
      pf = stats.format;
    }
    if (buf->n_datas < 1 || pf == PixelFormat::kUnknown || width <= 0 || height <= 0) return;
    spa_data& d0 = buf->datas[0];
    if (d0.data == nullptr || d0.chunk == nullptr || (d0.chunk->flags & SPA_CHUNK_FLAG_CORRUPTED) ||
        d0.chunk->size == 0) {
      std::lock_guard<std::mutex> l(mu);
      ++stats.empty_buffers;
      return;
    }
    const bool dmabuf = d0.type == SPA_DATA_DmaBuf;
    if (dmabuf) {
      dma_buf_sync sync{DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ};
      ioctl(int(d0.fd), DMA_BUF_IOCTL_SYNC, &sync);
    }
    const uint32_t off = std::min(d0.chunk->offset, d0.maxsize);
    const uint8_t* base = static_cast<const uint8_t*>(d0.data) + off;
    size_t avail = std::min<size_t>(d0.chunk->size, d0.maxsize - off);
    const int bpp = (pf == PixelFormat::kBgrx || pf == PixelFormat::kRgbx) ? 4 : 1;
    int stride = d0.chunk->stride > 0 ? d0.chunk->stride : width * bpp;
    CapturedFrame f;
    f.width = width;
    f.height = height;
    f.format = pf;
    f.capture_ts_ns = host::MonotonicNs();
    f.stride = stride;
    f.data = base;
    f.len = avail;
    if ((pf == PixelFormat::kNv12 || pf == PixelFormat::kI420) && buf->n_datas >= 2) {
      // Planes in separate datas: pack them as Y | UV (NV12) or Y | U | V (I420).
      const size_t y_bytes = size_t(stride) * height;
      const size_t c_bytes = FrameBytes(pf, stride, height) - y_bytes;
      planes.resize(y_bytes + c_bytes);
      std::memcpy(planes.data(), base, std::min(y_bytes, avail));
      size_t at = y_bytes;
      for (uint32_t p = 1; p < buf->n_datas && at < planes.size(); ++p) {
        const spa_data& dp = buf->datas[p];
        if (dp.data == nullptr || dp.chunk == nullptr) break;
        const uint32_t po = std::min(dp.chunk->offset, dp.maxsize);
        const size_t n = std::min<size_t>({dp.chunk->size, dp.maxsize - po, planes.size() - at});
        std::memcpy(planes.data() + at, static_cast<const uint8_t*>(dp.data) + po, n);
        at += n;
      }
      f.data = planes.data();
      f.len = planes.size();
    }
    const bool delivered = f.len >= FrameBytes(pf, stride, height) && sink->Deliver(f);
    if (dmabuf) {
      dma_buf_sync sync{DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ};
      ioctl(int(d0.fd), DMA_BUF_IOCTL_SYNC, &sync);
    }
    std::lock_guard<std::mutex> l(mu);
    if (delivered) {
      ++stats.frames;
      if (dmabuf) ++stats.dmabuf_frames;
    } else {
      ++stats.sink_refused;
    }
  }

  // The EnumFormat we offer: our pixel formats, the preferred size (exactly that size
  // with fixed_size), any frame rate up to 1000 with cfg.fps preferred.
  const spa_pod* BuildFormat(spa_pod_builder* b, int width, int height) const {
    spa_rectangle def{uint32_t(width), uint32_t(height)};
    spa_rectangle min{1, 1}, max{8192, 8192};
    spa_fraction rate{uint32_t(cfg.fps), 1}, rmin{0, 1}, rmax{1000, 1};
    spa_pod_frame f;
    spa_pod_builder_push_object(b, &f, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat);
    spa_pod_builder_add(b, SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
                        SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
                        SPA_FORMAT_VIDEO_format,
                        SPA_POD_CHOICE_ENUM_Id(7, SPA_VIDEO_FORMAT_BGRx, SPA_VIDEO_FORMAT_BGRx,
                                               SPA_VIDEO_FORMAT_BGRA, SPA_VIDEO_FORMAT_RGBx,
                                               SPA_VIDEO_FORMAT_RGBA, SPA_VIDEO_FORMAT_NV12,
                                               SPA_VIDEO_FORMAT_I420),
                        0);
    if (cfg.fixed_size) {
      spa_pod_builder_add(b, SPA_FORMAT_VIDEO_size, SPA_POD_Rectangle(&def), 0);
    } else {
      spa_pod_builder_add(b, SPA_FORMAT_VIDEO_size,
                          SPA_POD_CHOICE_RANGE_Rectangle(&def, &min, &max), 0);
    }
    spa_pod_builder_add(b, SPA_FORMAT_VIDEO_framerate,
                        SPA_POD_CHOICE_RANGE_Fraction(&rate, &rmin, &rmax), 0);
    return static_cast<const spa_pod*>(spa_pod_builder_pop(b, &f));
  }

  absl::Status ConnectLocked() {
    core = cfg.remote_fd >= 0 ? pw_context_connect_fd(context, cfg.remote_fd, nullptr, 0)
                              : pw_context_connect(context, nullptr, 0);
    cfg.remote_fd = -1;  // pw_context_connect_fd owns it now (even on failure)
    if (core == nullptr) {
      return absl::UnavailableError(absl::StrCat("cannot connect to PipeWire: ", std::strerror(errno)));
    }
    core_events.version = PW_VERSION_CORE_EVENTS;
    core_events.error = &Impl::OnCoreError;
    pw_core_add_listener(core, &core_listener, &core_events, this);

    pw_properties* props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Video", PW_KEY_MEDIA_CATEGORY,
                                             "Capture", PW_KEY_MEDIA_ROLE, "Screen",
                                             PW_KEY_NODE_NAME, "lumen-capture", nullptr);
    // target.object takes a node *name* (or an object.serial, not a global id); a global
    // id (what ScreenCast hands out) goes to pw_stream_connect instead.
    uint32_t target_id = PW_ID_ANY;
    uint32_t numeric = 0;
    if (!cfg.target.empty() && absl::SimpleAtoi(cfg.target, &numeric)) {
      target_id = numeric;
    } else if (!cfg.target.empty()) {
      pw_properties_set(props, PW_KEY_TARGET_OBJECT, cfg.target.c_str());
    } else if (cfg.node_id != 0) {
      target_id = cfg.node_id;
    }
    if (!cfg.target.empty() || cfg.node_id != 0) {
      // Never fall back to some other video source if ours goes away.
      pw_properties_set(props, PW_KEY_NODE_DONT_RECONNECT, "true");
      pw_properties_set(props, "node.dont-fallback", "true");
    }
    stream = pw_stream_new(core, "lumen-capture", props);
    if (stream == nullptr) return absl::InternalError("pw_stream_new failed");
    stream_events.version = PW_VERSION_STREAM_EVENTS;
    stream_events.state_changed = &Impl::OnStateChanged;
    stream_events.param_changed = &Impl::OnParamChanged;
    stream_events.process = &Impl::OnProcess;
    pw_stream_add_listener(stream, &stream_listener, &stream_events, this);

    uint8_t buf[1024];
    spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    const spa_pod* params[1] = {BuildFormat(&b, cfg.width, cfg.height)};
    const int res = pw_stream_connect(
        stream, PW_DIRECTION_INPUT, target_id,
        static_cast<pw_stream_flags>(PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS),
        params, 1);
    if (res < 0) return absl::UnavailableError(absl::StrCat("pw_stream_connect: ", std::strerror(-res)));
    return absl::OkStatus();
  }
};

PipeWireSource::~PipeWireSource() = default;

absl::StatusOr<std::unique_ptr<PipeWireSource>> PipeWireSource::Start(
    const PipeWireSourceConfig& config, FrameSink* sink) {
  if (sink == nullptr || config.width <= 0 || config.height <= 0 || config.fps <= 0) {
    if (config.remote_fd >= 0) ::close(config.remote_fd);
    return absl::InvalidArgumentError("bad PipeWire source config");
  }
  pw_init(nullptr, nullptr);
  std::unique_ptr<PipeWireSource> src(new PipeWireSource());
  src->impl_ = std::make_unique<Impl>();
  Impl& i = *src->impl_;
  i.cfg = config;
  i.sink = sink;
  i.loop = pw_thread_loop_new("lumen-capture", nullptr);
  if (i.loop == nullptr) return absl::InternalError("pw_thread_loop_new failed");
  i.context = pw_context_new(pw_thread_loop_get_loop(i.loop), nullptr, 0);
  if (i.context == nullptr) return absl::InternalError("pw_context_new failed");
  if (pw_thread_loop_start(i.loop) < 0) return absl::InternalError("pw_thread_loop_start failed");
  pw_thread_loop_lock(i.loop);
  absl::Status st = i.ConnectLocked();
  pw_thread_loop_unlock(i.loop);
  if (!st.ok()) return st;
  return src;
}

absl::Status PipeWireSource::RequestSize(int width, int height) {
  if (width <= 0 || height <= 0 || width > 8192 || height > 8192) {
    return absl::InvalidArgumentError("bad size");
  }
  Impl& i = *impl_;
  pw_thread_loop_lock(i.loop);
  i.cfg.width = width;
  i.cfg.height = height;
  uint8_t buf[1024];
  spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
  const spa_pod* params[1] = {i.BuildFormat(&b, width, height)};
  const int res = pw_stream_update_params(i.stream, params, 1);
  pw_thread_loop_unlock(i.loop);
  if (res < 0) return absl::InternalError(absl::StrCat("pw_stream_update_params: ", std::strerror(-res)));
  return absl::OkStatus();
}

bool PipeWireSource::ok() const { return !impl_->failed.load(); }
bool PipeWireSource::streaming() const { return impl_->streaming.load(); }

std::string PipeWireSource::error() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->error;
}

PipeWireSourceStats PipeWireSource::stats() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->stats;
}

}  // namespace lumen::capture
