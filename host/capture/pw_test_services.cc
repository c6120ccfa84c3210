// host/capture/pw_test_services.cc — see pw_test_services.h.
#include "host/capture/pw_test_services.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace lumen::capture {
namespace {

bool IsSocket(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

std::string Env(const char* k) {
  const char* v = std::getenv(k);
  return v ? v : "";
}

std::string FindScript() {
  std::string c = Env("LUMEN_START_SERVICES");
  if (!c.empty()) return c;
  const std::string srcdir = Env("TEST_SRCDIR");
  for (const std::string& p :
       {srcdir + "/lumen/tools/ci/start-services.sh", std::string("tools/ci/start-services.sh")}) {
    if (::access(p.c_str(), R_OK) == 0) return p;
  }
  return "";
}

struct Started {
  std::string script, env_file;
  ~Started() {
    if (std::system(("bash '" + script + "' --stop '" + env_file + "' >/dev/null 2>&1").c_str())) {
    }
    ::unlink(env_file.c_str());
  }
};
std::unique_ptr<Started> g_started;
std::unique_ptr<absl::StatusOr<PwTestEnv>> g_result;

absl::StatusOr<PwTestEnv> Start() {
  const std::string runtime = Env("XDG_RUNTIME_DIR");
  if (!runtime.empty() && IsSocket(runtime + "/pipewire-0") && !Env("LUMEN_TEST_PW_NODE").empty()) {
    return PwTestEnv{Env("LUMEN_TEST_PW_NODE"), Env("LUMEN_TEST_PW_SINK"), false};
  }
  const std::string script = FindScript();
  if (script.empty()) return absl::UnavailableError("tools/ci/start-services.sh not found");
  const std::string tmp = Env("TEST_TMPDIR").empty() ? "/tmp" : Env("TEST_TMPDIR");
  const std::string env_file = absl::StrCat(tmp, "/lumen-pw-env.", ::getpid());
  const std::string cmd = absl::StrCat("bash '", script, "' --env-file '", env_file,
                                       "' --parent-pid ", ::getpid());
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    return absl::UnavailableError(absl::StrCat(
        "PipeWire services could not start here (", cmd, " exited ", rc, "); see its stderr"));
  }
  g_started.reset(new Started{script, env_file});
  std::ifstream in(env_file);
  std::string line;
  while (std::getline(in, line)) {
    const std::string prefix = "export ";
    if (line.rfind(prefix, 0) != 0) continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    ::setenv(line.substr(prefix.size(), eq - prefix.size()).c_str(), line.substr(eq + 1).c_str(), 1);
  }
  return PwTestEnv{Env("LUMEN_TEST_PW_NODE"), Env("LUMEN_TEST_PW_SINK"), true};
}

}  // namespace

absl::StatusOr<PwTestEnv> EnsurePipeWireTestServices() {
  if (!g_result) g_result = std::make_unique<absl::StatusOr<PwTestEnv>>(Start());
  return *g_result;
}

HeadlessMutter::HeadlessMutter(const std::string& display_prefix) {
  if (::access("/usr/bin/mutter", X_OK) != 0) return;
  const std::string display = display_prefix + "-" + std::to_string(::getpid());
  std::string a0 = "mutter", a1 = "--headless", a2 = "--wayland", a3 = "--no-x11",
              a4 = "--wayland-display=" + display, a5 = "--virtual-monitor", a6 = "1024x768";
  char* argv[] = {a0.data(), a1.data(), a2.data(), a3.data(),
                  a4.data(), a5.data(), a6.data(), nullptr};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  if (posix_spawn(&pid, "/usr/bin/mutter", &fa, nullptr, argv, environ) == 0) pid_ = pid;
  posix_spawn_file_actions_destroy(&fa);
}

HeadlessMutter::~HeadlessMutter() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int st = 0;
  for (int i = 0; i < 40 && ::waitpid(pid_, &st, WNOHANG) == 0; ++i) ::usleep(50000);
  if (::waitpid(pid_, &st, WNOHANG) == 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &st, 0);
  }
}

bool HeadlessMutter::running() const { return pid_ > 0 && ::waitpid(pid_, nullptr, WNOHANG) == 0; }

}  // namespace lumen::capture
