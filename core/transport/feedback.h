// core/transport/feedback.h — lumen transport feedback messages and their codec.
//
// Feedback travels in its own datagrams (PacketType::kFeedback): the 16-byte common header
// (wire.h, payload length = body length) | encrypted body | 16-byte tag, sealed with the
// sender's direction key and its own packet numbers (the same counter as its shards).
// Bodies start with one type byte and 3 reserved bytes; every field is big-endian:
//
//   LossReport (1, client -> host), 36 bytes: one per report interval (e.g. 100 ms)
//     +0 type=1 | +1..3 reserved | +4 interval seq (u32) | +8 interval length ms (u32)
//     +12 packets received (u32) | +16 packets lost (u32) | +20 frames complete (u32)
//     +24 frames recovered by FEC (u32) | +28 frames lost (u32)
//     +32 longest loss burst in packets (u16) | +34 worst per-frame loss, permille (u16)
//   IdrRequest (2, client -> host), 12 bytes:
//     +0 type=2 | reserved | +4 last good frame id (u32) | +8 request seq (u32)
//   FecRatioChange (3, host -> client), 12 bytes: the host's new FEC ratio
//     +0 type=3 | +1 reserved | +2 ratio permille (u16) | +4 first frame id (u32) | +8 seq
//   FecRatioAck (4, client -> host), 12 bytes: same layout; echoes the change's seq
//
// Unknown types, wrong lengths and non-zero reserved bytes are rejected (kBadFeedback).
#pragma once

#include <cstddef>
#include <cstdint>
#include <variant>

#include "core/transport/crypto.h"
#include "core/transport/wire.h"

namespace lumen::transport {

enum class FeedbackType : uint8_t {
  kLossReport = 1,
  kIdrRequest = 2,
  kFecRatioChange = 3,
  kFecRatioAck = 4,
};

struct LossReport {
  uint32_t interval_seq = 0;
  uint32_t interval_ms = 0;
  uint32_t packets_received = 0;
  uint32_t packets_lost = 0;
  uint32_t frames_complete = 0;
  uint32_t frames_recovered = 0;  // complete only thanks to parity
  uint32_t frames_lost = 0;
  uint16_t max_burst = 0;                  // longest run of consecutive lost packet numbers
  uint16_t worst_frame_loss_permille = 0;  // max over frames of lost/(k+m), x1000
  bool operator==(const LossReport&) const = default;
};

struct IdrRequest {
  uint32_t last_good_frame_id = 0;
  uint32_t request_seq = 0;
  bool operator==(const IdrRequest&) const = default;
};

struct FecRatioChange {
  uint16_t ratio_permille = 0;
  uint32_t first_frame_id = 0;
  uint32_t seq = 0;
  bool operator==(const FecRatioChange&) const = default;
};

struct FecRatioAck {
  uint16_t ratio_permille = 0;
  uint32_t first_frame_id = 0;
  uint32_t seq = 0;
  bool operator==(const FecRatioAck&) const = default;
};

using FeedbackMessage = std::variant<LossReport, IdrRequest, FecRatioChange, FecRatioAck>;

inline constexpr size_t kLossReportBytes = 36;
inline constexpr size_t kShortFeedbackBytes = 12;
inline constexpr size_t kMaxFeedbackDatagram = kCommonHeaderBytes + kLossReportBytes + kTagBytes;

// Body bytes of msg on the wire.
size_t FeedbackBodyBytes(const FeedbackMessage& msg) noexcept;

// Writes msg's body to out (cap bytes). Returns the bytes written, 0 if cap is too small.
size_t EncodeFeedbackBody(const FeedbackMessage& msg, uint8_t* out, size_t cap) noexcept;

// Parses a body. Returns false for unknown type, wrong length or non-zero reserved bytes.
bool DecodeFeedbackBody(const uint8_t* body, size_t len, FeedbackMessage* out) noexcept;

// Builds a whole sealed feedback datagram in out (cap bytes, >= kMaxFeedbackDatagram is
// always enough). Returns its length, or 0 when cap is too small or aead is not ready.
size_t SealFeedback(const AeadContext& aead, uint32_t session_id, uint64_t packet_number,
                    const FeedbackMessage& msg, uint8_t* out, size_t cap) noexcept;

// Parses, replay-checks, authenticates and decodes a feedback datagram. On success marks
// the packet number in `replay` and returns true; otherwise sets *reason.
bool OpenFeedback(const AeadContext& aead, ReplayWindow& replay, uint32_t session_id,
                  const uint8_t* datagram, size_t len, FeedbackMessage* out,
                  DropReason* reason) noexcept;

}  // namespace lumen::transport
