// Client side of the Moonlight control plane over HTTP/HTTPS: a real pairing client (own RSA-2048
// certificate, all five PIN pairing phases) and the serverinfo/applist/appasset/launch/resume/
// cancel calls, as moonlight-qt and moonlight-embedded make them. Used by lumen's tests and
// tools to drive a host end to end over real sockets.
//
// Not thread-safe: one MoonlightHttpClient per thread. Every call opens a fresh connection (the
// host closes after each response).
#ifndef LUMEN_CLIENTS_MOONLIGHT_HTTP_CLIENT_H_
#define LUMEN_CLIENTS_MOONLIGHT_HTTP_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "host/moonlight/http/crypto.h"

namespace lumen::moonlight::client {

// The client's own identity (CN "NVIDIA GameStream Client"), as stock clients generate it.
struct ClientIdentity {
  std::string key_pem;
  std::string cert_pem;
  nvcrypto::X509Ptr cert;
  nvcrypto::PkeyPtr key;
  static absl::StatusOr<ClientIdentity> Generate();
  static absl::StatusOr<ClientIdentity> FromPem(std::string key_pem, std::string cert_pem);
  // The identity kept in `dir` (client.key, client.pem; created, with the directory, on
  // first use, crash-safe, the key readable by the owner only). A client must keep its identity:
  // the host trusts the certificate it paired with.
  static absl::StatusOr<ClientIdentity> LoadOrCreate(const std::string& dir);
};

// A parsed reply: the root's status_code/status_message and the raw XML body.
struct XmlResult {
  int status_code = 0;
  std::string status_message;
  std::string body;
  // Text of the first root child named `name`, or "" if absent.
  std::string Field(std::string_view name) const;
};

struct ServerInfo {
  int status_code = 0;
  std::string hostname, appversion, gfe_version, uniqueid, mac, local_ip, state;
  int https_port = 0;
  int external_port = 0;
  int pair_status = 0;
  int current_game = 0;
  uint32_t codec_mode_support = 0;
  long long max_luma_pixels_hevc = 0;
  int display_modes = 0;  // number of <DisplayMode> entries
};

struct AppInfo {
  int id = 0;
  std::string title;
  bool hdr = false;
};

struct LaunchOptions {
  int app_id = 0;
  int width = 1920, height = 1080, fps = 60;
  std::string rikey_hex = "000102030405060708090A0B0C0D0E0F";
  int64_t rikeyid = 0;
  int surround_audio_info = 196610;
  int corever = 1;
  std::string extra_query;  // appended verbatim (tests of malformed values)
};

struct PairOptions {
  std::string device_name = "roth";
  // Stock clients stop after phase 3 when the server's hash does not match (wrong PIN) and call
  // /unpair. false: carry on to phase 4 anyway (lets tests exercise the host's own check).
  bool stop_on_mismatch = true;
};

class MoonlightHttpClient {
 public:
  // `identity` must outlive the client. `uniqueid` is sent with every request.
  MoonlightHttpClient(std::string host, int http_port, const ClientIdentity* identity,
                      std::string uniqueid = "0123456789ABCDEF");

  // Port for HTTPS calls; learned from serverinfo (HttpsPort) by GetServerInfo(false).
  void set_https_port(int port) { https_port_ = port; }
  int https_port() const { return https_port_; }

  // GET `path_and_query` (query must not contain uniqueid/uuid: they are added). Transport
  // failures (connect, TLS, non-200 status line) are errors; XML status codes are not.
  absl::StatusOr<XmlResult> Get(bool https, std::string_view path, std::string_view query = "");
  // Raw body (for /appasset).
  absl::StatusOr<std::string> GetRaw(bool https, std::string_view path, std::string_view query);

  absl::StatusOr<ServerInfo> GetServerInfo(bool https);

  // Runs all five pairing phases with `pin`. Phase 1 blocks until the PIN is entered on the host.
  // PermissionDenied("wrong PIN") on a hash mismatch, Unauthenticated on a bad host signature,
  // Aborted when the host refuses (status_code != 200, e.g. lockout), with /unpair sent on any
  // failure as stock clients do. On success the host certificate is remembered.
  absl::Status Pair(std::string_view pin, const PairOptions& options = {});
  const std::string& server_cert_pem() const { return server_cert_pem_; }
  // Pins the host's certificate (what pairing returned): HTTPS calls then fail unless the
  // host presents exactly this certificate. Without a pin, HTTPS trusts any certificate
  // (what the protocol tests need).
  absl::Status PinServerCert(std::string_view pem);
  // True once an HTTPS call met a host certificate other than the pinned one.
  bool pin_mismatch() const { return pin_mismatch_; }

  absl::StatusOr<std::vector<AppInfo>> AppList();
  // <sessionUrl0> on success; the full result for error inspection.
  absl::StatusOr<XmlResult> Launch(const LaunchOptions& o);
  absl::StatusOr<XmlResult> Resume(const LaunchOptions& o);
  absl::StatusOr<XmlResult> Cancel();
  absl::StatusOr<XmlResult> Unpair(bool https);

 private:
  std::string CommonQuery() const;

  std::string host_;
  int http_port_;
  int https_port_ = 0;
  const ClientIdentity* identity_;
  std::string uniqueid_;
  std::string server_cert_pem_;
  nvcrypto::X509Ptr pinned_;
  bool pin_mismatch_ = false;
};

}  // namespace lumen::moonlight::client

#endif  // LUMEN_CLIENTS_MOONLIGHT_HTTP_CLIENT_H_
