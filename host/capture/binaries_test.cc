// The real lumen-capture and lumen-encode binaries, attached to rings the way the
// supervisor does it (a Unix socket + SCM_RIGHTS hand-off): synthetic pattern ->
// lumen-capture -> raw ring -> lumen-encode (asked for NVENC: falls back here) -> AU ring
// -> FFmpeg decode -> stamp check; both exit cleanly on SIGTERM.
#include <doctest/doctest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "core/pattern/test_pattern.h"
#include "host/common/clock.h"
#include "host/common/frame_desc.h"
#include "host/common/ring_handoff.h"
#include "host/common/shm_ring.h"
#include "host/encode/test_decoder.h"

extern char** environ;

namespace lumen::capture {
namespace {

std::string Runfile(const std::string& rel) {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir ? srcdir : ".") + "/lumen/" + rel;
}

int Listen(const std::string& path) {
  const int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(s >= 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  REQUIRE(path.size() < sizeof(a.sun_path));
  std::memcpy(a.sun_path, path.c_str(), path.size());
  ::unlink(path.c_str());
  REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0);
  REQUIRE(::listen(s, 1) == 0);
  return s;
}

pid_t Spawn(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  REQUIRE(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) == 0);
  return pid;
}

int StopAndWait(pid_t pid) {
  ::kill(pid, SIGTERM);
  int st = 0;
  ::waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

host::ShmRing Ring(host::RingKind kind, host::OverflowPolicy policy, uint32_t slots,
                   uint32_t desc, uint64_t payload) {
  host::RingConfig rc;
  rc.kind = kind;
  rc.policy = policy;
  rc.slot_count = slots;
  rc.desc_bytes = desc;
  rc.slot_payload_bytes = payload;
  auto r = host::ShmRing::Create(rc, "bin-test");
  REQUIRE(r.ok());
  return std::move(*r);
}

TEST_SUITE("Binaries") {
  TEST_CASE("CaptureAndEncodeProcessesOverRings") {
    const int w = 320, h = 240;
    host::ShmRing raw = Ring(host::RingKind::kRawVideo, host::OverflowPolicy::kDropOldest, 4,
                             sizeof(host::RawFrameDesc), uint64_t(w) * h * 4);
    host::ShmRing au = Ring(host::RingKind::kEncodedVideo, host::OverflowPolicy::kReject, 8,
                            sizeof(host::AccessUnitDesc), 1 << 20);
    host::ShmRing ctl = Ring(host::RingKind::kControl, host::OverflowPolicy::kReject, 8,
                             sizeof(host::ControlMessage), 0);
    char dir_template[] = "/tmp/lumen-bin.XXXXXX";  // TEST_TMPDIR is too long for sun_path
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    const std::string dir = dir_template;
    const std::string cap_sock = dir + "/cap.sock", enc_sock = dir + "/enc.sock";
    const int cap_l = Listen(cap_sock), enc_l = Listen(enc_sock);

    const pid_t enc = Spawn({Runfile("host/encode/lumen-encode"), "--ring-socket=" + enc_sock,
                             "--codec=h264", "--bitrate-kbps=2000", "--fps=30",
                             "--width=" + std::to_string(w), "--height=" + std::to_string(h),
                             "--nvenc"});
    const int enc_c = ::accept(enc_l, nullptr, nullptr);
    REQUIRE(enc_c >= 0);
    const host::ReceivedRing enc_rings[] = {{host::RingRole::kRawVideoIn, raw.fd()},
                                            {host::RingRole::kEncodedVideoOut, au.fd()},
                                            {host::RingRole::kControlIn, ctl.fd()}};
    REQUIRE(host::SendRings(enc_c, enc_rings).ok());

    const pid_t cap = Spawn({Runfile("host/capture/lumen-capture"), "--ring-socket=" + cap_sock,
                             "--source=synthetic", "--width=" + std::to_string(w),
                             "--height=" + std::to_string(h), "--fps=30"});
    const int cap_c = ::accept(cap_l, nullptr, nullptr);
    REQUIRE(cap_c >= 0);
    const host::ReceivedRing cap_rings[] = {{host::RingRole::kRawVideoOut, raw.fd()}};
    REQUIRE(host::SendRings(cap_c, cap_rings).ok());

    auto dec = encode::TestDecoder::Create(host::Codec::kH264);
    REQUIRE(dec.ok());
    host::RingConsumer consumer(&au);
    int good = 0, aus = 0;
    bool first_idr = false;
    const uint64_t end = host::MonotonicNs() + 20'000'000'000ull;
    while (good < 10 && host::MonotonicNs() < end) {
      auto slot = consumer.Acquire(200'000'000);
      if (!slot) continue;
      const auto d = slot->As<host::AccessUnitDesc>();
      if (aus++ == 0) first_idr = d.is_idr == 1;
      REQUIRE((*dec)->Decode(slot->payload, int64_t(d.frame_id), [&](const encode::DecodedPicture& p) {
        pattern::Stamp s;
        if (p.width == w && p.height == h &&
            pattern::ReadLuma(p.luma, p.width, p.height, p.stride, &s) == pattern::ReadStatus::kOk &&
            s.frame == uint32_t(d.frame_id) && s.timestamp_us == d.capture_ts_ns / 1000) {
          ++good;
        }
      }).ok());
      consumer.Release(*slot);
    }
    CHECK(first_idr);
    CHECK(good >= 10);
    CHECK(StopAndWait(cap) == 0);
    CHECK(StopAndWait(enc) == 0);
    ::close(cap_c);
    ::close(enc_c);
    ::close(cap_l);
    ::close(enc_l);
    ::unlink(cap_sock.c_str());
    ::unlink(enc_sock.c_str());
    ::rmdir(dir.c_str());
  }

  TEST_CASE("AudioProcessWritesOpusPackets") {
    host::ShmRing ring = Ring(host::RingKind::kEncodedAudio, host::OverflowPolicy::kReject, 64,
                              sizeof(host::AudioPacketDesc), 1408);
    char dir_template[] = "/tmp/lumen-aud.XXXXXX";
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    const std::string dir = dir_template, sock = dir + "/audio.sock";
    const int l = Listen(sock);
    const pid_t pid = Spawn({Runfile("host/audio/lumen-audio"), "--ring-socket=" + sock,
                             "--no-pipewire", "--channels=6"});
    const int c = ::accept(l, nullptr, nullptr);
    REQUIRE(c >= 0);
    const host::ReceivedRing rings[] = {{host::RingRole::kEncodedAudioOut, ring.fd()}};
    REQUIRE(host::SendRings(c, rings).ok());
    host::RingConsumer consumer(&ring);
    uint64_t expect_seq = 1, prev_ts = 0;
    for (int i = 0; i < 20; ++i) {
      auto slot = consumer.Acquire(2'000'000'000);
      REQUIRE(slot.has_value());
      const auto d = slot->As<host::AudioPacketDesc>();
      CHECK(d.seq == expect_seq++);
      CHECK(d.channels == 6);
      CHECK(d.samples_per_channel == 240);
      CHECK(d.sample_rate == 48000);
      CHECK(d.len == slot->payload.size());
      CHECK(d.len > 0);
      if (i > 0) CHECK(d.capture_ts_ns - prev_ts == 5'000'000);
      prev_ts = d.capture_ts_ns;
      consumer.Release(*slot);
    }
    CHECK(StopAndWait(pid) == 0);
    ::close(c);
    ::close(l);
    ::unlink(sock.c_str());
    ::rmdir(dir.c_str());
  }

  TEST_CASE("EncoderProbePrintsCodecs") {
    const std::string out = std::string(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") + "/probe.txt";
    const std::string cmd = Runfile("host/encode/lumen-encode") + " --probe > " + out;
    REQUIRE(std::system(cmd.c_str()) == 0);
    FILE* f = std::fopen(out.c_str(), "r");
    REQUIRE(f != nullptr);
    char line[256] = {};
    REQUIRE(std::fgets(line, sizeof(line), f) != nullptr);
    std::fclose(f);
    CHECK(std::string(line).find("h264=1 hevc=1 av1=1") == 0);
  }
}

}  // namespace
}  // namespace lumen::capture
