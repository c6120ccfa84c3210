// core/moonlight/audio.h — Moonlight audio stream codec (protocol doc §8.4–§8.6).
//
// Host side, AudioPacketizer: Opus packet -> RTP datagram (PT 97, BE seq from a multiple of 4,
// BE32 timestamp in ms), optional AES-128-CBC (PKCS#7, IV = BE32(rikeyid + seq) then 12 zero
// bytes), and after every 4th data packet two FEC datagrams (PT 127) carrying RS(4,2) parity over
// the (encrypted) payloads with the fixed OpenFEC matrix (Gf256Matrix::kMoonlightAudio):
//
//   data:  0x80 | 97  | BE16 seq | BE32 ts(ms) | BE32 ssrc | payload
//   fec:   0x80 | 127 | BE16 seq(last data + 1 + x) | BE32 0 | BE32 0 |
//          fecShardIndex | 97 | BE16 baseSeq | BE32 baseTs | BE32 ssrc | parity
//
// Client side, AudioDepacketizer: reorders, recovers a lost packet from FEC once 4 of the 6
// shards of its block are in, decrypts, and emits packets in sequence order; a packet that
// cannot be recovered within the reorder window or timeout is emitted as a loss (empty span,
// lost = true) so the decoder can conceal it. Bad datagrams are dropped and counted.
//
// Both sides are fixed-size state allocated at Init(); the per-packet path does not allocate.
// Time is a parameter. Spans passed to sinks are valid only during the call.
#pragma once

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
#include "core/moonlight/wire.h"

namespace lumen::moonlight {

// Largest shard (payload) so that the FEC datagram, 24 header bytes + shard, fits in 1400 bytes.
inline constexpr size_t kAudioMaxShard = kAudioMaxDatagram - kRtpHeaderSize - kAudioFecHeaderSize;

inline std::array<uint8_t, 16> AudioIv(uint32_t rikeyid, uint16_t seq) noexcept {
  std::array<uint8_t, 16> iv{};
  StoreBe32(iv.data(), rikeyid + seq);
  return iv;
}

struct AudioPacketizerConfig {
  int packet_duration_ms = 5;  // x-nv-aqos.packetDuration: timestamp step per packet
  bool encrypt = false;        // AES-128-CBC (effectively always on with current clients)
  std::array<uint8_t, 16> key{};  // rikey
  uint32_t rikeyid = 0;           // launch rikeyid as uint32 (may come from a negative int)
  bool fec = true;
  uint16_t first_sequence = 0;  // multiple of 4
  uint32_t first_timestamp = 0;
  uint32_t ssrc = 0;
};

enum class AudioStatus : uint8_t {
  kOk = 0,
  kNotInitialized,
  kTooLarge,  // the (padded) payload would exceed kAudioMaxShard
  kEmpty,
  kEncryptFailed,
  kFecFailed,
};

struct AudioPacketizerStats {
  uint64_t packets = 0;
  uint64_t fec_packets = 0;
  uint64_t fec_blocks_skipped = 0;  // 4 payloads of different sizes (not CBR)
  uint64_t rejected = 0;
};

class AudioPacketizer {
 public:
  absl::Status Init(const AudioPacketizerConfig& cfg) {
    if (cfg.first_sequence % 4 != 0) {
      return absl::InvalidArgumentError("first_sequence must be a multiple of 4");
    }
    if (cfg.packet_duration_ms < 1 || cfg.packet_duration_ms > 100) {
      return absl::InvalidArgumentError("packet_duration_ms out of range");
    }
    if (cfg.encrypt && !cbc_.SetKey(cfg.key)) return absl::InternalError("AES key setup failed");
    if (cfg.fec && rs_.Init(kAudioDataShards, kAudioFecShards, fec::Gf256Matrix::kMoonlightAudio) !=
                       fec::Status::kOk) {
      return absl::InternalError("audio RS init failed");
    }
    cfg_ = cfg;
    seq_ = cfg.first_sequence;
    ts_ = cfg.first_timestamp;
    stats_ = {};
    initialized_ = true;
    return absl::OkStatus();
  }

  // Emits the data datagram for `opus` and, when it completes a block of 4, the two FEC
  // datagrams. sink(std::span<const uint8_t>) is called 1 or 3 times.
  template <class Sink>
  AudioStatus Packetize(std::span<const uint8_t> opus, Sink&& sink) noexcept {
    if (!initialized_) return AudioStatus::kNotInitialized;
    if (opus.empty()) {
      ++stats_.rejected;
      return AudioStatus::kEmpty;
    }
    const size_t plen = cfg_.encrypt ? ::lumen::crypto::AesCbc128::PaddedSize(opus.size()) : opus.size();
    if (plen > kAudioMaxShard) {
      ++stats_.rejected;
      return AudioStatus::kTooLarge;
    }
    const int pos = seq_ % 4;
    uint8_t* d = data_[pos].data();
    d[0] = kRtpByte0Audio;
    d[1] = kAudioPayloadType;
    StoreBe16(d + 2, seq_);
    StoreBe32(d + 4, ts_);
    StoreBe32(d + 8, cfg_.ssrc);
    if (cfg_.encrypt) {
      const auto iv = AudioIv(cfg_.rikeyid, seq_);
      if (cbc_.Encrypt(iv, opus, d + kRtpHeaderSize) != plen) return AudioStatus::kEncryptFailed;
    } else {
      std::memcpy(d + kRtpHeaderSize, opus.data(), plen);
    }
    len_[pos] = plen;
    if (pos == 0) {
      base_seq_ = seq_;
      base_ts_ = ts_;
    }
    const uint16_t this_seq = seq_;
    ++seq_;
    ts_ += static_cast<uint32_t>(cfg_.packet_duration_ms);
    ++stats_.packets;
    if (!Emit(sink, std::span<const uint8_t>(d, kRtpHeaderSize + plen))) return AudioStatus::kOk;
    if (pos != 3 || !cfg_.fec) return AudioStatus::kOk;

    // Block complete: parity over the 4 payloads (all must be the same size).
    for (int i = 1; i < 4; ++i) {
      if (len_[i] != len_[0]) {
        ++stats_.fec_blocks_skipped;
        return AudioStatus::kOk;
      }
    }
    const size_t shard = len_[0];
    const uint8_t* dp[4];
    uint8_t* pp[2];
    for (int i = 0; i < 4; ++i) dp[i] = data_[i].data() + kRtpHeaderSize;
    for (int j = 0; j < 2; ++j) pp[j] = fec_[j].data() + kRtpHeaderSize + kAudioFecHeaderSize;
    if (rs_.Encode(dp, pp, shard) != fec::Status::kOk) return AudioStatus::kFecFailed;
    for (int j = 0; j < 2; ++j) {
      uint8_t* f = fec_[j].data();
      f[0] = kRtpByte0Audio;
      f[1] = kAudioFecPayloadType;
      StoreBe16(f + 2, static_cast<uint16_t>(this_seq + 1 + j));
      StoreBe32(f + 4, 0);
      StoreBe32(f + 8, 0);
      f[12] = static_cast<uint8_t>(j);
      f[13] = kAudioPayloadType;
      StoreBe16(f + 14, base_seq_);
      StoreBe32(f + 16, base_ts_);
      StoreBe32(f + 20, cfg_.ssrc);
      ++stats_.fec_packets;
      if (!Emit(sink, std::span<const uint8_t>(f, kRtpHeaderSize + kAudioFecHeaderSize + shard))) {
        break;
      }
    }
    return AudioStatus::kOk;
  }

  uint16_t next_sequence() const noexcept { return seq_; }
  const AudioPacketizerStats& stats() const noexcept { return stats_; }

 private:
  template <class Sink>
  static bool Emit(Sink& sink, std::span<const uint8_t> d) {
    if constexpr (std::is_same_v<std::invoke_result_t<Sink&, std::span<const uint8_t>>, bool>) {
      return sink(d);
    } else {
      sink(d);
      return true;
    }
  }

  AudioPacketizerConfig cfg_;
  bool initialized_ = false;
  uint16_t seq_ = 0;
  uint32_t ts_ = 0;
  uint16_t base_seq_ = 0;
  uint32_t base_ts_ = 0;
  std::array<std::array<uint8_t, kAudioMaxDatagram>, 4> data_{};
  std::array<size_t, 4> len_{};
  std::array<std::array<uint8_t, kAudioMaxDatagram>, 2> fec_{};
  ::lumen::crypto::AesCbc128 cbc_;
  fec::Rs256 rs_;
  AudioPacketizerStats stats_;
};

// ---- Client side ------------------------------------------------------------------------------

enum class AudioParseError : uint8_t {
  kOk = 0,
  kTruncated,       // shorter than the RTP (+FEC) header, or empty payload
  kOversize,        // longer than 1400 bytes
  kBadRtpHeader,    // version != 2, or unknown payload type
  kBadFecHeader,    // shard index > 1, base not a multiple of 4, inner PT != 97
  kStale,           // before the next sequence to play, or its block is done
  kDuplicate,
  kCount
};

struct AudioDepacketizerConfig {
  bool encrypted = false;
  std::array<uint8_t, 16> key{};
  uint32_t rikeyid = 0;
  int packet_duration_ms = 5;  // to timestamp recovered packets
  int reorder_window = 8;  // give up on a missing packet once this many later ones arrived (<= 12)
  uint64_t timeout_us = 50000;  // ... or after this long
};

struct AudioPacket {
  uint16_t seq = 0;
  uint32_t timestamp = 0;
  bool lost = false;       // nothing to decode: conceal (opus is empty)
  bool recovered = false;  // rebuilt from FEC
  bool decrypt_failed = false;
  std::span<const uint8_t> opus;
};

struct AudioDepacketizerStats {
  uint64_t datagrams = 0;
  uint64_t delivered = 0;
  uint64_t recovered = 0;
  uint64_t lost = 0;
  uint64_t decrypt_failures = 0;
  uint64_t unrecoverable_size_mismatch = 0;
  uint64_t resyncs = 0;  // the sequence jumped by > 1024: restarted there
  std::array<uint64_t, static_cast<size_t>(AudioParseError::kCount)> drops{};
  uint64_t drop(AudioParseError e) const { return drops[static_cast<size_t>(e)]; }
};

class AudioDepacketizer {
 public:
  absl::Status Init(const AudioDepacketizerConfig& cfg) {
    if (cfg.reorder_window < 1 || cfg.reorder_window > 12) {
      return absl::InvalidArgumentError("reorder_window must be in 1..12");
    }
    if (cfg.encrypted && !cbc_.SetKey(cfg.key)) return absl::InternalError("AES key setup failed");
    if (rs_.Init(kAudioDataShards, kAudioFecShards, fec::Gf256Matrix::kMoonlightAudio) !=
        fec::Status::kOk) {
      return absl::InternalError("audio RS init failed");
    }
    cfg_ = cfg;
    for (auto& b : blocks_) b = Block{};
    started_ = false;
    stats_ = {};
    initialized_ = true;
    return absl::OkStatus();
  }

  // Feeds one datagram; sink(const AudioPacket&) receives zero or more packets in order.
  template <class Sink>
  AudioParseError OnDatagram(std::span<const uint8_t> dgram, uint64_t now_us, Sink&& sink) noexcept {
    if (!initialized_) return AudioParseError::kTruncated;
    ++stats_.datagrams;
    MakeRoomFor(dgram, now_us, sink);
    const AudioParseError e = Ingest(dgram);
    if (e != AudioParseError::kOk) ++stats_.drops[static_cast<size_t>(e)];
    Drain(now_us, sink);
    return e;
  }

  // Emits what the timeout now allows (call periodically when no datagrams arrive).
  template <class Sink>
  void Poll(uint64_t now_us, Sink&& sink) noexcept {
    Drain(now_us, sink);
  }

  const AudioDepacketizerStats& stats() const noexcept { return stats_; }

 private:
  struct Block {
    bool used = false;
    uint16_t base = 0;
    uint32_t base_ts = 0;
    bool have_base_ts = false;
    uint8_t present = 0;  // bits 0..3 data, 4..5 parity
    std::array<size_t, 6> len{};
    std::array<uint32_t, 4> ts{};
    std::array<std::array<uint8_t, kAudioMaxShard>, 6> shard{};
  };

  Block& BlockFor(uint16_t base) noexcept { return blocks_[(base / 4) % kBlocks]; }

  // Returns the block for `base`, claiming its ring slot if it holds an older block.
  Block* Claim(uint16_t base) noexcept {
    Block& b = BlockFor(base);
    if (b.used && b.base == base) return &b;
    if (b.used && SeqBefore16(base, b.base)) return nullptr;  // even older: stale
    b.used = true;
    b.base = base;
    b.present = 0;
    b.have_base_ts = false;
    return &b;
  }

  AudioParseError Ingest(std::span<const uint8_t> d) noexcept {
    if (d.size() < kRtpHeaderSize + 1) return AudioParseError::kTruncated;
    if (d.size() > kAudioMaxDatagram) return AudioParseError::kOversize;
    if ((d[0] & 0xC0) != 0x80) return AudioParseError::kBadRtpHeader;
    const uint8_t pt = d[1] & 0x7F;
    const uint16_t seq = LoadBe16(&d[2]);
    if (pt == kAudioPayloadType) {
      const size_t len = d.size() - kRtpHeaderSize;
      if (len > kAudioMaxShard) return AudioParseError::kOversize;
      if (!started_) {
        // Start at the block's first packet so a reordered block head is not lost.
        started_ = true;
        next_ = static_cast<uint16_t>(seq & ~3u);
        highest_ = seq;
      }
      if (SeqBefore16(seq, next_)) return AudioParseError::kStale;
      Block* b = Claim(static_cast<uint16_t>(seq & ~3u));
      if (b == nullptr) return AudioParseError::kStale;
      const int i = seq & 3;
      if (b->present & (1u << i)) return AudioParseError::kDuplicate;
      std::memcpy(b->shard[i].data(), &d[kRtpHeaderSize], len);
      b->len[i] = len;
      b->ts[i] = LoadBe32(&d[4]);
      b->present |= static_cast<uint8_t>(1u << i);
      if (SeqBefore16(highest_, seq)) highest_ = seq;
      return AudioParseError::kOk;
    }
    if (pt == kAudioFecPayloadType) {
      if (d.size() < kRtpHeaderSize + kAudioFecHeaderSize + 1) return AudioParseError::kTruncated;
      const uint8_t idx = d[12];
      const uint16_t base = LoadBe16(&d[14]);
      if (idx > 1 || (base & 3) != 0 || d[13] != kAudioPayloadType) {
        return AudioParseError::kBadFecHeader;
      }
      if (!started_) return AudioParseError::kStale;  // start on data, not parity
      if (SeqBefore16(static_cast<uint16_t>(base + 3), next_)) return AudioParseError::kStale;
      Block* b = Claim(base);
      if (b == nullptr) return AudioParseError::kStale;
      const int i = 4 + idx;
      if (b->present & (1u << i)) return AudioParseError::kDuplicate;
      const size_t len = d.size() - kRtpHeaderSize - kAudioFecHeaderSize;
      std::memcpy(b->shard[i].data(), &d[kRtpHeaderSize + kAudioFecHeaderSize], len);
      b->len[i] = len;
      b->base_ts = LoadBe32(&d[16]);
      b->have_base_ts = true;
      b->present |= static_cast<uint8_t>(1u << i);
      const uint16_t last = static_cast<uint16_t>(base + 3);
      if (SeqBefore16(highest_, last)) highest_ = last;
      return AudioParseError::kOk;
    }
    return AudioParseError::kBadRtpHeader;
  }

  bool TryRecover(Block& b) noexcept {
    if (__builtin_popcount(b.present) < 4 || (b.present & 0x30) == 0) return false;
    size_t len = 0;
    for (int i = 0; i < 6; ++i) {
      if (!(b.present & (1u << i))) continue;
      if (len == 0) len = b.len[i];
      if (b.len[i] != len) {
        ++stats_.unrecoverable_size_mismatch;
        return false;
      }
    }
    uint8_t* ptrs[6];
    uint8_t missing[6];
    for (int i = 0; i < 6; ++i) {
      ptrs[i] = b.shard[i].data();
      missing[i] = (b.present & (1u << i)) ? 0 : 1;
    }
    if (rs_.Decode(ptrs, missing, len) != fec::Status::kOk) return false;
    for (int i = 0; i < 4; ++i) {
      if (!missing[i]) continue;
      b.len[i] = len;
      b.ts[i] = b.have_base_ts
                    ? b.base_ts + static_cast<uint32_t>(i * cfg_.packet_duration_ms)
                    : 0;
      b.present |= static_cast<uint8_t>(1u << i);
      recovered_mask_ |= static_cast<uint8_t>(1u << i);
      ++stats_.recovered;
    }
    return true;
  }

  // Plays next_: its data, a recovered copy, or (when `force`, or the window/timeout says so) a
  // loss. Returns false when it must wait for more datagrams.
  template <class Sink>
  bool Step(uint64_t now_us, bool force, Sink& sink) noexcept {
    const uint16_t base = static_cast<uint16_t>(next_ & ~3u);
    Block& b = BlockFor(base);
    const bool block_here = b.used && b.base == base;
    const int i = next_ & 3;
    if (block_here && !(b.present & (1u << i))) TryRecover(b);
    if (block_here && (b.present & (1u << i))) {
      EmitData(b, i, sink);
    } else {
      if (!force) {
        if (!SeqBefore16(next_, highest_)) {
          missing_since_ = 0;
          return false;  // nothing newer has arrived: it is just not here yet
        }
        if (missing_since_ == 0) missing_since_ = now_us == 0 ? 1 : now_us;
        const int ahead = static_cast<uint16_t>(highest_ - next_);
        const bool timed_out =
            now_us >= missing_since_ && now_us - missing_since_ > cfg_.timeout_us;
        if (ahead < cfg_.reorder_window && !timed_out) return false;
      }
      AudioPacket p;
      p.seq = next_;
      p.lost = true;
      ++stats_.lost;
      sink(static_cast<const AudioPacket&>(p));
    }
    missing_since_ = 0;
    if (i == 3) {
      if (block_here) b.used = false;
      recovered_mask_ = 0;
    }
    next_ = static_cast<uint16_t>(next_ + 1);
    return true;
  }

  template <class Sink>
  void Drain(uint64_t now_us, Sink& sink) noexcept {
    if (!started_) return;
    while (!SeqBefore16(highest_, next_)) {
      if (!Step(now_us, false, sink)) return;
    }
  }

  // A datagram whose block would not fit in the ring: play out (or give up) everything before
  // it. A jump of more than kResyncGap packets is treated as a new stream position instead.
  template <class Sink>
  void MakeRoomFor(std::span<const uint8_t> d, uint64_t now_us, Sink& sink) noexcept {
    if (!started_ || d.size() < kRtpHeaderSize + kAudioFecHeaderSize || (d[0] & 0xC0) != 0x80) {
      return;
    }
    const uint8_t pt = d[1] & 0x7F;
    uint16_t base;
    if (pt == kAudioPayloadType) {
      base = static_cast<uint16_t>(LoadBe16(&d[2]) & ~3u);
    } else if (pt == kAudioFecPayloadType) {
      base = static_cast<uint16_t>(LoadBe16(&d[14]) & ~3u);
    } else {
      return;
    }
    const uint16_t next_base = static_cast<uint16_t>(next_ & ~3u);
    if (SeqBefore16(base, next_base)) return;
    const uint16_t dist = static_cast<uint16_t>(base - next_base);
    if (dist < kBlocks * 4) return;
    if (dist > kResyncGap) {
      for (auto& b : blocks_) b.used = false;
      recovered_mask_ = 0;
      missing_since_ = 0;
      next_ = base;
      highest_ = base;
      ++stats_.resyncs;
      return;
    }
    const uint16_t target = static_cast<uint16_t>(base - (kBlocks - 1) * 4);
    while (SeqBefore16(next_, target)) Step(now_us, true, sink);
    if (SeqBefore16(highest_, next_)) highest_ = next_;
  }

  template <class Sink>
  void EmitData(Block& b, int i, Sink& sink) noexcept {
    AudioPacket p;
    p.seq = next_;
    p.timestamp = b.ts[i];
    p.recovered = (recovered_mask_ & (1u << i)) != 0;
    if (cfg_.encrypted) {
      const auto iv = AudioIv(cfg_.rikeyid, next_);
      const long n = cbc_.Decrypt(iv, std::span<const uint8_t>(b.shard[i].data(), b.len[i]),
                                  plain_.data());
      if (n < 0) {
        p.lost = true;
        p.decrypt_failed = true;
        ++stats_.decrypt_failures;
        ++stats_.lost;
      } else {
        p.opus = std::span<const uint8_t>(plain_.data(), static_cast<size_t>(n));
        ++stats_.delivered;
      }
    } else {
      p.opus = std::span<const uint8_t>(b.shard[i].data(), b.len[i]);
      ++stats_.delivered;
    }
    sink(static_cast<const AudioPacket&>(p));
  }

  static constexpr int kBlocks = 4;
  static constexpr uint16_t kResyncGap = 1024;
  AudioDepacketizerConfig cfg_;
  bool initialized_ = false;
  bool started_ = false;
  uint16_t next_ = 0;
  uint16_t highest_ = 0;
  uint64_t missing_since_ = 0;
  uint8_t recovered_mask_ = 0;
  std::array<Block, kBlocks> blocks_{};
  std::array<uint8_t, kAudioMaxShard> plain_{};
  ::lumen::crypto::AesCbc128 cbc_;
  fec::Rs256 rs_;
  AudioDepacketizerStats stats_;
};

}  // namespace lumen::moonlight
