// core/transport/fec_block.h — codec shapes and a small cache of GF(2^16) RS codecs.
//
// Frames vary in size, so k (data shards) changes from frame to frame. Rs16::Init(k, m)
// allocates, so calling it per frame would allocate per frame. Instead, lumen runs each
// frame's block through a codec of a *bucketed* shape (K, M) >= (k, m):
//   - shortening: data shards k..K-1 are virtual zero shards, known to both sides and never
//     sent;
//   - puncturing: parity shards m..M-1 are computed but never sent.
// Any k of the k + m sent shards still recover the frame (a shortened, punctured MDS code is
// MDS). Buckets: n <= 32 exactly; above, n rounded up to a multiple of 2^(bit_width(n) - 5)
// (steps of at most 1/16, i.e. <= 6.25 % extra work). When K + M would pass 65535, the exact
// (k, m) is used. The bucket function is part of the wire spec (docs/lumen-transport.md):
// a receiver must use the same codec shape as the sender.
//
// Rs16Cache keeps a few codecs, least recently used evicted; Init happens (and allocates)
// only when a shape is not cached, so a steady stream allocates nothing after warm-up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "core/fec/rs_fft16.h"

namespace lumen::transport {

// Rounds a shard count up to its codec bucket (see the file comment). n in 1..65535.
constexpr uint32_t CodecBucket(uint32_t n) noexcept {
  if (n <= 32) return n;
  int width = 0;
  for (uint32_t v = n; v != 0; v >>= 1) ++width;
  const uint32_t step = uint32_t{1} << (width - 5);
  return (n + step - 1) / step * step;
}

struct CodecShape {
  uint32_t k = 0;
  uint32_t m = 0;
  bool operator==(const CodecShape&) const = default;
};

// The codec shape for a frame sent with k data and m parity shards (m >= 1).
constexpr CodecShape CodecShapeFor(uint32_t k, uint32_t m) noexcept {
  const uint32_t bk = CodecBucket(k);
  const uint32_t bm = CodecBucket(m);
  if (bk + bm <= 65535) return {bk, bm};
  return {k, m};
}

class Rs16Cache {
 public:
  // Sizes the cache (control path): `slots` codecs, each for shards up to max_shard_bytes.
  absl::Status Init(size_t slots, size_t max_shard_bytes);

  // A codec initialised for `shape`; nullptr if Rs16::Init rejects the shape. Allocates only
  // on a cache miss.
  fec::Rs16* Get(CodecShape shape) noexcept;

  uint64_t misses() const { return misses_; }

 private:
  struct Entry {
    CodecShape shape;
    uint64_t last_use = 0;
    bool valid = false;
    fec::Rs16 codec;
  };
  std::unique_ptr<Entry[]> entries_;
  size_t slots_ = 0;
  size_t max_shard_bytes_ = 0;
  uint64_t clock_ = 0;
  uint64_t misses_ = 0;
};

}  // namespace lumen::transport
