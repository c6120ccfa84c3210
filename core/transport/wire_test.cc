// Tests for core/transport/wire.h: known encodings, round trips, hostile headers.
#include "core/transport/wire.h"

#include <doctest/doctest.h>

#include <cstring>
#include <vector>

namespace lumen::transport {
namespace {

ShardHeader SampleHeader() {
  ShardHeader h;
  h.common.flags = kFlagKeyframe;
  h.common.payload_len = 1344;
  h.common.session_id = 0xA1B2C3D4;
  h.common.packet_number = 0x0102030405060708ull;
  h.frame_id = 0xFFFFFFFE;
  h.shard_index = 3120;
  h.k = 3121;
  h.m = 625;
  h.stream = StreamId::kVideo;
  h.frame_len = 4u << 20;  // 4 MiB -> 3121 shards of 1344
  return h;
}

std::vector<uint8_t> Datagram(const ShardHeader& h) {
  std::vector<uint8_t> d(kShardHeaderBytes + h.common.payload_len + kTagBytes, 0);
  WriteShardHeader(h, d.data());
  return d;
}

TEST_SUITE("LumenWire") {
  TEST_CASE("LumenWire.KnownEncoding") {
    const auto d = Datagram(SampleHeader());
    const uint8_t expect[32] = {0x11, 0x01, 0x05, 0x40, 0xA1, 0xB2, 0xC3, 0xD4, 0x01, 0x02, 0x03,
                                0x04, 0x05, 0x06, 0x07, 0x08, 0xFF, 0xFF, 0xFF, 0xFE, 0x0C, 0x30,
                                0x0C, 0x31, 0x02, 0x71, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00};
    CHECK(std::memcmp(d.data(), expect, 32) == 0);
  }

  TEST_CASE("LumenWire.RoundTrip") {
    const ShardHeader h = SampleHeader();
    const auto d = Datagram(h);
    ShardHeader p;
    DropReason r{};
    REQUIRE(ParseShardHeader(d.data(), d.size(), kMaxShardBytes, &p, &r));
    CHECK(p.common.version == kWireVersion);
    CHECK(p.common.type == PacketType::kShard);
    CHECK(p.common.flags == h.common.flags);
    CHECK(p.common.payload_len == h.common.payload_len);
    CHECK(p.common.session_id == h.common.session_id);
    CHECK(p.common.packet_number == h.common.packet_number);
    CHECK(p.frame_id == h.frame_id);
    CHECK(p.shard_index == h.shard_index);
    CHECK(p.k == h.k);
    CHECK(p.m == h.m);
    CHECK(p.frame_len == h.frame_len);
  }

  TEST_CASE("LumenWire.ShardSizeFromBudget") {
    CHECK(ShardBytesForBudget(1408) == 1344);
    CHECK(ShardDatagramBytes(1344) == 1392);
    CHECK(ShardBytesForBudget(1500) == 1408);
    CHECK(ShardBytesForBudget(111) == 0);
    CHECK(ShardBytesForBudget(112) == 64);
    CHECK(ShardBytesForBudget(1 << 20) == kMaxShardBytes);
    for (size_t b = 112; b < 9000; b += 7) {
      const size_t s = ShardBytesForBudget(b);
      CAPTURE(b);
      CHECK(s % 64 == 0);
      CHECK(ShardDatagramBytes(s) <= b);
      CHECK(ShardDatagramBytes(s + 64) > b);
    }
  }

  TEST_CASE("LumenWire.FrameIdWrap") {
    CHECK(FrameIdNewer(1, 0));
    CHECK_FALSE(FrameIdNewer(0, 1));
    CHECK_FALSE(FrameIdNewer(5, 5));
    CHECK(FrameIdNewer(0, 0xFFFFFFFF));
    CHECK(FrameIdNewer(2, 0xFFFFFFFD));
    CHECK_FALSE(FrameIdNewer(0xFFFFFFFD, 2));
    CHECK(FrameIdNewer(0x7FFFFFFF, 0));
    CHECK_FALSE(FrameIdNewer(0x80000000, 0));
  }

  TEST_CASE("LumenWire.HostileHeadersRejected") {
    const ShardHeader good = SampleHeader();
    auto reason_of = [](std::vector<uint8_t> d, size_t max_shard = kMaxShardBytes) {
      ShardHeader p;
      DropReason r = DropReason::kCount;
      const bool ok = ParseShardHeader(d.data(), d.size(), max_shard, &p, &r);
      return ok ? DropReason::kCount : r;
    };
    // Truncations of every length.
    const auto full = Datagram(good);
    for (size_t n = 0; n < full.size(); n += (n < 64 ? 1 : 97)) {
      std::vector<uint8_t> d(full.begin(), full.begin() + n);
      CAPTURE(n);
      const DropReason r = reason_of(d);
      CHECK((r == DropReason::kTooShort || r == DropReason::kBadLength));
    }
    {
      auto d = full;
      d[0] = 0x21;  // version 2
      CHECK(reason_of(d) == DropReason::kBadVersion);
      d[0] = 0x13;  // type 3
      CHECK(reason_of(d) == DropReason::kBadType);
      d[0] = 0x12;  // feedback type: its 16-byte header makes the length wrong
      CHECK(reason_of(d) == DropReason::kBadLength);
    }
    {
      auto d = full;
      d.push_back(0);  // one byte too long
      CHECK(reason_of(d) == DropReason::kBadLength);
    }
    CHECK(reason_of(full, 1280) == DropReason::kBadShardSize);
    {
      ShardHeader h = good;
      h.common.payload_len = 100;  // not a multiple of 64
      CHECK(reason_of(Datagram(h)) == DropReason::kBadShardSize);
      h.common.payload_len = 0;
      CHECK(reason_of(Datagram(h)) == DropReason::kBadShardSize);
    }
    {
      ShardHeader h = good;
      h.k = 0;
      CHECK(reason_of(Datagram(h)) == DropReason::kBadShardCounts);
      h = good;
      h.k = 65535;
      h.m = 1;
      CHECK(reason_of(Datagram(h)) == DropReason::kBadShardCounts);
      h = good;
      h.shard_index = uint16_t(h.k + h.m);
      CHECK(reason_of(Datagram(h)) == DropReason::kBadShardCounts);
    }
    {
      ShardHeader h = good;
      h.frame_len = 0;
      CHECK(reason_of(Datagram(h)) == DropReason::kBadFrameLength);
      h.frame_len = uint32_t(h.k) * 1344 + 1;  // more than k shards hold
      CHECK(reason_of(Datagram(h)) == DropReason::kBadFrameLength);
      h.frame_len = uint32_t(h.k - 1) * 1344;  // fits in k - 1 shards
      CHECK(reason_of(Datagram(h)) == DropReason::kBadFrameLength);
      h.frame_len = uint32_t(h.k - 1) * 1344 + 1;
      CHECK(reason_of(Datagram(h)) == DropReason::kCount);
    }
    {
      CommonHeader c;
      DropReason r{};
      CHECK_FALSE(ParseCommonHeader(nullptr, 100, &c, &r));
      CHECK(r == DropReason::kTooShort);
    }
  }

  TEST_CASE("LumenWire.DropReasonNames") {
    for (int i = 0; i < int(DropReason::kCount); ++i) {
      CHECK(std::strcmp(DropReasonName(DropReason(i)), "?") != 0);
    }
  }
}

}  // namespace
}  // namespace lumen::transport
