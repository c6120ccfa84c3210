// Tests for host/audio/opus_encoder.h with the real libopus decoder: every layout routes a
// tone in canonical channel c back out of channel c, packets are CBR, bad input rejected.
#include "host/audio/opus_encoder.h"

#include <doctest/doctest.h>
#include <opus/opus_multistream.h>

#include <cmath>
#include <vector>

namespace lumen::audio {
namespace {

struct Energies {
  std::vector<double> per_channel;
};

// Encodes `frames` frames of a 120 Hz tone (low enough for the LFE stream) in channel `tone_ch`, decodes, returns the
// per-channel energy of the decoded second half.
Energies RoundTrip(const OpusConfig& cfg, int tone_ch, int frames, std::vector<size_t>* sizes) {
  auto enc = OpusEncoder::Create(cfg);
  REQUIRE_MESSAGE(enc.ok(), enc.status().ToString());
  const OpusLayout& L = (*enc)->layout();
  int err = 0;
  OpusMSDecoder* dec = opus_multistream_decoder_create(kSampleRate, L.channels, L.streams,
                                                       L.coupled, L.mapping.data(), &err);
  REQUIRE(err == OPUS_OK);
  const int ch = cfg.channels, n = cfg.frame_samples;
  std::vector<float> pcm(size_t(n) * ch), out(size_t(n) * ch);
  std::vector<uint8_t> pkt(1400);
  Energies e;
  e.per_channel.assign(ch, 0.0);
  for (int f = 0; f < frames; ++f) {
    for (int s = 0; s < n; ++s) {
      const double t = double(f * n + s) / kSampleRate;
      for (int c = 0; c < ch; ++c) {
        pcm[size_t(s) * ch + c] = c == tone_ch ? float(0.5 * std::sin(2 * M_PI * 120 * t)) : 0.f;
      }
    }
    auto len = (*enc)->Encode(pcm, pkt);
    REQUIRE(len.ok());
    if (sizes) sizes->push_back(*len);
    const int got = opus_multistream_decode_float(dec, pkt.data(), opus_int32(*len), out.data(), n, 0);
    REQUIRE(got == n);
    if (f >= frames / 2) {
      for (int s = 0; s < n; ++s) {
        for (int c = 0; c < ch; ++c) e.per_channel[c] += double(out[size_t(s) * ch + c]) * out[size_t(s) * ch + c];
      }
    }
  }
  opus_multistream_decoder_destroy(dec);
  return e;
}

TEST_SUITE("OpusEncoder") {
  TEST_CASE("EveryLayoutRoutesEachChannel") {
    for (int channels : {2, 6, 8}) {
      for (bool hq : {false, true}) {
        for (int frame : {240, 480, 960}) {
          OpusConfig cfg{channels, hq, frame, 0};
          if (!OpusEncoder::Create(cfg).ok()) {
            // Only combinations whose packets would not fit a datagram may be refused.
            CHECK(int64_t(OpusEncoder::Create({channels, hq, 240, 0}).value()->layout().bitrate_bps) *
                      frame / 48000 / 8 > int64_t(kMaxOpusPacketBytes));
            continue;
          }
          for (int c = 0; c < channels; ++c) {
            CAPTURE(channels);
            CAPTURE(hq);
            CAPTURE(frame);
            CAPTURE(c);
            // 200 ms of audio whatever the frame size.
            const Energies e = RoundTrip(cfg, c, 9600 / frame, nullptr);
            double others = 0;
            for (int k = 0; k < channels; ++k) {
              if (k != c) others = std::max(others, e.per_channel[k]);
            }
            INFO("energies: " << e.per_channel[0] << " " << e.per_channel[1] << " " << e.per_channel[2] << " " << e.per_channel[3]);
            CHECK(e.per_channel[c] > 1.0);
            CHECK(e.per_channel[c] > 20 * others);
          }
        }
      }
    }
  }

  TEST_CASE("MoonlightLayouts") {
    auto stereo = OpusEncoder::Create({2, false, 240, 0});
    REQUIRE(stereo.ok());
    CHECK((*stereo)->layout().streams == 1);
    CHECK((*stereo)->layout().coupled == 1);
    CHECK((*stereo)->layout().bitrate_bps == 96000);
    auto s51 = OpusEncoder::Create({6, false, 240, 0});
    REQUIRE(s51.ok());
    CHECK((*s51)->layout().streams == 4);
    CHECK((*s51)->layout().coupled == 2);
    CHECK((*s51)->layout().bitrate_bps == 256000);
    auto s71 = OpusEncoder::Create({8, false, 240, 0});
    REQUIRE(s71.ok());
    CHECK((*s71)->layout().streams == 5);
    CHECK((*s71)->layout().coupled == 3);
    CHECK((*s71)->layout().bitrate_bps == 450000);
    auto hq71 = OpusEncoder::Create({8, true, 240, 0});
    REQUIRE(hq71.ok());
    CHECK((*hq71)->layout().streams == 8);
    CHECK((*hq71)->layout().coupled == 0);
    CHECK((*hq71)->layout().bitrate_bps == 2048000);
    for (int i = 0; i < 8; ++i) CHECK((*hq71)->layout().mapping[i] == i);
  }

  TEST_CASE("PacketsAreConstantBitrate") {
    std::vector<size_t> sizes;
    RoundTrip({2, false, 240, 0}, 0, 40, &sizes);
    for (size_t s : sizes) CHECK(s == sizes[0]);
    CHECK(sizes[0] == 96000 / 8 / 200);  // 60 bytes per 5 ms at 96 kbps
  }

  TEST_CASE("RejectsBadInput") {
    CHECK(OpusEncoder::Create({3, false, 240, 0}).status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(OpusEncoder::Create({2, false, 100, 0}).status().code() == absl::StatusCode::kInvalidArgument);
    auto enc = OpusEncoder::Create({2, false, 240, 0});
    REQUIRE(enc.ok());
    std::vector<float> pcm(100);
    std::vector<uint8_t> out(1400);
    CHECK((*enc)->Encode(pcm, out).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace lumen::audio
