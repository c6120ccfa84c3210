// `lumen pin/clients/unpair` against a running host (admin endpoint) and with no host running.
#include "host/moonlight/http/cli.h"

#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "clients/moonlight/http_client.h"
#include "host/moonlight/http/nvhttp_server.h"

namespace lumen::moonlight::http {
namespace {

int Run(int (*fn)(int, char**), std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return fn(static_cast<int>(args.size()), argv.data());
}

}  // namespace

TEST_SUITE("LumenCli") {
  TEST_CASE("PinClientsUnpair.AgainstRunningHostAndOffline") {
    const char* base = getenv("TEST_TMPDIR");
    std::string root = absl::StrCat(base ? base : "/tmp", "/lumen_cli_XXXXXX");
    REQUIRE(mkdtemp(root.data()) != nullptr);
    setenv("LUMEN_CONFIG_DIR", (root + "/config").c_str(), 1);
    setenv("LUMEN_STATE_DIR", (root + "/state").c_str(), 1);
    auto dirs = state::StateDirs::FromEnvironment();
    REQUIRE(dirs.ok());

    // No host yet: pin fails cleanly, clients lists nothing.
    CHECK(Run(cli::PinMain, {"pin", "1234"}) == 1);
    CHECK(Run(cli::ClientsMain, {"clients"}) == 0);
    CHECK(Run(cli::PinMain, {"pin"}) == 2);
    CHECK(Run(cli::UnpairMain, {"unpair"}) == 2);

    auto st = state::HostState::Open(*dirs);
    REQUIRE(st.ok());
    NvHttpOptions o;
    o.config = *state::ParseHostConfig("{}");
    o.config.http_port = o.config.https_port = o.config.admin_port = 0;
    o.config.bind_address = "127.0.0.1";
    auto server = std::make_unique<NvHttpServer>(o, st->get(), nullptr);
    REQUIRE(server->Start().ok());

    auto id = client::ClientIdentity::Generate();
    REQUIRE(id.ok());
    client::MoonlightHttpClient c("127.0.0.1", server->http_port(), &*id);
    c.set_https_port(server->https_port());
    absl::Status result;
    std::thread t([&] { result = c.Pair("9876"); });
    for (int i = 0; i < 100000 && server->pairing().Pending().empty(); ++i) usleep(1000);
    CHECK(Run(cli::PinMain, {"pin", "--list"}) == 0);
    CHECK(Run(cli::PinMain, {"pin", "12x4"}) == 1);  // rejected by the host, still pending
    CHECK(Run(cli::PinMain, {"pin", "9876", "--name", "living room"}) == 0);
    t.join();
    REQUIRE(result.ok());
    REQUIRE((*st)->Clients().size() == 1);
    CHECK((*st)->Clients()[0].name == "living room");
    CHECK(Run(cli::ClientsMain, {"clients"}) == 0);
    CHECK(Run(cli::UnpairMain, {"unpair", "nobody"}) == 1);
    CHECK(Run(cli::UnpairMain, {"unpair", "living room"}) == 0);
    CHECK((*st)->Clients().empty());
    CHECK(c.GetServerInfo(true)->status_code == 401);

    // Pair again, stop the host, unpair offline through the state file.
    std::thread t2([&] { result = c.Pair("1111"); });
    for (int i = 0; i < 100000 && server->pairing().Pending().empty(); ++i) usleep(1000);
    CHECK(Run(cli::PinMain, {"pin", "1111", "--name=desk"}) == 0);
    t2.join();
    REQUIRE(result.ok());
    server->Stop();
    CHECK(Run(cli::ClientsMain, {"clients"}) == 0);
    CHECK(Run(cli::UnpairMain, {"unpair", "desk"}) == 0);
    REQUIRE((*st)->Reload().ok());
    CHECK((*st)->Clients().empty());
    unsetenv("LUMEN_CONFIG_DIR");
    unsetenv("LUMEN_STATE_DIR");
  }
}

}  // namespace lumen::moonlight::http
