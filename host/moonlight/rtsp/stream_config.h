// The per-session stream configuration a Moonlight client negotiates in its RTSP
// ANNOUNCE (protocol doc §5.8), after validation and the host's bitrate/FEC policy.
// Everything downstream (encoder, video/audio packetizers, control stream) is configured
// from one of these.
#ifndef LUMEN_HOST_MOONLIGHT_RTSP_STREAM_CONFIG_H_
#define LUMEN_HOST_MOONLIGHT_RTSP_STREAM_CONFIG_H_

#include <cstdint>
#include <optional>

#include "core/session/lumen_attr.h"

namespace lumen::moonlight {

// lumen transport agreed in the RTSP handshake (docs/lumen-transport.md §4): the host's
// DESCRIBE offer and the client's matching ANNOUNCE answer. The video keys derive from the
// launch's rikey and both nonces; the client's mtu is the datagram budget.
struct LumenNegotiated {
  session::LumenOffer offer;
  session::LumenAccept accept;
};

enum class VideoCodec : uint8_t { kH264 = 0, kHevc = 1, kAv1 = 2 };

// SS_ENC_* bits of x-ss-general.encryption{Supported,Requested,Enabled}.
inline constexpr uint32_t kEncControlV2 = 0x01;
inline constexpr uint32_t kEncVideo = 0x02;
inline constexpr uint32_t kEncAudio = 0x04;

// x-ml-general.featureFlags bits.
inline constexpr uint32_t kMlFeatureFecStatus = 0x01;
inline constexpr uint32_t kMlFeatureSessionIdV1 = 0x02;

// x-nv-general.featureFlags bit that asks for audio encryption.
inline constexpr uint32_t kNvFeatureAudioEncryption = 0x20;

struct StreamConfig {
  // Video.
  int width = 0;
  int height = 0;
  int fps = 0;
  int refresh_rate_x100 = 0;        // 0 = not sent / ignored
  int packet_size = 0;              // x-nv-video[0].packetSize (payload + 16 header bytes)
  int max_bitrate_kbps = 0;         // x-nv-vqos[0].bw.maximumBitrateKbps
  int configured_bitrate_kbps = 0;  // x-ml-video.configuredBitrateKbps (0 = not sent)
  int encoder_bitrate_kbps = 0;     // what the encoder is asked for (host policy)
  int fec_percentage = 20;          // host's FEC policy
  int min_fec_packets = 0;          // x-nv-vqos[0].fec.minRequiredFecPackets
  int slices_per_frame = 1;
  int max_reference_frames = 0;  // 0 = unlimited
  int encoder_csc_mode = 0;      // (colorSpace << 1) | fullRange
  VideoCodec codec = VideoCodec::kH264;
  bool hdr = false;         // dynamicRangeMode == 1
  bool chroma_444 = false;  // chromaSamplingType == 1
  bool intra_refresh = false;

  // Audio.
  int audio_channels = 2;
  uint32_t audio_channel_mask = 0x3;
  bool audio_high_quality = false;
  int audio_packet_duration_ms = 5;

  // Control / features / encryption.
  uint32_t ml_feature_flags = 0;
  uint32_t nv_feature_flags = 0;
  uint32_t encryption_enabled = 0;  // SS_ENC_* bits the client turned on
  int use_reliable_udp = 1;         // 13 = encrypted control stream

  // Video framing: lumen transport when negotiated, else Moonlight's.
  std::optional<LumenNegotiated> lumen;

  bool control_encrypted() const { return use_reliable_udp == 13; }
  bool control_v2() const { return (encryption_enabled & kEncControlV2) != 0; }
  bool video_encrypted() const { return (encryption_enabled & kEncVideo) != 0; }
  bool audio_encrypted() const {
    return (encryption_enabled & kEncAudio) != 0 ||
           (nv_feature_flags & kNvFeatureAudioEncryption) != 0;
  }
};

}  // namespace lumen::moonlight

#endif  // LUMEN_HOST_MOONLIGHT_RTSP_STREAM_CONFIG_H_
