// clients/reference/moonlight_session.cc — see moonlight_session.h.
#include "clients/reference/moonlight_session.h"

#include <sodium.h>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "clients/moonlight/control_client.h"
#include "clients/moonlight/http_client.h"
#include "clients/moonlight/rtsp_client.h"
#include "core/transport/crypto.h"
#include "host/moonlight/state/atomic_file.h"
#include "spdlog/spdlog.h"

namespace lumen::client {

namespace ml = ::lumen::moonlight;
namespace state = ::lumen::moonlight::state;

struct MoonlightSession::Impl {
  MoonlightSessionOptions options;
  ml::client::ClientIdentity identity;
  std::unique_ptr<ml::client::MoonlightHttpClient> http;
  std::unique_ptr<ml::client::ControlClient> control;
  std::string describe;
  bool launched = false;
};

namespace {

uint16_t PortOf(const std::string& url) {
  return uint16_t(std::atoi(url.substr(url.rfind(':') + 1).c_str()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<MoonlightSession>> MoonlightSession::Start(
    const MoonlightSessionOptions& o, ClientConfig* video) {
  if (o.host.empty()) return absl::InvalidArgumentError("no host address");
  if (sodium_init() < 0) return absl::InternalError("libsodium init failed");
  auto impl = std::make_unique<Impl>();
  impl->options = o;
  auto id = ml::client::ClientIdentity::LoadOrCreate(o.keydir);
  if (!id.ok()) return id.status();
  impl->identity = std::move(*id);
  impl->http =
      std::make_unique<ml::client::MoonlightHttpClient>(o.host, o.http_port, &impl->identity);
  auto& http = *impl->http;

  // The host's certificate as pairing returned it: from then on HTTPS only talks to a host
  // presenting exactly that one (trust on first use, renewed by pairing again).
  const std::string pin_path = absl::StrCat(o.keydir, "/host-", o.host, "-", o.http_port, ".pem");
  const std::string pinned_pem = state::ReadFile(pin_path).value_or("");
  if (!pinned_pem.empty()) {
    if (absl::Status st = http.PinServerCert(pinned_pem); !st.ok()) {
      return absl::DataLossError(absl::StrCat(pin_path, ": ", st.message()));
    }
  }
  auto info = http.GetServerInfo(false);  // learns the HTTPS port
  if (!info.ok()) return info.status();
  // Only the HTTPS /serverinfo (with our certificate) tells whether we are paired; a host
  // that does not know the certificate refuses it or says PairStatus 0.
  absl::Status secure_error;
  if (auto secure = http.GetServerInfo(true); secure.ok()) {
    info = std::move(secure);
  } else {
    secure_error = secure.status();
  }
  if (info->pair_status != 1) {
    if (o.pin.empty()) {
      if (http.pin_mismatch()) {
        return absl::FailedPreconditionError(
            absl::StrCat(o.host, " does not present the certificate it had when we paired (",
                         pin_path, "; ", secure_error.message(),
                         "): if the host was reinstalled, pair again with "
                         "--pin=NNNN"));
      }
      return absl::FailedPreconditionError(
          absl::StrCat("not paired with ", o.host,
                       ": run again with --pin=NNNN and enter that PIN on the "
                       "host (`lumen pin NNNN`, or the host's pairing page)"));
    }
    spdlog::info("pairing with {}: enter PIN {} on the host", o.host, o.pin);
    if (absl::Status st = http.Pair(o.pin); !st.ok()) return st;
    spdlog::info("paired");
    if (absl::Status st = http.PinServerCert(http.server_cert_pem()); !st.ok()) return st;
    if (absl::Status st = state::WriteFileAtomic(pin_path, http.server_cert_pem(), 0644);
        !st.ok()) {
      spdlog::warn("cannot save the host certificate: {}", st.ToString());
    }
    if (auto secure = http.GetServerInfo(true); secure.ok()) info = std::move(secure);
  }

  auto apps = http.AppList();
  if (!apps.ok()) return apps.status();
  if (apps->empty()) return absl::NotFoundError("the host lists no apps");
  const ml::client::AppInfo* app = &apps->front();
  if (!o.app.empty()) {
    app = nullptr;
    for (const auto& a : *apps) {
      if (a.title == o.app) app = &a;
    }
    if (app == nullptr) return absl::NotFoundError(absl::StrCat("no app \"", o.app, "\""));
  }

  // A fresh launch key (rikey) and key id for this session.
  std::array<uint8_t, 16> rikey;
  randombytes_buf(rikey.data(), rikey.size());
  ml::client::LaunchOptions lo;
  lo.app_id = app->id;
  lo.width = o.width;
  lo.height = o.height;
  lo.fps = o.fps;
  lo.rikey_hex = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(rikey.data()), rikey.size()));
  lo.rikeyid = int32_t(randombytes_random());
  lo.corever = 1;
  auto launched = info->current_game == app->id ? http.Resume(lo) : http.Launch(lo);
  if (!launched.ok()) return launched.status();
  if (launched->status_code != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat("launch refused: ", launched->status_code, " ", launched->status_message));
  }
  impl->launched = true;
  // From here on a failure quits the app again, as the destructor does on success.
  absl::Cleanup quit_on_error = [&impl] {
    if (impl) (void)impl->http->Cancel();
  };
  const std::string url = launched->Field("sessionUrl0");

  ml::client::RtspClientConfig rc;
  rc.host = o.host;
  rc.port = PortOf(url);
  rc.encrypted = url.rfind("rtspenc://", 0) == 0;
  rc.key = rikey;
  rc.width = o.width;
  rc.height = o.height;
  rc.fps = o.fps;
  rc.bitrate_kbps = o.bitrate_kbps;
  rc.supports_hevc = o.hevc;
  rc.lumen_transport = o.lumen_transport;
  rc.lumen_mtu = o.lumen_mtu;
  auto hs = ml::client::RtspClient(rc).Handshake();
  if (!hs.ok()) return hs.status();

  ml::client::ControlClientConfig cc;
  cc.host = o.host;
  cc.port = hs->control_port;
  cc.connect_data = hs->connect_data;
  cc.key = rikey;
  auto control = ml::client::ControlClient::Connect(cc);
  if (!control.ok()) return control.status();
  impl->control = std::move(*control);

  ClientConfig& v = *video;
  v.server = absl::StrCat(o.host, ":", hs->video_port);
  v.ping_payload = hs->ping_payload;
  v.codec = hs->codec == ml::VideoCodec::kHevc ? host::Codec::kHevc : host::Codec::kH264;
  v.packet_size = hs->lumen ? int(hs->lumen->accept.mtu) : rc.packet_size;
  v.framing = hs->lumen ? transport::Framing::kLumen : transport::Framing::kMoonlight;
  v.lumen = hs->lumen ? transport::NegotiatedLumenParams(rikey, hs->lumen->offer, hs->lumen->accept)
                      : transport::LumenParams{};
  const char* codec_name = hs->codec == ml::VideoCodec::kHevc ? "HEVC" : "H.264";
  impl->describe = absl::StrCat(
      codec_name, " ", o.width, "x", o.height, "@", o.fps, " \"", app->title, "\" from ", o.host,
      ", ",
      hs->lumen ? absl::StrCat("lumen framing (", transport::AeadName(hs->lumen->accept.aead), ")")
                : std::string("Moonlight framing"));
  std::move(quit_on_error).Cancel();
  return std::unique_ptr<MoonlightSession>(new MoonlightSession(std::move(impl)));
}

MoonlightSession::MoonlightSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

MoonlightSession::~MoonlightSession() {
  if (impl_->launched) {
    auto r = impl_->http->Cancel();  // quit the app: the host ends the streams
    if (!r.ok()) spdlog::warn("quitting the app: {}", r.status().ToString());
  }
  impl_->control.reset();
}

std::string MoonlightSession::Describe() const { return impl_->describe; }
void MoonlightSession::RequestIdr() {
  if (impl_->control) impl_->control->RequestIdr();
}

void MoonlightSession::SendInput(const moonlight::input::InputEvent& event) {
  std::array<uint8_t, 128> pkt{};
  const size_t n = moonlight::input::EncodeInput(event, pkt);
  if (n > 0 && impl_->control) impl_->control->SendInput(std::span<const uint8_t>(pkt.data(), n));
}

}  // namespace lumen::client
