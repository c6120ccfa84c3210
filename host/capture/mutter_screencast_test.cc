// mutter --headless as a real desktop: org.gnome.Mutter.ScreenCast RecordVirtual gives a
// virtual monitor at exactly the size lumen's PipeWire consumer offers ("virtual display
// sized to the client"); RecordMonitor captures mutter's own virtual monitor. Skips only
// when mutter or PipeWire cannot run here.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "host/capture/frame_sink.h"
#include "host/capture/pipewire_source.h"
#include "host/capture/pw_test_services.h"
#include "host/capture/screencast.h"
#include "host/common/clock.h"
#include "host/common/shm_ring.h"

namespace lumen::capture {
namespace {

host::ShmRing RawRing(int w, int h) {
  host::RingConfig rc;
  rc.kind = host::RingKind::kRawVideo;
  rc.policy = host::OverflowPolicy::kDropOldest;
  rc.slot_count = 4;
  rc.desc_bytes = sizeof(host::RawFrameDesc);
  rc.slot_payload_bytes = uint64_t(w) * h * 4;
  auto r = host::ShmRing::Create(rc, "mutter-raw");
  REQUIRE(r.ok());
  return std::move(*r);
}

// Retries `open` until mutter's ScreenCast service answers (it registers ~0.2 s after start).
template <class Open>
absl::StatusOr<std::unique_ptr<ScreenCastSession>> Retry(Open&& open, const HeadlessMutter& m) {
  absl::StatusOr<std::unique_ptr<ScreenCastSession>> s = absl::UnavailableError("not tried");
  for (int i = 0; i < 60 && m.running(); ++i) {
    s = open();
    if (s.ok()) return s;
    ::usleep(200000);
  }
  return s;
}

// Waits until the source has delivered at least one frame (mutter sends one on start and
// then only on damage).
bool WaitFrames(PipeWireSource& src, uint64_t n, int ms) {
  const uint64_t end = host::MonotonicNs() + uint64_t(ms) * 1'000'000;
  while (host::MonotonicNs() < end) {
    if (src.stats().frames >= n) return true;
    ::usleep(20000);
  }
  return false;
}

TEST_SUITE("MutterScreenCast") {
  TEST_CASE("VirtualMonitorTakesTheConsumersSize") {
    auto env = EnsurePipeWireTestServices();
    if (!env.ok()) {
      MESSAGE("SKIPPED: PipeWire cannot start here: " << env.status().ToString());
      return;
    }
    HeadlessMutter mutter("lumen-test-wl");
    if (!mutter.running()) {
      MESSAGE("SKIPPED: mutter is not installed or does not start here");
      return;
    }
    auto session = Retry([] { return ScreenCastSession::MutterVirtual(5000); }, mutter);
    REQUIRE_MESSAGE(session.ok(), session.status().ToString());
    CHECK((*session)->node_id() != 0);
    const int w = 800, h = 600;  // a "client" size unlike mutter's own 1024x768 monitor
    host::ShmRing ring = RawRing(w, h);
    RingFrameSink sink(&ring);
    PipeWireSourceConfig pc;
    pc.node_id = (*session)->node_id();
    pc.width = w;
    pc.height = h;
    pc.fps = 30;
    pc.fixed_size = true;
    auto src = PipeWireSource::Start(pc, &sink);
    REQUIRE(src.ok());
    const bool got = WaitFrames(**src, 1, 10000);
    const PipeWireSourceStats st = (*src)->stats();
    MESSAGE("frames " << st.frames << " " << st.width << "x" << st.height << " format "
                      << int(st.format) << " error '" << (*src)->error() << "'");
    REQUIRE(got);
    CHECK(st.width == w);
    CHECK(st.height == h);
    host::RingConsumer consumer(&ring);
    auto slot = consumer.TryAcquire();
    REQUIRE(slot.has_value());
    const auto d = slot->As<host::RawFrameDesc>();
    CHECK(d.width == uint32_t(w));
    CHECK(d.height == uint32_t(h));
    consumer.Release(*slot);

    // The client changes resolution: offer a new size; mutter resizes the virtual monitor
    // and the same stream renegotiates (no restart).
    const uint64_t frames_before = (*src)->stats().frames;
    REQUIRE((*src)->RequestSize(640, 400).ok());
    const uint64_t end = host::MonotonicNs() + 10'000'000'000ull;
    while (host::MonotonicNs() < end &&
           !((*src)->stats().width == 640 && (*src)->stats().frames > frames_before)) {
      ::usleep(20000);
    }
    const PipeWireSourceStats st2 = (*src)->stats();
    MESSAGE("after resize: frames " << st2.frames << " " << st2.width << "x" << st2.height
                                    << " format changes " << st2.format_changes);
    CHECK(st2.width == 640);
    CHECK(st2.height == 400);
    CHECK(st2.format_changes >= 2);
    CHECK(st2.frames > frames_before);
    CHECK((*src)->ok());
  }

  TEST_CASE("RecordMonitor") {
    auto env = EnsurePipeWireTestServices();
    if (!env.ok()) {
      MESSAGE("SKIPPED: PipeWire cannot start here: " << env.status().ToString());
      return;
    }
    HeadlessMutter mutter("lumen-test-wl");
    if (!mutter.running()) {
      MESSAGE("SKIPPED: mutter is not installed or does not start here");
      return;
    }
    // mutter --headless names its --virtual-monitor "Meta-0".
    auto session = Retry([] { return ScreenCastSession::MutterMonitor("Meta-0", 5000); }, mutter);
    REQUIRE_MESSAGE(session.ok(), session.status().ToString());
    host::ShmRing ring = RawRing(1024, 768);
    RingFrameSink sink(&ring);
    PipeWireSourceConfig pc;
    pc.node_id = (*session)->node_id();
    pc.width = 1024;
    pc.height = 768;
    auto src = PipeWireSource::Start(pc, &sink);
    REQUIRE(src.ok());
    REQUIRE(WaitFrames(**src, 1, 10000));
    CHECK((*src)->stats().width == 1024);
    CHECK((*src)->stats().height == 768);
  }
}

}  // namespace
}  // namespace lumen::capture
