// core/transport/sender.cc — frame -> RS block -> sealed datagrams (see sender.h).
#include "core/transport/sender.h"

#include <algorithm>
#include <cstring>

#include "core/transport/fec_policy.h"

namespace lumen::transport {
namespace {

// Rs16's kernels use unaligned loads for shard bytes, so data shards are read straight
// from the caller's frame (any alignment); only the padded last shard is copied.

}  // namespace

absl::Status PacketSealer::Init(uint32_t session_id, Aead aead, const Key& key) {
  session_id_ = session_id;
  next_pn_ = 0;
  return aead_.Init(aead, key);
}

size_t PacketSealer::SealFeedback(const FeedbackMessage& msg, uint8_t* out, size_t cap) noexcept {
  const size_t n = transport::SealFeedback(aead_, session_id_, next_pn_, msg, out, cap);
  if (n) ++next_pn_;
  return n;
}

const char* SendStatusName(SendStatus s) noexcept {
  switch (s) {
    case SendStatus::kOk:
      return "ok";
    case SendStatus::kEmptyFrame:
      return "empty frame";
    case SendStatus::kFrameTooLarge:
      return "frame too large";
    case SendStatus::kTooManyShards:
      return "too many shards";
    case SendStatus::kOutputTooSmall:
      return "output too small";
    case SendStatus::kFecFailed:
      return "fec failed";
    case SendStatus::kNotInitialized:
      return "not initialized";
  }
  return "?";
}

absl::Status FrameSender::Init(const SenderConfig& cfg, Aead aead, const Key& key) {
  initialized_ = false;
  if (cfg.shard_bytes == 0 || cfg.shard_bytes % kShardAlign != 0 ||
      cfg.shard_bytes > kMaxShardBytes) {
    return absl::InvalidArgumentError("shard_bytes must be a multiple of 64 in 64..65472");
  }
  if (cfg.max_frame_bytes == 0 || cfg.max_frame_bytes > 0xFFFFFFFFull) {
    return absl::InvalidArgumentError("max_frame_bytes must be in 1..2^32-1");
  }
  const uint64_t max_k = (cfg.max_frame_bytes + cfg.shard_bytes - 1) / cfg.shard_bytes;
  if (max_k >= kMaxBlockShards) {
    return absl::InvalidArgumentError("max_frame_bytes needs more than 65534 data shards");
  }
  cfg_ = cfg;
  if (absl::Status s = sealer_.Init(cfg.session_id, aead, key); !s.ok()) return s;
  if (absl::Status s = codecs_.Init(cfg.codec_cache_slots, cfg.shard_bytes); !s.ok()) return s;

  FecPolicyConfig pc;
  pc.min_parity = uint16_t(std::min<uint32_t>(cfg.min_parity, 65535));
  const uint32_t max_m =
      std::max<uint32_t>(ParityShards(uint32_t(max_k), cfg.max_ratio_permille, pc), cfg.min_parity);
  max_codec_m_ =
      std::min<uint32_t>(CodecBucket(std::min<uint32_t>(max_m, 65534)), kMaxBlockShards - 1);
  const size_t s = cfg.shard_bytes;
  if (!zero_shard_.Allocate(s) || !last_shard_.Allocate(s) ||
      !parity_.Allocate(size_t(max_codec_m_) * s)) {
    return absl::ResourceExhaustedError("sender buffers");
  }
  data_ptrs_ = std::make_unique<const uint8_t*[]>(kMaxBlockShards);
  parity_ptrs_ = std::make_unique<uint8_t*[]>(kMaxBlockShards);
  initialized_ = true;
  return absl::OkStatus();
}

SendStatus FrameSender::PacketizeFrame(const uint8_t* frame, size_t len, uint32_t frame_id,
                                       uint32_t m, uint8_t flags, uint8_t* out, size_t stride,
                                       size_t max_datagrams, uint32_t* count) noexcept {
  *count = 0;
  if (!initialized_) return SendStatus::kNotInitialized;
  if (len == 0 || frame == nullptr) return SendStatus::kEmptyFrame;
  if (len > cfg_.max_frame_bytes) return SendStatus::kFrameTooLarge;
  const size_t s = cfg_.shard_bytes;
  const uint32_t k = DataShards(len);
  if (uint64_t(k) + m > kMaxBlockShards) return SendStatus::kTooManyShards;
  const uint32_t n = k + m;
  if (out == nullptr || max_datagrams < n || stride < datagram_bytes()) {
    return SendStatus::kOutputTooSmall;
  }

  // Data shard sources: the frame itself, the last shard padded.
  const uint8_t* src = frame;
  const size_t last_len = len - size_t(k - 1) * s;
  std::memcpy(last_shard_.data(), frame + size_t(k - 1) * s, last_len);
  std::memset(last_shard_.data() + last_len, 0, s - last_len);
  for (uint32_t i = 0; i + 1 < k; ++i) data_ptrs_[i] = src + size_t(i) * s;
  data_ptrs_[k - 1] = last_shard_.data();

  if (m > 0) {
    const CodecShape shape = CodecShapeFor(k, m);
    if (shape.m > max_codec_m_) return SendStatus::kTooManyShards;
    for (uint32_t i = k; i < shape.k; ++i) data_ptrs_[i] = zero_shard_.data();
    for (uint32_t j = 0; j < shape.m; ++j) parity_ptrs_[j] = parity_.data() + size_t(j) * s;
    fec::Rs16* rs = codecs_.Get(shape);
    if (rs == nullptr || rs->Encode(data_ptrs_.get(), parity_ptrs_.get(), s) != fec::Status::kOk) {
      return SendStatus::kFecFailed;
    }
  }

  ShardHeader h;
  h.common.type = PacketType::kShard;
  h.common.flags = flags;
  h.common.payload_len = uint16_t(s);
  h.common.session_id = cfg_.session_id;
  h.frame_id = frame_id;
  h.k = uint16_t(k);
  h.m = uint16_t(m);
  h.stream = cfg_.stream;
  h.frame_len = uint32_t(len);
  const uint64_t pn0 = sealer_.Take(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint8_t* d = out + size_t(i) * stride;
    h.common.packet_number = pn0 + i;
    h.shard_index = uint16_t(i);
    WriteShardHeader(h, d);
    const uint8_t* payload = i < k ? data_ptrs_[i] : parity_ptrs_[i - k];
    sealer_.aead().Seal(h.common.packet_number, d, kShardHeaderBytes, payload, s,
                        d + kShardHeaderBytes, d + kShardHeaderBytes + s);
  }
  *count = n;
  return SendStatus::kOk;
}

}  // namespace lumen::transport
