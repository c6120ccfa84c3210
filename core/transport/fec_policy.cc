// core/transport/fec_policy.cc — adaptive FEC policy (see fec_policy.h).
#include "core/transport/fec_policy.h"

#include <algorithm>

#include "core/transport/wire.h"

namespace lumen::transport {
namespace {

uint16_t Clamp(const FecPolicyConfig& cfg, uint64_t v) {
  const uint64_t lo = cfg.min_ratio_permille;
  const uint64_t hi = std::max(cfg.min_ratio_permille, cfg.max_ratio_permille);
  return uint16_t(std::clamp<uint64_t>(v, lo, hi));
}

}  // namespace

FecPolicyState InitialFecState(const FecPolicyConfig& cfg) noexcept {
  return FecPolicyState{Clamp(cfg, cfg.initial_ratio_permille), 0};
}

uint16_t TargetRatioPermille(const FecPolicyConfig& cfg, const LossObservation& obs,
                             uint16_t current) noexcept {
  const uint64_t total = uint64_t(obs.packets_received) + obs.packets_lost;
  const uint64_t loss_permille =
      total ? (uint64_t(obs.packets_lost) * 1000 + total - 1) / total : 0;
  const uint64_t worst = std::min<uint64_t>(obs.worst_frame_loss_permille, 1000);
  uint64_t target =
      std::max(loss_permille * cfg.loss_gain_x100 / 100, worst * cfg.burst_gain_x100 / 100) +
      cfg.margin_permille;
  if (obs.frames_lost > 0) target = std::max<uint64_t>(target, uint64_t(current) * 3 / 2);
  return Clamp(cfg, target);
}

FecPolicyState NextFecState(const FecPolicyConfig& cfg, const FecPolicyState& prev,
                            const LossObservation& obs) noexcept {
  const uint16_t current = Clamp(cfg, prev.ratio_permille);
  if (uint64_t(obs.packets_received) + obs.packets_lost == 0)
    return FecPolicyState{current, prev.calm_streak};
  const uint16_t target = TargetRatioPermille(cfg, obs, current);
  if (target > current) return FecPolicyState{target, 0};
  if (uint32_t(target) + cfg.band_permille >= current) return FecPolicyState{current, 0};
  const uint8_t streak = uint8_t(std::min<int>(prev.calm_streak + 1, 255));
  if (streak < std::max<uint8_t>(cfg.calm_intervals, 1)) return FecPolicyState{current, streak};
  const uint16_t lowered = uint16_t(current - (current - target) / 2);
  return FecPolicyState{Clamp(cfg, std::max(lowered, target)), 0};
}

uint32_t ParityShards(uint32_t k, uint16_t ratio_permille, const FecPolicyConfig& cfg) noexcept {
  if (k == 0 || k >= kMaxBlockShards || ratio_permille == 0) return 0;
  uint64_t m = (uint64_t(k) * ratio_permille + 999) / 1000;
  m = std::max<uint64_t>(m, cfg.min_parity);
  return uint32_t(std::min<uint64_t>(m, kMaxBlockShards - k));
}

}  // namespace lumen::transport
