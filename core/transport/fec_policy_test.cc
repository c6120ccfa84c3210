// Tests for core/transport/fec_policy.h: bounds, monotonicity, hysteresis, parity counts.
#include "core/transport/fec_policy.h"

#include <doctest/doctest.h>

#include <initializer_list>

namespace lumen::transport {
namespace {

LossObservation Obs(uint32_t received, uint32_t lost, uint16_t worst = 0,
                    uint32_t frames_lost = 0) {
  LossObservation o;
  o.packets_received = received;
  o.packets_lost = lost;
  o.worst_frame_loss_permille = worst;
  o.frames_lost = frames_lost;
  return o;
}

TEST_SUITE("LumenFecPolicy") {
  TEST_CASE("LumenFecPolicy.Bounded") {
    const FecPolicyConfig cfg;
    uint32_t x = 7;
    FecPolicyState st = InitialFecState(cfg);
    for (int i = 0; i < 20000; ++i) {
      x = x * 1103515245u + 12345u;
      const uint32_t recv = x % 5000;
      const uint32_t lost = (x >> 13) % 3000;
      const uint16_t worst = uint16_t((x >> 7) % 1001);
      st = NextFecState(cfg, st, Obs(recv, lost, worst, (x >> 3) % 3));
      REQUIRE(st.ratio_permille >= cfg.min_ratio_permille);
      REQUIRE(st.ratio_permille <= cfg.max_ratio_permille);
    }
    // Total loss saturates at the cap; no loss for long enough comes down to within the
    // hysteresis band above the floor.
    st = NextFecState(cfg, InitialFecState(cfg), Obs(0, 1000, 1000));
    CHECK(st.ratio_permille == cfg.max_ratio_permille);
    for (int i = 0; i < 200; ++i) st = NextFecState(cfg, st, Obs(1000, 0));
    CHECK(st.ratio_permille <= cfg.min_ratio_permille + cfg.margin_permille + cfg.band_permille);
  }

  TEST_CASE("LumenFecPolicy.Monotone") {
    const FecPolicyConfig cfg;
    for (uint16_t ratio : {50, 120, 200, 400, 1000}) {
      for (uint8_t streak : {0, 3, 4, 5}) {
        const FecPolicyState prev{ratio, streak};
        uint16_t last = 0;
        for (uint32_t lost = 0; lost <= 1000; lost += 5) {
          const uint16_t r = NextFecState(cfg, prev, Obs(1000 - lost, lost)).ratio_permille;
          CAPTURE(ratio);
          CAPTURE(lost);
          REQUIRE(r >= last);
          last = r;
        }
        last = 0;
        for (uint16_t worst = 0; worst <= 1000; worst += 10) {
          const uint16_t r = NextFecState(cfg, prev, Obs(1000, 10, worst)).ratio_permille;
          REQUIRE(r >= last);
          last = r;
        }
      }
    }
  }

  TEST_CASE("LumenFecPolicy.RaisesAtOnce") {
    const FecPolicyConfig cfg;
    const FecPolicyState st = InitialFecState(cfg);
    CHECK(st.ratio_permille == 200);
    // 10 % loss -> 3 x 10 % + 2 % = 32 %.
    CHECK(NextFecState(cfg, st, Obs(900, 100)).ratio_permille == 320);
    // Bursty: average 1 % but one frame lost 40 % -> 1.5 x 40 % + 2 % = 62 %.
    CHECK(NextFecState(cfg, st, Obs(990, 10, 400)).ratio_permille == 620);
    // A lost frame bumps by at least 1.5x.
    CHECK(NextFecState(cfg, st, Obs(1000, 0, 0, 1)).ratio_permille == 300);
  }

  TEST_CASE("LumenFecPolicy.Hysteresis") {
    const FecPolicyConfig cfg;
    FecPolicyState st{400, 0};
    // Calm intervals: nothing changes until the 5th, then halfway down to the target.
    for (int i = 0; i < cfg.calm_intervals - 1; ++i) {
      st = NextFecState(cfg, st, Obs(1000, 0));
      CHECK(st.ratio_permille == 400);
    }
    st = NextFecState(cfg, st, Obs(1000, 0));
    CHECK(st.ratio_permille == 400 - (400 - 50) / 2);
    // One noisy interval inside the band resets the streak.
    FecPolicyState s2{400, 0};
    for (int i = 0; i < 4; ++i) s2 = NextFecState(cfg, s2, Obs(1000, 0));
    s2 = NextFecState(cfg, s2, Obs(875, 125));  // target 3 x 12.5 % + 2 % = 39.5 % (in band)
    CHECK(s2.ratio_permille == 400);
    CHECK(s2.calm_streak == 0);
    // Alternating around a threshold does not oscillate.
    FecPolicyState s3{320, 0};
    for (int i = 0; i < 50; ++i) {
      s3 = NextFecState(cfg, s3, Obs(900, 100));  // asks 32 %
      s3 = NextFecState(cfg, s3, Obs(910, 90));   // asks 29 %: within the band
      REQUIRE(s3.ratio_permille == 320);
    }
    // Empty interval: no information, no change.
    const FecPolicyState s4{300, 3};
    CHECK(NextFecState(cfg, s4, Obs(0, 0)) == s4);
  }

  TEST_CASE("LumenFecPolicy.ParityShards") {
    const FecPolicyConfig cfg;
    CHECK(ParityShards(1, 200, cfg) == 2);  // the floor
    CHECK(ParityShards(10, 200, cfg) == 2);
    CHECK(ParityShards(11, 200, cfg) == 3);  // ceil(2.2)
    CHECK(ParityShards(3121, 200, cfg) == 625);
    CHECK(ParityShards(60000, 1000, cfg) == 5535);  // k + m <= 65535
    CHECK(ParityShards(65534, 1000, cfg) == 1);
    CHECK(ParityShards(0, 200, cfg) == 0);
    CHECK(ParityShards(100, 0, cfg) == 0);
    for (uint32_t k = 1; k < 5000; k += 13) {
      for (uint16_t r : {50, 200, 333, 1000}) {
        const uint32_t m = ParityShards(k, r, cfg);
        REQUIRE(m >= 2);
        REQUIRE(uint64_t(m) * 1000 >= uint64_t(k) * r);
        REQUIRE(m <= ParityShards(k + 1, r, cfg));
      }
    }
  }
}

}  // namespace
}  // namespace lumen::transport
