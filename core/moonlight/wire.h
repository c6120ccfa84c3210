// core/moonlight/wire.h — endian-explicit loads/stores and shared Moonlight wire constants.
//
// The Moonlight protocol mixes byte orders inside one packet (a big-endian RTP header followed
// by a little-endian NV header), so every field access in core/moonlight/ goes through these
// helpers with the byte order spelled out. All helpers take raw pointers the caller has already
// bounds-checked; they never read or write outside [p, p + sizeof(T)).
#pragma once

#include <cstdint>
#include <cstring>

namespace lumen::moonlight {

inline uint16_t LoadBe16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | p[1]);
}
inline uint32_t LoadBe32(const uint8_t* p) noexcept {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline uint16_t LoadLe16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>(p[0] | (uint16_t{p[1]} << 8));
}
inline uint32_t LoadLe32(const uint8_t* p) noexcept {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}
inline uint64_t LoadLe64(const uint8_t* p) noexcept {
  return uint64_t{LoadLe32(p)} | (uint64_t{LoadLe32(p + 4)} << 32);
}
inline float LoadLeF32(const uint8_t* p) noexcept {
  const uint32_t bits = LoadLe32(p);
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

inline void StoreBe16(uint8_t* p, uint16_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void StoreBe32(uint8_t* p, uint32_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline void StoreLe16(uint8_t* p, uint16_t v) noexcept {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
inline void StoreLe32(uint8_t* p, uint32_t v) noexcept {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}
inline void StoreLe64(uint8_t* p, uint64_t v) noexcept {
  StoreLe32(p, static_cast<uint32_t>(v));
  StoreLe32(p + 4, static_cast<uint32_t>(v >> 32));
}
inline void StoreLeF32(uint8_t* p, float f) noexcept {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  StoreLe32(p, bits);
}

// Wrap-aware 16-bit sequence compare: true when a comes before b (RFC 1982 style).
inline bool SeqBefore16(uint16_t a, uint16_t b) noexcept {
  return static_cast<int16_t>(static_cast<uint16_t>(a - b)) < 0;
}
// Wrap-aware 32-bit compare (frame indexes).
inline bool SeqBefore32(uint32_t a, uint32_t b) noexcept {
  return static_cast<int32_t>(a - b) < 0;
}

// ---- Video (§7.2) ----------------------------------------------------------------------------
inline constexpr size_t kRtpHeaderSize = 12;
inline constexpr size_t kRtpExtensionSize = 4;     // the X-bit extension word the client skips
inline constexpr size_t kNvVideoHeaderSize = 16;   // NV_VIDEO_PACKET
inline constexpr size_t kVideoHeaderSize = 32;     // RTP + extension + NV header
inline constexpr size_t kVideoShardOverhead = 16;  // datagram = packetSize + 16
inline constexpr size_t kFrameHeaderSize = 8;      // short frame header, first byte 0x01
inline constexpr size_t kVideoEncPrefixSize = 32;  // IV(12) + LE32 frameIndex + tag(16)
inline constexpr int kMaxFecBlocks = 4;
inline constexpr int kMaxRsShards = 255;     // D + P per RS block
inline constexpr int kMaxBlockShards = 1023;  // 10-bit shard index (FEC off only)

inline constexpr uint8_t kRtpByte0Video = 0x90;  // V=2, X=1
inline constexpr uint8_t kRtpByte0Audio = 0x80;  // V=2, X=0

inline constexpr uint8_t kFlagContainsPicData = 0x01;
inline constexpr uint8_t kFlagEof = 0x02;
inline constexpr uint8_t kFlagSof = 0x04;
inline constexpr uint8_t kMultiFecFlags = 0x10;
inline constexpr uint8_t kExtraFlagLtr = 0x01;

// Offsets inside a plaintext video datagram.
namespace video_off {
inline constexpr size_t kRtpByte0 = 0;
inline constexpr size_t kRtpPt = 1;
inline constexpr size_t kSeq = 2;                // BE16
inline constexpr size_t kTimestamp = 4;          // BE32 (90 kHz)
inline constexpr size_t kSsrc = 8;               // BE32
inline constexpr size_t kExtension = 12;         // 4 bytes, zero
inline constexpr size_t kStreamPacketIndex = 16;  // LE32 (counter << 8)
inline constexpr size_t kFrameIndex = 20;        // LE32
inline constexpr size_t kFlags = 24;
inline constexpr size_t kExtraFlags = 25;
inline constexpr size_t kMultiFecFlags = 26;
inline constexpr size_t kMultiFecBlocks = 27;
inline constexpr size_t kFecInfo = 28;           // LE32
inline constexpr size_t kPayload = 32;
}  // namespace video_off

inline constexpr uint8_t MultiFecBlocksByte(int block_index, int block_count) noexcept {
  return static_cast<uint8_t>(((block_index & 3) << 4) | (((block_count - 1) & 3) << 6));
}
inline constexpr uint32_t FecInfoWord(int shard_index, int data_shards, int fec_percent) noexcept {
  return (static_cast<uint32_t>(shard_index & 0x3FF) << 12) |
         (static_cast<uint32_t>(data_shards & 0x3FF) << 22) |
         (static_cast<uint32_t>(fec_percent & 0xFF) << 4);
}
// The client's parity-count rule: P = (D * pct + 99) / 100.
inline constexpr int ClientParityCount(int data_shards, int fec_percent) noexcept {
  return (data_shards * fec_percent + 99) / 100;
}

// ---- Audio (§8.4, §8.5) -----------------------------------------------------------------------
inline constexpr uint8_t kAudioPayloadType = 97;
inline constexpr uint8_t kAudioFecPayloadType = 127;
inline constexpr size_t kAudioFecHeaderSize = 12;
inline constexpr size_t kAudioMaxDatagram = 1400;  // client receive buffer
inline constexpr int kAudioDataShards = 4;
inline constexpr int kAudioFecShards = 2;

}  // namespace lumen::moonlight
