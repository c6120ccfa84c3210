// The Moonlight control stream host (ENet over UDP, default port 47999; protocol doc §6).
//
// Accepts the ENet connection whose connect data matches the armed session's
// X-SS-Connect-Data (or, for clients without ML_FF_SESSION_ID_V1, whose address matches
// the RTSP client), decrypts every control message with the session key, and dispatches:
// IDR requests (incl. Start A), reference-frame invalidation, periodic pings, input packets,
// FEC status. The host side sends termination (0x0109), HDR mode (0x010e) and rumble
// (0x010b), always reliable on channel 0.
//
// ENet is Debian's libenet (upstream 1.3.17); docs/interop.md records why it is
// wire-compatible with the cgutman/enet fork Moonlight clients link. IPv4 only.
//
// Threading: one service thread owns the ENet host; public methods are thread-safe and
// queue work for it. Callbacks run on the service thread and must not block.
#ifndef LUMEN_HOST_MOONLIGHT_CONTROL_CONTROL_SERVER_H_
#define LUMEN_HOST_MOONLIGHT_CONTROL_CONTROL_SERVER_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "host/moonlight/control/control_framing.h"
#include "host/moonlight/rtsp/launch_session.h"
#include "host/moonlight/rtsp/stream_config.h"

namespace lumen::moonlight::control {

struct ControlServerOptions {
  std::string bind_address = "0.0.0.0";
  uint16_t port = 47999;        // 0 = any free port (tests)
  int idle_timeout_ms = 10000;  // no ENet event for this long -> session ends
  int max_peers = 8;
};

struct ControlServerStats {
  uint64_t connects = 0;
  uint64_t rejected_connects = 0;  // connect data / address did not match
  uint64_t messages = 0;
  uint64_t idr_requests = 0;
  uint64_t rfi_requests = 0;
  uint64_t pings = 0;
  uint64_t input_packets = 0;
  uint64_t fec_status = 0;
  uint64_t unknown_types = 0;
  std::array<uint64_t, static_cast<size_t>(ControlError::kCount)> errors{};
  uint64_t sent = 0;
};

// Why a session ended (on_session_end).
enum class ControlEndReason : uint8_t { kClientDisconnected, kTimeout, kHostEnded, kReplaced };

class ControlServer {
 public:
  struct Callbacks {
    std::function<void()> on_connected;
    std::function<void()> on_idr_request;
    std::function<void(uint64_t first_frame, uint64_t last_frame)> on_invalidate_ref_frames;
    std::function<void(std::span<const uint8_t> input_packet)> on_input;  // §9 packet, as sent
    std::function<void(ControlEndReason)> on_session_end;
  };

  static absl::StatusOr<std::unique_ptr<ControlServer>> Start(const ControlServerOptions& options,
                                                              Callbacks callbacks);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Arms the server for one session: the next ENet connect with matching connect data
  // (or from `client_address` for clients without session-id support) becomes its peer.
  // Replaces any armed or connected session (the old peer is told 0x0109 and dropped).
  void ArmSession(const LaunchSession& launch, const StreamConfig& config,
                  const std::string& client_address);

  // Sends termination with `hresult` (default: graceful exit), flushes and disconnects.
  void EndSession(uint32_t hresult = kTerminationGraceful);

  // Host -> client messages (queued; dropped if no peer is connected).
  void SendHdrMode(bool enabled);
  void SendRumble(uint16_t controller, uint16_t low_freq, uint16_t high_freq);
  void SendMessage(uint16_t type, std::vector<uint8_t> payload);

  bool connected() const { return connected_.load(); }
  uint16_t port() const { return port_; }
  ControlServerStats stats() const;

 private:
  struct Impl;
  explicit ControlServer(std::unique_ptr<Impl> impl, uint16_t port);
  std::unique_ptr<Impl> impl_;
  std::atomic<bool> connected_{false};
  uint16_t port_ = 0;
  friend struct Impl;
};

}  // namespace lumen::moonlight::control

#endif  // LUMEN_HOST_MOONLIGHT_CONTROL_CONTROL_SERVER_H_
