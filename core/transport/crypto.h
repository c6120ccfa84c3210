// core/transport/crypto.h — lumen transport crypto: AEAD per datagram, key derivation,
// and the anti-replay window.
//
// AEAD choice (docs/lumen-transport.md "Crypto"): AES-256-GCM (libsodium
// crypto_aead_aes256gcm_*, only where crypto_aead_aes256gcm_is_available(), i.e. AES-NI +
// PCLMUL) is preferred; XChaCha20-Poly1305-IETF is the portable fallback. Both peers list
// what they can do in the negotiation and the client picks (AES-GCM only if both can).
//
// Keys: from the 16-byte Moonlight launch secret (`rikey`) and the two 16-byte nonces
// exchanged in the negotiation, a 32-byte session root is computed with keyed BLAKE2b
// (crypto_generichash, key = rikey) over "lumen-transport/v1" | host nonce | client nonce |
// BE32 session id; then crypto_kdf_derive_from_key (context "lumentrn") gives one 32-byte
// key per direction (subkey id 1 = host->client, 2 = client->host).
//
// Nonce: the 64-bit packet number of the header, big-endian, right-aligned in the AEAD's
// nonce (12 bytes for AES-GCM, 24 for XChaCha), the rest zero. Each key is used by one
// sender only, and packet numbers never repeat, so nonces never repeat.
//
// AAD: the whole packet header (16 or 32 bytes). Ciphertext: the payload. Tag: 16 bytes
// after the payload.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace lumen::transport {

enum class Aead : uint8_t {
  kAes256Gcm = 1,
  kXChaCha20Poly1305 = 2,
};

inline constexpr size_t kLaunchSecretBytes = 16;  // Moonlight rikey
inline constexpr size_t kNegotiationNonceBytes = 16;
inline constexpr size_t kKeyBytes = 32;

using Key = std::array<uint8_t, kKeyBytes>;

// Initialises libsodium (idempotent). Returns an error if libsodium cannot start.
absl::Status EnsureSodium();

// True when this CPU can run libsodium's AES-256-GCM (AES-NI + PCLMUL).
bool AesGcmAvailable();

// Name for docs/logs and the negotiation attribute ("aes256gcm", "xchacha20poly1305").
const char* AeadName(Aead a) noexcept;

struct DirectionalKeys {
  Key host_to_client{};
  Key client_to_host{};
};

// Derives the per-direction keys (see the file comment). Deterministic: the same inputs
// always give the same keys; the two directions' keys differ. Errors on wrong sizes.
absl::StatusOr<DirectionalKeys> DeriveKeys(absl::Span<const uint8_t> launch_secret,
                                           absl::Span<const uint8_t> host_nonce,
                                           absl::Span<const uint8_t> client_nonce,
                                           uint32_t session_id);

// One direction's AEAD state. Init() (control path) precomputes the AES key schedule;
// Seal/Open (per packet) do not allocate and never throw.
class AeadContext {
 public:
  AeadContext() = default;
  AeadContext(const AeadContext&) = delete;
  AeadContext& operator=(const AeadContext&) = delete;
  ~AeadContext();

  // Fails with FailedPrecondition when kAes256Gcm is asked for on a CPU without AES-NI.
  absl::Status Init(Aead aead, const Key& key);
  bool initialized() const { return initialized_; }
  Aead aead() const { return aead_; }

  // Encrypts in[0..len) to out[0..len) (out may equal in) and writes the 16-byte tag to
  // tag. aad is authenticated. Returns false only when not initialised.
  bool Seal(uint64_t packet_number, const uint8_t* aad, size_t aad_len, const uint8_t* in,
            size_t len, uint8_t* out, uint8_t* tag) const noexcept;

  // Verifies and decrypts; out may equal in. Returns false (out contents unspecified) when
  // the tag does not verify.
  bool Open(uint64_t packet_number, const uint8_t* aad, size_t aad_len, const uint8_t* in,
            size_t len, const uint8_t* tag, uint8_t* out) const noexcept;

 private:
  crypto_aead_aes256gcm_state aes_{};  // used for kAes256Gcm
  Key key_{};                          // used for kXChaCha20Poly1305
  Aead aead_ = Aead::kXChaCha20Poly1305;
  bool initialized_ = false;
};

// Sliding anti-replay window over 64-bit packet numbers (RFC 6479 style bitmap). 4096
// packets wide: one 4 MiB frame is ~3700 datagrams, and reordering inside a burst of that
// size must not look like a replay.
// Accepts each packet number at most once; rejects numbers more than kWindow behind the
// highest accepted one. Check() is called before decryption (cheap reject), Mark() only
// after the tag verified, so forged packets cannot move the window.
class ReplayWindow {
 public:
  static constexpr uint64_t kWindow = 4096;

  // True if pn would be accepted now.
  bool Check(uint64_t pn) const noexcept;
  // Records pn as seen (call after Check() returned true and the packet authenticated).
  void Mark(uint64_t pn) noexcept;
  uint64_t highest() const noexcept { return highest_; }
  void Reset() noexcept;

 private:
  static constexpr size_t kWords = kWindow / 64;
  uint64_t bits_[kWords] = {};
  uint64_t highest_ = 0;
  bool any_ = false;
};

}  // namespace lumen::transport
