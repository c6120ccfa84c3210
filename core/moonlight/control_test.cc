// Tests for core/moonlight/control.h: encrypted framing (V2 and legacy IVs, both directions,
// tamper and malformed frames), exact payload bytes per doc §6.4, dispatch, and junk input.
#include "core/moonlight/control.h"

#include <doctest/doctest.h>

#include <random>
#include <vector>

namespace lumen::moonlight::control {
namespace {

using Bytes = std::vector<uint8_t>;

std::array<uint8_t, 16> TestKey() {
  std::array<uint8_t, 16> k{};
  for (int i = 0; i < 16; ++i) k[i] = static_cast<uint8_t>(0xA0 + i);
  return k;
}

template <class M>
Bytes Enc(const M& m) {
  Bytes b(64);
  const size_t n = m.Encode(b);
  REQUIRE(n > 0);
  b.resize(n);
  return b;
}

TEST_SUITE("MoonlightControl") {
  TEST_CASE("IvLayouts") {
    ControlCipher c;
    REQUIRE(c.Init(TestKey(), Direction::kHostToClient, true));
    uint8_t iv[16];
    REQUIRE(c.MakeIv(0x01020304, Direction::kHostToClient, iv) == 12);
    CHECK(Bytes(iv, iv + 12) == Bytes{0x04, 0x03, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 'H', 'C'});
    REQUIRE(c.MakeIv(7, Direction::kClientToHost, iv) == 12);
    CHECK(Bytes(iv, iv + 12) == Bytes{7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'C', 'C'});
    ControlCipher legacy;
    REQUIRE(legacy.Init(TestKey(), Direction::kHostToClient, false));
    REQUIRE(legacy.MakeIv(0x1FF, Direction::kHostToClient, iv) == 16);
    Bytes expect(16, 0);
    expect[0] = 0xFF;
    CHECK(Bytes(iv, iv + 16) == expect);
  }

  TEST_CASE("SealedFrameBytesMatchManualConstruction") {
    ControlCipher host;
    REQUIRE(host.Init(TestKey(), Direction::kHostToClient, true));
    Bytes payload = Enc(Termination{});
    REQUIRE(payload == Bytes{0x80, 0x03, 0x00, 0x23});
    Bytes out(64);
    const size_t n = host.SealWithSeq(5, kTerminationExtended, payload, out);
    REQUIRE(n == 4 + 4 + 16 + 4 + 4);
    out.resize(n);
    CHECK(out[0] == 0x01);
    CHECK(out[1] == 0x00);
    CHECK(LoadLe16(&out[2]) == 4 + 16 + 4 + 4);
    CHECK(LoadLe32(&out[4]) == 5u);
    // Manual: GCM(key, IV {5,0,0,0, 0 x 6, 'H', 'C'}, {09 01 04 00 80 03 00 23}).
    Bytes plain = {0x09, 0x01, 0x04, 0x00, 0x80, 0x03, 0x00, 0x23};
    Bytes iv = {5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'H', 'C'};
    Bytes ct(plain.size());
    uint8_t tag[16];
    REQUIRE(crypto::AesGcmSeal(TestKey(), iv, plain, ct.data(), tag));
    CHECK(Bytes(out.begin() + 8, out.begin() + 24) == Bytes(tag, tag + 16));
    CHECK(Bytes(out.begin() + 24, out.end()) == ct);
  }

  TEST_CASE("RoundTripBothDirectionsAndIvModes") {
    for (bool v2 : {true, false}) {
      ControlCipher host, client;
      REQUIRE(host.Init(TestKey(), Direction::kHostToClient, v2));
      REQUIRE(client.Init(TestKey(), Direction::kClientToHost, v2));
      Bytes buf(256), plain(256);
      for (int i = 0; i < 300; ++i) {
        CAPTURE(i);
        Rumble r{static_cast<uint16_t>(i % 16), static_cast<uint16_t>(i * 100), 0xFFFF};
        Bytes p = Enc(r);
        size_t n = host.Seal(kRumble, p, buf);
        REQUIRE(n > 0);
        ControlFrame f;
        uint32_t seq = 0;
        REQUIRE(client.Open(std::span<const uint8_t>(buf.data(), n), plain, &f, &seq) ==
                ControlError::kOk);
        CHECK(seq == static_cast<uint32_t>(i));
        ClientBoundMessage m;
        REQUIRE(DecodeClientBound(f, &m) == ControlError::kOk);
        const auto& got = std::get<Rumble>(m);
        CHECK(got.controller == r.controller);
        CHECK(got.low_freq == r.low_freq);
        CHECK(got.high_freq == r.high_freq);
        // Client -> host.
        n = client.Seal(kPeriodicPing, Enc(PeriodicPing{}), buf);
        REQUIRE(host.Open(std::span<const uint8_t>(buf.data(), n), plain, &f) == ControlError::kOk);
        CHECK(f.type == kPeriodicPing);
        // A frame does not open in its own sender's direction (V2 IV letters differ).
        if (v2) {
          CHECK(client.Open(std::span<const uint8_t>(buf.data(), n), plain, &f) ==
                ControlError::kDecryptFailed);
        }
      }
      CHECK(host.send_seq() == 300u);
    }
  }

  TEST_CASE("MalformedFramesRejected") {
    ControlCipher host, client;
    REQUIRE(host.Init(TestKey(), Direction::kHostToClient, true));
    REQUIRE(client.Init(TestKey(), Direction::kClientToHost, true));
    Bytes buf(64), plain(64);
    const size_t n = client.Seal(kRequestIdr, Enc(RequestIdr{}), buf);
    buf.resize(n);
    ControlFrame f;
    REQUIRE(host.Open(buf, plain, &f) == ControlError::kOk);
    CHECK(f.type == kRequestIdr);
    for (size_t i = 0; i < buf.size(); ++i) {
      Bytes t = buf;
      t[i] ^= 0x40;
      CAPTURE(i);
      CHECK(host.Open(t, plain, &f) != ControlError::kOk);
    }
    for (size_t len = 0; len < buf.size(); ++len) {
      CHECK(host.Open(std::span<const uint8_t>(buf.data(), len), plain, &f) != ControlError::kOk);
    }
    Bytes v1(4);
    REQUIRE(EncodeV1(kRequestIdr, Enc(RequestIdr{}), v1) == 4);
    CHECK(host.Open(v1, plain, &f) == ControlError::kNotEncrypted);
    Bytes small(4);
    CHECK(host.Open(buf, small, &f) == ControlError::kBufferTooSmall);
    // Inner type 0x0001 is a protocol error.
    Bytes wrapped(64);
    const size_t w = client.Seal(kEncryptedWrapper, Bytes{1, 2}, wrapped);
    wrapped.resize(w);
    CHECK(host.Open(wrapped, plain, &f) == ControlError::kBadInnerType);
  }

  TEST_CASE("PayloadBytes") {
    CHECK(Enc(RequestIdr{}) == Bytes{0, 0});
    CHECK(Enc(StartB{}) == Bytes{0});
    CHECK(Enc(PeriodicPing{}) == Bytes{4, 0, 0, 0, 0, 0, 0, 0});
    CHECK(Enc(InvalidateRefFrames{0x10, 0x12}) ==
          Bytes{0x10, 0, 0, 0, 0, 0, 0, 0, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
    CHECK(Enc(Rumble{1, 0x1234, 0xABCD}) ==
          Bytes{0xEE, 0xFF, 0xC0, 0x00, 0x01, 0x00, 0x34, 0x12, 0xCD, 0xAB});
    CHECK(Enc(RumbleTriggers{2, 0x0102, 0x0304}) == Bytes{2, 0, 2, 1, 4, 3});
    CHECK(Enc(SetMotionEvent{3, 200, 2}) == Bytes{3, 0, 200, 0, 2});
    CHECK(Enc(SetRgbLed{1, 0xFF, 0x80, 0x01}) == Bytes{1, 0, 0xFF, 0x80, 0x01});
    CHECK(Enc(LtrFrameAck{0x01020304}) == Bytes{4, 3, 2, 1, 0, 0, 0, 0});
    Termination legacy;
    legacy.extended = false;
    CHECK(Enc(legacy) == Bytes{0x00, 0x01});
    Termination conv;
    conv.hresult = kTerminationFrameConversion;
    CHECK(Enc(conv) == Bytes{0x80, 0x0E, 0x94, 0x03});
    FecStatus fs;
    fs.frame_index = 0x01020304;
    fs.highest_received_seq = 0x0506;
    fs.received_parity = 0x0708;
    fs.fec_percentage = 20;
    fs.block_index = 1;
    fs.block_count = 4;
    const Bytes fsb = Enc(fs);
    REQUIRE(fsb.size() == 21);
    CHECK(Bytes(fsb.begin(), fsb.begin() + 6) == Bytes{1, 2, 3, 4, 5, 6});
    CHECK(fsb[16] == 7);
    CHECK(fsb[17] == 8);
    CHECK(Bytes(fsb.end() - 3, fsb.end()) == Bytes{20, 1, 4});
    LossStats ls;
    ls.loss_count = 3;
    ls.last_good_frame = 0x99;
    const Bytes lsb = Enc(ls);
    REQUIRE(lsb.size() == 32);
    CHECK(LoadLe32(&lsb[8]) == 1000u);
    CHECK(LoadLe64(&lsb[12]) == 0x99u);
    CHECK(LoadLe32(&lsb[28]) == 0x14u);
    HdrMode h;
    h.enabled = true;
    h.primaries = {34000, 16000, 13250, 34500, 7500, 3000};
    h.white_point = {15635, 16450};
    h.max_display_luminance = 1000;
    h.min_display_luminance = 50;
    h.max_content_light_level = 1000;
    h.max_frame_average_light_level = 400;
    h.max_full_frame_luminance = 600;
    const Bytes hb = Enc(h);
    REQUIRE(hb.size() == 27);
    CHECK(hb[0] == 1);
    CHECK(LoadLe16(&hb[1]) == 34000);
    CHECK(LoadLe16(&hb[15]) == 16450);
    CHECK(LoadLe16(&hb[25]) == 600);
    HdrMode back;
    REQUIRE(HdrMode::Decode(hb, &back) == ControlError::kOk);
    CHECK(back.primaries == h.primaries);
    CHECK(back.max_full_frame_luminance == 600);
    AdaptiveTriggers at;
    at.controller = 1;
    at.event_flags = 0x0C;
    at.left[0] = 9;
    at.right[9] = 7;
    const Bytes ab = Enc(at);
    REQUIRE(ab.size() == 25);
    CHECK(ab[2] == 0x0C);
    CHECK(ab[5] == 9);
    CHECK(ab[24] == 7);
  }

  TEST_CASE("DispatchAndGenerations") {
    CHECK(GenerationForVersion(7, 1, 431) == Generation::kGen7Encrypted);
    CHECK(GenerationForVersion(7, 1, 430) == Generation::kGen7);
    CHECK(GenerationForVersion(7, 2, 0) == Generation::kGen7Encrypted);
    CHECK(TypesFor(Generation::kGen7).start_a == 0x0305);
    CHECK(TypesFor(Generation::kGen7Encrypted).termination == 0x0109);
    const Bytes rfi = Enc(InvalidateRefFrames{5, 9});
    HostBoundMessage m;
    REQUIRE(DecodeHostBound(ControlFrame{kInvalidateRefFrames, rfi}, &m) == ControlError::kOk);
    CHECK(std::get<InvalidateRefFrames>(m).last_frame == 9u);
    const Bytes input = {0, 0, 0, 8, 7, 0, 0, 0, 0, 1, 0, 2};
    REQUIRE(DecodeHostBound(ControlFrame{kInputData, input}, &m) == ControlError::kOk);
    CHECK(std::get<InputPayload>(m).bytes.size() == 12);
    REQUIRE(DecodeHostBound(ControlFrame{kStartALegacy, Bytes{0, 0}}, &m) == ControlError::kOk);
    CHECK(std::holds_alternative<StartA>(m));
    CHECK(DecodeHostBound(ControlFrame{kInvalidateRefFrames, Bytes(23)}, &m) ==
          ControlError::kTruncated);
    CHECK(DecodeHostBound(ControlFrame{0x7777, Bytes{}}, &m) == ControlError::kUnknownType);
    ClientBoundMessage cm = Termination{};
    CHECK(TypeOf(cm, Generation::kGen7Encrypted) == kTerminationExtended);
    Bytes buf(8);
    CHECK(EncodePayload(cm, buf) == 4);
    ClientBoundMessage back;
    REQUIRE(DecodeClientBound(ControlFrame{kTerminationExtended, Bytes{0x80, 0x03, 0x00, 0x23}},
                              &back) == ControlError::kOk);
    CHECK(std::get<Termination>(back).graceful());
    REQUIRE(DecodeClientBound(ControlFrame{kTerminationLegacy, Bytes{0x00, 0x01}}, &back) ==
            ControlError::kOk);
    CHECK(std::get<Termination>(back).graceful());
  }

  TEST_CASE("JunkNeverCrashes") {
    std::mt19937 rng(1);
    ControlCipher host;
    REQUIRE(host.Init(TestKey(), Direction::kHostToClient, true));
    Bytes plain(70000);
    for (int i = 0; i < 5000; ++i) {
      Bytes junk(rng() % 80);
      for (auto& b : junk) b = static_cast<uint8_t>(rng());
      if (junk.size() >= 4 && rng() % 2) {
        junk[0] = 1;
        junk[1] = 0;
        StoreLe16(&junk[2], static_cast<uint16_t>(junk.size() - 4));
      }
      ControlFrame f;
      (void)host.Open(junk, plain, &f);
      if (DecodeV1(junk, &f) == ControlError::kOk) {
        HostBoundMessage hm;
        ClientBoundMessage cm;
        (void)DecodeHostBound(f, &hm);
        (void)DecodeClientBound(f, &cm);
      }
    }
  }
}

}  // namespace
}  // namespace lumen::moonlight::control
