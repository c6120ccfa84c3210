// core/transport/receiver.cc — datagrams -> frames with recovery (see receiver.h).
#include "core/transport/receiver.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/transport/fec_policy.h"

namespace lumen::transport {

absl::Status FrameReceiver::Init(const ReceiverConfig& cfg, Aead aead, const Key& key) {
  initialized_ = false;
  if (cfg.max_shard_bytes == 0 || cfg.max_shard_bytes % kShardAlign != 0 ||
      cfg.max_shard_bytes > kMaxShardBytes) {
    return absl::InvalidArgumentError("max_shard_bytes must be a multiple of 64 in 64..65472");
  }
  if (cfg.max_frame_bytes == 0 || cfg.max_frame_bytes > 0xFFFFFFFFull) {
    return absl::InvalidArgumentError("max_frame_bytes must be in 1..2^32-1");
  }
  if (cfg.frames_in_flight == 0 || cfg.frames_in_flight > 64) {
    return absl::InvalidArgumentError("frames_in_flight must be in 1..64");
  }
  if (cfg.reorder_frames >= 64) return absl::InvalidArgumentError("reorder_frames must be < 64");
  cfg_ = cfg;
  if (absl::Status s = aead_.Init(aead, key); !s.ok()) return s;
  if (absl::Status s = codecs_.Init(cfg.codec_cache_slots, cfg.max_shard_bytes); !s.ok()) {
    return s;
  }
  const size_t s = cfg.max_shard_bytes;
  // Data region: any frame <= max_frame_bytes, padded to its shard size (< one shard extra).
  data_cap_ = (cfg.max_frame_bytes + s - 1) / s * s + s;
  // Parity region: ratio x data plus the parity floor.
  parity_cap_ = (data_cap_ / kShardAlign * cfg.max_ratio_permille + 999) / 1000 * kShardAlign +
                size_t(cfg.min_parity) * s;
  slots_ = std::make_unique<Slot[]>(cfg.frames_in_flight);
  for (size_t i = 0; i < cfg.frames_in_flight; ++i) {
    if (!slots_[i].buf.Allocate(data_cap_ + parity_cap_)) {
      return absl::ResourceExhaustedError("receiver slot buffers");
    }
    slots_[i].present = std::make_unique<uint8_t[]>(kMaxBlockShards);
  }
  if (!zero_shard_.Allocate(s) || !junk_shard_.Allocate(s) || !first_shard_.Allocate(s)) {
    return absl::ResourceExhaustedError("receiver scratch buffers");
  }
  shard_ptrs_ = std::make_unique<uint8_t*[]>(kMaxBlockShards);
  missing_ = std::make_unique<uint8_t[]>(kMaxBlockShards);
  replay_.Reset();
  have_expected_ = false;
  resolved_bits_ = 0;
  recent_count_ = recent_next_ = 0;
  need_idr_ = false;
  have_pn_ = false;
  interval_received_ = 0;
  counters_ = ReceiverCounters{};
  initialized_ = true;
  return absl::OkStatus();
}

RxStatus FrameReceiver::Drop(DropReason r, DropReason* out) noexcept {
  ++counters_.dropped[static_cast<size_t>(r)];
  if (out) *out = r;
  return RxStatus::kDropped;
}

void FrameReceiver::SetNeedIdr() noexcept {
  if (!need_idr_) ++counters_.idr_needed;
  need_idr_ = true;
}

void FrameReceiver::NotePacketNumber(uint64_t pn) noexcept {
  ++interval_received_;
  if (!have_pn_) {
    have_pn_ = true;
    highest_pn_ = pn;
    interval_base_pn_ = pn - 1;  // wraps for pn == 0; differences stay right
    return;
  }
  if (pn > highest_pn_) {
    const uint64_t gap = pn - highest_pn_ - 1;
    max_burst_ = uint16_t(std::min<uint64_t>(std::max<uint64_t>(max_burst_, gap), 65535));
    highest_pn_ = pn;
  }
}

void FrameReceiver::NoteFrameLoss(uint32_t lost, uint32_t total) noexcept {
  if (total == 0) return;
  const uint16_t permille = uint16_t(std::min<uint64_t>(uint64_t(lost) * 1000 / total, 1000));
  worst_frame_loss_ = std::max(worst_frame_loss_, permille);
}

LossReport FrameReceiver::TakeLossReport(uint32_t interval_ms) noexcept {
  LossReport r;
  r.interval_seq = interval_seq_++;
  r.interval_ms = interval_ms;
  const uint64_t expected = have_pn_ ? highest_pn_ - interval_base_pn_ : 0;
  r.packets_received = uint32_t(std::min<uint64_t>(interval_received_, 0xFFFFFFFFu));
  r.packets_lost = uint32_t(std::min<uint64_t>(
      expected > interval_received_ ? expected - interval_received_ : 0, 0xFFFFFFFFu));
  r.frames_complete = uint32_t(counters_.frames_complete - last_frames_complete_);
  r.frames_recovered = uint32_t(counters_.frames_recovered - last_frames_recovered_);
  r.frames_lost = uint32_t(counters_.frames_lost - last_frames_lost_);
  r.max_burst = max_burst_;
  r.worst_frame_loss_permille = worst_frame_loss_;
  last_frames_complete_ = counters_.frames_complete;
  last_frames_recovered_ = counters_.frames_recovered;
  last_frames_lost_ = counters_.frames_lost;
  if (have_pn_) interval_base_pn_ = highest_pn_;
  interval_received_ = 0;
  max_burst_ = 0;
  worst_frame_loss_ = 0;
  return r;
}

void FrameReceiver::Resync() noexcept {
  for (size_t i = 0; i < cfg_.frames_in_flight; ++i) {
    if (slots_[i].active) DeclareLost(&slots_[i]);
  }
  have_expected_ = false;
  resolved_bits_ = 0;
  recent_count_ = recent_next_ = 0;
  SetNeedIdr();  // cleared again if the first frame of the new numbering is a keyframe
  ++counters_.resyncs;
}

bool FrameReceiver::RecentlyCompleted(uint32_t frame_id) const noexcept {
  for (size_t i = 0; i < recent_count_; ++i) {
    if (recent_complete_[i] == frame_id) return true;
  }
  return false;
}

FrameReceiver::Slot* FrameReceiver::FindSlot(uint32_t frame_id) noexcept {
  for (size_t i = 0; i < cfg_.frames_in_flight; ++i) {
    if (slots_[i].active && slots_[i].frame_id == frame_id) return &slots_[i];
  }
  return nullptr;
}

void FrameReceiver::DeclareLost(Slot* s) noexcept {
  s->active = false;
  ++counters_.frames_lost;
  NoteFrameLoss(uint32_t(s->k) + s->m - s->received, uint32_t(s->k) + s->m);
  SetNeedIdr();
}

void FrameReceiver::MarkResolved(uint32_t frame_id) noexcept {
  const uint32_t d = frame_id - expected_;
  if (d >= 64) return;  // callers keep resolved frames inside the window
  resolved_bits_ |= uint64_t{1} << d;
  const int advance = std::countr_one(resolved_bits_);
  expected_ += uint32_t(advance);
  resolved_bits_ = advance >= 64 ? 0 : resolved_bits_ >> advance;
}

void FrameReceiver::LoseFramesBefore(uint32_t limit) noexcept {
  const uint32_t gap = limit - expected_;
  if (gap == 0 || gap >= 0x80000000u) return;
  // Frames held in slots below the limit are lost.
  for (size_t i = 0; i < cfg_.frames_in_flight; ++i) {
    Slot& s = slots_[i];
    if (s.active && uint32_t(s.frame_id - expected_) < gap) {
      s.active = false;
      ++counters_.frames_lost;
      NoteFrameLoss(uint32_t(s.k) + s.m - s.received, uint32_t(s.k) + s.m);
      const uint32_t off = s.frame_id - expected_;
      if (off < 64) resolved_bits_ |= uint64_t{1} << off;  // counted already
    }
  }
  // Frames never seen at all below the limit are lost too.
  const uint32_t in_window = std::min<uint32_t>(gap, 64);
  const uint64_t window_mask = in_window >= 64 ? ~uint64_t{0} : (uint64_t{1} << in_window) - 1;
  const uint32_t unresolved =
      in_window - uint32_t(std::popcount(resolved_bits_ & window_mask)) + (gap - in_window);
  if (unresolved > 0) counters_.frames_lost += unresolved;
  SetNeedIdr();
  if (gap >= 64) {
    resolved_bits_ = 0;
  } else {
    resolved_bits_ >>= gap;
  }
  expected_ = limit;
  const int advance = std::countr_one(resolved_bits_);
  expected_ += uint32_t(advance);
  resolved_bits_ = advance >= 64 ? 0 : resolved_bits_ >> advance;
}

FrameReceiver::Slot* FrameReceiver::ClaimSlot(uint32_t frame_id) noexcept {
  Slot* oldest = nullptr;
  for (size_t i = 0; i < cfg_.frames_in_flight; ++i) {
    Slot& s = slots_[i];
    if (!s.active) return &s;
    if (oldest == nullptr ||
        uint32_t(s.frame_id - expected_) < uint32_t(oldest->frame_id - expected_)) {
      oldest = &s;
    }
  }
  if (uint32_t(frame_id - expected_) < uint32_t(oldest->frame_id - expected_)) return nullptr;
  const uint32_t victim = oldest->frame_id;
  DeclareLost(oldest);
  MarkResolved(victim);
  return oldest;
}

bool FrameReceiver::Complete(Slot* s, ReceivedFrame* frame) noexcept {
  const uint32_t k = s->k, m = s->m;
  const size_t sb = s->shard_bytes;
  uint8_t* data = s->buf.data();
  uint8_t* parity = data + data_cap_;
  const bool recovered = s->data_received < k;
  if (recovered) {
    const CodecShape shape = CodecShapeFor(k, m);
    for (uint32_t i = 0; i < k; ++i) {
      shard_ptrs_[i] = data + size_t(i) * sb;
      missing_[i] = s->present[i] ? 0 : 1;
    }
    for (uint32_t i = k; i < shape.k; ++i) {
      shard_ptrs_[i] = zero_shard_.data();
      missing_[i] = 0;
    }
    for (uint32_t j = 0; j < shape.m; ++j) {
      const bool sent = j < m;
      shard_ptrs_[shape.k + j] = sent ? parity + size_t(j) * sb : junk_shard_.data();
      missing_[shape.k + j] = sent && s->present[k + j] ? 0 : 1;
    }
    fec::Rs16* rs = codecs_.Get(shape);
    if (rs == nullptr || rs->Decode(shard_ptrs_.get(), missing_.get(), sb) != fec::Status::kOk) {
      return false;
    }
  }
  uint32_t lost_below = 0;
  for (uint32_t i = 0; i <= s->highest_index; ++i) lost_below += s->present[i] ? 0 : 1;
  NoteFrameLoss(lost_below, s->highest_index + 1);
  ++counters_.frames_complete;
  if (recovered) ++counters_.frames_recovered;
  if (s->flags & kFlagKeyframe) need_idr_ = false;
  if (frame) {
    frame->frame_id = s->frame_id;
    frame->flags = s->flags;
    frame->stream = cfg_.stream;
    frame->data = data;
    frame->len = s->frame_len;
    frame->recovered = recovered;
    frame->k = uint16_t(k);
    frame->m = uint16_t(m);
  }
  s->active = false;  // the bytes stay valid until the slot is claimed again
  const uint32_t id = s->frame_id;
  recent_complete_[recent_next_] = id;
  recent_next_ = (recent_next_ + 1) % kRecentComplete;
  recent_count_ = std::min(recent_count_ + 1, kRecentComplete);
  MarkResolved(id);
  const uint32_t ahead = id - expected_;
  if (ahead < 0x80000000u && ahead > cfg_.reorder_frames) {
    LoseFramesBefore(id - cfg_.reorder_frames);
  }
  return true;
}

RxStatus FrameReceiver::ReceiveFeedback(const uint8_t* d, size_t len, FeedbackMessage* fb,
                                        DropReason* reason) noexcept {
  FeedbackMessage msg;
  DropReason r = DropReason::kBadFeedback;
  if (!OpenFeedback(aead_, replay_, cfg_.session_id, d, len, &msg, &r)) return Drop(r, reason);
  NotePacketNumber(GetBe64(d + 8));
  ++counters_.feedback;
  if (fb) *fb = msg;
  return RxStatus::kFeedback;
}

RxStatus FrameReceiver::Receive(const uint8_t* d, size_t len, ReceivedFrame* frame,
                                FeedbackMessage* feedback, DropReason* reason) noexcept {
  ++counters_.datagrams;
  if (!initialized_) return Drop(DropReason::kWrongSession, reason);
  if (d != nullptr && len >= 1 && (d[0] >> 4) == kWireVersion &&
      (d[0] & 0x0F) == static_cast<uint8_t>(PacketType::kFeedback)) {
    return ReceiveFeedback(d, len, feedback, reason);
  }
  ShardHeader h;
  DropReason r = DropReason::kTooShort;
  if (!ParseShardHeader(d, len, cfg_.max_shard_bytes, &h, &r)) return Drop(r, reason);
  if (h.common.session_id != cfg_.session_id) return Drop(DropReason::kWrongSession, reason);
  if (h.stream != cfg_.stream) return Drop(DropReason::kBadType, reason);
  const size_t sb = h.common.payload_len;
  if (size_t(h.k) * sb > data_cap_ || size_t(h.m) * sb > parity_cap_) {
    return Drop(DropReason::kFrameTooLarge, reason);
  }
  if (!replay_.Check(h.common.packet_number)) return Drop(DropReason::kReplay, reason);

  const uint32_t fid = h.frame_id;
  if (RecentlyCompleted(fid)) {
    ++counters_.late_shards;
    ++interval_received_;
    return RxStatus::kLate;
  }
  bool resync = false;
  if (have_expected_) {
    if (FrameIdNewer(expected_, fid)) {
      // A little behind: a late or lost frame. Far behind: the sender restarted its frame
      // numbering (e.g. a new encoder); decided only once the shard authenticates.
      if (uint32_t(expected_ - fid) < kResyncFrames) return Drop(DropReason::kStaleFrame, reason);
      resync = true;
    }
    const uint32_t ahead = fid - expected_;
    if (ahead < 64 && ((resolved_bits_ >> ahead) & 1)) {  // resolved as lost
      return Drop(DropReason::kStaleFrame, reason);
    }
  }

  const uint8_t* ct = d + kShardHeaderBytes;
  const uint8_t* tag = ct + sb;
  const uint32_t idx = h.shard_index;
  Slot* s = FindSlot(fid);
  if (s != nullptr) {
    if (s->k != h.k || s->m != h.m || s->shard_bytes != sb || s->frame_len != h.frame_len ||
        s->flags != h.common.flags) {
      return Drop(DropReason::kInconsistent, reason);
    }
    if (s->present[idx]) return Drop(DropReason::kDuplicate, reason);
    uint8_t* dst = idx < h.k ? s->buf.data() + size_t(idx) * sb
                             : s->buf.data() + data_cap_ + size_t(idx - h.k) * sb;
    if (!aead_.Open(h.common.packet_number, d, kShardHeaderBytes, ct, sb, tag, dst)) {
      return Drop(DropReason::kAuthFailed, reason);
    }
    replay_.Mark(h.common.packet_number);
  } else {
    // New frame: authenticate before touching any slot, so forged packets evict nothing.
    if (!aead_.Open(h.common.packet_number, d, kShardHeaderBytes, ct, sb, tag,
                    first_shard_.data())) {
      return Drop(DropReason::kAuthFailed, reason);
    }
    replay_.Mark(h.common.packet_number);
    if (resync) Resync();
    if (!have_expected_) {
      have_expected_ = true;
      expected_ = fid;
      resolved_bits_ = 0;
    }
    if (fid - expected_ >= 64) LoseFramesBefore(fid - 63);
    s = ClaimSlot(fid);
    if (s == nullptr) {  // older than every frame in flight and no room: it is lost
      ++counters_.frames_lost;
      SetNeedIdr();
      MarkResolved(fid);
      return Drop(DropReason::kStaleFrame, reason);
    }
    s->active = true;
    s->frame_id = fid;
    s->k = h.k;
    s->m = h.m;
    s->shard_bytes = uint32_t(sb);
    s->frame_len = h.frame_len;
    s->flags = h.common.flags;
    s->received = 0;
    s->data_received = 0;
    s->highest_index = 0;
    std::memset(s->present.get(), 0, size_t(h.k) + h.m);
    uint8_t* dst = idx < h.k ? s->buf.data() + size_t(idx) * sb
                             : s->buf.data() + data_cap_ + size_t(idx - h.k) * sb;
    std::memcpy(dst, first_shard_.data(), sb);
  }
  NotePacketNumber(h.common.packet_number);
  ++counters_.shards_accepted;
  s->present[idx] = 1;
  ++s->received;
  if (idx < h.k) ++s->data_received;
  s->highest_index = std::max(s->highest_index, idx);
  if (s->received < s->k) return RxStatus::kAccepted;
  if (!Complete(s, frame)) {
    const uint32_t id = s->frame_id;
    DeclareLost(s);
    MarkResolved(id);
    return RxStatus::kAccepted;
  }
  return RxStatus::kFrameComplete;
}

}  // namespace lumen::transport
