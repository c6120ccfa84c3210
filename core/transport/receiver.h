// core/transport/receiver.h — lumen transport receive side: sealed datagrams -> frames.
//
// Takes datagrams in any order, with duplicates, losses and hostile bytes mixed in. For each
// shard datagram: parse + validate the header (wire.h), check session and replay window,
// authenticate and decrypt straight into the frame's reassembly slot (no extra copy), and
// when k distinct shards of a frame are held, rebuild any lost data shards with the frame's
// RS block (fec_block.h) and hand the frame out. Feedback datagrams are authenticated and
// decoded too (Receive returns kFeedback).
//
// Bounded state: `frames_in_flight` reassembly slots, each sized at Init for the largest
// frame. When a new frame needs a slot and none is free, the oldest incomplete frame is
// declared lost. A frame that is still incomplete when a frame more than `reorder_frames`
// newer completes is declared lost too. A lost frame sets need_idr() (cleared when a
// keyframe completes, or by ClearNeedIdr()). Every rejected datagram is counted under its
// DropReason. Receive() never allocates, except on a codec-cache miss when recovering.
// Not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "core/transport/buffer.h"
#include "core/transport/crypto.h"
#include "core/transport/fec_block.h"
#include "core/transport/feedback.h"
#include "core/transport/wire.h"

namespace lumen::transport {

struct ReceiverConfig {
  uint32_t session_id = 0;
  size_t max_shard_bytes = ShardBytesForBudget(1408);
  size_t max_frame_bytes = 8 << 20;
  uint16_t max_ratio_permille = 1000;  // larger parity is rejected as kFrameTooLarge
  uint32_t min_parity = 2;
  StreamId stream = StreamId::kVideo;
  size_t frames_in_flight = 4;
  uint32_t reorder_frames = 2;
  size_t codec_cache_slots = 4;
};

enum class RxStatus : uint8_t {
  kDropped = 0,    // rejected; see the DropReason out-param and counters
  kAccepted,       // shard stored, frame not complete yet
  kLate,           // valid shard of a frame already completed (e.g. unneeded parity)
  kFrameComplete,  // *frame describes a complete frame
  kFeedback,       // *feedback holds a decoded feedback message
};

struct ReceivedFrame {
  uint32_t frame_id = 0;
  uint8_t flags = 0;  // ShardFlags
  StreamId stream = StreamId::kVideo;
  const uint8_t* data = nullptr;  // valid until the next Receive() call
  size_t len = 0;
  bool recovered = false;  // at least one data shard was rebuilt from parity
  uint16_t k = 0;
  uint16_t m = 0;
};

struct ReceiverCounters {
  uint64_t datagrams = 0;
  uint64_t shards_accepted = 0;
  uint64_t late_shards = 0;
  uint64_t frames_complete = 0;
  uint64_t frames_recovered = 0;
  uint64_t frames_lost = 0;
  uint64_t feedback = 0;
  uint64_t idr_needed = 0;  // times need_idr went from false to true
  uint64_t resyncs = 0;     // frame numbering restarts (see kResyncFrames)
  std::array<uint64_t, static_cast<size_t>(DropReason::kCount)> dropped{};
  uint64_t drops(DropReason r) const { return dropped[static_cast<size_t>(r)]; }
  uint64_t total_dropped() const {
    uint64_t t = 0;
    for (uint64_t v : dropped) t += v;
    return t;
  }
};

class FrameReceiver {
 public:
  // An authenticated shard of a frame this many frames or more *behind* the oldest
  // unresolved frame means the sender restarted its numbering: the receiver drops its
  // in-flight frames (counted lost), needs an IDR and follows the new numbering. Closer
  // than this, old frames are stale and dropped.
  static constexpr uint32_t kResyncFrames = 256;

  absl::Status Init(const ReceiverConfig& cfg, Aead aead, const Key& key);

  // Processes one datagram (len bytes; not modified). On kFrameComplete fills *frame, on
  // kFeedback fills *feedback, on kDropped sets *reason (all out-params may be null).
  RxStatus Receive(const uint8_t* datagram, size_t len, ReceivedFrame* frame,
                   FeedbackMessage* feedback, DropReason* reason = nullptr) noexcept;

  bool need_idr() const { return need_idr_; }
  void ClearNeedIdr() { need_idr_ = false; }
  const ReceiverCounters& counters() const { return counters_; }
  uint64_t codec_cache_misses() const { return codecs_.misses(); }

  // Loss statistics since the previous call, as a LossReport for the host (feedback.h).
  LossReport TakeLossReport(uint32_t interval_ms) noexcept;

 private:
  struct Slot {
    bool active = false;
    uint32_t frame_id = 0;
    uint16_t k = 0, m = 0;
    uint32_t shard_bytes = 0;
    uint32_t frame_len = 0;
    uint8_t flags = 0;
    uint32_t received = 0;       // distinct shards held
    uint32_t data_received = 0;  // distinct data shards held
    uint32_t highest_index = 0;
    AlignedBuffer buf;                   // data region then parity region
    std::unique_ptr<uint8_t[]> present;  // one byte per shard index (k + m)
  };

  RxStatus Drop(DropReason r, DropReason* out) noexcept;
  RxStatus ReceiveFeedback(const uint8_t* d, size_t len, FeedbackMessage* fb,
                           DropReason* reason) noexcept;
  Slot* FindSlot(uint32_t frame_id) noexcept;
  Slot* ClaimSlot(uint32_t frame_id) noexcept;  // nullptr: the new frame is the oldest
  void DeclareLost(Slot* s) noexcept;
  void MarkResolved(uint32_t frame_id) noexcept;
  void LoseFramesBefore(uint32_t frame_id) noexcept;
  bool Complete(Slot* s, ReceivedFrame* frame) noexcept;
  void NotePacketNumber(uint64_t pn) noexcept;
  void NoteFrameLoss(uint32_t lost, uint32_t total) noexcept;
  void SetNeedIdr() noexcept;

  ReceiverConfig cfg_;
  AeadContext aead_;
  ReplayWindow replay_;
  Rs16Cache codecs_;
  std::unique_ptr<Slot[]> slots_;
  size_t data_cap_ = 0;    // bytes of a slot's data region
  size_t parity_cap_ = 0;  // bytes of a slot's parity region
  AlignedBuffer zero_shard_;
  AlignedBuffer junk_shard_;   // never-sent (punctured) parity shards
  AlignedBuffer first_shard_;  // decrypt target for the first shard of a new frame
  std::unique_ptr<uint8_t*[]> shard_ptrs_;
  std::unique_ptr<uint8_t[]> missing_;

  // Frame-order bookkeeping: frames before expected_ are resolved (complete or lost);
  // bit i of resolved_bits_ = frame expected_ + i resolved.
  // The last few completed frame ids: their leftover shards (unneeded parity) are kLate,
  // not kStaleFrame.
  static constexpr size_t kRecentComplete = 16;
  uint32_t recent_complete_[kRecentComplete] = {};
  size_t recent_count_ = 0, recent_next_ = 0;
  bool RecentlyCompleted(uint32_t frame_id) const noexcept;
  void Resync() noexcept;
  bool have_expected_ = false;
  uint32_t expected_ = 0;
  uint64_t resolved_bits_ = 0;
  bool need_idr_ = false;

  // Loss statistics for TakeLossReport().
  bool have_pn_ = false;
  uint64_t highest_pn_ = 0;
  uint64_t interval_base_pn_ = 0;  // highest_pn_ at the previous report
  uint64_t interval_received_ = 0;
  uint32_t interval_seq_ = 0;
  uint16_t max_burst_ = 0;
  uint16_t worst_frame_loss_ = 0;
  uint64_t last_frames_complete_ = 0, last_frames_recovered_ = 0, last_frames_lost_ = 0;

  ReceiverCounters counters_;
  bool initialized_ = false;
};

}  // namespace lumen::transport
