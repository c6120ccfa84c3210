// core/transport/fec_policy.h — adaptive FEC: observed loss -> next FEC ratio -> parity m.
//
// A pure function of (config, previous state, one interval's observation). The host feeds
// it every LossReport (feedback.h) and uses ParityShards() for each frame's block.
//
//   target  = max(loss x loss_gain + margin, worst-frame loss x burst_gain + margin)
//             (+ a bump to current x 1.5 when frames were lost in the interval)
//   raise   : target > current          -> current = target at once
//   lower   : target < current - band for `calm_intervals` consecutive intervals
//             -> current = halfway down to target (never below target)
//   otherwise keep current (hysteresis: no oscillation around a threshold)
//   always  : min_ratio <= current <= max_ratio
//
// Properties (tested): bounded; monotone (for the same previous state, more loss never gives
// a lower ratio); decreases only after `calm_intervals` calm reports.
// Burstiness matters because one RS block covers a frame: any m losses in a frame are
// repaired, so what hurts is losses clustering in some frames, which the per-frame worst
// loss captures better than the average.
#pragma once

#include <cstdint>

namespace lumen::transport {

struct FecPolicyConfig {
  uint16_t min_ratio_permille = 50;    // floor (5 %)
  uint16_t max_ratio_permille = 1000;  // cap (100 %: m <= k)
  uint16_t initial_ratio_permille = 200;
  uint16_t loss_gain_x100 = 300;   // 3x the average loss
  uint16_t burst_gain_x100 = 150;  // 1.5x the worst frame's loss
  uint16_t margin_permille = 20;   // +2 %
  uint16_t band_permille = 30;     // lower only when target < current - band
  uint8_t calm_intervals = 5;      // consecutive calm reports before lowering
  uint16_t min_parity = 2;         // at least this many parity shards per frame
};

struct FecPolicyState {
  uint16_t ratio_permille = 200;
  uint8_t calm_streak = 0;
  bool operator==(const FecPolicyState&) const = default;
};

struct LossObservation {
  uint32_t packets_received = 0;
  uint32_t packets_lost = 0;
  uint32_t frames_lost = 0;
  uint16_t worst_frame_loss_permille = 0;  // 0..1000
};

// The state a policy starts in.
FecPolicyState InitialFecState(const FecPolicyConfig& cfg) noexcept;

// The ratio this observation alone asks for (before hysteresis), clamped to the bounds.
uint16_t TargetRatioPermille(const FecPolicyConfig& cfg, const LossObservation& obs,
                             uint16_t current_permille) noexcept;

// Next state. An interval with no packets at all carries no information: state unchanged.
FecPolicyState NextFecState(const FecPolicyConfig& cfg, const FecPolicyState& prev,
                            const LossObservation& obs) noexcept;

// Parity shards for a k-shard frame at `ratio_permille`: ceil(k x ratio / 1000), at least
// cfg.min_parity (when ratio > 0), and at most 65535 - k. k must be 1..65534.
uint32_t ParityShards(uint32_t k, uint16_t ratio_permille, const FecPolicyConfig& cfg) noexcept;

}  // namespace lumen::transport
