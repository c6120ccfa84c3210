// core/transport/sender.h — lumen transport send side: frame -> one GF(2^16) RS block ->
// sealed datagrams in caller buffers.
//
// Per frame: k = ceil(len / S) data shards of S bytes (S = shard size, a multiple of 64;
// the last shard zero-padded), m parity shards computed with the bucketed codec shape
// (fec_block.h), then k + m datagrams "32-byte header | AEAD(shard) | tag" written to
// out + i * stride, data shards first (index order), then parity. All datagrams of a
// session have the same length, ShardDatagramBytes(S).
//
// Init() allocates every buffer (parity scratch, codec cache); PacketizeFrame() does not
// allocate except when a never-seen codec shape enters the codec cache (see fec_block.h).
// Not thread-safe: one sender per sending thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "core/transport/buffer.h"
#include "core/transport/crypto.h"
#include "core/transport/fec_block.h"
#include "core/transport/feedback.h"
#include "core/transport/wire.h"

namespace lumen::transport {

// Seals packets for one direction: owns the AEAD key state and the packet-number counter.
// Shards and feedback of the same direction share the counter (nonces never repeat).
class PacketSealer {
 public:
  absl::Status Init(uint32_t session_id, Aead aead, const Key& key);
  uint32_t session_id() const { return session_id_; }
  uint64_t next_packet_number() const { return next_pn_; }
  const AeadContext& aead() const { return aead_; }
  // Reserves n consecutive packet numbers and returns the first.
  uint64_t Take(uint64_t n) noexcept {
    const uint64_t pn = next_pn_;
    next_pn_ += n;
    return pn;
  }
  // Seals one feedback message into out; returns its length or 0 (cap too small).
  size_t SealFeedback(const FeedbackMessage& msg, uint8_t* out, size_t cap) noexcept;

 private:
  AeadContext aead_;
  uint32_t session_id_ = 0;
  uint64_t next_pn_ = 0;
};

struct SenderConfig {
  uint32_t session_id = 0;
  size_t shard_bytes = ShardBytesForBudget(1408);  // 1344: datagram of 1392 bytes
  size_t max_frame_bytes = 8 << 20;
  uint16_t max_ratio_permille = 1000;  // largest FEC ratio this sender will be asked for
  uint32_t min_parity = 2;             // parity floor the sizing must allow for
  StreamId stream = StreamId::kVideo;
  size_t codec_cache_slots = 4;
};

enum class SendStatus : uint8_t {
  kOk = 0,
  kEmptyFrame,      // len == 0
  kFrameTooLarge,   // len > max_frame_bytes
  kTooManyShards,   // k + m > 65535, or m above what Init sized for
  kOutputTooSmall,  // max_datagrams < k + m, or stride < datagram bytes
  kFecFailed,       // codec rejected the shape (should not happen)
  kNotInitialized,
};

const char* SendStatusName(SendStatus s) noexcept;

class FrameSender {
 public:
  absl::Status Init(const SenderConfig& cfg, Aead aead, const Key& key);

  size_t shard_bytes() const { return cfg_.shard_bytes; }
  size_t datagram_bytes() const { return ShardDatagramBytes(cfg_.shard_bytes); }
  // Data shards for a frame of len bytes.
  uint32_t DataShards(size_t len) const {
    return uint32_t((len + cfg_.shard_bytes - 1) / cfg_.shard_bytes);
  }
  PacketSealer& sealer() { return sealer_; }

  // Packetizes one frame with m parity shards (m may be 0: no FEC). flags: ShardFlags.
  // Writes k + m datagrams of datagram_bytes() each at out + i * stride and sets *count.
  // `frame` may have any alignment. No allocation except on a codec-cache miss.
  SendStatus PacketizeFrame(const uint8_t* frame, size_t len, uint32_t frame_id, uint32_t m,
                            uint8_t flags, uint8_t* out, size_t stride, size_t max_datagrams,
                            uint32_t* count) noexcept;

 private:
  SenderConfig cfg_;
  PacketSealer sealer_;
  Rs16Cache codecs_;
  AlignedBuffer zero_shard_;  // S zero bytes: virtual (shortened) data shards
  AlignedBuffer last_shard_;  // the padded last data shard
  AlignedBuffer parity_;      // M_max * S parity scratch
  std::unique_ptr<const uint8_t*[]> data_ptrs_;
  std::unique_ptr<uint8_t*[]> parity_ptrs_;
  uint32_t max_codec_m_ = 0;
  bool initialized_ = false;
};

}  // namespace lumen::transport
