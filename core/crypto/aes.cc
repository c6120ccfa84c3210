// core/crypto/aes.cc — OpenSSL EVP implementation of the AES-128 wrappers in aes.h.
#include "core/crypto/aes.h"

#include <openssl/evp.h>

#include <climits>

namespace lumen::crypto {
namespace {

bool InitCtx(EVP_CIPHER_CTX* ctx, const EVP_CIPHER* cipher, const uint8_t* key, bool enc,
             bool padding) {
  if (ctx == nullptr) return false;
  if (EVP_CipherInit_ex(ctx, cipher, nullptr, key, nullptr, enc ? 1 : 0) != 1) return false;
  return EVP_CIPHER_CTX_set_padding(ctx, padding ? 1 : 0) == 1;
}

bool FitsInt(size_t n) { return n <= static_cast<size_t>(INT_MAX); }

}  // namespace

// ---- GCM -----------------------------------------------------------------------------------

AesGcm128::AesGcm128() : enc_(EVP_CIPHER_CTX_new()), dec_(EVP_CIPHER_CTX_new()) {}

AesGcm128::~AesGcm128() {
  EVP_CIPHER_CTX_free(enc_);
  EVP_CIPHER_CTX_free(dec_);
}

bool AesGcm128::SetKey(std::span<const uint8_t, kAesKeySize> key) noexcept {
  has_key_ = false;
  if (!InitCtx(enc_, EVP_aes_128_gcm(), key.data(), true, false)) return false;
  if (!InitCtx(dec_, EVP_aes_128_gcm(), key.data(), false, false)) return false;
  enc_iv_len_ = dec_iv_len_ = 12;  // OpenSSL's default GCM IV length
  has_key_ = true;
  return true;
}

bool AesGcm128::Seal(std::span<const uint8_t> iv, std::span<const uint8_t> in, uint8_t* out,
                     uint8_t tag[kGcmTagSize]) noexcept {
  if (!has_key_ || iv.empty() || iv.size() > 16 || !FitsInt(in.size())) return false;
  if (iv.size() != enc_iv_len_) {
    if (EVP_CIPHER_CTX_ctrl(enc_, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) !=
        1) {
      return false;
    }
    enc_iv_len_ = iv.size();
  }
  // Key already expanded: only the IV is (re)set.
  if (EVP_EncryptInit_ex(enc_, nullptr, nullptr, nullptr, iv.data()) != 1) return false;
  int len = 0;
  if (!in.empty() &&
      EVP_EncryptUpdate(enc_, out, &len, in.data(), static_cast<int>(in.size())) != 1) {
    return false;
  }
  int fin = 0;
  if (EVP_EncryptFinal_ex(enc_, out + len, &fin) != 1) return false;
  return EVP_CIPHER_CTX_ctrl(enc_, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagSize), tag) == 1;
}

bool AesGcm128::Open(std::span<const uint8_t> iv, std::span<const uint8_t> in,
                     const uint8_t tag[kGcmTagSize], uint8_t* out) noexcept {
  if (!has_key_ || iv.empty() || iv.size() > 16 || !FitsInt(in.size())) return false;
  if (iv.size() != dec_iv_len_) {
    if (EVP_CIPHER_CTX_ctrl(dec_, EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(iv.size()), nullptr) !=
        1) {
      return false;
    }
    dec_iv_len_ = iv.size();
  }
  if (EVP_DecryptInit_ex(dec_, nullptr, nullptr, nullptr, iv.data()) != 1) return false;
  int len = 0;
  if (!in.empty() &&
      EVP_DecryptUpdate(dec_, out, &len, in.data(), static_cast<int>(in.size())) != 1) {
    return false;
  }
  if (EVP_CIPHER_CTX_ctrl(dec_, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagSize),
                          const_cast<uint8_t*>(tag)) != 1) {
    return false;
  }
  int fin = 0;
  return EVP_DecryptFinal_ex(dec_, out + len, &fin) == 1;
}

// ---- CBC -----------------------------------------------------------------------------------

AesCbc128::AesCbc128() : enc_(EVP_CIPHER_CTX_new()), dec_(EVP_CIPHER_CTX_new()) {}

AesCbc128::~AesCbc128() {
  EVP_CIPHER_CTX_free(enc_);
  EVP_CIPHER_CTX_free(dec_);
}

bool AesCbc128::SetKey(std::span<const uint8_t, kAesKeySize> key) noexcept {
  has_key_ = false;
  // Padding is done by hand in both directions so that bad padding is reported precisely.
  if (!InitCtx(enc_, EVP_aes_128_cbc(), key.data(), true, false)) return false;
  if (!InitCtx(dec_, EVP_aes_128_cbc(), key.data(), false, false)) return false;
  has_key_ = true;
  return true;
}

size_t AesCbc128::Encrypt(std::span<const uint8_t, kAesBlockSize> iv, std::span<const uint8_t> in,
                          uint8_t* out) noexcept {
  if (!has_key_ || !FitsInt(in.size() + kAesBlockSize)) return 0;
  if (EVP_EncryptInit_ex(enc_, nullptr, nullptr, nullptr, iv.data()) != 1) return 0;
  const size_t full = (in.size() / kAesBlockSize) * kAesBlockSize;
  const size_t rest = in.size() - full;
  int len = 0;
  if (full > 0 &&
      EVP_EncryptUpdate(enc_, out, &len, in.data(), static_cast<int>(full)) != 1) {
    return 0;
  }
  uint8_t last[kAesBlockSize];
  const uint8_t pad = static_cast<uint8_t>(kAesBlockSize - rest);
  for (size_t i = 0; i < rest; ++i) last[i] = in[full + i];
  for (size_t i = rest; i < kAesBlockSize; ++i) last[i] = pad;
  int len2 = 0;
  if (EVP_EncryptUpdate(enc_, out + len, &len2, last, static_cast<int>(kAesBlockSize)) != 1) {
    return 0;
  }
  int fin = 0;
  if (EVP_EncryptFinal_ex(enc_, out + len + len2, &fin) != 1) return 0;
  return static_cast<size_t>(len + len2 + fin);
}

long AesCbc128::Decrypt(std::span<const uint8_t, kAesBlockSize> iv, std::span<const uint8_t> in,
                        uint8_t* out) noexcept {
  if (!has_key_ || in.empty() || in.size() % kAesBlockSize != 0 || !FitsInt(in.size())) return -1;
  if (EVP_DecryptInit_ex(dec_, nullptr, nullptr, nullptr, iv.data()) != 1) return -1;
  int len = 0;
  if (EVP_DecryptUpdate(dec_, out, &len, in.data(), static_cast<int>(in.size())) != 1) return -1;
  int fin = 0;
  if (EVP_DecryptFinal_ex(dec_, out + len, &fin) != 1) return -1;
  const size_t n = static_cast<size_t>(len + fin);
  if (n != in.size()) return -1;
  const uint8_t pad = out[n - 1];
  if (pad == 0 || pad > kAesBlockSize) return -1;
  uint8_t bad = 0;
  for (size_t i = 0; i < pad; ++i) bad |= static_cast<uint8_t>(out[n - 1 - i] ^ pad);
  if (bad != 0) return -1;
  return static_cast<long>(n - pad);
}

// ---- ECB -----------------------------------------------------------------------------------

AesEcb128::AesEcb128() : enc_(EVP_CIPHER_CTX_new()), dec_(EVP_CIPHER_CTX_new()) {}

AesEcb128::~AesEcb128() {
  EVP_CIPHER_CTX_free(enc_);
  EVP_CIPHER_CTX_free(dec_);
}

bool AesEcb128::SetKey(std::span<const uint8_t, kAesKeySize> key) noexcept {
  has_key_ = false;
  if (!InitCtx(enc_, EVP_aes_128_ecb(), key.data(), true, false)) return false;
  if (!InitCtx(dec_, EVP_aes_128_ecb(), key.data(), false, false)) return false;
  has_key_ = true;
  return true;
}

bool AesEcb128::Encrypt(std::span<const uint8_t> in, uint8_t* out) noexcept {
  if (!has_key_ || in.size() % kAesBlockSize != 0 || !FitsInt(in.size())) return false;
  if (in.empty()) return true;
  if (EVP_EncryptInit_ex(enc_, nullptr, nullptr, nullptr, nullptr) != 1) return false;
  int len = 0;
  if (EVP_EncryptUpdate(enc_, out, &len, in.data(), static_cast<int>(in.size())) != 1) return false;
  int fin = 0;
  return EVP_EncryptFinal_ex(enc_, out + len, &fin) == 1 && static_cast<size_t>(len) == in.size();
}

bool AesEcb128::Decrypt(std::span<const uint8_t> in, uint8_t* out) noexcept {
  if (!has_key_ || in.size() % kAesBlockSize != 0 || !FitsInt(in.size())) return false;
  if (in.empty()) return true;
  if (EVP_DecryptInit_ex(dec_, nullptr, nullptr, nullptr, nullptr) != 1) return false;
  int len = 0;
  if (EVP_DecryptUpdate(dec_, out, &len, in.data(), static_cast<int>(in.size())) != 1) return false;
  int fin = 0;
  return EVP_DecryptFinal_ex(dec_, out + len, &fin) == 1 && static_cast<size_t>(len) == in.size();
}

// ---- One-shot helpers ----------------------------------------------------------------------

bool AesGcmSeal(std::span<const uint8_t, kAesKeySize> key, std::span<const uint8_t> iv,
                std::span<const uint8_t> in, uint8_t* out, uint8_t tag[kGcmTagSize]) {
  AesGcm128 gcm;
  return gcm.SetKey(key) && gcm.Seal(iv, in, out, tag);
}

bool AesGcmOpen(std::span<const uint8_t, kAesKeySize> key, std::span<const uint8_t> iv,
                std::span<const uint8_t> in, const uint8_t tag[kGcmTagSize], uint8_t* out) {
  AesGcm128 gcm;
  return gcm.SetKey(key) && gcm.Open(iv, in, tag, out);
}

bool AesEcbEncrypt(std::span<const uint8_t, kAesKeySize> key, std::span<const uint8_t> in,
                   uint8_t* out) {
  AesEcb128 ecb;
  return ecb.SetKey(key) && ecb.Encrypt(in, out);
}

bool AesEcbDecrypt(std::span<const uint8_t, kAesKeySize> key, std::span<const uint8_t> in,
                   uint8_t* out) {
  AesEcb128 ecb;
  return ecb.SetKey(key) && ecb.Decrypt(in, out);
}

}  // namespace lumen::crypto
