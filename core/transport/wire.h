// core/transport/wire.h — lumen transport wire format: header layouts and their codecs.
//
// lumen's own transport carries one GF(2^16) Reed-Solomon block per video frame (up to
// 65535 shards), authenticated-encrypted per datagram. This header defines the on-wire
// layouts (all multi-byte fields BIG-endian, "network order") and pure encode/parse
// functions over caller buffers. Nothing here allocates or throws. The full specification
// with the crypto, negotiation and feedback sections is docs/lumen-transport.md.
//
// Every datagram is: header | payload | 16-byte AEAD tag. The header is the AEAD's
// associated data (authenticated, not encrypted); the payload is encrypted.
//
// Common prefix (16 bytes), shared by every packet type:
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-------+-------+---------------+-------------------------------+
//   |Version| Type  |     Flags     |     Payload Length (bytes)    |
//   +-------+-------+---------------+-------------------------------+
//   |                          Session ID                           |
//   +---------------------------------------------------------------+
//   |                  Packet Number (64 bits, BE)                  |
//   |                                                               |
//   +---------------------------------------------------------------+
//
//   Version  4 bits, kWireVersion (1).
//   Type     4 bits, PacketType: 1 = FEC shard, 2 = feedback.
//   Flags    8 bits, per type (ShardFlags for shards; 0 for feedback). Unknown bits are
//            ignored on receive and must be 0 on send.
//   Payload Length  bytes of payload after the header (excluding the tag). For shards
//            this is the shard size: a multiple of 64 (the Rs16 rule), 64..65472.
//   Session ID  chosen by the host at negotiation; datagrams of another session are dropped.
//   Packet Number  per-direction counter, starts at 0, +1 per datagram, never reused under
//            a key. It is the AEAD nonce and the replay-window index.
//
// Shard header (type 1) = common prefix + 16 bytes (32 bytes in total):
//
//   +---------------------------------------------------------------+
//   |                           Frame ID                            |
//   +-------------------------------+-------------------------------+
//   |          Shard Index          |          K (data shards)      |
//   +-------------------------------+---------------+---------------+
//   |         M (parity shards)     |    Stream     |   Reserved    |
//   +-------------------------------+---------------+---------------+
//   |                    Frame Byte Length                          |
//   +---------------------------------------------------------------+
//
//   Frame ID     32-bit, +1 per frame, wraps (compare with FrameIdNewer()).
//   Shard Index  0..K-1 data, K..K+M-1 parity.
//   K, M         1 <= K, 0 <= M, K + M <= 65535 (one GF(2^16) block per frame).
//   Stream       StreamId (0 video, 1 audio).
//   Frame Byte Length  real frame length; K == ceil(length / shard size); the last data
//                shard is zero-padded to the shard size.
//
// Feedback (type 2) = common prefix + feedback body (core/transport/feedback.h).
#pragma once

#include <cstddef>
#include <cstdint>

namespace lumen::transport {

inline constexpr uint8_t kWireVersion = 1;
inline constexpr size_t kCommonHeaderBytes = 16;
inline constexpr size_t kShardHeaderBytes = 32;
inline constexpr size_t kTagBytes = 16;
inline constexpr size_t kShardAlign = 64;           // shard payloads are multiples of this
inline constexpr size_t kMaxShardBytes = 65472;     // largest multiple of 64 below 65536
inline constexpr uint32_t kMaxBlockShards = 65535;  // K + M limit of the GF(2^16) code
inline constexpr size_t kMaxFeedbackBody = 256;

enum class PacketType : uint8_t { kShard = 1, kFeedback = 2 };

// Flags of a shard packet (bit mask).
enum ShardFlags : uint8_t {
  kFlagKeyframe = 0x01,  // the frame is an IDR / keyframe
};

enum class StreamId : uint8_t { kVideo = 0, kAudio = 1 };

struct CommonHeader {
  uint8_t version = kWireVersion;
  PacketType type = PacketType::kShard;
  uint8_t flags = 0;
  uint16_t payload_len = 0;
  uint32_t session_id = 0;
  uint64_t packet_number = 0;
};

struct ShardHeader {
  CommonHeader common;  // common.payload_len = shard size
  uint32_t frame_id = 0;
  uint16_t shard_index = 0;
  uint16_t k = 0;
  uint16_t m = 0;
  StreamId stream = StreamId::kVideo;
  uint32_t frame_len = 0;
};

// Why a datagram was rejected by the parser or the receiver. One counter per value.
enum class DropReason : uint8_t {
  kTooShort = 0,    // shorter than the header + tag
  kBadVersion,      // version nibble != kWireVersion
  kBadType,         // unknown or unexpected packet type
  kBadLength,       // datagram length != header + payload length + tag
  kBadShardSize,    // shard size 0, not a multiple of 64, or above the receiver's limit
  kBadShardCounts,  // K == 0, K + M > 65535, index >= K + M
  kBadFrameLength,  // frame length 0 or inconsistent with K and the shard size
  kWrongSession,    // session id is not ours
  kReplay,          // packet number already seen or older than the replay window
  kAuthFailed,      // AEAD tag did not verify (tampered or wrong key)
  kInconsistent,    // K / M / length / flags differ from earlier shards of the frame
  kDuplicate,       // shard already held for this frame
  kStaleFrame,      // frame already completed, declared lost, or too old
  kFrameTooLarge,   // frame does not fit the receiver's per-frame buffer
  kBadFeedback,     // feedback body malformed
  kCount
};

const char* DropReasonName(DropReason r) noexcept;

// Wrap-aware "a is newer than b" for 32-bit frame ids (RFC 1982 serial arithmetic).
constexpr bool FrameIdNewer(uint32_t a, uint32_t b) noexcept {
  return a != b && static_cast<uint32_t>(a - b) < 0x80000000u;
}

// Big-endian helpers over raw bytes (no alignment assumptions).
constexpr void PutBe16(uint8_t* p, uint16_t v) noexcept {
  p[0] = uint8_t(v >> 8);
  p[1] = uint8_t(v);
}
constexpr void PutBe32(uint8_t* p, uint32_t v) noexcept {
  p[0] = uint8_t(v >> 24);
  p[1] = uint8_t(v >> 16);
  p[2] = uint8_t(v >> 8);
  p[3] = uint8_t(v);
}
constexpr void PutBe64(uint8_t* p, uint64_t v) noexcept {
  PutBe32(p, uint32_t(v >> 32));
  PutBe32(p + 4, uint32_t(v));
}
constexpr uint16_t GetBe16(const uint8_t* p) noexcept { return uint16_t((p[0] << 8) | p[1]); }
constexpr uint32_t GetBe32(const uint8_t* p) noexcept {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}
constexpr uint64_t GetBe64(const uint8_t* p) noexcept {
  return (uint64_t(GetBe32(p)) << 32) | GetBe32(p + 4);
}

// Writes the 16-byte common prefix to out[0..16).
void WriteCommonHeader(const CommonHeader& h, uint8_t* out) noexcept;
// Writes the 32-byte shard header to out[0..32).
void WriteShardHeader(const ShardHeader& h, uint8_t* out) noexcept;

// Parses the common prefix of a whole datagram (len bytes). Checks the version, the type
// and that len == header bytes for that type + payload_len + kTagBytes. On failure returns
// false and sets *reason.
bool ParseCommonHeader(const uint8_t* datagram, size_t len, CommonHeader* out,
                       DropReason* reason) noexcept;

// Parses and validates a whole shard datagram: common checks plus shard size multiple of
// 64 and <= max_shard_bytes, 1 <= K, K + M <= 65535, index < K + M, and
// (K - 1) * shard < frame_len <= K * shard.
bool ParseShardHeader(const uint8_t* datagram, size_t len, size_t max_shard_bytes, ShardHeader* out,
                      DropReason* reason) noexcept;

// Total datagram bytes for a shard of `shard_bytes` payload.
constexpr size_t ShardDatagramBytes(size_t shard_bytes) noexcept {
  return kShardHeaderBytes + shard_bytes + kTagBytes;
}

// Largest shard size (multiple of 64) whose datagram fits in `datagram_budget` bytes
// (e.g. 1408 -> 1344). Returns 0 when the budget is too small for one 64-byte shard.
constexpr size_t ShardBytesForBudget(size_t datagram_budget) noexcept {
  if (datagram_budget < ShardDatagramBytes(kShardAlign)) return 0;
  size_t s = (datagram_budget - kShardHeaderBytes - kTagBytes) / kShardAlign * kShardAlign;
  return s > kMaxShardBytes ? kMaxShardBytes : s;
}

}  // namespace lumen::transport
