// core/transport/fec_block.cc — Rs16 codec cache (see fec_block.h).
#include "core/transport/fec_block.h"

namespace lumen::transport {

absl::Status Rs16Cache::Init(size_t slots, size_t max_shard_bytes) {
  if (slots == 0) return absl::InvalidArgumentError("codec cache needs at least one slot");
  if (max_shard_bytes == 0 || max_shard_bytes % fec::Rs16::kShardAlign != 0) {
    return absl::InvalidArgumentError("max shard bytes must be a positive multiple of 64");
  }
  entries_ = std::make_unique<Entry[]>(slots);
  slots_ = slots;
  max_shard_bytes_ = max_shard_bytes;
  clock_ = 0;
  misses_ = 0;
  return absl::OkStatus();
}

fec::Rs16* Rs16Cache::Get(CodecShape shape) noexcept {
  if (slots_ == 0) return nullptr;
  ++clock_;
  Entry* victim = &entries_[0];
  for (size_t i = 0; i < slots_; ++i) {
    Entry& e = entries_[i];
    if (e.valid && e.shape == shape) {
      e.last_use = clock_;
      return &e.codec;
    }
    if (!e.valid) {
      if (victim->valid) victim = &e;
    } else if (victim->valid && e.last_use < victim->last_use) {
      victim = &e;
    }
  }
  ++misses_;
  victim->valid = false;
  // Rs16::Init is not noexcept (it allocates); an allocation failure here is fatal anyway.
  if (victim->codec.Init(shape.k, shape.m, max_shard_bytes_) != fec::Status::kOk) {
    return nullptr;
  }
  victim->shape = shape;
  victim->valid = true;
  victim->last_use = clock_;
  return &victim->codec;
}

}  // namespace lumen::transport
