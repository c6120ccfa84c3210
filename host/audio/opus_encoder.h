// host/audio/opus_encoder.h — Opus (multistream) encoding for Moonlight's audio stream:
// 48 kHz, CBR, restricted low delay, 5/10/20 ms frames, stereo / 5.1 / 7.1, normal or
// high quality (docs: /work/shared/docs/moonlight-protocol.md §8.2-§8.3).
//
// Channel order everywhere in lumen (encoder input, and what the client must output) is
// Moonlight's canonical order: FL FR C LFE BL BR SL SR, with Moonlight's (Sunshine's)
// stream layouts and the identity mapping — the digits the host advertises in DESCRIBE's
// surround-params (before the client-side rotation the transport applies for the
// normal-quality line, §8.3). Normal-quality surround couples the leading channel pairs;
// high quality codes one mono stream per channel.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "absl/status/statusor.h"

struct OpusMSEncoder;

namespace lumen::audio {

inline constexpr int kSampleRate = 48000;
inline constexpr int kMaxChannels = 8;
// Largest Opus packet: Moonlight's 1400-byte audio datagram less the 12-byte RTP header
// and up to 16 bytes of AES-CBC padding.
inline constexpr size_t kMaxOpusPacketBytes = 1400 - 12 - 16;

struct OpusLayout {
  int channels = 2;
  int streams = 1;
  int coupled = 1;
  // mapping[i] = Opus decoded channel feeding canonical channel i (identity).
  std::array<uint8_t, kMaxChannels> mapping{};
  int bitrate_bps = 96000;
};

struct OpusConfig {
  int channels = 2;             // 2, 6 or 8
  bool high_quality = false;    // Moonlight's "high quality" configs (more bits, no coupling)
  int frame_samples = 240;      // per channel: 240 (5 ms), 480 (10 ms) or 960 (20 ms)
  int bitrate_bps = 0;          // 0: Moonlight's table for channels/high_quality
};

class OpusEncoder {
 public:
  // InvalidArgument for unsupported channels/frame sizes, or a bitrate whose CBR packets
  // would exceed kMaxOpusPacketBytes (e.g. high-quality 5.1/7.1 needs 5 ms frames);
  // Internal if libopus refuses.
  static absl::StatusOr<std::unique_ptr<OpusEncoder>> Create(const OpusConfig& config);
  ~OpusEncoder();
  OpusEncoder(const OpusEncoder&) = delete;
  OpusEncoder& operator=(const OpusEncoder&) = delete;

  // Encodes one frame: exactly frame_samples() * channels() interleaved floats in
  // canonical channel order, into `out` (CBR: every packet has the same size;
  // kMaxOpusPacketBytes is always enough). Returns the packet length. InvalidArgument on a wrong input size,
  // Internal on a libopus error. No allocation.
  absl::StatusOr<size_t> Encode(std::span<const float> pcm, std::span<uint8_t> out) noexcept;

  const OpusLayout& layout() const { return layout_; }
  int channels() const { return layout_.channels; }
  int frame_samples() const { return frame_samples_; }

 private:
  OpusEncoder() = default;
  OpusMSEncoder* enc_ = nullptr;
  OpusLayout layout_;
  int frame_samples_ = 240;
};

}  // namespace lumen::audio
