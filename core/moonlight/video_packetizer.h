// core/moonlight/video_packetizer.h — host side: one encoded access unit -> Moonlight video
// datagrams (RTP + NV header + Reed–Solomon FEC, optional AES-128-GCM), exactly as stock
// moonlight-common-c clients parse them (protocol doc §7.2–§7.8).
//
// Usage:
//   VideoPacketizer pk;
//   VideoPacketizerConfig cfg; cfg.packet_size = 1392; cfg.fec_percent = 20;
//   if (!pk.Init(cfg).ok()) ...;
//   pk.Packetize(au, frame_index, FrameType::kIdr, rtp_ts_90khz,
//                [&](std::span<const uint8_t> dgram) { socket.Send(dgram); });
//
// Datagram layout (plaintext; every datagram is exactly packet_size + 16 bytes):
//
//    0                   1                   2                   3
//    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//   |   0x90 (V=2,X=1)  |  PT = 0   |     BE16 RTP sequence         |  0
//   |                  BE32 RTP timestamp (90 kHz)                  |  4
//   |                  BE32 SSRC                                    |  8
//   |                  extension word (zero)                        | 12
//   |          LE32 streamPacketIndex = (rtp counter << 8)          | 16
//   |          LE32 frameIndex (first frame = 1)                    | 20
//   |    flags      |  extraFlags   | multiFecFlags | multiFecBlocks| 24
//   |  LE32 fecInfo = shard<<12 | dataShards<<22 | fecPercent<<4    | 28
//   |  payload: packet_size - 16 bytes of the frame stream          | 32
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// The frame stream is the 8-byte frame header {0x01, LE16 hostLatency, frameType,
// LE16 lastPayloadLen, 0, 0} followed by the access unit. It is cut into data shards, split into
// up to 4 FEC blocks (each an independent RS(D, P) code over whole datagrams with
// D + P <= 255), and sent in the order block0 data, block0 parity, block1 data, ...
// When a frame needs more than 4 blocks, FEC is switched off for that frame (fecPercent 0), as the
// reference host does; such frames are counted in stats().frames_without_fec.
//
// With encryption (cfg.encrypt), each finished datagram is sealed with AES-128-GCM and prefixed:
// IV(12: LE64 counter, 0,0,0,'V') | LE32 frameIndex | tag(16) | ciphertext. The wire size is then
// packet_size + 48; the caller passes the packet_size the client announced (already reduced by 32).
//
// Memory: Init() sizes one arena for the largest frame (cfg.max_frame_bytes). Packetize() does
// not allocate, except that the first use of a new (D, P) pair initialises an RS codec
// (RsCache). Datagram spans handed to the sink stay valid until the next Packetize() call, so a
// sink may also collect them for one batched send.
//
// Thread-safety: none; one packetizer per video stream.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <type_traits>

#include "absl/status/status.h"
#include "core/crypto/aes.h"
#include "core/fec/rs_gf256.h"
#include "core/moonlight/rs_cache.h"
#include "core/moonlight/wire.h"

namespace lumen::moonlight {

// Frame type byte of the frame header (§7.4).
enum class FrameType : uint8_t {
  kP = 1,
  kIdr = 2,
  kIntraRefresh = 4,
  kAfterRfi = 5,  // a P-frame that no longer references invalidated frames
};

struct VideoPacketizerConfig {
  // x-nv-video[0].packetSize from ANNOUNCE (1392 typical; 1024 and 1184 are common caps).
  // Datagrams are packet_size + 16 bytes (+ 32 when encrypting). Range 64..9000.
  int packet_size = 1392;
  // Host FEC percentage, 0..255 (0 = no parity). Sunshine's default is 20.
  int fec_percent = 20;
  // The client's minRequiredFecPackets (2 for current clients). Applied per block when
  // fec_percent != 0, within the D + P <= 255 limit.
  int min_fec_packets = 2;
  // The largest access unit Packetize accepts; sizes the arena. 0 = the protocol maximum
  // (4 blocks x 1023 data shards, FEC off) minus the 8-byte frame header.
  size_t max_frame_bytes = 0;
  uint32_t ssrc = 0;
  // AES-128-GCM video encryption (SS_ENC_VIDEO negotiated). key = rikey.
  bool encrypt = false;
  std::array<uint8_t, 16> key{};
  uint64_t iv_counter_start = 0;
  // First RTP sequence / streamPacketIndex counter value (tests use this to force wraps).
  uint32_t first_sequence = 0;
};

// Per-frame metadata beyond the bare minimum.
struct VideoFrameMeta {
  uint32_t frame_index = 1;   // first frame is 1, then +1
  FrameType type = FrameType::kP;
  uint32_t rtp_timestamp = 0;  // 90 kHz capture time
  uint16_t host_latency_100us = 0;  // capture -> send, 0.1 ms units (0 = unknown)
  bool ltr = false;                 // extraFlags 0x01
};

enum class PacketizeStatus : uint8_t {
  kOk = 0,
  kNotInitialized,
  kFrameTooLarge,   // larger than max_frame_bytes or than 4 x 1023 shards; nothing sent
  kFecFailed,       // RS codec refused (should not happen)
  kEncryptFailed,
  kSinkStopped,     // the sink returned false; the rest of the frame was not emitted
};

// How one frame maps onto FEC blocks (exposed for tests and for FEC-status reporting).
struct VideoFramePlan {
  bool ok = false;
  bool fec_disabled = false;  // frame needed > 4 blocks: sent with fecPercent 0
  int data_shards_total = 0;
  int total_shards = 0;  // data + parity, all blocks
  int blocks = 0;
  std::array<int, kMaxFecBlocks> data{};     // D per block
  std::array<int, kMaxFecBlocks> parity{};   // P per block
  std::array<int, kMaxFecBlocks> percent{};  // fecPercent written into fecInfo per block
};

struct VideoPacketizerStats {
  uint64_t frames = 0;
  uint64_t datagrams = 0;
  uint64_t data_shards = 0;
  uint64_t parity_shards = 0;
  uint64_t frames_without_fec = 0;  // too large for FEC within 4 blocks
  uint64_t frames_too_large = 0;    // rejected
  uint64_t payload_bytes = 0;       // access-unit bytes accepted
};

// Picks P and the wire percentage for one block of D data shards so that the client's
// (D * pct + 99) / 100 gives back exactly P, pct <= 255 and D + P <= 255.
// Returns {P, pct}; {0, 0} when no parity can be sent.
inline std::pair<int, int> ChooseBlockParity(int d, int fec_percent, int min_fec) noexcept {
  if (fec_percent <= 0 || d < 1 || d >= kMaxRsShards) return {0, 0};
  fec_percent = std::min(fec_percent, 255);
  int p = (d * fec_percent + 99) / 100;
  if (p < min_fec) p = min_fec;
  p = std::min(p, kMaxRsShards - d);
  // Not every P is reachable through the client's rounding (e.g. D=151: pct 1 gives 2, pct 2
  // gives 4). Prefer the nearest reachable P above the target (more protection), then below.
  auto wire_pct = [&](int q) -> int {
    if (ClientParityCount(d, fec_percent) == q) return fec_percent;
    const int floor_pct = 100 * q / d;
    if (floor_pct >= 1 && floor_pct <= 255 && ClientParityCount(d, floor_pct) == q) {
      return floor_pct;
    }
    for (int pct = 1; pct <= 255; ++pct) {
      if (ClientParityCount(d, pct) == q) return pct;
    }
    return 0;
  };
  for (int q = p; q > 0 && q <= kMaxRsShards - d; ++q) {
    if (const int w = wire_pct(q)) return {q, w};
  }
  for (int q = p - 1; q > 0; --q) {
    if (const int w = wire_pct(q)) return {q, w};
  }
  return {0, 0};
}

// Splits a frame of `au_bytes` access-unit bytes into blocks the way the reference host does
// (§7.6): at most floor(25500 / (100 + pct)) data shards per block, at most 4 blocks, FEC off
// when 4 are not enough; equal-sized blocks except the last.
inline VideoFramePlan PlanVideoFrame(size_t au_bytes, int packet_size, int fec_percent,
                                     int min_fec) noexcept {
  VideoFramePlan plan;
  if (packet_size <= static_cast<int>(kVideoShardOverhead)) return plan;
  const size_t payload = static_cast<size_t>(packet_size) - kVideoShardOverhead;
  const size_t stream = au_bytes + kFrameHeaderSize;
  const size_t n = (stream + payload - 1) / payload;
  if (n > static_cast<size_t>(kMaxFecBlocks * kMaxBlockShards)) return plan;
  int pct = std::clamp(fec_percent, 0, 255);
  const size_t max_d = static_cast<size_t>(25500 / (100 + pct));
  size_t blocks = (n + max_d - 1) / max_d;
  if (blocks > static_cast<size_t>(kMaxFecBlocks)) {
    pct = 0;
    blocks = kMaxFecBlocks;
    plan.fec_disabled = true;
  }
  const size_t per = (n + blocks - 1) / blocks;
  if (per > static_cast<size_t>(kMaxBlockShards)) return plan;
  blocks = (n + per - 1) / per;
  plan.blocks = static_cast<int>(blocks);
  plan.data_shards_total = static_cast<int>(n);
  size_t left = n;
  int total = 0;
  for (size_t b = 0; b < blocks; ++b) {
    const int d = static_cast<int>(std::min(per, left));
    left -= static_cast<size_t>(d);
    const auto [p, wire_pct] = ChooseBlockParity(d, pct, min_fec);
    plan.data[b] = d;
    plan.parity[b] = p;
    plan.percent[b] = wire_pct;
    total += d + p;
  }
  plan.total_shards = total;
  plan.ok = true;
  return plan;
}

class VideoPacketizer {
 public:
  VideoPacketizer() = default;
  VideoPacketizer(const VideoPacketizer&) = delete;
  VideoPacketizer& operator=(const VideoPacketizer&) = delete;

  // Validates cfg and allocates the arena. Call once, or again to reconfigure: that resets the
  // stats but keeps the RTP sequence running (cfg.first_sequence applies to the first call only)
  // and, for an unchanged key, keeps the GCM IV counter running so no IV is ever reused.
  absl::Status Init(const VideoPacketizerConfig& cfg) {
    if (cfg.packet_size < 64 || cfg.packet_size > 9000) {
      return absl::InvalidArgumentError("packet_size must be in 64..9000");
    }
    if (cfg.fec_percent < 0 || cfg.fec_percent > 255) {
      return absl::InvalidArgumentError("fec_percent must be in 0..255");
    }
    if (cfg.min_fec_packets < 0 || cfg.min_fec_packets > 254) {
      return absl::InvalidArgumentError("min_fec_packets must be in 0..254");
    }
    const size_t payload = static_cast<size_t>(cfg.packet_size) - kVideoShardOverhead;
    const size_t protocol_max = kMaxFecBlocks * kMaxBlockShards * payload - kFrameHeaderSize;
    size_t max_frame = cfg.max_frame_bytes == 0 ? protocol_max : cfg.max_frame_bytes;
    if (max_frame > protocol_max) {
      return absl::InvalidArgumentError("max_frame_bytes exceeds 4 x 1023 shards");
    }
    if (cfg.encrypt) {
      if (!gcm_) gcm_ = std::make_unique<::lumen::crypto::AesGcm128>();
      if (!gcm_->SetKey(cfg.key)) return absl::InternalError("AES-GCM key setup failed");
    }
    const bool same_key = initialized_ && cfg.key == cfg_.key;
    cfg_ = cfg;
    max_frame_bytes_ = max_frame;
    shard_size_ = static_cast<size_t>(cfg.packet_size) + kVideoShardOverhead;
    prefix_ = cfg.encrypt ? kVideoEncPrefixSize : 0;
    stride_ = shard_size_ + prefix_;
    // With FEC, a frame holds at most 4 x 255 shards; without, its data shard count.
    const size_t max_data = (max_frame + kFrameHeaderSize + payload - 1) / payload;
    capacity_shards_ = std::max<size_t>(max_data, kMaxFecBlocks * kMaxRsShards);
    arena_.reset(new uint8_t[capacity_shards_ * stride_]);
    if (!initialized_) seq_ = cfg.first_sequence;
    // Never reuse a GCM IV under one key: a re-Init with the same key keeps counting.
    if (!same_key) {
      iv_counter_ = cfg.iv_counter_start;
    } else {
      iv_counter_ = std::max(iv_counter_, cfg.iv_counter_start);
    }
    stats_ = {};
    initialized_ = true;
    return absl::OkStatus();
  }

  // Convenience form of Packetize (the API suggested to callers).
  template <class Sink>
  PacketizeStatus Packetize(std::span<const uint8_t> au, uint32_t frame_index, FrameType type,
                            uint32_t rtp_timestamp, Sink&& sink) noexcept {
    VideoFrameMeta meta;
    meta.frame_index = frame_index;
    meta.type = type;
    meta.rtp_timestamp = rtp_timestamp;
    return Packetize(au, meta, std::forward<Sink>(sink));
  }

  // Packetizes one access unit and calls sink(std::span<const uint8_t> datagram) once per datagram
  // in send order. The sink may return void, or bool (false stops the frame early). The RTP
  // sequence advances by the frame's full shard count even if the sink stops early.
  template <class Sink>
  PacketizeStatus Packetize(std::span<const uint8_t> au, const VideoFrameMeta& meta,
                            Sink&& sink) noexcept {
    if (!initialized_) return PacketizeStatus::kNotInitialized;
    if (au.size() > max_frame_bytes_) {
      ++stats_.frames_too_large;
      return PacketizeStatus::kFrameTooLarge;
    }
    const VideoFramePlan plan =
        PlanVideoFrame(au.size(), cfg_.packet_size, cfg_.fec_percent, cfg_.min_fec_packets);
    if (!plan.ok || static_cast<size_t>(plan.total_shards) > capacity_shards_) {
      ++stats_.frames_too_large;
      return PacketizeStatus::kFrameTooLarge;
    }
    last_plan_ = plan;
    const size_t payload = static_cast<size_t>(cfg_.packet_size) - kVideoShardOverhead;

    // 1. Data shards with their final NV fields and payload; RTP fields and fecInfo stay zero.
    uint8_t frame_header[kFrameHeaderSize] = {0x01, 0, 0, static_cast<uint8_t>(meta.type),
                                              0, 0, 0, 0};
    StoreLe16(frame_header + 1, meta.host_latency_100us);
    size_t last_len = (au.size() + kFrameHeaderSize) % payload;
    if (last_len == 0) last_len = payload;
    StoreLe16(frame_header + 4, static_cast<uint16_t>(last_len));

    size_t slot = 0;       // send-order index within the frame
    size_t stream_off = 0;  // offset into the virtual stream {frame header, au}
    const size_t stream_len = au.size() + kFrameHeaderSize;
    for (int b = 0; b < plan.blocks; ++b) {
      const int d = plan.data[b];
      const uint8_t mfb = MultiFecBlocksByte(b, plan.blocks);
      for (int i = 0; i < d; ++i, ++slot) {
        uint8_t* s = Shard(slot);
        std::memset(s, 0, kVideoHeaderSize);
        StoreLe32(s + video_off::kStreamPacketIndex, static_cast<uint32_t>(seq_ + slot) << 8);
        StoreLe32(s + video_off::kFrameIndex, meta.frame_index);
        uint8_t flags = kFlagContainsPicData;
        if (i == 0) flags |= kFlagSof;
        if (i == d - 1) flags |= kFlagEof;
        s[video_off::kFlags] = flags;
        s[video_off::kExtraFlags] = meta.ltr ? kExtraFlagLtr : 0;
        s[video_off::kMultiFecFlags] = kMultiFecFlags;
        s[video_off::kMultiFecBlocks] = mfb;
        // Payload: copy a slice of {frame header, au}.
        uint8_t* dst = s + kVideoHeaderSize;
        size_t want = std::min(payload, stream_len - stream_off);
        size_t done = 0;
        if (stream_off < kFrameHeaderSize) {
          const size_t h = std::min(kFrameHeaderSize - stream_off, want);
          std::memcpy(dst, frame_header + stream_off, h);
          done = h;
        }
        if (done < want) {
          std::memcpy(dst + done, au.data() + (stream_off + done - kFrameHeaderSize), want - done);
        }
        if (want < payload) std::memset(dst + want, 0, payload - want);
        stream_off += want;
      }
      slot += static_cast<size_t>(plan.parity[b]);
    }

    // 2. Parity per block over whole datagrams.
    slot = 0;
    for (int b = 0; b < plan.blocks; ++b) {
      const int d = plan.data[b];
      const int p = plan.parity[b];
      if (p > 0) {
        fec::Rs256* rs = rs_cache_.Get(d, p);
        if (rs == nullptr) return PacketizeStatus::kFecFailed;
        const uint8_t* data_ptrs[kMaxRsShards];
        uint8_t* parity_ptrs[kMaxRsShards];
        for (int i = 0; i < d; ++i) data_ptrs[i] = Shard(slot + i);
        for (int j = 0; j < p; ++j) parity_ptrs[j] = Shard(slot + d + j);
        if (rs->Encode(data_ptrs, parity_ptrs, shard_size_) != fec::Status::kOk) {
          return PacketizeStatus::kFecFailed;
        }
      }
      // 3. Header fields every shard carries (parity keeps its computed flags/index bytes).
      const uint8_t mfb = MultiFecBlocksByte(b, plan.blocks);
      for (int i = 0; i < d + p; ++i) {
        uint8_t* s = Shard(slot + i);
        s[video_off::kRtpByte0] = kRtpByte0Video;
        s[video_off::kRtpPt] = 0;
        StoreBe16(s + video_off::kSeq, static_cast<uint16_t>(seq_ + slot + i));
        StoreBe32(s + video_off::kTimestamp, meta.rtp_timestamp);
        StoreBe32(s + video_off::kSsrc, cfg_.ssrc);
        StoreLe32(s + video_off::kFrameIndex, meta.frame_index);
        s[video_off::kMultiFecBlocks] = mfb;
        StoreLe32(s + video_off::kFecInfo, FecInfoWord(i, d, plan.percent[b]));
      }
      slot += static_cast<size_t>(d + p);
    }
    const size_t total = slot;

    // 4. Optional encryption, in place, with the 32-byte prefix in front of each shard.
    if (cfg_.encrypt) {
      for (size_t k = 0; k < total; ++k) {
        uint8_t* d = arena_.get() + k * stride_;
        uint8_t* iv = d;
        StoreLe64(iv, iv_counter_++);
        iv[8] = iv[9] = iv[10] = 0;
        iv[11] = 'V';
        StoreLe32(d + 12, meta.frame_index);
        if (!gcm_->Seal(std::span<const uint8_t>(iv, 12),
                        std::span<const uint8_t>(d + prefix_, shard_size_), d + prefix_,
                        d + 16)) {
          return PacketizeStatus::kEncryptFailed;
        }
      }
    }

    seq_ += static_cast<uint32_t>(total);
    ++stats_.frames;
    stats_.payload_bytes += au.size();
    stats_.data_shards += static_cast<uint64_t>(plan.data_shards_total);
    stats_.parity_shards += static_cast<uint64_t>(plan.total_shards - plan.data_shards_total);
    if (plan.fec_disabled) ++stats_.frames_without_fec;

    // 5. Emit in send order.
    for (size_t k = 0; k < total; ++k) {
      std::span<const uint8_t> dgram(arena_.get() + k * stride_, stride_);
      ++stats_.datagrams;
      if constexpr (std::is_same_v<std::invoke_result_t<Sink&, std::span<const uint8_t>>, bool>) {
        if (!sink(dgram)) return PacketizeStatus::kSinkStopped;
      } else {
        sink(dgram);
      }
    }
    return PacketizeStatus::kOk;
  }

  // Wire size of every datagram: packet_size + 16 (+ 32 when encrypting).
  size_t datagram_size() const noexcept { return stride_; }
  // The next RTP sequence counter value (low 16 bits go on the wire).
  uint32_t next_sequence() const noexcept { return seq_; }
  const VideoFramePlan& last_plan() const noexcept { return last_plan_; }
  const VideoPacketizerStats& stats() const noexcept { return stats_; }
  const VideoPacketizerConfig& config() const noexcept { return cfg_; }

 private:
  uint8_t* Shard(size_t slot) noexcept { return arena_.get() + slot * stride_ + prefix_; }

  VideoPacketizerConfig cfg_;
  bool initialized_ = false;
  size_t max_frame_bytes_ = 0;
  size_t shard_size_ = 0;
  size_t prefix_ = 0;
  size_t stride_ = 0;
  size_t capacity_shards_ = 0;
  std::unique_ptr<uint8_t[]> arena_;
  uint32_t seq_ = 0;
  uint64_t iv_counter_ = 0;
  VideoFramePlan last_plan_;
  VideoPacketizerStats stats_;
  RsCache rs_cache_;
  std::unique_ptr<::lumen::crypto::AesGcm128> gcm_;
};

}  // namespace lumen::moonlight
