// The loss harness in quick mode: reproducible, sane, and showing what FEC is for.
#include <doctest/doctest.h>

#include "tools/loss-harness/loss_sim.h"

namespace lumen::loss {
namespace {

TEST_SUITE("LossHarness") {
  TEST_CASE("QuickSweepIsReproducibleAndNeverCorrupts") {
    const SweepOptions opt = DefaultSweep(/*quick=*/true);
    const auto a = RunSweep(opt);
    const auto b = RunSweep(opt);
    REQUIRE(a.size() == b.size());
    REQUIRE(!a.empty());
    CHECK(RowsToCsv(a) == RowsToCsv(b));
    for (const Row& r : a) {
      CAPTURE(r.profile);
      CAPTURE(FramingName(r.framing));
      CAPTURE(r.model.Name());
      CHECK(r.frames_bad == 0);
      CHECK(r.frames_sent == uint64_t(opt.frames));
      CHECK(r.frames_ok + r.frames_lost == r.frames_sent);
      if (r.model.loss == 0) {
        CHECK(r.frames_lost == 0);
        CHECK(r.datagrams_lost == 0);
      }
      CHECK(r.overhead() > 0.15);  // 20 % FEC plus headers
    }
    const std::string svg = RowsToSvg(a);
    CHECK(svg.find("<svg") == 0);
    CHECK(svg.find("polyline") != std::string::npos);
  }

  TEST_CASE("FecRepairsModerateRandomLoss") {
    Profile p{"small", 20000, 0, 1, 0.2};
    for (Framing f : {Framing::kMoonlight, Framing::kLumen}) {
      CAPTURE(FramingName(f));
      const Row with = RunPoint(p, f, {0.02, 1}, 30, 60, 1392, 42);
      const Row without = RunPoint(p, f, {0.02, 1}, 0, 60, 1392, 42);
      CHECK(with.frames_recovered > 0);
      CHECK(with.frames_lost < without.frames_lost);
    }
  }

  TEST_CASE("LumenKeepsFecWhereMoonlightMustDropIt") {
    // 2 MB keyframes need more than 4 x 255 shards: Moonlight framing sends them without FEC.
    Profile p{"huge", 2e6, 1, 1, 0.05};
    const Row ml = RunPoint(p, Framing::kMoonlight, {0.01, 1}, 20, 6, 1392, 7);
    const Row lu = RunPoint(p, Framing::kLumen, {0.01, 1}, 20, 6, 1392, 7);
    CHECK(ml.frames_no_fec == 6);
    CHECK(lu.frames_no_fec == 0);
    CHECK(lu.frames_ok == 6);
    CHECK(ml.frames_lost > lu.frames_lost);
  }
}

}  // namespace
}  // namespace lumen::loss
