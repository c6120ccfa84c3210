// End-to-end tests of the nvhttp server over real loopback sockets and real OpenSSL/TLS, driven
// by the real pairing client in //clients/moonlight.
#include "host/moonlight/http/nvhttp_server.h"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "clients/moonlight/http_client.h"
#include "host/moonlight/state/atomic_file.h"

namespace lumen::moonlight::http {
namespace {

using client::ClientIdentity;
using client::MoonlightHttpClient;

std::string TempDir() {
  const char* base = getenv("TEST_TMPDIR");
  std::string t = absl::StrCat(base ? base : "/tmp", "/lumen_nvhttp_XXXXXX");
  REQUIRE(mkdtemp(t.data()) != nullptr);
  return t;
}

// Identities are slow to generate (RSA-2048); share a few across tests.
const ClientIdentity& Identity(int i) {
  static ClientIdentity* ids[3] = {};
  if (!ids[i]) ids[i] = new ClientIdentity(std::move(*ClientIdentity::Generate()));
  return *ids[i];
}

struct Host {
  explicit Host(std::string config_json = "{}") {
    std::string root = TempDir();
    dirs = {root + "/config", root + "/state"};
    auto st = state::HostState::Open(dirs);
    REQUIRE(st.ok());
    state = std::move(*st);
    auto cfg = state::ParseHostConfig(config_json);
    REQUIRE(cfg.ok());
    NvHttpOptions o;
    o.config = *cfg;
    o.config.http_port = o.config.https_port = o.config.admin_port = 0;
    o.config.bind_address = "127.0.0.1";
    o.config.hostname = "testhost";
    server = std::make_unique<NvHttpServer>(o, state.get(), nullptr);
    REQUIRE(server->Start().ok());
  }
  MoonlightHttpClient Client(int identity, std::string uniqueid = "0123456789ABCDEF") {
    MoonlightHttpClient c("127.0.0.1", server->http_port(), &Identity(identity), uniqueid);
    c.set_https_port(server->https_port());
    return c;
  }
  void WaitPending() {
    for (int i = 0; i < 100000 && server->pairing().Pending().empty(); ++i) usleep(1000);
    REQUIRE(!server->pairing().Pending().empty());
  }
  // Pairs `identity` with `client_pin` while the host user types `host_pin`.
  absl::Status Pair(int identity, const char* client_pin, const char* host_pin,
                    client::PairOptions opts = {}) {
    MoonlightHttpClient c = Client(identity);
    absl::Status result;
    std::thread t([&] { result = c.Pair(client_pin, opts); });
    WaitPending();
    CHECK(server->pairing().SubmitPin(host_pin, "dev").ok());
    t.join();
    return result;
  }

  state::StateDirs dirs;
  std::unique_ptr<state::HostState> state;
  std::unique_ptr<NvHttpServer> server;
};

// Sends raw bytes to a TCP port and reads until close (or a few KB).
std::string RawExchange(int port, const std::string& bytes, bool half_close = true) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  (void)!write(fd, bytes.data(), bytes.size());
  if (half_close) shutdown(fd, SHUT_WR);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0 && out.size() < 65536) out.append(buf, n);
  close(fd);
  return out;
}

}  // namespace

TEST_SUITE("NvHttpServer") {
  TEST_CASE("ServerInfo.HttpFields") {
    Host h(R"({"codec_mask": 257})");
    MoonlightHttpClient c = h.Client(0);
    auto si = c.GetServerInfo(false);
    REQUIRE(si.ok());
    CHECK(si->status_code == 200);
    CHECK(si->hostname == "testhost");
    CHECK(si->appversion == "7.1.431.-1");
    CHECK(si->gfe_version == "3.23.0.74");
    CHECK(si->uniqueid == h.state->unique_id());
    CHECK(si->https_port == h.server->https_port());
    CHECK(si->external_port == h.server->http_port());
    CHECK(si->codec_mode_support == 257u);
    CHECK(si->max_luma_pixels_hevc == 1869449984LL);
    CHECK(si->pair_status == 0);
    CHECK(si->current_game == 0);
    CHECK(si->state == "SUNSHINE_SERVER_FREE");
    CHECK(si->local_ip == "127.0.0.1");
    CHECK(si->mac == "00:00:00:00:00:00");
    CHECK(si->display_modes == 3);
    CHECK(si->state.find("MJOLNIR") == std::string::npos);

    // H.264 only: no HEVC luma budget. The encoder probe can change the mask at run time.
    h.server->SetCodecMask(kScmH264);
    si = c.GetServerInfo(false);
    CHECK(si->codec_mode_support == 1u);
    CHECK(si->max_luma_pixels_hevc == 0);
  }

  TEST_CASE("Pairing.RightPinThenHttpsWorks") {
    Host h;
    REQUIRE(h.Pair(0, "4821", "4821").ok());
    auto clients = h.state->Clients();
    REQUIRE(clients.size() == 1);
    CHECK(clients[0].name == "dev");

    MoonlightHttpClient c = h.Client(0);
    CHECK(c.server_cert_pem().empty());  // fresh client object; pairing state lives on the host
    auto si = c.GetServerInfo(true);
    REQUIRE(si.ok());
    CHECK(si->status_code == 200);
    CHECK(si->pair_status == 1);

    auto apps = c.AppList();
    REQUIRE(apps.ok());
    REQUIRE(apps->size() == 1);
    CHECK((*apps)[0].title == "Desktop");
    CHECK((*apps)[0].id > 0);

    auto png = c.GetRaw(true, "/appasset",
                        absl::StrCat("appid=", (*apps)[0].id, "&AssetType=2&AssetIdx=0"));
    REQUIRE(png.ok());
    CHECK(png->substr(0, 8) == std::string("\x89PNG\r\n\x1a\n", 8));
    auto missing = c.Get(true, "/appasset", "appid=999&AssetType=2&AssetIdx=0");
    CHECK(missing->status_code == 404);

    // Launch, serverinfo shows the game, resume, cancel.
    client::LaunchOptions lo;
    lo.app_id = (*apps)[0].id;
    lo.rikeyid = -1234567;
    auto l = c.Launch(lo);
    REQUIRE(l.ok());
    CHECK(l->status_code == 200);
    CHECK(l->Field("gamesession") == "1");
    CHECK(l->Field("sessionUrl0") == "rtsp://127.0.0.1:48010");
    si = c.GetServerInfo(true);
    CHECK(si->current_game == lo.app_id);
    CHECK(si->state == "SUNSHINE_SERVER_BUSY");
    auto again = c.Launch(lo);
    CHECK(again->status_code == 400);
    CHECK(again->Field("gamesession") == "0");
    auto r = c.Resume(lo);
    CHECK(r->status_code == 200);
    CHECK(r->Field("resume") == "1");
    auto x = c.Cancel();
    REQUIRE(x.ok());
    CHECK(x->status_code == 200);
    CHECK(x->Field("cancel") == "1");
    CHECK(c.GetServerInfo(true)->current_game == 0);
    auto r2 = c.Resume(lo);
    CHECK(r2->status_code == 503);
    CHECK(r2->Field("resume") == "0");
  }

  TEST_CASE("Pairing.LaunchParametersReachTheHandler") {
    Host h;
    BasicSessionHandler handler;
    NvHttpOptions o;
    o.config = *state::ParseHostConfig(R"({"apps":[{"title":"Game","id":42}]})");
    o.config.http_port = o.config.https_port = 0;
    o.config.bind_address = "127.0.0.1";
    o.enable_admin = false;
    NvHttpServer srv(o, h.state.get(), &handler);
    REQUIRE(srv.Start().ok());
    REQUIRE(h.Pair(0, "1111", "1111").ok());  // pairs through h.server; same HostState
    MoonlightHttpClient c("127.0.0.1", srv.http_port(), &Identity(0));
    c.set_https_port(srv.https_port());
    client::LaunchOptions lo;
    lo.app_id = 42;
    lo.width = 1280;
    lo.height = 720;
    lo.fps = 120;
    lo.rikeyid = -2;
    lo.surround_audio_info = 4128774;
    lo.rikey_hex = "ffeeddccbbaa99887766554433221100";
    auto l = c.Launch(lo);
    REQUIRE(l.ok());
    CHECK(l->status_code == 200);
    LaunchRequest got = handler.last_request();
    CHECK(got.params.app_id == 42);
    CHECK(got.params.width == 1280);
    CHECK(got.params.fps == 120);
    CHECK(got.params.rikeyid == 0xFFFFFFFEu);
    CHECK(got.params.rikey[0] == 0xFF);
    CHECK(got.params.audio_channels == 6);
    CHECK(got.client_name == "dev");
    CHECK(!got.resume);
    CHECK(c.Cancel()->status_code == 200);

    // Bad values: error XML with status_code 400 and gamesession 0; nothing launched.
    for (const char* extra :
         {"mode=axbxc", "rikey=xyz", "rikeyid=abc", "surroundAudioInfo=7", "sops=9", "appid=-3"}) {
      CAPTURE(extra);
      // The first occurrence of a name wins, so put the bad value first via a raw query.
      auto bad = c.Get(true, "/launch",
                       absl::StrCat(extra, "&appid=42&mode=1920x1080x60&rikeyid=1&rikey=",
                                    "000102030405060708090a0b0c0d0e0f"));
      REQUIRE(bad.ok());
      CHECK(bad->status_code == 400);
      CHECK(bad->Field("gamesession") == "0");
      CHECK(!bad->status_message.empty());
    }
    lo.app_id = 7;  // not in the app list
    CHECK(c.Launch(lo)->status_code == 404);
    CHECK(handler.CurrentAppId() == 0);
    srv.Stop();
  }

  TEST_CASE("Pairing.WrongPinFailsCleanlyAndLocksOut") {
    Host h(R"({"pair_max_failures": 2, "pair_lockout_seconds": 3600})");
    std::string before = *state::ReadFile(h.dirs.state_dir + "/state.json");
    // Stock-client behaviour: it notices the mismatch after phase 3 and calls /unpair.
    absl::Status s = h.Pair(0, "1234", "4321");
    CHECK(s.code() == absl::StatusCode::kPermissionDenied);
    CHECK(h.server->pairing().consecutive_failures() == 1);
    CHECK(!h.server->pairing().locked());
    // A client that presses on to phase 4: the host's own check rejects it.
    client::PairOptions press_on;
    press_on.stop_on_mismatch = false;
    s = h.Pair(0, "1234", "4321", press_on);
    CHECK(s.code() == absl::StatusCode::kPermissionDenied);
    CHECK(h.state->Clients().empty());
    CHECK(*state::ReadFile(h.dirs.state_dir + "/state.json") == before);
    CHECK(h.server->pairing().locked());

    // Locked: phase 1 is refused at once (no PIN wait), even with the right PIN.
    MoonlightHttpClient c = h.Client(0);
    s = c.Pair("1234");
    CHECK(s.code() == absl::StatusCode::kAborted);
    CHECK(s.message().find("503") != absl::string_view::npos);
    CHECK(h.server->pairing().Pending().empty());
    // Still unauthorized over HTTPS.
    CHECK(c.GetServerInfo(true)->status_code == 401);
  }

  TEST_CASE("Pairing.ProtocolErrorsEndTheSession") {
    Host h;
    MoonlightHttpClient c = h.Client(0);
    // Phase 2 without phase 1.
    auto x = c.Get(false, "/pair", "clientchallenge=00112233445566778899aabbccddeeff");
    CHECK(x->status_code == 400);
    CHECK(x->Field("paired") == "0");
    // Missing uniqueid.
    httplib::Client raw("127.0.0.1", h.server->http_port());
    auto r = raw.Get("/pair?phrase=getservercert");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body.find("status_code=\"400\"") != std::string::npos);
    // Bad salt / bad cert answer at once, nothing left pending.
    x = c.Get(false, "/pair", "phrase=getservercert&salt=00&clientcert=00");
    CHECK(x->status_code == 400);
    x = c.Get(false, "/pair",
              "phrase=getservercert&salt=00112233445566778899aabbccddeeff&clientcert=4142");
    CHECK(x->status_code == 400);
    CHECK(h.server->pairing().Pending().empty());
    // Bad PIN format from the host side.
    CHECK(absl::IsInvalidArgument(h.server->pairing().SubmitPin("12a4", "")));
    CHECK(absl::IsNotFound(h.server->pairing().SubmitPin("1234", "")));
  }

  TEST_CASE("Pairing.PinThroughAdminApiAndCliFile") {
    Host h;
    // The running host advertises its admin endpoint for `lumen pin`.
    auto admin = state::ReadFile(AdminFilePath(h.dirs));
    REQUIRE(admin.ok());
    auto j = nlohmann::json::parse(*admin);
    CHECK(j["port"].get<int>() == h.server->admin_port());
    std::string token = j["token"].get<std::string>();

    MoonlightHttpClient c = h.Client(1);
    absl::Status result;
    std::thread t([&] { result = c.Pair("0042"); });
    h.WaitPending();
    httplib::Client api("127.0.0.1", h.server->admin_port());
    // Without the token: refused.
    auto denied = api.Post("/api/pin", "pin=0042", "application/x-www-form-urlencoded");
    REQUIRE(denied);
    CHECK(denied->status == 403);
    // The page lists the pending request (with the token).
    auto page = api.Get(absl::StrCat("/?token=", token).c_str());
    REQUIRE(page);
    CHECK(page->status == 200);
    CHECK(page->body.find("Request #") != std::string::npos);
    httplib::Headers hdr = {{"X-Lumen-Token", token}};
    auto pending = api.Get("/api/pending", hdr);
    REQUIRE(pending);
    CHECK(nlohmann::json::parse(pending->body)["pending"].size() == 1);
    auto ok =
        api.Post("/api/pin", hdr, "pin=0042&name=laptop", "application/x-www-form-urlencoded");
    REQUIRE(ok);
    CHECK(ok->status == 200);
    t.join();
    REQUIRE(result.ok());
    auto clients = api.Get("/api/clients", hdr);
    REQUIRE(clients);
    auto list = nlohmann::json::parse(clients->body)["clients"];
    REQUIRE(list.size() == 1);
    CHECK(list[0]["name"] == "laptop");
    // Unpair through the API: the certificate stops working immediately.
    CHECK(c.GetServerInfo(true)->pair_status == 1);
    auto un = api.Post("/api/unpair", hdr, "name=laptop", "application/x-www-form-urlencoded");
    REQUIRE(un);
    CHECK(un->status == 200);
    CHECK(c.GetServerInfo(true)->status_code == 401);
    h.server->Stop();
    CHECK(absl::IsNotFound(state::ReadFile(AdminFilePath(h.dirs)).status()));
  }

  TEST_CASE("Https.UnpairedCertificateGets401Everywhere") {
    Host h;
    REQUIRE(h.Pair(0, "5555", "5555").ok());
    MoonlightHttpClient stranger = h.Client(2);
    for (const char* path : {"/serverinfo", "/applist", "/appasset", "/launch", "/resume",
                             "/cancel", "/pair", "/unpair"}) {
      CAPTURE(path);
      auto x = stranger.Get(true, path, "phrase=pairchallenge&appid=1");
      REQUIRE(x.ok());
      CHECK(x->status_code == 401);
      CHECK(x->body.find(std::string("query=\"") + path + "\"") != std::string::npos);
    }
    // HTTP serverinfo still answers the stranger (PairStatus 0).
    CHECK(stranger.GetServerInfo(false)->pair_status == 0);
    // A TLS client with no certificate at all cannot even complete the handshake.
    httplib::SSLClient nocert("127.0.0.1", h.server->https_port());
    nocert.enable_server_certificate_verification(false);
    CHECK(!nocert.Get("/serverinfo"));
  }

  TEST_CASE("Unpair.RemovesClient") {
    Host h;
    REQUIRE(h.Pair(0, "1000", "1000").ok());
    REQUIRE(h.Pair(1, "2000", "2000").ok());
    CHECK(h.state->Clients().size() == 2);
    MoonlightHttpClient a = h.Client(0);
    MoonlightHttpClient b = h.Client(1);
    // `lumen unpair NAME` path: HostState::RemoveClient.
    std::string name_a = h.state->Clients()[0].name;
    REQUIRE(h.state->RemoveClient(name_a).ok());
    CHECK(a.GetServerInfo(true)->status_code == 401);
    CHECK(b.GetServerInfo(true)->status_code == 200);
    // A paired client unpairing itself over HTTPS.
    CHECK(b.Unpair(true)->status_code == 200);
    CHECK(b.GetServerInfo(true)->status_code == 401);
    CHECK(h.state->Clients().empty());
    // Re-pairing works after unpair.
    REQUIRE(h.Pair(0, "3000", "3000").ok());
    CHECK(a.GetServerInfo(true)->status_code == 200);
  }

  TEST_CASE("Robustness.GarbageOnBothPortsLeavesServerServing") {
    Host h;
    REQUIRE(h.Pair(0, "7777", "7777").ok());
    std::string huge(100000, 'A');
    const std::string garbage[] = {
        "\x16\x03\x01\x00\x05hello",
        "GET /serverinfo HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        "GARBAGE\r\n\r\n",
        std::string("GET /") + huge + " HTTP/1.1\r\n\r\n",
        "GET /serverinfo?uniqueid=%zz HTTP/1.1\r\nHost: x\r\n\r\n",
        std::string(3000, '\0'),
    };
    for (const std::string& g : garbage) {
      RawExchange(h.server->http_port(), g);
      RawExchange(h.server->https_port(), g);
    }
    std::string bad_escape = RawExchange(
        h.server->http_port(), "GET /serverinfo?uniqueid=%zz HTTP/1.1\r\nHost: x\r\n\r\n", false);
    CAPTURE(bad_escape);
    CHECK(bad_escape.find("status_code=\"400\"") != std::string::npos);
    std::string unknown =
        RawExchange(h.server->http_port(), "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", false);
    CHECK(unknown.find("status_code=\"404\"") != std::string::npos);
    // Half-open connections that never send anything don't block others either.
    int idle = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(h.server->https_port()));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(idle, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
    MoonlightHttpClient c = h.Client(0);
    CHECK(c.GetServerInfo(false)->status_code == 200);
    CHECK(c.GetServerInfo(true)->pair_status == 1);
    close(idle);
  }

  TEST_CASE("Lifecycle.StopReleasesWaitingPairing") {
    Host h;
    MoonlightHttpClient c = h.Client(0);
    absl::Status result;
    std::thread t([&] { result = c.Pair("1234"); });
    h.WaitPending();
    h.server->Stop();  // must not hang on the parked getservercert
    t.join();
    CHECK(!result.ok());
    CHECK(h.state->Clients().empty());
  }
}

}  // namespace lumen::moonlight::http
