// OpenSSL building blocks for GameStream pairing and the HTTPS port (protocol doc §3.1-§3.2, §11).
// Namespace lumen::moonlight::nvcrypto (not "crypto", which would shadow lumen::crypto inside
// lumen::moonlight for code that includes both).
//
// Host and client identities are RSA-2048 keys with self-signed X.509 v3 certificates signed with
// sha256WithRSAEncryption. Pairing uses SHA-256, AES-128-ECB without padding, RSA PKCS#1 v1.5
// SHA-256 signatures and the certificates' own signatureValue bytes. Everything here is
// stateless and thread-safe; OpenSSL objects are held in unique_ptrs with their free functions.
#ifndef LUMEN_HOST_MOONLIGHT_HTTP_CRYPTO_H_
#define LUMEN_HOST_MOONLIGHT_HTTP_CRYPTO_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace lumen::moonlight::nvcrypto {

using Bytes = std::vector<uint8_t>;

struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

// A key pair and its self-signed certificate, both PEM-encoded.
struct PemIdentity {
  std::string key_pem;
  std::string cert_pem;
};

// Generates an RSA-2048 key and a self-signed X.509 v3 certificate with subject CN `common_name`,
// a random positive serial, sha256WithRSAEncryption and `valid_years` of validity. Takes tens
// of milliseconds (RSA prime search).
absl::StatusOr<PemIdentity> GenerateIdentity(std::string_view common_name, int valid_years = 20);

// PEM parsing. InvalidArgument on anything that is not exactly one parseable object.
absl::StatusOr<X509Ptr> ParseCertPem(std::string_view pem);
absl::StatusOr<PkeyPtr> ParseKeyPem(std::string_view pem);
// PEM / DER encoding of a certificate.
std::string CertToPem(X509* cert);
Bytes CertToDer(X509* cert);
// SHA-256 of the DER encoding: the identity of a client (protocol doc §2.4).
Bytes CertFingerprint(X509* cert);

// The certificate's signatureValue bytes (the issuer's signature over TBSCertificate),
// "sig(cert)" in protocol doc §3.2. 256 bytes for RSA-2048.
Bytes CertSignature(X509* cert);

// SHA-256 of the concatenation of `parts`.
Bytes Sha256(std::initializer_list<std::string_view> parts);
Bytes Sha256(std::initializer_list<const Bytes*> parts);

// AES-128-ECB with no padding. `key` must be 16 bytes and `data` a multiple of 16 bytes;
// otherwise InvalidArgument.
absl::StatusOr<Bytes> AesEcbEncrypt(const Bytes& key, const Bytes& data);
absl::StatusOr<Bytes> AesEcbDecrypt(const Bytes& key, const Bytes& data);

// RSA PKCS#1 v1.5 with SHA-256.
absl::StatusOr<Bytes> SignSha256(EVP_PKEY* key, const Bytes& data);
// True only if `sig` is a valid signature of `data` by the public key in `cert`.
bool VerifySha256(X509* cert, const Bytes& data, const Bytes& sig);

// Cryptographically secure random bytes (RAND_bytes). Aborts if the CSPRNG fails.
Bytes RandomBytes(size_t n);

// Hex encoding: upper case out; either case accepted in. HexDecode fails (nullopt-like error) on
// odd length or a non-hex character.
std::string HexEncode(const uint8_t* data, size_t n);
inline std::string HexEncode(const Bytes& b) { return HexEncode(b.data(), b.size()); }
inline std::string HexEncode(std::string_view s) {
  return HexEncode(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
absl::StatusOr<Bytes> HexDecode(std::string_view hex);

inline std::string_view AsStringView(const Bytes& b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}

// Constant-time equality of two byte strings (different lengths compare unequal).
bool ConstantTimeEqual(const Bytes& a, const Bytes& b);

}  // namespace lumen::moonlight::nvcrypto

#endif  // LUMEN_HOST_MOONLIGHT_HTTP_CRYPTO_H_
