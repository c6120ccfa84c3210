// A per-peer control-stream codec for the host server and the test client: owns the
// buffers and wraps core/moonlight/control.h (ControlCipher for the encrypted framing of
// useReliableUdp = 13, EncodeV1/DecodeV1 for old clients) so the socket code deals in
// whole messages. Protocol doc §6.2-§6.4.
#ifndef LUMEN_HOST_MOONLIGHT_CONTROL_CONTROL_FRAMING_H_
#define LUMEN_HOST_MOONLIGHT_CONTROL_CONTROL_FRAMING_H_

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/moonlight/control.h"

namespace lumen::moonlight::control {

// Largest payload this codec accepts from a peer (input packets are < 64 bytes; the
// biggest host message is 27 bytes). Larger packets are rejected as kBadLength.
inline constexpr size_t kMaxControlPayload = 4096;

const char* ControlErrorName(ControlError e);

struct ControlMessage {
  uint16_t type = 0;
  std::vector<uint8_t> payload;
};

// Not thread-safe; one per peer.
class ControlCodec {
 public:
  // `encrypted`: useReliableUdp == 13. `v2`: SS_ENC_CONTROL_V2 negotiated.
  // `is_host`: true on the host (seals as host->client, opens client->host).
  ControlCodec(bool encrypted, bool v2, bool is_host, const std::array<uint8_t, 16>& key);

  // The wire packet for one message (advances the send sequence when encrypted).
  // Empty if the payload is too large.
  std::vector<uint8_t> Seal(uint16_t type, std::span<const uint8_t> payload);

  // Decodes one received packet into `*out`; anything malformed returns an error and
  // leaves `*out` unspecified.
  ControlError Open(std::span<const uint8_t> packet, ControlMessage* out);

  bool encrypted() const { return encrypted_; }

 private:
  bool encrypted_;
  ControlCipher cipher_;
  std::array<uint8_t, kMaxControlPayload + kInnerHeaderSize> plain_{};
};

}  // namespace lumen::moonlight::control

#endif  // LUMEN_HOST_MOONLIGHT_CONTROL_CONTROL_FRAMING_H_
