// core/transport/endpoint.cc — host/client endpoints (see endpoint.h).
#include "core/transport/endpoint.h"

#include <algorithm>

namespace lumen::transport {

absl::Status HostEndpoint::Init(const HostEndpointConfig& cfg, Aead aead,
                                const DirectionalKeys& keys) {
  cfg_ = cfg;
  cfg_.sender.min_parity = std::max<uint32_t>(cfg_.sender.min_parity, cfg.policy.min_parity);
  cfg_.sender.max_ratio_permille =
      std::max(cfg_.sender.max_ratio_permille, cfg.policy.max_ratio_permille);
  if (absl::Status s = sender_.Init(cfg_.sender, aead, keys.host_to_client); !s.ok()) return s;
  if (absl::Status s = feedback_aead_.Init(aead, keys.client_to_host); !s.ok()) return s;
  feedback_replay_.Reset();
  policy_state_ = InitialFecState(cfg.policy);
  change_seq_ = acked_seq_ = 0;
  return absl::OkStatus();
}

uint32_t HostEndpoint::DatagramsFor(size_t len) const {
  const uint32_t k = sender_.DataShards(len);
  return k + ParityShards(k, policy_state_.ratio_permille, cfg_.policy);
}

SendStatus HostEndpoint::SendFrame(const uint8_t* frame, size_t len, uint32_t frame_id,
                                   bool keyframe, uint8_t* out, size_t stride, size_t max_datagrams,
                                   uint32_t* count) noexcept {
  const uint32_t k = sender_.DataShards(len);
  const uint32_t m = ParityShards(k, policy_state_.ratio_permille, cfg_.policy);
  next_frame_id_ = frame_id + 1;
  return sender_.PacketizeFrame(frame, len, frame_id, m, keyframe ? kFlagKeyframe : 0, out, stride,
                                max_datagrams, count);
}

FeedbackEvent HostEndpoint::OnFeedback(const uint8_t* d, size_t len, DropReason* reason) noexcept {
  FeedbackMessage msg;
  DropReason r = DropReason::kBadFeedback;
  if (!OpenFeedback(feedback_aead_, feedback_replay_, sender_.sealer().session_id(), d, len, &msg,
                    &r)) {
    ++feedback_dropped_;
    if (reason) *reason = r;
    return FeedbackEvent::kDropped;
  }
  if (const auto* rep = std::get_if<LossReport>(&msg)) {
    LossObservation obs;
    obs.packets_received = rep->packets_received;
    obs.packets_lost = rep->packets_lost;
    obs.frames_lost = rep->frames_lost;
    obs.worst_frame_loss_permille = rep->worst_frame_loss_permille;
    const uint16_t before = policy_state_.ratio_permille;
    policy_state_ = NextFecState(cfg_.policy, policy_state_, obs);
    if (policy_state_.ratio_permille != before) {
      ++change_seq_;
      return FeedbackEvent::kRatioChanged;
    }
    return FeedbackEvent::kNone;
  }
  if (const auto* idr = std::get_if<IdrRequest>(&msg)) {
    (void)idr;  // every authenticated request counts; the caller may rate-limit IDRs
    ++idr_requests_;
    return FeedbackEvent::kIdrRequested;
  }
  if (const auto* ack = std::get_if<FecRatioAck>(&msg)) {
    if (ack->seq == change_seq_) acked_seq_ = ack->seq;
    return FeedbackEvent::kNone;
  }
  // FecRatioChange travels host -> client only.
  ++feedback_dropped_;
  if (reason) *reason = DropReason::kBadFeedback;
  return FeedbackEvent::kDropped;
}

size_t HostEndpoint::SealRatioChange(uint8_t* out, size_t cap) noexcept {
  return sender_.sealer().SealFeedback(
      FecRatioChange{policy_state_.ratio_permille, next_frame_id_, change_seq_}, out, cap);
}

absl::Status ClientEndpoint::Init(const ReceiverConfig& cfg, Aead aead,
                                  const DirectionalKeys& keys) {
  if (absl::Status s = receiver_.Init(cfg, aead, keys.host_to_client); !s.ok()) return s;
  if (absl::Status s = sealer_.Init(cfg.session_id, aead, keys.client_to_host); !s.ok()) {
    return s;
  }
  ack_pending_ = false;
  any_good_frame_ = false;
  idr_seq_ = 0;
  return absl::OkStatus();
}

RxStatus ClientEndpoint::Receive(const uint8_t* d, size_t len, ReceivedFrame* frame,
                                 DropReason* reason) noexcept {
  FeedbackMessage fb;
  ReceivedFrame local;
  ReceivedFrame* f = frame ? frame : &local;
  const RxStatus st = receiver_.Receive(d, len, f, &fb, reason);
  if (st == RxStatus::kFrameComplete) {
    any_good_frame_ = true;
    last_good_frame_ = f->frame_id;
  } else if (st == RxStatus::kFeedback) {
    if (const auto* c = std::get_if<FecRatioChange>(&fb)) {
      if (!ack_pending_ || c->seq != last_change_.seq) {
        last_change_ = *c;
        ack_pending_ = true;
      }
    }
  }
  return st;
}

size_t ClientEndpoint::SealLossReport(uint32_t interval_ms, uint8_t* out, size_t cap) noexcept {
  if (cap < kMaxFeedbackDatagram) return 0;
  return sealer_.SealFeedback(receiver_.TakeLossReport(interval_ms), out, cap);
}

size_t ClientEndpoint::SealIdrRequest(uint8_t* out, size_t cap) noexcept {
  const size_t n = sealer_.SealFeedback(
      IdrRequest{any_good_frame_ ? last_good_frame_ : 0, idr_seq_ + 1}, out, cap);
  if (n) ++idr_seq_;
  return n;
}

size_t ClientEndpoint::SealPendingAck(uint8_t* out, size_t cap) noexcept {
  if (!ack_pending_) return 0;
  const size_t n = sealer_.SealFeedback(
      FecRatioAck{last_change_.ratio_permille, last_change_.first_frame_id, last_change_.seq}, out,
      cap);
  if (n) ack_pending_ = false;
  return n;
}

}  // namespace lumen::transport
