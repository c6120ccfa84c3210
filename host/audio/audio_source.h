// host/audio/audio_source.h — lumen's audio source for Moonlight: PipeWire capture of the
// default output's monitor (or a named sink's), encoded to Opus at a steady cadence.
//
// A pw_stream with PW_KEY_STREAM_CAPTURE_SINK=true records F32LE 48 kHz in the requested
// channel count (PipeWire's adapter up/down-mixes); samples go into a bounded FIFO. The
// pull API, NextPacket(), paces itself on CLOCK_MONOTONIC: one packet every
// frame_samples / 48 kHz (5 ms by default), taking that many samples from the FIFO and
// padding with silence when capture is short. Without PipeWire (no daemon, no socket) or
// after the stream fails, it produces Opus-encoded silence at the same cadence: the
// client always gets audio. F2's Moonlight audio stream packetizes the result.
//
// Thread-safety: NextPacket() from one thread; PipeWire's own thread fills the FIFO.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "host/audio/opus_encoder.h"

namespace lumen::audio {

struct AudioSourceConfig {
  OpusConfig opus;           // channels, quality, frame size, bitrate
  bool use_pipewire = true;  // false: silence only (tests, or audio disabled)
  std::string target;        // sink node name to monitor; empty = the default sink
  int max_latency_ms = 40;   // FIFO bound: older samples are dropped beyond this
};

struct AudioPacket {
  std::vector<uint8_t> data;  // one Opus packet
  uint64_t seq = 0;           // from 1
  uint64_t pts_samples = 0;   // first sample's index in the 48 kHz stream, from 0
  uint64_t capture_ts_ns = 0; // CLOCK_MONOTONIC when the packet was due
  bool silence = false;       // no captured samples went into it
};

struct AudioSourceStats {
  uint64_t packets = 0;
  uint64_t silent_packets = 0;   // packets with no captured samples at all
  uint64_t underrun_samples = 0; // samples padded with silence
  uint64_t dropped_samples = 0;  // samples dropped because the FIFO overflowed
  uint64_t captured_samples = 0; // samples delivered by PipeWire (per channel)
  uint64_t late_resyncs = 0;     // the caller fell behind; cadence restarted from now
};

class AudioSource {
 public:
  // Starts capture. Never fails for lack of PipeWire: check capturing() and
  // fallback_reason(). Errors only for an invalid config (InvalidArgument).
  static absl::StatusOr<std::unique_ptr<AudioSource>> Start(const AudioSourceConfig& config);
  ~AudioSource();
  AudioSource(const AudioSource&) = delete;
  AudioSource& operator=(const AudioSource&) = delete;

  // Waits until the next packet is due, then encodes and returns it. Never returns
  // without a packet unless Opus itself fails (Internal).
  absl::Status NextPacket(AudioPacket* out);

  // True while a PipeWire stream is connected and has not failed.
  bool capturing() const;
  // Why capture is not running (empty while it is).
  std::string fallback_reason() const;
  AudioSourceStats stats() const;
  const OpusLayout& layout() const { return encoder_->layout(); }
  int frame_samples() const { return encoder_->frame_samples(); }

  struct Capture;  // implementation detail: the PipeWire side

 private:
  AudioSource() = default;
  AudioSourceConfig config_;
  std::unique_ptr<OpusEncoder> encoder_;
  std::unique_ptr<Capture> capture_;
  std::vector<float> pcm_;
  uint64_t next_due_ns_ = 0;
  uint64_t seq_ = 0;
  AudioSourceStats local_;
};

}  // namespace lumen::audio
