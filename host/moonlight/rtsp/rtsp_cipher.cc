// AES-128-GCM framing for encrypted RTSP (see rtsp_cipher.h), on OpenSSL EVP.
#include "host/moonlight/rtsp/rtsp_cipher.h"

#include <openssl/evp.h>

#include <memory>

namespace lumen::moonlight::rtsp {
namespace {

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};

std::array<uint8_t, 12> MakeIv(uint32_t seq, char direction) {
  std::array<uint8_t, 12> iv{};
  iv[0] = seq & 0xff;
  iv[1] = (seq >> 8) & 0xff;
  iv[2] = (seq >> 16) & 0xff;
  iv[3] = (seq >> 24) & 0xff;
  iv[10] = static_cast<uint8_t>(direction);
  iv[11] = 'R';
  return iv;
}

void PutBe32(uint8_t* p, uint32_t v) {
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}
uint32_t GetBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

std::string SealRtspMessage(const AesKey& key, uint32_t seq, char direction,
                            std::string_view plaintext) {
  std::string out(kEncryptedHeaderBytes + plaintext.size(), '\0');
  auto* o = reinterpret_cast<uint8_t*>(out.data());
  PutBe32(o, kEncryptedFlag | static_cast<uint32_t>(plaintext.size()));
  PutBe32(o + 4, seq);
  auto iv = MakeIv(seq, direction);
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr);
  EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), iv.data());
  if (!plaintext.empty()) {
    EVP_EncryptUpdate(ctx.get(), o + kEncryptedHeaderBytes, &len,
                      reinterpret_cast<const uint8_t*>(plaintext.data()),
                      static_cast<int>(plaintext.size()));
  }
  EVP_EncryptFinal_ex(ctx.get(), o + kEncryptedHeaderBytes + len, &len);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, 16, o + 8);
  return out;
}

UnsealStatus UnsealRtspMessage(const AesKey& key, char direction, std::string_view data,
                               std::string* plaintext, uint32_t* seq, size_t* consumed) {
  if (data.empty()) return UnsealStatus::kIncomplete;
  if (!LooksEncrypted(data)) return UnsealStatus::kNotEncrypted;
  if (data.size() < 4) return UnsealStatus::kIncomplete;
  const auto* d = reinterpret_cast<const uint8_t*>(data.data());
  const uint32_t n = GetBe32(d) & ~kEncryptedFlag;
  if (n > kMaxEncryptedPayload) return UnsealStatus::kTooLarge;
  if (data.size() < kEncryptedHeaderBytes + n) return UnsealStatus::kIncomplete;
  const uint32_t s = GetBe32(d + 4);
  auto iv = MakeIv(s, direction);
  std::string out(n, '\0');
  std::unique_ptr<EVP_CIPHER_CTX, CtxFree> ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_gcm(), nullptr, nullptr, nullptr);
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, 12, nullptr);
  EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key.data(), iv.data());
  if (n > 0) {
    EVP_DecryptUpdate(ctx.get(), reinterpret_cast<uint8_t*>(out.data()), &len,
                      d + kEncryptedHeaderBytes, static_cast<int>(n));
  }
  EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, 16, const_cast<uint8_t*>(d + 8));
  if (EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<uint8_t*>(out.data()) + len, &len) <= 0) {
    return UnsealStatus::kBadTag;
  }
  *plaintext = std::move(out);
  *seq = s;
  *consumed = kEncryptedHeaderBytes + n;
  return UnsealStatus::kOk;
}

}  // namespace lumen::moonlight::rtsp
