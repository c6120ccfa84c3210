// Host side of GameStream PIN pairing (protocol doc §3): the five phases, the PIN hand-off from
// the host's user, and a lockout after repeated wrong PINs.
//
// Flow: phase 1 (getservercert) blocks the calling HTTP thread until the PIN is entered on the
// host (SubmitPin, from `lumen pin` or the local PIN page), the client gives up (/unpair), a newer
// request replaces the session, or Shutdown(). Phases 2-4 run with the AES key derived from the
// client's salt and the PIN; phase 4 persists the client certificate in HostState. Any protocol
// error deletes the session (the user starts over), as Sunshine does.
//
// Wrong PINs are detected by the host in phase 4 (hash mismatch) or when the client abandons the
// session after phase 3 (it found the mismatch itself and called /unpair). After
// `max_failures` of those, new pairings are refused for `lockout` (status 503); a success resets
// the count. At most kMaxPendingPairings sessions may wait for a PIN at once so parked requests
// cannot exhaust the HTTP server's threads.
#ifndef LUMEN_HOST_MOONLIGHT_HTTP_PAIRING_H_
#define LUMEN_HOST_MOONLIGHT_HTTP_PAIRING_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "host/moonlight/http/crypto.h"
#include "host/moonlight/http/request.h"
#include "host/moonlight/state/host_state.h"

namespace lumen::moonlight::http {

inline constexpr int kMaxPendingPairings = 4;

// What a /pair request answers: status_code, optional message, <paired> and extra elements.
struct PairReply {
  int status_code = 200;
  std::string status_message;
  bool paired = false;
  std::vector<std::pair<std::string, std::string>> fields;  // e.g. {"plaincert", hex}
};

// A pairing waiting for its PIN, as shown on the PIN page and by `lumen pin --list`.
struct PendingPairing {
  uint64_t id = 0;
  std::string uniqueid;     // what the client sent (not unique, informational)
  std::string device_name;  // devicename parameter (often "roth")
  std::string client_cn;    // subject CN of the client's certificate
  int64_t waiting_seconds = 0;
};

struct PairingLimits {
  int max_failures = 5;
  std::chrono::seconds lockout{300};
};

class PairingManager {
 public:
  // `state` must outlive the manager.
  PairingManager(state::HostState* state, PairingLimits limits);
  ~PairingManager();

  // Handles one /pair request (any phase) from `q`. `over_https_authorized` is true only for
  // an HTTPS request whose certificate is already paired (phase 5, pairchallenge).
  // May block for phase 1 (see file comment).
  PairReply Handle(const QueryParams& q, bool over_https_authorized) ABSL_LOCKS_EXCLUDED(mu_);

  // /unpair over HTTP: the client abandons its pairing. Always succeeds.
  void Unpair(std::string_view uniqueid) ABSL_LOCKS_EXCLUDED(mu_);

  // Enters `pin` (exactly 4 ASCII digits) for the pending pairing `id` (0 = the oldest one
  // waiting). `name` becomes the client's name in the paired list (empty: derived from the
  // request). InvalidArgument for a malformed PIN, NotFound if nothing is waiting.
  absl::Status SubmitPin(std::string_view pin, std::string_view name, uint64_t id = 0)
      ABSL_LOCKS_EXCLUDED(mu_);

  std::vector<PendingPairing> Pending() const ABSL_LOCKS_EXCLUDED(mu_);
  int consecutive_failures() const ABSL_LOCKS_EXCLUDED(mu_);
  bool locked() const ABSL_LOCKS_EXCLUDED(mu_);

  // Wakes and fails every blocked phase-1 request; later phase-1 requests fail at once.
  void Shutdown() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  enum class Phase { kWaitingForPin, kGotPin, kChallenged, kServerChallengeResp, kDead };
  struct Session {
    uint64_t id = 0;
    std::string uniqueid;
    std::string device_name;
    std::string name;  // chosen on PIN entry
    Phase phase = Phase::kWaitingForPin;
    nvcrypto::Bytes salt;
    std::string client_cert_pem;
    nvcrypto::X509Ptr client_cert;
    nvcrypto::Bytes aes_key;
    nvcrypto::Bytes server_secret;
    nvcrypto::Bytes server_challenge;
    nvcrypto::Bytes client_hash;
    std::chrono::steady_clock::time_point since;
  };

  PairReply GetServerCert(const QueryParams& q, std::string_view uniqueid);
  PairReply ClientChallenge(std::string_view uniqueid, std::string_view hex);
  PairReply ServerChallengeResp(std::string_view uniqueid, std::string_view hex);
  PairReply ClientPairingSecret(std::string_view uniqueid, std::string_view hex);
  PairReply FailLocked(std::string_view uniqueid, int code, std::string_view message)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RecordFailureLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool LockedLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  state::HostState* const state_;
  const PairingLimits limits_;
  mutable absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<Session>> sessions_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  int failures_ ABSL_GUARDED_BY(mu_) = 0;
  std::chrono::steady_clock::time_point locked_until_ ABSL_GUARDED_BY(mu_){};
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace lumen::moonlight::http

#endif  // LUMEN_HOST_MOONLIGHT_HTTP_PAIRING_H_
