// core/transport/feedback.cc — feedback message codec (see feedback.h).
#include "core/transport/feedback.h"

#include <cstring>

namespace lumen::transport {
namespace {

void PutHead(uint8_t* out, FeedbackType t) {
  out[0] = static_cast<uint8_t>(t);
  out[1] = out[2] = out[3] = 0;
}

}  // namespace

size_t FeedbackBodyBytes(const FeedbackMessage& msg) noexcept {
  return std::holds_alternative<LossReport>(msg) ? kLossReportBytes : kShortFeedbackBytes;
}

size_t EncodeFeedbackBody(const FeedbackMessage& msg, uint8_t* out, size_t cap) noexcept {
  const size_t n = FeedbackBodyBytes(msg);
  if (out == nullptr || cap < n) return 0;
  if (const auto* r = std::get_if<LossReport>(&msg)) {
    PutHead(out, FeedbackType::kLossReport);
    PutBe32(out + 4, r->interval_seq);
    PutBe32(out + 8, r->interval_ms);
    PutBe32(out + 12, r->packets_received);
    PutBe32(out + 16, r->packets_lost);
    PutBe32(out + 20, r->frames_complete);
    PutBe32(out + 24, r->frames_recovered);
    PutBe32(out + 28, r->frames_lost);
    PutBe16(out + 32, r->max_burst);
    PutBe16(out + 34, r->worst_frame_loss_permille);
  } else if (const auto* q = std::get_if<IdrRequest>(&msg)) {
    PutHead(out, FeedbackType::kIdrRequest);
    PutBe32(out + 4, q->last_good_frame_id);
    PutBe32(out + 8, q->request_seq);
  } else if (const auto* c = std::get_if<FecRatioChange>(&msg)) {
    PutHead(out, FeedbackType::kFecRatioChange);
    PutBe16(out + 2, c->ratio_permille);
    PutBe32(out + 4, c->first_frame_id);
    PutBe32(out + 8, c->seq);
  } else {
    const auto& a = std::get<FecRatioAck>(msg);
    PutHead(out, FeedbackType::kFecRatioAck);
    PutBe16(out + 2, a.ratio_permille);
    PutBe32(out + 4, a.first_frame_id);
    PutBe32(out + 8, a.seq);
  }
  return n;
}

bool DecodeFeedbackBody(const uint8_t* b, size_t len, FeedbackMessage* out) noexcept {
  if (b == nullptr || len < 4) return false;
  switch (static_cast<FeedbackType>(b[0])) {
    case FeedbackType::kLossReport: {
      if (len != kLossReportBytes || b[1] || b[2] || b[3]) return false;
      LossReport r;
      r.interval_seq = GetBe32(b + 4);
      r.interval_ms = GetBe32(b + 8);
      r.packets_received = GetBe32(b + 12);
      r.packets_lost = GetBe32(b + 16);
      r.frames_complete = GetBe32(b + 20);
      r.frames_recovered = GetBe32(b + 24);
      r.frames_lost = GetBe32(b + 28);
      r.max_burst = GetBe16(b + 32);
      r.worst_frame_loss_permille = GetBe16(b + 34);
      if (r.worst_frame_loss_permille > 1000) return false;
      *out = r;
      return true;
    }
    case FeedbackType::kIdrRequest: {
      if (len != kShortFeedbackBytes || b[1] || b[2] || b[3]) return false;
      *out = IdrRequest{GetBe32(b + 4), GetBe32(b + 8)};
      return true;
    }
    case FeedbackType::kFecRatioChange:
    case FeedbackType::kFecRatioAck: {
      if (len != kShortFeedbackBytes || b[1]) return false;
      const uint16_t ratio = GetBe16(b + 2);
      if (b[0] == static_cast<uint8_t>(FeedbackType::kFecRatioChange)) {
        *out = FecRatioChange{ratio, GetBe32(b + 4), GetBe32(b + 8)};
      } else {
        *out = FecRatioAck{ratio, GetBe32(b + 4), GetBe32(b + 8)};
      }
      return true;
    }
  }
  return false;
}

size_t SealFeedback(const AeadContext& aead, uint32_t session_id, uint64_t packet_number,
                    const FeedbackMessage& msg, uint8_t* out, size_t cap) noexcept {
  const size_t body = FeedbackBodyBytes(msg);
  const size_t total = kCommonHeaderBytes + body + kTagBytes;
  if (out == nullptr || cap < total || !aead.initialized()) return 0;
  CommonHeader h;
  h.type = PacketType::kFeedback;
  h.payload_len = uint16_t(body);
  h.session_id = session_id;
  h.packet_number = packet_number;
  WriteCommonHeader(h, out);
  uint8_t* p = out + kCommonHeaderBytes;
  EncodeFeedbackBody(msg, p, body);
  if (!aead.Seal(packet_number, out, kCommonHeaderBytes, p, body, p, p + body)) return 0;
  return total;
}

bool OpenFeedback(const AeadContext& aead, ReplayWindow& replay, uint32_t session_id,
                  const uint8_t* d, size_t len, FeedbackMessage* out, DropReason* reason) noexcept {
  CommonHeader h;
  if (!ParseCommonHeader(d, len, &h, reason)) return false;
  if (h.type != PacketType::kFeedback) {
    *reason = DropReason::kBadType;
    return false;
  }
  if (h.payload_len > kMaxFeedbackBody) {
    *reason = DropReason::kBadFeedback;
    return false;
  }
  if (h.session_id != session_id) {
    *reason = DropReason::kWrongSession;
    return false;
  }
  if (!replay.Check(h.packet_number)) {
    *reason = DropReason::kReplay;
    return false;
  }
  uint8_t body[kMaxFeedbackBody];
  const uint8_t* ct = d + kCommonHeaderBytes;
  if (!aead.Open(h.packet_number, d, kCommonHeaderBytes, ct, h.payload_len, ct + h.payload_len,
                 body)) {
    *reason = DropReason::kAuthFailed;
    return false;
  }
  replay.Mark(h.packet_number);
  if (!DecodeFeedbackBody(body, h.payload_len, out)) {
    *reason = DropReason::kBadFeedback;
    return false;
  }
  return true;
}

}  // namespace lumen::transport
