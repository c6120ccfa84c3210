// Tests for host/audio/audio_source.h: Opus silence at the right cadence without
// PipeWire, and real capture of a tone played with pw-cat into a null sink's monitor.
#include "host/audio/audio_source.h"

#include <doctest/doctest.h>
#include <opus/opus_multistream.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "host/capture/pw_test_services.h"

namespace lumen::audio {
namespace {

class Decoder {
 public:
  explicit Decoder(const OpusLayout& L) {
    int err = 0;
    dec_ = opus_multistream_decoder_create(kSampleRate, L.channels, L.streams, L.coupled,
                                           L.mapping.data(), &err);
    REQUIRE(err == OPUS_OK);
    ch_ = L.channels;
  }
  ~Decoder() { opus_multistream_decoder_destroy(dec_); }
  // Returns RMS of the decoded packet; *samples gets the per-channel count.
  double Rms(const std::vector<uint8_t>& pkt, int* samples) {
    std::vector<float> out(size_t(960) * ch_);
    *samples = opus_multistream_decode_float(dec_, pkt.data(), opus_int32(pkt.size()), out.data(), 960, 0);
    double e = 0;
    for (int i = 0; i < *samples * ch_; ++i) e += double(out[i]) * out[i];
    return *samples > 0 ? std::sqrt(e / (*samples * ch_)) : -1;
  }

 private:
  OpusMSDecoder* dec_ = nullptr;
  int ch_ = 0;
};

// Writes a 48 kHz stereo s16 WAV with a 440 Hz tone.
void WriteToneWav(const std::string& path, double seconds) {
  const int n = int(seconds * 48000);
  std::vector<int16_t> pcm(size_t(n) * 2);
  for (int i = 0; i < n; ++i) {
    const int16_t v = int16_t(12000 * std::sin(2 * M_PI * 440 * i / 48000.0));
    pcm[2 * i] = pcm[2 * i + 1] = v;
  }
  std::ofstream f(path, std::ios::binary);
  auto u32 = [&](uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
  const uint32_t data = uint32_t(pcm.size() * 2);
  f.write("RIFF", 4);
  u32(36 + data);
  f.write("WAVEfmt ", 8);
  u32(16);
  u16(1);
  u16(2);
  u32(48000);
  u32(48000 * 4);
  u16(4);
  u16(16);
  f.write("data", 4);
  u32(data);
  f.write(reinterpret_cast<const char*>(pcm.data()), data);
}

TEST_SUITE("AudioSource") {
  TEST_CASE("SilenceAtTheRightCadenceWithoutPipeWire") {
    for (int frame : {240, 480, 960}) {
      CAPTURE(frame);
      AudioSourceConfig cfg;
      cfg.use_pipewire = false;
      cfg.opus.frame_samples = frame;
      auto src = AudioSource::Start(cfg);
      REQUIRE(src.ok());
      CHECK_FALSE((*src)->capturing());
      CHECK_FALSE((*src)->fallback_reason().empty());
      Decoder dec((*src)->layout());
      AudioPacket p;
      uint64_t first_ts = 0;
      const int count = 12;
      for (int i = 0; i < count; ++i) {
        REQUIRE((*src)->NextPacket(&p).ok());
        CHECK(p.seq == uint64_t(i + 1));
        CHECK(p.pts_samples == uint64_t(i) * frame);
        CHECK(p.silence);
        if (i == 0) first_ts = p.capture_ts_ns;
        // Packets are due on a fixed grid (no drift), at frame/48 kHz intervals.
        CHECK(p.capture_ts_ns - first_ts == uint64_t(i) * frame * 1000000000ull / 48000);
        int samples = 0;
        CHECK(dec.Rms(p.data, &samples) < 1e-3);
        CHECK(samples == frame);
      }
      CHECK((*src)->stats().packets == uint64_t(count));
      CHECK((*src)->stats().silent_packets == uint64_t(count));
    }
  }

  TEST_CASE("SurroundSilence") {
    for (int ch : {6, 8}) {
      AudioSourceConfig cfg;
      cfg.use_pipewire = false;
      cfg.opus.channels = ch;
      auto src = AudioSource::Start(cfg);
      REQUIRE(src.ok());
      Decoder dec((*src)->layout());
      AudioPacket p;
      REQUIRE((*src)->NextPacket(&p).ok());
      int samples = 0;
      CHECK(dec.Rms(p.data, &samples) < 1e-3);
      CHECK(samples == 240);
    }
  }

  TEST_CASE("NoDaemonMeansSilenceNotFailure") {
    // Point PipeWire at an empty runtime dir: the connection fails, silence follows.
    const char* old = std::getenv("XDG_RUNTIME_DIR");
    const std::string saved = old ? old : "";
    char dir[] = "/tmp/lumen-nopw.XXXXXX";
    REQUIRE(mkdtemp(dir) != nullptr);
    setenv("XDG_RUNTIME_DIR", dir, 1);
    const char* remote = std::getenv("PIPEWIRE_REMOTE");
    const std::string saved_remote = remote ? remote : "";
    unsetenv("PIPEWIRE_REMOTE");
    {
      auto src = AudioSource::Start(AudioSourceConfig{});
      REQUIRE(src.ok());
      CHECK_FALSE((*src)->capturing());
      MESSAGE("reason: " << (*src)->fallback_reason());
      AudioPacket p;
      REQUIRE((*src)->NextPacket(&p).ok());
      CHECK(p.silence);
    }
    if (old) setenv("XDG_RUNTIME_DIR", saved.c_str(), 1); else unsetenv("XDG_RUNTIME_DIR");
    if (remote) setenv("PIPEWIRE_REMOTE", saved_remote.c_str(), 1);
    rmdir(dir);
  }

  TEST_CASE("CapturesToneFromNullSinkMonitor") {
    auto env = capture::EnsurePipeWireTestServices();
    if (!env.ok()) {
      MESSAGE("SKIPPED: PipeWire cannot start here: " << env.status().ToString());
      return;
    }
    REQUIRE_FALSE(env->audio_sink.empty());
    AudioSourceConfig cfg;
    cfg.target = env->audio_sink;
    auto src = AudioSource::Start(cfg);
    REQUIRE(src.ok());
    REQUIRE_MESSAGE((*src)->capturing(), (*src)->fallback_reason());
    const std::string tmp = std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp";
    const std::string wav = tmp + "/lumen-tone-" + std::to_string(getpid()) + ".wav";
    WriteToneWav(wav, 3.0);
    const std::string cmd = "pw-cat --playback --target '" + env->audio_sink + "' '" + wav +
                            "' >/dev/null 2>&1 &";
    REQUIRE(std::system(cmd.c_str()) == 0);
    Decoder dec((*src)->layout());
    AudioPacket p;
    int loud = 0, packets = 0;
    // Up to 3 s of packets; stop once a good run of the tone has come through.
    for (; packets < 600 && loud < 40; ++packets) {
      REQUIRE((*src)->NextPacket(&p).ok());
      int samples = 0;
      const double rms = dec.Rms(p.data, &samples);
      CHECK(samples == 240);
      if (rms > 0.05) ++loud;
    }
    const AudioSourceStats st = (*src)->stats();
    MESSAGE("packets=" << packets << " loud=" << loud << " captured=" << st.captured_samples
                       << " underrun=" << st.underrun_samples << " dropped=" << st.dropped_samples);
    CHECK(loud >= 40);
    CHECK(st.captured_samples > 0);
    std::remove(wav.c_str());
  }
}

}  // namespace
}  // namespace lumen::audio
