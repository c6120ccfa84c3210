// Client side of the Moonlight video and audio streams, for lumen's end-to-end tests:
// pings the host's ports every 500 ms with SS_PING (like VideoStream.c/AudioStream.c),
// receives the datagrams, and checks them end to end.
//  - VideoReceiver: Moonlight datagrams -> core depacketizer (FEC, framing checks) ->
//    FFmpeg decode -> the test-pattern stamp read from the decoded luma (frame counter).
//    Frames lost or undecodable raise an IDR request through `on_need_idr`.
//  - AudioReceiver: RTP PT 97 -> AES-CBC decrypt (when negotiated) -> Opus decode; PT 127
//    parity is counted.
#ifndef LUMEN_CLIENTS_MOONLIGHT_STREAM_CLIENT_H_
#define LUMEN_CLIENTS_MOONLIGHT_STREAM_CLIENT_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "host/moonlight/rtsp/stream_config.h"

namespace lumen::moonlight::client {

struct VideoReceiverConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 47998;
  std::string ping_payload;  // 16 chars; empty -> legacy "PING"
  VideoCodec codec = VideoCodec::kH264;
  int packet_size = 1392;
  std::function<void()> on_need_idr;  // called from the receive thread
};

struct VideoReceiverStats {
  uint64_t datagrams = 0;
  uint64_t frames = 0;      // access units delivered by the depacketizer
  uint64_t idr_frames = 0;  // frame type 2
  uint64_t decoded = 0;     // pictures out of the decoder
  uint64_t decode_errors = 0;
  uint64_t stamps_ok = 0;  // decoded pictures whose stamp read back (CRC ok)
  uint64_t stamp_errors = 0;
  uint64_t stamp_regressions = 0;  // a stamp's frame counter not above the previous one
  uint32_t last_stamp_frame = 0;
  uint64_t frames_lost = 0;
  uint64_t idr_requests = 0;
  int width = 0;
  int height = 0;
};

class VideoReceiver {
 public:
  static absl::StatusOr<std::unique_ptr<VideoReceiver>> Start(const VideoReceiverConfig& cfg);
  ~VideoReceiver();
  VideoReceiverStats stats() const;
  // Waits until `pred(stats)` holds or timeout; returns whether it held.
  bool WaitFor(const std::function<bool(const VideoReceiverStats&)>& pred, int timeout_ms) const;

 private:
  struct Impl;
  explicit VideoReceiver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct AudioReceiverConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 48000;
  std::string ping_payload;
  bool encrypted = true;
  std::array<uint8_t, 16> key{};
  uint32_t key_id = 0;
  int channels = 2;
};

struct AudioReceiverStats {
  uint64_t packets = 0;
  uint64_t fec_packets = 0;
  uint64_t decoded = 0;
  uint64_t decode_errors = 0;
  uint64_t decrypt_errors = 0;
  uint64_t non_silent = 0;  // decoded packets with a peak above -40 dBFS
  uint64_t seq_gaps = 0;
};

class AudioReceiver {
 public:
  static absl::StatusOr<std::unique_ptr<AudioReceiver>> Start(const AudioReceiverConfig& cfg);
  ~AudioReceiver();
  AudioReceiverStats stats() const;
  bool WaitFor(const std::function<bool(const AudioReceiverStats&)>& pred, int timeout_ms) const;

 private:
  struct Impl;
  explicit AudioReceiver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lumen::moonlight::client

#endif  // LUMEN_CLIENTS_MOONLIGHT_STREAM_CLIENT_H_
