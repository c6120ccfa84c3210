// The state a Moonlight /launch or /resume creates for one streaming session
// (protocol doc §4.3), shared by the RTSP server, the control stream and the
// video/audio senders.
#ifndef LUMEN_HOST_MOONLIGHT_RTSP_LAUNCH_SESSION_H_
#define LUMEN_HOST_MOONLIGHT_RTSP_LAUNCH_SESSION_H_

#include <array>
#include <cstdint>
#include <string>

namespace lumen::moonlight {

struct LaunchSession {
  std::array<uint8_t, 16> key{};  // rikey: AES-128 key for RTSP, control, audio, video
  uint32_t key_id = 0;            // rikeyid (low 32 bits of the signed launch value)
  bool rtsp_encrypted = false;    // host replied rtspenc:// (client corever >= 1)
  std::string ping_payload;       // 16 upper-case hex characters (X-SS-Ping-Payload)
  uint32_t connect_data = 0;      // X-SS-Connect-Data, matched against the ENet connect
  uint32_t app_id = 0;
  int surround_channels = 2;  // from surroundAudioInfo (informational; ANNOUNCE decides)
};

// Fills ping_payload and connect_data from the CSPRNG (libsodium's randombytes).
void RandomizeSessionIds(LaunchSession* s);

}  // namespace lumen::moonlight

#endif  // LUMEN_HOST_MOONLIGHT_RTSP_LAUNCH_SESSION_H_
