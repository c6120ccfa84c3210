// Tests for core/session/lumen_attr.h: exact strings, round trips, stock-client SDP,
// malformed attributes, AEAD choice.
#include "core/session/lumen_attr.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace lumen::session {
namespace {

LumenOffer SampleOffer() {
  LumenOffer o;
  for (int i = 0; i < 16; ++i) o.nonce[i] = uint8_t(0xA0 + i);
  o.session_id = 0x01ABCDEF;
  o.aes256gcm = true;
  o.xchacha20poly1305 = true;
  return o;
}

TEST_SUITE("LumenAttr") {
  TEST_CASE("LumenAttr.ExactOfferAndAcceptLines") {
    CHECK(BuildOfferLine(SampleOffer()) ==
          "a=x-lumen-transport:v1 nonce=a0a1a2a3a4a5a6a7a8a9aaabacadaeaf sid=01abcdef "
          "aead=aes256gcm,xchacha20poly1305\r\n");
    LumenAccept a;
    for (int i = 0; i < 16; ++i) a.nonce[i] = uint8_t(i);
    a.aead = transport::Aead::kXChaCha20Poly1305;
    a.mtu = 1392;
    CHECK(BuildAcceptLine(a) ==
          "a=x-lumen-transport:v1 nonce=000102030405060708090a0b0c0d0e0f "
          "aead=xchacha20poly1305 mtu=1392 \r\n");
  }

  TEST_CASE("LumenAttr.RoundTripInsideSdp") {
    const LumenOffer o = SampleOffer();
    const std::string describe =
        "a=x-ss-general.featureFlags:0\n"
        "a=x-ss-general.encryptionSupported:5\n" +
        BuildOfferLine(o) + "sprop-parameter-sets=AAAAAU\n";
    auto p = ParseOffer(describe);
    REQUIRE(p.ok());
    CHECK(p->nonce == o.nonce);
    CHECK(p->session_id == o.session_id);
    CHECK(p->aes256gcm);
    CHECK(p->xchacha20poly1305);

    LumenAccept a;
    a.nonce = o.nonce;
    a.nonce[0] ^= 0xFF;
    a.aead = ChooseAead(*p, true);
    CHECK(a.aead == transport::Aead::kAes256Gcm);
    const std::string announce =
        "v=0\r\no=android 0 14 IN IPv4 10.0.0.2\r\n"
        "a=x-nv-video[0].clientViewportWd:1920 \r\n" +
        BuildAcceptLine(a) + "t=0 0\r\nm=video 47998  \r\n";
    auto q = ParseAccept(announce);
    REQUIRE(q.ok());
    CHECK(q->nonce == a.nonce);
    CHECK(q->aead == a.aead);
    CHECK(q->mtu == kDefaultLumenMtu);
    CHECK(AcceptMatchesOffer(*p, *q));
  }

  TEST_CASE("LumenAttr.StockPeersHaveNoAttribute") {
    const std::string stock_announce =
        "v=0\r\na=x-nv-video[0].packetSize:1392 \r\na=x-nv-general.featureFlags:167 \r\n";
    CHECK(ParseAccept(stock_announce).status().code() == absl::StatusCode::kNotFound);
    CHECK(ParseOffer("a=x-ss-general.featureFlags:0\n").status().code() ==
          absl::StatusCode::kNotFound);
    // A similar-looking attribute name is not ours.
    CHECK(ParseOffer("a=x-lumen-transportx:v1 nonce=00\n").status().code() ==
          absl::StatusCode::kNotFound);
  }

  TEST_CASE("LumenAttr.MalformedRejected") {
    const std::string nonce = "nonce=000102030405060708090a0b0c0d0e0f";
    for (const std::string& bad : std::vector<std::string>{
             "a=x-lumen-transport:\n",
             "a=x-lumen-transport:v2 " + nonce + " sid=00000001 aead=aes256gcm\n",
             "a=x-lumen-transport:vX " + nonce + "\n",
             "a=x-lumen-transport:v1 nonce=0001 sid=00000001 aead=aes256gcm\n",
             "a=x-lumen-transport:v1 " + nonce + " sid=0000001 aead=aes256gcm\n",
             "a=x-lumen-transport:v1 " + nonce + " sid=0000000g aead=aes256gcm\n",
             "a=x-lumen-transport:v1 " + nonce + " sid=00000001 aead=rot13\n",
             "a=x-lumen-transport:v1 " + nonce + " sid=00000001\n",
         }) {
      CAPTURE(bad);
      CHECK(ParseOffer(bad).status().code() == absl::StatusCode::kInvalidArgument);
    }
    for (const std::string& bad : std::vector<std::string>{
             "a=x-lumen-transport:v1 " + nonce + " aead=aes128\n",
             "a=x-lumen-transport:v1 " + nonce + " aead=aes256gcm mtu=50\n",
             "a=x-lumen-transport:v1 " + nonce + " aead=aes256gcm mtu=abc\n",
             "a=x-lumen-transport:v1 " + nonce + "zz aead=aes256gcm\n",
         }) {
      CAPTURE(bad);
      CHECK(ParseAccept(bad).status().code() == absl::StatusCode::kInvalidArgument);
    }
    // Unknown keys are ignored; upper-case hex is fine.
    auto ok = ParseAccept(
        "a=x-lumen-transport:v1 future=1 nonce=000102030405060708090A0B0C0D0E0F "
        "aead=xchacha20poly1305 mtu=1500\n");
    REQUIRE(ok.ok());
    CHECK(ok->mtu == 1500);
    CHECK(ok->nonce[15] == 0x0F);
  }

  TEST_CASE("LumenAttr.AeadChoice") {
    LumenOffer o = SampleOffer();
    CHECK(ChooseAead(o, true) == transport::Aead::kAes256Gcm);
    CHECK(ChooseAead(o, false) == transport::Aead::kXChaCha20Poly1305);
    o.aes256gcm = false;
    CHECK(ChooseAead(o, true) == transport::Aead::kXChaCha20Poly1305);
    LumenAccept a;
    a.aead = transport::Aead::kAes256Gcm;
    CHECK_FALSE(AcceptMatchesOffer(o, a));  // not offered
    a.aead = transport::Aead::kXChaCha20Poly1305;
    CHECK(AcceptMatchesOffer(o, a));
    a.mtu = 100;
    CHECK_FALSE(AcceptMatchesOffer(o, a));
  }
}

}  // namespace
}  // namespace lumen::session
