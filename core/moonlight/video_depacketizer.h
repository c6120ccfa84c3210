// core/moonlight/video_depacketizer.h — client side: Moonlight video datagrams -> access units.
//
// The inverse of VideoPacketizer (and compatible with Sunshine's output): reassembles frames from
// out-of-order, duplicated and lost datagrams, runs Reed–Solomon recovery per FEC block, checks the
// framing the way moonlight-common-c does (SOF/EOF per block, consecutive streamPacketIndex,
// sane recovered flags), strips the 8-byte frame header and the zero padding (via lastPayloadLen),
// and delivers complete access units in frame order. Anything unrecoverable raises a "need IDR"
// signal. Garbage, truncated or hostile datagrams are dropped and counted by ParseError; they
// never crash, allocate or stall the stream.
//
// Usage:
//   VideoDepacketizer dp;  dp.Init(cfg);
//   dp.OnDatagram(bytes, now_us, [&](const VideoFrame& f) { decoder.Decode(f.au); });
//   if (dp.TakeIdrRequest()) control.SendRequestIdr();
//   dp.Poll(now_us);  // optional, expires stale partial frames without a datagram arriving
//
// Model: up to cfg.frame_slots frames are reassembled at once (tolerates reordering across frame
// boundaries). A frame is given up (lost) when it times out (cfg.frame_timeout_us after its first
// datagram), when it is evicted by a newer frame while all slots are busy, when a newer frame is
// delivered first, or when recovery fails. Whole frame indexes that never showed up are counted
// lost too. After a loss, non-IDR frames are dropped until an IDR arrives (cfg.wait_for_idr), as
// the stock client does; the stream also starts in that state.
//
// Scope: frames must use the short 8-byte frame header (first byte 0x01), which Sunshine and
// lumen send; GFE-style longer headers are reported as FrameLoss::kCorrupt.
//
// Memory: Init() allocates frame_slots x max_frame_shards x (packet_size + 16) bytes of shard
// storage plus one output buffer; OnDatagram() does not allocate except on the first use of a
// new (D, P) RS codec (RsCache). Time is a parameter (microseconds, any monotonic origin).
// The VideoFrame::au span is valid only during the sink call. Thread-safety: none.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>

#include "absl/status/status.h"
#include "core/crypto/aes.h"
#include "core/fec/rs_gf256.h"
#include "core/moonlight/rs_cache.h"
#include "core/moonlight/video_packetizer.h"
#include "core/moonlight/wire.h"

namespace lumen::moonlight {

// Why a datagram was not accepted (kOk = accepted). One counter per value.
enum class ParseError : uint8_t {
  kOk = 0,
  kTruncated,        // shorter than the 32-byte header (64 with the encryption prefix)
  kOversize,         // longer than packet_size + 16 (+ 32 encrypted)
  kBadRtpHeader,     // RTP version != 2 or no extension bit
  kDecryptFailed,    // AES-GCM authentication failed
  kBadFecInfo,       // D == 0, shard index >= D + P, or D + P > 255 with parity
  kBadBlockInfo,     // block index beyond the announced last block, or bad multiFecFlags
  kStaleFrame,       // frame already delivered or given up, or older than every tracked frame
  kDuplicate,        // this shard was already received
  kBlockDone,        // the block was already complete (late parity)
  kInconsistent,     // disagrees with earlier datagrams of the same frame or block
  kFrameTooLarge,    // the frame needs more shards than cfg.max_frame_shards (frame lost)
  kOutOfWindow,      // frame index implausibly far ahead (> 65536 frames); see resync rule
  kCount
};

// Why a frame was given up. One counter per value.
enum class FrameLoss : uint8_t {
  kTimeout = 0,     // incomplete after cfg.frame_timeout_us
  kEvicted,         // all slots busy and a newer frame arrived
  kSuperseded,      // a newer frame completed first
  kNeverSeen,       // no datagram of this frame index ever arrived
  kRecoveryFailed,  // RS failure or a recovered shard failed the sanity checks
  kCorrupt,         // framing checks failed on the reassembled frame
  kTooLarge,        // more shards than the slot capacity
  kCount
};

struct VideoDepacketizerConfig {
  int packet_size = 1392;  // as announced; datagrams are packet_size + 16 (+32 encrypted)
  bool encrypted = false;  // SS_ENC_VIDEO: AES-128-GCM with the 32-byte prefix
  std::array<uint8_t, 16> key{};
  int frame_slots = 3;                // frames reassembled concurrently (1..16)
  int max_frame_shards = 4 * 255;     // shard capacity per frame, data + parity (<= 4 x 1023)
  uint64_t frame_timeout_us = 500000;  // give up on a partial frame after this long
  bool wait_for_idr = true;           // drop non-IDR frames after a loss (and at start)
};

struct VideoFrame {
  uint32_t frame_index = 0;
  uint8_t frame_type = 0;  // FrameType value from the frame header (1, 2, 4, 5, ...)
  uint32_t rtp_timestamp = 0;
  uint16_t host_latency_100us = 0;
  bool ltr = false;
  int blocks = 0;
  int data_shards = 0;
  int recovered_shards = 0;  // data shards rebuilt by FEC
  std::span<const uint8_t> au;
};

struct VideoDepacketizerStats {
  uint64_t datagrams = 0;
  uint64_t accepted = 0;
  uint64_t frames_delivered = 0;
  uint64_t frames_recovered = 0;  // delivered frames that needed FEC
  uint64_t shards_recovered = 0;
  uint64_t frames_lost = 0;
  uint64_t frames_dropped_waiting_idr = 0;
  uint64_t idr_requests = 0;
  std::array<uint64_t, static_cast<size_t>(ParseError::kCount)> drops{};
  std::array<uint64_t, static_cast<size_t>(FrameLoss::kCount)> losses{};
  uint64_t drop(ParseError e) const { return drops[static_cast<size_t>(e)]; }
  uint64_t loss(FrameLoss l) const { return losses[static_cast<size_t>(l)]; }
};

class VideoDepacketizer {
 public:
  VideoDepacketizer() = default;
  VideoDepacketizer(const VideoDepacketizer&) = delete;
  VideoDepacketizer& operator=(const VideoDepacketizer&) = delete;

  absl::Status Init(const VideoDepacketizerConfig& cfg) {
    if (cfg.packet_size < 64 || cfg.packet_size > 9000) {
      return absl::InvalidArgumentError("packet_size must be in 64..9000");
    }
    if (cfg.frame_slots < 1 || cfg.frame_slots > kMaxSlots) {
      return absl::InvalidArgumentError("frame_slots must be in 1..16");
    }
    if (cfg.max_frame_shards < 2 || cfg.max_frame_shards > kMaxFecBlocks * kMaxBlockShards) {
      return absl::InvalidArgumentError("max_frame_shards must be in 2..4092");
    }
    if (cfg.encrypted) {
      if (!gcm_) gcm_ = std::make_unique<::lumen::crypto::AesGcm128>();
      if (!gcm_->SetKey(cfg.key)) return absl::InternalError("AES-GCM key setup failed");
    }
    cfg_ = cfg;
    shard_size_ = static_cast<size_t>(cfg.packet_size) + kVideoShardOverhead;
    payload_ = static_cast<size_t>(cfg.packet_size) - kVideoShardOverhead;
    capacity_ = static_cast<size_t>(cfg.max_frame_shards);
    const size_t slots = static_cast<size_t>(cfg.frame_slots);
    shards_.reset(new uint8_t[slots * capacity_ * shard_size_]);
    present_.reset(new uint8_t[slots * capacity_]());
    out_.reset(new uint8_t[capacity_ * payload_]);
    scratch_.reset(new uint8_t[shard_size_]);
    for (size_t i = 0; i < slots; ++i) {
      slots_[i] = Slot{};
      slots_[i].present = present_.get() + i * capacity_;
      slots_[i].mem = shards_.get() + i * capacity_ * shard_size_;
    }
    has_finished_ = false;
    last_finished_ = 0;
    waiting_for_idr_ = cfg.wait_for_idr;
    idr_request_ = false;
    out_of_window_run_ = 0;
    stats_ = {};
    initialized_ = true;
    return absl::OkStatus();
  }

  // Forgets every frame in flight and the frame numbering (as after Init) without reallocating;
  // use when the host restarts its stream. Counters are cleared too. Requires a prior Init.
  void Reset() noexcept {
    for (int i = 0; i < cfg_.frame_slots; ++i) {
      slots_[i].used = capacity_;  // clear the whole presence map
      Release(slots_[i]);
    }
    has_finished_ = false;
    last_finished_ = 0;
    waiting_for_idr_ = cfg_.wait_for_idr;
    idr_request_ = false;
    out_of_window_run_ = 0;
    stats_ = {};
  }

  // Feeds one received datagram. sink(const VideoFrame&) is called for every frame this datagram
  // completes (at most one). Returns kOk when the datagram was accepted, else the drop reason
  // (also counted in stats().drops).
  template <class Sink>
  ParseError OnDatagram(std::span<const uint8_t> dgram, uint64_t now_us, Sink&& sink) noexcept {
    if (!initialized_) return ParseError::kTruncated;
    ++stats_.datagrams;
    Poll(now_us);
    const ParseError e = Ingest(dgram, now_us, sink);
    if (e == ParseError::kOk) {
      ++stats_.accepted;
    } else {
      ++stats_.drops[static_cast<size_t>(e)];
    }
    return e;
  }

  // Gives up partial frames older than cfg.frame_timeout_us.
  void Poll(uint64_t now_us) noexcept {
    for (int i = 0; i < cfg_.frame_slots; ++i) {
      Slot& s = slots_[i];
      if (s.active && now_us > s.first_us && now_us - s.first_us > cfg_.frame_timeout_us) {
        Lose(s, FrameLoss::kTimeout);
      }
    }
  }

  // True once after each loss event: the caller should send an IDR request (0x0302).
  bool TakeIdrRequest() noexcept {
    const bool r = idr_request_;
    idr_request_ = false;
    return r;
  }
  bool waiting_for_idr() const noexcept { return waiting_for_idr_; }
  const VideoDepacketizerStats& stats() const noexcept { return stats_; }

 private:
  static constexpr int kMaxSlots = 16;
  static constexpr uint32_t kFrameWindow = 1u << 16;
  static constexpr int kResyncRun = 64;

  struct Block {
    bool known = false;
    bool complete = false;
    uint16_t base_seq = 0;
    int d = 0;
    int p = 0;
    int pct = 0;
    int recv_data = 0;
    int recv_parity = 0;
    size_t first = 0;  // first shard of this block in the slot's storage
  };
  struct Slot {
    bool active = false;
    uint32_t frame = 0;
    uint64_t first_us = 0;
    uint32_t timestamp = 0;
    int block_count = 0;
    size_t used = 0;  // shards reserved
    int recovered = 0;
    std::array<Block, kMaxFecBlocks> blocks{};
    uint8_t* present = nullptr;
    uint8_t* mem = nullptr;
  };

  uint8_t* ShardPtr(Slot& s, size_t i) noexcept { return s.mem + i * shard_size_; }

  void Release(Slot& s) noexcept {
    std::memset(s.present, 0, s.used);
    uint8_t* present = s.present;
    uint8_t* mem = s.mem;
    s = Slot{};
    s.present = present;
    s.mem = mem;
  }

  void MarkFinished(uint32_t frame) noexcept {
    if (!has_finished_ || SeqBefore32(last_finished_, frame)) last_finished_ = frame;
    has_finished_ = true;
  }

  void SignalLoss() noexcept {
    if (cfg_.wait_for_idr) waiting_for_idr_ = true;
    if (!idr_request_) ++stats_.idr_requests;
    idr_request_ = true;
  }

  void Lose(Slot& s, FrameLoss why) noexcept {
    ++stats_.frames_lost;
    ++stats_.losses[static_cast<size_t>(why)];
    MarkFinished(s.frame);
    Release(s);
    SignalLoss();
  }

  template <class Sink>
  ParseError Ingest(std::span<const uint8_t> dgram, uint64_t now_us, Sink& sink) noexcept {
    // 1. Decrypt (or take as is) and check the fixed header.
    const uint8_t* pkt = dgram.data();
    size_t len = dgram.size();
    if (cfg_.encrypted) {
      if (len < kVideoEncPrefixSize + kVideoHeaderSize) return ParseError::kTruncated;
      if (len > kVideoEncPrefixSize + shard_size_) return ParseError::kOversize;
      const uint32_t enc_frame = LoadLe32(pkt + 12);
      if (has_finished_ && !SeqBefore32(last_finished_, enc_frame)) return ParseError::kStaleFrame;
      const size_t clen = len - kVideoEncPrefixSize;
      if (!gcm_->Open(std::span<const uint8_t>(pkt, 12),
                      std::span<const uint8_t>(pkt + kVideoEncPrefixSize, clen), pkt + 16,
                      scratch_.get())) {
        return ParseError::kDecryptFailed;
      }
      pkt = scratch_.get();
      len = clen;
    } else {
      if (len < kVideoHeaderSize) return ParseError::kTruncated;
      if (len > shard_size_) return ParseError::kOversize;
    }
    if ((pkt[0] & 0xC0) != 0x80 || (pkt[0] & 0x10) == 0) return ParseError::kBadRtpHeader;
    const uint16_t seq = LoadBe16(pkt + video_off::kSeq);
    const uint32_t frame = LoadLe32(pkt + video_off::kFrameIndex);
    const uint8_t mfb = pkt[video_off::kMultiFecBlocks];
    const uint32_t fec_info = LoadLe32(pkt + video_off::kFecInfo);
    const int d = static_cast<int>(fec_info >> 22);
    const int idx = static_cast<int>((fec_info >> 12) & 0x3FF);
    const int pct = static_cast<int>((fec_info >> 4) & 0xFF);
    const int p = ClientParityCount(d, pct);
    if (d == 0 || idx >= d + p || (p > 0 && d + p > kMaxRsShards)) return ParseError::kBadFecInfo;
    const int block = (mfb >> 4) & 3;
    const int block_count = ((mfb >> 6) & 3) + 1;
    if (block >= block_count) return ParseError::kBadBlockInfo;
    if (has_finished_ && !SeqBefore32(last_finished_, frame)) return ParseError::kStaleFrame;
    if (has_finished_ && frame - last_finished_ > kFrameWindow) {
      // Far ahead of the stream: most likely garbage. A long run of them means the host really
      // jumped (or restarted numbering): resynchronise on it.
      if (++out_of_window_run_ < kResyncRun) return ParseError::kOutOfWindow;
      for (int i = 0; i < cfg_.frame_slots; ++i) {
        if (slots_[i].active) Lose(slots_[i], FrameLoss::kEvicted);
      }
      has_finished_ = false;
    }
    out_of_window_run_ = 0;
    // Data shards may be short only at the end of a block (other hosts); parity never.
    if (len < shard_size_ && (idx >= d || (pkt[video_off::kFlags] & kFlagEof) == 0)) {
      return ParseError::kTruncated;
    }

    // 2. Find or start the frame's slot.
    Slot* slot = nullptr;
    Slot* free_slot = nullptr;
    Slot* oldest = nullptr;
    for (int i = 0; i < cfg_.frame_slots; ++i) {
      Slot& s = slots_[i];
      if (!s.active) {
        if (free_slot == nullptr) free_slot = &s;
        continue;
      }
      if (s.frame == frame) {
        slot = &s;
        break;
      }
      if (oldest == nullptr || SeqBefore32(s.frame, oldest->frame)) oldest = &s;
    }
    if (slot == nullptr) {
      if (free_slot == nullptr) {
        if (SeqBefore32(frame, oldest->frame)) return ParseError::kStaleFrame;
        Lose(*oldest, FrameLoss::kEvicted);
        free_slot = oldest;
      }
      slot = free_slot;
      slot->active = true;
      slot->frame = frame;
      slot->first_us = now_us;
      slot->timestamp = LoadBe32(pkt + video_off::kTimestamp);
      slot->block_count = block_count;
    }
    Slot& s = *slot;
    if (s.block_count != block_count) return ParseError::kInconsistent;

    // 3. Block bookkeeping.
    Block& b = s.blocks[block];
    const uint16_t base = static_cast<uint16_t>(seq - idx);
    if (!b.known) {
      if (s.used + static_cast<size_t>(d + p) > capacity_) {
        Lose(s, FrameLoss::kTooLarge);
        return ParseError::kFrameTooLarge;
      }
      b.known = true;
      b.base_seq = base;
      b.d = d;
      b.p = p;
      b.pct = pct;
      b.first = s.used;
      s.used += static_cast<size_t>(d + p);
    } else if (b.d != d || b.pct != pct || b.base_seq != base) {
      return ParseError::kInconsistent;
    }
    if (b.complete) return ParseError::kBlockDone;
    const size_t at = b.first + static_cast<size_t>(idx);
    if (s.present[at]) return ParseError::kDuplicate;
    uint8_t* dst = ShardPtr(s, at);
    std::memcpy(dst, pkt, len);
    if (len < shard_size_) std::memset(dst + len, 0, shard_size_ - len);
    s.present[at] = 1;
    if (idx < d) {
      ++b.recv_data;
    } else {
      ++b.recv_parity;
    }

    // 4. Complete the block (directly, or by RS recovery once any D shards are in).
    if (b.recv_data + b.recv_parity < b.d) return ParseError::kOk;
    if (b.recv_data < b.d && !Recover(s, block)) {
      Lose(s, FrameLoss::kRecoveryFailed);
      return ParseError::kOk;
    }
    b.complete = true;

    // 5. Deliver when every block is complete.
    for (int i = 0; i < s.block_count; ++i) {
      if (!s.blocks[i].complete) return ParseError::kOk;
    }
    Deliver(s, sink);
    return ParseError::kOk;
  }

  bool Recover(Slot& s, int block) noexcept {
    Block& b = s.blocks[block];
    if (b.p == 0) return false;
    fec::Rs256* rs = rs_cache_.Get(b.d, b.p);
    if (rs == nullptr) return false;
    uint8_t* ptrs[kMaxRsShards];
    uint8_t missing[kMaxRsShards];
    const int n = b.d + b.p;
    for (int i = 0; i < n; ++i) {
      ptrs[i] = ShardPtr(s, b.first + static_cast<size_t>(i));
      missing[i] = s.present[b.first + static_cast<size_t>(i)] ? 0 : 1;
    }
    if (rs->Decode(ptrs, missing, shard_size_) != fec::Status::kOk) return false;
    // Check and repair the headers of rebuilt data shards, as the client does.
    const uint8_t mfb = MultiFecBlocksByte(block, s.block_count);
    int rebuilt = 0;
    for (int i = 0; i < b.d; ++i) {
      if (!missing[i]) continue;
      uint8_t* r = ptrs[i];
      const uint8_t flags = r[video_off::kFlags];
      if ((flags & ~(kFlagSof | kFlagEof | kFlagContainsPicData)) != 0) return false;
      if ((flags & kFlagContainsPicData) == 0) return false;
      if (i == 0 && (flags & kFlagSof) == 0) return false;
      if (i == b.d - 1 && (flags & kFlagEof) == 0) return false;
      r[video_off::kRtpByte0] = kRtpByte0Video;
      StoreBe16(r + video_off::kSeq, static_cast<uint16_t>(b.base_seq + i));
      StoreBe32(r + video_off::kTimestamp, s.timestamp);
      StoreLe32(r + video_off::kFrameIndex, s.frame);
      r[video_off::kMultiFecBlocks] = mfb;
      s.present[b.first + static_cast<size_t>(i)] = 1;
      ++rebuilt;
    }
    b.recv_data = b.d;
    s.recovered += rebuilt;
    stats_.shards_recovered += static_cast<uint64_t>(rebuilt);
    return true;
  }

  template <class Sink>
  void Deliver(Slot& s, Sink& sink) noexcept {
    // Frame indexes skipped entirely since the last finished frame were lost. Frames still being
    // reassembled are not "never seen": they are superseded just below.
    if (has_finished_ && SeqBefore32(last_finished_, s.frame)) {
      const uint32_t gap = s.frame - last_finished_ - 1;
      uint32_t tracked = 0;
      for (int i = 0; i < cfg_.frame_slots; ++i) {
        const Slot& o = slots_[i];
        if (o.active && &o != &s && SeqBefore32(last_finished_, o.frame) &&
            SeqBefore32(o.frame, s.frame)) {
          ++tracked;
        }
      }
      if (gap > tracked) {
        stats_.frames_lost += gap - tracked;
        stats_.losses[static_cast<size_t>(FrameLoss::kNeverSeen)] += gap - tracked;
        SignalLoss();
      }
    }
    // Older partial frames can no longer be delivered in order.
    for (int i = 0; i < cfg_.frame_slots; ++i) {
      Slot& o = slots_[i];
      if (o.active && &o != &s && SeqBefore32(o.frame, s.frame)) Lose(o, FrameLoss::kSuperseded);
    }

    // Concatenate payloads, checking the framing.
    size_t out_len = 0;
    int data_shards = 0;
    bool ok = true;
    for (int bi = 0; bi < s.block_count && ok; ++bi) {
      const Block& b = s.blocks[bi];
      const uint8_t* first = ShardPtr(s, b.first);
      const uint32_t spi0 = LoadLe32(first + video_off::kStreamPacketIndex) >> 8;
      for (int i = 0; i < b.d; ++i) {
        const uint8_t* r = ShardPtr(s, b.first + static_cast<size_t>(i));
        const uint8_t flags = r[video_off::kFlags];
        const uint32_t spi = LoadLe32(r + video_off::kStreamPacketIndex) >> 8;
        if ((flags & kFlagContainsPicData) == 0 || (i == 0 && (flags & kFlagSof) == 0) ||
            (i == b.d - 1 && (flags & kFlagEof) == 0) ||
            ((spi - spi0) & 0xFFFFFF) != static_cast<uint32_t>(i)) {
          ok = false;
          break;
        }
        std::memcpy(out_.get() + out_len, r + kVideoHeaderSize, payload_);
        out_len += payload_;
        ++data_shards;
      }
    }
    const uint8_t* o = out_.get();
    if (!ok || out_len < kFrameHeaderSize || o[0] != 0x01) {
      Lose(s, FrameLoss::kCorrupt);
      return;
    }
    VideoFrame f;
    f.frame_index = s.frame;
    f.host_latency_100us = LoadLe16(o + 1);
    f.frame_type = o[3];
    f.rtp_timestamp = s.timestamp;
    f.ltr = (ShardPtr(s, s.blocks[0].first)[video_off::kExtraFlags] & kExtraFlagLtr) != 0;
    f.blocks = s.block_count;
    f.data_shards = data_shards;
    f.recovered_shards = s.recovered;
    const size_t last = LoadLe16(o + 4);
    size_t stream_len = out_len;
    if (last >= 1 && last <= payload_) stream_len = out_len - payload_ + last;
    if (stream_len < kFrameHeaderSize) {
      Lose(s, FrameLoss::kCorrupt);
      return;
    }
    f.au = std::span<const uint8_t>(o + kFrameHeaderSize, stream_len - kFrameHeaderSize);

    MarkFinished(s.frame);
    const bool recovered = s.recovered > 0;
    Release(s);
    if (waiting_for_idr_ && f.frame_type != static_cast<uint8_t>(FrameType::kIdr)) {
      ++stats_.frames_dropped_waiting_idr;
      return;
    }
    if (f.frame_type == static_cast<uint8_t>(FrameType::kIdr)) waiting_for_idr_ = false;
    ++stats_.frames_delivered;
    if (recovered) ++stats_.frames_recovered;
    sink(static_cast<const VideoFrame&>(f));
  }

  VideoDepacketizerConfig cfg_;
  bool initialized_ = false;
  size_t shard_size_ = 0;
  size_t payload_ = 0;
  size_t capacity_ = 0;
  std::unique_ptr<uint8_t[]> shards_;
  std::unique_ptr<uint8_t[]> present_;
  std::unique_ptr<uint8_t[]> out_;
  std::unique_ptr<uint8_t[]> scratch_;
  std::array<Slot, kMaxSlots> slots_{};
  bool has_finished_ = false;
  uint32_t last_finished_ = 0;
  bool waiting_for_idr_ = true;
  bool idr_request_ = false;
  int out_of_window_run_ = 0;
  VideoDepacketizerStats stats_;
  RsCache rs_cache_;
  std::unique_ptr<::lumen::crypto::AesGcm128> gcm_;
};

}  // namespace lumen::moonlight
