// Tests for the shared-memory SPSC ring: functional, policy, two-thread and two-process
// stress, crash-and-restart of either side, and the SCM_RIGHTS hand-off.
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "host/common/frame_desc.h"
#include "host/common/ring_handoff.h"
#include "host/common/shm_ring.h"

namespace lumen::host {
namespace {

// A message that checks itself: sequence, epoch, payload length and a payload checksum.
struct TestDesc {
  uint64_t seq;
  uint64_t epoch;
  uint32_t len;
  uint32_t sum;
};

uint32_t Fill(uint8_t* p, uint32_t len, uint64_t seq) {
  uint32_t sum = 0;
  uint32_t x = uint32_t(seq * 2654435761u) | 1;
  for (uint32_t i = 0; i < len; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    p[i] = uint8_t(x);
    sum = sum * 31 + p[i];
  }
  return sum;
}

uint32_t Sum(const uint8_t* p, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i < len; ++i) sum = sum * 31 + p[i];
  return sum;
}

ShmRing MakeRing(OverflowPolicy policy, uint32_t slots = 8, uint64_t payload = 1024) {
  RingConfig c;
  c.kind = RingKind::kGeneric;
  c.policy = policy;
  c.slot_count = slots;
  c.desc_bytes = 64;
  c.slot_payload_bytes = payload;
  auto r = ShmRing::Create(c, "test-ring");
  REQUIRE(r.ok());
  return std::move(*r);
}

bool Push(RingProducer& p, uint64_t seq, uint32_t len, uint64_t epoch = 0) {
  auto w = p.TryBeginWrite();
  if (!w) return false;
  TestDesc d{seq, epoch, len, Fill(w->payload.data(), len, seq)};
  p.Commit(*w, d, len);
  return true;
}

TEST_SUITE("ShmRing") {
  TEST_CASE("create, attach and validate the header") {
    ShmRing ring = MakeRing(OverflowPolicy::kReject);
    CHECK(ring.header()->magic == kRingMagic);
    CHECK(ring.slot_count() == 8);
    auto again = ShmRing::Attach(ring.fd(), RingKind::kGeneric);
    REQUIRE(again.ok());
    CHECK(again->slot_payload_bytes() == 1024);
    CHECK(ShmRing::Attach(ring.fd(), RingKind::kRawVideo).status().code() ==
          absl::StatusCode::kFailedPrecondition);
    // A memfd that is not a ring.
    int fd = memfd_create("not-a-ring", MFD_CLOEXEC);
    REQUIRE(ftruncate(fd, 8192) == 0);
    CHECK(ShmRing::Attach(fd).status().code() == absl::StatusCode::kInvalidArgument);
    close(fd);
    RingConfig bad;
    bad.slot_count = 1;
    CHECK(!ShmRing::Create(bad, "bad").ok());
  }

  TEST_CASE("FIFO order, random sizes, many wraps") {
    ShmRing ring = MakeRing(OverflowPolicy::kReject, 4, 256);
    RingProducer prod(&ring);
    RingConsumer cons(&ring);
    std::mt19937 rng(1);
    uint64_t next_in = 1, next_out = 1;
    for (int round = 0; round < 20000; ++round) {
      int burst = int(rng() % 5);
      for (int i = 0; i < burst; ++i) {
        if (Push(prod, next_in, rng() % 257, 0)) ++next_in;
      }
      int take = int(rng() % 5);
      for (int i = 0; i < take; ++i) {
        auto r = cons.TryAcquire();
        if (!r) break;
        TestDesc d = r->As<TestDesc>();
        REQUIRE(d.seq == next_out);
        REQUIRE(r->payload.size() == d.len);
        REQUIRE(Sum(r->payload.data(), r->payload.size()) == d.sum);
        cons.Release(*r);
        ++next_out;
      }
    }
    CHECK(ring.GetStats().dropped == 0);
    CHECK(ring.GetStats().published == next_in - 1);
  }

  TEST_CASE("kReject refuses when full and counts it") {
    ShmRing ring = MakeRing(OverflowPolicy::kReject, 4);
    RingProducer prod(&ring);
    RingConsumer cons(&ring);
    for (uint64_t i = 1; i <= 4; ++i) CHECK(Push(prod, i, 8));
    CHECK_FALSE(Push(prod, 5, 8));
    CHECK(ring.GetStats().rejected == 1);
    CHECK_FALSE(prod.BeginWrite(1000000).has_value());  // 1 ms, then gives up
    auto r = cons.TryAcquire();
    REQUIRE(r);
    CHECK(r->As<TestDesc>().seq == 1);
    cons.Release(*r);
    CHECK(Push(prod, 5, 8));
  }

  TEST_CASE("kDropOldest never blocks the producer and counts drops") {
    ShmRing ring = MakeRing(OverflowPolicy::kDropOldest, 4);
    RingProducer prod(&ring);
    RingConsumer cons(&ring);
    for (uint64_t i = 1; i <= 10; ++i) CHECK(Push(prod, i, 16));
    CHECK(ring.GetStats().dropped == 6);
    for (uint64_t want = 7; want <= 10; ++want) {
      auto r = cons.TryAcquire();
      REQUIRE(r);
      CHECK(r->As<TestDesc>().seq == want);
      cons.Release(*r);
    }
    CHECK_FALSE(cons.TryAcquire());
    // The consumer holds the oldest slot: the producer may not overwrite it.
    for (uint64_t i = 11; i <= 14; ++i) CHECK(Push(prod, i, 16));
    auto held = cons.TryAcquire();
    REQUIRE(held);
    CHECK(held->As<TestDesc>().seq == 11);
    // Full, and the oldest slot is being read: the new entry is refused (counted), the
    // held slot is never overwritten.
    CHECK_FALSE(Push(prod, 15, 16));
    CHECK(ring.GetStats().rejected == 1);
    CHECK(Sum(held->payload.data(), held->payload.size()) == held->As<TestDesc>().sum);
    cons.Release(*held);
    CHECK(Push(prod, 15, 16));  // free slot again
    CHECK(Push(prod, 16, 16));  // drops 12
    CHECK(ring.GetStats().dropped == 7);
  }

  TEST_CASE("AcquireLatest skips to the newest entry") {
    ShmRing ring = MakeRing(OverflowPolicy::kDropOldest, 8);
    RingProducer prod(&ring);
    RingConsumer cons(&ring);
    for (uint64_t i = 1; i <= 5; ++i) CHECK(Push(prod, i, 16));
    auto r = cons.AcquireLatest(0);
    REQUIRE(r);
    CHECK(r->As<TestDesc>().seq == 5);
    cons.Release(*r);
    CHECK(ring.GetStats().skipped == 4);
    CHECK_FALSE(cons.TryAcquire());
  }

  TEST_CASE("a producer that dies mid-write never exposes the half-written slot") {
    ShmRing ring = MakeRing(OverflowPolicy::kReject, 4);
    {
      RingProducer dying(&ring);
      CHECK(Push(dying, 1, 32));
      auto w = dying.TryBeginWrite();
      REQUIRE(w);
      std::memset(w->payload.data(), 0xEE, 100);
      TestDesc garbage{999, 0, 100, 0};
      std::memcpy(w->desc.data(), &garbage, sizeof(garbage));
      // ... and the process dies here: no Commit.
    }
    RingConsumer cons(&ring);
    auto r = cons.TryAcquire();
    REQUIRE(r);
    CHECK(r->As<TestDesc>().seq == 1);
    cons.Release(*r);
    CHECK_FALSE(cons.TryAcquire());  // the torn slot is invisible
    RingProducer restarted(&ring);
    CHECK(ring.GetStats().producer_epoch == 2);
    CHECK(Push(restarted, 2, 32, 1));
    r = cons.TryAcquire();
    REQUIRE(r);
    TestDesc d = r->As<TestDesc>();
    CHECK(d.seq == 2);
    CHECK(Sum(r->payload.data(), r->payload.size()) == d.sum);
    cons.Release(*r);
  }

  TEST_CASE("two threads: checksummed stream with blocking waits") {
    ShmRing ring = MakeRing(OverflowPolicy::kReject, 16, 512);
    constexpr uint64_t kCount = 300000;
    std::thread producer([&] {
      RingProducer prod(&ring);
      std::mt19937 rng(7);
      for (uint64_t i = 1; i <= kCount; ++i) {
        auto w = prod.BeginWrite(5'000'000'000);
        REQUIRE(w);
        uint32_t len = rng() % 513;
        TestDesc d{i, 0, len, Fill(w->payload.data(), len, i)};
        prod.Commit(*w, d, len);
      }
    });
    RingConsumer cons(&ring);
    uint64_t bad = 0;
    for (uint64_t i = 1; i <= kCount; ++i) {
      auto r = cons.Acquire(5'000'000'000);
      REQUIRE(r);
      TestDesc d = r->As<TestDesc>();
      if (d.seq != i || Sum(r->payload.data(), r->payload.size()) != d.sum) ++bad;
      cons.Release(*r);
    }
    producer.join();
    CHECK(bad == 0);
  }
}

// Runs `fn` in a forked child; returns its pid. The child _exits with fn's result.
template <class Fn>
pid_t Spawn(Fn fn) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) _exit(fn());
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST_SUITE("ShmRingProcesses") {
  TEST_CASE("two processes: 2M messages of random sizes, in order, intact") {
    ShmRing ring = MakeRing(OverflowPolicy::kReject, 64, 256);
    constexpr uint64_t kCount = 2'000'000;
    pid_t child = Spawn([&] {
      RingProducer prod(&ring);
      std::mt19937 rng(11);
      for (uint64_t i = 1; i <= kCount; ++i) {
        auto w = prod.BeginWrite(10'000'000'000);
        if (!w) return 2;
        uint32_t len = rng() % 257;
        TestDesc d{i, 0, len, Fill(w->payload.data(), len, i)};
        prod.Commit(*w, d, len);
      }
      return 0;
    });
    RingConsumer cons(&ring);
    uint64_t bad = 0, got = 0;
    for (uint64_t i = 1; i <= kCount; ++i) {
      auto r = cons.Acquire(10'000'000'000);
      if (!r) break;
      TestDesc d = r->As<TestDesc>();
      if (d.seq != i || d.len != r->payload.size() ||
          Sum(r->payload.data(), r->payload.size()) != d.sum) {
        ++bad;
      }
      cons.Release(*r);
      ++got;
    }
    CHECK(WaitExit(child) == 0);
    CHECK(got == kCount);
    CHECK(bad == 0);
  }

  TEST_CASE("producer killed at random moments; restarted producers continue") {
    ShmRing ring = MakeRing(OverflowPolicy::kDropOldest, 8, 4096);
    std::atomic<bool> stop{false};
    uint64_t received = 0, bad = 0, epochs_seen = 0, last_epoch = 0;
    std::thread consumer([&] {
      RingConsumer cons(&ring);
      uint64_t last_seq = 0;
      while (!stop.load() || ring.GetStats().depth > 0) {
        auto r = cons.Acquire(20'000'000);
        if (!r) continue;
        TestDesc d = r->As<TestDesc>();
        if (d.len != r->payload.size() || Sum(r->payload.data(), r->payload.size()) != d.sum) {
          ++bad;
        }
        if (d.epoch != last_epoch) {
          last_epoch = d.epoch;
          last_seq = 0;
          ++epochs_seen;
        }
        if (d.seq <= last_seq) ++bad;  // within one producer life: strictly increasing
        last_seq = d.seq;
        ++received;
        cons.Release(*r);
      }
    });
    std::mt19937 rng(3);
    for (uint64_t epoch = 1; epoch <= 6; ++epoch) {
      pid_t child = Spawn([&] {
        RingProducer prod(&ring);
        std::mt19937 crng{uint32_t(epoch)};
        for (uint64_t i = 1;; ++i) {
          auto w = prod.TryBeginWrite();
          if (!w) continue;
          uint32_t len = crng() % 4097;
          TestDesc d{i, epoch, len, Fill(w->payload.data(), len, i)};
          prod.Commit(*w, d, len);
          if (i % 64 == 0) usleep(50);
        }
        return 0;
      });
      usleep(20000 + rng() % 30000);
      kill(child, SIGKILL);
      CHECK(WaitExit(child) == 128 + SIGKILL);
    }
    stop = true;
    consumer.join();
    CHECK(bad == 0);
    CHECK(received > 0);
    CHECK(epochs_seen >= 2);
    CHECK(ring.GetStats().producer_epoch == 6);
  }

  TEST_CASE("consumer killed while holding a slot; the restarted consumer releases it") {
    ShmRing ring = MakeRing(OverflowPolicy::kReject, 4, 64);
    RingProducer prod(&ring);
    for (uint64_t i = 1; i <= 4; ++i) REQUIRE(Push(prod, i, 32));
    int pipefd[2];
    REQUIRE(pipe(pipefd) == 0);
    pid_t child = Spawn([&] {
      RingConsumer cons(&ring);
      auto r = cons.TryAcquire();  // holds entry 1 and never releases it
      char c = r ? 'y' : 'n';
      if (write(pipefd[1], &c, 1) != 1) return 3;
      pause();
      return 0;
    });
    char c = 0;
    REQUIRE(read(pipefd[0], &c, 1) == 1);
    CHECK(c == 'y');
    kill(child, SIGKILL);
    WaitExit(child);
    close(pipefd[0]);
    close(pipefd[1]);
    CHECK_FALSE(Push(prod, 5, 32));  // the dead consumer's slot is still held
    RingConsumer restarted(&ring);
    CHECK(ring.GetStats().recovered == 1);
    CHECK(Push(prod, 5, 32));
    for (uint64_t want = 2; want <= 5; ++want) {
      auto r = restarted.TryAcquire();
      REQUIRE(r);
      CHECK(r->As<TestDesc>().seq == want);
      restarted.Release(*r);
    }
  }

  TEST_CASE("rings travel to another process over SCM_RIGHTS") {
    RingConfig c;
    c.kind = RingKind::kEncodedVideo;
    c.policy = OverflowPolicy::kReject;
    c.slot_count = 4;
    c.desc_bytes = sizeof(AccessUnitDesc);
    c.slot_payload_bytes = 4096;
    auto video = ShmRing::Create(c, "au");
    REQUIRE(video.ok());
    c.kind = RingKind::kControl;
    c.desc_bytes = sizeof(ControlMessage);
    c.slot_payload_bytes = 0;
    auto control = ShmRing::Create(c, "ctl");
    REQUIRE(control.ok());
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    pid_t child = Spawn([&] {
      close(sv[0]);
      // As the lumen-* binaries do it: the optional stats ring is not sent.
      auto handed =
          AttachChildRings(sv[1], "",
                           {{RingRole::kEncodedVideoOut, RingKind::kEncodedVideo},
                            {RingRole::kControlIn, RingKind::kControl},
                            {RingRole::kStatsOut, RingKind::kTransportStats, /*optional=*/true}},
                           5000);
      if (!handed.ok() || handed->rings.size() != 3 || handed->sock != sv[1]) return 10;
      std::optional<ShmRing>& v = handed->rings[0];
      std::optional<ShmRing>& k = handed->rings[1];
      if (!v || !k || handed->rings[2]) return 11;
      RingConsumer ctl(&*k);
      auto m = ctl.Acquire(5'000'000'000);
      if (!m || m->As<ControlMessage>().type != ControlType::kRequestIdr) return 12;
      ctl.Release(*m);
      RingProducer out(&*v);
      AccessUnitDesc au{};
      au.frame_id = 42;
      au.is_idr = 1;
      au.codec = Codec::kH264;
      const uint8_t bits[] = {0, 0, 0, 1, 0x67};
      au.len = sizeof(bits);
      return out.TryPush(au, std::span<const uint8_t>(bits, sizeof(bits))) ? 0 : 13;
    });
    close(sv[1]);
    ReceivedRing send[] = {{RingRole::kEncodedVideoOut, video->fd()},
                           {RingRole::kControlIn, control->fd()}};
    REQUIRE(SendRings(sv[0], send).ok());
    RingProducer ctl(&*control);
    ControlMessage m{};
    m.type = ControlType::kRequestIdr;
    REQUIRE(ctl.TryPush(m));
    RingConsumer in(&*video);
    auto r = in.Acquire(5'000'000'000);
    REQUIRE(r);
    AccessUnitDesc au = r->As<AccessUnitDesc>();
    CHECK(au.frame_id == 42);
    CHECK(au.is_idr == 1);
    CHECK(r->payload.size() == 5);
    in.Release(*r);
    CHECK(WaitExit(child) == 0);
    close(sv[0]);
  }

  TEST_CASE("AttachChildRings: missing, mistyped and unnamed rings are errors") {
    RingConfig c;
    c.kind = RingKind::kControl;
    c.slot_count = 4;
    c.desc_bytes = sizeof(ControlMessage);
    auto control = ShmRing::Create(c, "ctl");
    REQUIRE(control.ok());
    CHECK(absl::IsInvalidArgument(AttachChildRings(-1, "", {}).status()));  // no socket named
    auto handoff = [&](std::initializer_list<WantedRing> wanted) {
      int sv[2];
      REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
      ReceivedRing send[] = {{RingRole::kControlIn, control->fd()}};
      REQUIRE(SendRings(sv[0], send).ok());
      absl::Status st = AttachChildRings(sv[1], "", wanted, 1000).status();
      close(sv[0]);
      close(sv[1]);
      return st;
    };
    CHECK(handoff({{RingRole::kControlIn, RingKind::kControl}}).ok());
    // A required role that was not sent, and a ring of the wrong kind.
    CHECK_FALSE(handoff({{RingRole::kControlIn, RingKind::kControl},
                         {RingRole::kRawVideoIn, RingKind::kRawVideo}})
                    .ok());
    CHECK_FALSE(handoff({{RingRole::kControlIn, RingKind::kRawVideo}}).ok());
    // Optional: a mistyped ring is left out instead.
    CHECK(handoff({{RingRole::kControlIn, RingKind::kRawVideo, /*optional=*/true}}).ok());
    // Nothing arrives: the deadline.
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    CHECK(absl::IsDeadlineExceeded(AttachChildRings(sv[1], "", {}, 10).status()));
    close(sv[0]);
    close(sv[1]);
  }

  TEST_CASE("malformed hand-off messages are rejected") {
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    const char junk[] = "hello";
    REQUIRE(write(sv[0], junk, sizeof(junk)) == sizeof(junk));
    CHECK(ReceiveRings(sv[1], 1000).status().code() == absl::StatusCode::kDataLoss);
    CHECK(ReceiveRings(sv[1], 10).status().code() == absl::StatusCode::kDeadlineExceeded);
    close(sv[0]);
    CHECK(ReceiveRings(sv[1], 1000).status().code() == absl::StatusCode::kUnavailable);
    close(sv[1]);
  }
}

}  // namespace
}  // namespace lumen::host
