// MoonlightHost: sessions across HTTP, RTSP, control and the streams (see moonlight_host.h).
#include "host/moonlight/serve/moonlight_host.h"

#include <spdlog/spdlog.h>

#include "absl/strings/str_cat.h"
#include "host/moonlight/stream/video_stream.h"

namespace lumen::moonlight::serve {
namespace {

class PatternVideo : public VideoSource {
 public:
  explicit PatternVideo(std::unique_ptr<stream::VideoStream> s) : s_(std::move(s)) {}
  void RequestIdr() override { s_->RequestIdr(); }
  std::string StatsLine() const override { return stream::FormatVideoStreamStats(s_->stats()); }

 private:
  std::unique_ptr<stream::VideoStream> s_;
};

const char* CodecName(VideoCodec c) {
  switch (c) {
    case VideoCodec::kHevc:
      return "HEVC";
    case VideoCodec::kAv1:
      return "AV1";
    case VideoCodec::kH264:
      break;
  }
  return "H.264";
}

}  // namespace

VideoFactory PatternVideoFactory(bool nvenc) {
  return [nvenc](const LaunchSession& launch, const StreamConfig& config,
                 const std::string& bind) -> absl::StatusOr<std::unique_ptr<VideoSource>> {
    stream::VideoStreamOptions o;
    o.bind = bind;
    o.nvenc = nvenc;
    auto s = stream::VideoStream::Start(o, launch, config);
    if (!s.ok()) return s.status();
    return std::unique_ptr<VideoSource>(new PatternVideo(std::move(*s)));
  };
}

absl::StatusOr<std::unique_ptr<MoonlightHost>> MoonlightHost::Start(MoonlightHostOptions options) {
  if (!options.video) options.video = PatternVideoFactory(false);
  std::unique_ptr<MoonlightHost> h(new MoonlightHost(std::move(options)));
  const MoonlightHostOptions& o = h->options_;
  MoonlightHost* self = h.get();

  control::ControlServerOptions co;
  co.bind_address = o.bind_address;
  co.port = o.control_port;
  co.idle_timeout_ms = o.control_idle_timeout_ms;
  control::ControlServer::Callbacks cc;
  cc.on_idr_request = [self] {
    std::lock_guard l(self->mu_);
    ++self->stats_.idr_requests;
    if (self->video_) self->video_->RequestIdr();
  };
  cc.on_invalidate_ref_frames = [self](uint64_t, uint64_t) {
    // RFI is not advertised; answer any request with an IDR, which always recovers.
    std::lock_guard l(self->mu_);
    ++self->stats_.idr_requests;
    if (self->video_) self->video_->RequestIdr();
  };
  cc.on_input = [self](std::span<const uint8_t> p) { self->OnInputPacket(p); };
  cc.on_connected = [] { spdlog::info("moonlight: control stream connected"); };
  cc.on_session_end = [self](control::ControlEndReason r) {
    spdlog::info("moonlight: control stream ended (reason {}); {}", static_cast<int>(r),
                 self->StatsLine());
    // Host-initiated ends (launch, cancel) stop the streams themselves.
    if (r == control::ControlEndReason::kClientDisconnected ||
        r == control::ControlEndReason::kTimeout) {
      self->StopStreams();
    }
  };
  auto control = control::ControlServer::Start(co, std::move(cc));
  if (!control.ok()) return control.status();
  h->control_ = std::move(*control);

  rtsp::RtspServerOptions ro;
  ro.bind_address = o.bind_address;
  ro.port = o.rtsp_port;
  ro.audio_port = o.audio_port;
  ro.video_port = o.video_port;
  ro.control_port = h->control_->port();
  ro.caps = o.caps;
  ro.policy = o.policy;
  ro.offer_lumen_transport = o.offer_lumen_transport;
  rtsp::RtspServer::Callbacks rc;
  rc.on_announce = [self](const LaunchSession& l, const StreamConfig& c, const std::string& peer) {
    return self->OnAnnounce(l, c, peer);
  };
  auto rtsp = rtsp::RtspServer::Start(ro, std::move(rc));
  if (!rtsp.ok()) return rtsp.status();
  h->rtsp_ = std::move(*rtsp);
  return h;
}

MoonlightHost::MoonlightHost(MoonlightHostOptions options) : options_(std::move(options)) {}

MoonlightHost::~MoonlightHost() {
  rtsp_.reset();     // no more ANNOUNCEs
  control_.reset();  // tells a connected client goodbye, joins the control thread
  StopStreams();
}

absl::StatusOr<http::LaunchResult> MoonlightHost::Arm(const http::LaunchRequest& req) {
  LaunchSession s;
  s.key = req.params.rikey;
  s.key_id = req.params.rikeyid;
  s.rtsp_encrypted = options_.rtsp_encryption && req.params.corever >= 1;
  s.surround_channels = req.params.audio_channels;
  RandomizeSessionIds(&s);
  {
    std::lock_guard l(mu_);
    s.app_id = static_cast<uint32_t>(req.resume ? current_app_ : req.params.app_id);
    current_app_ = static_cast<int>(s.app_id);
  }
  rtsp_->SetPendingSession(s);
  http::LaunchResult r;
  r.rtsp_encrypted = s.rtsp_encrypted;
  return r;
}

absl::StatusOr<http::LaunchResult> MoonlightHost::Launch(const http::LaunchRequest& req) {
  {
    std::lock_guard l(mu_);
    ++stats_.launches;
  }
  spdlog::info("moonlight: launch app {} for {} ({}x{}@{})", req.params.app_id, req.client_name,
               req.params.width, req.params.height, req.params.fps);
  // A new launch replaces whatever was streaming.
  control_->EndSession();
  StopStreams();
  return Arm(req);
}

absl::StatusOr<http::LaunchResult> MoonlightHost::Resume(const http::LaunchRequest& req) {
  {
    std::lock_guard l(mu_);
    ++stats_.resumes;
    if (current_app_ == 0) return absl::UnavailableError("nothing to resume");
  }
  control_->EndSession();
  StopStreams();
  http::LaunchRequest r = req;
  r.resume = true;
  return Arm(r);
}

absl::Status MoonlightHost::Cancel() {
  control_->EndSession();  // 0x0109 graceful, then disconnect
  rtsp_->ClearPendingSession();
  StopStreams();
  std::lock_guard l(mu_);
  ++stats_.cancels;
  current_app_ = 0;
  return absl::OkStatus();
}

int MoonlightHost::CurrentAppId() const {
  std::lock_guard l(mu_);
  return current_app_;
}

bool MoonlightHost::streaming() const {
  std::lock_guard l(mu_);
  return video_ != nullptr;
}

MoonlightHostStats MoonlightHost::stats() const {
  std::lock_guard l(mu_);
  return stats_;
}

std::optional<stream::AudioStreamStats> MoonlightHost::audio_stats() const {
  std::lock_guard l(mu_);
  if (!audio_) return std::nullopt;
  return audio_->stats();
}

std::string MoonlightHost::StatsLine() const {
  const control::ControlServerStats c = control_->stats();
  std::lock_guard l(mu_);
  std::string line = absl::StrCat("idr requests ", stats_.idr_requests, ", input ",
                                  stats_.input_events, " (", stats_.input_errors, " bad), control ",
                                  c.messages, " msgs ", c.pings, " pings");
  if (video_) absl::StrAppend(&line, "; ", video_->StatsLine());
  if (audio_) {
    const stream::AudioStreamStats a = audio_->stats();
    absl::StrAppend(&line, "; audio sent ", a.packets_sent, " fec ", a.fec_sent, " pings ",
                    a.pings);
  }
  return line;
}

absl::Status MoonlightHost::OnAnnounce(const LaunchSession& launch, const StreamConfig& config,
                                       const std::string& peer) {
  StopStreams();
  spdlog::info(
      "moonlight: stream {}x{}@{} {} {} kbps, packet {} fec {}% audio {}ch{}, video framing {} "
      "from {}",
      config.width, config.height, config.fps, CodecName(config.codec), config.encoder_bitrate_kbps,
      config.packet_size, config.fec_percentage, config.audio_channels,
      config.audio_high_quality ? " HQ" : "",
      config.lumen ? absl::StrCat("lumen (", transport::AeadName(config.lumen->accept.aead),
                                  ", mtu ", config.lumen->accept.mtu, ")")
                   : std::string("moonlight"),
      peer);
  stream::AudioStreamOptions ao;
  ao.bind = absl::StrCat(options_.bind_address, ":", options_.audio_port);
  stream::OpusPacketSource packets;
  if (options_.audio_packets) packets = options_.audio_packets(config);
  auto audio = packets ? stream::AudioStream::StartWithPackets(ao, launch, config, std::move(packets))
                       : stream::AudioStream::Start(ao, launch, config, options_.audio);
  if (!audio.ok()) return audio.status();
  auto video =
      options_.video(launch, config, absl::StrCat(options_.bind_address, ":", options_.video_port));
  if (!video.ok()) return video.status();
  {
    std::lock_guard l(mu_);
    audio_ = std::move(*audio);
    video_ = std::move(*video);
    ++stats_.sessions_started;
  }
  control_->ArmSession(launch, config, peer);
  return absl::OkStatus();
}

void MoonlightHost::StopStreams() {
  std::unique_ptr<VideoSource> video;
  std::unique_ptr<stream::AudioStream> audio;
  {
    std::lock_guard l(mu_);
    if (video_ || audio_) ++stats_.sessions_ended;
    video = std::move(video_);
    audio = std::move(audio_);
  }
  // Destroyed outside the lock: they join their threads.
}

void MoonlightHost::OnInputPacket(std::span<const uint8_t> packet) {
  input::InputEvent ev;
  const input::InputError e = input::DecodeInput(packet, &ev);
  {
    std::lock_guard l(mu_);
    if (e != input::InputError::kOk) {
      ++stats_.input_errors;
      return;
    }
    ++stats_.input_events;
  }
  if (options_.on_input) options_.on_input(ev);
}

}  // namespace lumen::moonlight::serve
