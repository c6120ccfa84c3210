// host/transport/feedback_wire.h — the tiny feedback datagrams lumen's reference client
// sends to lumen-transport's video port (the demo path; Moonlight clients send their
// feedback over the ENet control stream instead, which the Moonlight host forwards through
// Pipeline::RequestIdr).
//
//   0      4        5      6        8              12             16
//   | LMFB | ver=1  | type | 0 0    | LE32 frame   | LE32 count   |
//
// type 1: IDR request (frame = last frame index seen). type 2: loss report (count frames
// lost since the previous report). type 3: FEC status (count shards recovered).
// Also accepted on the video port: "PING" (4 bytes) and the 20-byte SS_PING of the Moonlight
// protocol (16 payload characters + BE32 counter), which set the destination address.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>

namespace lumen::transport {

inline constexpr uint8_t kFeedbackMagic[4] = {'L', 'M', 'F', 'B'};
inline constexpr size_t kFeedbackSize = 16;

enum class FeedbackType : uint8_t {
  kIdrRequest = 1,
  kLossReport = 2,
  kFecStatus = 3,
};

struct Feedback {
  FeedbackType type = FeedbackType::kIdrRequest;
  uint32_t frame = 0;
  uint32_t count = 0;
};

inline void WriteFeedback(const Feedback& f, uint8_t out[kFeedbackSize]) noexcept {
  std::memcpy(out, kFeedbackMagic, 4);
  out[4] = 1;
  out[5] = static_cast<uint8_t>(f.type);
  out[6] = out[7] = 0;
  for (int i = 0; i < 4; ++i) out[8 + i] = static_cast<uint8_t>(f.frame >> (8 * i));
  for (int i = 0; i < 4; ++i) out[12 + i] = static_cast<uint8_t>(f.count >> (8 * i));
}

// Parses a feedback datagram; nothing for anything else (wrong size, magic, version, type).
inline std::optional<Feedback> ParseFeedback(std::span<const uint8_t> d) noexcept {
  if (d.size() != kFeedbackSize || std::memcmp(d.data(), kFeedbackMagic, 4) != 0 || d[4] != 1) {
    return std::nullopt;
  }
  if (d[5] < 1 || d[5] > 3) return std::nullopt;
  Feedback f;
  f.type = static_cast<FeedbackType>(d[5]);
  for (int i = 0; i < 4; ++i) f.frame |= uint32_t(d[8 + i]) << (8 * i);
  for (int i = 0; i < 4; ++i) f.count |= uint32_t(d[12 + i]) << (8 * i);
  return f;
}

// True for "PING" or a 20-byte SS_PING; when `payload` is 16 characters, an SS_PING must
// carry exactly that payload.
inline bool IsPing(std::span<const uint8_t> d, std::span<const uint8_t> payload) noexcept {
  if (d.size() == 4 && std::memcmp(d.data(), "PING", 4) == 0) return payload.empty();
  if (d.size() == 20) {
    return payload.size() != 16 || std::memcmp(d.data(), payload.data(), 16) == 0;
  }
  return false;
}

}  // namespace lumen::transport
