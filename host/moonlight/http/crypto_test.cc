// Known-answer and round-trip tests for the pairing crypto primitives.
#include "host/moonlight/http/crypto.h"

#include <doctest/doctest.h>

namespace lumen::moonlight::nvcrypto {

TEST_SUITE("MoonlightCrypto") {
  TEST_CASE("Hex.RoundTripAndRejects") {
    Bytes b = {0x00, 0x01, 0xAB, 0xFF};
    CHECK(HexEncode(b) == "0001ABFF");
    CHECK(*HexDecode("0001abff") == b);
    CHECK(!HexDecode("0").ok());
    CHECK(!HexDecode("zz").ok());
    CHECK(HexDecode("")->empty());
  }

  TEST_CASE("Sha256.Fips180Vector") {
    CHECK(HexEncode(Sha256({std::string_view("abc")})) ==
          "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
    CHECK(Sha256({std::string_view("a"), std::string_view("bc")}) ==
          Sha256({std::string_view("abc")}));
  }

  TEST_CASE("AesEcb.Fips197Vector") {
    // FIPS-197 appendix C.1 (AES-128).
    Bytes key = *HexDecode("000102030405060708090a0b0c0d0e0f");
    Bytes pt = *HexDecode("00112233445566778899aabbccddeeff");
    auto ct = AesEcbEncrypt(key, pt);
    REQUIRE(ct.ok());
    CHECK(HexEncode(*ct) == "69C4E0D86A7B0430D8CDB78070B4C55A");
    CHECK(*AesEcbDecrypt(key, *ct) == pt);
    CHECK(!AesEcbEncrypt(key, Bytes(15)).ok());
    CHECK(!AesEcbEncrypt(Bytes(8), pt).ok());
  }

  TEST_CASE("Identity.SignVerifyAndCertSignature") {
    auto id = GenerateIdentity("test host");
    REQUIRE(id.ok());
    auto cert = ParseCertPem(id->cert_pem);
    auto key = ParseKeyPem(id->key_pem);
    REQUIRE(cert.ok());
    REQUIRE(key.ok());
    CHECK(CertSignature(cert->get()).size() == 256);
    CHECK(X509_get_signature_nid(cert->get()) == NID_sha256WithRSAEncryption);
    CHECK(X509_get_version(cert->get()) == 2);
    Bytes msg = RandomBytes(16);
    auto sig = SignSha256(key->get(), msg);
    REQUIRE(sig.ok());
    CHECK(sig->size() == 256);
    CHECK(VerifySha256(cert->get(), msg, *sig));
    Bytes bad = *sig;
    bad[5] ^= 1;
    CHECK(!VerifySha256(cert->get(), msg, bad));
    CHECK(CertFingerprint(cert->get()).size() == 32);
    CHECK(!ParseCertPem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").ok());
    CHECK(!ParseCertPem("").ok());
  }
}

}  // namespace lumen::moonlight::nvcrypto
