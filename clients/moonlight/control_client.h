// Client side of the Moonlight control stream (ENet, encrypted framing) as
// moonlight-common-c's ControlStream.c runs it against a 7.1.431 host: connect with the
// RTSP connect data, send Start A (0x0302) and Start B (0x0307), a periodic ping
// (0x0200) every 100 ms, IDR/RFI requests and input packets (0x0206); receive and
// decrypt host messages (termination, HDR mode, rumble). For lumen's end-to-end tests.
#ifndef LUMEN_CLIENTS_MOONLIGHT_CONTROL_CLIENT_H_
#define LUMEN_CLIENTS_MOONLIGHT_CONTROL_CLIENT_H_

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "host/moonlight/control/control_framing.h"

namespace lumen::moonlight::client {

struct ControlClientConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 47999;
  uint32_t connect_data = 0;
  std::array<uint8_t, 16> key{};
  bool encrypted = true;  // useReliableUdp = 13
  bool v2 = true;         // SS_ENC_CONTROL_V2
  int connect_timeout_ms = 5000;
  bool send_start = true;  // Start A + Start B right after connecting
  bool periodic_ping = true;
};

class ControlClient {
 public:
  static absl::StatusOr<std::unique_ptr<ControlClient>> Connect(const ControlClientConfig& cfg);
  ~ControlClient();  // disconnects

  void RequestIdr();
  void InvalidateRefFrames(uint64_t first, uint64_t last);
  void SendInput(std::span<const uint8_t> input_packet);
  // Sends raw bytes as an ENet packet (tests of malformed input).
  void SendRaw(std::vector<uint8_t> bytes);

  // Waits up to timeout_ms for a host message of `type`; removes and returns it.
  bool WaitFor(uint16_t type, int timeout_ms, control::ControlMessage* out);
  // True once the host disconnected us (or the connection timed out).
  bool WaitDisconnected(int timeout_ms);
  bool disconnected() const { return disconnected_.load(); }
  uint64_t decrypt_errors() const { return decrypt_errors_.load(); }

 private:
  ControlClient() = default;
  void Loop();
  void Queue(std::vector<uint8_t> wire);

  ControlClientConfig cfg_;
  void* host_ = nullptr;  // ENetHost*
  void* peer_ = nullptr;  // ENetPeer*
  std::unique_ptr<control::ControlCodec> codec_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> disconnected_{false};
  std::atomic<uint64_t> decrypt_errors_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::vector<uint8_t>> outgoing_;     // guarded by mu_
  std::deque<control::ControlMessage> received_;  // guarded by mu_
};

}  // namespace lumen::moonlight::client

#endif  // LUMEN_CLIENTS_MOONLIGHT_CONTROL_CLIENT_H_
