// clients/reference/client.h — lumen's reference client as a library: receives Moonlight
// video datagrams on UDP, reassembles and FEC-recovers frames (core/moonlight
// VideoDepacketizer), decodes them with FFmpeg, reads the test-pattern stamp back from the
// picture (core/pattern), and keeps one record per frame for end-to-end checks.
//
// Threads: one receive+decode thread (Start/Stop). It pings the server's video port every
// 500 ms (Moonlight §7.1; the server learns the client address from it), and sends lumen
// feedback datagrams (IDR request after an unrecoverable loss, FEC status) to the same
// port. Optional induced loss drops a seeded-random share of received datagrams before
// the depacketizer, to exercise FEC.
// With framing = kLumen the datagrams are lumen framing (host/transport/lumen_link.h:
// one GF(2^16) FEC block per frame + AEAD, keys from `lumen`); the client then sends
// core/transport's sealed feedback instead: IDR requests, a loss report every 100 ms
// (drives the host's adaptive FEC) and acks of the host's FEC ratio changes. Frames go to
// the decoder in order only: after a gap, P-frames are held back until a keyframe.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "host/common/frame_desc.h"
#include "host/transport/lumen_params.h"

namespace lumen::client {

struct ClientConfig {
  std::string server;              // server video address "ip:port" (pings + feedback go here)
  std::string bind = "0.0.0.0:0";  // local address
  std::string ping_payload;        // 16 chars: send SS_PING with it; empty: "PING"
  int packet_size = 1392;
  bool encrypted = false;
  std::array<uint8_t, 16> key{};
  host::Codec codec = host::Codec::kH264;
  double loss_percent = 0;         // induced receive loss, 0..100
  uint64_t loss_seed = 1;
  bool decode = true;              // false: depacketize only
  bool read_stamp = true;          // read the test-pattern stamp from each picture
  std::string dump_es;             // write the received elementary stream here
  bool send_feedback = true;       // IDR requests / FEC status to the server
  transport::Framing framing = transport::Framing::kMoonlight;
  transport::LumenParams lumen;    // framing == kLumen: must match the host's
  size_t max_frame_bytes = 4 << 20;  // lumen framing: largest frame accepted
};

// One delivered (and, if decoding, decoded) frame.
struct FrameRecord {
  uint32_t frame_index = 0;      // Moonlight frameIndex
  bool idr = false;
  uint32_t au_bytes = 0;
  int recovered_shards = 0;
  uint64_t first_recv_ns = 0;    // first datagram of the frame (CLOCK_MONOTONIC)
  uint64_t complete_ns = 0;      // frame reassembled
  uint64_t decoded_ns = 0;       // picture out of the decoder (0: not decoded)
  int width = 0, height = 0;
  bool stamp_ok = false;         // stamp CRC matched
  uint32_t stamp_frame = 0;      // frame counter painted by capture
  uint64_t stamp_capture_us = 0; // capture timestamp painted by capture (us)
};

struct ClientStats {
  uint64_t datagrams = 0;
  uint64_t datagrams_dropped_induced = 0;
  uint64_t datagrams_rejected = 0;  // by the depacketizer (any ParseError)
  uint64_t frames_delivered = 0;
  uint64_t frames_decoded = 0;
  uint64_t frames_lost = 0;
  uint64_t frames_recovered = 0;   // needed FEC
  uint64_t shards_recovered = 0;
  uint64_t frames_dropped_waiting_idr = 0;
  uint64_t decode_errors = 0;
  uint64_t stamp_errors = 0;
  uint64_t idr_requests_sent = 0;
  uint64_t pings_sent = 0;
  uint64_t loss_reports_sent = 0;  // lumen framing
  uint64_t ratio_acks_sent = 0;    // lumen framing
};

class ReferenceClient {
 public:
  static absl::StatusOr<std::unique_ptr<ReferenceClient>> Create(const ClientConfig& cfg);
  ~ReferenceClient();

  uint16_t local_port() const;
  // Starts the receive thread (pings start immediately when `server` is set).
  void Start();
  // Stops and joins. Safe to call twice.
  void Stop();

  ClientStats stats() const;
  std::vector<FrameRecord> records() const;
  // Called on the receive thread after each decoded picture (for presentation / PNG).
  void set_on_picture(std::function<void(const FrameRecord&, const struct Picture&)> fn);

 private:
  ReferenceClient() = default;
  void Loop();
  void LoopLumen();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lumen::client
