// host/transport/lumen_params.h — what both ends of a lumen-framing video stream must
// agree on (docs/lumen-transport.md "Crypto"): the 16-byte launch secret, the two 16-byte
// negotiation nonces, the session id and the AEAD. From these each side derives the same
// per-direction keys with core DeriveKeys(). lumen-transport gets them as flags
// (--lumen-secret, --lumen-nonces, --lumen-session, --lumen-aead); `lumen demo` makes them
// up and hands the same values to the reference client.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/session/lumen_attr.h"
#include "core/transport/crypto.h"

namespace lumen::transport {

// Which datagram format the video stream uses.
enum class Framing : uint8_t {
  kMoonlight = 0,  // Moonlight video packets (core/moonlight), RS(GF(2^8)) FEC, AES-GCM opt.
  kLumen = 1,      // lumen transport (core/transport): one GF(2^16) block per frame + AEAD
};

inline const char* FramingName(Framing f) { return f == Framing::kLumen ? "lumen" : "moonlight"; }

struct LumenParams {
  std::array<uint8_t, kLaunchSecretBytes> secret{};
  std::array<uint8_t, kNegotiationNonceBytes> host_nonce{};
  std::array<uint8_t, kNegotiationNonceBytes> client_nonce{};
  uint32_t session_id = 1;
  Aead aead = Aead::kXChaCha20Poly1305;

  // The per-direction keys both sides derive.
  absl::StatusOr<DirectionalKeys> Keys() const {
    return DeriveKeys(secret, host_nonce, client_nonce, session_id);
  }
  std::string SecretHex() const {
    return absl::BytesToHexString(
        absl::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()));
  }
  std::string NoncesHex() const {
    return absl::StrCat(
        absl::BytesToHexString(
            absl::string_view(reinterpret_cast<const char*>(host_nonce.data()), host_nonce.size())),
        absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(client_nonce.data()),
                                                 client_nonce.size())));
  }
};

// What a Moonlight RTSP negotiation agreed on (docs/lumen-transport.md §4), as both ends
// derive it: the launch's rikey as the secret, the host's nonce and session id from the
// DESCRIBE offer, the client's nonce and AEAD from the ANNOUNCE answer.
inline LumenParams NegotiatedLumenParams(const std::array<uint8_t, kLaunchSecretBytes>& rikey,
                                         const session::LumenOffer& offer,
                                         const session::LumenAccept& accept) {
  LumenParams p;
  p.secret = rikey;
  p.host_nonce = offer.nonce;
  p.client_nonce = accept.nonce;
  p.session_id = offer.session_id;
  p.aead = accept.aead;
  return p;
}

// Parses the flag values: secret = 32 hex digits, nonces = 64 hex digits (host nonce then
// client nonce), aead = "aes256gcm" | "xchacha20poly1305" | "" (AES-GCM where this CPU
// can, else XChaCha; only safe when both ends run on the same kind of CPU).
inline absl::StatusOr<LumenParams> ParseLumenParams(const std::string& secret_hex,
                                                    const std::string& nonces_hex,
                                                    uint32_t session_id, const std::string& aead) {
  LumenParams p;
  const std::string secret = absl::HexStringToBytes(secret_hex);
  if (secret_hex.size() != 2 * kLaunchSecretBytes || secret.size() != kLaunchSecretBytes) {
    return absl::InvalidArgumentError("lumen secret must be 32 hex digits");
  }
  const std::string nonces = absl::HexStringToBytes(nonces_hex);
  if (nonces_hex.size() != 4 * kNegotiationNonceBytes ||
      nonces.size() != 2 * kNegotiationNonceBytes) {
    return absl::InvalidArgumentError("lumen nonces must be 64 hex digits (host | client)");
  }
  std::memcpy(p.secret.data(), secret.data(), kLaunchSecretBytes);
  std::memcpy(p.host_nonce.data(), nonces.data(), kNegotiationNonceBytes);
  std::memcpy(p.client_nonce.data(), nonces.data() + kNegotiationNonceBytes,
              kNegotiationNonceBytes);
  p.session_id = session_id;
  if (absl::Status s = EnsureSodium(); !s.ok()) return s;
  if (aead == "aes256gcm") {
    p.aead = Aead::kAes256Gcm;
  } else if (aead == "xchacha20poly1305") {
    p.aead = Aead::kXChaCha20Poly1305;
  } else if (aead.empty()) {
    p.aead = AesGcmAvailable() ? Aead::kAes256Gcm : Aead::kXChaCha20Poly1305;
  } else {
    return absl::InvalidArgumentError(absl::StrCat("unknown lumen AEAD '", aead, "'"));
  }
  return p;
}

}  // namespace lumen::transport
