// DESCRIBE body builder and ANNOUNCE parser (see sdp.h).
#include "host/moonlight/rtsp/sdp.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace lumen::moonlight::rtsp {
namespace {

constexpr size_t kMaxAttributes = 256;
constexpr size_t kMaxLineBytes = 1024;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  s = Trim(s);
  if (s.empty() || s.size() > 20) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Per-configuration Opus bitrate in kbps (protocol doc §8.2).
int AudioKbps(int channels, bool hq) {
  switch (channels) {
    case 6:
      return hq ? 1536 : 256;
    case 8:
      return hq ? 2048 : 450;
    default:
      return hq ? 512 : 96;
  }
}

class Attributes {
 public:
  absl::Status Parse(std::string_view body) {
    while (!body.empty()) {
      size_t eol = body.find('\n');
      std::string_view line = body.substr(0, eol);
      body.remove_prefix(eol == std::string_view::npos ? body.size() : eol + 1);
      if (line.size() > kMaxLineBytes) return absl::InvalidArgumentError("SDP line too long");
      line = Trim(line);
      if (line.substr(0, 2) != "a=") continue;
      line.remove_prefix(2);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos || colon == 0) continue;
      if (attrs_.size() >= kMaxAttributes) {
        return absl::InvalidArgumentError("too many SDP attributes");
      }
      attrs_.emplace(std::string(line.substr(0, colon)), std::string(Trim(line.substr(colon + 1))));
    }
    return absl::OkStatus();
  }

  // Integer value of `name`; error if present but not an integer or outside [lo, hi].
  absl::StatusOr<std::optional<int64_t>> Get(std::string_view name, int64_t lo, int64_t hi) const {
    auto it = attrs_.find(std::string(name));
    if (it == attrs_.end()) return std::optional<int64_t>();
    auto v = ParseInt(it->second);
    if (!v || *v < lo || *v > hi) {
      return absl::InvalidArgumentError(
          absl::StrCat("bad value for ", std::string(name), ": ", it->second));
    }
    return std::optional<int64_t>(*v);
  }

  absl::StatusOr<int64_t> Required(std::string_view name, int64_t lo, int64_t hi) const {
    auto v = Get(name, lo, hi);
    if (!v.ok()) return v.status();
    if (!v->has_value())
      return absl::InvalidArgumentError(absl::StrCat("missing ", std::string(name)));
    return **v;
  }

  absl::StatusOr<int64_t> Optional(std::string_view name, int64_t lo, int64_t hi,
                                   int64_t dflt) const {
    auto v = Get(name, lo, hi);
    if (!v.ok()) return v.status();
    return v->value_or(dflt);
  }

 private:
  std::map<std::string, std::string, std::less<>> attrs_;
};

#define LUMEN_ASSIGN_OR_RETURN_INT(lhs, expr) \
  do {                                        \
    auto _v = (expr);                         \
    if (!_v.ok()) return _v.status();         \
    lhs = static_cast<decltype(lhs)>(*_v);    \
  } while (0)

}  // namespace

std::string BuildDescribeSdp(const HostCapabilities& caps) {
  std::string s;
  uint32_t ss_flags = (caps.pen_touch ? 0x01u : 0u) | (caps.controller_touch ? 0x02u : 0u);
  absl::StrAppend(&s, "a=x-ss-general.featureFlags:", ss_flags, "\n");
  absl::StrAppend(&s, "a=x-ss-general.encryptionSupported:", caps.encryption_supported, "\n");
  absl::StrAppend(&s, "a=x-ss-general.encryptionRequested:", caps.encryption_requested, "\n");
  if (caps.reference_frame_invalidation) s += "a=x-nv-video[0].refPicInvalidation:1\n";
  if (caps.hevc) s += "sprop-parameter-sets=AAAAAU\n";
  if (caps.av1) s += "a=rtpmap:98 AV1/90000\n";
  // Opus layouts (identity encoder mapping). Normal-quality lines are rotated so the
  // client's "move last entry to index 3" fix-up yields the identity again (§8.3).
  s += "a=fmtp:97 surround-params=21101\n";
  s += "a=fmtp:97 surround-params=21101\n";
  s += "a=fmtp:97 surround-params=642012453\n";
  s += "a=fmtp:97 surround-params=660012345\n";
  s += "a=fmtp:97 surround-params=85301245673\n";
  s += "a=fmtp:97 surround-params=88001234567\n";
  return s;
}

int EncoderBitrateKbps(const StreamConfig& c) {
  if (c.configured_bitrate_kbps <= 0) return c.max_bitrate_kbps;
  int64_t kbps = c.configured_bitrate_kbps;
  if (c.fec_percentage <= 80) kbps = kbps * (100 - c.fec_percentage) / 100;
  kbps -= std::min<int64_t>(AudioKbps(c.audio_channels, c.audio_high_quality), kbps / 5);
  kbps -= std::min<int64_t>(500, kbps / 10);
  return static_cast<int>(std::max<int64_t>(kbps, 100));
}

absl::StatusOr<StreamConfig> ParseAnnounce(std::string_view body, std::string_view host_header,
                                           const AnnouncePolicy& policy) {
  Attributes a;
  if (auto st = a.Parse(body); !st.ok()) return st;
  StreamConfig c;
  LUMEN_ASSIGN_OR_RETURN_INT(c.width,
                             a.Required("x-nv-video[0].clientViewportWd", 16, policy.max_width));
  LUMEN_ASSIGN_OR_RETURN_INT(c.height,
                             a.Required("x-nv-video[0].clientViewportHt", 16, policy.max_height));
  LUMEN_ASSIGN_OR_RETURN_INT(c.fps, a.Required("x-nv-video[0].maxFPS", 1, policy.max_fps));
  LUMEN_ASSIGN_OR_RETURN_INT(c.packet_size, a.Required("x-nv-video[0].packetSize", 64, 8192));
  LUMEN_ASSIGN_OR_RETURN_INT(c.max_bitrate_kbps,
                             a.Required("x-nv-vqos[0].bw.maximumBitrateKbps", 1, 10'000'000));
  LUMEN_ASSIGN_OR_RETURN_INT(c.slices_per_frame,
                             a.Required("x-nv-video[0].videoEncoderSlicesPerFrame", 1, 64));
  LUMEN_ASSIGN_OR_RETURN_INT(c.max_reference_frames,
                             a.Required("x-nv-video[0].maxNumReferenceFrames", 0, 16));
  LUMEN_ASSIGN_OR_RETURN_INT(c.audio_channels, a.Required("x-nv-audio.surround.numChannels", 1, 8));
  LUMEN_ASSIGN_OR_RETURN_INT(c.audio_channel_mask,
                             a.Required("x-nv-audio.surround.channelMask", 0, 0xFFFFFFFFll));
  int audio_quality = 0;
  LUMEN_ASSIGN_OR_RETURN_INT(audio_quality, a.Required("x-nv-audio.surround.AudioQuality", 0, 1));
  LUMEN_ASSIGN_OR_RETURN_INT(c.configured_bitrate_kbps,
                             a.Optional("x-ml-video.configuredBitrateKbps", 0, 10'000'000, 0));
  LUMEN_ASSIGN_OR_RETURN_INT(c.min_fec_packets,
                             a.Optional("x-nv-vqos[0].fec.minRequiredFecPackets", 0, 64, 0));
  LUMEN_ASSIGN_OR_RETURN_INT(c.encoder_csc_mode,
                             a.Optional("x-nv-video[0].encoderCscMode", 0, 15, 0));
  LUMEN_ASSIGN_OR_RETURN_INT(c.refresh_rate_x100,
                             a.Optional("x-nv-video[0].clientRefreshRateX100", 0, 100000, 0));
  LUMEN_ASSIGN_OR_RETURN_INT(c.audio_packet_duration_ms,
                             a.Optional("x-nv-aqos.packetDuration", 5, 10, 5));
  LUMEN_ASSIGN_OR_RETURN_INT(c.ml_feature_flags,
                             a.Optional("x-ml-general.featureFlags", 0, 0xFFFFFFFFll, 0));
  LUMEN_ASSIGN_OR_RETURN_INT(c.nv_feature_flags,
                             a.Optional("x-nv-general.featureFlags", 0, 0xFFFFFFFFll, 0));
  LUMEN_ASSIGN_OR_RETURN_INT(c.encryption_enabled,
                             a.Optional("x-ss-general.encryptionEnabled", 0, 0xFFFFFFFFll, 0));
  LUMEN_ASSIGN_OR_RETURN_INT(c.use_reliable_udp,
                             a.Optional("x-nv-general.useReliableUdp", 0, 255, 1));
  int codec = 0, hdr = 0, chroma = 0, intra = 0;
  LUMEN_ASSIGN_OR_RETURN_INT(codec, a.Optional("x-nv-vqos[0].bitStreamFormat", 0, 2, 0));
  LUMEN_ASSIGN_OR_RETURN_INT(hdr, a.Optional("x-nv-video[0].dynamicRangeMode", 0, 1, 0));
  LUMEN_ASSIGN_OR_RETURN_INT(chroma, a.Optional("x-ss-video[0].chromaSamplingType", 0, 1, 0));
  LUMEN_ASSIGN_OR_RETURN_INT(intra, a.Optional("x-ss-video[0].intraRefresh", 0, 1, 0));

  if (c.audio_channels != 2 && c.audio_channels != 6 && c.audio_channels != 8) {
    return absl::InvalidArgumentError("unsupported audio channel count");
  }
  if (c.packet_size % 16 != 0) return absl::InvalidArgumentError("packetSize not a multiple of 16");
  c.codec = static_cast<VideoCodec>(codec);
  if (c.codec == VideoCodec::kHevc && !policy.allow_hevc) {
    return absl::InvalidArgumentError("HEVC not supported");
  }
  if (c.codec == VideoCodec::kAv1 && !policy.allow_av1) {
    return absl::InvalidArgumentError("AV1 not supported");
  }
  c.hdr = hdr == 1;
  if (c.hdr && !policy.allow_hdr) return absl::InvalidArgumentError("HDR not supported");
  c.chroma_444 = chroma == 1;
  if (c.chroma_444 && !policy.allow_444) return absl::InvalidArgumentError("4:4:4 not supported");
  c.intra_refresh = intra == 1;
  if (c.refresh_rate_x100 != 0 &&
      std::abs(c.refresh_rate_x100 - c.fps * 100) > c.fps /* 1 % of fps*100 */) {
    c.refresh_rate_x100 = 0;
  }

  // Stereo high quality comes from the Host header (§5.8.3); surround from AudioQuality.
  if (c.audio_channels == 2) {
    c.audio_high_quality =
        !host_header.empty() && host_header.find("0.0.0.0") == std::string_view::npos;
  } else {
    c.audio_high_quality = audio_quality == 1;
  }
  if (c.audio_high_quality && c.audio_channels > 2) c.audio_packet_duration_ms = 5;

  if (policy.require_encryption && (!c.control_encrypted() || !c.audio_encrypted())) {
    return absl::PermissionDeniedError("encryption required");
  }
  if (c.video_encrypted()) {
    // Video encryption is not implemented (never advertised); a client that turns it on
    // anyway cannot be served.
    return absl::PermissionDeniedError("video encryption not supported");
  }
  c.fec_percentage = std::clamp(policy.fec_percentage, 0, 255);
  c.encoder_bitrate_kbps = EncoderBitrateKbps(c);
  return c;
}

}  // namespace lumen::moonlight::rtsp
