#include "host/moonlight/http/pairing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace lumen::moonlight::http {
namespace {

using nvcrypto::Bytes;

PairReply Paired(bool ok) {
  PairReply r;
  r.paired = ok;
  return r;
}

std::string CommonName(X509* cert) {
  char buf[256] = {0};
  X509_NAME* n = X509_get_subject_name(cert);
  if (n == nullptr || X509_NAME_get_text_by_NID(n, NID_commonName, buf, sizeof(buf)) < 0) {
    return "";
  }
  return buf;
}

Bytes Concat(std::initializer_list<const Bytes*> parts) {
  Bytes out;
  for (const Bytes* p : parts) out.insert(out.end(), p->begin(), p->end());
  return out;
}

}  // namespace

PairingManager::PairingManager(state::HostState* state, PairingLimits limits)
    : state_(state), limits_(limits) {}

PairingManager::~PairingManager() { Shutdown(); }

PairReply PairingManager::FailLocked(std::string_view uniqueid, int code,
                                     std::string_view message) {
  auto it = sessions_.find(std::string(uniqueid));
  if (it != sessions_.end()) {
    it->second->phase = Phase::kDead;
    sessions_.erase(it);
  }
  PairReply r;
  r.status_code = code;
  r.status_message = std::string(message);
  r.paired = false;
  return r;
}

void PairingManager::RecordFailureLocked() {
  ++failures_;
  if (failures_ >= limits_.max_failures) {
    locked_until_ = std::chrono::steady_clock::now() + limits_.lockout;
  }
}

bool PairingManager::LockedLocked() const {
  return failures_ >= limits_.max_failures && std::chrono::steady_clock::now() < locked_until_;
}

bool PairingManager::locked() const {
  absl::MutexLock lock(&mu_);
  return LockedLocked();
}

int PairingManager::consecutive_failures() const {
  absl::MutexLock lock(&mu_);
  return failures_;
}

PairReply PairingManager::Handle(const QueryParams& q, bool over_https_authorized) {
  if (q.Get("phrase") == std::optional<std::string_view>("pairchallenge")) {
    if (!over_https_authorized) {
      PairReply r;
      r.status_code = 401;
      r.status_message = "pairchallenge requires HTTPS with a paired certificate";
      return r;
    }
    return Paired(true);
  }
  auto uniqueid = q.Get("uniqueid");
  if (!uniqueid || uniqueid->empty()) {
    PairReply r;
    r.status_code = 400;
    r.status_message = "Missing uniqueid parameter";
    return r;
  }
  if (q.Get("phrase") == std::optional<std::string_view>("getservercert")) {
    return GetServerCert(q, *uniqueid);
  }
  if (auto v = q.Get("clientchallenge")) return ClientChallenge(*uniqueid, *v);
  if (auto v = q.Get("serverchallengeresp")) return ServerChallengeResp(*uniqueid, *v);
  if (auto v = q.Get("clientpairingsecret")) return ClientPairingSecret(*uniqueid, *v);
  PairReply r;
  r.status_code = 404;
  r.status_message = "Unknown pairing request";
  return r;
}

PairReply PairingManager::GetServerCert(const QueryParams& q, std::string_view uniqueid) {
  auto salt_hex = q.Get("salt");
  auto cert_hex = q.Get("clientcert");
  absl::MutexLock lock(&mu_);
  if (shutdown_) return FailLocked(uniqueid, 503, "Host is shutting down");
  if (LockedLocked()) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(locked_until_ -
                                                                 std::chrono::steady_clock::now());
    return FailLocked(uniqueid, 503,
                      absl::StrCat("Pairing locked after ", failures_,
                                   " failed attempts; try again in ", left.count(), " s"));
  }
  if (!salt_hex || salt_hex->size() != 32) return FailLocked(uniqueid, 400, "Bad salt");
  auto salt = nvcrypto::HexDecode(*salt_hex);
  if (!salt.ok()) return FailLocked(uniqueid, 400, "Bad salt");
  if (!cert_hex) return FailLocked(uniqueid, 400, "Missing clientcert");
  auto pem = nvcrypto::HexDecode(*cert_hex);
  if (!pem.ok()) return FailLocked(uniqueid, 400, "Bad clientcert encoding");
  auto cert = nvcrypto::ParseCertPem(nvcrypto::AsStringView(*pem));
  if (!cert.ok()) return FailLocked(uniqueid, 400, "Unparseable client certificate");

  // A new phase 1 from the same uniqueid replaces its old session.
  auto old = sessions_.find(std::string(uniqueid));
  if (old != sessions_.end()) {
    old->second->phase = Phase::kDead;
    sessions_.erase(old);
  }
  int waiting = 0;
  for (const auto& [k, s] : sessions_) waiting += (s->phase == Phase::kWaitingForPin);
  if (waiting >= kMaxPendingPairings) {
    PairReply r;
    r.status_code = 503;
    r.status_message = "Too many pairings waiting for a PIN";
    return r;
  }
  auto s = std::make_shared<Session>();
  s->id = next_id_++;
  s->uniqueid = std::string(uniqueid);
  s->device_name = std::string(q.Get("devicename").value_or(""));
  s->salt = std::move(*salt);
  s->client_cert_pem = std::string(nvcrypto::AsStringView(*pem));
  s->client_cert = std::move(*cert);
  s->since = std::chrono::steady_clock::now();
  sessions_[s->uniqueid] = s;

  // Park this request until the PIN arrives or the session dies.
  struct WaitArgs {
    Session* session;
    const bool* shutdown;
  } args{s.get(), &shutdown_};
  mu_.Await(absl::Condition(
      +[](WaitArgs* a) { return a->session->phase != Phase::kWaitingForPin || *a->shutdown; },
      &args));
  if (shutdown_ || s->phase != Phase::kGotPin) {
    PairReply r;
    r.status_code = 400;
    r.status_message = shutdown_ ? "Host is shutting down" : "Pairing cancelled";
    if (sessions_.count(s->uniqueid) && sessions_[s->uniqueid] == s) sessions_.erase(s->uniqueid);
    return r;
  }
  PairReply r = Paired(true);
  r.fields.emplace_back("plaincert", nvcrypto::HexEncode(state_->cert_pem()));
  return r;
}

absl::Status PairingManager::SubmitPin(std::string_view pin, std::string_view name, uint64_t id) {
  if (pin.size() != 4) return absl::InvalidArgumentError("PIN must be 4 digits");
  for (char c : pin) {
    if (c < '0' || c > '9') return absl::InvalidArgumentError("PIN must be 4 digits");
  }
  absl::MutexLock lock(&mu_);
  std::shared_ptr<Session> target;
  for (const auto& [k, s] : sessions_) {
    if (s->phase != Phase::kWaitingForPin) continue;
    if (id != 0 ? s->id == id : (!target || s->id < target->id)) target = s;
  }
  if (!target) return absl::NotFoundError("no pairing is waiting for a PIN");
  Bytes key = nvcrypto::Sha256({nvcrypto::AsStringView(target->salt), pin});
  key.resize(16);
  target->aes_key = std::move(key);
  if (!name.empty()) {
    target->name = std::string(name);
  } else if (!target->device_name.empty() && target->device_name != "roth") {
    target->name = target->device_name;
  } else {
    target->name = "Moonlight client";
  }
  target->phase = Phase::kGotPin;
  return absl::OkStatus();
}

std::vector<PendingPairing> PairingManager::Pending() const {
  absl::MutexLock lock(&mu_);
  std::vector<PendingPairing> out;
  auto now = std::chrono::steady_clock::now();
  for (const auto& [k, s] : sessions_) {
    if (s->phase != Phase::kWaitingForPin) continue;
    PendingPairing p;
    p.id = s->id;
    p.uniqueid = s->uniqueid;
    p.device_name = s->device_name;
    p.client_cn = CommonName(s->client_cert.get());
    p.waiting_seconds = std::chrono::duration_cast<std::chrono::seconds>(now - s->since).count();
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.id < b.id; });
  return out;
}

PairReply PairingManager::ClientChallenge(std::string_view uniqueid, std::string_view hex) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(std::string(uniqueid));
  if (it == sessions_.end()) return FailLocked(uniqueid, 400, "Invalid uniqueid");
  Session& s = *it->second;
  if (s.phase != Phase::kGotPin) return FailLocked(uniqueid, 400, "Out of order pairing request");
  auto ct = nvcrypto::HexDecode(hex);
  if (!ct.ok() || ct->size() != 16) return FailLocked(uniqueid, 400, "Bad clientchallenge");
  auto challenge = nvcrypto::AesEcbDecrypt(s.aes_key, *ct);
  if (!challenge.ok()) return FailLocked(uniqueid, 400, "Bad clientchallenge");
  s.server_secret = nvcrypto::RandomBytes(16);
  s.server_challenge = nvcrypto::RandomBytes(16);
  Bytes host_sig = nvcrypto::CertSignature(state_->cert());
  Bytes h = nvcrypto::Sha256({&*challenge, &host_sig, &s.server_secret});
  Bytes plain = Concat({&h, &s.server_challenge});
  auto enc = nvcrypto::AesEcbEncrypt(s.aes_key, plain);
  if (!enc.ok()) return FailLocked(uniqueid, 500, "Encryption failed");
  s.phase = Phase::kChallenged;
  PairReply r = Paired(true);
  r.fields.emplace_back("challengeresponse", nvcrypto::HexEncode(*enc));
  return r;
}

PairReply PairingManager::ServerChallengeResp(std::string_view uniqueid, std::string_view hex) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(std::string(uniqueid));
  if (it == sessions_.end()) return FailLocked(uniqueid, 400, "Invalid uniqueid");
  Session& s = *it->second;
  if (s.phase != Phase::kChallenged) {
    return FailLocked(uniqueid, 400, "Out of order pairing request");
  }
  auto ct = nvcrypto::HexDecode(hex);
  if (!ct.ok() || ct->size() != 32) return FailLocked(uniqueid, 400, "Bad serverchallengeresp");
  auto client_hash = nvcrypto::AesEcbDecrypt(s.aes_key, *ct);
  if (!client_hash.ok()) return FailLocked(uniqueid, 400, "Bad serverchallengeresp");
  s.client_hash = std::move(*client_hash);
  auto sig = nvcrypto::SignSha256(state_->key(), s.server_secret);
  if (!sig.ok()) return FailLocked(uniqueid, 500, "Signing failed");
  s.phase = Phase::kServerChallengeResp;
  PairReply r = Paired(true);
  r.fields.emplace_back("pairingsecret", nvcrypto::HexEncode(Concat({&s.server_secret, &*sig})));
  return r;
}

PairReply PairingManager::ClientPairingSecret(std::string_view uniqueid, std::string_view hex) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(std::string(uniqueid));
  if (it == sessions_.end()) return FailLocked(uniqueid, 400, "Invalid uniqueid");
  std::shared_ptr<Session> s = it->second;
  if (s->phase != Phase::kServerChallengeResp) {
    return FailLocked(uniqueid, 400, "Out of order pairing request");
  }
  auto data = nvcrypto::HexDecode(hex);
  if (!data.ok() || data->size() <= 16 || data->size() > 16 + 1024) {
    return FailLocked(uniqueid, 400, "Bad clientpairingsecret");
  }
  sessions_.erase(it);  // the session ends here, whatever the outcome
  s->phase = Phase::kDead;
  Bytes client_secret(data->begin(), data->begin() + 16);
  Bytes signature(data->begin() + 16, data->end());
  Bytes client_sig = nvcrypto::CertSignature(s->client_cert.get());
  Bytes expected = nvcrypto::Sha256({&s->server_challenge, &client_sig, &client_secret});
  bool hash_ok = nvcrypto::ConstantTimeEqual(expected, s->client_hash);
  bool sig_ok = nvcrypto::VerifySha256(s->client_cert.get(), client_secret, signature);
  if (!hash_ok || !sig_ok) {
    RecordFailureLocked();
    return Paired(false);  // wrong PIN (or a forged certificate): Sunshine answers 200 + paired 0
  }
  auto added = state_->AddClient(s->name, s->client_cert_pem);
  if (!added.ok()) {
    PairReply r;
    r.status_code = 500;
    r.status_message =
        absl::StrCat("Could not save the paired client: ", std::string(added.status().message()));
    return r;
  }
  failures_ = 0;
  return Paired(true);
}

void PairingManager::Unpair(std::string_view uniqueid) {
  absl::MutexLock lock(&mu_);
  auto it = sessions_.find(std::string(uniqueid));
  if (it == sessions_.end()) return;
  // A client that gives up after phase 3 found the hash mismatch itself: a wrong PIN.
  if (it->second->phase == Phase::kServerChallengeResp) RecordFailureLocked();
  it->second->phase = Phase::kDead;
  sessions_.erase(it);
}

void PairingManager::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_ = true;
}

}  // namespace lumen::moonlight::http
