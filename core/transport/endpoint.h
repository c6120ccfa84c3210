// core/transport/endpoint.h — the two ends of a lumen transport session, ready to wire to
// sockets: HostEndpoint (frames out, feedback in, adaptive FEC) and ClientEndpoint
// (datagrams in -> frames, feedback out). Each is a thin composition of FrameSender /
// FrameReceiver (sender.h, receiver.h), the feedback codec (feedback.h) and the FEC policy
// (fec_policy.h); still pure computation: the caller owns sockets, clocks and buffers.
//
// Typical host loop:  SendFrame() -> send the datagrams; on a feedback datagram call
//   OnFeedback(); when it reports kRatioChanged, send SealRatioChange()'s datagram; when
//   it reports kIdrRequested, make the next frame a keyframe.
// Typical client loop: Receive() every datagram; every ~100 ms send SealLossReport();
//   when need_idr() send SealIdrRequest(); after Receive() returned kFeedback for a
//   FecRatioChange, send SealPendingAck().
// Not thread-safe; Init() allocates, the per-packet calls do not (see sender.h).
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "core/transport/crypto.h"
#include "core/transport/fec_policy.h"
#include "core/transport/feedback.h"
#include "core/transport/receiver.h"
#include "core/transport/sender.h"

namespace lumen::transport {

struct HostEndpointConfig {
  SenderConfig sender;
  FecPolicyConfig policy;
};

enum class FeedbackEvent : uint8_t {
  kDropped,       // not a valid feedback datagram (see the DropReason out-param)
  kNone,          // valid; nothing for the caller to do
  kIdrRequested,  // make the next frame a keyframe
  kRatioChanged,  // the policy picked a new FEC ratio: send SealRatioChange()
};

class HostEndpoint {
 public:
  absl::Status Init(const HostEndpointConfig& cfg, Aead aead, const DirectionalKeys& keys);

  // Datagrams SendFrame() needs for a frame of len bytes at the current ratio.
  uint32_t DatagramsFor(size_t len) const;
  size_t datagram_bytes() const { return sender_.datagram_bytes(); }

  // Packetizes a frame with the current FEC ratio (parity from ParityShards()).
  SendStatus SendFrame(const uint8_t* frame, size_t len, uint32_t frame_id, bool keyframe,
                       uint8_t* out, size_t stride, size_t max_datagrams, uint32_t* count) noexcept;

  // Authenticates and applies one client->host feedback datagram.
  FeedbackEvent OnFeedback(const uint8_t* datagram, size_t len,
                           DropReason* reason = nullptr) noexcept;

  // The FecRatioChange datagram announcing the current ratio (from the next frame on).
  size_t SealRatioChange(uint8_t* out, size_t cap) noexcept;

  uint16_t ratio_permille() const { return policy_state_.ratio_permille; }
  bool ratio_acked() const { return acked_seq_ == change_seq_; }
  const FecPolicyState& policy_state() const { return policy_state_; }
  uint64_t feedback_dropped() const { return feedback_dropped_; }
  uint64_t idr_requests() const { return idr_requests_; }
  FrameSender& sender() { return sender_; }

 private:
  HostEndpointConfig cfg_;
  FrameSender sender_;
  AeadContext feedback_aead_;
  ReplayWindow feedback_replay_;
  FecPolicyState policy_state_;
  uint32_t next_frame_id_ = 0;  // the frame after the last one sent
  uint32_t change_seq_ = 0, acked_seq_ = 0;
  uint64_t feedback_dropped_ = 0, idr_requests_ = 0;
};

class ClientEndpoint {
 public:
  absl::Status Init(const ReceiverConfig& cfg, Aead aead, const DirectionalKeys& keys);

  // One host->client datagram. FecRatioChange feedback is handled here (an ack becomes
  // pending) and reported as kFeedback.
  RxStatus Receive(const uint8_t* datagram, size_t len, ReceivedFrame* frame,
                   DropReason* reason = nullptr) noexcept;

  bool need_idr() const { return receiver_.need_idr(); }
  bool ack_pending() const { return ack_pending_; }
  uint16_t host_ratio_permille() const { return last_change_.ratio_permille; }

  // Feedback datagrams (client->host key, this side's packet counter). Each returns the
  // datagram length, or 0 when cap is too small (or, for the ack, nothing is pending).
  size_t SealLossReport(uint32_t interval_ms, uint8_t* out, size_t cap) noexcept;
  size_t SealIdrRequest(uint8_t* out, size_t cap) noexcept;
  size_t SealPendingAck(uint8_t* out, size_t cap) noexcept;

  const FrameReceiver& receiver() const { return receiver_; }

 private:
  FrameReceiver receiver_;
  PacketSealer sealer_;
  FecRatioChange last_change_;
  bool ack_pending_ = false;
  bool any_good_frame_ = false;
  uint32_t last_good_frame_ = 0;
  uint32_t idr_seq_ = 0;
};

}  // namespace lumen::transport
