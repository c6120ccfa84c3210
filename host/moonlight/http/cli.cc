#include "host/moonlight/http/cli.h"

#include <httplib.h>

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "host/moonlight/http/nvhttp_server.h"
#include "host/moonlight/state/atomic_file.h"
#include "host/moonlight/state/host_state.h"

namespace lumen::cli {
namespace {

namespace state = ::lumen::moonlight::state;

struct Admin {
  std::string host;
  int port = 0;
  std::string token;
};

int Fail(const std::string& msg) {
  std::fprintf(stderr, "lumen: %s\n", msg.c_str());
  return 1;
}

// The running host's admin endpoint, or nullopt (with the reason in *why).
std::optional<Admin> FindAdmin(const state::StateDirs& dirs, std::string* why) {
  auto text = state::ReadFile(moonlight::http::AdminFilePath(dirs));
  if (!text.ok()) {
    *why = absl::StrCat("no running lumen host found (", std::string(text.status().message()),
                        "); start one with `lumen serve`");
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.contains("port") || !j.contains("token")) {
    *why = "admin.json is malformed";
    return std::nullopt;
  }
  Admin a;
  a.host = j.value("bind", "127.0.0.1");
  if (a.host == "0.0.0.0") a.host = "127.0.0.1";
  a.port = j["port"].get<int>();
  a.token = j["token"].get<std::string>();
  return a;
}

// Performs one admin API call. Returns the parsed JSON reply, or nullopt if the host could not
// be reached (stale admin.json: host was killed).
std::optional<nlohmann::json> Call(const Admin& a, const char* method, const std::string& path,
                                   const std::string& form, std::string* why) {
  httplib::Client cli(a.host, a.port);
  cli.set_connection_timeout(3, 0);
  cli.set_read_timeout(10, 0);
  httplib::Headers h = {{"X-Lumen-Token", a.token}};
  httplib::Result r = std::strcmp(method, "GET") == 0
                          ? cli.Get(path.c_str(), h)
                          : cli.Post(path.c_str(), h, form, "application/x-www-form-urlencoded");
  if (!r) {
    *why = absl::StrCat("cannot reach the lumen host at ", a.host, ":", a.port, " (",
                        httplib::to_string(r.error()), ")");
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(r->body, nullptr, false);
  if (j.is_discarded()) {
    *why = absl::StrCat("unexpected reply (HTTP ", r->status, ")");
    return std::nullopt;
  }
  return j;
}

std::string Form(std::initializer_list<std::pair<const char*, std::string>> kv) {
  std::string out;
  for (const auto& [k, v] : kv) {
    if (!out.empty()) out += "&";
    absl::StrAppend(&out, k, "=", httplib::detail::encode_query_param(v));
  }
  return out;
}

void PrintClients(const nlohmann::json& list) {
  if (list.empty()) {
    std::printf("no paired clients\n");
    return;
  }
  std::printf("%-24s %-36s %s\n", "NAME", "ID", "CERT SHA-256 (prefix)");
  for (const auto& c : list) {
    std::string fp = c.value("fingerprint", "");
    std::printf("%-24s %-36s %s%s\n", c.value("name", "").c_str(), c.value("uuid", "").c_str(),
                fp.substr(0, 16).c_str(), c.value("enabled", true) ? "" : " (disabled)");
  }
}

bool IsHelp(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) return true;
  }
  return false;
}

}  // namespace

int PinMain(int argc, char** argv) {
  const char* usage =
      "usage: lumen pin NNNN [--name NAME] [--id N]   enter the PIN a Moonlight client shows\n"
      "       lumen pin --list                        list pairing requests waiting for a PIN\n";
  if (IsHelp(argc, argv)) return std::printf("%s", usage), 0;
  std::string pin, name, id;
  bool list = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--list") {
      list = true;
    } else if ((a == "--name" || a == "--id") && i + 1 < argc) {
      (a == "--name" ? name : id) = argv[++i];
    } else if (a.rfind("--name=", 0) == 0) {
      name = a.substr(7);
    } else if (a.rfind("--id=", 0) == 0) {
      id = a.substr(5);
    } else if (pin.empty() && !a.empty() && a[0] != '-') {
      pin = a;
    } else {
      return std::fprintf(stderr, "%s", usage), 2;
    }
  }
  if (!list && pin.empty()) return std::fprintf(stderr, "%s", usage), 2;
  auto dirs = state::StateDirs::FromEnvironment();
  if (!dirs.ok()) return Fail(std::string(dirs.status().message()));
  std::string why;
  auto admin = FindAdmin(*dirs, &why);
  if (!admin) return Fail(why);
  if (list) {
    auto j = Call(*admin, "GET", "/api/pending", "", &why);
    if (!j) return Fail(why);
    const auto& p = (*j)["pending"];
    if (p.empty()) std::printf("no pairing requests are waiting for a PIN\n");
    for (const auto& e : p) {
      std::printf("#%llu  device=%s  uniqueid=%s  waiting %llds\n",
                  static_cast<unsigned long long>(e.value("id", 0ull)),
                  e.value("devicename", "").c_str(), e.value("uniqueid", "").c_str(),
                  static_cast<long long>(e.value("waiting_seconds", 0ll)));
    }
    if (j->value("locked", false)) std::printf("pairing is LOCKED after repeated wrong PINs\n");
    return 0;
  }
  auto j = Call(*admin, "POST", "/api/pin", Form({{"pin", pin}, {"name", name}, {"id", id}}),
                &why);
  if (!j) return Fail(why);
  if (!j->value("ok", false)) return Fail(j->value("error", "PIN rejected"));
  std::printf("PIN accepted; finish pairing on the client\n");
  return 0;
}

int ClientsMain(int argc, char** argv) {
  if (IsHelp(argc, argv) || argc > 1) {
    std::printf("usage: lumen clients   list paired Moonlight clients\n");
    return argc > 1 && !IsHelp(argc, argv) ? 2 : 0;
  }
  auto dirs = state::StateDirs::FromEnvironment();
  if (!dirs.ok()) return Fail(std::string(dirs.status().message()));
  std::string why;
  if (auto admin = FindAdmin(*dirs, &why)) {
    if (auto j = Call(*admin, "GET", "/api/clients", "", &why)) {
      if (!j->value("ok", false)) return Fail(j->value("error", "request failed"));
      PrintClients((*j)["clients"]);
      return 0;
    }
  }
  // No host running: read the state file directly (without creating anything).
  auto text = state::ReadFile(dirs->state_dir + "/state.json");
  if (!text.ok()) {
    if (absl::IsNotFound(text.status())) return std::printf("no paired clients\n"), 0;
    return Fail(std::string(text.status().message()));
  }
  auto st = state::HostState::Open(*dirs);
  if (!st.ok()) return Fail(std::string(st.status().message()));
  nlohmann::json list = nlohmann::json::array();
  for (const state::PairedClient& c : (*st)->Clients()) {
    list.push_back({{"name", c.name},
                    {"uuid", c.uuid},
                    {"enabled", c.enabled},
                    {"fingerprint", moonlight::nvcrypto::HexEncode(c.fingerprint)}});
  }
  PrintClients(list);
  return 0;
}

int UnpairMain(int argc, char** argv) {
  if (IsHelp(argc, argv) || argc != 2) {
    std::fprintf(argc != 2 ? stderr : stdout,
                 "usage: lumen unpair NAME|ID   forget a paired client (see `lumen clients`)\n");
    return argc != 2 ? 2 : 0;
  }
  std::string name = argv[1];
  auto dirs = state::StateDirs::FromEnvironment();
  if (!dirs.ok()) return Fail(std::string(dirs.status().message()));
  std::string why;
  if (auto admin = FindAdmin(*dirs, &why)) {
    if (auto j = Call(*admin, "POST", "/api/unpair", Form({{"name", name}}), &why)) {
      if (!j->value("ok", false)) return Fail(j->value("error", "unpair failed"));
      std::printf("unpaired %s\n", name.c_str());
      return 0;
    }
  }
  auto text = state::ReadFile(dirs->state_dir + "/state.json");
  if (!text.ok()) return Fail(absl::StrCat("no paired client named '", name, "'"));
  auto st = state::HostState::Open(*dirs);
  if (!st.ok()) return Fail(std::string(st.status().message()));
  absl::Status s = (*st)->RemoveClient(name);
  if (!s.ok()) return Fail(std::string(s.message()));
  std::printf("unpaired %s\n", name.c_str());
  return 0;
}

}  // namespace lumen::cli
