// Tests for core/moonlight/audio.h: exact RTP/FEC bytes (doc §8.4–§8.5 known answer: data
// 01 02 03 04 -> parity 87 2E), the AES-CBC IV rule (§8.6), recovery of every 1- and 2-loss
// pattern per block, losses beyond capacity, reordering, sequence wrap and hostile datagrams.
#include "core/moonlight/audio.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace lumen::moonlight {
namespace {

using Bytes = std::vector<uint8_t>;

struct Out {
  std::vector<AudioPacket> pkts;
  std::vector<Bytes> opus;
  void operator()(const AudioPacket& p) {
    pkts.push_back(p);
    pkts.back().opus = {};
    opus.emplace_back(p.opus.begin(), p.opus.end());
  }
};

std::vector<Bytes> Send(AudioPacketizer& pk, const Bytes& opus) {
  std::vector<Bytes> out;
  REQUIRE(pk.Packetize(opus, [&](std::span<const uint8_t> d) {
    out.emplace_back(d.begin(), d.end());
  }) == AudioStatus::kOk);
  return out;
}

Bytes Opus(uint32_t n, size_t len) {
  Bytes b(len);
  std::mt19937 r(n);
  for (auto& x : b) x = static_cast<uint8_t>(r());
  return b;
}

TEST_SUITE("MoonlightAudio") {
  TEST_CASE("ExactBytesAndKnownParity") {
    AudioPacketizer pk;
    AudioPacketizerConfig cfg;
    REQUIRE(pk.Init(cfg).ok());
    std::vector<Bytes> all;
    for (uint8_t v = 1; v <= 4; ++v) {
      auto d = Send(pk, Bytes{v});
      for (auto& x : d) all.push_back(x);
    }
    REQUIRE(all.size() == 6);
    CHECK(all[3] == Bytes{0x80, 0x61, 0x00, 0x03, 0x00, 0x00, 0x00, 0x0F, 0, 0, 0, 0, 0x04});
    CHECK(all[4] == Bytes{0x80, 0x7F, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0,  // RTP, PT 127
                          0x00, 0x61, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,  // idx 0, PT 97, base
                          0x87});
    CHECK(all[5] == Bytes{0x80, 0x7F, 0x00, 0x05, 0, 0, 0, 0, 0, 0, 0, 0,
                          0x01, 0x61, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x2E});
    CHECK(pk.stats().fec_packets == 2);
  }

  TEST_CASE("CbcIvRuleWithNegativeRikeyid") {
    AudioPacketizer pk;
    AudioPacketizerConfig cfg;
    cfg.encrypt = true;
    for (int i = 0; i < 16; ++i) cfg.key[i] = static_cast<uint8_t>(0x10 + i);
    cfg.rikeyid = static_cast<uint32_t>(-5);
    cfg.first_sequence = 8;
    REQUIRE(pk.Init(cfg).ok());
    const Bytes opus = Opus(1, 100);
    auto d = Send(pk, opus);
    REQUIRE(d.size() == 1);
    CHECK(d[0].size() == 12 + 112);
    // IV = BE32(rikeyid + seq) = BE32(3), then zeros.
    crypto::AesCbc128 cbc;
    REQUIRE(cbc.SetKey(cfg.key));
    std::array<uint8_t, 16> iv{0, 0, 0, 3};
    CHECK(AudioIv(cfg.rikeyid, 8) == iv);
    Bytes expect(112);
    REQUIRE(cbc.Encrypt(iv, opus, expect.data()) == 112);
    CHECK(Bytes(d[0].begin() + 12, d[0].end()) == expect);
  }

  TEST_CASE("RejectsBadInput") {
    AudioPacketizer pk;
    AudioPacketizerConfig cfg;
    cfg.first_sequence = 3;
    CHECK_FALSE(pk.Init(cfg).ok());
    cfg.first_sequence = 0;
    REQUIRE(pk.Init(cfg).ok());
    CHECK(pk.Packetize(Bytes{}, [](std::span<const uint8_t>) {}) == AudioStatus::kEmpty);
    CHECK(pk.Packetize(Bytes(kAudioMaxShard + 1), [](std::span<const uint8_t>) {}) ==
          AudioStatus::kTooLarge);
  }

  TEST_CASE("EveryOneAndTwoLossPatternRecovers") {
    for (bool enc : {false, true}) {
      AudioPacketizerConfig pc;
      pc.encrypt = enc;
      pc.key[3] = 9;
      pc.rikeyid = 0x12345678;
      AudioDepacketizerConfig dc;
      dc.encrypted = enc;
      dc.key = pc.key;
      dc.rikeyid = pc.rikeyid;
      AudioPacketizer pk;
      REQUIRE(pk.Init(pc).ok());
      AudioDepacketizer dp;
      REQUIRE(dp.Init(dc).ok());
      Out out;
      std::vector<Bytes> sent;
      uint32_t n = 0;
      uint64_t now = 0;
      // One block per loss pattern: all masks of 6 shards with <= 2 losses.
      for (int mask = 0; mask < 64; ++mask) {
        if (__builtin_popcount(mask) > 2) continue;
        std::vector<Bytes> dgrams;
        for (int i = 0; i < 4; ++i) {
          sent.push_back(Opus(n++, 120));
          for (auto& x : Send(pk, sent.back())) dgrams.push_back(x);
        }
        REQUIRE(dgrams.size() == 6);
        for (int i = 0; i < 6; ++i) {
          if (!(mask & (1 << i))) dp.OnDatagram(dgrams[i], now, out);
        }
        now += 20000;
      }
      // Flush the tail with one more clean block.
      for (int i = 0; i < 4; ++i) {
        sent.push_back(Opus(n++, 120));
        for (auto& x : Send(pk, sent.back())) dp.OnDatagram(x, now, out);
      }
      CAPTURE(enc);
      REQUIRE(out.opus.size() == sent.size());
      for (size_t i = 0; i < sent.size(); ++i) {
        CHECK_FALSE(out.pkts[i].lost);
        CHECK(out.pkts[i].seq == static_cast<uint16_t>(i));
        CHECK(out.opus[i] == sent[i]);
        CHECK(out.pkts[i].timestamp == 5 * i);
      }
      CHECK(dp.stats().lost == 0);
      CHECK(dp.stats().recovered > 0);
    }
  }

  TEST_CASE("LossBeyondCapacityIsReportedInOrder") {
    AudioPacketizer pk;
    REQUIRE(pk.Init(AudioPacketizerConfig{}).ok());
    AudioDepacketizer dp;
    REQUIRE(dp.Init(AudioDepacketizerConfig{}).ok());
    Out out;
    std::vector<Bytes> sent;
    for (uint32_t i = 0; i < 16; ++i) {
      sent.push_back(Opus(i, 50));
      auto d = Send(pk, sent.back());
      // Block 1 (seq 4..7): lose three data packets.
      if (i == 4 || i == 5 || i == 6) d.erase(d.begin());
      for (auto& x : d) dp.OnDatagram(x, i * 5000ull, out);
    }
    REQUIRE(out.pkts.size() >= 12);
    for (size_t i = 0; i < out.pkts.size(); ++i) {
      CHECK(out.pkts[i].seq == i);
      const bool should_lose = i == 4 || i == 5 || i == 6;
      CHECK(out.pkts[i].lost == should_lose);
      if (!should_lose) CHECK(out.opus[i] == sent[i]);
    }
    CHECK(dp.stats().lost == 3);
  }

  TEST_CASE("TimeoutReleasesAWaitingLoss") {
    AudioPacketizer pk;
    REQUIRE(pk.Init(AudioPacketizerConfig{}).ok());
    AudioDepacketizer dp;
    AudioDepacketizerConfig dc;
    dc.timeout_us = 1000;
    REQUIRE(dp.Init(dc).ok());
    Out out;
    auto a = Send(pk, Opus(0, 40));
    auto b = Send(pk, Opus(1, 40));
    auto c = Send(pk, Opus(2, 40));
    dp.OnDatagram(a[0], 0, out);
    dp.OnDatagram(c[0], 10, out);  // seq 1 missing, no FEC yet
    CHECK(out.pkts.size() == 1);
    dp.Poll(5000, out);
    REQUIRE(out.pkts.size() == 3);
    CHECK(out.pkts[1].lost);
    CHECK(out.pkts[2].seq == 2);
    CHECK(dp.OnDatagram(b[0], 6000, out) == AudioParseError::kStale);
  }

  TEST_CASE("ReorderDuplicateAndWrap") {
    std::mt19937 rng(77);
    AudioPacketizer pk;
    AudioPacketizerConfig pc;
    pc.first_sequence = 65520;
    pc.encrypt = true;
    REQUIRE(pk.Init(pc).ok());
    AudioDepacketizer dp;
    AudioDepacketizerConfig dc;
    dc.encrypted = true;
    REQUIRE(dp.Init(dc).ok());
    std::vector<Bytes> sent, pool;
    for (uint32_t i = 0; i < 200; ++i) {
      sent.push_back(Opus(i, 60));
      for (auto& x : Send(pk, sent.back())) {
        pool.push_back(x);
        if (rng() % 5 == 0) pool.push_back(x);
      }
    }
    for (size_t i = 0; i < pool.size(); ++i) {
      std::swap(pool[i], pool[std::min(pool.size() - 1, i + rng() % 4)]);
    }
    Out out;
    for (auto& x : pool) dp.OnDatagram(x, 0, out);
    REQUIRE(out.pkts.size() >= 196);
    for (size_t i = 0; i < out.pkts.size(); ++i) {
      CHECK(out.pkts[i].seq == static_cast<uint16_t>(65520 + i));
      CHECK_FALSE(out.pkts[i].lost);
      CHECK(out.opus[i] == sent[i]);
    }
    CHECK(dp.stats().drop(AudioParseError::kDuplicate) + dp.stats().drop(AudioParseError::kStale) >
          0);
  }

  TEST_CASE("HostileDatagrams") {
    std::mt19937 rng(5);
    AudioDepacketizer dp;
    AudioDepacketizerConfig dc;
    dc.encrypted = true;
    REQUIRE(dp.Init(dc).ok());
    AudioPacketizer pk;
    AudioPacketizerConfig pc;
    pc.encrypt = true;
    REQUIRE(pk.Init(pc).ok());
    Out out;
    for (int i = 0; i < 3000; ++i) {
      Bytes junk(rng() % 1500);
      for (auto& b : junk) b = static_cast<uint8_t>(rng());
      if (junk.size() > 2 && rng() % 2) {
        junk[0] = 0x80;
        junk[1] = rng() % 2 ? 97 : 127;
      }
      dp.OnDatagram(junk, i, out);
      if (i % 10 == 0) {
        for (auto& x : Send(pk, Opus(i, 30))) {
          Bytes t(x.begin(), x.begin() + rng() % (x.size() + 1));
          dp.OnDatagram(t, i, out);
        }
      }
    }
    CHECK(dp.stats().datagrams > 3000);
  }
}

}  // namespace
}  // namespace lumen::moonlight

namespace lumen::moonlight {
namespace {
TEST_CASE("FuzzRegression.FirstDataAndSecondFecLostEveryBlockAcrossWrap") {
  AudioPacketizer pk;
  AudioPacketizerConfig pc;
  pc.first_sequence = 65528;
  REQUIRE(pk.Init(pc).ok());
  AudioDepacketizer dp;
  AudioDepacketizerConfig dc;
  dc.rikeyid = 0xFFFFFFF0u;
  REQUIRE(dp.Init(dc).ok());
  std::vector<Bytes> sent, dgrams;
  for (int i = 0; i < 24; ++i) {
    sent.emplace_back(61, static_cast<uint8_t>(i * 7));
    sent.back()[0] = static_cast<uint8_t>(i);
    for (auto& x : Send(pk, sent.back())) dgrams.push_back(x);
  }
  REQUIRE(dgrams.size() == 36);
  Out out;
  for (size_t i = 0; i < dgrams.size(); ++i) {
    if (i % 6 == 0 || i % 6 == 5) continue;
    dp.OnDatagram(dgrams[i], i * 1000, out);
  }
  CHECK(dp.stats().lost == 0);
  REQUIRE(out.opus.size() == 24);
  for (size_t i = 0; i < 24; ++i) {
    CAPTURE(i);
    CHECK(out.pkts[i].seq == static_cast<uint16_t>(65528 + i));
    CHECK(out.opus[i] == sent[i]);
  }
}
}  // namespace
}  // namespace lumen::moonlight

namespace lumen::moonlight {
namespace {
TEST_CASE("VariableSizeBlocksSkipFecAndStillPlay") {
  AudioPacketizer pk;
  REQUIRE(pk.Init(AudioPacketizerConfig{}).ok());
  AudioDepacketizer dp;
  REQUIRE(dp.Init(AudioDepacketizerConfig{}).ok());
  Out out;
  std::vector<Bytes> sent;
  size_t datagrams = 0;
  for (uint32_t i = 0; i < 8; ++i) {
    sent.push_back(Opus(i, 40 + i));  // VBR-like: every size differs
    for (auto& x : Send(pk, sent.back())) {
      ++datagrams;
      dp.OnDatagram(x, 0, out);
    }
  }
  CHECK(datagrams == 8);  // no FEC datagrams for blocks of unequal sizes
  CHECK(pk.stats().fec_blocks_skipped == 2);
  REQUIRE(out.opus.size() == 8);
  for (size_t i = 0; i < 8; ++i) CHECK(out.opus[i] == sent[i]);
}
}  // namespace
}  // namespace lumen::moonlight
