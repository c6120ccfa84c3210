// Tests for core/crypto/aes.h against published vectors (GCM spec test cases 2 and 3,
// NIST SP 800-38A F.1.1 / F.2.1) plus round trips and tamper detection.
#include "core/crypto/aes.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace lumen::crypto {
namespace {

std::vector<uint8_t> Hex(const std::string& s) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < s.size(); i += 2) out.push_back(std::stoi(s.substr(i, 2), nullptr, 16));
  return out;
}

AesKey Key(const std::string& s) {
  AesKey k{};
  auto v = Hex(s);
  for (size_t i = 0; i < 16; ++i) k[i] = v[i];
  return k;
}

TEST_SUITE("AesGcm128") {
  TEST_CASE("GcmSpec.TestCase2") {
    AesGcm128 gcm;
    REQUIRE(gcm.SetKey(AesKey{}));
    std::vector<uint8_t> iv(12, 0), pt(16, 0), ct(16);
    uint8_t tag[16];
    REQUIRE(gcm.Seal(iv, pt, ct.data(), tag));
    CHECK(ct == Hex("0388dace60b6a392f328c2b971b2fe78"));
    CHECK(std::vector<uint8_t>(tag, tag + 16) == Hex("ab6e47d42cec13bdf53a67b21257bddf"));
  }

  TEST_CASE("GcmSpec.TestCase3") {
    AesGcm128 gcm;
    REQUIRE(gcm.SetKey(Key("feffe9928665731c6d6a8f9467308308")));
    auto iv = Hex("cafebabefacedbaddecaf888");
    auto pt = Hex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255");
    std::vector<uint8_t> ct(pt.size());
    uint8_t tag[16];
    REQUIRE(gcm.Seal(iv, pt, ct.data(), tag));
    CHECK(ct == Hex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                    "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"));
    CHECK(std::vector<uint8_t>(tag, tag + 16) == Hex("4d5c2af327cd64a62cf35abd2ba6fab4"));
    std::vector<uint8_t> back(ct.size());
    CHECK(gcm.Open(iv, ct, tag, back.data()));
    CHECK(back == pt);
    // Tampering with ciphertext or tag is rejected.
    ct[5] ^= 1;
    CHECK_FALSE(gcm.Open(iv, ct, tag, back.data()));
    ct[5] ^= 1;
    tag[0] ^= 0x80;
    CHECK_FALSE(gcm.Open(iv, ct, tag, back.data()));
    tag[0] ^= 0x80;
    CHECK(gcm.Open(iv, ct, tag, back.data()));
    // One-shot helper agrees.
    std::vector<uint8_t> ct2(pt.size());
    uint8_t tag2[16];
    REQUIRE(AesGcmSeal(Key("feffe9928665731c6d6a8f9467308308"), iv, pt, ct2.data(), tag2));
    CHECK(ct2 == ct);
  }

  TEST_CASE("SixteenByteIvRoundTripAndSwitching") {
    AesGcm128 gcm;
    REQUIRE(gcm.SetKey(Key("000102030405060708090a0b0c0d0e0f")));
    std::vector<uint8_t> iv16(16, 0), iv12(12, 0), pt(100, 0x5a), a(100), b(100), back(100);
    iv16[0] = 7;
    iv12[0] = 7;
    uint8_t ta[16], tb[16];
    REQUIRE(gcm.Seal(iv16, pt, a.data(), ta));
    REQUIRE(gcm.Seal(iv12, pt, b.data(), tb));
    CHECK(a != b);  // a 16-byte IV goes through GHASH: a different counter block
    REQUIRE(gcm.Open(iv16, a, ta, back.data()));
    CHECK(back == pt);
    REQUIRE(gcm.Open(iv12, b, tb, back.data()));
    CHECK(back == pt);
    CHECK_FALSE(gcm.Open(iv12, a, ta, back.data()));
    // In place.
    std::vector<uint8_t> buf = pt;
    uint8_t t[16];
    REQUIRE(gcm.Seal(iv16, buf, buf.data(), t));
    CHECK(buf == a);
    REQUIRE(gcm.Open(iv16, buf, t, buf.data()));
    CHECK(buf == pt);
  }

  TEST_CASE("NoKeyFails") {
    AesGcm128 gcm;
    std::vector<uint8_t> iv(12), pt(4), ct(4);
    uint8_t tag[16];
    CHECK_FALSE(gcm.Seal(iv, pt, ct.data(), tag));
  }
}

TEST_SUITE("AesCbc128") {
  TEST_CASE("Sp800_38a.F21.FirstBlockAndPadding") {
    AesCbc128 cbc;
    REQUIRE(cbc.SetKey(Key("2b7e151628aed2a6abf7158809cf4f3c")));
    auto ivv = Hex("000102030405060708090a0b0c0d0e0f");
    std::array<uint8_t, 16> iv{};
    std::copy(ivv.begin(), ivv.end(), iv.begin());
    auto pt = Hex("6bc1bee22e409f96e93d7e117393172a");
    std::vector<uint8_t> ct(AesCbc128::PaddedSize(pt.size()));
    REQUIRE(ct.size() == 32);
    REQUIRE(cbc.Encrypt(iv, pt, ct.data()) == 32);
    CHECK(std::vector<uint8_t>(ct.begin(), ct.begin() + 16) ==
          Hex("7649abac8119b246cee98e9b12e9197d"));
    std::vector<uint8_t> back(32);
    CHECK(cbc.Decrypt(iv, ct, back.data()) == 16);
    CHECK(std::vector<uint8_t>(back.begin(), back.begin() + 16) == pt);
  }

  TEST_CASE("EveryLengthRoundTripsAndBadPaddingRejected") {
    AesCbc128 cbc;
    REQUIRE(cbc.SetKey(Key("00112233445566778899aabbccddeeff")));
    std::array<uint8_t, 16> iv{1, 2, 3};
    for (size_t n = 0; n <= 70; ++n) {
      CAPTURE(n);
      std::vector<uint8_t> pt(n);
      for (size_t i = 0; i < n; ++i) pt[i] = static_cast<uint8_t>(i * 7 + n);
      std::vector<uint8_t> ct(AesCbc128::PaddedSize(n));
      REQUIRE(cbc.Encrypt(iv, pt, ct.data()) == ct.size());
      CHECK(ct.size() == 16 * (n / 16) + 16);
      std::vector<uint8_t> back(ct.size());
      REQUIRE(cbc.Decrypt(iv, ct, back.data()) == static_cast<long>(n));
      back.resize(n);
      CHECK(back == pt);
    }
    std::vector<uint8_t> junk(16, 0x33), out(16);
    // A random block almost never decrypts to valid padding with this key/IV; lengths that
    // are not multiples of 16 are always rejected.
    CHECK(cbc.Decrypt(iv, std::span<const uint8_t>(junk.data(), 15), out.data()) == -1);
    CHECK(cbc.Decrypt(iv, std::span<const uint8_t>(), out.data()) == -1);
  }
}

TEST_SUITE("AesEcb128") {
  TEST_CASE("Sp800_38a.F11") {
    auto key = Key("2b7e151628aed2a6abf7158809cf4f3c");
    auto pt = Hex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
    std::vector<uint8_t> ct(32), back(32);
    REQUIRE(AesEcbEncrypt(key, pt, ct.data()));
    CHECK(ct == Hex("3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"));
    REQUIRE(AesEcbDecrypt(key, ct, back.data()));
    CHECK(back == pt);
    CHECK_FALSE(AesEcbEncrypt(key, std::span<const uint8_t>(pt.data(), 17), ct.data()));
  }
}

}  // namespace
}  // namespace lumen::crypto
