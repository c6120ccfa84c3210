// The Moonlight RTSP handshake server (TCP, default port 48010; protocol doc §5).
//
// One request per TCP connection: the server reads one request (plain, or AES-GCM framed
// when the pending launch session asked for rtspenc://), writes one response and closes.
// It serves OPTIONS, DESCRIBE, SETUP (audio/video/control), ANNOUNCE and PLAY for the
// single pending launch session; with no pending session, connections are closed at once
// (as Sunshine does). A successful ANNOUNCE hands the parsed StreamConfig to the
// on_announce callback, which starts the stream session.
//
// Threading: one accept thread owned by the server; callbacks run on it. All public
// methods are thread-safe.
#ifndef LUMEN_HOST_MOONLIGHT_RTSP_RTSP_SERVER_H_
#define LUMEN_HOST_MOONLIGHT_RTSP_RTSP_SERVER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "host/moonlight/rtsp/launch_session.h"
#include "host/moonlight/rtsp/sdp.h"
#include "host/moonlight/rtsp/stream_config.h"

namespace lumen::moonlight::rtsp {

struct RtspServerOptions {
  std::string bind_address = "0.0.0.0";
  uint16_t port = 48010;  // 0 = pick a free port (tests)
  // Ports advertised in the SETUP replies.
  uint16_t audio_port = 48000;
  uint16_t video_port = 47998;
  uint16_t control_port = 47999;
  HostCapabilities caps;
  AnnouncePolicy policy;
  int read_timeout_ms = 5000;  // per connection
  // Offer lumen transport in DESCRIBE (a fresh nonce and session id per launch); a client
  // that answers in its ANNOUNCE gets StreamConfig::lumen set. Stock clients ignore it.
  bool offer_lumen_transport = false;
};

struct RtspServerStats {
  uint64_t connections = 0;
  uint64_t requests_ok = 0;
  uint64_t bad_requests = 0;  // 400s (parse errors, bad ANNOUNCE, bad crypto)
  uint64_t rejected_no_session = 0;
  uint64_t announces = 0;
  uint64_t lumen_offers = 0;       // DESCRIBE replies that carried the offer
  uint64_t lumen_accepted = 0;     // ANNOUNCEs that answered it: lumen framing
  uint64_t lumen_bad_answers = 0;  // an answer that did not parse or match: Moonlight framing
};

class RtspServer {
 public:
  struct Callbacks {
    // Called on a valid ANNOUNCE. A non-OK status is answered with 500 (or 403/400 for
    // PermissionDenied/InvalidArgument). `client_address` is the peer IP text.
    std::function<absl::Status(const LaunchSession&, const StreamConfig&,
                               const std::string& client_address)>
        on_announce;
    // Called on PLAY (informational).
    std::function<void(const LaunchSession&)> on_play;
  };

  // Binds and starts the accept thread.
  static absl::StatusOr<std::unique_ptr<RtspServer>> Start(const RtspServerOptions& options,
                                                           Callbacks callbacks);
  ~RtspServer();  // stops the thread and closes the socket

  RtspServer(const RtspServer&) = delete;
  RtspServer& operator=(const RtspServer&) = delete;

  // Makes `session` the pending launch session (replacing any other); the RTSP sequence
  // of the client that launched it can now proceed.
  void SetPendingSession(const LaunchSession& session);
  void ClearPendingSession();

  uint16_t port() const { return port_; }
  RtspServerStats stats() const;

 private:
  struct Pending;
  RtspServer(const RtspServerOptions& options, Callbacks callbacks, int fd, uint16_t port);
  void AcceptLoop();
  void HandleConnection(int fd, const std::string& peer);

  const RtspServerOptions options_;
  const Callbacks callbacks_;
  int listen_fd_ = -1;
  int wake_fds_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::thread thread_;
  mutable std::mutex mu_;
  std::unique_ptr<Pending> pending_;  // guarded by mu_
  RtspServerStats stats_;             // guarded by mu_
};

}  // namespace lumen::moonlight::rtsp

#endif  // LUMEN_HOST_MOONLIGHT_RTSP_RTSP_SERVER_H_
