// host/transport/video_transport.h — lumen-transport's engine as a library: encoded access
// units in, Moonlight video datagrams out over UDP, client feedback in.
//
// One VideoTransport per video stream. SendAccessUnit() runs on the caller's thread (the
// ring-reading loop of lumen-transport): packetize (core/moonlight VideoPacketizer, FEC,
// optional AES-GCM) and send the whole frame with UDP GSO (sendmmsg fallback). A feedback
// thread receives on the same socket: pings set the destination (Moonlight §7.1: video goes
// to the source address of the client's ping), lumen feedback datagrams (feedback_wire.h)
// turn into control requests handed to `on_control` (IDR request -> encoder). With lumen
// framing the feedback is core/transport's sealed feedback (IDR request, loss report ->
// adaptive FEC ratio, announced to the client with a FecRatioChange datagram).
//
// No async runtime: native threads and blocking, batched socket calls.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "core/moonlight/video_packetizer.h"
#include "host/common/frame_desc.h"
#include "host/common/udp.h"
#include "host/transport/lumen_link.h"

namespace lumen::transport {

struct TransportConfig {
  std::string bind = "0.0.0.0:0";  // local address; port 0 = ephemeral (Moonlight: 47998)
  std::string dest;                // fixed destination "ip:port"; empty = learn from ping
  std::string ping_payload;        // X-SS-Ping-Payload (16 chars); empty = accept any ping
  int packet_size = 1392;          // x-nv-video[0].packetSize
  int fec_percent = 20;
  int min_fec_packets = 2;
  bool encrypt = false;            // SS_ENC_VIDEO
  std::array<uint8_t, 16> key{};   // rikey
  size_t max_frame_bytes = 4 << 20;
  bool gso = true;
  // Moonlight frameIndex of the first frame sent (1 for a new stream). A restarted
  // transport continues where the previous one stopped, so the client does not take its
  // frames for stale ones.
  uint32_t first_frame_index = 1;
  // Datagram format. kLumen uses `lumen` for keys and `fec_percent` as the initial
  // (lumen_adaptive_fec) or fixed FEC ratio; `encrypt`/`key` are Moonlight-only.
  Framing framing = Framing::kMoonlight;
  LumenParams lumen;
  bool lumen_adaptive_fec = true;
};

struct TransportStats {
  uint64_t frames_sent = 0;
  uint64_t frames_without_client = 0;
  uint64_t frames_too_large = 0;
  uint64_t frames_skipped_waiting_idr = 0;  // P-frames held back until an IDR
  uint64_t datagrams = 0;
  uint64_t parity_datagrams = 0;
  uint64_t bytes = 0;
  uint64_t gso_sends = 0;
  uint64_t send_errors = 0;
  uint64_t pings = 0;
  uint64_t idr_requests = 0;    // from client feedback
  uint64_t loss_reports = 0;
  uint64_t fec_recoveries = 0;  // shards the client reported recovered
  uint64_t bad_feedback = 0;
  uint64_t fec_ratio_changes = 0;     // lumen framing: adaptive FEC moved the ratio
  uint16_t fec_ratio_permille = 0;    // lumen framing: current ratio
};

class VideoTransport {
 public:
  // Binds the socket, starts the feedback thread. `on_control` is called from the feedback
  // thread for every request to forward to the encoder.
  static absl::StatusOr<std::unique_ptr<VideoTransport>> Create(
      const TransportConfig& cfg, std::function<void(const host::ControlMessage&)> on_control);
  ~VideoTransport();

  // Packetizes and sends one access unit. Fills *timing (send timestamps, datagram count,
  // flags). Without a destination yet, nothing is sent (kTimingNoClient). The stream on the
  // wire always starts at an IDR and never continues past an AU that was not sent: after
  // one, P-frames are held back (kTimingWaitingIdr) and an IDR is requested, so the client
  // never decodes a P-frame whose reference it did not get.
  void SendAccessUnit(const host::AccessUnitDesc& au, std::span<const uint8_t> bitstream,
                      host::FrameTiming* timing);

  uint16_t local_port() const { return local_port_; }
  bool has_destination() const;
  std::string destination() const;
  TransportStats stats() const;

 private:
  VideoTransport() = default;
  void FeedbackLoop();
  void SendLumen(const host::AccessUnitDesc& au, std::span<const uint8_t> bitstream,
                 const host::SocketAddress& dest, host::FrameTiming* timing);
  bool HandleLumenFeedback(const host::Datagram& d);  // false: not valid lumen feedback

  TransportConfig cfg_;
  std::function<void(const host::ControlMessage&)> on_control_;
  host::UdpSocket socket_;
  uint16_t local_port_ = 0;
  moonlight::VideoPacketizer packetizer_;
  std::unique_ptr<LumenHostLink> lumen_;  // framing == kLumen
  uint32_t next_frame_index_ = 1;
  // Set when the client cannot decode the next P-frame: nothing sent yet, or an AU was
  // not sent. Cleared by the next IDR. Sending time of the last IDR request.
  bool need_idr_ = true;
  uint64_t last_idr_request_ns_ = 0;
  void RequestIdrFromEncoder();
  void FrameNotSent(host::FrameTiming* timing);
  mutable std::mutex mu_;  // guards dest_, stats_ parts written by the feedback thread
  host::SocketAddress dest_;
  TransportStats stats_;
  std::atomic<bool> stop_{false};
  std::thread feedback_thread_;
};

}  // namespace lumen::transport
