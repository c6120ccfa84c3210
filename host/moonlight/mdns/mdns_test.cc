// host/moonlight/mdns/mdns_test.cc — the mDNS publisher against a real avahi-daemon.
//
// The test starts its own D-Bus "system" bus and avahi-daemon (config in TEST_TMPDIR,
// DBUS_SYSTEM_BUS_ADDRESS pointed at it) and browses with avahi-browse, as a client on the
// network would see the host: the service appears with the HTTP port, a second publisher of
// the same name is renamed, the service comes back after the daemon restarts, and it is
// withdrawn when the publisher goes. Skips, with the reason, where avahi-daemon is not
// installed or finds no multicast interface.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "host/moonlight/mdns/mdns_publisher.h"

extern char** environ;

namespace lumen::moonlight::mdns {
namespace {

pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  // Its own process group: avahi-daemon signals its group when it stops.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], &fa, &attr, argv.data(), environ) != 0) pid = -1;
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&fa);
  return pid;
}

void Stop(pid_t& pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  int st = 0;
  for (int i = 0; i < 60 && ::waitpid(pid, &st, WNOHANG) == 0; ++i) ::usleep(50000);
  if (::waitpid(pid, &st, WNOHANG) == 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &st, 0);
  }
  pid = -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Polls `pred` (which may itself take a while) until it holds or `ms` have passed.
template <class Pred>
bool WaitUntil(Pred pred, int ms) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

// A private system bus and avahi-daemon on it.
class PrivateAvahi {
 public:
  PrivateAvahi() {
    if (::access("/usr/sbin/avahi-daemon", X_OK) != 0 ||
        ::access("/usr/bin/dbus-daemon", X_OK) != 0 ||
        ::access("/usr/bin/avahi-browse", X_OK) != 0) {
      why_ = "avahi-daemon, avahi-browse (avahi-utils) or dbus-daemon is not installed";
      return;
    }
    // Not under TEST_TMPDIR: a Unix socket path must fit in 108 bytes.
    char tmpl[] = "/tmp/lumen-avahi-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) {
      why_ = "mkdtemp failed";
      return;
    }
    dir_ = tmpl;
    std::ofstream(dir_ + "/bus.conf")
        << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\"\n"
           " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
           "<busconfig><type>system</type><listen>unix:path="
        << dir_ << "/bus</listen><auth>EXTERNAL</auth><policy context=\"default\">"
        << "<allow user=\"*\"/><allow own=\"*\"/><allow send_destination=\"*\"/>"
        << "<allow receive_sender=\"*\"/></policy></busconfig>\n";
    std::ofstream(dir_ + "/avahi.conf")
        << "[server]\nuse-ipv4=yes\nuse-ipv6=no\nratelimit-interval-usec=1000000\n"
           "ratelimit-burst=1000\n[wide-area]\nenable-wide-area=no\n[publish]\n"
           "publish-hinfo=no\npublish-workstation=no\n";
    bus_ = Spawn({"/usr/bin/dbus-daemon", "--config-file=" + dir_ + "/bus.conf", "--nofork"},
                 dir_ + "/bus.log");
    if (!WaitUntil([&] { return ::access((dir_ + "/bus").c_str(), F_OK) == 0; }, 5000)) {
      why_ = "private dbus-daemon did not start: " + ReadFile(dir_ + "/bus.log");
      return;
    }
    ::setenv("DBUS_SYSTEM_BUS_ADDRESS", ("unix:path=" + dir_ + "/bus").c_str(), 1);
    why_ = StartDaemon();
  }
  ~PrivateAvahi() {
    Stop(avahi_);
    Stop(bus_);
    if (!dir_.empty() && !std::getenv("KEEP")) std::system(("rm -rf '" + dir_ + "'").c_str());
  }
  bool ok() const { return why_.empty(); }
  const std::string& why() const { return why_; }

  // Starts avahi-daemon; "" when it is up with a usable interface, else why not.
  std::string StartDaemon() {
    const std::string log = dir_ + "/avahi." + std::to_string(++starts_) + ".log";
    avahi_ = Spawn({"/usr/sbin/avahi-daemon", "-f", dir_ + "/avahi.conf", "--no-drop-root",
                    "--no-chroot", "--no-rlimits", "--no-proc-title"},
                   log);
    if (!WaitUntil(
            [&] { return ReadFile(log).find("Server startup complete") != std::string::npos; },
            10000)) {
      return "avahi-daemon did not start: " + ReadFile(log);
    }
    if (ReadFile(log).find("New relevant interface") == std::string::npos) {
      return "avahi-daemon found no multicast-capable interface here";
    }
    return "";
  }
  void StopDaemon() { Stop(avahi_); }

 private:
  std::string why_;
  std::string dir_;
  pid_t bus_ = -1;
  pid_t avahi_ = -1;
  int starts_ = 0;
};

// avahi-browse -p writes names with "\DDD" (decimal) escapes: "a #2" is "a\032#2".
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isdigit(static_cast<unsigned char>(s[i + 2])) &&
        std::isdigit(static_cast<unsigned char>(s[i + 3]))) {
      out.push_back(char(std::stoi(s.substr(i + 1, 3))));
      i += 3;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// avahi-browse -rtp: the resolved "=" lines, "name;port" each.
std::string Browse() {
  // -t ends after the cache is dumped, but waits for every resolver: one for a service
  // that is being withdrawn can take long, so bound it.
  FILE* p = popen("timeout -s KILL 3 avahi-browse -rtp _nvstream._tcp 2>/dev/null", "r");
  if (p == nullptr) return "";
  std::string out;
  char line[1024];
  while (fgets(line, sizeof line, p)) {
    std::string l(line);
    if (l.rfind("=;", 0) != 0) continue;
    // =;iface;proto;name;type;domain;host;address;port;txt
    std::vector<std::string> f;
    size_t start = 0;
    for (size_t i = 0; i <= l.size(); ++i) {
      if (i == l.size() || l[i] == ';' || l[i] == '\n') {
        f.push_back(l.substr(start, i - start));
        start = i + 1;
      }
    }
    if (f.size() >= 9) out += Unescape(f[3]) + ";" + f[8] + "\n";
  }
  pclose(p);
  return out;
}

bool Seen(const std::string& name, uint16_t port) {
  return Browse().find(name + ";" + std::to_string(port) + "\n") != std::string::npos;
}

TEST_SUITE("mdns") {
  TEST_CASE("InstanceName sanitizes like Sunshine") {
    CHECK(InstanceName("gamer-pc") == "gamer-pc");
    CHECK(InstanceName("Living Room PC") == "Living-Room-PC");
    CHECK(InstanceName("box.example.org") == "box");
    CHECK(InstanceName("") == "lumen");
    CHECK(InstanceName("_x") == "lumen");
    CHECK(InstanceName(std::string(80, 'a')).size() == 63);
  }

  TEST_CASE("published, renamed on a clash, back after a daemon restart, withdrawn at the end") {
    PrivateAvahi avahi;
    if (!avahi.ok()) {
      MESSAGE("SKIPPED: " << avahi.why());
      return;
    }
    const std::string name = "lumen-mdns-test-" + std::to_string(::getpid());
    auto pub = Publisher::Start(name, 47989);
    REQUIRE_MESSAGE(pub.ok(), pub.status().ToString());
    REQUIRE(WaitUntil([&] { return (*pub)->state().established; }, 10000));
    CHECK((*pub)->state().name == name);
    CHECK(WaitUntil([&] { return Seen(name, 47989); }, 10000));

    // The same name again (a second host process): Avahi's alternative name.
    auto second = Publisher::Start(name, 47990);
    REQUIRE(second.ok());
    REQUIRE(WaitUntil([&] { return (*second)->state().established; }, 10000));
    CHECK((*second)->state().name == name + " #2");
    CHECK((*second)->state().collisions == 1);
    CHECK(WaitUntil([&] { return Seen(name + " #2", 47990); }, 10000));
    second->reset();

    // The daemon goes away and comes back: the service is registered again.
    avahi.StopDaemon();
    CHECK(WaitUntil([&] { return !(*pub)->state().daemon_running; }, 10000));

    CHECK(!(*pub)->state().established);
    const std::string why = avahi.StartDaemon();
    REQUIRE_MESSAGE(why.empty(), why);
    CHECK(WaitUntil([&] { return (*pub)->state().established; }, 15000));
    CHECK((*pub)->state().registrations >= 2);
    CHECK(WaitUntil([&] { return Seen(name, 47989); }, 10000));

    // Withdrawn with the publisher.
    pub->reset();
    CHECK(WaitUntil([&] { return !Seen(name, 47989); }, 10000));
  }
}

}  // namespace
}  // namespace lumen::moonlight::mdns
