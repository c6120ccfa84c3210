// Tests for atomic state files, host identity persistence and config parsing.
#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "absl/strings/str_cat.h"
#include "host/moonlight/state/atomic_file.h"
#include "host/moonlight/state/host_config.h"
#include "host/moonlight/state/host_state.h"

namespace lumen::moonlight::state {
namespace {

std::string TempDir() {
  const char* base = getenv("TEST_TMPDIR");
  std::string t = absl::StrCat(base ? base : "/tmp", "/lumen_state_XXXXXX");
  REQUIRE(mkdtemp(t.data()) != nullptr);
  return t;
}

StateDirs Dirs(const std::string& root) {
  return StateDirs{absl::StrCat(root, "/config"), absl::StrCat(root, "/state/lumen/moonlight")};
}

}  // namespace

TEST_SUITE("MoonlightState") {
  TEST_CASE("AtomicFile.WriteReadReplace") {
    std::string dir = TempDir();
    std::string p = dir + "/f";
    REQUIRE(WriteFileAtomic(p, "one").ok());
    CHECK(*ReadFile(p) == "one");
    REQUIRE(WriteFileAtomic(p, "two, longer").ok());
    CHECK(*ReadFile(p) == "two, longer");
    struct stat st;
    REQUIRE(stat(p.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(absl::IsNotFound(ReadFile(dir + "/missing").status()));
    CHECK(!WriteFileAtomic(dir + "/no/such/dir/f", "x").ok());
  }

  TEST_CASE("HostState.IdentityIsCreatedOnceAndPersists") {
    std::string root = TempDir();
    std::string uid, pem;
    {
      auto st = HostState::Open(Dirs(root));
      REQUIRE(st.ok());
      uid = (*st)->unique_id();
      pem = (*st)->cert_pem();
      CHECK(uid.size() == 36);
      CHECK(EVP_PKEY_get_bits((*st)->key()) == 2048);
      CHECK(nvcrypto::CertSignature((*st)->cert()).size() == 256);
      CHECK((*st)->Clients().empty());
    }
    auto again = HostState::Open(Dirs(root));
    REQUIRE(again.ok());
    CHECK((*again)->unique_id() == uid);
    CHECK((*again)->cert_pem() == pem);
  }

  TEST_CASE("HostState.AddFindRemoveClients") {
    std::string root = TempDir();
    auto st = HostState::Open(Dirs(root));
    REQUIRE(st.ok());
    auto c1 = nvcrypto::GenerateIdentity("NVIDIA GameStream Client");
    auto c2 = nvcrypto::GenerateIdentity("NVIDIA GameStream Client");
    REQUIRE(c1.ok());
    REQUIRE(c2.ok());
    auto a = (*st)->AddClient("phone", c1->cert_pem);
    REQUIRE(a.ok());
    auto b = (*st)->AddClient("phone", c2->cert_pem);
    REQUIRE(b.ok());
    CHECK(b->name == "phone (2)");
    CHECK(!(*st)->AddClient("bad", "not a cert").ok());

    auto x1 = nvcrypto::ParseCertPem(c1->cert_pem);
    auto x2 = nvcrypto::ParseCertPem(c2->cert_pem);
    CHECK((*st)->FindClientByCert(x1->get())->name == "phone");
    CHECK((*st)->FindClientByCert(x2->get())->name == "phone (2)");

    // Re-pairing the same cert replaces its entry instead of duplicating it.
    REQUIRE((*st)->AddClient("tablet", c1->cert_pem).ok());
    CHECK((*st)->Clients().size() == 2);
    CHECK((*st)->FindClientByCert(x1->get())->name == "tablet");

    // Persisted: a second HostState over the same dir sees the clients.
    auto other = HostState::Open(Dirs(root));
    REQUIRE(other.ok());
    CHECK((*other)->Clients().size() == 2);
    REQUIRE((*other)->RemoveClient("tablet").ok());
    CHECK(absl::IsNotFound((*other)->RemoveClient("tablet")));
    // The first instance picks the removal up on Reload.
    REQUIRE((*st)->Reload().ok());
    CHECK(!(*st)->FindClientByCert(x1->get()).has_value());
    CHECK((*st)->FindClientByCert(x2->get()).has_value());
  }

  TEST_CASE("HostState.CorruptStateIsReportedNotReplaced") {
    std::string root = TempDir();
    REQUIRE(HostState::Open(Dirs(root)).ok());
    std::string p = Dirs(root).state_dir + "/state.json";
    REQUIRE(WriteFileAtomic(p, "{garbage").ok());
    auto st = HostState::Open(Dirs(root));
    CHECK(absl::IsDataLoss(st.status()));
    CHECK(*ReadFile(p) == "{garbage");
  }

  // A child rewrites the paired-client list in a loop and is SIGKILLed at an arbitrary moment;
  // the state file must always be a complete old or new version that parses.
  TEST_CASE("HostState.SurvivesKill9DuringWrites") {
    std::string root = TempDir();
    REQUIRE(HostState::Open(Dirs(root)).ok());
    auto c = nvcrypto::GenerateIdentity("NVIDIA GameStream Client");
    REQUIRE(c.ok());
    std::string p = Dirs(root).state_dir + "/state.json";
    for (int round = 0; round < 12; ++round) {
      CAPTURE(round);
      int pipefd[2];
      REQUIRE(pipe(pipefd) == 0);
      pid_t pid = fork();
      REQUIRE(pid >= 0);
      if (pid == 0) {
        close(pipefd[0]);
        auto st = HostState::Open(Dirs(root));
        if (!st.ok()) _exit(3);
        for (int i = 0;; ++i) {
          if (!(*st)->AddClient(absl::StrCat("c", i % 3), c->cert_pem).ok()) _exit(4);
          if (i == 2) (void)!write(pipefd[1], "x", 1);  // a few writes are done
          if (i % 5 == 4 && !(*st)->RemoveClient(absl::StrCat("c", i % 3)).ok()) _exit(5);
        }
      }
      close(pipefd[1]);
      char b;
      REQUIRE(read(pipefd[0], &b, 1) == 1);
      close(pipefd[0]);
      usleep(static_cast<useconds_t>(round * 1700));  // vary where in the write it dies
      REQUIRE(kill(pid, SIGKILL) == 0);
      int status = 0;
      REQUIRE(waitpid(pid, &status, 0) == pid);
      CHECK(WIFSIGNALED(status));
      auto text = ReadFile(p);
      REQUIRE(text.ok());
      auto j = nlohmann::json::parse(*text, nullptr, false);
      CHECK(!j.is_discarded());
      auto st = HostState::Open(Dirs(root));
      REQUIRE(st.ok());
      CHECK((*st)->Clients().size() <= 1);
    }
  }

  TEST_CASE("HostConfig.DefaultsAndParsing") {
    auto d = ParseHostConfig("{}");
    REQUIRE(d.ok());
    CHECK(d->http_port == 47989);
    CHECK(d->https_port == 47984);
    CHECK(d->rtsp_port == 48010);
    CHECK(d->admin_port == 47990);
    REQUIRE(d->apps.size() == 1);
    CHECK(d->apps[0].title == "Desktop");
    CHECK(d->apps[0].id == AppIdForTitle("Desktop"));
    CHECK(d->apps[0].id > 0);

    auto c = ParseHostConfig(
        R"({"base_port": 50000, "https_port": 1234, "codec_mask": 257,
            "apps": [{"title": "A", "id": 7}, {"title": "B", "hdr": true}]})");
    REQUIRE(c.ok());
    CHECK(c->http_port == 50000);
    CHECK(c->https_port == 1234);
    CHECK(c->rtsp_port == 50021);
    CHECK(c->codec_mask == 257u);
    REQUIRE(c->apps.size() == 2);
    CHECK(c->apps[0].id == 7);
    CHECK(c->apps[1].hdr);

    CHECK(!ParseHostConfig("[").ok());
    CHECK(!ParseHostConfig(R"({"base_port": 70000})").ok());
    CHECK(!ParseHostConfig(R"({"apps": [{"id": 3}]})").ok());
    CHECK(!ParseHostConfig(R"({"apps": [{"title": "a", "id": 3}, {"title": "b", "id": 3}]})").ok());
    CHECK(!ParseHostConfig(R"({"hostname": 5})").ok());
  }

  TEST_CASE("StateDirs.FromEnvironmentHonoursXdg") {
    setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
    setenv("XDG_STATE_HOME", "/x/st", 1);
    unsetenv("LUMEN_CONFIG_DIR");
    unsetenv("LUMEN_STATE_DIR");
    auto d = StateDirs::FromEnvironment();
    REQUIRE(d.ok());
    CHECK(d->config_dir == "/x/cfg/lumen");
    CHECK(d->state_dir == "/x/st/lumen/moonlight");
    setenv("LUMEN_STATE_DIR", "/y", 1);
    CHECK(StateDirs::FromEnvironment()->state_dir == "/y");
    unsetenv("LUMEN_STATE_DIR");
  }
}

}  // namespace lumen::moonlight::state
