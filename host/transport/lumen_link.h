// host/transport/lumen_link.h — the two ends of lumen-framing video over a socket the
// caller owns: LumenHostLink (lumen-transport: frames -> sealed GF(2^16) FEC datagrams,
// client feedback in, adaptive FEC ratio) and LumenClientLink (the reference client:
// datagrams -> frames, feedback out). Thin, thread-safe wrappers over core/transport's
// HostEndpoint / ClientEndpoint (endpoint.h), kept behind a pimpl so that users need not
// see core/transport's feedback types (they share names with feedback_wire.h).
//
// Nonces across restarts: a restarted lumen-transport derives the same keys, so its packet
// numbers must not start again at 0. LumenHostLink starts them at the wall clock in
// microseconds (a sender emits far less than one datagram per microsecond), which also
// keeps them above the client's replay window.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "absl/status/statusor.h"
#include "host/transport/lumen_params.h"

namespace lumen::transport {

struct LumenLinkConfig {
  LumenParams params;
  int packet_size = 1392;  // datagram budget: shard size = the largest multiple of 64 that fits
  size_t max_frame_bytes = 4 << 20;
  int fec_percent = 20;      // initial FEC ratio (host)
  bool adaptive_fec = true;  // host: follow the client's loss reports (fec_policy.h)
};

class LumenHostLink {
 public:
  static absl::StatusOr<std::unique_ptr<LumenHostLink>> Create(const LumenLinkConfig& cfg);
  ~LumenHostLink();

  struct Packets {
    const uint8_t* base = nullptr;  // datagram i at base + i * stride, datagram_bytes long
    size_t datagram_bytes = 0;
    size_t stride = 0;
    uint32_t count = 0;
    uint32_t parity = 0;
  };
  // Packetizes one frame into the link's own buffer (valid until the next call; one
  // sending thread). False (and *why) when the frame cannot be sent (too large, empty).
  bool Packetize(std::span<const uint8_t> frame, uint32_t frame_id, bool keyframe, Packets* out,
                 const char** why);

  enum class Event : uint8_t { kDropped, kNone, kIdrRequested, kRatioChanged, kLossReport };
  // One datagram from the client. kRatioChanged: send SealRatioChange()'s datagram.
  Event OnFeedback(std::span<const uint8_t> datagram);
  // The FecRatioChange datagram (host -> client) for the current ratio; 0 if cap is small.
  size_t SealRatioChange(uint8_t* out, size_t cap);
  uint16_t ratio_permille() const;

 private:
  LumenHostLink() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class LumenClientLink {
 public:
  static absl::StatusOr<std::unique_ptr<LumenClientLink>> Create(const LumenLinkConfig& cfg);
  ~LumenClientLink();

  struct Frame {
    uint32_t frame_id = 0;
    bool keyframe = false;
    bool recovered = false;         // needed parity
    std::span<const uint8_t> data;  // valid until the next Receive()
  };
  enum class Rx : uint8_t { kNothing, kFrame };
  // One datagram from the host (shards and FecRatioChange feedback).
  Rx Receive(std::span<const uint8_t> datagram, Frame* frame);

  // The frame id in a shard datagram's header (unauthenticated: for timing only).
  static bool PeekFrameId(std::span<const uint8_t> datagram, uint32_t* frame_id);

  // Feedback datagrams (0 = nothing to send / cap too small). cap >= 128 is enough.
  size_t SealLossReport(uint32_t interval_ms, uint8_t* out, size_t cap);
  size_t SealIdrRequest(uint8_t* out, size_t cap);
  size_t SealPendingAck(uint8_t* out, size_t cap);

  bool need_idr() const;
  struct Counters {
    uint64_t datagrams = 0, dropped = 0, frames_complete = 0, frames_recovered = 0, frames_lost = 0;
  };
  Counters counters() const;

 private:
  LumenClientLink() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lumen::transport
