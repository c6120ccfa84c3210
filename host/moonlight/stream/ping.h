// Moonlight UDP ping recognition for the video and audio ports (protocol doc §7.1, §8.1).
// A client pings with SS_PING = 16 ASCII characters of X-SS-Ping-Payload followed by a
// BE32 counter (20 bytes), or with the 4 bytes "PING" when it has no ping payload.
#ifndef LUMEN_HOST_MOONLIGHT_STREAM_PING_H_
#define LUMEN_HOST_MOONLIGHT_STREAM_PING_H_

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace lumen::moonlight::stream {

inline constexpr size_t kSsPingSize = 20;

// True if `d` is a ping for this session. With an empty `payload` only the legacy "PING"
// is accepted (the caller then matches the source address instead).
inline bool IsSessionPing(std::span<const uint8_t> d, std::string_view payload) noexcept {
  if (!payload.empty()) {
    return payload.size() == 16 && d.size() == kSsPingSize &&
           std::memcmp(d.data(), payload.data(), 16) == 0;
  }
  return d.size() == 4 && std::memcmp(d.data(), "PING", 4) == 0;
}

// Builds an SS_PING into out[20] (client side).
inline void MakeSsPing(std::string_view payload, uint32_t count,
                       uint8_t out[kSsPingSize]) noexcept {
  std::memset(out, 0, kSsPingSize);
  std::memcpy(out, payload.data(), payload.size() < 16 ? payload.size() : 16);
  out[16] = static_cast<uint8_t>(count >> 24);
  out[17] = static_cast<uint8_t>(count >> 16);
  out[18] = static_cast<uint8_t>(count >> 8);
  out[19] = static_cast<uint8_t>(count);
}

}  // namespace lumen::moonlight::stream

#endif  // LUMEN_HOST_MOONLIGHT_STREAM_PING_H_
