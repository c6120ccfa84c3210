// Parsing of nvhttp request targets: query strings and the /launch and /resume parameters
// (protocol doc §2.1, §4.1). Pure functions over strings; fuzzed by tools/fuzz/nvhttp_query_fuzz.
//
// Parameter names are matched case-insensitively (as Sunshine does); the first occurrence of a
// name wins; unknown names are kept but ignored by callers. Limits: at most kMaxParams
// parameters and kMaxQueryBytes of query text, so hostile requests cannot make us allocate much.
#ifndef LUMEN_HOST_MOONLIGHT_HTTP_REQUEST_H_
#define LUMEN_HOST_MOONLIGHT_HTTP_REQUEST_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace lumen::moonlight::http {

inline constexpr size_t kMaxParams = 64;
inline constexpr size_t kMaxQueryBytes = 32 * 1024;

class QueryParams {
 public:
  // The decoded value of `name` (lower-case), or nullopt if absent.
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  size_t size() const { return params_.size(); }
  void Add(std::string key_lower, std::string value) {
    params_.emplace_back(std::move(key_lower), std::move(value));
  }

 private:
  std::vector<std::pair<std::string, std::string>> params_;
};

// The part of a request target after the first '?', or "" when there is none.
std::string_view QueryOf(std::string_view target);
// The path of a request target (before '?'), without percent-decoding.
std::string_view PathOf(std::string_view target);

// Percent-decodes `in` ('+' is a space). InvalidArgument on a truncated or non-hex escape.
absl::StatusOr<std::string> UrlDecode(std::string_view in);

// Parses `a=1&b=x%20y&c`. Keys are lower-cased. InvalidArgument on bad escapes, too many
// parameters or too much text. Empty segments (`a=1&&b=2`) are skipped.
absl::StatusOr<QueryParams> ParseQuery(std::string_view query);

// Parameters of /launch and /resume. See protocol doc §4.1 for each field.
struct LaunchParams {
  int app_id = 0;  // required for launch (> 0); 0 for resume when absent
  int width = 0;   // from mode=WxHxFPS; informational (RTSP ANNOUNCE carries the real values)
  int height = 0;
  int fps = 0;
  std::array<uint8_t, 16> rikey{};  // AES-128 key for the whole session
  uint32_t rikeyid = 0;             // low 32 bits of the signed decimal key id
  bool sops = false;
  bool local_audio = false;                // localAudioPlayMode
  uint32_t surround_audio_info = 0x30002;  // (channelMask << 16) | channelCount; stereo default
  int audio_channels = 2;
  uint32_t audio_channel_mask = 0x3;
  uint32_t gamepad_mask = 0;  // remoteControllersBitmap (or gcmap)
  bool gamepad_persist = false;
  bool hdr = false;  // hdrMode=1
  int corever = 0;   // >= 1: client supports encrypted RTSP
};

// Validates and converts. `for_resume` relaxes appid (and mode) to optional.
// InvalidArgument naming the offending parameter on any missing/malformed value.
absl::StatusOr<LaunchParams> ParseLaunchParams(const QueryParams& q, bool for_resume);

// Parses "WxHxFPS" (decimal; W,H in 1..16384, FPS in 0..1000).
absl::StatusOr<std::array<int, 3>> ParseMode(std::string_view mode);

// Strict decimal integer in [lo, hi]; optional leading '-'.
absl::StatusOr<int64_t> ParseInt(std::string_view s, int64_t lo, int64_t hi);

}  // namespace lumen::moonlight::http

#endif  // LUMEN_HOST_MOONLIGHT_HTTP_REQUEST_H_
