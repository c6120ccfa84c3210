// The Moonlight/GameStream HTTP (47989) and HTTPS (47984) control plane ("nvhttp"), plus the
// local admin endpoint (PIN entry page and the `lumen pin/clients/unpair` API).
//
// Endpoints (protocol doc §2-§4): /serverinfo (HTTP+HTTPS), /pair (phases 1-4 over HTTP, phase 5
// over HTTPS), /unpair, and over HTTPS only /applist, /appasset, /launch, /resume, /cancel.
// The HTTP status line is always 200; the XML root's status_code carries errors. Every HTTPS
// request is authorized by its TLS client certificate against HostState's paired list; unpaired
// certificates get status_code 401 on every HTTPS path. Connections close after each response.
//
// Session control is delegated to a SessionHandler (F2 wires it to RTSP and the stream pipeline).
// Without one, a BasicSessionHandler only tracks the running app, which is enough for pairing and
// for tests.
//
// Threading: Start() spawns one listener thread per port; handlers run on httplib's worker pools
// (pairing phase 1 blocks a worker until the PIN arrives; see pairing.h). Stop() unblocks and joins
// everything. SessionHandler methods may be called concurrently from several workers.
#ifndef LUMEN_HOST_MOONLIGHT_HTTP_NVHTTP_SERVER_H_
#define LUMEN_HOST_MOONLIGHT_HTTP_NVHTTP_SERVER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "host/moonlight/http/pairing.h"
#include "host/moonlight/http/request.h"
#include "host/moonlight/state/host_config.h"
#include "host/moonlight/state/host_state.h"

namespace httplib {
class Server;
class SSLServer;
}  // namespace httplib

namespace lumen::moonlight::http {

// ServerCodecModeSupport bits (protocol doc §2.5).
inline constexpr uint32_t kScmH264 = 0x00000001;
inline constexpr uint32_t kScmHevc = 0x00000100;
inline constexpr uint32_t kScmHevcMain10 = 0x00000200;
inline constexpr uint32_t kScmAv1Main8 = 0x00010000;
inline constexpr uint32_t kScmAv1Main10 = 0x00020000;

// What /launch or /resume asks for, after validation.
struct LaunchRequest {
  LaunchParams params;
  std::string client_name;    // from the paired list
  std::string client_uuid;    // host-side id of the paired client
  std::string local_address;  // address the request arrived on (for the session URL)
  bool resume = false;
};

struct LaunchResult {
  // true: answer rtspenc:// (only if the client sent corever >= 1 and RTSP encryption is done).
  bool rtsp_encrypted = false;
};

// Implemented by the streaming side. Errors map to the XML status_code: InvalidArgument or
// FailedPrecondition -> 400, PermissionDenied -> 403, NotFound -> 404, anything else -> 503.
class SessionHandler {
 public:
  virtual ~SessionHandler() = default;
  virtual absl::StatusOr<LaunchResult> Launch(const LaunchRequest& req) = 0;
  virtual absl::StatusOr<LaunchResult> Resume(const LaunchRequest& req) = 0;
  // Ends every session and the running app. Must leave CurrentAppId() == 0 on success.
  virtual absl::Status Cancel() = 0;
  // The id of the running app, 0 if none (serverinfo's currentgame).
  virtual int CurrentAppId() const = 0;
};

// Tracks the running app and remembers the last launch; no streaming.
class BasicSessionHandler : public SessionHandler {
 public:
  absl::StatusOr<LaunchResult> Launch(const LaunchRequest& req) override;
  absl::StatusOr<LaunchResult> Resume(const LaunchRequest& req) override;
  absl::Status Cancel() override;
  int CurrentAppId() const override;
  LaunchRequest last_request() const;

 private:
  mutable absl::Mutex mu_;
  int current_app_ ABSL_GUARDED_BY(mu_) = 0;
  LaunchRequest last_ ABSL_GUARDED_BY(mu_);
};

struct DisplayMode {
  int width = 0;
  int height = 0;
  int refresh = 0;
};

struct NvHttpOptions {
  state::HostConfig config;
  // Modes listed in <SupportedDisplayMode>.
  std::vector<DisplayMode> display_modes = {{1920, 1080, 60}, {1280, 720, 60}, {3840, 2160, 60}};
  bool enable_admin = true;
  // Write <state_dir>/admin.json (port + token) so `lumen pin` can find this host.
  bool write_admin_file = true;
};

class NvHttpServer {
 public:
  // `state` must outlive the server; `handler` may be null (BasicSessionHandler is used).
  NvHttpServer(NvHttpOptions options, state::HostState* state, SessionHandler* handler);
  ~NvHttpServer();
  NvHttpServer(const NvHttpServer&) = delete;
  NvHttpServer& operator=(const NvHttpServer&) = delete;

  // Binds every port (0 = any free port) and starts serving. Unavailable if a port is taken.
  absl::Status Start();
  // Stops serving, fails pairings waiting for a PIN, joins all threads. Idempotent.
  void Stop();

  int http_port() const { return http_port_; }
  // The host name /serverinfo reports (config, else gethostname(), else "lumen").
  const std::string& hostname() const { return hostname_; }
  int https_port() const { return https_port_; }
  int admin_port() const { return admin_port_; }
  // Token that admin API requests must carry (header X-Lumen-Token or ?token=).
  const std::string& admin_token() const { return admin_token_; }

  // The encoder probe's result (SCM_* bits); replaces config.codec_mask.
  void SetCodecMask(uint32_t mask) { codec_mask_.store(mask); }
  uint32_t codec_mask() const { return codec_mask_.load(); }

  PairingManager& pairing() { return pairing_; }
  state::HostState& host_state() { return *state_; }

 private:
  void InstallNvHttpRoutes(httplib::Server& srv, bool https);
  void InstallAdminRoutes(httplib::Server& srv);

  NvHttpOptions options_;
  state::HostState* const state_;
  std::unique_ptr<BasicSessionHandler> basic_handler_;
  SessionHandler* handler_;
  PairingManager pairing_;
  std::atomic<uint32_t> codec_mask_;
  std::string hostname_;
  std::string admin_token_;
  std::string admin_file_;

  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<httplib::SSLServer> https_;
  std::unique_ptr<httplib::Server> admin_;
  std::vector<std::thread> threads_;
  int http_port_ = 0;
  int https_port_ = 0;
  int admin_port_ = 0;
  bool started_ = false;
};

// Location of the admin endpoint file the running host writes: <state_dir>/admin.json.
std::string AdminFilePath(const state::StateDirs& dirs);

}  // namespace lumen::moonlight::http

#endif  // LUMEN_HOST_MOONLIGHT_HTTP_NVHTTP_SERVER_H_
