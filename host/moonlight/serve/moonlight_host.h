// MoonlightHost: the streaming side of a Moonlight host. It implements the HTTP layer's
// SessionHandler (/launch, /resume, /cancel) and owns the RTSP server, the ENet control
// server and, per session, the video and audio streams:
//
//   /launch -> LaunchSession (rikey, ping payload, connect data) armed in RTSP
//   RTSP ANNOUNCE -> StreamConfig -> video + audio streams started, control armed
//   control: IDR / RFI -> video; input -> input sink; client gone -> streams stopped
//            (the app keeps running so the client can /resume)
//   /cancel -> termination (0x0109) sent, streams stopped, app ended
//
// Video comes from a VideoFactory (default: the in-process test-pattern stream,
// host/moonlight/stream/video_stream.h); audio from a PcmSource (default: silence, so
// clients never time out when there is no PipeWire).
//
// Thread-safe: HTTP workers, the RTSP thread and the control thread all call in.
#ifndef LUMEN_HOST_MOONLIGHT_SERVE_MOONLIGHT_HOST_H_
#define LUMEN_HOST_MOONLIGHT_SERVE_MOONLIGHT_HOST_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "absl/status/statusor.h"
#include "core/moonlight/input.h"
#include "host/moonlight/control/control_server.h"
#include "host/moonlight/http/nvhttp_server.h"
#include "host/moonlight/rtsp/rtsp_server.h"
#include "host/moonlight/stream/audio_stream.h"

namespace lumen::moonlight::serve {

// One session's video. RequestIdr may be called from any thread.
class VideoSource {
 public:
  virtual ~VideoSource() = default;
  virtual void RequestIdr() = 0;
  // One line of counters for logs ("frames 1234 sent 1230 idr 3 ...").
  virtual std::string StatsLine() const = 0;
};

using VideoFactory = std::function<absl::StatusOr<std::unique_ptr<VideoSource>>(
    const LaunchSession& launch, const StreamConfig& config, const std::string& bind)>;

// The default: test pattern -> encoder -> Moonlight video datagrams (nvenc: try NVENC first).
VideoFactory PatternVideoFactory(bool nvenc);

struct MoonlightHostOptions {
  std::string bind_address = "0.0.0.0";
  uint16_t rtsp_port = 48010;
  uint16_t video_port = 47998;
  uint16_t control_port = 47999;
  uint16_t audio_port = 48000;
  rtsp::HostCapabilities caps;
  rtsp::AnnouncePolicy policy;
  bool rtsp_encryption = true;  // answer rtspenc:// to clients with corever >= 1
  // Offer lumen transport in DESCRIBE; clients that answer get lumen video framing
  // (docs/lumen-transport.md §4), stock Moonlight clients ignore the offer.
  bool offer_lumen_transport = true;
  int control_idle_timeout_ms = 10000;
  VideoFactory video;       // null = PatternVideoFactory(false)
  stream::PcmSource audio;  // null = silence
  // When set and it returns a source for the session's ANNOUNCE (channel layout, packet
  // duration), audio is sent from those pre-encoded packets instead (desktop_audio.h).
  std::function<stream::OpusPacketSource(const StreamConfig&)> audio_packets;
  // Decoded input events from the control stream (null: counted and dropped).
  std::function<void(const input::InputEvent&)> on_input;
};

struct MoonlightHostStats {
  uint64_t launches = 0;
  uint64_t resumes = 0;
  uint64_t cancels = 0;
  uint64_t sessions_started = 0;  // ANNOUNCEs that started streams
  uint64_t sessions_ended = 0;
  uint64_t idr_requests = 0;
  uint64_t input_events = 0;
  uint64_t input_errors = 0;
};

class MoonlightHost : public http::SessionHandler {
 public:
  // Binds RTSP (TCP) and control (UDP) now; the video/audio ports are bound per session.
  static absl::StatusOr<std::unique_ptr<MoonlightHost>> Start(MoonlightHostOptions options);
  ~MoonlightHost() override;

  // http::SessionHandler.
  absl::StatusOr<http::LaunchResult> Launch(const http::LaunchRequest& req) override;
  absl::StatusOr<http::LaunchResult> Resume(const http::LaunchRequest& req) override;
  absl::Status Cancel() override;
  int CurrentAppId() const override;

  uint16_t rtsp_port() const { return rtsp_->port(); }
  uint16_t control_port() const { return control_->port(); }
  bool streaming() const;
  MoonlightHostStats stats() const;
  rtsp::RtspServerStats rtsp_stats() const { return rtsp_->stats(); }
  control::ControlServerStats control_stats() const { return control_->stats(); }
  std::optional<stream::AudioStreamStats> audio_stats() const;
  // One line describing the current session's counters (for `lumen serve` logs).
  std::string StatsLine() const;

 private:
  explicit MoonlightHost(MoonlightHostOptions options);
  absl::StatusOr<http::LaunchResult> Arm(const http::LaunchRequest& req);
  absl::Status OnAnnounce(const LaunchSession& launch, const StreamConfig& config,
                          const std::string& peer);
  void StopStreams();
  void OnInputPacket(std::span<const uint8_t> packet);

  MoonlightHostOptions options_;
  std::unique_ptr<rtsp::RtspServer> rtsp_;
  std::unique_ptr<control::ControlServer> control_;
  mutable std::mutex mu_;
  int current_app_ = 0;                         // guarded by mu_
  std::unique_ptr<VideoSource> video_;          // guarded by mu_
  std::unique_ptr<stream::AudioStream> audio_;  // guarded by mu_
  MoonlightHostStats stats_;                    // guarded by mu_
};

}  // namespace lumen::moonlight::serve

#endif  // LUMEN_HOST_MOONLIGHT_SERVE_MOONLIGHT_HOST_H_
