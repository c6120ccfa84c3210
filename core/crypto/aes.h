// core/crypto/aes.h — small OpenSSL wrappers for the AES-128 modes Moonlight uses.
//
//   AES-128-GCM  control stream (12- or 16-byte IV), video encryption, RTSP; 16-byte tag, no AAD
//   AES-128-CBC  audio payloads, PKCS#7 padding
//   AES-128-ECB  pairing challenges, no padding
//
// Pure computation over caller buffers: no I/O, no global state. Each object owns one
// pre-allocated OpenSSL cipher context with the key schedule already expanded, so per-packet
// calls neither allocate nor re-expand the key. Objects are not thread-safe; use one per thread.
// Methods return false on any failure (bad lengths, authentication failure, bad padding) and never
// throw. In-place operation (out == in) is supported for GCM and CBC encrypt/decrypt.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace lumen::crypto {

inline constexpr size_t kAesKeySize = 16;
inline constexpr size_t kAesBlockSize = 16;
inline constexpr size_t kGcmTagSize = 16;

using AesKey = std::array<uint8_t, kAesKeySize>;

// AES-128-GCM with a 16-byte tag and no additional data.
class AesGcm128 {
 public:
  AesGcm128();
  ~AesGcm128();
  AesGcm128(const AesGcm128&) = delete;
  AesGcm128& operator=(const AesGcm128&) = delete;

  // Expands `key`. Must be called (and succeed) before Seal/Open. Allocation-free after the
  // constructor. Returns false if OpenSSL failed to allocate the contexts.
  bool SetKey(std::span<const uint8_t, kAesKeySize> key) noexcept;
  bool has_key() const noexcept { return has_key_; }

  // Encrypts `in` into `out` (out.size() >= in.size(); may alias in) and writes the tag.
  // iv: 1..16 bytes (Moonlight uses 12, and 16 for the legacy control IV).
  bool Seal(std::span<const uint8_t> iv, std::span<const uint8_t> in, uint8_t* out,
            uint8_t tag[kGcmTagSize]) noexcept;

  // Decrypts and authenticates. Returns false (and the contents of out are unspecified) when the
  // tag does not match.
  bool Open(std::span<const uint8_t> iv, std::span<const uint8_t> in,
            const uint8_t tag[kGcmTagSize], uint8_t* out) noexcept;

 private:
  EVP_CIPHER_CTX* enc_ = nullptr;
  EVP_CIPHER_CTX* dec_ = nullptr;
  size_t enc_iv_len_ = 0;
  size_t dec_iv_len_ = 0;
  bool has_key_ = false;
};

// AES-128-CBC with PKCS#7 padding (Moonlight audio, §8.6).
class AesCbc128 {
 public:
  AesCbc128();
  ~AesCbc128();
  AesCbc128(const AesCbc128&) = delete;
  AesCbc128& operator=(const AesCbc128&) = delete;

  bool SetKey(std::span<const uint8_t, kAesKeySize> key) noexcept;
  bool has_key() const noexcept { return has_key_; }

  // Ciphertext size for a plaintext of n bytes: 16 * floor(n / 16) + 16.
  static constexpr size_t PaddedSize(size_t n) noexcept {
    return (n / kAesBlockSize) * kAesBlockSize + kAesBlockSize;
  }

  // Encrypts with PKCS#7 padding. out must hold PaddedSize(in.size()) bytes. Returns the
  // ciphertext size, or 0 on failure.
  size_t Encrypt(std::span<const uint8_t, kAesBlockSize> iv, std::span<const uint8_t> in,
                 uint8_t* out) noexcept;

  // Decrypts and strips PKCS#7 padding. in.size() must be a non-zero multiple of 16; out must
  // hold in.size() bytes. Returns the plaintext size, or -1 on bad length or bad padding.
  long Decrypt(std::span<const uint8_t, kAesBlockSize> iv, std::span<const uint8_t> in,
               uint8_t* out) noexcept;

 private:
  EVP_CIPHER_CTX* enc_ = nullptr;
  EVP_CIPHER_CTX* dec_ = nullptr;
  bool has_key_ = false;
};

// AES-128-ECB without padding (pairing, §3.2). Lengths must be multiples of 16.
class AesEcb128 {
 public:
  AesEcb128();
  ~AesEcb128();
  AesEcb128(const AesEcb128&) = delete;
  AesEcb128& operator=(const AesEcb128&) = delete;

  bool SetKey(std::span<const uint8_t, kAesKeySize> key) noexcept;
  bool Encrypt(std::span<const uint8_t> in, uint8_t* out) noexcept;
  bool Decrypt(std::span<const uint8_t> in, uint8_t* out) noexcept;

 private:
  EVP_CIPHER_CTX* enc_ = nullptr;
  EVP_CIPHER_CTX* dec_ = nullptr;
  bool has_key_ = false;
};

// One-shot helpers for control paths (they allocate a context per call).
bool AesGcmSeal(std::span<const uint8_t, kAesKeySize> key, std::span<const uint8_t> iv,
                std::span<const uint8_t> in, uint8_t* out, uint8_t tag[kGcmTagSize]);
bool AesGcmOpen(std::span<const uint8_t, kAesKeySize> key, std::span<const uint8_t> iv,
                std::span<const uint8_t> in, const uint8_t tag[kGcmTagSize], uint8_t* out);
bool AesEcbEncrypt(std::span<const uint8_t, kAesKeySize> key, std::span<const uint8_t> in,
                   uint8_t* out);
bool AesEcbDecrypt(std::span<const uint8_t, kAesKeySize> key, std::span<const uint8_t> in,
                   uint8_t* out);

}  // namespace lumen::crypto
