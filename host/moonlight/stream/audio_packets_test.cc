// Audio RTP/FEC packets: the §8.5 parity test vector, header bytes, IV, ping matching.
#include <doctest/doctest.h>

#include "host/moonlight/stream/audio_packets.h"
#include "host/moonlight/stream/ping.h"

namespace lumen::moonlight::stream {
namespace {

TEST_SUITE("MoonlightAudioPackets") {
  TEST_CASE("fixed-matrix parity matches the protocol doc vector") {
    const uint8_t d0 = 1, d1 = 2, d2 = 3, d3 = 4;
    uint8_t p0 = 0, p1 = 0;
    AudioFecEncode({&d0, &d1, &d2, &d3}, 1, &p0, &p1);
    CHECK(p0 == 0x87);
    CHECK(p1 == 0x2E);
    CHECK(GfMul(0x8E, 1) == 0x8E);
    CHECK(GfMul(2, 0x80) == 0x1D);  // reduction by 0x11D
  }

  TEST_CASE("RTP and FEC headers") {
    uint8_t h[24];
    WriteAudioRtpHeader(h, 0x1234, 0xA0B0C0D0);
    CHECK(h[0] == 0x80);
    CHECK(h[1] == 97);
    CHECK(h[2] == 0x12);
    CHECK(h[3] == 0x34);
    CHECK(h[4] == 0xA0);
    CHECK(h[7] == 0xD0);
    WriteAudioFecHeader(h, 1, 8, 40);
    CHECK(h[1] == 127);
    CHECK(h[3] == 13);  // seq = base + 4 + index
    CHECK(h[12] == 1);
    CHECK(h[13] == 97);
    CHECK(h[15] == 8);
    CHECK(h[19] == 40);
  }

  TEST_CASE("CBC IV wraps and uses rikeyid + seq big-endian") {
    auto iv = AudioIv(0xFFFFFFFFu, 2);
    CHECK(iv[0] == 0);
    CHECK(iv[3] == 1);
    for (int i = 4; i < 16; ++i) CHECK(iv[i] == 0);
  }

  TEST_CASE("ping matching") {
    uint8_t ping[kSsPingSize];
    MakeSsPing("0123456789ABCDEF", 7, ping);
    CHECK(IsSessionPing(ping, "0123456789ABCDEF"));
    CHECK(!IsSessionPing(ping, "0123456789ABCDEE"));
    CHECK(!IsSessionPing(std::span<const uint8_t>(ping, 19), "0123456789ABCDEF"));
    const uint8_t legacy[4] = {'P', 'I', 'N', 'G'};
    CHECK(IsSessionPing(legacy, ""));
    CHECK(!IsSessionPing(legacy, "0123456789ABCDEF"));
    CHECK(ping[19] == 7);
  }
}

}  // namespace
}  // namespace lumen::moonlight::stream
