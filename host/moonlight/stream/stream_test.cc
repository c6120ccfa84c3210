// Video and audio stream senders over loopback UDP with the Moonlight test receivers:
// ping learning, real encoders/decoders, pixel-checked frame counters, Opus decode.
#include <doctest/doctest.h>

#include "clients/moonlight/stream_client.h"
#include "host/moonlight/stream/audio_stream.h"
#include "host/moonlight/stream/video_stream.h"

namespace lumen::moonlight::stream {
namespace {

LaunchSession Launch() {
  LaunchSession s;
  for (int i = 0; i < 16; ++i) s.key[i] = static_cast<uint8_t>(0x50 + i);
  s.key_id = 0x80000001u;
  RandomizeSessionIds(&s);
  return s;
}

StreamConfig Config(VideoCodec codec) {
  StreamConfig c;
  c.width = 640;
  c.height = 360;
  c.fps = 30;
  c.packet_size = 1392;
  c.max_bitrate_kbps = 4000;
  c.encoder_bitrate_kbps = 4000;
  c.fec_percentage = 20;
  c.min_fec_packets = 2;
  c.codec = codec;
  c.ml_feature_flags = kMlFeatureSessionIdV1;
  c.encryption_enabled = kEncControlV2 | kEncAudio;
  c.use_reliable_udp = 13;
  return c;
}

TEST_SUITE("MoonlightStreams") {
  TEST_CASE("audio: nothing before the ping, then encrypted Opus decodes") {
    LaunchSession l = Launch();
    StreamConfig c = Config(VideoCodec::kH264);
    AudioStreamOptions o;
    o.bind = "127.0.0.1:0";
    auto a = AudioStream::Start(o, l, c, SineSource(440));
    REQUIRE_MESSAGE(a.ok(), a.status().ToString());
    CHECK(!(*a)->has_destination());
    client::AudioReceiverConfig rc;
    rc.port = (*a)->local_port();
    rc.ping_payload = l.ping_payload;
    rc.key = l.key;
    rc.key_id = l.key_id;
    auto r = client::AudioReceiver::Start(rc);
    REQUIRE(r.ok());
    CHECK(
        (*r)->WaitFor([](const client::AudioReceiverStats& s) { return s.decoded >= 100; }, 10000));
    auto s = (*r)->stats();
    CHECK(s.decrypt_errors == 0);
    CHECK(s.decode_errors == 0);
    CHECK(s.non_silent > 50);
    CHECK(s.fec_packets > 0);
    CHECK((*a)->stats().pings >= 1);
  }

  TEST_CASE("audio: a ping with the wrong payload is ignored") {
    LaunchSession l = Launch();
    AudioStreamOptions o;
    o.bind = "127.0.0.1:0";
    auto a = AudioStream::Start(o, l, Config(VideoCodec::kH264));
    REQUIRE(a.ok());
    client::AudioReceiverConfig rc;
    rc.port = (*a)->local_port();
    rc.ping_payload = "FFFFFFFFFFFFFFFF";
    auto r = client::AudioReceiver::Start(rc);
    REQUIRE(r.ok());
    CHECK(!(*r)->WaitFor([](const client::AudioReceiverStats& s) { return s.packets > 0; }, 1200));
    CHECK(!(*a)->has_destination());
  }

  TEST_CASE("video: H.264 and HEVC frames decode with increasing stamps; IDR on request") {
    for (VideoCodec codec : {VideoCodec::kH264, VideoCodec::kHevc}) {
      CAPTURE(static_cast<int>(codec));
      LaunchSession l = Launch();
      StreamConfig c = Config(codec);
      VideoStreamOptions o;
      o.bind = "127.0.0.1:0";
      auto v = VideoStream::Start(o, l, c);
      REQUIRE_MESSAGE(v.ok(), v.status().ToString());
      client::VideoReceiverConfig rc;
      rc.port = (*v)->local_port();
      rc.ping_payload = l.ping_payload;
      rc.codec = codec;
      rc.packet_size = c.packet_size;
      auto r = client::VideoReceiver::Start(rc);
      REQUIRE(r.ok());
      CHECK((*r)->WaitFor([](const client::VideoReceiverStats& s) { return s.stamps_ok >= 30; },
                          20000));
      const uint64_t idr_before = (*r)->stats().idr_frames;
      CHECK(idr_before >= 1);
      (*v)->RequestIdr();
      CHECK((*r)->WaitFor(
          [&](const client::VideoReceiverStats& s) { return s.idr_frames > idr_before; }, 5000));
      auto s = (*r)->stats();
      CHECK(s.decode_errors == 0);
      CHECK(s.stamp_errors == 0);
      CHECK(s.stamp_regressions == 0);
      CHECK(s.width == 640);
      CHECK(s.height == 360);
    }
  }
}

}  // namespace
}  // namespace lumen::moonlight::stream
