// core/transport/crypto.cc — libsodium AEAD, KDF and replay window (see crypto.h).
#include "core/transport/crypto.h"

#include <cstring>

#include "core/transport/wire.h"

namespace lumen::transport {
namespace {

constexpr char kRootLabel[] = "lumen-transport/v1";
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES] = {'l', 'u', 'm', 'e', 'n', 't', 'r', 'n'};
constexpr uint64_t kSubkeyHostToClient = 1;
constexpr uint64_t kSubkeyClientToHost = 2;

static_assert(kTagBytes == crypto_aead_aes256gcm_ABYTES);
static_assert(kTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kKeyBytes == crypto_aead_aes256gcm_KEYBYTES);
static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kKeyBytes == crypto_kdf_KEYBYTES);
static_assert(kLaunchSecretBytes >= crypto_generichash_KEYBYTES_MIN);

}  // namespace

absl::Status EnsureSodium() {
  static const int rc = sodium_init();  // 0 = initialised now, 1 = already
  if (rc < 0) return absl::InternalError("sodium_init failed");
  return absl::OkStatus();
}

bool AesGcmAvailable() {
  if (!EnsureSodium().ok()) return false;
  return crypto_aead_aes256gcm_is_available() == 1;
}

const char* AeadName(Aead a) noexcept {
  switch (a) {
    case Aead::kAes256Gcm:
      return "aes256gcm";
    case Aead::kXChaCha20Poly1305:
      return "xchacha20poly1305";
  }
  return "?";
}

absl::StatusOr<DirectionalKeys> DeriveKeys(absl::Span<const uint8_t> launch_secret,
                                           absl::Span<const uint8_t> host_nonce,
                                           absl::Span<const uint8_t> client_nonce,
                                           uint32_t session_id) {
  if (launch_secret.size() != kLaunchSecretBytes) {
    return absl::InvalidArgumentError("launch secret must be 16 bytes");
  }
  if (host_nonce.size() != kNegotiationNonceBytes ||
      client_nonce.size() != kNegotiationNonceBytes) {
    return absl::InvalidArgumentError("negotiation nonces must be 16 bytes each");
  }
  if (absl::Status s = EnsureSodium(); !s.ok()) return s;

  uint8_t root[crypto_kdf_KEYBYTES];
  crypto_generichash_state st;
  crypto_generichash_init(&st, launch_secret.data(), launch_secret.size(), sizeof(root));
  crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>(kRootLabel),
                            sizeof(kRootLabel) - 1);
  crypto_generichash_update(&st, host_nonce.data(), host_nonce.size());
  crypto_generichash_update(&st, client_nonce.data(), client_nonce.size());
  uint8_t sid[4];
  PutBe32(sid, session_id);
  crypto_generichash_update(&st, sid, sizeof(sid));
  crypto_generichash_final(&st, root, sizeof(root));

  DirectionalKeys keys;
  crypto_kdf_derive_from_key(keys.host_to_client.data(), kKeyBytes, kSubkeyHostToClient,
                             kKdfContext, root);
  crypto_kdf_derive_from_key(keys.client_to_host.data(), kKeyBytes, kSubkeyClientToHost,
                             kKdfContext, root);
  sodium_memzero(root, sizeof(root));
  return keys;
}

AeadContext::~AeadContext() {
  sodium_memzero(&aes_, sizeof(aes_));
  sodium_memzero(key_.data(), key_.size());
}

absl::Status AeadContext::Init(Aead aead, const Key& key) {
  if (absl::Status s = EnsureSodium(); !s.ok()) return s;
  initialized_ = false;
  aead_ = aead;
  switch (aead) {
    case Aead::kAes256Gcm:
      if (crypto_aead_aes256gcm_is_available() != 1) {
        return absl::FailedPreconditionError("AES-256-GCM needs AES-NI and PCLMUL");
      }
      crypto_aead_aes256gcm_beforenm(&aes_, key.data());
      break;
    case Aead::kXChaCha20Poly1305:
      key_ = key;
      break;
    default:
      return absl::InvalidArgumentError("unknown AEAD");
  }
  initialized_ = true;
  return absl::OkStatus();
}

bool AeadContext::Seal(uint64_t pn, const uint8_t* aad, size_t aad_len, const uint8_t* in,
                       size_t len, uint8_t* out, uint8_t* tag) const noexcept {
  if (!initialized_) return false;
  if (aead_ == Aead::kAes256Gcm) {
    uint8_t nonce[crypto_aead_aes256gcm_NPUBBYTES] = {};
    PutBe64(nonce + sizeof(nonce) - 8, pn);
    return crypto_aead_aes256gcm_encrypt_detached_afternm(out, tag, nullptr, in, len, aad, aad_len,
                                                          nullptr, nonce, &aes_) == 0;
  }
  uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES] = {};
  PutBe64(nonce + sizeof(nonce) - 8, pn);
  return crypto_aead_xchacha20poly1305_ietf_encrypt_detached(
             out, tag, nullptr, in, len, aad, aad_len, nullptr, nonce, key_.data()) == 0;
}

bool AeadContext::Open(uint64_t pn, const uint8_t* aad, size_t aad_len, const uint8_t* in,
                       size_t len, const uint8_t* tag, uint8_t* out) const noexcept {
  if (!initialized_) return false;
  if (aead_ == Aead::kAes256Gcm) {
    uint8_t nonce[crypto_aead_aes256gcm_NPUBBYTES] = {};
    PutBe64(nonce + sizeof(nonce) - 8, pn);
    return crypto_aead_aes256gcm_decrypt_detached_afternm(out, nullptr, in, len, tag, aad, aad_len,
                                                          nonce, &aes_) == 0;
  }
  uint8_t nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES] = {};
  PutBe64(nonce + sizeof(nonce) - 8, pn);
  return crypto_aead_xchacha20poly1305_ietf_decrypt_detached(out, nullptr, in, len, tag, aad,
                                                             aad_len, nonce, key_.data()) == 0;
}

bool ReplayWindow::Check(uint64_t pn) const noexcept {
  if (!any_ || pn > highest_) return true;
  if (highest_ - pn >= kWindow) return false;
  const uint64_t bit = pn % kWindow;
  return ((bits_[bit / 64] >> (bit % 64)) & 1) == 0;
}

void ReplayWindow::Mark(uint64_t pn) noexcept {
  if (!any_) {
    any_ = true;
    highest_ = pn;
    std::memset(bits_, 0, sizeof(bits_));
  } else if (pn > highest_) {
    const uint64_t advance = pn - highest_;
    if (advance >= kWindow) {
      std::memset(bits_, 0, sizeof(bits_));
    } else {
      // Clear the bits of the numbers that slide into the window (highest+1 .. pn).
      for (uint64_t v = highest_ + 1; v <= pn; ++v) {
        const uint64_t b = v % kWindow;
        if (b % 64 == 0 && v + 63 <= pn) {  // whole word at once
          bits_[b / 64] = 0;
          v += 63;
          continue;
        }
        bits_[b / 64] &= ~(uint64_t{1} << (b % 64));
      }
    }
    highest_ = pn;
  } else if (highest_ - pn >= kWindow) {
    return;
  }
  const uint64_t bit = pn % kWindow;
  bits_[bit / 64] |= uint64_t{1} << (bit % 64);
}

void ReplayWindow::Reset() noexcept {
  std::memset(bits_, 0, sizeof(bits_));
  highest_ = 0;
  any_ = false;
}

}  // namespace lumen::transport
