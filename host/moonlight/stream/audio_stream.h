// The Moonlight audio stream sender (UDP, default port 48000; protocol doc §8).
//
// Binds the audio port as soon as the session is set up (the client pings it right
// after the audio SETUP reply), learns the destination from the client's ping, and every
// packet_duration ms encodes one Opus multistream CBR frame (stereo / 5.1 / 7.1, normal or
// high quality per §8.2), wraps it in RTP (PT 97, ms timestamps), AES-128-CBC encrypts it
// when negotiated (IV = BE32(rikeyid + seq)), and sends it plus 2 Reed-Solomon parity
// packets (PT 127) after every 4 data packets. Before a ping arrives nothing is sent.
//
// PCM comes from a PcmSource; without one (no PipeWire), silence is encoded so the client
// never times out (never nothing). Tests use a sine source.
//
// Threading: one sender thread; public methods are thread-safe.
#ifndef LUMEN_HOST_MOONLIGHT_STREAM_AUDIO_STREAM_H_
#define LUMEN_HOST_MOONLIGHT_STREAM_AUDIO_STREAM_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "host/moonlight/rtsp/launch_session.h"
#include "host/moonlight/rtsp/stream_config.h"

namespace lumen::moonlight::stream {

// Fills `pcm` (interleaved float, `channels` x `frames`, canonical channel order) with the
// next audio; returns false if no audio is available right now (silence is sent).
using PcmSource = std::function<bool(std::span<float> pcm, int channels, int frames)>;

// Alternatively, already-encoded Opus packets (host/audio AudioSource: PipeWire capture
// with silence fallback): blocks until the next packet is due (it paces the stream),
// stores it in *packet and sets *silent when it carries no captured audio; false on an
// encoder error. Its layout and frame duration must match the session's
// (OpusLayoutFor(config.audio_channels, config.audio_high_quality) and
// config.audio_packet_duration_ms, 5 or 10).
using OpusPacketSource = std::function<bool(std::vector<uint8_t>* packet, bool* silent)>;

// A PcmSource producing a sine tone on every channel (tests, `lumen serve --audio=tone`).
PcmSource SineSource(double hz, double amplitude = 0.25);

struct AudioStreamOptions {
  std::string bind = "0.0.0.0:48000";
  bool fec = true;
};

struct AudioStreamStats {
  uint64_t pings = 0;
  uint64_t packets_sent = 0;    // data packets
  uint64_t fec_sent = 0;        // parity packets
  uint64_t silent_packets = 0;  // encoded from silence (source had nothing)
  uint64_t ticks_without_client = 0;
  uint64_t encode_errors = 0;
  uint64_t send_errors = 0;
};

struct OpusLayout {
  int channels = 2;
  int streams = 1;
  int coupled = 1;
  int bitrate_bps = 96000;
};
// Sunshine-compatible layout table (protocol doc §8.2).
OpusLayout OpusLayoutFor(int channels, bool high_quality);

class AudioStream {
 public:
  static absl::StatusOr<std::unique_ptr<AudioStream>> Start(const AudioStreamOptions& options,
                                                            const LaunchSession& launch,
                                                            const StreamConfig& config,
                                                            PcmSource source = nullptr);
  ~AudioStream();
  AudioStream(const AudioStream&) = delete;
  AudioStream& operator=(const AudioStream&) = delete;
  // The same, sending `packets` (see OpusPacketSource) instead of encoding PCM itself.
  static absl::StatusOr<std::unique_ptr<AudioStream>> StartWithPackets(
      const AudioStreamOptions& options, const LaunchSession& launch, const StreamConfig& config,
      OpusPacketSource packets);

  uint16_t local_port() const { return port_; }
  bool has_destination() const;
  AudioStreamStats stats() const;

 private:
  struct Impl;
  static absl::StatusOr<std::unique_ptr<AudioStream>> StartImpl(
      const AudioStreamOptions& options, const LaunchSession& launch, const StreamConfig& config,
      PcmSource source, OpusPacketSource packets);
  explicit AudioStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  uint16_t port_ = 0;
};

}  // namespace lumen::moonlight::stream

#endif  // LUMEN_HOST_MOONLIGHT_STREAM_AUDIO_STREAM_H_
