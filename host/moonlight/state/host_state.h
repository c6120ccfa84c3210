// Persistent Moonlight host identity and paired-client list.
//
// Layout under the state directory (StateDirs::state_dir, default $XDG_STATE_HOME/lumen/moonlight):
//   identity.pem   the host's RSA-2048 private key followed by its self-signed certificate
//   state.json     {"version":1,"uniqueid":"<uuid>","clients":[{name,uuid,cert,enabled}]}
// Both files are replaced atomically (atomic_file.h), so a crash at any point leaves either the
// old or the new version. The identity is generated on first Open and never changes afterwards
// (clients pin the certificate; regenerating it would silently unpair every client).
//
// Clients are identified by their certificate (SHA-256 of its DER), never by uniqueid.
// HostState is thread-safe: the HTTPS server authorizes from many threads while pairing adds.
#ifndef LUMEN_HOST_MOONLIGHT_STATE_HOST_STATE_H_
#define LUMEN_HOST_MOONLIGHT_STATE_HOST_STATE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "host/moonlight/http/crypto.h"

namespace lumen::moonlight::state {

// Where lumen keeps configuration (read-mostly, user-edited) and state (written by the host).
struct StateDirs {
  std::string config_dir;  // e.g. ~/.config/lumen
  std::string state_dir;   // e.g. ~/.local/state/lumen/moonlight

  // Resolves from the environment: LUMEN_CONFIG_DIR / LUMEN_STATE_DIR override everything (tests);
  // else $XDG_CONFIG_HOME/lumen and $XDG_STATE_HOME/lumen/moonlight; else ~/.config/lumen and
  // ~/.local/state/lumen/moonlight. FailedPrecondition if none can be resolved (no HOME).
  static absl::StatusOr<StateDirs> FromEnvironment();
};

struct PairedClient {
  std::string name;      // shown by `lumen clients`, unique within the list
  std::string uuid;      // host-generated, stable id for the entry
  std::string cert_pem;  // the client's certificate as it sent it
  bool enabled = true;
  nvcrypto::Bytes fingerprint;  // SHA-256 of the certificate's DER (derived, not stored)
};

class HostState {
 public:
  // Loads the state in `dirs.state_dir`, creating the directory, the identity and an empty
  // client list on first use. DataLoss if a file exists but cannot be parsed (never silently
  // replaced). `common_name` is used only when generating a new certificate.
  static absl::StatusOr<std::unique_ptr<HostState>> Open(
      const StateDirs& dirs, std::string_view common_name = "lumen GameStream host");

  const std::string& unique_id() const { return unique_id_; }
  const std::string& cert_pem() const { return cert_pem_; }
  X509* cert() const { return cert_.get(); }
  EVP_PKEY* key() const { return key_.get(); }
  const std::string& state_dir() const { return state_dir_; }

  // Snapshot of the paired clients.
  std::vector<PairedClient> Clients() const ABSL_LOCKS_EXCLUDED(mu_);
  // The enabled client whose certificate is byte-identical to `cert`, if any.
  std::optional<PairedClient> FindClientByCert(X509* cert) const ABSL_LOCKS_EXCLUDED(mu_);

  // Adds (or, if this certificate is already paired, renames and re-enables) a client and
  // persists the list before returning. `name` is made unique by appending " (2)", " (3)", ...
  // InvalidArgument if `cert_pem` does not parse.
  absl::StatusOr<PairedClient> AddClient(std::string_view name, std::string_view cert_pem)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Removes the client whose name or uuid equals `name_or_uuid` and persists. NotFound if none.
  absl::Status RemoveClient(std::string_view name_or_uuid) ABSL_LOCKS_EXCLUDED(mu_);
  // Re-reads state.json (picks up edits made by `lumen unpair` while the host was stopped).
  absl::Status Reload() ABSL_LOCKS_EXCLUDED(mu_);

 private:
  HostState() = default;
  absl::Status SaveLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status LoadClientsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::string state_dir_;
  std::string unique_id_;
  std::string cert_pem_;
  nvcrypto::X509Ptr cert_;
  nvcrypto::PkeyPtr key_;
  mutable absl::Mutex mu_;
  std::vector<PairedClient> clients_ ABSL_GUARDED_BY(mu_);
};

// A random RFC 4122 version-4 UUID string (upper case).
std::string NewUuid();

}  // namespace lumen::moonlight::state

#endif  // LUMEN_HOST_MOONLIGHT_STATE_HOST_STATE_H_
