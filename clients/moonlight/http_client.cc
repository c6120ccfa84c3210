#include "clients/moonlight/http_client.h"

#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <pugixml.hpp>

#include "absl/strings/str_cat.h"
#include "host/moonlight/state/atomic_file.h"

namespace lumen::moonlight::client {
namespace {

using nvcrypto::Bytes;

absl::Status Transport(std::string_view what, httplib::Error e) {
  return absl::UnavailableError(absl::StrCat(std::string(what), ": ", httplib::to_string(e)));
}

Bytes Concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

}  // namespace

absl::StatusOr<ClientIdentity> ClientIdentity::Generate() {
  auto pem = nvcrypto::GenerateIdentity("NVIDIA GameStream Client");
  if (!pem.ok()) return pem.status();
  return FromPem(pem->key_pem, pem->cert_pem);
}

absl::StatusOr<ClientIdentity> ClientIdentity::LoadOrCreate(const std::string& dir) {
  const std::string key_path = dir + "/client.key", cert_path = dir + "/client.pem";
  auto key = state::ReadFile(key_path);
  auto cert = state::ReadFile(cert_path);
  if (key.ok() && cert.ok()) return FromPem(*key, *cert);
  auto id = Generate();
  if (!id.ok()) return id.status();
  if (absl::Status st = state::MakeDirs(dir); !st.ok()) return st;
  if (absl::Status st = state::WriteFileAtomic(key_path, id->key_pem); !st.ok()) return st;
  if (absl::Status st = state::WriteFileAtomic(cert_path, id->cert_pem, 0644); !st.ok()) return st;
  return id;
}

absl::StatusOr<ClientIdentity> ClientIdentity::FromPem(std::string key_pem, std::string cert_pem) {
  ClientIdentity id;
  id.key_pem = std::move(key_pem);
  id.cert_pem = std::move(cert_pem);
  auto c = nvcrypto::ParseCertPem(id.cert_pem);
  auto k = nvcrypto::ParseKeyPem(id.key_pem);
  if (!c.ok()) return c.status();
  if (!k.ok()) return k.status();
  id.cert = std::move(*c);
  id.key = std::move(*k);
  return id;
}

std::string XmlResult::Field(std::string_view name) const {
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return "";
  return doc.child("root").child(std::string(name).c_str()).text().as_string();
}

MoonlightHttpClient::MoonlightHttpClient(std::string host, int http_port,
                                         const ClientIdentity* identity, std::string uniqueid)
    : host_(std::move(host)),
      http_port_(http_port),
      identity_(identity),
      uniqueid_(std::move(uniqueid)) {}

std::string MoonlightHttpClient::CommonQuery() const {
  Bytes u = nvcrypto::RandomBytes(16);
  return absl::StrCat("uniqueid=", uniqueid_, "&uuid=", nvcrypto::HexEncode(u));
}

absl::StatusOr<std::string> MoonlightHttpClient::GetRaw(bool https, std::string_view path,
                                                        std::string_view query) {
  std::string target = absl::StrCat(std::string(path), "?", CommonQuery());
  if (!query.empty()) absl::StrAppend(&target, "&", std::string(query));
  httplib::Result r{nullptr, httplib::Error::Unknown};
  if (https) {
    if (https_port_ == 0) return absl::FailedPreconditionError("HTTPS port unknown");
    httplib::SSLClient cli(host_, https_port_, identity_->cert.get(), identity_->key.get());
    cli.enable_server_certificate_verification(false);  // self-signed: no CA, no host name
    if (pinned_) {
      // The host's certificate must be the one pairing returned, byte for byte.
      SSL_CTX_set_verify(cli.ssl_context(), SSL_VERIFY_PEER, nullptr);
      SSL_CTX_set_cert_verify_callback(
          cli.ssl_context(),
          [](X509_STORE_CTX* ctx, void* self) -> int {
            auto* c = static_cast<MoonlightHttpClient*>(self);
            X509* leaf = X509_STORE_CTX_get0_cert(ctx);
            if (leaf != nullptr && X509_cmp(leaf, c->pinned_.get()) == 0) return 1;
            c->pin_mismatch_ = true;
            X509_STORE_CTX_set_error(ctx, X509_V_ERR_CERT_REJECTED);
            return 0;
          },
          this);
    }
    cli.set_url_encode(false);
    cli.set_read_timeout(120, 0);
    r = cli.Get(target);
  } else {
    httplib::Client cli(host_, http_port_);
    cli.set_url_encode(false);
    cli.set_read_timeout(600, 0);  // getservercert waits for the PIN
    r = cli.Get(target);
  }
  if (!r) return Transport(absl::StrCat(https ? "https " : "http ", std::string(path)), r.error());
  if (r->status != 200) {
    return absl::UnavailableError(
        absl::StrCat("HTTP status ", r->status, " for ", std::string(path)));
  }
  return r->body;
}

absl::Status MoonlightHttpClient::PinServerCert(std::string_view pem) {
  auto cert = nvcrypto::ParseCertPem(pem);
  if (!cert.ok()) return cert.status();
  pinned_ = std::move(*cert);
  return absl::OkStatus();
}

absl::StatusOr<XmlResult> MoonlightHttpClient::Get(bool https, std::string_view path,
                                                   std::string_view query) {
  auto body = GetRaw(https, path, query);
  if (!body.ok()) return body.status();
  XmlResult x;
  x.body = std::move(*body);
  pugi::xml_document doc;
  if (!doc.load_buffer(x.body.data(), x.body.size())) {
    return absl::DataLossError("reply is not XML");
  }
  pugi::xml_node root = doc.child("root");
  if (!root || !root.attribute("status_code")) {
    return absl::DataLossError("reply has no <root status_code>");
  }
  x.status_code = root.attribute("status_code").as_int();
  x.status_message = root.attribute("status_message").as_string();
  return x;
}

absl::StatusOr<ServerInfo> MoonlightHttpClient::GetServerInfo(bool https) {
  auto x = Get(https, "/serverinfo");
  if (!x.ok()) return x.status();
  ServerInfo si;
  si.status_code = x->status_code;
  pugi::xml_document doc;
  doc.load_buffer(x->body.data(), x->body.size());
  pugi::xml_node r = doc.child("root");
  si.hostname = r.child("hostname").text().as_string();
  si.appversion = r.child("appversion").text().as_string();
  si.gfe_version = r.child("GfeVersion").text().as_string();
  si.uniqueid = r.child("uniqueid").text().as_string();
  si.mac = r.child("mac").text().as_string();
  si.local_ip = r.child("LocalIP").text().as_string();
  si.state = r.child("state").text().as_string();
  si.https_port = r.child("HttpsPort").text().as_int();
  si.external_port = r.child("ExternalPort").text().as_int();
  si.pair_status = r.child("PairStatus").text().as_int();
  si.current_game = r.child("currentgame").text().as_int();
  si.codec_mode_support = r.child("ServerCodecModeSupport").text().as_uint();
  si.max_luma_pixels_hevc = r.child("MaxLumaPixelsHEVC").text().as_llong();
  for (pugi::xml_node m : r.child("SupportedDisplayMode").children("DisplayMode")) {
    (void)m;
    ++si.display_modes;
  }
  if (!https && si.https_port > 0) https_port_ = si.https_port;
  return si;
}

absl::Status MoonlightHttpClient::Pair(std::string_view pin, const PairOptions& options) {
  auto fail = [this](absl::Status s) {
    (void)Unpair(false);
    return s;
  };
  auto refused = [&](const XmlResult& x, int phase) {
    return fail(absl::AbortedError(
        absl::StrCat("pairing phase ", phase, " refused: ", x.status_code, " ", x.status_message)));
  };
  // Phase 1: send our certificate and salt; the host answers once its user typed the PIN.
  Bytes salt = nvcrypto::RandomBytes(16);
  auto x = Get(false, "/pair",
               absl::StrCat("devicename=", options.device_name,
                            "&updateState=1&phrase=getservercert&salt=", nvcrypto::HexEncode(salt),
                            "&clientcert=", nvcrypto::HexEncode(identity_->cert_pem)));
  if (!x.ok()) return fail(x.status());
  if (x->status_code != 200 || x->Field("paired") != "1") return refused(*x, 1);
  auto host_pem = nvcrypto::HexDecode(x->Field("plaincert"));
  if (!host_pem.ok()) return fail(absl::DataLossError("bad plaincert"));
  auto host_cert = nvcrypto::ParseCertPem(nvcrypto::AsStringView(*host_pem));
  if (!host_cert.ok()) return fail(host_cert.status());
  Bytes key = nvcrypto::Sha256({nvcrypto::AsStringView(salt), pin});
  key.resize(16);

  // Phase 2: our challenge.
  Bytes challenge = nvcrypto::RandomBytes(16);
  auto enc = nvcrypto::AesEcbEncrypt(key, challenge);
  x = Get(false, "/pair",
          absl::StrCat("devicename=", options.device_name,
                       "&updateState=1&clientchallenge=", nvcrypto::HexEncode(*enc)));
  if (!x.ok()) return fail(x.status());
  if (x->status_code != 200 || x->Field("paired") != "1") return refused(*x, 2);
  auto resp = nvcrypto::HexDecode(x->Field("challengeresponse"));
  if (!resp.ok() || resp->size() != 48) return fail(absl::DataLossError("bad challengeresponse"));
  auto dec = nvcrypto::AesEcbDecrypt(key, *resp);
  Bytes server_hash(dec->begin(), dec->begin() + 32);
  Bytes server_challenge(dec->begin() + 32, dec->end());

  // Phase 3: answer the server's challenge.
  Bytes client_secret = nvcrypto::RandomBytes(16);
  Bytes our_sig = nvcrypto::CertSignature(identity_->cert.get());
  Bytes client_hash = nvcrypto::Sha256({&server_challenge, &our_sig, &client_secret});
  enc = nvcrypto::AesEcbEncrypt(key, client_hash);
  x = Get(false, "/pair",
          absl::StrCat("devicename=", options.device_name,
                       "&updateState=1&serverchallengeresp=", nvcrypto::HexEncode(*enc)));
  if (!x.ok()) return fail(x.status());
  if (x->status_code != 200 || x->Field("paired") != "1") return refused(*x, 3);
  auto secret = nvcrypto::HexDecode(x->Field("pairingsecret"));
  if (!secret.ok() || secret->size() <= 16) return fail(absl::DataLossError("bad pairingsecret"));
  Bytes server_secret(secret->begin(), secret->begin() + 16);
  Bytes server_sig(secret->begin() + 16, secret->end());
  if (!nvcrypto::VerifySha256(host_cert->get(), server_secret, server_sig)) {
    return fail(absl::UnauthenticatedError("host signature invalid (MITM?)"));
  }
  Bytes host_cert_sig = nvcrypto::CertSignature(host_cert->get());
  Bytes expected = nvcrypto::Sha256({&challenge, &host_cert_sig, &server_secret});
  bool pin_ok = nvcrypto::ConstantTimeEqual(expected, server_hash);
  if (!pin_ok && options.stop_on_mismatch) return fail(absl::PermissionDeniedError("wrong PIN"));

  // Phase 4: prove we hold our key.
  auto sig = nvcrypto::SignSha256(identity_->key.get(), client_secret);
  if (!sig.ok()) return fail(sig.status());
  x = Get(false, "/pair",
          absl::StrCat("devicename=", options.device_name, "&updateState=1&clientpairingsecret=",
                       nvcrypto::HexEncode(Concat(client_secret, *sig))));
  if (!x.ok()) return fail(x.status());
  if (x->status_code != 200) return refused(*x, 4);
  if (x->Field("paired") != "1") {
    return fail(pin_ok ? absl::AbortedError("host rejected phase 4")
                       : absl::PermissionDeniedError("wrong PIN"));
  }
  if (!pin_ok) return fail(absl::InternalError("host accepted a mismatched PIN"));

  // Phase 5: over HTTPS with our certificate.
  server_cert_pem_ = std::string(nvcrypto::AsStringView(*host_pem));
  x = Get(true, "/pair",
          absl::StrCat("devicename=", options.device_name, "&updateState=1&phrase=pairchallenge"));
  if (!x.ok()) return fail(x.status());
  if (x->status_code != 200 || x->Field("paired") != "1") return refused(*x, 5);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AppInfo>> MoonlightHttpClient::AppList() {
  auto x = Get(true, "/applist");
  if (!x.ok()) return x.status();
  if (x->status_code != 200) {
    return absl::PermissionDeniedError(absl::StrCat("applist: ", x->status_code));
  }
  pugi::xml_document doc;
  doc.load_buffer(x->body.data(), x->body.size());
  std::vector<AppInfo> out;
  for (pugi::xml_node a : doc.child("root").children("App")) {
    out.push_back({a.child("ID").text().as_int(), a.child("AppTitle").text().as_string(),
                   a.child("IsHdrSupported").text().as_int() == 1});
  }
  return out;
}

namespace {
std::string LaunchQuery(const LaunchOptions& o) {
  std::string q =
      absl::StrCat("appid=", o.app_id, "&mode=", o.width, "x", o.height, "x", o.fps,
                   "&additionalStates=1&sops=0&rikey=", o.rikey_hex, "&rikeyid=", o.rikeyid,
                   "&localAudioPlayMode=0", "&surroundAudioInfo=", o.surround_audio_info,
                   "&remoteControllersBitmap=1&gcmap=1&gcpersist=0&corever=", o.corever);
  if (!o.extra_query.empty()) absl::StrAppend(&q, "&", o.extra_query);
  return q;
}
}  // namespace

absl::StatusOr<XmlResult> MoonlightHttpClient::Launch(const LaunchOptions& o) {
  return Get(true, "/launch", LaunchQuery(o));
}

absl::StatusOr<XmlResult> MoonlightHttpClient::Resume(const LaunchOptions& o) {
  return Get(true, "/resume", LaunchQuery(o));
}

absl::StatusOr<XmlResult> MoonlightHttpClient::Cancel() { return Get(true, "/cancel"); }

absl::StatusOr<XmlResult> MoonlightHttpClient::Unpair(bool https) { return Get(https, "/unpair"); }

}  // namespace lumen::moonlight::client
