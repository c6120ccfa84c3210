// host/lumen/supervisor.cc — see supervisor.h.
#include "host/lumen/supervisor.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "host/common/clock.h"
#include "host/common/ring_handoff.h"
#include "host/common/shm_ring.h"
#include "spdlog/spdlog.h"

extern char** environ;

namespace lumen::supervisor {
namespace {

constexpr int kChildRingFd = 3;
constexpr size_t kMaxTimings = 1 << 20;

const char* CodecFlag(host::Codec c) {
  switch (c) {
    case host::Codec::kHevc:
      return "hevc";
    case host::Codec::kAv1:
      return "av1";
    default:
      return "h264";
  }
}

bool IsExecutable(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

std::string Dirname(const std::string& p) {
  size_t s = p.rfind('/');
  return s == std::string::npos ? "." : p.substr(0, s);
}

const char* PackageOf(const std::string& name) {
  if (name == "lumen-capture") return "capture";
  if (name == "lumen-encode") return "encode";
  if (name == "lumen-transport") return "transport";
  if (name == "lumen-audio") return "audio";
  return "";
}

}  // namespace

const char* ChildName(ChildKind kind) {
  switch (kind) {
    case ChildKind::kCapture:
      return "lumen-capture";
    case ChildKind::kEncode:
      return "lumen-encode";
    case ChildKind::kTransport:
      return "lumen-transport";
  }
  return "?";
}

absl::StatusOr<std::string> FindBinary(const std::string& name, const std::string& bin_dir) {
  std::vector<std::string> candidates;
  if (const char* d = getenv("LUMEN_BIN_DIR")) candidates.push_back(absl::StrCat(d, "/", name));
  if (!bin_dir.empty()) candidates.push_back(absl::StrCat(bin_dir, "/", name));
  char exe[PATH_MAX] = {};
  ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  const std::string pkg = PackageOf(name);
  if (n > 0) {
    const std::string self(exe, size_t(n));
    const std::string dir = Dirname(self);
    candidates.push_back(absl::StrCat(dir, "/", name));
    candidates.push_back(absl::StrCat(dir, "/../", pkg, "/", name));       // bazel-bin/host/*
    candidates.push_back(absl::StrCat(dir, "/../../host/", pkg, "/", name));  // bazel-bin/*
    candidates.push_back(absl::StrCat(self, ".runfiles/lumen/host/", pkg, "/", name));
  }
  for (const char* var : {"RUNFILES_DIR", "TEST_SRCDIR"}) {
    if (const char* r = getenv(var)) {
      candidates.push_back(absl::StrCat(r, "/lumen/host/", pkg, "/", name));
    }
  }
  candidates.push_back(absl::StrCat("host/", pkg, "/", name));
  for (const std::string& c : candidates) {
    if (IsExecutable(c)) return c;
  }
  return absl::NotFoundError(
      absl::StrCat(name, " not found; looked in: ", absl::StrJoin(candidates, ", ")));
}

struct Child {
  ChildKind kind;
  std::string path;
  std::vector<host::ReceivedRing> rings;  // roles + the supervisor's fds
  pid_t pid = -1;
  int sock = -1;  // supervisor's end of the socketpair
  int restarts = 0;
  bool ready = false;
  uint64_t started_ns = 0;
};

struct Pipeline::Impl {
  PipelineConfig cfg;
  host::ShmRing raw, au, control, stats;
  std::array<Child, kChildCount> children;
  std::vector<std::string> env;  // "K=V" for children
  mutable std::mutex mu;
  std::atomic<bool> stopping{false};
  std::atomic<bool> collector_stop{false};  // set once every child is gone
  std::atomic<uint16_t> transport_port{0};
  bool failed = false;
  std::string failure;
  std::vector<host::FrameTiming> timings;
  uint32_t last_frame_index = 0;  // highest Moonlight frameIndex the transport reported
  std::thread monitor, collector;
  bool stopped = false;

  std::vector<std::string> ArgsFor(const Child& c) const {
    std::vector<std::string> a = {c.path, absl::StrCat("--ring-fd=", kChildRingFd)};
    switch (c.kind) {
      case ChildKind::kCapture:
        a.push_back(absl::StrCat("--source=", cfg.source));
        a.push_back(absl::StrCat("--width=", cfg.width));
        a.push_back(absl::StrCat("--height=", cfg.height));
        a.push_back(absl::StrCat("--fps=", cfg.fps));
        a.insert(a.end(), cfg.extra_capture_args.begin(), cfg.extra_capture_args.end());
        break;
      case ChildKind::kEncode:
        a.push_back(absl::StrCat("--codec=", CodecFlag(cfg.codec)));
        a.push_back(absl::StrCat("--bitrate-kbps=", cfg.bitrate_kbps));
        a.push_back(absl::StrCat("--fps=", cfg.fps));
        a.push_back(absl::StrCat("--width=", cfg.width));
        a.push_back(absl::StrCat("--height=", cfg.height));
        a.insert(a.end(), cfg.extra_encode_args.begin(), cfg.extra_encode_args.end());
        break;
      case ChildKind::kTransport: {
        // After the first start, keep the same port so a restarted transport is where the
        // client expects it.
        std::string bind = cfg.bind;
        if (transport_port.load() != 0 && bind.size() >= 2 &&
            bind.compare(bind.size() - 2, 2, ":0") == 0) {
          bind = absl::StrCat(bind.substr(0, bind.size() - 1), transport_port.load());
        }
        a.push_back(absl::StrCat("--bind=", bind));
        if (!cfg.dest.empty()) a.push_back(absl::StrCat("--dest=", cfg.dest));
        if (!cfg.ping_payload.empty()) {
          a.push_back(absl::StrCat("--ping-payload=", cfg.ping_payload));
        }
        a.push_back(absl::StrCat("--packet-size=", cfg.packet_size));
        a.push_back(absl::StrCat("--fec-percent=", cfg.fec_percent));
        a.push_back(absl::StrCat("--min-fec=", cfg.min_fec_packets));
        if (last_frame_index != 0) {
          a.push_back(absl::StrCat("--first-frame-index=", last_frame_index + 1));
        }
        if (cfg.encrypt) {
          a.push_back(absl::StrCat(
              "--key=", absl::BytesToHexString(absl::string_view(
                            reinterpret_cast<const char*>(cfg.key.data()), cfg.key.size()))));
        }
        if (cfg.lumen_framing) {
          a.push_back("--framing=lumen");
          a.push_back(absl::StrCat("--lumen-secret=", cfg.lumen_secret_hex));
          a.push_back(absl::StrCat("--lumen-nonces=", cfg.lumen_nonces_hex));
          a.push_back(absl::StrCat("--lumen-session=", cfg.lumen_session_id));
          if (!cfg.lumen_aead.empty()) a.push_back(absl::StrCat("--lumen-aead=", cfg.lumen_aead));
        }
        a.insert(a.end(), cfg.extra_transport_args.begin(), cfg.extra_transport_args.end());
        break;
      }
    }
    return a;
  }

  // Starts (or restarts) one child. Caller holds no lock that the child needs.
  absl::Status Spawn(Child& c) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      return absl::InternalError(absl::StrCat("socketpair: ", strerror(errno)));
    }
    std::vector<std::string> args;
    {
      std::lock_guard<std::mutex> l(mu);
      args = ArgsFor(c);
    }
    std::vector<char*> argv;
    for (const std::string& s : args) argv.push_back(const_cast<char*>(s.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (const std::string& s : env) envp.push_back(const_cast<char*>(s.c_str()));
    envp.push_back(nullptr);
    const pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
      close(sv[0]);
      close(sv[1]);
      return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
    }
    if (pid == 0) {
      // Child: async-signal-safe calls only.
      prctl(PR_SET_PDEATHSIG, SIGTERM);
      if (getppid() != parent) _exit(127);
      if (sv[1] == kChildRingFd) {
        fcntl(kChildRingFd, F_SETFD, 0);
      } else {
        dup2(sv[1], kChildRingFd);  // dup2 clears FD_CLOEXEC on the new fd
      }
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      sigaction(SIGPIPE, &dfl, nullptr);
      sigaction(SIGINT, &dfl, nullptr);
      sigaction(SIGTERM, &dfl, nullptr);
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      execve(argv[0], argv.data(), envp.data());
      _exit(127);
    }
    close(sv[1]);
    absl::Status s = host::SendRings(sv[0], c.rings);
    if (!s.ok()) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      close(sv[0]);
      return s;
    }
    std::lock_guard<std::mutex> l(mu);
    if (c.sock >= 0) close(c.sock);
    c.sock = sv[0];
    c.pid = pid;
    c.ready = false;
    c.started_ns = host::MonotonicNs();
    spdlog::info("started {} (pid {})", ChildName(c.kind), pid);
    return absl::OkStatus();
  }

  void Fail(const std::string& why) {
    std::lock_guard<std::mutex> l(mu);
    if (!failed) spdlog::error("pipeline failed: {}", why);
    failed = true;
    failure = why;
  }

  void MonitorLoop() {
    while (!stopping.load()) {
      // Child messages (ready / port).
      std::vector<pollfd> pfds;
      std::vector<Child*> who;
      {
        std::lock_guard<std::mutex> l(mu);
        for (Child& c : children) {
          if (c.sock >= 0) {
            pfds.push_back({c.sock, POLLIN, 0});
            who.push_back(&c);
          }
        }
      }
      poll(pfds.data(), pfds.size(), 20);
      for (size_t i = 0; i < pfds.size(); ++i) {
        if (!(pfds[i].revents & POLLIN)) continue;
        auto m = host::ReadChildMessage(pfds[i].fd, 0);
        if (!m.ok()) continue;  // EOF is handled through waitpid below
        if (m->type == host::ChildMessageType::kReady) {
          std::lock_guard<std::mutex> l(mu);
          who[i]->ready = true;
          if (who[i]->kind == ChildKind::kTransport && m->value != 0) {
            transport_port.store(uint16_t(m->value));
          }
        }
      }
      // Exits.
      for (Child& c : children) {
        if (c.pid <= 0 || stopping.load()) continue;
        int status = 0;
        pid_t r = waitpid(c.pid, &status, WNOHANG);
        if (r != c.pid) continue;
        const std::string how = WIFEXITED(status)
                                    ? absl::StrCat("exited with ", WEXITSTATUS(status))
                                    : absl::StrCat("killed by signal ", WTERMSIG(status));
        {
          std::lock_guard<std::mutex> l(mu);
          c.pid = -1;
        }
        if (stopping.load()) break;
        spdlog::warn("{} {}", ChildName(c.kind), how);
        if (!cfg.restart_children || c.restarts >= cfg.max_restarts) {
          Fail(absl::StrCat(ChildName(c.kind), " ", how, "; not restarting"));
          continue;
        }
        // A child that dies right after starting is not helped by restarting it fast.
        if (host::MonotonicNs() - c.started_ns < 500'000'000) usleep(200000);
        {
          std::lock_guard<std::mutex> l(mu);
          ++c.restarts;
        }
        if (absl::Status s = Spawn(c); !s.ok()) {
          Fail(absl::StrCat("restart ", ChildName(c.kind), ": ", s.ToString()));
        } else {
          spdlog::info("restarted {} ({} restarts)", ChildName(c.kind), c.restarts);
        }
      }
    }
  }

  void CollectLoop() {
    host::RingConsumer in(&stats);
    while (!collector_stop.load()) {
      auto r = in.Acquire(50'000'000);
      if (!r) continue;
      host::FrameTiming t = r->As<host::FrameTiming>();
      in.Release(*r);
      std::lock_guard<std::mutex> l(mu);
      if (t.frame_index > last_frame_index) last_frame_index = t.frame_index;
      if (timings.size() < kMaxTimings) timings.push_back(t);
    }
    // Drain what is left.
    while (auto r = in.TryAcquire()) {
      host::FrameTiming t = r->As<host::FrameTiming>();
      in.Release(*r);
      std::lock_guard<std::mutex> l(mu);
      if (timings.size() < kMaxTimings) timings.push_back(t);
    }
  }

  absl::Status SendToTransport(const host::ChildMessage& m) {
    int sock;
    {
      std::lock_guard<std::mutex> l(mu);
      sock = children[int(ChildKind::kTransport)].sock;
    }
    if (sock < 0) return absl::UnavailableError("transport not running");
    return host::SendChildMessage(sock, m);
  }
};

absl::StatusOr<std::unique_ptr<Pipeline>> Pipeline::Start(const PipelineConfig& config) {
  std::unique_ptr<Pipeline> p(new Pipeline());
  p->impl_ = std::make_unique<Impl>();
  Impl& im = *p->impl_;
  im.cfg = config;
  if (config.width <= 0 || config.height <= 0 || config.fps <= 0) {
    return absl::InvalidArgumentError("width, height and fps must be positive");
  }
  for (int i = 0; i < kChildCount; ++i) {
    im.children[i].kind = ChildKind(i);
    auto path = FindBinary(ChildName(ChildKind(i)), config.bin_dir);
    if (!path.ok()) return path.status();
    im.children[i].path = *path;
  }
  // Rings.
  host::RingConfig rc;
  rc.kind = host::RingKind::kRawVideo;
  rc.policy = host::OverflowPolicy::kDropOldest;
  rc.slot_count = config.raw_slots;
  rc.desc_bytes = sizeof(host::RawFrameDesc);
  // Sized for a BGRx frame of the session's size even though lumen-capture writes I420 by
  // default (1.5 bytes a pixel): the slack lets a captured desktop larger than the session
  // (a 1080p desktop in a 720p session: 2.25x the pixels) through instead of dropping it as
  // too big, and --ring-format=bgrx needs it anyway. Only the bytes written are touched.
  rc.slot_payload_bytes = (uint64_t(config.width) * config.height * 4 + 4095) / 4096 * 4096;
  auto raw = host::ShmRing::Create(rc, "lumen-raw-video");
  rc.kind = host::RingKind::kEncodedVideo;
  rc.policy = host::OverflowPolicy::kReject;
  rc.slot_count = config.au_slots;
  rc.desc_bytes = sizeof(host::AccessUnitDesc);
  rc.slot_payload_bytes = (config.au_slot_bytes + 4095) / 4096 * 4096;
  auto au = host::ShmRing::Create(rc, "lumen-access-units");
  rc.kind = host::RingKind::kControl;
  rc.slot_count = 16;
  rc.desc_bytes = sizeof(host::ControlMessage);
  rc.slot_payload_bytes = 0;
  auto control = host::ShmRing::Create(rc, "lumen-control");
  rc.kind = host::RingKind::kTransportStats;
  rc.policy = host::OverflowPolicy::kDropOldest;
  rc.slot_count = 1024;
  rc.desc_bytes = sizeof(host::FrameTiming);
  auto stats = host::ShmRing::Create(rc, "lumen-frame-timing");
  for (auto* r : {&raw, &au, &control, &stats}) {
    if (!r->ok()) return r->status();
  }
  im.raw = std::move(*raw);
  im.au = std::move(*au);
  im.control = std::move(*control);
  im.stats = std::move(*stats);
  using host::RingRole;
  im.children[int(ChildKind::kCapture)].rings = {{RingRole::kRawVideoOut, im.raw.fd()}};
  im.children[int(ChildKind::kEncode)].rings = {{RingRole::kRawVideoIn, im.raw.fd()},
                                                {RingRole::kEncodedVideoOut, im.au.fd()},
                                                {RingRole::kControlIn, im.control.fd()}};
  im.children[int(ChildKind::kTransport)].rings = {{RingRole::kEncodedVideoIn, im.au.fd()},
                                                   {RingRole::kControlOut, im.control.fd()},
                                                   {RingRole::kStatsOut, im.stats.fd()}};
  // Environment for the children.
  for (char** e = environ; e && *e; ++e) {
    if (!config.child_log_level.empty() && strncmp(*e, "LUMEN_LOG=", 10) == 0) continue;
    im.env.emplace_back(*e);
  }
  if (!config.child_log_level.empty()) im.env.push_back("LUMEN_LOG=" + config.child_log_level);

  im.collector = std::thread([&im] { im.CollectLoop(); });
  // Start downstream first so nothing waits on an absent consumer.
  for (ChildKind k : {ChildKind::kTransport, ChildKind::kEncode, ChildKind::kCapture}) {
    if (absl::Status s = im.Spawn(im.children[int(k)]); !s.ok()) {
      p->Stop();
      return s;
    }
  }
  im.monitor = std::thread([&im] { im.MonitorLoop(); });
  const uint64_t deadline = host::MonotonicNs() + 5'000'000'000ull;
  while (im.transport_port.load() == 0 && host::MonotonicNs() < deadline) {
    {
      std::lock_guard<std::mutex> l(im.mu);
      if (im.failed) break;
    }
    usleep(5000);
  }
  if (im.transport_port.load() == 0) {
    std::string why;
    {
      std::lock_guard<std::mutex> l(im.mu);
      why = im.failure;
    }
    p->Stop();
    return absl::UnavailableError(
        absl::StrCat("lumen-transport did not report ready", why.empty() ? "" : ": ", why));
  }
  return p;
}

Pipeline::~Pipeline() { Stop(); }

void Pipeline::Stop() {
  if (!impl_) return;
  Impl& im = *impl_;
  {
    std::lock_guard<std::mutex> l(im.mu);
    if (im.stopped) return;
    im.stopped = true;
  }
  im.stopping = true;
  if (im.monitor.joinable()) im.monitor.join();
  // Upstream first: capture stops producing, the encoder and transport drain.
  for (ChildKind k : {ChildKind::kCapture, ChildKind::kEncode, ChildKind::kTransport}) {
    Child& c = im.children[int(k)];
    if (c.pid > 0) kill(c.pid, SIGTERM);
  }
  const uint64_t deadline = host::MonotonicNs() + 2'000'000'000ull;
  for (Child& c : im.children) {
    while (c.pid > 0) {
      int status;
      pid_t r = waitpid(c.pid, &status, WNOHANG);
      if (r == c.pid || (r < 0 && errno == ECHILD)) {
        c.pid = -1;
        break;
      }
      if (host::MonotonicNs() > deadline) {
        spdlog::warn("{} ignores SIGTERM; killing", ChildName(c.kind));
        kill(c.pid, SIGKILL);
        waitpid(c.pid, &status, 0);
        c.pid = -1;
        break;
      }
      usleep(5000);
    }
    if (c.sock >= 0) {
      close(c.sock);
      c.sock = -1;
    }
  }
  im.collector_stop = true;
  if (im.collector.joinable()) im.collector.join();
}

absl::Status Pipeline::RequestIdr() {
  host::ChildMessage m;
  m.type = host::ChildMessageType::kRequestIdr;
  return impl_->SendToTransport(m);
}

absl::Status Pipeline::SetBitrate(int kbps) {
  if (kbps <= 0) return absl::InvalidArgumentError("bitrate must be positive");
  host::ChildMessage m;
  m.type = host::ChildMessageType::kSetBitrate;
  m.value = uint64_t(kbps);
  return impl_->SendToTransport(m);
}

uint16_t Pipeline::transport_port() const { return impl_->transport_port.load(); }

PipelineStats Pipeline::Stats() const {
  const Impl& im = *impl_;
  PipelineStats s;
  const auto raw = im.raw.GetStats();
  const auto au = im.au.GetStats();
  const auto ctl = im.control.GetStats();
  s.frames_captured = raw.published;
  s.raw_dropped = raw.dropped;
  s.raw_skipped = raw.skipped;
  s.aus_encoded = au.published;
  s.au_rejected = au.rejected;
  s.control_sent = ctl.published;
  std::lock_guard<std::mutex> l(im.mu);
  const uint64_t now = host::MonotonicNs();
  std::vector<double> lat;
  uint64_t recent_bytes = 0, recent_frames = 0;
  for (const host::FrameTiming& t : im.timings) {
    if (t.flags & host::kTimingNoClient) {
      ++s.frames_without_client;
      continue;
    }
    if (t.frame_index == 0) continue;
    ++s.frames_sent;
    s.bytes_sent += t.au_bytes;
    s.datagrams_sent += t.datagrams;
    if (now - t.send_done_ts_ns <= 1'000'000'000ull) {
      ++recent_frames;
      recent_bytes += t.au_bytes;
      lat.push_back(double(t.send_done_ts_ns - t.capture_ts_ns) / 1e6);
    }
  }
  s.fps = double(recent_frames);
  s.bitrate_kbps = double(recent_bytes) * 8 / 1000;
  if (!lat.empty()) {
    std::nth_element(lat.begin(), lat.begin() + lat.size() / 2, lat.end());
    s.capture_to_send_p50_ms = lat[lat.size() / 2];
  }
  for (int i = 0; i < kChildCount; ++i) {
    s.restarts[i] = im.children[i].restarts;
    s.pids[i] = im.children[i].pid;
  }
  s.failed = im.failed;
  s.failure = im.failure;
  return s;
}

std::string Pipeline::StatusLine() const {
  const PipelineStats s = Stats();
  return absl::StrFormat(
      "%5.1f fps  %7.0f kbit/s  capture->send p50 %5.2f ms  sent %llu  dropped %llu  "
      "restarts %d/%d/%d",
      s.fps, s.bitrate_kbps, s.capture_to_send_p50_ms, (unsigned long long)s.frames_sent,
      (unsigned long long)(s.raw_dropped + s.au_rejected), s.restarts[0], s.restarts[1],
      s.restarts[2]);
}

std::vector<host::FrameTiming> Pipeline::Timings() const {
  std::lock_guard<std::mutex> l(impl_->mu);
  return impl_->timings;
}

absl::Status Pipeline::KillChild(ChildKind kind, int sig) {
  std::lock_guard<std::mutex> l(impl_->mu);
  const Child& c = impl_->children[int(kind)];
  if (c.pid <= 0) return absl::FailedPreconditionError("child not running");
  if (kill(c.pid, sig) != 0) return absl::InternalError(strerror(errno));
  return absl::OkStatus();
}

}  // namespace lumen::supervisor
