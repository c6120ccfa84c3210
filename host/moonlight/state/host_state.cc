#include "host/moonlight/state/host_state.h"

#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "host/moonlight/state/atomic_file.h"

namespace lumen::moonlight::state {
namespace {

constexpr char kIdentityFile[] = "identity.pem";
constexpr char kStateFile[] = "state.json";
constexpr char kCertBegin[] = "-----BEGIN CERTIFICATE-----";

std::string EnvOr(const char* name) {
  const char* v = getenv(name);
  return (v != nullptr && v[0] != '\0') ? std::string(v) : std::string();
}

}  // namespace

std::string NewUuid() {
  nvcrypto::Bytes b = nvcrypto::RandomBytes(16);
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);
  std::string hex = nvcrypto::HexEncode(b);
  return absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20));
}

absl::StatusOr<StateDirs> StateDirs::FromEnvironment() {
  StateDirs d;
  std::string home = EnvOr("HOME");
  d.config_dir = EnvOr("LUMEN_CONFIG_DIR");
  if (d.config_dir.empty()) {
    std::string xdg = EnvOr("XDG_CONFIG_HOME");
    if (!xdg.empty()) {
      d.config_dir = absl::StrCat(xdg, "/lumen");
    } else if (!home.empty()) {
      d.config_dir = absl::StrCat(home, "/.config/lumen");
    }
  }
  d.state_dir = EnvOr("LUMEN_STATE_DIR");
  if (d.state_dir.empty()) {
    std::string xdg = EnvOr("XDG_STATE_HOME");
    if (!xdg.empty()) {
      d.state_dir = absl::StrCat(xdg, "/lumen/moonlight");
    } else if (!home.empty()) {
      d.state_dir = absl::StrCat(home, "/.local/state/lumen/moonlight");
    }
  }
  if (d.config_dir.empty() || d.state_dir.empty()) {
    return absl::FailedPreconditionError(
        "cannot resolve config/state directories: set HOME, XDG_CONFIG_HOME/XDG_STATE_HOME or "
        "LUMEN_CONFIG_DIR/LUMEN_STATE_DIR");
  }
  return d;
}

absl::StatusOr<std::unique_ptr<HostState>> HostState::Open(const StateDirs& dirs,
                                                           std::string_view common_name) {
  absl::Status s = MakeDirs(dirs.state_dir);
  if (!s.ok()) return s;
  std::unique_ptr<HostState> st(new HostState());
  st->state_dir_ = dirs.state_dir;

  // Identity: key + certificate in one file so they can never get out of step.
  std::string id_path = absl::StrCat(dirs.state_dir, "/", kIdentityFile);
  absl::StatusOr<std::string> id = ReadFile(id_path);
  if (!id.ok()) {
    if (!absl::IsNotFound(id.status())) return id.status();
    absl::StatusOr<nvcrypto::PemIdentity> gen = nvcrypto::GenerateIdentity(common_name);
    if (!gen.ok()) return gen.status();
    std::string both = gen->key_pem + gen->cert_pem;
    s = WriteFileAtomic(id_path, both);
    if (!s.ok()) return s;
    id = std::move(both);
  }
  size_t cert_at = id->find(kCertBegin);
  if (cert_at == std::string::npos) {
    return absl::DataLossError(absl::StrCat(id_path, ": no certificate in identity file"));
  }
  auto key = nvcrypto::ParseKeyPem(std::string_view(*id).substr(0, cert_at));
  auto cert = nvcrypto::ParseCertPem(std::string_view(*id).substr(cert_at));
  if (!key.ok() || !cert.ok()) {
    return absl::DataLossError(absl::StrCat(id_path, ": unparseable key or certificate"));
  }
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    return absl::DataLossError(absl::StrCat(id_path, ": key does not match certificate"));
  }
  st->key_ = std::move(*key);
  st->cert_ = std::move(*cert);
  st->cert_pem_ = nvcrypto::CertToPem(st->cert_.get());

  absl::MutexLock lock(&st->mu_);
  s = st->LoadClientsLocked();
  if (absl::IsNotFound(s)) {
    st->unique_id_ = NewUuid();
    s = st->SaveLocked();
  }
  if (!s.ok()) return s;
  return st;
}

absl::Status HostState::LoadClientsLocked() {
  std::string path = absl::StrCat(state_dir_, "/", kStateFile);
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("uniqueid") || !j["uniqueid"].is_string()) {
    return absl::DataLossError(absl::StrCat(path, ": not a lumen state file"));
  }
  std::vector<PairedClient> clients;
  if (j.contains("clients") && j["clients"].is_array()) {
    for (const auto& c : j["clients"]) {
      if (!c.is_object() || !c.contains("cert") || !c["cert"].is_string()) {
        return absl::DataLossError(absl::StrCat(path, ": malformed client entry"));
      }
      PairedClient pc;
      pc.name = c.value("name", "");
      pc.uuid = c.value("uuid", "");
      pc.cert_pem = c["cert"].get<std::string>();
      pc.enabled = c.value("enabled", true);
      auto x = nvcrypto::ParseCertPem(pc.cert_pem);
      if (!x.ok()) return absl::DataLossError(absl::StrCat(path, ": bad client certificate"));
      pc.fingerprint = nvcrypto::CertFingerprint(x->get());
      clients.push_back(std::move(pc));
    }
  }
  std::string uid = j["uniqueid"].get<std::string>();
  if (!unique_id_.empty() && uid != unique_id_) {
    return absl::DataLossError(absl::StrCat(path, ": host uniqueid changed underneath us"));
  }
  unique_id_ = uid;
  clients_ = std::move(clients);
  return absl::OkStatus();
}

absl::Status HostState::SaveLocked() {
  nlohmann::json j;
  j["version"] = 1;
  j["uniqueid"] = unique_id_;
  j["clients"] = nlohmann::json::array();
  for (const PairedClient& c : clients_) {
    j["clients"].push_back(
        {{"name", c.name}, {"uuid", c.uuid}, {"cert", c.cert_pem}, {"enabled", c.enabled}});
  }
  return WriteFileAtomic(absl::StrCat(state_dir_, "/", kStateFile), j.dump(2) + "\n");
}

std::vector<PairedClient> HostState::Clients() const {
  absl::MutexLock lock(&mu_);
  return clients_;
}

std::optional<PairedClient> HostState::FindClientByCert(X509* cert) const {
  if (cert == nullptr) return std::nullopt;
  nvcrypto::Bytes fp = nvcrypto::CertFingerprint(cert);
  absl::MutexLock lock(&mu_);
  for (const PairedClient& c : clients_) {
    if (c.enabled && nvcrypto::ConstantTimeEqual(c.fingerprint, fp)) return c;
  }
  return std::nullopt;
}

absl::StatusOr<PairedClient> HostState::AddClient(std::string_view name,
                                                  std::string_view cert_pem) {
  auto x = nvcrypto::ParseCertPem(cert_pem);
  if (!x.ok()) return x.status();
  nvcrypto::Bytes fp = nvcrypto::CertFingerprint(x->get());
  std::string base = name.empty() ? std::string("client") : std::string(name);
  absl::MutexLock lock(&mu_);
  std::vector<PairedClient> next = clients_;
  // Re-pairing the same certificate replaces the old entry.
  for (auto it = next.begin(); it != next.end();) {
    it = nvcrypto::ConstantTimeEqual(it->fingerprint, fp) ? next.erase(it) : it + 1;
  }
  std::string unique = base;
  for (int n = 2;; ++n) {
    bool taken = false;
    for (const PairedClient& c : next) taken |= (c.name == unique);
    if (!taken) break;
    unique = absl::StrCat(base, " (", n, ")");
  }
  PairedClient pc;
  pc.name = unique;
  pc.uuid = NewUuid();
  pc.cert_pem = std::string(cert_pem);
  pc.fingerprint = fp;
  next.push_back(pc);
  std::swap(clients_, next);
  absl::Status s = SaveLocked();
  if (!s.ok()) {
    std::swap(clients_, next);  // keep memory and disk in step
    return s;
  }
  return pc;
}

absl::Status HostState::RemoveClient(std::string_view name_or_uuid) {
  absl::MutexLock lock(&mu_);
  std::vector<PairedClient> next;
  for (const PairedClient& c : clients_) {
    if (c.name != name_or_uuid && c.uuid != name_or_uuid) next.push_back(c);
  }
  if (next.size() == clients_.size()) {
    return absl::NotFoundError(
        absl::StrCat("no paired client named '", std::string(name_or_uuid), "'"));
  }
  std::swap(clients_, next);
  absl::Status s = SaveLocked();
  if (!s.ok()) std::swap(clients_, next);
  return s;
}

absl::Status HostState::Reload() {
  absl::MutexLock lock(&mu_);
  return LoadClientsLocked();
}

}  // namespace lumen::moonlight::state
