// host/audio/audio_source.cc — see audio_source.h.
#include "host/audio/audio_source.h"

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "host/common/clock.h"

namespace lumen::audio {
namespace {

constexpr size_t kMaxPacketBytes = 1400;  // Moonlight's audio datagram limit (§8.1)
constexpr uint64_t kResyncAfterNs = 100'000'000;

void Log(const std::string& msg) { std::fprintf(stderr, "lumen-audio: %s\n", msg.c_str()); }

}  // namespace

// The PipeWire side: a capture stream on its own thread loop, feeding a bounded FIFO
// that doubles as an adaptive jitter buffer (primed to one PipeWire quantum).
struct AudioSource::Capture {
  int channels = 2;
  pw_thread_loop* loop = nullptr;
  pw_context* context = nullptr;
  pw_core* core = nullptr;
  pw_stream* stream = nullptr;
  spa_hook stream_listener{};
  spa_hook core_listener{};
  pw_stream_events stream_events{};
  pw_core_events core_events{};

  mutable std::mutex mu;
  std::vector<float> fifo;  // ring of interleaved samples
  size_t read = 0;          // index of the oldest float
  size_t size = 0;          // floats held
  size_t limit = 0;         // floats allowed (max latency)
  size_t max_chunk = 0;     // largest chunk PipeWire delivered (floats): the prefill target
  bool primed = false;
  uint64_t captured_frames = 0;
  uint64_t dropped_frames = 0;
  std::string reason;
  std::atomic<bool> failed{false};

  ~Capture() {
    if (loop != nullptr) pw_thread_loop_stop(loop);
    if (stream != nullptr) pw_stream_destroy(stream);
    if (core != nullptr) pw_core_disconnect(core);
    if (context != nullptr) pw_context_destroy(context);
    if (loop != nullptr) pw_thread_loop_destroy(loop);
  }

  void Fail(const std::string& why) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (reason.empty()) reason = why;
    }
    if (!failed.exchange(true)) Log("capture stopped, sending silence: " + why);
  }

  void Push(const float* data, size_t n) {
    n -= n % size_t(channels);
    if (n == 0) return;
    std::lock_guard<std::mutex> l(mu);
    max_chunk = std::max(max_chunk, n);
    const size_t cap = fifo.size();
    if (n > cap) {  // absurd chunk: keep its newest part
      data += n - cap;
      dropped_frames += (n - cap) / channels;
      n = cap;
    }
    const size_t allowed = std::max(limit, 2 * max_chunk);
    if (size + n > std::min(allowed, cap)) {
      size_t drop = size + n - std::min(allowed, cap);
      drop = std::min(drop, size);
      drop -= drop % size_t(channels);
      read = (read + drop) % cap;
      size -= drop;
      dropped_frames += drop / channels;
    }
    size_t w = (read + size) % cap;
    for (size_t i = 0; i < n; ++i) {
      fifo[w] = data[i];
      if (++w == cap) w = 0;
    }
    size += n;
    captured_frames += n / channels;
  }

  // Takes up to n floats. Returns how many were copied (0 while the buffer refills).
  size_t Pop(float* out, size_t n) {
    std::lock_guard<std::mutex> l(mu);
    if (!primed) {
      if (size < max_chunk + n || max_chunk == 0) return 0;
      primed = true;
    }
    const size_t take = std::min(n, size);
    const size_t cap = fifo.size();
    for (size_t i = 0; i < take; ++i) {
      out[i] = fifo[read];
      if (++read == cap) read = 0;
    }
    size -= take;
    if (take < n) primed = false;  // underrun: refill before playing on
    return take;
  }

  static void OnProcess(void* data) {
    auto* self = static_cast<Capture*>(data);
    pw_buffer* b = pw_stream_dequeue_buffer(self->stream);
    if (b == nullptr) return;
    spa_buffer* buf = b->buffer;
    if (buf->n_datas > 0 && buf->datas[0].data != nullptr && buf->datas[0].chunk != nullptr) {
      const spa_data& d = buf->datas[0];
      const uint32_t off = std::min(d.chunk->offset, d.maxsize);
      const uint32_t len = std::min(d.chunk->size, d.maxsize - off);
      self->Push(reinterpret_cast<const float*>(static_cast<const uint8_t*>(d.data) + off),
                 len / sizeof(float));
    }
    pw_stream_queue_buffer(self->stream, b);
  }

  static void OnStateChanged(void* data, pw_stream_state old, pw_stream_state state,
                             const char* error) {
    auto* self = static_cast<Capture*>(data);
    if (state == PW_STREAM_STATE_ERROR) {
      self->Fail(absl::StrCat("stream error: ", error ? error : "?"));
    } else if (state == PW_STREAM_STATE_UNCONNECTED && old != PW_STREAM_STATE_UNCONNECTED) {
      self->Fail("stream disconnected");
    }
  }

  static void OnCoreError(void* data, uint32_t id, int seq, int res, const char* message) {
    if (id == PW_ID_CORE) {
      static_cast<Capture*>(data)->Fail(absl::StrCat("core error: ", message ? message : "?"));
    }
  }

  // Connects to the PipeWire daemon and starts the capture stream.
  absl::Status Start(const AudioSourceConfig& cfg) {
    pw_init(nullptr, nullptr);
    const size_t frame_floats = size_t(cfg.opus.frame_samples) * channels;
    limit = std::max<size_t>(size_t(cfg.max_latency_ms) * kSampleRate / 1000 * channels,
                             2 * frame_floats);
    fifo.assign(size_t(kSampleRate) * channels, 0.0f);  // 1 s hard cap
    loop = pw_thread_loop_new("lumen-audio", nullptr);
    if (loop == nullptr) return absl::InternalError("pw_thread_loop_new failed");
    context = pw_context_new(pw_thread_loop_get_loop(loop), nullptr, 0);
    if (context == nullptr) return absl::InternalError("pw_context_new failed");
    if (pw_thread_loop_start(loop) < 0) return absl::InternalError("pw_thread_loop_start failed");
    pw_thread_loop_lock(loop);
    absl::Status st = ConnectLocked(cfg);
    pw_thread_loop_unlock(loop);
    return st;
  }

  absl::Status ConnectLocked(const AudioSourceConfig& cfg) {
    core = pw_context_connect(context, nullptr, 0);
    if (core == nullptr) {
      return absl::UnavailableError(
          absl::StrCat("cannot connect to PipeWire: ", std::strerror(errno)));
    }
    core_events.version = PW_VERSION_CORE_EVENTS;
    core_events.error = &Capture::OnCoreError;
    pw_core_add_listener(core, &core_listener, &core_events, this);

    const std::string latency = absl::StrCat(cfg.opus.frame_samples, "/", kSampleRate);
    pw_properties* props = pw_properties_new(
        PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Capture", PW_KEY_MEDIA_ROLE,
        "Game", PW_KEY_STREAM_CAPTURE_SINK, "true", PW_KEY_NODE_NAME, "lumen-audio-capture",
        PW_KEY_NODE_LATENCY, latency.c_str(), nullptr);
    if (!cfg.target.empty()) pw_properties_set(props, PW_KEY_TARGET_OBJECT, cfg.target.c_str());
    stream = pw_stream_new(core, "lumen-audio", props);
    if (stream == nullptr) return absl::InternalError("pw_stream_new failed");
    stream_events.version = PW_VERSION_STREAM_EVENTS;
    stream_events.process = &Capture::OnProcess;
    stream_events.state_changed = &Capture::OnStateChanged;
    pw_stream_add_listener(stream, &stream_listener, &stream_events, this);

    spa_audio_info_raw info{};
    info.format = SPA_AUDIO_FORMAT_F32;
    info.rate = kSampleRate;
    info.channels = uint32_t(channels);
    static constexpr uint32_t kPos[8] = {SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR,
                                         SPA_AUDIO_CHANNEL_FC, SPA_AUDIO_CHANNEL_LFE,
                                         SPA_AUDIO_CHANNEL_RL, SPA_AUDIO_CHANNEL_RR,
                                         SPA_AUDIO_CHANNEL_SL, SPA_AUDIO_CHANNEL_SR};
    if (channels == 2) {
      info.position[0] = SPA_AUDIO_CHANNEL_FL;
      info.position[1] = SPA_AUDIO_CHANNEL_FR;
    } else {
      for (int i = 0; i < channels; ++i) info.position[i] = kPos[i];
    }
    uint8_t pod_buf[1024];
    spa_pod_builder b = SPA_POD_BUILDER_INIT(pod_buf, sizeof(pod_buf));
    const spa_pod* params[1] = {spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info)};
    const int res = pw_stream_connect(
        stream, PW_DIRECTION_INPUT, PW_ID_ANY,
        static_cast<pw_stream_flags>(PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
                                     PW_STREAM_FLAG_RT_PROCESS),
        params, 1);
    if (res < 0) {
      return absl::UnavailableError(absl::StrCat("pw_stream_connect: ", std::strerror(-res)));
    }
    return absl::OkStatus();
  }
};

AudioSource::~AudioSource() = default;

absl::StatusOr<std::unique_ptr<AudioSource>> AudioSource::Start(const AudioSourceConfig& config) {
  auto enc = OpusEncoder::Create(config.opus);
  if (!enc.ok()) return enc.status();
  if (config.max_latency_ms < 5 || config.max_latency_ms > 1000) {
    return absl::InvalidArgumentError("max_latency_ms must be in [5, 1000]");
  }
  std::unique_ptr<AudioSource> src(new AudioSource());
  src->config_ = config;
  src->encoder_ = std::move(*enc);
  src->pcm_.assign(size_t(config.opus.frame_samples) * config.opus.channels, 0.0f);
  src->capture_ = std::make_unique<Capture>();
  src->capture_->channels = config.opus.channels;
  if (!config.use_pipewire) {
    src->capture_->Fail("PipeWire capture disabled");
  } else {
    absl::Status st = src->capture_->Start(config);
    if (!st.ok()) {
      src->capture_.reset(new Capture());  // tear the half-built PipeWire side down
      src->capture_->channels = config.opus.channels;
      src->capture_->Fail(std::string(st.message()));
    }
  }
  return src;
}

bool AudioSource::capturing() const { return capture_ && !capture_->failed.load(); }

std::string AudioSource::fallback_reason() const {
  if (!capture_) return "no capture";
  std::lock_guard<std::mutex> l(capture_->mu);
  return capture_->reason;
}

AudioSourceStats AudioSource::stats() const {
  AudioSourceStats s = local_;
  if (capture_) {
    std::lock_guard<std::mutex> l(capture_->mu);
    s.captured_samples = capture_->captured_frames;
    s.dropped_samples = capture_->dropped_frames;
  }
  return s;
}

absl::Status AudioSource::NextPacket(AudioPacket* out) {
  const int ch = encoder_->channels();
  const int frame = encoder_->frame_samples();
  const uint64_t frame_ns = uint64_t(frame) * 1'000'000'000ull / kSampleRate;
  uint64_t now = host::MonotonicNs();
  if (seq_ == 0) next_due_ns_ = now;
  if (now > next_due_ns_ + kResyncAfterNs) {
    next_due_ns_ = now;
    ++local_.late_resyncs;
  }
  while (now < next_due_ns_) {
    timespec ts{time_t(next_due_ns_ / 1'000'000'000ull), long(next_due_ns_ % 1'000'000'000ull)};
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
    now = host::MonotonicNs();
  }
  size_t got = 0;
  if (capture_ && !capture_->failed.load(std::memory_order_relaxed)) {
    got = capture_->Pop(pcm_.data(), pcm_.size());
  }
  std::fill(pcm_.begin() + got, pcm_.end(), 0.0f);
  local_.underrun_samples += (pcm_.size() - got) / ch;
  out->data.resize(kMaxPacketBytes);
  auto n = encoder_->Encode(pcm_, out->data);
  if (!n.ok()) return n.status();
  out->data.resize(*n);
  out->silence = got == 0;
  out->pts_samples = seq_ * uint64_t(frame);
  out->seq = ++seq_;
  out->capture_ts_ns = next_due_ns_;
  next_due_ns_ += frame_ns;
  ++local_.packets;
  if (out->silence) ++local_.silent_packets;
  return absl::OkStatus();
}

}  // namespace lumen::audio
