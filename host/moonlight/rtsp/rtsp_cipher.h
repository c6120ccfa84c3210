// Encrypted RTSP framing ("rtspenc://", protocol doc §5.2): every message on the TCP
// stream is BE32 (0x80000000 | N), BE32 sequence, 16-byte GCM tag, N bytes of
// AES-128-GCM ciphertext of the whole plaintext RTSP message. Key = launch rikey,
// 12-byte IV = LE32 seq, 6 zero bytes, direction letter ('C' client->host,
// 'H' host->client), 'R'. No AAD.
#ifndef LUMEN_HOST_MOONLIGHT_RTSP_RTSP_CIPHER_H_
#define LUMEN_HOST_MOONLIGHT_RTSP_RTSP_CIPHER_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lumen::moonlight::rtsp {

inline constexpr size_t kEncryptedHeaderBytes = 24;
inline constexpr uint32_t kEncryptedFlag = 0x80000000u;
inline constexpr size_t kMaxEncryptedPayload = 64 * 1024;

using AesKey = std::array<uint8_t, 16>;

enum class UnsealStatus : uint8_t {
  kOk,
  kIncomplete,    // fewer bytes than the frame header says
  kNotEncrypted,  // top bit of the first word clear (plaintext on an encrypted session)
  kTooLarge,      // N above kMaxEncryptedPayload
  kBadTag,        // authentication failed
};

// Encrypts `plaintext` into one framed message. `direction` is 'C' or 'H'.
std::string SealRtspMessage(const AesKey& key, uint32_t seq, char direction,
                            std::string_view plaintext);

// Decrypts the framed message at the start of `data`. On kOk sets `*plaintext`,
// `*seq` and `*consumed`. Never reads past `data`.
UnsealStatus UnsealRtspMessage(const AesKey& key, char direction, std::string_view data,
                               std::string* plaintext, uint32_t* seq, size_t* consumed);

// True if `data` starts with an encrypted frame header (top bit set). Needs >= 1 byte.
inline bool LooksEncrypted(std::string_view data) {
  return !data.empty() && (static_cast<uint8_t>(data[0]) & 0x80) != 0;
}

}  // namespace lumen::moonlight::rtsp

#endif  // LUMEN_HOST_MOONLIGHT_RTSP_RTSP_CIPHER_H_
