// Desktop capture -> Moonlight video for `lumen serve` (see desktop_video.h).
#include "host/moonlight/serve/desktop_video.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <vector>

#include "absl/strings/str_cat.h"
#include "host/capture/frame_sink.h"
#include "host/capture/pipewire_source.h"
#include "host/capture/screencast.h"
#include "host/moonlight/stream/video_stream.h"

namespace lumen::moonlight::serve {
namespace {

// Keeps the newest captured frame (PipeWire's thread writes, the encode thread reads).
class LatestFrame : public capture::FrameSink, public stream::FrameProvider {
 public:
  bool Deliver(const capture::CapturedFrame& f) override {
    if (!f.data || f.len == 0 || f.width <= 0 || f.height <= 0) return false;
    std::lock_guard l(mu_);
    pixels_.assign(f.data, f.data + f.len);
    frame_.len = f.len;
    frame_.width = f.width;
    frame_.height = f.height;
    frame_.stride = f.stride;
    frame_.format = f.format;
    ++generation_;
    return true;
  }

  uint64_t Latest(uint64_t have, std::vector<uint8_t>* pixels, encode::RawFrame* frame) override {
    std::lock_guard l(mu_);
    if (generation_ != have && generation_ != 0) {
      pixels->assign(pixels_.begin(), pixels_.end());
      *frame = frame_;
      frame->data = nullptr;
    }
    return generation_;
  }

 private:
  std::mutex mu_;
  std::vector<uint8_t> pixels_;
  encode::RawFrame frame_;
  uint64_t generation_ = 0;
};

// Members are destroyed bottom-up: the stream (encode thread) first, then the capture.
class DesktopVideo : public VideoSource {
 public:
  std::string label;
  std::unique_ptr<capture::ScreenCastSession> session;
  std::shared_ptr<LatestFrame> frames;
  std::unique_ptr<capture::PipeWireSource> capture;
  std::unique_ptr<stream::VideoStream> stream;

  void RequestIdr() override { stream->RequestIdr(); }
  std::string StatsLine() const override {
    const capture::PipeWireSourceStats c = capture->stats();
    return absl::StrCat(stream::FormatVideoStreamStats(stream->stats()), " capture[", label,
                        "] frames ", c.frames, " ", c.width, "x", c.height,
                        capture->ok() ? "" : " FAILED: ", capture->ok() ? "" : capture->error());
  }
};

const char* KindName(VideoSourceSpec::Kind k) {
  switch (k) {
    case VideoSourceSpec::Kind::kPipeWire:
      return "pipewire";
    case VideoSourceSpec::Kind::kMutterVirtual:
      return "mutter-virtual";
    case VideoSourceSpec::Kind::kMutterMonitor:
      return "mutter-monitor";
    case VideoSourceSpec::Kind::kPortal:
      return "portal";
    case VideoSourceSpec::Kind::kPattern:
      break;
  }
  return "pattern";
}

absl::StatusOr<std::unique_ptr<VideoSource>> OpenDesktop(const VideoSourceSpec& spec, bool nvenc,
                                                         const LaunchSession& launch,
                                                         const StreamConfig& config,
                                                         const std::string& bind) {
  auto v = std::make_unique<DesktopVideo>();
  v->label = KindName(spec.kind);
  capture::PipeWireSourceConfig pc;
  pc.width = config.width;
  pc.height = config.height;
  pc.fps = config.fps;
  switch (spec.kind) {
    case VideoSourceSpec::Kind::kPipeWire:
      pc.target = spec.target;
      v->label = absl::StrCat("pipewire:", spec.target);
      break;
    case VideoSourceSpec::Kind::kMutterVirtual: {
      auto s = capture::ScreenCastSession::MutterVirtual();
      if (!s.ok()) return s.status();
      v->session = std::move(*s);
      pc.node_id = v->session->node_id();
      pc.fixed_size = true;  // the virtual monitor takes exactly the client's size
      break;
    }
    case VideoSourceSpec::Kind::kMutterMonitor: {
      auto s = capture::ScreenCastSession::MutterMonitor(spec.target);
      if (!s.ok()) return s.status();
      v->session = std::move(*s);
      pc.node_id = v->session->node_id();
      break;
    }
    case VideoSourceSpec::Kind::kPortal: {
      auto s = capture::ScreenCastSession::Portal();
      if (!s.ok()) return s.status();
      v->session = std::move(*s);
      pc.node_id = v->session->node_id();
      pc.remote_fd = v->session->TakeRemoteFd();
      break;
    }
    case VideoSourceSpec::Kind::kPattern:
      return absl::InvalidArgumentError("pattern is not a desktop source");
  }
  v->frames = std::make_shared<LatestFrame>();
  auto cap = capture::PipeWireSource::Start(pc, v->frames.get());
  if (!cap.ok()) return cap.status();
  v->capture = std::move(*cap);
  stream::VideoStreamOptions o;
  o.bind = bind;
  o.nvenc = nvenc;
  o.frames = v->frames;
  auto s = stream::VideoStream::Start(o, launch, config);
  if (!s.ok()) return s.status();
  v->stream = std::move(*s);
  spdlog::info("moonlight: video from {} (node {}), {}x{} requested{}", v->label, pc.node_id,
               config.width, config.height, pc.fixed_size ? " (virtual monitor at that size)" : "");
  return std::unique_ptr<VideoSource>(std::move(v));
}

}  // namespace

absl::StatusOr<VideoSourceSpec> ParseVideoSource(std::string_view value) {
  VideoSourceSpec s;
  if (value == "pattern") return s;
  if (value == "mutter-virtual") {
    s.kind = VideoSourceSpec::Kind::kMutterVirtual;
    return s;
  }
  if (value == "portal") {
    s.kind = VideoSourceSpec::Kind::kPortal;
    return s;
  }
  if (value == "mutter-monitor" || value.rfind("mutter-monitor:", 0) == 0) {
    s.kind = VideoSourceSpec::Kind::kMutterMonitor;
    if (value.size() > 15) s.target = std::string(value.substr(15));
    return s;
  }
  if (value.rfind("pipewire:", 0) == 0 && value.size() > 9) {
    s.kind = VideoSourceSpec::Kind::kPipeWire;
    s.target = std::string(value.substr(9));
    return s;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "--video=", std::string(value),
      ": expected pattern, pipewire:NODE, mutter-virtual, mutter-monitor[:CONNECTOR] or portal"));
}

VideoFactory DesktopVideoFactory(const VideoSourceSpec& spec, bool nvenc,
                                 std::shared_ptr<DesktopVideoStats> stats) {
  VideoFactory pattern = PatternVideoFactory(nvenc);
  if (spec.kind == VideoSourceSpec::Kind::kPattern) return pattern;
  if (!stats) stats = std::make_shared<DesktopVideoStats>();
  auto reported = std::make_shared<std::atomic<bool>>(false);
  return [spec, nvenc, pattern, stats, reported](
             const LaunchSession& launch, const StreamConfig& config,
             const std::string& bind) -> absl::StatusOr<std::unique_ptr<VideoSource>> {
    auto v = OpenDesktop(spec, nvenc, launch, config, bind);
    if (v.ok()) {
      ++stats->opened;
      return v;
    }
    ++stats->fallbacks;
    if (!reported->exchange(true)) {
      spdlog::error("moonlight: video source {} cannot be opened ({}); streaming the test "
                    "pattern instead",
                    KindName(spec.kind), v.status().ToString());
    } else {
      spdlog::debug("moonlight: video source {} still unavailable ({}); pattern",
                    KindName(spec.kind), v.status().ToString());
    }
    return pattern(launch, config, bind);
  };
}

}  // namespace lumen::moonlight::serve
