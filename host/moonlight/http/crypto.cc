#include "host/moonlight/http/crypto.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace lumen::moonlight::nvcrypto {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

std::string OpenSslError(std::string_view what) {
  unsigned long e = ERR_get_error();
  char buf[256] = "unknown error";
  if (e != 0) ERR_error_string_n(e, buf, sizeof(buf));
  ERR_clear_error();
  return absl::StrCat(std::string(what), ": ", buf);
}

std::string BioToString(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, n > 0 ? static_cast<size_t>(n) : 0);
}

absl::StatusOr<Bytes> AesEcb(const Bytes& key, const Bytes& data, bool encrypt) {
  if (key.size() != 16) return absl::InvalidArgumentError("AES-128 key must be 16 bytes");
  if (data.size() % 16 != 0) return absl::InvalidArgumentError("AES-ECB input not block aligned");
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return absl::ResourceExhaustedError("EVP_CIPHER_CTX_new");
  if (EVP_CipherInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, key.data(), nullptr,
                        encrypt ? 1 : 0) != 1) {
    return absl::InternalError(OpenSslError("EVP_CipherInit_ex"));
  }
  EVP_CIPHER_CTX_set_padding(ctx.get(), 0);
  Bytes out(data.size() + 16);
  int n1 = 0, n2 = 0;
  if (!data.empty() && EVP_CipherUpdate(ctx.get(), out.data(), &n1, data.data(),
                                        static_cast<int>(data.size())) != 1) {
    return absl::InternalError(OpenSslError("EVP_CipherUpdate"));
  }
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + n1, &n2) != 1) {
    return absl::InternalError(OpenSslError("EVP_CipherFinal_ex"));
  }
  out.resize(static_cast<size_t>(n1 + n2));
  return out;
}

}  // namespace

absl::StatusOr<PemIdentity> GenerateIdentity(std::string_view common_name, int valid_years) {
  PkeyPtr key(EVP_RSA_gen(2048));
  if (!key) return absl::InternalError(OpenSslError("EVP_RSA_gen"));
  X509Ptr cert(X509_new());
  if (!cert) return absl::ResourceExhaustedError("X509_new");
  X509_set_version(cert.get(), 2);  // v3
  // Random positive 159-bit serial, as RFC 5280 allows up to 20 octets.
  {
    std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(BN_new(), BN_free);
    if (!bn || BN_rand(bn.get(), 159, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get())) == nullptr) {
      return absl::InternalError(OpenSslError("serial"));
    }
  }
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(valid_years) * 365 * 86400L);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  std::string cn(common_name);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return absl::InternalError(OpenSslError("X509_sign"));
  }
  PemIdentity out;
  BioPtr kb(BIO_new(BIO_s_mem()));
  if (!kb ||
      PEM_write_bio_PrivateKey(kb.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return absl::InternalError(OpenSslError("PEM_write_bio_PrivateKey"));
  }
  out.key_pem = BioToString(kb.get());
  out.cert_pem = CertToPem(cert.get());
  if (out.cert_pem.empty()) return absl::InternalError("PEM_write_bio_X509 failed");
  return out;
}

absl::StatusOr<X509Ptr> ParseCertPem(std::string_view pem) {
  if (pem.empty() || pem.size() > (1u << 20)) return absl::InvalidArgumentError("bad cert size");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return absl::ResourceExhaustedError("BIO_new_mem_buf");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return absl::InvalidArgumentError(OpenSslError("unparseable certificate"));
  return cert;
}

absl::StatusOr<PkeyPtr> ParseKeyPem(std::string_view pem) {
  if (pem.empty() || pem.size() > (1u << 20)) return absl::InvalidArgumentError("bad key size");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return absl::ResourceExhaustedError("BIO_new_mem_buf");
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) return absl::InvalidArgumentError(OpenSslError("unparseable private key"));
  return key;
}

std::string CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    ERR_clear_error();
    return "";
  }
  return BioToString(bio.get());
}

Bytes CertToDer(X509* cert) {
  int n = i2d_X509(cert, nullptr);
  if (n <= 0) return {};
  Bytes out(static_cast<size_t>(n));
  unsigned char* p = out.data();
  i2d_X509(cert, &p);
  return out;
}

Bytes CertFingerprint(X509* cert) {
  Bytes der = CertToDer(cert);
  return Sha256({&der});
}

Bytes CertSignature(X509* cert) {
  const ASN1_BIT_STRING* sig = nullptr;
  const X509_ALGOR* alg = nullptr;
  X509_get0_signature(&sig, &alg, cert);
  if (sig == nullptr) return {};
  const unsigned char* d = ASN1_STRING_get0_data(sig);
  return Bytes(d, d + ASN1_STRING_length(sig));
}

Bytes Sha256(std::initializer_list<std::string_view> parts) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  Bytes out(32);
  unsigned int n = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) abort();
  for (std::string_view p : parts) EVP_DigestUpdate(ctx.get(), p.data(), p.size());
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &n) != 1 || n != 32) abort();
  return out;
}

Bytes Sha256(std::initializer_list<const Bytes*> parts) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  Bytes out(32);
  unsigned int n = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) abort();
  for (const Bytes* p : parts) EVP_DigestUpdate(ctx.get(), p->data(), p->size());
  if (EVP_DigestFinal_ex(ctx.get(), out.data(), &n) != 1 || n != 32) abort();
  return out;
}

absl::StatusOr<Bytes> AesEcbEncrypt(const Bytes& key, const Bytes& data) {
  return AesEcb(key, data, true);
}
absl::StatusOr<Bytes> AesEcbDecrypt(const Bytes& key, const Bytes& data) {
  return AesEcb(key, data, false);
}

absl::StatusOr<Bytes> SignSha256(EVP_PKEY* key, const Bytes& data) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx) return absl::ResourceExhaustedError("EVP_MD_CTX_new");
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1) {
    return absl::InternalError(OpenSslError("EVP_DigestSignInit"));
  }
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, data.data(), data.size()) != 1) {
    return absl::InternalError(OpenSslError("EVP_DigestSign(size)"));
  }
  Bytes sig(len);
  if (EVP_DigestSign(ctx.get(), sig.data(), &len, data.data(), data.size()) != 1) {
    return absl::InternalError(OpenSslError("EVP_DigestSign"));
  }
  sig.resize(len);
  return sig;
}

bool VerifySha256(X509* cert, const Bytes& data, const Bytes& sig) {
  EVP_PKEY* pub = X509_get0_pubkey(cert);
  if (pub == nullptr) {
    ERR_clear_error();
    return false;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pub) != 1) {
    ERR_clear_error();
    return false;
  }
  int rc = EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), data.data(), data.size());
  ERR_clear_error();
  return rc == 1;
}

Bytes RandomBytes(size_t n) {
  Bytes out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1) abort();
  return out;
}

std::string HexEncode(const uint8_t* data, size_t n) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xF];
  }
  return out;
}

absl::StatusOr<Bytes> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) return absl::InvalidArgumentError("odd-length hex string");
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Bytes out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]);
    int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return absl::InvalidArgumentError("non-hex character");
    out[i] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return out;
}

bool ConstantTimeEqual(const Bytes& a, const Bytes& b) {
  return a.size() == b.size() && (a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0);
}

}  // namespace lumen::moonlight::nvcrypto
