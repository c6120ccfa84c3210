// Tests for core/moonlight/video_packetizer.h and video_depacketizer.h: exact header bytes
// (hand-computed from protocol doc §7.2–§7.7), frame planning vs the client's parity formula,
// round trips with every-single-packet drop sweeps, random loss within and beyond FEC capacity,
// duplication/reordering, sequence wrap, 4-block frames, FEC-off frames, encryption and tamper,
// and hostile datagrams.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "core/moonlight/video_depacketizer.h"
#include "core/moonlight/video_packetizer.h"
#include "core/moonlight/wire.h"

namespace lumen::moonlight {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes MakeAu(size_t n, uint32_t seed) {
  Bytes au(n);
  std::mt19937 rng(seed);
  for (auto& b : au) b = static_cast<uint8_t>(rng());
  return au;
}

std::vector<Bytes> Packetize(VideoPacketizer& pk, const Bytes& au, uint32_t frame, FrameType type,
                             uint32_t ts = 0) {
  std::vector<Bytes> out;
  auto st = pk.Packetize(au, frame, type, ts,
                         [&](std::span<const uint8_t> d) { out.emplace_back(d.begin(), d.end()); });
  REQUIRE(st == PacketizeStatus::kOk);
  return out;
}

struct Collector {
  std::vector<Bytes> aus;
  std::vector<VideoFrame> frames;
  void operator()(const VideoFrame& f) {
    aus.emplace_back(f.au.begin(), f.au.end());
    frames.push_back(f);
    frames.back().au = {};
  }
};

VideoPacketizerConfig PkCfg(int packet_size, int pct) {
  VideoPacketizerConfig c;
  c.packet_size = packet_size;
  c.fec_percent = pct;
  return c;
}

VideoDepacketizerConfig DpCfg(int packet_size) {
  VideoDepacketizerConfig c;
  c.packet_size = packet_size;
  return c;
}

TEST_SUITE("MoonlightVideoPlan") {
  TEST_CASE("ParityChoiceReproducesClientFormula") {
    for (int pct = 0; pct <= 255; ++pct) {
      for (int d = 1; d <= 254; ++d) {
        for (int minp : {0, 1, 2, 3}) {
          auto [p, wire] = ChooseBlockParity(d, pct, minp);
          CAPTURE(pct);
          CAPTURE(d);
          CAPTURE(minp);
          REQUIRE(wire >= 0);
          REQUIRE(wire <= 255);
          REQUIRE(d + p <= 255);
          REQUIRE(ClientParityCount(d, wire) == p);
          if (pct == 0) REQUIRE(p == 0);
          const int target = std::max((d * pct + 99) / 100, minp);
          if (pct > 0 && d + target <= 255 && p != target) {
            // Only when the target is unreachable through the client's rounding: then the
            // nearest reachable P above it is used.
            for (int w = 1; w <= 255; ++w) REQUIRE(ClientParityCount(d, w) != target);
            REQUIRE(p > target);
            for (int q = target; q < p; ++q) {
              for (int w = 1; w <= 255; ++w) REQUIRE(ClientParityCount(d, w) != q);
            }
          }
        }
      }
    }
  }

  TEST_CASE("ReferenceExamples") {
    // D=1 at 20 % with min 2: P=2, pct=200 (doc §7.5 example).
    auto [p1, w1] = ChooseBlockParity(1, 20, 2);
    CHECK(p1 == 2);
    CHECK(w1 == 200);
    auto [p2, w2] = ChooseBlockParity(100, 20, 2);
    CHECK(p2 == 20);
    CHECK(w2 == 20);
    // Largest block at 20 %: 212 data + 43 parity = 255.
    auto [p3, w3] = ChooseBlockParity(212, 20, 2);
    CHECK(p3 == 43);
    CHECK(212 + p3 == 255);
    CHECK(ClientParityCount(212, w3) == 43);
  }

  TEST_CASE("BlockSplit") {
    // 1392-byte packets carry 1376 payload bytes. 212 shards per block at 20 %.
    auto one = PlanVideoFrame(1376 * 212 - 8, 1392, 20, 2);
    CHECK(one.ok);
    CHECK(one.blocks == 1);
    CHECK(one.data[0] == 212);
    auto two = PlanVideoFrame(1376 * 212 - 7, 1392, 20, 2);
    CHECK(two.blocks == 2);
    CHECK(two.data[0] + two.data[1] == 213);
    CHECK(two.data[0] == 107);
    auto four = PlanVideoFrame(1376 * 848 - 8, 1392, 20, 2);
    CHECK(four.blocks == 4);
    CHECK_FALSE(four.fec_disabled);
    for (int b = 0; b < 4; ++b) CHECK(four.data[b] + four.parity[b] <= 255);
    // One shard more than 4 x 212: FEC off, 4 blocks (reference host behaviour).
    auto big = PlanVideoFrame(1376 * 849 - 8, 1392, 20, 2);
    CHECK(big.ok);
    CHECK(big.fec_disabled);
    CHECK(big.blocks == 4);
    CHECK(big.total_shards == 849);
    // Beyond 4 x 1023 shards: impossible.
    CHECK_FALSE(PlanVideoFrame(1376 * 4093, 1392, 20, 2).ok);
  }
}

TEST_SUITE("MoonlightVideoPacketizer") {
  TEST_CASE("ExactHeaderBytesSmallFrame") {
    VideoPacketizer pk;
    VideoPacketizerConfig cfg = PkCfg(64, 20);  // datagram 80 bytes, payload 48
    cfg.ssrc = 0;
    REQUIRE(pk.Init(cfg).ok());
    Bytes au(20);
    for (size_t i = 0; i < au.size(); ++i) au[i] = static_cast<uint8_t>(0xA0 + i);
    auto d = Packetize(pk, au, 1, FrameType::kIdr, 0x11223344);
    REQUIRE(d.size() == 3);  // D=1, P=2 (min 2), pct 200
    for (auto& x : d) CHECK(x.size() == 80);
    const Bytes expect_hdr0 = {
        0x90, 0x00, 0x00, 0x00,  // RTP V=2 X=1, PT 0, seq 0
        0x11, 0x22, 0x33, 0x44,  // timestamp
        0x00, 0x00, 0x00, 0x00,  // SSRC
        0x00, 0x00, 0x00, 0x00,  // extension word
        0x00, 0x00, 0x00, 0x00,  // streamPacketIndex 0 << 8
        0x01, 0x00, 0x00, 0x00,  // frameIndex 1
        0x07, 0x00, 0x10, 0x00,  // flags PIC|EOF|SOF, extra 0, multiFecFlags 0x10, blocks 0
        0x80, 0x0C, 0x40, 0x00,  // fecInfo (0<<12)|(1<<22)|(200<<4) = 0x00400C80
        // frame header: 0x01, latency 0, type 2, lastPayloadLen 28, 0
        0x01, 0x00, 0x00, 0x02, 0x1C, 0x00, 0x00, 0x00};
    CHECK(Bytes(d[0].begin(), d[0].begin() + 40) == expect_hdr0);
    CHECK(Bytes(d[0].begin() + 40, d[0].begin() + 60) == au);
    CHECK(std::all_of(d[0].begin() + 60, d[0].end(), [](uint8_t b) { return b == 0; }));
    // Parity 0: RTP fields and fecInfo rewritten; flags etc. stay parity bytes.
    // C[0][0] = inv(2) = 0x8E, C[1][0] = inv(3) = 0xF4.
    CHECK(d[1][0] == 0x90);
    CHECK(d[1][2] == 0x00);
    CHECK(d[1][3] == 0x01);  // seq 1
    CHECK(LoadBe32(&d[1][4]) == 0x11223344u);
    CHECK(LoadLe32(&d[1][20]) == 1u);                       // frameIndex rewritten
    CHECK(LoadLe32(&d[1][28]) == 0x00401C80u);              // shard 1
    CHECK(d[1][24] == 0x8D);                                // 0x8E * 0x07
    CHECK(d[1][26] == 0x08);                                // 0x8E * 0x10
    CHECK(d[1][32] == 0x8E);                                // 0x8E * 0x01
    CHECK(d[2][3] == 0x02);
    CHECK(LoadLe32(&d[2][28]) == 0x00402C80u);
    CHECK(d[2][32] == 0xF4);  // 0xF4 * 0x01
    CHECK(pk.next_sequence() == 3);
  }

  TEST_CASE("MultiBlockHeaders") {
    VideoPacketizer pk;
    REQUIRE(pk.Init(PkCfg(256, 20)).ok());  // 240-byte payload
    const size_t shards = 212 * 3 + 5;       // needs 4 blocks at 20 %
    auto au = MakeAu(shards * 240 - 8, 7);
    auto d = Packetize(pk, au, 9, FrameType::kP, 1234);
    const auto& plan = pk.last_plan();
    REQUIRE(plan.blocks == 4);
    size_t k = 0;
    uint32_t prev_spi = 0;
    for (int b = 0; b < 4; ++b) {
      for (int i = 0; i < plan.data[b] + plan.parity[b]; ++i, ++k) {
        const Bytes& x = d[k];
        CAPTURE(k);
        CHECK(LoadBe16(&x[2]) == static_cast<uint16_t>(k));
        CHECK(x[27] == static_cast<uint8_t>((b << 4) | (3 << 6)));
        const uint32_t fi = LoadLe32(&x[28]);
        CHECK(((fi >> 12) & 0x3FF) == static_cast<uint32_t>(i));
        CHECK((fi >> 22) == static_cast<uint32_t>(plan.data[b]));
        CHECK(ClientParityCount(plan.data[b], (fi >> 4) & 0xFF) == plan.parity[b]);
        if (i < plan.data[b]) {
          uint8_t flags = 0x01;
          if (i == 0) flags |= 0x04;
          if (i == plan.data[b] - 1) flags |= 0x02;
          CHECK(x[24] == flags);
          const uint32_t spi = LoadLe32(&x[16]);
          CHECK(spi == (static_cast<uint32_t>(k) << 8));
          if (k > 0) CHECK(spi > prev_spi);
          prev_spi = spi;
        }
      }
    }
    CHECK(k == d.size());
  }

  TEST_CASE("RejectsOversizeAndBadConfig") {
    VideoPacketizer pk;
    CHECK(pk.Packetize(Bytes(10), 1, FrameType::kP, 0, [](std::span<const uint8_t>) {}) ==
          PacketizeStatus::kNotInitialized);
    VideoPacketizerConfig c = PkCfg(256, 20);
    c.max_frame_bytes = 1000;
    REQUIRE(pk.Init(c).ok());
    CHECK(pk.Packetize(Bytes(1001), 1, FrameType::kP, 0, [](std::span<const uint8_t>) {}) ==
          PacketizeStatus::kFrameTooLarge);
    CHECK(pk.stats().frames_too_large == 1);
    CHECK_FALSE(pk.Init(PkCfg(10, 20)).ok());
    CHECK_FALSE(pk.Init(PkCfg(1392, 300)).ok());
  }
}

TEST_SUITE("MoonlightVideoRoundTrip") {
  TEST_CASE("SizesRoundTripWithoutLoss") {
    for (int pct : {0, 20, 50}) {
      VideoPacketizer pk;
      REQUIRE(pk.Init(PkCfg(1392, pct)).ok());
      VideoDepacketizer dp;
      auto dc = DpCfg(1392);
      dc.max_frame_shards = 4 * 1023;
      REQUIRE(dp.Init(dc).ok());
      Collector c;
      uint32_t frame = 1;
      for (size_t n : {size_t{0}, size_t{1}, size_t{1367}, size_t{1368}, size_t{1369}, size_t{100000},
                       size_t{1000000}, size_t{1400000}}) {
        CAPTURE(pct);
        CAPTURE(n);
        auto au = MakeAu(n, static_cast<uint32_t>(n));
        auto d = Packetize(pk, au, frame, frame == 1 ? FrameType::kIdr : FrameType::kP, frame * 1500);
        const size_t before = c.aus.size();
        for (auto& x : d) {
          // Parity arriving after its block or frame completed is late; nothing else may drop.
          const ParseError e = dp.OnDatagram(x, 0, c);
          CHECK((e == ParseError::kOk || e == ParseError::kStaleFrame ||
                 e == ParseError::kBlockDone));
        }
        REQUIRE(c.aus.size() == before + 1);
        CHECK(c.aus.back() == au);
        CHECK(c.frames.back().frame_index == frame);
        CHECK(c.frames.back().rtp_timestamp == frame * 1500);
        ++frame;
      }
      CHECK(dp.stats().frames_lost == 0);
      CHECK_FALSE(dp.TakeIdrRequest());
    }
  }

  TEST_CASE("DropEverySinglePacketRecovers.OneBlock") {
    VideoPacketizer pk;
    REQUIRE(pk.Init(PkCfg(1392, 20)).ok());
    auto au = MakeAu(30000, 3);
    auto d = Packetize(pk, au, 1, FrameType::kIdr);
    REQUIRE(d.size() > 20);
    for (size_t drop = 0; drop < d.size(); ++drop) {
      CAPTURE(drop);
      VideoDepacketizer dp;
      REQUIRE(dp.Init(DpCfg(1392)).ok());
      Collector c;
      for (size_t i = 0; i < d.size(); ++i) {
        if (i != drop) dp.OnDatagram(d[i], 0, c);
      }
      REQUIRE(c.aus.size() == 1);
      CHECK(c.aus[0] == au);
    }
  }

  TEST_CASE("DropEverySinglePacketRecovers.FourBlocks") {
    VideoPacketizer pk;
    REQUIRE(pk.Init(PkCfg(128, 20)).ok());  // 112-byte payload keeps the sweep cheap
    auto au = MakeAu(112 * 800, 4);
    auto d = Packetize(pk, au, 1, FrameType::kIdr);
    REQUIRE(pk.last_plan().blocks == 4);
    VideoDepacketizer dp;
    REQUIRE(dp.Init(DpCfg(128)).ok());
    for (size_t drop = 0; drop < d.size(); ++drop) {
      CAPTURE(drop);
      Collector c;
      const uint32_t frame = static_cast<uint32_t>(drop + 1);
      // Re-stamp the frame index so one depacketizer can take every variant in turn.
      for (size_t i = 0; i < d.size(); ++i) {
        if (i == drop) continue;
        Bytes x = d[i];
        StoreLe32(&x[20], frame);
        const ParseError e = dp.OnDatagram(x, 0, c);
        REQUIRE((e == ParseError::kOk || e == ParseError::kBlockDone ||
                 e == ParseError::kStaleFrame));
      }
      REQUIRE(c.aus.size() == 1);
      CHECK(c.aus[0] == au);
      CHECK(c.frames[0].recovered_shards <= 1);
    }
    CHECK(dp.stats().frames_lost == 0);
  }

  TEST_CASE("RandomLossWithinCapacityRecovers") {
    std::mt19937 rng(12345);
    VideoPacketizer pk;
    REQUIRE(pk.Init(PkCfg(512, 25)).ok());
    VideoDepacketizer dp;
    REQUIRE(dp.Init(DpCfg(512)).ok());
    Collector c;
    for (uint32_t frame = 1; frame <= 60; ++frame) {
      CAPTURE(frame);
      auto au = MakeAu(1000 + rng() % 300000, frame);
      auto d = Packetize(pk, au, frame, frame == 1 ? FrameType::kIdr : FrameType::kP);
      const auto plan = pk.last_plan();
      // Drop up to P shards at random positions in each block.
      std::vector<bool> drop(d.size(), false);
      size_t start = 0;
      for (int b = 0; b < plan.blocks; ++b) {
        const int n = plan.data[b] + plan.parity[b];
        const int lose = plan.parity[b] == 0 ? 0 : static_cast<int>(rng() % (plan.parity[b] + 1));
        std::vector<int> idx(n);
        for (int i = 0; i < n; ++i) idx[i] = i;
        std::shuffle(idx.begin(), idx.end(), rng);
        for (int i = 0; i < lose; ++i) drop[start + idx[i]] = true;
        start += n;
      }
      for (size_t i = 0; i < d.size(); ++i) {
        if (!drop[i]) dp.OnDatagram(d[i], frame * 16000ull, c);
      }
      REQUIRE(c.aus.size() == frame);
      CHECK(c.aus.back() == au);
    }
    CHECK(dp.stats().frames_lost == 0);
    CHECK(dp.stats().frames_recovered > 0);
  }

  TEST_CASE("LossBeyondCapacityNeedsIdr") {
    VideoPacketizer pk;
    REQUIRE(pk.Init(PkCfg(1392, 20)).ok());
    VideoDepacketizer dp;
    REQUIRE(dp.Init(DpCfg(1392)).ok());
    Collector c;
    auto f1 = MakeAu(50000, 1);
    for (auto& x : Packetize(pk, f1, 1, FrameType::kIdr)) dp.OnDatagram(x, 0, c);
    REQUIRE(c.aus.size() == 1);
    CHECK_FALSE(dp.waiting_for_idr());
    // Frame 2: drop P + 1 data shards.
    auto f2 = MakeAu(50000, 2);
    auto d2 = Packetize(pk, f2, 2, FrameType::kP);
    const int p = pk.last_plan().parity[0];
    for (size_t i = static_cast<size_t>(p + 1); i < d2.size(); ++i) dp.OnDatagram(d2[i], 1000, c);
    CHECK(c.aus.size() == 1);
    // Frame 3 (P-frame) arrives complete: frame 2 is superseded, IDR requested, 3 dropped.
    auto f3 = MakeAu(20000, 3);
    for (auto& x : Packetize(pk, f3, 3, FrameType::kP)) dp.OnDatagram(x, 2000, c);
    CHECK(c.aus.size() == 1);
    CHECK(dp.stats().frames_lost == 1);
    CHECK(dp.stats().loss(FrameLoss::kSuperseded) == 1);
    CHECK(dp.stats().frames_dropped_waiting_idr == 1);
    CHECK(dp.TakeIdrRequest());
    CHECK_FALSE(dp.TakeIdrRequest());
    // Late packets of frame 2 are stale now.
    CHECK(dp.OnDatagram(d2[0], 2100, c) == ParseError::kStaleFrame);
    // IDR frame 4 resumes delivery.
    auto f4 = MakeAu(60000, 4);
    for (auto& x : Packetize(pk, f4, 4, FrameType::kIdr)) dp.OnDatagram(x, 3000, c);
    REQUIRE(c.aus.size() == 2);
    CHECK(c.aus[1] == f4);
    CHECK_FALSE(dp.waiting_for_idr());
  }

  TEST_CASE("TimeoutAndSkippedFramesAreLosses") {
    VideoPacketizer pk;
    REQUIRE(pk.Init(PkCfg(1392, 20)).ok());
    VideoDepacketizer dp;
    auto dc = DpCfg(1392);
    dc.frame_timeout_us = 1000;
    REQUIRE(dp.Init(dc).ok());
    Collector c;
    for (auto& x : Packetize(pk, MakeAu(9000, 1), 1, FrameType::kIdr)) dp.OnDatagram(x, 0, c);
    auto d2 = Packetize(pk, MakeAu(9000, 2), 2, FrameType::kP);
    dp.OnDatagram(d2[0], 100, c);
    dp.Poll(5000);
    CHECK(dp.stats().loss(FrameLoss::kTimeout) == 1);
    CHECK(dp.TakeIdrRequest());
    // Frame 5 complete after 3, 4 never seen: counted, delivery waits for IDR.
    (void)Packetize(pk, MakeAu(100, 3), 3, FrameType::kP);
    (void)Packetize(pk, MakeAu(100, 4), 4, FrameType::kP);
    auto au5 = MakeAu(777, 5);
    for (auto& x : Packetize(pk, au5, 5, FrameType::kIdr)) dp.OnDatagram(x, 6000, c);
    CHECK(dp.stats().loss(FrameLoss::kNeverSeen) == 2);
    REQUIRE(c.aus.size() == 2);
    CHECK(c.aus[1] == au5);
  }

  TEST_CASE("DuplicationAndReorderingAcrossFrames") {
    std::mt19937 rng(99);
    VideoPacketizer pk;
    REQUIRE(pk.Init(PkCfg(700, 20)).ok());
    VideoDepacketizer dp;
    auto dc = DpCfg(700);
    dc.frame_slots = 4;
    REQUIRE(dp.Init(dc).ok());
    Collector c;
    std::vector<Bytes> aus;
    for (uint32_t group = 0; group < 10; ++group) {
      // Three frames interleaved, shuffled, with a third of the packets duplicated.
      std::vector<Bytes> pool;
      for (uint32_t j = 0; j < 3; ++j) {
        const uint32_t frame = group * 3 + j + 1;
        aus.push_back(MakeAu(2000 + rng() % 40000, frame));
        auto d = Packetize(pk, aus.back(), frame, frame == 1 ? FrameType::kIdr : FrameType::kP);
        for (auto& x : d) {
          pool.push_back(x);
          if (rng() % 3 == 0) pool.push_back(x);
        }
      }
      // Shuffle within a window so frames complete in order most of the time.
      for (size_t i = 0; i < pool.size(); ++i) {
        const size_t j = std::min(pool.size() - 1, i + rng() % 8);
        std::swap(pool[i], pool[j]);
      }
      for (auto& x : pool) dp.OnDatagram(x, group * 50000ull, c);
    }
    // Every delivered frame is byte-exact, in increasing order.
    for (size_t i = 0; i < c.frames.size(); ++i) {
      const uint32_t f = c.frames[i].frame_index;
      CHECK(c.aus[i] == aus[f - 1]);
      if (i > 0) CHECK(f > c.frames[i - 1].frame_index);
    }
    CHECK(dp.stats().drop(ParseError::kDuplicate) + dp.stats().drop(ParseError::kBlockDone) +
              dp.stats().drop(ParseError::kStaleFrame) >
          0);
    CHECK(c.frames.size() + dp.stats().frames_lost + dp.stats().frames_dropped_waiting_idr == 30);
    CHECK(c.frames.size() >= 20);
  }

  TEST_CASE("SequenceWrap") {
    VideoPacketizer pk;
    auto pc = PkCfg(300, 20);
    pc.first_sequence = 65536u * 255u + 65530u;  // 16-bit and 24-bit counters both near wrap
    REQUIRE(pk.Init(pc).ok());
    VideoDepacketizer dp;
    REQUIRE(dp.Init(DpCfg(300)).ok());
    Collector c;
    for (uint32_t frame = 1; frame <= 6; ++frame) {
      auto au = MakeAu(3000, frame);
      auto d = Packetize(pk, au, frame, frame == 1 ? FrameType::kIdr : FrameType::kP);
      // Drop the first data shard of each frame to force recovery across the wrap.
      for (size_t i = 1; i < d.size(); ++i) dp.OnDatagram(d[i], 0, c);
      REQUIRE(c.aus.size() == frame);
      CHECK(c.aus.back() == au);
    }
    CHECK(pk.next_sequence() > 65536u * 256u);
  }

  TEST_CASE("FrameTooLargeForFecStillRoundTrips") {
    VideoPacketizer pk;
    REQUIRE(pk.Init(PkCfg(128, 20)).ok());
    auto au = MakeAu(112 * 2000, 5);
    auto d = Packetize(pk, au, 1, FrameType::kIdr);
    CHECK(pk.stats().frames_without_fec == 1);
    CHECK(pk.last_plan().blocks == 4);
    CHECK(d.size() == pk.last_plan().total_shards);
    VideoDepacketizer dp;
    auto dc = DpCfg(128);
    dc.max_frame_shards = 4 * 1023;
    REQUIRE(dp.Init(dc).ok());
    Collector c;
    for (auto& x : d) dp.OnDatagram(x, 0, c);
    REQUIRE(c.aus.size() == 1);
    CHECK(c.aus[0] == au);
    // A depacketizer with the default capacity rejects it cleanly.
    VideoDepacketizer small;
    REQUIRE(small.Init(DpCfg(128)).ok());
    Collector c2;
    for (auto& x : d) small.OnDatagram(x, 0, c2);
    CHECK(c2.aus.empty());
    CHECK(small.stats().loss(FrameLoss::kTooLarge) >= 1);
  }

  TEST_CASE("EncryptedRoundTripAndTamper") {
    VideoPacketizer pk;
    auto pc = PkCfg(1392 - 32, 20);
    pc.encrypt = true;
    for (int i = 0; i < 16; ++i) pc.key[i] = static_cast<uint8_t>(i * 3 + 1);
    REQUIRE(pk.Init(pc).ok());
    CHECK(pk.datagram_size() == 1392 + 16);
    VideoDepacketizer dp;
    auto dc = DpCfg(1392 - 32);
    dc.encrypted = true;
    dc.key = pc.key;
    REQUIRE(dp.Init(dc).ok());
    Collector c;
    auto au = MakeAu(40000, 8);
    auto d = Packetize(pk, au, 1, FrameType::kIdr);
    // IV layout: LE64 counter, zeros, 'V'; frame index in clear.
    CHECK(LoadLe64(&d[3][0]) == 3u);
    CHECK(d[3][11] == 'V');
    CHECK(LoadLe32(&d[3][12]) == 1u);
    Bytes bad = d[0];
    bad[40] ^= 1;
    CHECK(dp.OnDatagram(bad, 0, c) == ParseError::kDecryptFailed);
    bad = d[0];
    bad[20] ^= 1;  // tag
    CHECK(dp.OnDatagram(bad, 0, c) == ParseError::kDecryptFailed);
    for (size_t i = 1; i < d.size(); ++i) dp.OnDatagram(d[i], 0, c);  // first one lost
    REQUIRE(c.aus.size() == 1);
    CHECK(c.aus[0] == au);
    // Wrong key: everything rejected.
    VideoDepacketizer other;
    dc.key[0] ^= 0xFF;
    REQUIRE(other.Init(dc).ok());
    for (auto& x : d) CHECK(other.OnDatagram(x, 0, c) == ParseError::kDecryptFailed);
  }

  TEST_CASE("HostileDatagramsNeverCrashOrStall") {
    std::mt19937 rng(4242);
    VideoPacketizer pk;
    REQUIRE(pk.Init(PkCfg(400, 20)).ok());
    VideoDepacketizer dp;
    REQUIRE(dp.Init(DpCfg(400)).ok());
    Collector c;
    uint32_t frame = 1;
    for (int round = 0; round < 30; ++round) {
      // Garbage of every length, truncations and bit flips of real datagrams.
      for (int g = 0; g < 40; ++g) {
        Bytes junk(rng() % 500);
        for (auto& b : junk) b = static_cast<uint8_t>(rng());
        if (!junk.empty() && rng() % 2) junk[0] = 0x90;
        dp.OnDatagram(junk, round * 1000ull, c);
      }
      auto au = MakeAu(5000 + rng() % 20000, frame);
      auto d = Packetize(pk, au, frame, FrameType::kIdr);
      for (auto& x : d) {
        Bytes t(x.begin(), x.begin() + rng() % x.size());
        dp.OnDatagram(t, round * 1000ull, c);
      }
      ++frame;
      // A clean IDR frame after the storm is still delivered (the depacketizer recovers).
      auto au2 = MakeAu(3000, frame);
      auto d2 = Packetize(pk, au2, frame, FrameType::kIdr);
      for (auto& x : d2) dp.OnDatagram(x, round * 1000ull + 1, c);
      REQUIRE_FALSE(c.aus.empty());
      CHECK(c.aus.back() == au2);
      ++frame;
    }
    const auto& st = dp.stats();
    CHECK(st.drop(ParseError::kTruncated) > 0);
    CHECK(st.drop(ParseError::kBadRtpHeader) + st.drop(ParseError::kBadFecInfo) > 0);
  }
}

}  // namespace
}  // namespace lumen::moonlight

namespace lumen::moonlight {
namespace {
TEST_CASE("FuzzRegression.LowPercentMinThree") {
  VideoPacketizer pk;
  VideoPacketizerConfig pc = PkCfg(128, 1);
  pc.min_fec_packets = 3;
  REQUIRE(pk.Init(pc).ok());
  VideoDepacketizer dp;
  auto dc = DpCfg(128);
  dc.frame_slots = 2;
  dc.max_frame_shards = 400;
  REQUIRE(dp.Init(dc).ok());
  Collector c;
  Bytes au(2400);
  for (size_t i = 0; i < au.size(); ++i) au[i] = static_cast<uint8_t>(i * 31);
  auto d = Packetize(pk, au, 1, FrameType::kIdr);
  CAPTURE(pk.last_plan().data[0]);
  CAPTURE(pk.last_plan().parity[0]);
  CAPTURE(pk.last_plan().percent[0]);
  CAPTURE(d.size());
  for (size_t i = 0; i < d.size(); ++i) {
    if (i == 0 || i == 3) continue;
    const ParseError e = dp.OnDatagram(d[i], 0, c);
    CAPTURE(i);
    CHECK((e == ParseError::kOk || e == ParseError::kStaleFrame));
  }
  REQUIRE(c.aus.size() == 1);
  CHECK(c.aus[0] == au);
  Bytes au2(2401);
  for (size_t i = 0; i < au2.size(); ++i) au2[i] = static_cast<uint8_t>(i * 31 + 1);
  auto d2 = Packetize(pk, au2, 2, FrameType::kIdr);
  for (size_t i = 0; i < d2.size(); ++i) {
    const ParseError e = dp.OnDatagram(d2[i], 0, c);
    CAPTURE(i);
    CHECK((e == ParseError::kOk || e == ParseError::kStaleFrame));
  }
  REQUIRE(c.aus.size() == 2);
  CHECK(c.aus[1] == au2);
  CHECK(dp.stats().frames_lost == 0);
}
}  // namespace
}  // namespace lumen::moonlight

namespace lumen::moonlight {
namespace {
TEST_CASE("ResetRestartsFrameNumbering") {
  VideoPacketizer pk;
  REQUIRE(pk.Init(PkCfg(256, 20)).ok());
  VideoDepacketizer dp;
  REQUIRE(dp.Init(DpCfg(256)).ok());
  auto au = MakeAu(5000, 1);
  auto d = Packetize(pk, au, 7, FrameType::kIdr);
  Collector c;
  for (auto& x : d) dp.OnDatagram(x, 0, c);
  REQUIRE(c.aus.size() == 1);
  for (auto& x : d) CHECK(dp.OnDatagram(x, 0, c) == ParseError::kStaleFrame);
  // Leave a partial frame in flight, then reset: the same frame 7 is accepted again.
  auto d2 = Packetize(pk, au, 8, FrameType::kIdr);
  dp.OnDatagram(d2[0], 0, c);
  dp.Reset();
  CHECK(dp.stats().datagrams == 0);
  for (auto& x : d) dp.OnDatagram(x, 0, c);
  REQUIRE(c.aus.size() == 2);
  CHECK(c.aus[1] == au);
}

TEST_CASE("LtrFlagAndMetadataSurviveWithBlocksOutOfOrder") {
  VideoPacketizer pk;
  REQUIRE(pk.Init(PkCfg(128, 20)).ok());
  VideoDepacketizer dp;
  REQUIRE(dp.Init(DpCfg(128)).ok());
  VideoFrameMeta meta;
  meta.frame_index = 3;
  meta.type = FrameType::kIdr;
  meta.rtp_timestamp = 90000;
  meta.host_latency_100us = 57;
  meta.ltr = true;
  auto au = MakeAu(112 * 500, 9);
  std::vector<Bytes> d;
  REQUIRE(pk.Packetize(au, meta, [&](std::span<const uint8_t> x) {
    d.emplace_back(x.begin(), x.end());
  }) == PacketizeStatus::kOk);
  REQUIRE(pk.last_plan().blocks >= 3);
  std::reverse(d.begin(), d.end());  // last block first
  Collector c;
  for (auto& x : d) dp.OnDatagram(x, 0, c);
  REQUIRE(c.aus.size() == 1);
  CHECK(c.aus[0] == au);
  CHECK(c.frames[0].ltr);
  CHECK(c.frames[0].host_latency_100us == 57);
  CHECK(c.frames[0].frame_type == 2);
  CHECK(c.frames[0].rtp_timestamp == 90000u);
  CHECK(c.frames[0].blocks == pk.last_plan().blocks);
}
}  // namespace
}  // namespace lumen::moonlight

namespace lumen::moonlight {
namespace {
TEST_CASE("ReInitNeverReusesGcmIvUnderTheSameKey") {
  VideoPacketizer pk;
  auto pc = PkCfg(256, 20);
  pc.encrypt = true;
  pc.key[0] = 1;
  REQUIRE(pk.Init(pc).ok());
  auto d1 = Packetize(pk, MakeAu(1000, 1), 1, FrameType::kIdr);
  pc.fec_percent = 50;  // reconfigure, same key
  REQUIRE(pk.Init(pc).ok());
  auto d2 = Packetize(pk, MakeAu(1000, 2), 2, FrameType::kP);
  CHECK(LoadLe64(&d2[0][0]) == d1.size());  // IV counter continued
  pc.key[0] = 2;  // new key: counter restarts
  REQUIRE(pk.Init(pc).ok());
  auto d3 = Packetize(pk, MakeAu(1000, 3), 3, FrameType::kP);
  CHECK(LoadLe64(&d3[0][0]) == 0u);
}
}  // namespace
}  // namespace lumen::moonlight
