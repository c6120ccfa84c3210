// Tests for the RTSP wire pieces: request parser, response formatter, encrypted framing,
// DESCRIBE body and ANNOUNCE parsing.
#include <doctest/doctest.h>

#include <string>

#include "host/moonlight/rtsp/rtsp_cipher.h"
#include "host/moonlight/rtsp/rtsp_message.h"
#include "host/moonlight/rtsp/sdp.h"

namespace lumen::moonlight::rtsp {
namespace {

// An ANNOUNCE body shaped like moonlight-common-c's SdpGenerator output for a 7.1.431
// Sunshine-style host (note the trailing space after each value).
std::string AnnounceBody(int codec = 0, int channels = 2, int quality = 0) {
  std::string b =
      "v=0\r\no=android 0 14 IN IPv4 127.0.0.1\r\ns=NVIDIA Streaming Client\r\n"
      "a=x-ml-general.featureFlags:3 \r\n"
      "a=x-ss-general.encryptionEnabled:5 \r\n"
      "a=x-ss-video[0].chromaSamplingType:0 \r\n"
      "a=x-nv-video[0].clientViewportWd:1280 \r\n"
      "a=x-nv-video[0].clientViewportHt:720 \r\n"
      "a=x-nv-video[0].maxFPS:60 \r\n"
      "a=x-nv-video[0].packetSize:1392 \r\n"
      "a=x-nv-video[0].rateControlMode:4 \r\n"
      "a=x-nv-video[0].timeoutLengthMs:7000 \r\n"
      "a=x-nv-video[0].framesWithInvalidRefThreshold:0 \r\n"
      "a=x-nv-video[0].initialBitrateKbps:8000 \r\n"
      "a=x-nv-video[0].initialPeakBitrateKbps:8000 \r\n"
      "a=x-nv-vqos[0].bw.minimumBitrateKbps:8000 \r\n"
      "a=x-nv-vqos[0].bw.maximumBitrateKbps:8000 \r\n"
      "a=x-ml-video.configuredBitrateKbps:10000 \r\n"
      "a=x-nv-vqos[0].fec.enable:1 \r\n"
      "a=x-nv-vqos[0].videoQualityScoreUpdateTime:5000 \r\n"
      "a=x-nv-vqos[0].qosTrafficType:5 \r\n"
      "a=x-nv-aqos.qosTrafficType:4 \r\n"
      "a=x-nv-general.featureFlags:167 \r\n"
      "a=x-nv-general.useReliableUdp:13 \r\n"
      "a=x-nv-vqos[0].fec.minRequiredFecPackets:2 \r\n"
      "a=x-nv-vqos[0].bllFec.enable:0 \r\n"
      "a=x-nv-vqos[0].drc.enable:0 \r\n"
      "a=x-nv-general.enableRecoveryMode:0 \r\n"
      "a=x-nv-video[0].videoEncoderSlicesPerFrame:1 \r\n"
      "a=x-nv-vqos[0].bitStreamFormat:" +
      std::to_string(codec) +
      " \r\n"
      "a=x-nv-video[0].dynamicRangeMode:0 \r\n"
      "a=x-nv-video[0].maxNumReferenceFrames:1 \r\n"
      "a=x-nv-video[0].clientRefreshRateX100:6000 \r\n"
      "a=x-nv-audio.surround.numChannels:" +
      std::to_string(channels) +
      " \r\n"
      "a=x-nv-audio.surround.channelMask:3 \r\n"
      "a=x-nv-audio.surround.enable:0 \r\n"
      "a=x-nv-audio.surround.AudioQuality:" +
      std::to_string(quality) +
      " \r\n"
      "a=x-nv-aqos.packetDuration:5 \r\n"
      "a=x-nv-video[0].encoderCscMode:2 \r\n"
      "t=0 0\r\nm=video 47998  \r\n";
  return b;
}

TEST_SUITE("RtspMessage") {
  TEST_CASE("parses a SETUP request with headers") {
    const std::string raw =
        "SETUP streamid=video/0/0 RTSP/1.0\r\nCSeq: 4\r\nX-GS-ClientVersion: 14\r\n"
        "Host: 127.0.0.1\r\nSession: ABCD\r\nTransport: unicast;X-GS-ClientPort=50000-50001\r\n"
        "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT\r\n\r\n";
    Request r;
    size_t used = 0;
    REQUIRE(ParseRequest(raw, &r, &used) == ParseStatus::kOk);
    CHECK(used == raw.size());
    CHECK(r.method == "SETUP");
    CHECK(r.target == "streamid=video/0/0");
    CHECK(r.cseq == 4);
    CHECK(*r.Header("Session") == "ABCD");
    CHECK(!r.Header("session"));
    CHECK(*r.HeaderIgnoreCase("session") == "ABCD");
    CHECK(SetupStreamType(r.target) == "video");
  }

  TEST_CASE("waits for the body by Content-length, in pieces") {
    const std::string body = "v=0\r\na=x:1 \r\n";
    const std::string raw =
        "ANNOUNCE streamid=control/13/0 RTSP/1.0\r\nCSeq: 6\r\n"
        "Content-type: application/sdp\r\nContent-length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    Request r;
    size_t used = 0;
    for (size_t cut = 0; cut < raw.size(); ++cut) {
      CHECK(ParseRequest(std::string_view(raw).substr(0, cut), &r, &used) ==
            ParseStatus::kIncomplete);
    }
    REQUIRE(ParseRequest(raw, &r, &used) == ParseStatus::kOk);
    CHECK(r.body == body);
  }

  TEST_CASE("rejects malformed requests") {
    Request r;
    size_t used = 0;
    CHECK(ParseRequest("GET / HTTP/1.1\r\nCSeq: 1\r\n\r\n", &r, &used) ==
          ParseStatus::kBadRequestLine);
    CHECK(ParseRequest("options x RTSP/1.0\r\nCSeq: 1\r\n\r\n", &r, &used) ==
          ParseStatus::kBadRequestLine);
    CHECK(ParseRequest("OPTIONS x RTSP/1.0\r\nNoColon\r\n\r\n", &r, &used) ==
          ParseStatus::kBadHeader);
    CHECK(ParseRequest("OPTIONS x RTSP/1.0\r\nX: 1\r\n\r\n", &r, &used) ==
          ParseStatus::kMissingCSeq);
    CHECK(ParseRequest("OPTIONS x RTSP/1.0\r\nCSeq: -1\r\n\r\n", &r, &used) ==
          ParseStatus::kMissingCSeq);
    CHECK(ParseRequest("OPTIONS x RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 99999999\r\n\r\n", &r,
                       &used) == ParseStatus::kBodyTooLarge);
    CHECK(ParseRequest("OPTIONS x RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 1x\r\n\r\n", &r, &used) ==
          ParseStatus::kBadContentLength);
    std::string huge = "OPTIONS x RTSP/1.0\r\nCSeq: 1\r\nX: " + std::string(kMaxHeaderBytes, 'a');
    CHECK(ParseRequest(huge, &r, &used) == ParseStatus::kHeaderTooLarge);
    std::string many = "OPTIONS x RTSP/1.0\r\nCSeq: 1\r\n";
    for (size_t i = 0; i < kMaxHeaders + 1; ++i) many += "A: b\r\n";
    CHECK(ParseRequest(many + "\r\n", &r, &used) == ParseStatus::kBadHeader);
  }

  TEST_CASE("formats a response the way the client parser needs") {
    const std::string s =
        FormatResponse(200, "OK", 3, {{"Session", "X;timeout = 90"}, {"Bad\r\n", "v"}}, "body");
    CHECK(s == "RTSP/1.0 200 OK\r\nCSeq: 3\r\nSession: X;timeout = 90\r\n\r\nbody");
  }
}

TEST_SUITE("RtspCipher") {
  TEST_CASE("seal/unseal round trip, direction and tamper checks") {
    AesKey key{};
    for (int i = 0; i < 16; ++i) key[i] = static_cast<uint8_t>(i * 7 + 1);
    const std::string msg = "OPTIONS rtspenc://1.2.3.4:48010 RTSP/1.0\r\nCSeq: 1\r\n\r\n";
    std::string framed = SealRtspMessage(key, 77, 'C', msg);
    CHECK(framed.size() == msg.size() + kEncryptedHeaderBytes);
    CHECK(LooksEncrypted(framed));
    std::string out;
    uint32_t seq = 0;
    size_t used = 0;
    REQUIRE(UnsealRtspMessage(key, 'C', framed, &out, &seq, &used) == UnsealStatus::kOk);
    CHECK(out == msg);
    CHECK(seq == 77);
    CHECK(used == framed.size());
    CHECK(UnsealRtspMessage(key, 'H', framed, &out, &seq, &used) == UnsealStatus::kBadTag);
    for (size_t cut = 0; cut < framed.size(); ++cut) {
      CHECK(UnsealRtspMessage(key, 'C', std::string_view(framed).substr(0, cut), &out, &seq,
                              &used) == UnsealStatus::kIncomplete);
    }
    std::string bad = framed;
    bad[30] ^= 1;
    CHECK(UnsealRtspMessage(key, 'C', bad, &out, &seq, &used) == UnsealStatus::kBadTag);
    CHECK(UnsealRtspMessage(key, 'C', msg, &out, &seq, &used) == UnsealStatus::kNotEncrypted);
    std::string huge("\xff\xff\xff\xff", 4);
    CHECK(UnsealRtspMessage(key, 'C', huge, &out, &seq, &used) == UnsealStatus::kTooLarge);
  }
}

TEST_SUITE("RtspSdp") {
  TEST_CASE("DESCRIBE advertises codecs, encryption and all surround layouts") {
    HostCapabilities caps;
    std::string s = BuildDescribeSdp(caps);
    CHECK(s.find("sprop-parameter-sets=AAAAAU") != std::string::npos);
    CHECK(s.find("AV1/90000") == std::string::npos);
    CHECK(s.find("a=x-ss-general.encryptionSupported:5\n") != std::string::npos);
    CHECK(s.find("a=x-ss-general.encryptionRequested:1\n") != std::string::npos);
    CHECK(s.find("surround-params=642012453") != std::string::npos);
    CHECK(s.find("surround-params=85301245673") != std::string::npos);
    caps.hevc = false;
    caps.av1 = true;
    s = BuildDescribeSdp(caps);
    CHECK(s.find("sprop-parameter-sets=AAAAAU") == std::string::npos);
    CHECK(s.find("a=rtpmap:98 AV1/90000") != std::string::npos);
  }

  TEST_CASE("the normal-quality surround lines un-rotate to the identity mapping") {
    // The client moves the last mapping entry to index 3 (protocol doc §8.3).
    for (std::string line : {"642012453", "85301245673"}) {
      const int c = line[0] - '0';
      std::string m = line.substr(3);
      char last = m.back();
      m.pop_back();
      m.insert(m.begin() + 3, last);
      std::string identity;
      for (int i = 0; i < c; ++i) identity += static_cast<char>('0' + i);
      CHECK(m == identity);
    }
  }

  TEST_CASE("ANNOUNCE from a current client") {
    AnnouncePolicy policy;
    auto c = ParseAnnounce(AnnounceBody(), "127.0.0.1", policy);
    REQUIRE(c.ok());
    CHECK(c->width == 1280);
    CHECK(c->height == 720);
    CHECK(c->fps == 60);
    CHECK(c->refresh_rate_x100 == 6000);
    CHECK(c->packet_size == 1392);
    CHECK(c->codec == VideoCodec::kH264);
    CHECK(c->min_fec_packets == 2);
    CHECK(c->fec_percentage == 20);
    CHECK(c->max_reference_frames == 1);
    CHECK(c->encoder_csc_mode == 2);
    CHECK(c->control_encrypted());
    CHECK(c->control_v2());
    CHECK(c->audio_encrypted());
    CHECK(!c->video_encrypted());
    CHECK(c->ml_feature_flags == 3);
    CHECK(c->audio_channels == 2);
    CHECK(c->audio_high_quality);  // stereo HQ: Host is a real address
    CHECK(c->audio_packet_duration_ms == 5);
    // 10000 * 0.8 = 8000; - min(512, 1600) = 7488; - min(500, 748) = 6988.
    CHECK(c->encoder_bitrate_kbps == 6988);

    auto nq = ParseAnnounce(AnnounceBody(), "0.0.0.0", policy);
    REQUIRE(nq.ok());
    CHECK(!nq->audio_high_quality);
  }

  TEST_CASE("ANNOUNCE codec and policy checks") {
    AnnouncePolicy policy;
    auto hevc = ParseAnnounce(AnnounceBody(1), "", policy);
    REQUIRE(hevc.ok());
    CHECK(hevc->codec == VideoCodec::kHevc);
    CHECK(ParseAnnounce(AnnounceBody(2), "", policy).status().code() ==
          absl::StatusCode::kInvalidArgument);
    CHECK(ParseAnnounce(AnnounceBody(3), "", policy).status().code() ==
          absl::StatusCode::kInvalidArgument);
    policy.allow_hevc = false;
    CHECK(!ParseAnnounce(AnnounceBody(1), "", policy).ok());
    CHECK(ParseAnnounce(AnnounceBody(0, 4), "", policy).status().code() ==
          absl::StatusCode::kInvalidArgument);
    auto surround = ParseAnnounce(AnnounceBody(0, 6, 1), "", policy);
    REQUIRE(surround.ok());
    CHECK(surround->audio_high_quality);
  }

  TEST_CASE("ANNOUNCE missing required attribute -> InvalidArgument") {
    std::string body = AnnounceBody();
    const std::string key = "a=x-nv-video[0].maxFPS:60 \r\n";
    body.erase(body.find(key), key.size());
    auto c = ParseAnnounce(body, "", AnnouncePolicy{});
    CHECK(c.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(std::string(c.status().message()).find("maxFPS") != std::string::npos);
  }

  TEST_CASE("ANNOUNCE encryption policy") {
    AnnouncePolicy policy;
    policy.require_encryption = true;
    std::string body = AnnounceBody();
    CHECK(ParseAnnounce(body, "", policy).ok());
    std::string plain = body;
    plain.replace(plain.find("useReliableUdp:13"), 17, "useReliableUdp:1");
    CHECK(ParseAnnounce(plain, "", policy).status().code() == absl::StatusCode::kPermissionDenied);
    std::string video = body;
    video.replace(video.find("encryptionEnabled:5"), 19, "encryptionEnabled:7");
    CHECK(ParseAnnounce(video, "", AnnouncePolicy{}).status().code() ==
          absl::StatusCode::kPermissionDenied);
  }
}

}  // namespace
}  // namespace lumen::moonlight::rtsp
