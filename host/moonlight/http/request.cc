#include "host/moonlight/http/request.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace lumen::moonlight::http {
namespace {

int HexNibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

absl::Status Bad(std::string_view param, std::string_view why) {
  return absl::InvalidArgumentError(
      absl::StrCat("bad parameter '", std::string(param), "': ", std::string(why)));
}

absl::StatusOr<bool> ParseBool01(const QueryParams& q, std::string_view name, bool dflt) {
  auto v = q.Get(name);
  if (!v) return dflt;
  auto n = ParseInt(*v, 0, 1);
  if (!n.ok()) return Bad(name, "must be 0 or 1");
  return *n == 1;
}

}  // namespace

std::optional<std::string_view> QueryParams::Get(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

std::string_view QueryOf(std::string_view target) {
  size_t q = target.find('?');
  return q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
}

std::string_view PathOf(std::string_view target) { return target.substr(0, target.find('?')); }

absl::StatusOr<std::string> UrlDecode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      if (i + 2 >= in.size()) return absl::InvalidArgumentError("truncated %-escape");
      int hi = HexNibble(in[i + 1]);
      int lo = HexNibble(in[i + 2]);
      if (hi < 0 || lo < 0) return absl::InvalidArgumentError("bad %-escape");
      out.push_back(static_cast<char>((hi << 4) | lo));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

absl::StatusOr<QueryParams> ParseQuery(std::string_view query) {
  if (query.size() > kMaxQueryBytes) return absl::InvalidArgumentError("query too long");
  QueryParams out;
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view seg = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (seg.empty()) continue;
    if (out.size() >= kMaxParams) return absl::InvalidArgumentError("too many parameters");
    size_t eq = seg.find('=');
    std::string_view raw_key = seg.substr(0, eq);
    std::string_view raw_val =
        eq == std::string_view::npos ? std::string_view() : seg.substr(eq + 1);
    auto key = UrlDecode(raw_key);
    if (!key.ok()) return key.status();
    auto val = UrlDecode(raw_val);
    if (!val.ok()) return val.status();
    if (key->empty()) continue;
    out.Add(absl::AsciiStrToLower(*key), std::move(*val));
  }
  return out;
}

absl::StatusOr<int64_t> ParseInt(std::string_view s, int64_t lo, int64_t hi) {
  if (s.empty() || s.size() > 20) return absl::InvalidArgumentError("not an integer");
  bool neg = false;
  size_t i = 0;
  if (s[0] == '-') {
    neg = true;
    i = 1;
    if (s.size() == 1) return absl::InvalidArgumentError("not an integer");
  }
  // Accumulate as a negative number so INT64_MIN parses; 19 digits max avoids overflow.
  if (s.size() - i > 19) return absl::InvalidArgumentError("integer too long");
  __int128 v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return absl::InvalidArgumentError("not an integer");
    v = v * 10 + (s[i] - '0');
  }
  if (neg) v = -v;
  if (v < lo || v > hi) return absl::OutOfRangeError("integer out of range");
  return static_cast<int64_t>(v);
}

absl::StatusOr<std::array<int, 3>> ParseMode(std::string_view mode) {
  std::array<int, 3> out{};
  const int64_t lo[3] = {1, 1, 0};
  const int64_t hi[3] = {16384, 16384, 1000};
  for (int k = 0; k < 3; ++k) {
    size_t x = k < 2 ? mode.find('x') : mode.size();
    if (x == std::string_view::npos) return absl::InvalidArgumentError("mode must be WxHxFPS");
    auto v = ParseInt(mode.substr(0, x), lo[k], hi[k]);
    if (!v.ok() || mode.substr(0, x).front() == '-') {
      return absl::InvalidArgumentError("mode must be WxHxFPS");
    }
    out[k] = static_cast<int>(*v);
    mode = x < mode.size() ? mode.substr(x + 1) : std::string_view();
  }
  return out;
}

absl::StatusOr<LaunchParams> ParseLaunchParams(const QueryParams& q, bool for_resume) {
  LaunchParams p;
  if (auto v = q.Get("appid")) {
    auto id = ParseInt(*v, 1, INT32_MAX);
    if (!id.ok()) return Bad("appid", "must be a positive integer");
    p.app_id = static_cast<int>(*id);
  } else if (!for_resume) {
    return Bad("appid", "missing");
  }
  if (auto v = q.Get("mode")) {
    auto m = ParseMode(*v);
    if (!m.ok()) return Bad("mode", std::string(m.status().message()));
    p.width = (*m)[0];
    p.height = (*m)[1];
    p.fps = (*m)[2];
  } else if (!for_resume) {
    return Bad("mode", "missing");
  }
  auto rikey = q.Get("rikey");
  if (!rikey) return Bad("rikey", "missing");
  if (rikey->size() != 32) return Bad("rikey", "must be 32 hex digits");
  for (size_t i = 0; i < 16; ++i) {
    int hi = HexNibble((*rikey)[2 * i]);
    int lo = HexNibble((*rikey)[2 * i + 1]);
    if (hi < 0 || lo < 0) return Bad("rikey", "must be 32 hex digits");
    p.rikey[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  auto rikeyid = q.Get("rikeyid");
  if (!rikeyid) return Bad("rikeyid", "missing");
  auto kid = ParseInt(*rikeyid, INT64_MIN + 1, INT64_MAX);
  if (!kid.ok()) return Bad("rikeyid", "must be a decimal integer");
  p.rikeyid = static_cast<uint32_t>(static_cast<uint64_t>(*kid) & 0xFFFFFFFFu);

  auto b = ParseBool01(q, "sops", false);
  if (!b.ok()) return b.status();
  p.sops = *b;
  b = ParseBool01(q, "localaudioplaymode", false);
  if (!b.ok()) return b.status();
  p.local_audio = *b;
  b = ParseBool01(q, "gcpersist", false);
  if (!b.ok()) return b.status();
  p.gamepad_persist = *b;
  b = ParseBool01(q, "hdrmode", false);
  if (!b.ok()) return b.status();
  p.hdr = *b;

  if (auto v = q.Get("surroundaudioinfo")) {
    auto s = ParseInt(*v, 0, UINT32_MAX);
    if (!s.ok()) return Bad("surroundAudioInfo", "must be a 32-bit unsigned integer");
    uint32_t info = static_cast<uint32_t>(*s);
    int channels = static_cast<int>(info & 0xFFFF);
    if (channels != 2 && channels != 6 && channels != 8) {
      return Bad("surroundAudioInfo", "channel count must be 2, 6 or 8");
    }
    p.surround_audio_info = info;
    p.audio_channels = channels;
    p.audio_channel_mask = info >> 16;
  }
  for (const char* name : {"remotecontrollersbitmap", "gcmap"}) {
    if (auto v = q.Get(name)) {
      auto m = ParseInt(*v, 0, 0xFFFF);
      if (!m.ok()) return Bad(name, "must be a 16-bit bitmask");
      p.gamepad_mask = static_cast<uint32_t>(*m);
      break;
    }
  }
  if (auto v = q.Get("corever")) {
    auto c = ParseInt(*v, 0, 1000);
    if (!c.ok()) return Bad("corever", "must be a small non-negative integer");
    p.corever = static_cast<int>(*c);
  }
  return p;
}

}  // namespace lumen::moonlight::http
