// Tests for core/transport/crypto.h and the sealed feedback datagrams of feedback.h:
// key derivation, AEAD seal/open, tamper and replay rejection, replay-window edges.
#include "core/transport/crypto.h"

#include <doctest/doctest.h>

#include <cstring>
#include <initializer_list>
#include <vector>

#include "core/transport/feedback.h"

namespace lumen::transport {
namespace {

std::vector<uint8_t> Bytes(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t(seed + i * 7);
  return v;
}

std::vector<Aead> SupportedAeads() {
  std::vector<Aead> v = {Aead::kXChaCha20Poly1305};
  if (AesGcmAvailable()) v.push_back(Aead::kAes256Gcm);
  return v;
}

TEST_SUITE("LumenCrypto") {
  TEST_CASE("LumenCrypto.KeyDerivationDeterministicAndSeparated") {
    const auto rikey = Bytes(16, 1), hn = Bytes(16, 2), cn = Bytes(16, 3);
    auto a = DeriveKeys(rikey, hn, cn, 7);
    auto b = DeriveKeys(rikey, hn, cn, 7);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->host_to_client == b->host_to_client);
    CHECK(a->client_to_host == b->client_to_host);
    CHECK(a->host_to_client != a->client_to_host);
    // Every input changes both keys.
    auto c = DeriveKeys(Bytes(16, 9), hn, cn, 7);
    auto d = DeriveKeys(rikey, Bytes(16, 9), cn, 7);
    auto e = DeriveKeys(rikey, hn, Bytes(16, 9), 7);
    auto f = DeriveKeys(rikey, hn, cn, 8);
    auto g = DeriveKeys(rikey, cn, hn, 7);  // nonces swapped
    for (auto* o : {&c, &d, &e, &f, &g}) {
      REQUIRE(o->ok());
      CHECK((*o)->host_to_client != a->host_to_client);
      CHECK((*o)->client_to_host != a->client_to_host);
    }
    CHECK_FALSE(DeriveKeys(Bytes(15, 1), hn, cn, 7).ok());
    CHECK_FALSE(DeriveKeys(rikey, Bytes(8, 2), cn, 7).ok());
    CHECK_FALSE(DeriveKeys(rikey, hn, Bytes(17, 3), 7).ok());
  }

  TEST_CASE("LumenCrypto.KnownAnswerKey") {
    // Freezes the KDF: any change here breaks interop with deployed peers.
    std::vector<uint8_t> rikey(16), hn(16), cn(16);
    for (int i = 0; i < 16; ++i) {
      rikey[i] = uint8_t(i);
      hn[i] = uint8_t(0x10 + i);
      cn[i] = uint8_t(0x20 + i);
    }
    auto k = DeriveKeys(rikey, hn, cn, 0x01020304);
    REQUIRE(k.ok());
    // Recompute with raw libsodium calls as documented in docs/lumen-transport.md.
    uint8_t root[32];
    crypto_generichash_state st;
    crypto_generichash_init(&st, rikey.data(), 16, 32);
    crypto_generichash_update(&st, reinterpret_cast<const uint8_t*>("lumen-transport/v1"), 18);
    crypto_generichash_update(&st, hn.data(), 16);
    crypto_generichash_update(&st, cn.data(), 16);
    const uint8_t sid[4] = {1, 2, 3, 4};
    crypto_generichash_update(&st, sid, 4);
    crypto_generichash_final(&st, root, 32);
    uint8_t h2c[32], c2h[32];
    crypto_kdf_derive_from_key(h2c, 32, 1, "lumentrn", root);
    crypto_kdf_derive_from_key(c2h, 32, 2, "lumentrn", root);
    CHECK(std::memcmp(h2c, k->host_to_client.data(), 32) == 0);
    CHECK(std::memcmp(c2h, k->client_to_host.data(), 32) == 0);
  }

  TEST_CASE("LumenCrypto.SealOpenTamper") {
    const auto keys = DeriveKeys(Bytes(16, 1), Bytes(16, 2), Bytes(16, 3), 1).value();
    for (Aead aead : SupportedAeads()) {
      CAPTURE(AeadName(aead));
      AeadContext tx, rx, wrong;
      REQUIRE(tx.Init(aead, keys.host_to_client).ok());
      REQUIRE(rx.Init(aead, keys.host_to_client).ok());
      REQUIRE(wrong.Init(aead, keys.client_to_host).ok());
      const auto aad = Bytes(32, 5);
      const auto msg = Bytes(1344, 6);
      std::vector<uint8_t> ct(msg.size()), tag(16), pt(msg.size());
      REQUIRE(tx.Seal(42, aad.data(), aad.size(), msg.data(), msg.size(), ct.data(), tag.data()));
      CHECK(ct != msg);
      REQUIRE(rx.Open(42, aad.data(), aad.size(), ct.data(), ct.size(), tag.data(), pt.data()));
      CHECK(pt == msg);
      // In place.
      std::vector<uint8_t> buf = msg;
      REQUIRE(tx.Seal(43, aad.data(), aad.size(), buf.data(), buf.size(), buf.data(), tag.data()));
      REQUIRE(rx.Open(43, aad.data(), aad.size(), buf.data(), buf.size(), tag.data(), buf.data()));
      CHECK(buf == msg);
      // Wrong key (other direction), wrong nonce, flipped bits anywhere.
      REQUIRE(tx.Seal(42, aad.data(), aad.size(), msg.data(), msg.size(), ct.data(), tag.data()));
      CHECK_FALSE(
          wrong.Open(42, aad.data(), aad.size(), ct.data(), ct.size(), tag.data(), pt.data()));
      CHECK_FALSE(rx.Open(41, aad.data(), aad.size(), ct.data(), ct.size(), tag.data(), pt.data()));
      for (size_t pos : {size_t(0), size_t(17), size_t(31)}) {
        auto a2 = aad;
        a2[pos] ^= 0x01;
        CHECK_FALSE(rx.Open(42, a2.data(), a2.size(), ct.data(), ct.size(), tag.data(), pt.data()));
      }
      for (size_t pos : {size_t(0), size_t(700), ct.size() - 1}) {
        auto c2 = ct;
        c2[pos] ^= 0x80;
        CHECK_FALSE(
            rx.Open(42, aad.data(), aad.size(), c2.data(), c2.size(), tag.data(), pt.data()));
      }
      auto t2 = tag;
      t2[15] ^= 1;
      CHECK_FALSE(rx.Open(42, aad.data(), aad.size(), ct.data(), ct.size(), t2.data(), pt.data()));
    }
    AeadContext none;
    uint8_t b[16];
    CHECK_FALSE(none.Seal(0, nullptr, 0, b, 0, b, b));
  }

  TEST_CASE("LumenCrypto.AesAvailabilityIsReported") {
    AeadContext ctx;
    const Key key{};
    const absl::Status s = ctx.Init(Aead::kAes256Gcm, key);
    CHECK(s.ok() == AesGcmAvailable());
  }

  TEST_CASE("LumenCrypto.ReplayWindow") {
    ReplayWindow w;
    CHECK(w.Check(0));
    w.Mark(0);
    CHECK_FALSE(w.Check(0));
    for (uint64_t pn = 1; pn < 3000; ++pn) {
      CAPTURE(pn);
      REQUIRE(w.Check(pn));
      w.Mark(pn);
      REQUIRE_FALSE(w.Check(pn));
      REQUIRE_FALSE(w.Check(pn - 1));
    }
    // Out of order inside the window.
    ReplayWindow o;
    o.Mark(5000);
    CHECK(o.Check(4000));
    o.Mark(4000);
    CHECK_FALSE(o.Check(4000));
    constexpr uint64_t W = ReplayWindow::kWindow;
    CHECK(o.Check(5000 - (W - 1)));
    CHECK_FALSE(o.Check(5000 - W));  // exactly one window behind: too old
    CHECK(o.Check(4999));
    // A jump forward by more than the window clears the bitmap.
    o.Mark(5000 + 2 * W);
    CHECK(o.Check(5000 + 2 * W - 1));
    CHECK_FALSE(o.Check(5000));
    // Jump by exactly the window and by one less.
    ReplayWindow j;
    j.Mark(100);
    j.Mark(100 + W - 1);
    CHECK_FALSE(j.Check(100));
    CHECK(j.Check(101));
    j.Mark(100 + W);
    CHECK_FALSE(j.Check(100));
    CHECK(j.Check(100 + W - 2));
    CHECK_FALSE(j.Check(100 + W - 1));
    // Huge numbers (near the 64-bit wrap) still work.
    ReplayWindow hi;
    hi.Mark(~uint64_t{0} - 1);
    CHECK(hi.Check(~uint64_t{0}));
    CHECK_FALSE(hi.Check(~uint64_t{0} - 1));
  }

  TEST_CASE("LumenCrypto.ReplayWindowMatchesModel") {
    // Random arrivals against a simple set model.
    ReplayWindow w;
    constexpr int64_t W = int64_t(ReplayWindow::kWindow);
    std::vector<bool> seen(80000, false);
    uint64_t highest = 0;
    bool any = false;
    uint32_t x = 12345;
    for (int i = 0; i < 50000; ++i) {
      x = x * 1664525u + 1013904223u;
      const uint64_t base = any ? highest : 0;
      int64_t pn = int64_t(base) + int64_t(x % (2 * W + 200)) - (W + W / 2);
      if (pn < 0 || pn >= 80000) continue;
      const bool expect = !seen[pn] && (!any || uint64_t(pn) > highest || highest - pn < W);
      CAPTURE(pn);
      REQUIRE(w.Check(uint64_t(pn)) == expect);
      if (expect) {
        w.Mark(uint64_t(pn));
        seen[pn] = true;
        if (!any || uint64_t(pn) > highest) highest = uint64_t(pn);
        any = true;
      }
    }
  }

  TEST_CASE("LumenCrypto.FeedbackDatagrams") {
    const auto keys = DeriveKeys(Bytes(16, 1), Bytes(16, 2), Bytes(16, 3), 99).value();
    for (Aead aead : SupportedAeads()) {
      CAPTURE(AeadName(aead));
      AeadContext tx, rx;
      REQUIRE(tx.Init(aead, keys.client_to_host).ok());
      REQUIRE(rx.Init(aead, keys.client_to_host).ok());
      ReplayWindow replay;
      const FeedbackMessage msgs[] = {
          LossReport{1, 100, 9000, 12, 6, 2, 0, 5, 40},
          IdrRequest{77, 3},
          FecRatioChange{250, 1000, 4},
          FecRatioAck{250, 1001, 4},
      };
      uint64_t pn = 0;
      for (const FeedbackMessage& m : msgs) {
        uint8_t d[kMaxFeedbackDatagram];
        const size_t n = SealFeedback(tx, 99, pn, m, d, sizeof(d));
        REQUIRE(n == kCommonHeaderBytes + FeedbackBodyBytes(m) + kTagBytes);
        FeedbackMessage out;
        DropReason r{};
        // Tampered header or body: rejected, and the window is not moved by it.
        uint8_t t[kMaxFeedbackDatagram];
        std::memcpy(t, d, n);
        t[8 + 7] ^= 0x40;  // packet number
        CHECK_FALSE(OpenFeedback(rx, replay, 99, t, n, &out, &r));
        CHECK(r == DropReason::kAuthFailed);
        std::memcpy(t, d, n);
        t[kCommonHeaderBytes + 1] ^= 1;
        CHECK_FALSE(OpenFeedback(rx, replay, 99, t, n, &out, &r));
        CHECK(r == DropReason::kAuthFailed);
        REQUIRE(OpenFeedback(rx, replay, 99, d, n, &out, &r));
        CHECK(out == m);
        // Replayed: rejected.
        CHECK_FALSE(OpenFeedback(rx, replay, 99, d, n, &out, &r));
        CHECK(r == DropReason::kReplay);
        CHECK_FALSE(OpenFeedback(rx, replay, 98, d, n, &out, &r));
        CHECK(r == DropReason::kWrongSession);
        CHECK(SealFeedback(tx, 99, pn, m, d, n - 1) == 0);
        ++pn;
      }
    }
  }

  TEST_CASE("LumenCrypto.FeedbackBodyValidation") {
    uint8_t b[64] = {};
    FeedbackMessage m;
    CHECK_FALSE(DecodeFeedbackBody(b, 0, &m));
    CHECK_FALSE(DecodeFeedbackBody(nullptr, 12, &m));
    b[0] = 9;  // unknown type
    CHECK_FALSE(DecodeFeedbackBody(b, 12, &m));
    b[0] = 2;  // IDR request with the wrong length
    CHECK_FALSE(DecodeFeedbackBody(b, 13, &m));
    CHECK(DecodeFeedbackBody(b, 12, &m));
    b[2] = 1;  // reserved byte set
    CHECK_FALSE(DecodeFeedbackBody(b, 12, &m));
    std::memset(b, 0, sizeof(b));
    b[0] = 1;
    CHECK(DecodeFeedbackBody(b, kLossReportBytes, &m));
    b[34] = 0x03;  // worst loss 0x3E8 + ... > 1000 permille
    b[35] = 0xE9;
    CHECK_FALSE(DecodeFeedbackBody(b, kLossReportBytes, &m));
    // Known encoding of an IDR request.
    uint8_t out[12];
    REQUIRE(EncodeFeedbackBody(IdrRequest{0x01020304, 5}, out, sizeof(out)) == 12);
    const uint8_t expect[12] = {2, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 5};
    CHECK(std::memcmp(out, expect, 12) == 0);
    CHECK(EncodeFeedbackBody(IdrRequest{}, out, 11) == 0);
  }
}

}  // namespace
}  // namespace lumen::transport
