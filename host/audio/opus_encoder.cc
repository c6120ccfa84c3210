// host/audio/opus_encoder.cc — see opus_encoder.h.
#include "host/audio/opus_encoder.h"

#include <opus/opus_multistream.h>

#include "absl/strings/str_cat.h"

namespace lumen::audio {
namespace {

int TableBitrate(int channels, bool hq) {
  switch (channels) {
    case 2: return hq ? 512000 : 96000;
    case 6: return hq ? 1536000 : 256000;
    case 8: return hq ? 2048000 : 450000;
  }
  return 0;
}

}  // namespace

OpusEncoder::~OpusEncoder() {
  if (enc_ != nullptr) opus_multistream_encoder_destroy(enc_);
}

absl::StatusOr<std::unique_ptr<OpusEncoder>> OpusEncoder::Create(const OpusConfig& cfg) {
  if (cfg.channels != 2 && cfg.channels != 6 && cfg.channels != 8) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported channel count ", cfg.channels));
  }
  if (cfg.frame_samples != 240 && cfg.frame_samples != 480 && cfg.frame_samples != 960) {
    return absl::InvalidArgumentError(absl::StrCat("unsupported frame size ", cfg.frame_samples));
  }
  const int bitrate = cfg.bitrate_bps > 0 ? cfg.bitrate_bps : TableBitrate(cfg.channels, cfg.high_quality);
  if (int64_t(bitrate) * cfg.frame_samples / kSampleRate / 8 > int64_t(kMaxOpusPacketBytes)) {
    // CBR packets this big cannot go out as one Moonlight audio datagram; libopus would
    // silently starve the later streams. (Why Moonlight uses 5 ms for HQ surround.)
    return absl::InvalidArgumentError(absl::StrCat(bitrate, " bps in ", cfg.frame_samples,
                                                   "-sample frames exceeds ",
                                                   kMaxOpusPacketBytes, " bytes per packet"));
  }
  std::unique_ptr<OpusEncoder> e(new OpusEncoder());
  e->frame_samples_ = cfg.frame_samples;
  OpusLayout& L = e->layout_;
  L.channels = cfg.channels;
  L.bitrate_bps = bitrate;
  // Moonlight's layouts (Sunshine's stream_configs): identity mapping; stereo one coupled
  // stream; normal-quality 5.1 / 7.1 couple the leading pairs (FL+FR, C+LFE, BL+BR for
  // 7.1) and code the rest mono; high quality codes every channel as its own stream.
  // We do not use opus_multistream_surround_encoder_create: its rate allocation starves
  // the LFE stream of 7.1 at 5 ms frames (decoded LFE is silent), see opus_encoder_test.
  switch (cfg.channels) {
    case 2: L.streams = 1; L.coupled = 1; break;
    case 6: L.streams = cfg.high_quality ? 6 : 4; L.coupled = cfg.high_quality ? 0 : 2; break;
    case 8: L.streams = cfg.high_quality ? 8 : 5; L.coupled = cfg.high_quality ? 0 : 3; break;
  }
  for (int i = 0; i < cfg.channels; ++i) L.mapping[i] = uint8_t(i);
  int err = OPUS_OK;
  e->enc_ = opus_multistream_encoder_create(kSampleRate, L.channels, L.streams, L.coupled,
                                            L.mapping.data(),
                                            OPUS_APPLICATION_RESTRICTED_LOWDELAY, &err);
  if (err != OPUS_OK || e->enc_ == nullptr) {
    return absl::InternalError(absl::StrCat("opus encoder create: ", opus_strerror(err)));
  }
  opus_multistream_encoder_ctl(e->enc_, OPUS_SET_BITRATE(L.bitrate_bps));
  opus_multistream_encoder_ctl(e->enc_, OPUS_SET_VBR(0));  // CBR: audio FEC needs equal sizes
  return e;
}

absl::StatusOr<size_t> OpusEncoder::Encode(std::span<const float> pcm,
                                           std::span<uint8_t> out) noexcept {
  const int ch = layout_.channels;
  if (pcm.size() != size_t(frame_samples_) * size_t(ch)) {
    return absl::InvalidArgumentError("pcm size != frame_samples * channels");
  }
  const float* in = pcm.data();
  const int n = opus_multistream_encode_float(enc_, in, frame_samples_, out.data(),
                                              opus_int32(out.size()));
  if (n < 0) return absl::InternalError(absl::StrCat("opus encode: ", opus_strerror(n)));
  return size_t(n);
}

}  // namespace lumen::audio
