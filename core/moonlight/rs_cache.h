// core/moonlight/rs_cache.h — a small fixed-capacity cache of initialised Rs256 codecs per (k, m).
//
// Rs256::Init allocates and builds matrices, so the packetizer and depacketizer keep initialised
// codecs here. The table has a fixed number of slots sized at construction; a miss initialises a
// codec (allocates, once per (k, m) while it stays cached) and may evict another entry. For a fixed
// FEC percentage the number of distinct (k, m) pairs is at most 255, so after warm-up the
// per-packet path does not allocate.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "core/fec/rs_gf256.h"

namespace lumen::moonlight {

class RsCache {
 public:
  explicit RsCache(fec::Gf256Matrix kind = fec::Gf256Matrix::kCauchy) noexcept : kind_(kind) {}

  // Returns an initialised codec for k data and m parity shards (1 <= k, 1 <= m, k + m <= 255),
  // or nullptr when Init rejects the pair.
  fec::Rs256* Get(int k, int m) noexcept {
    if (k < 1 || m < 1 || k + m > 255) return nullptr;
    const uint16_t key = static_cast<uint16_t>((k << 8) | m);
    const size_t home = (static_cast<size_t>(key) * 40503u >> 4) % kSlots;
    size_t free_slot = kSlots;
    for (size_t probe = 0; probe < kProbe; ++probe) {
      Entry& e = entries_[(home + probe) % kSlots];
      if (e.rs && e.key == key) return e.rs.get();
      if (!e.rs && free_slot == kSlots) free_slot = (home + probe) % kSlots;
    }
    Entry& e = entries_[free_slot != kSlots ? free_slot : home];
    e.rs = std::make_unique<fec::Rs256>();  // fresh object: no reliance on re-Init
    e.key = 0;
    if (e.rs->Init(k, m, kind_) != fec::Status::kOk) {
      e.rs.reset();
      return nullptr;
    }
    e.key = key;
    return e.rs.get();
  }

 private:
  static constexpr size_t kSlots = 128;
  static constexpr size_t kProbe = 8;
  struct Entry {
    uint16_t key = 0;
    std::unique_ptr<fec::Rs256> rs;
  };
  fec::Gf256Matrix kind_;
  std::array<Entry, kSlots> entries_{};
};

}  // namespace lumen::moonlight
