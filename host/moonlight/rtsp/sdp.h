// SDP bodies of the Moonlight RTSP handshake: the DESCRIBE reply the host sends (its
// capabilities, protocol doc §5.6 and §8.3) and the ANNOUNCE body the client sends
// (the stream configuration, §5.8). Pure string processing, bounded and fuzzed
// (tools/fuzz/rtsp_sdp_fuzz.cc).
#ifndef LUMEN_HOST_MOONLIGHT_RTSP_SDP_H_
#define LUMEN_HOST_MOONLIGHT_RTSP_SDP_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "host/moonlight/rtsp/stream_config.h"

namespace lumen::moonlight::rtsp {

// What the host can do; drives the DESCRIBE body.
struct HostCapabilities {
  bool hevc = true;
  bool av1 = false;
  bool pen_touch = false;         // x-ss-general.featureFlags 0x01
  bool controller_touch = false;  // x-ss-general.featureFlags 0x02
  uint32_t encryption_supported = kEncControlV2 | kEncAudio;
  uint32_t encryption_requested = kEncControlV2;
  bool reference_frame_invalidation = false;
};

// Builds the DESCRIBE reply body. Always contains the six surround-params lines
// (stereo, stereo HQ, 5.1, 5.1 HQ, 7.1, 7.1 HQ) for an identity encoder mapping, with
// the normal-quality lines pre-rotated the way the client un-rotates them (§8.3).
std::string BuildDescribeSdp(const HostCapabilities& caps);

// Host policy applied on top of what the client asked for.
struct AnnouncePolicy {
  bool allow_hevc = true;
  bool allow_av1 = false;
  bool allow_hdr = false;
  bool allow_444 = false;
  int fec_percentage = 20;  // 0..255
  int max_width = 8192;
  int max_height = 8192;
  int max_fps = 480;
  bool require_encryption = false;  // 403 if the client did not enable control+audio
};

// Parses an ANNOUNCE body into a StreamConfig. `host_header` is the request's Host
// header (for the stereo high-quality trick, §5.8.3). Errors:
//   InvalidArgument   - a required attribute is missing or out of range, or a codec /
//                       HDR / 4:4:4 mode the policy does not allow (RTSP 400)
//   PermissionDenied  - encryption policy violated (RTSP 403)
absl::StatusOr<StreamConfig> ParseAnnounce(std::string_view body, std::string_view host_header,
                                           const AnnouncePolicy& policy);

// The encoder bitrate Sunshine-style: from configuredBitrateKbps (minus FEC, audio and
// headroom) when present, else maximumBitrateKbps. Exposed for tests.
int EncoderBitrateKbps(const StreamConfig& c);

}  // namespace lumen::moonlight::rtsp

#endif  // LUMEN_HOST_MOONLIGHT_RTSP_SDP_H_
