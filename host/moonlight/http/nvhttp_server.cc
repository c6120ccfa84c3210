#include "host/moonlight/http/nvhttp_server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "host/moonlight/http/box_art.h"
#include "host/moonlight/http/xml_reply.h"
#include "host/moonlight/state/atomic_file.h"

namespace lumen::moonlight::http {
namespace {

constexpr char kAppVersion[] = "7.1.431.-1";
constexpr char kGfeVersion[] = "3.23.0.74";
constexpr long long kMaxLumaPixelsHevc = 1869449984LL;
constexpr int kHttpWorkers = 12;  // > kMaxPendingPairings so pairing cannot starve serverinfo
constexpr int kHttpsWorkers = 8;
constexpr int kAdminWorkers = 2;

void SendXml(httplib::Response& res, const XmlReply& x) {
  res.status = 200;
  res.set_content(x.ToString(), "application/xml");
}

int XmlCodeFor(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kAlreadyExists:
      return 400;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kNotFound:
      return 404;
    default:
      return 503;
  }
}

// IPv4-mapped IPv6 ("::ffff:a.b.c.d") to plain IPv4.
std::string Unmap(const std::string& addr) {
  if (addr.rfind("::ffff:", 0) == 0 && addr.find('.') != std::string::npos) return addr.substr(7);
  return addr;
}

bool IsIpv6(const std::string& addr) { return addr.find(':') != std::string::npos; }

// MAC address of the interface that owns IPv4 `addr`, or all zeros.
std::string MacForAddress(const std::string& addr) {
  std::string zero = "00:00:00:00:00:00";
  in_addr want{};
  if (inet_pton(AF_INET, addr.c_str(), &want) != 1) return zero;
  ifaddrs* ifs = nullptr;
  if (getifaddrs(&ifs) != 0) return zero;
  std::string name;
  for (ifaddrs* i = ifs; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
        reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr == want.s_addr) {
      name = i->ifa_name;
    }
  }
  std::string mac = zero;
  for (ifaddrs* i = ifs; i != nullptr && !name.empty(); i = i->ifa_next) {
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_PACKET && name == i->ifa_name) {
      auto* ll = reinterpret_cast<sockaddr_ll*>(i->ifa_addr);
      if (ll->sll_halen == 6) {
        mac = absl::StrFormat("%02x:%02x:%02x:%02x:%02x:%02x", ll->sll_addr[0], ll->sll_addr[1],
                              ll->sll_addr[2], ll->sll_addr[3], ll->sll_addr[4], ll->sll_addr[5]);
      }
    }
  }
  freeifaddrs(ifs);
  return mac;
}

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

absl::StatusOr<QueryParams> ParseTarget(const httplib::Request& req) {
  return ParseQuery(QueryOf(req.target));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// BasicSessionHandler

absl::StatusOr<LaunchResult> BasicSessionHandler::Launch(const LaunchRequest& req) {
  absl::MutexLock lock(&mu_);
  current_app_ = req.params.app_id;
  last_ = req;
  return LaunchResult{};
}

absl::StatusOr<LaunchResult> BasicSessionHandler::Resume(const LaunchRequest& req) {
  absl::MutexLock lock(&mu_);
  if (current_app_ == 0) return absl::UnavailableError("No running app to resume");
  last_ = req;
  return LaunchResult{};
}

absl::Status BasicSessionHandler::Cancel() {
  absl::MutexLock lock(&mu_);
  current_app_ = 0;
  return absl::OkStatus();
}

int BasicSessionHandler::CurrentAppId() const {
  absl::MutexLock lock(&mu_);
  return current_app_;
}

LaunchRequest BasicSessionHandler::last_request() const {
  absl::MutexLock lock(&mu_);
  return last_;
}

// ---------------------------------------------------------------------------------------------
// NvHttpServer

std::string AdminFilePath(const state::StateDirs& dirs) {
  return absl::StrCat(dirs.state_dir, "/admin.json");
}

NvHttpServer::NvHttpServer(NvHttpOptions options, state::HostState* state, SessionHandler* handler)
    : options_(std::move(options)),
      state_(state),
      basic_handler_(handler ? nullptr : std::make_unique<BasicSessionHandler>()),
      handler_(handler ? handler : basic_handler_.get()),
      pairing_(state, PairingLimits{options_.config.pair_max_failures,
                                    std::chrono::seconds(options_.config.pair_lockout_seconds)}),
      codec_mask_(options_.config.codec_mask) {
  hostname_ = options_.config.hostname;
  if (hostname_.empty()) {
    char buf[256] = {0};
    if (gethostname(buf, sizeof(buf) - 1) == 0) hostname_ = buf;
    if (hostname_.empty()) hostname_ = "lumen";
  }
  admin_token_ = nvcrypto::HexEncode(nvcrypto::RandomBytes(16));
}

NvHttpServer::~NvHttpServer() { Stop(); }

absl::Status NvHttpServer::Start() {
  if (started_) return absl::FailedPreconditionError("already started");
  const state::HostConfig& c = options_.config;

  http_ = std::make_unique<httplib::Server>();
  https_ = std::make_unique<httplib::SSLServer>([this](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    if (SSL_CTX_use_certificate(&ctx, state_->cert()) != 1) return false;
    if (SSL_CTX_use_PrivateKey(&ctx, state_->key()) != 1) return false;
    // Clients present self-signed certificates: accept any at the TLS layer, authorize later
    // by comparing against the paired list (protocol doc §2.4).
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       [](int, X509_STORE_CTX*) { return 1; });
    static const unsigned char kSid[] = "lumen-nvhttp";
    SSL_CTX_set_session_id_context(&ctx, kSid, sizeof(kSid) - 1);
    return true;
  });
  if (!https_->is_valid()) return absl::InternalError("cannot set up the TLS context");

  struct Bind {
    httplib::Server* srv;
    std::string host;
    int port;
    int* out;
    int workers;
  };
  std::vector<Bind> binds = {
      {http_.get(), c.bind_address, c.http_port, &http_port_, kHttpWorkers},
      {https_.get(), c.bind_address, c.https_port, &https_port_, kHttpsWorkers}};
  InstallNvHttpRoutes(*http_, /*https=*/false);
  InstallNvHttpRoutes(*https_, /*https=*/true);
  if (options_.enable_admin) {
    admin_ = std::make_unique<httplib::Server>();
    InstallAdminRoutes(*admin_);
    binds.push_back({admin_.get(), c.admin_bind, c.admin_port, &admin_port_, kAdminWorkers});
  }
  for (Bind& b : binds) {
    int workers = b.workers;
    b.srv->new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
    b.srv->set_keep_alive_max_count(1);  // close after each response (protocol doc §2.1)
    b.srv->set_read_timeout(10, 0);
    b.srv->set_write_timeout(10, 0);
    b.srv->set_payload_max_length(64 * 1024);
    b.srv->set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return;
      XmlReply x(res.status == 404 ? 404 : res.status,
                 res.status == 404 ? "Not found" : "Bad request");
      res.set_content(x.ToString(), "application/xml");
    });
    int port = b.port;
    if (port == 0) {
      port = b.srv->bind_to_any_port(b.host);
      if (port < 0) {
        Stop();
        return absl::UnavailableError(absl::StrCat("cannot bind ", b.host, ":0"));
      }
    } else if (!b.srv->bind_to_port(b.host, port)) {
      Stop();
      return absl::UnavailableError(absl::StrCat("cannot bind ", b.host, ":", port));
    }
    *b.out = port;
  }
  for (Bind& b : binds) {
    httplib::Server* srv = b.srv;
    threads_.emplace_back([srv] { srv->listen_after_bind(); });
  }
  // httplib's stop() is a no-op until the listener loop has begun, so wait for every loop to
  // run; otherwise an early Stop() would leave a thread listening forever.
  for (Bind& b : binds) {
    while (!b.srv->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  started_ = true;

  if (options_.enable_admin && options_.write_admin_file) {
    nlohmann::json j = {{"port", admin_port_},     {"bind", c.admin_bind},
                        {"token", admin_token_},   {"pid", static_cast<int>(getpid())},
                        {"http_port", http_port_}, {"https_port", https_port_}};
    admin_file_ = absl::StrCat(state_->state_dir(), "/admin.json");
    absl::Status s = state::WriteFileAtomic(admin_file_, j.dump() + "\n", 0600);
    if (!s.ok()) {
      fprintf(stderr, "lumen: cannot write %s: %s (lumen pin will not find this host)\n",
              admin_file_.c_str(), std::string(s.message()).c_str());
      admin_file_.clear();
    }
  }
  return absl::OkStatus();
}

void NvHttpServer::Stop() {
  pairing_.Shutdown();
  for (auto* srv : {static_cast<httplib::Server*>(http_.get()),
                    static_cast<httplib::Server*>(https_.get()), admin_.get()}) {
    if (srv != nullptr) srv->stop();
  }
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  if (!admin_file_.empty()) {
    unlink(admin_file_.c_str());
    admin_file_.clear();
  }
  started_ = false;
}

void NvHttpServer::InstallNvHttpRoutes(httplib::Server& srv, bool https) {
  // Authorization for HTTPS: the client certificate must be in the paired list.
  auto authorize = [this, https](const httplib::Request& req,
                                 httplib::Response& res) -> std::optional<state::PairedClient> {
    if (!https) return std::nullopt;
    X509* peer = req.ssl ? SSL_get0_peer_certificate(req.ssl) : nullptr;
    std::optional<state::PairedClient> c = state_->FindClientByCert(peer);
    if (!c) {
      XmlReply x(401, "The client is not authorized. Certificate verification failed.");
      x.SetAttribute("query", req.path);
      SendXml(res, x);
    }
    return c;
  };
  auto bad_query = [](httplib::Response& res, const absl::Status& s) {
    SendXml(res, XmlReply(400, std::string(s.message())));
  };

  srv.Get("/serverinfo",
          [this, https, authorize, bad_query](const httplib::Request& req, httplib::Response& res) {
            auto q = ParseTarget(req);
            if (!q.ok()) return bad_query(res, q.status());
            bool paired = false;
            if (https) {
              if (!authorize(req, res)) return;
              paired = true;
            }
            std::string local = Unmap(req.local_addr);
            int current = handler_->CurrentAppId();
            uint32_t codecs = codec_mask_.load();
            XmlReply x;
            x.Add("hostname", hostname_);
            x.Add("appversion", kAppVersion);
            x.Add("GfeVersion", kGfeVersion);
            x.Add("uniqueid", state_->unique_id());
            x.Add("HttpsPort", https_port_);
            x.Add("ExternalPort", http_port_);
            x.Add("MaxLumaPixelsHEVC",
                  (codecs & (kScmHevc | kScmHevcMain10)) != 0 ? kMaxLumaPixelsHevc : 0LL);
            x.Add("mac", https ? MacForAddress(local) : std::string("00:00:00:00:00:00"));
            x.Add("LocalIP", IsIpv6(local) ? std::string("127.0.0.1") : local);
            if (!options_.config.external_ip.empty())
              x.Add("ExternalIP", options_.config.external_ip);
            x.Add("ServerCodecModeSupport", static_cast<long long>(codecs));
            pugi::xml_node modes = x.AddEmpty("SupportedDisplayMode");
            for (const DisplayMode& m : options_.display_modes) {
              pugi::xml_node d = modes.append_child("DisplayMode");
              x.AddChild(d, "Width", std::to_string(m.width));
              x.AddChild(d, "Height", std::to_string(m.height));
              x.AddChild(d, "RefreshRate", std::to_string(m.refresh));
            }
            x.Add("PairStatus", paired ? 1 : 0);
            x.Add("currentgame", current);
            x.Add("state", current != 0 ? "SUNSHINE_SERVER_BUSY" : "SUNSHINE_SERVER_FREE");
            SendXml(res, x);
          });

  srv.Get("/pair",
          [this, https, authorize, bad_query](const httplib::Request& req, httplib::Response& res) {
            auto q = ParseTarget(req);
            if (!q.ok()) return bad_query(res, q.status());
            bool authorized = false;
            if (https) {
              if (!authorize(req, res)) return;
              authorized = true;
            }
            PairReply r = pairing_.Handle(*q, authorized);
            XmlReply x(r.status_code, r.status_message);
            x.Add("paired", r.paired ? 1 : 0);
            for (const auto& [k, v] : r.fields) x.Add(k, v);
            SendXml(res, x);
          });

  srv.Get("/unpair",
          [this, https, authorize, bad_query](const httplib::Request& req, httplib::Response& res) {
            auto q = ParseTarget(req);
            if (!q.ok()) return bad_query(res, q.status());
            if (https) {
              // A paired client asking to forget itself.
              std::optional<state::PairedClient> c = authorize(req, res);
              if (!c) return;
              absl::Status s = state_->RemoveClient(c->uuid);
              if (!s.ok() && !absl::IsNotFound(s))
                return SendXml(res, XmlReply(500, std::string(s.message())));
            } else {
              pairing_.Unpair(q->Get("uniqueid").value_or(""));
            }
            SendXml(res, XmlReply(200));
          });

  if (!https) return;  // everything below is HTTPS-only

  srv.Get("/applist", [this, authorize](const httplib::Request& req, httplib::Response& res) {
    if (!authorize(req, res)) return;
    XmlReply x;
    for (const state::AppEntry& a : options_.config.apps) {
      pugi::xml_node app = x.AddEmpty("App");
      x.AddChild(app, "IsHdrSupported", a.hdr ? "1" : "0");
      x.AddChild(app, "AppTitle", a.title);
      x.AddChild(app, "ID", std::to_string(a.id));
    }
    SendXml(res, x);
  });

  srv.Get("/appasset",
          [this, authorize, bad_query](const httplib::Request& req, httplib::Response& res) {
            if (!authorize(req, res)) return;
            auto q = ParseTarget(req);
            if (!q.ok()) return bad_query(res, q.status());
            auto id_text = q->Get("appid");
            auto id = id_text ? ParseInt(*id_text, 1, INT32_MAX) : absl::StatusOr<int64_t>(0);
            if (!id_text || !id.ok()) return SendXml(res, XmlReply(400, "Missing or bad appid"));
            for (const state::AppEntry& a : options_.config.apps) {
              if (a.id != *id) continue;
              if (!a.image_path.empty()) {
                auto png = state::ReadFile(a.image_path);
                if (png.ok()) {
                  res.set_content(*png, "image/png");
                  return;
                }
              }
              res.set_content(DefaultBoxArtPng(), "image/png");
              return;
            }
            SendXml(res, XmlReply(404, "Cannot find requested application"));
          });

  auto launch_or_resume = [this, authorize, bad_query](const httplib::Request& req,
                                                       httplib::Response& res, bool resume) {
    std::optional<state::PairedClient> client = authorize(req, res);
    if (!client) return;
    const char* flag = resume ? "resume" : "gamesession";
    auto fail = [&](int code, const std::string& msg) {
      XmlReply x(code, msg);
      x.Add(flag, 0);
      SendXml(res, x);
    };
    auto q = ParseTarget(req);
    if (!q.ok()) return fail(400, std::string(q.status().message()));
    auto p = ParseLaunchParams(*q, resume);
    if (!p.ok()) return fail(400, std::string(p.status().message()));
    if (!resume) {
      bool known = false;
      for (const state::AppEntry& a : options_.config.apps) known |= (a.id == p->app_id);
      if (!known) return fail(404, "Cannot find requested application");
      if (handler_->CurrentAppId() != 0) return fail(400, "An app is already running");
    } else if (handler_->CurrentAppId() == 0) {
      return fail(503, "No running app to resume");
    }
    LaunchRequest lr;
    lr.params = *p;
    if (resume && lr.params.app_id == 0) lr.params.app_id = handler_->CurrentAppId();
    lr.client_name = client->name;
    lr.client_uuid = client->uuid;
    lr.local_address = Unmap(req.local_addr);
    lr.resume = resume;
    absl::StatusOr<LaunchResult> r = resume ? handler_->Resume(lr) : handler_->Launch(lr);
    if (!r.ok()) return fail(XmlCodeFor(r.status()), std::string(r.status().message()));
    std::string host =
        IsIpv6(lr.local_address) ? absl::StrCat("[", lr.local_address, "]") : lr.local_address;
    bool enc = r->rtsp_encrypted && p->corever >= 1;
    XmlReply x;
    x.Add("sessionUrl0",
          absl::StrCat(enc ? "rtspenc://" : "rtsp://", host, ":", options_.config.rtsp_port));
    x.Add(flag, 1);
    SendXml(res, x);
  };
  srv.Get("/launch", [launch_or_resume](const httplib::Request& req, httplib::Response& res) {
    launch_or_resume(req, res, false);
  });
  srv.Get("/resume", [launch_or_resume](const httplib::Request& req, httplib::Response& res) {
    launch_or_resume(req, res, true);
  });

  srv.Get("/cancel", [this, authorize](const httplib::Request& req, httplib::Response& res) {
    if (!authorize(req, res)) return;
    absl::Status s = handler_->Cancel();
    XmlReply x(s.ok() ? 200 : XmlCodeFor(s), s.ok() ? std::string() : std::string(s.message()));
    x.Add("cancel", s.ok() ? 1 : 0);
    SendXml(res, x);
  });
}

// ---------------------------------------------------------------------------------------------
// Admin endpoint: loopback-only page and JSON API for PIN entry and client management.

void NvHttpServer::InstallAdminRoutes(httplib::Server& srv) {
  auto token_ok = [this](const httplib::Request& req) {
    std::string t = req.get_header_value("X-Lumen-Token");
    if (t.empty()) t = req.get_param_value("token");
    nvcrypto::Bytes a(t.begin(), t.end());
    nvcrypto::Bytes b(admin_token_.begin(), admin_token_.end());
    return nvcrypto::ConstantTimeEqual(a, b);
  };
  auto json_reply = [](httplib::Response& res, int status, const nlohmann::json& j) {
    res.status = status;
    res.set_content(j.dump() + "\n", "application/json");
  };
  auto deny = [json_reply](httplib::Response& res) {
    json_reply(res, 403, {{"ok", false}, {"error", "bad or missing admin token"}});
  };

  srv.Get("/", [this, token_ok](const httplib::Request& req, httplib::Response& res) {
    if (!token_ok(req)) {
      res.status = 403;
      res.set_content(
          "<!doctype html><title>lumen</title><p>Open the link with the access token that "
          "<code>lumen serve</code> printed, or use <code>lumen pin NNNN</code>.</p>",
          "text/html; charset=utf-8");
      return;
    }
    std::string tok = HtmlEscape(admin_token_);
    std::string msg = req.get_param_value("msg");
    std::string html = absl::StrCat(
        "<!doctype html><html><head><meta charset=utf-8><title>lumen pairing</title>"
        "<style>body{font-family:sans-serif;max-width:40em;margin:2em auto}"
        "td,th{padding:.2em .6em;text-align:left}</style></head><body>"
        "<h1>lumen: ",
        HtmlEscape(hostname_), "</h1>");
    if (!msg.empty()) absl::StrAppend(&html, "<p><b>", HtmlEscape(msg), "</b></p>");
    absl::StrAppend(&html, "<h2>Pending pairing requests</h2>");
    std::vector<PendingPairing> pending = pairing_.Pending();
    if (pending.empty()) {
      absl::StrAppend(&html, "<p>None. Start pairing in Moonlight; it shows a PIN.</p>");
    }
    for (const PendingPairing& p : pending) {
      absl::StrAppend(&html,
                      "<form method=post action=/pin><input type=hidden name=token value=", tok,
                      "><input type=hidden name=id value=", p.id, ">Request #", p.id, " (",
                      HtmlEscape(p.device_name.empty() ? p.uniqueid : p.device_name), ", waiting ",
                      p.waiting_seconds,
                      " s) PIN <input name=pin size=4 maxlength=4 pattern='[0-9]{4}' required> "
                      "name <input name=name placeholder='my phone'> <button>Pair</button>"
                      "</form>");
    }
    absl::StrAppend(&html, "<h2>Paired clients</h2><table><tr><th>name</th><th>id</th></tr>");
    for (const state::PairedClient& c : state_->Clients()) {
      absl::StrAppend(&html, "<tr><td>", HtmlEscape(c.name), "</td><td>", HtmlEscape(c.uuid),
                      "</td><td><form method=post action=/unpair><input type=hidden "
                      "name=token value=",
                      tok, "><input type=hidden name=name value='", HtmlEscape(c.uuid),
                      "'><button>Unpair</button></form></td></tr>");
    }
    absl::StrAppend(&html, "</table></body></html>");
    res.set_content(html, "text/html; charset=utf-8");
  });

  // Form posts from the page: act, then redirect back with a message.
  srv.Post("/pin", [this, token_ok](const httplib::Request& req, httplib::Response& res) {
    if (!token_ok(req)) return res.set_content("forbidden", "text/plain"), void(res.status = 403);
    uint64_t id = 0;
    auto idp = ParseInt(req.get_param_value("id"), 0, INT64_MAX);
    if (idp.ok()) id = static_cast<uint64_t>(*idp);
    absl::Status s =
        pairing_.SubmitPin(req.get_param_value("pin"), req.get_param_value("name"), id);
    std::string msg =
        s.ok() ? "PIN entered; finish pairing on the client." : std::string(s.message());
    res.set_redirect(
        absl::StrCat("/?token=", admin_token_, "&msg=", httplib::detail::encode_query_param(msg)));
  });
  srv.Post("/unpair", [this, token_ok](const httplib::Request& req, httplib::Response& res) {
    if (!token_ok(req)) return res.set_content("forbidden", "text/plain"), void(res.status = 403);
    absl::Status s = state_->RemoveClient(req.get_param_value("name"));
    std::string msg = s.ok() ? "Client removed." : std::string(s.message());
    res.set_redirect(
        absl::StrCat("/?token=", admin_token_, "&msg=", httplib::detail::encode_query_param(msg)));
  });

  // JSON API used by `lumen pin`, `lumen clients`, `lumen unpair`.
  srv.Post("/api/pin",
           [this, token_ok, json_reply, deny](const httplib::Request& req, httplib::Response& res) {
             if (!token_ok(req)) return deny(res);
             uint64_t id = 0;
             if (!req.get_param_value("id").empty()) {
               auto idp = ParseInt(req.get_param_value("id"), 0, INT64_MAX);
               if (!idp.ok()) return json_reply(res, 400, {{"ok", false}, {"error", "bad id"}});
               id = static_cast<uint64_t>(*idp);
             }
             absl::Status s =
                 pairing_.SubmitPin(req.get_param_value("pin"), req.get_param_value("name"), id);
             if (!s.ok()) {
               return json_reply(res, absl::IsNotFound(s) ? 404 : 400,
                                 {{"ok", false}, {"error", std::string(s.message())}});
             }
             json_reply(res, 200, {{"ok", true}});
           });
  srv.Get("/api/pending",
          [this, token_ok, json_reply, deny](const httplib::Request& req, httplib::Response& res) {
            if (!token_ok(req)) return deny(res);
            nlohmann::json arr = nlohmann::json::array();
            for (const PendingPairing& p : pairing_.Pending()) {
              arr.push_back({{"id", p.id},
                             {"uniqueid", p.uniqueid},
                             {"devicename", p.device_name},
                             {"waiting_seconds", p.waiting_seconds}});
            }
            json_reply(res, 200, {{"ok", true}, {"pending", arr}, {"locked", pairing_.locked()}});
          });
  srv.Get("/api/clients",
          [this, token_ok, json_reply, deny](const httplib::Request& req, httplib::Response& res) {
            if (!token_ok(req)) return deny(res);
            nlohmann::json arr = nlohmann::json::array();
            for (const state::PairedClient& c : state_->Clients()) {
              arr.push_back({{"name", c.name},
                             {"uuid", c.uuid},
                             {"enabled", c.enabled},
                             {"fingerprint", nvcrypto::HexEncode(c.fingerprint)}});
            }
            json_reply(res, 200, {{"ok", true}, {"clients", arr}});
          });
  srv.Post("/api/unpair",
           [this, token_ok, json_reply, deny](const httplib::Request& req, httplib::Response& res) {
             if (!token_ok(req)) return deny(res);
             absl::Status s = state_->RemoveClient(req.get_param_value("name"));
             if (!s.ok()) {
               return json_reply(res, absl::IsNotFound(s) ? 404 : 500,
                                 {{"ok", false}, {"error", std::string(s.message())}});
             }
             json_reply(res, 200, {{"ok", true}});
           });
}

}  // namespace lumen::moonlight::http
