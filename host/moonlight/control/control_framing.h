// Moonlight control-stream message framing (protocol doc §6.2-§6.4), shared by the host
// control server and the test client.
//
// Encrypted (useReliableUdp = 13) packet, both directions:
//   LE16 0x0001 | LE16 length (= 4 + 16 + 4 + N) | LE32 seq | tag[16] |
//   AES-128-GCM ciphertext of { LE16 innerType, LE16 N, payload[N] }
// IV: V2 = LE32 seq, 6 zero bytes, direction ('C' client->host, 'H' host->client), 'C';
// legacy = 16 bytes { seq & 0xff, 0 x 15 }.
// Unencrypted (old clients): LE16 type | payload.
//
// Decoding is bounded and never trusts the length fields: anything malformed is reported
// with a ControlError and must be dropped and counted by the caller.
#ifndef LUMEN_HOST_MOONLIGHT_CONTROL_CONTROL_FRAMING_H_
#define LUMEN_HOST_MOONLIGHT_CONTROL_CONTROL_FRAMING_H_

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/crypto/aes.h"

namespace lumen::moonlight::control {

// Message types (inner type after decryption).
inline constexpr uint16_t kTypeEncrypted = 0x0001;
inline constexpr uint16_t kTypePeriodicPing = 0x0200;
inline constexpr uint16_t kTypeLossStats = 0x0201;
inline constexpr uint16_t kTypeFrameStats = 0x0204;
inline constexpr uint16_t kTypeInput = 0x0206;
inline constexpr uint16_t kTypeInvalidateRefFrames = 0x0301;
inline constexpr uint16_t kTypeRequestIdr = 0x0302;  // also "Start A" at 7.1.431
inline constexpr uint16_t kTypeStartALegacy = 0x0305;
inline constexpr uint16_t kTypeStartB = 0x0307;
inline constexpr uint16_t kTypeLtrAck = 0x0350;
inline constexpr uint16_t kTypeFecStatus = 0x5502;  // client->host meaning
// Host -> client.
inline constexpr uint16_t kTypeTermination = 0x0109;
inline constexpr uint16_t kTypeRumble = 0x010b;
inline constexpr uint16_t kTypeHdrMode = 0x010e;
inline constexpr uint16_t kTypeTriggerRumble = 0x5500;
inline constexpr uint16_t kTypeMotionEventState = 0x5501;
inline constexpr uint16_t kTypeRgbLed = 0x5502;  // host->client meaning

inline constexpr uint32_t kTerminationGraceful = 0x80030023u;

inline constexpr size_t kEncryptedOverhead = 4 + 4 + 16 + 4;  // wrapper + seq + tag + inner hdr
inline constexpr size_t kMaxControlPayload = 4096;

enum class ControlError : uint8_t {
  kOk = 0,
  kTruncated,      // shorter than a header
  kNotEncrypted,   // outer type != 0x0001 on an encrypted stream
  kBadLength,      // outer or inner length disagrees with the packet size
  kTooLarge,       // payload above kMaxControlPayload
  kDecryptFailed,  // GCM tag mismatch
  kNestedWrapper,  // inner type 0x0001
  kCount
};

const char* ControlErrorName(ControlError e);

struct ControlMessage {
  uint16_t type = 0;
  std::vector<uint8_t> payload;
};

// One direction-aware codec per peer. Not thread-safe.
class ControlCodec {
 public:
  // `encrypted`: useReliableUdp == 13. `v2`: SS_ENC_CONTROL_V2 negotiated.
  // `is_host`: true on the host (seals with 'H', opens with 'C').
  ControlCodec(bool encrypted, bool v2, bool is_host, const std::array<uint8_t, 16>& key);

  // Builds the wire packet for one message; advances the send sequence.
  std::vector<uint8_t> Seal(uint16_t type, std::span<const uint8_t> payload);

  // Decodes one received packet into `*out`.
  ControlError Open(std::span<const uint8_t> packet, ControlMessage* out);

  bool encrypted() const { return encrypted_; }

 private:
  void MakeIv(uint32_t seq, char dir, uint8_t* iv, size_t* iv_len) const;

  bool encrypted_;
  bool v2_;
  bool is_host_;
  uint32_t send_seq_ = 0;
  crypto::AesGcm128 gcm_;
};

}  // namespace lumen::moonlight::control

#endif  // LUMEN_HOST_MOONLIGHT_CONTROL_CONTROL_FRAMING_H_
