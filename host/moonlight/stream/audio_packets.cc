// Audio RTP packets and fixed-matrix parity (see audio_packets.h).
#include "host/moonlight/stream/audio_packets.h"

#include "core/moonlight/wire.h"

namespace lumen::moonlight::stream {
namespace {

struct Tables {
  uint8_t exp[512];
  uint8_t log[256];
  Tables() {
    int x = 1;
    for (int i = 0; i < 255; ++i) {
      exp[i] = static_cast<uint8_t>(x);
      log[x] = static_cast<uint8_t>(i);
      x <<= 1;
      if (x & 0x100) x ^= 0x11D;
    }
    for (int i = 255; i < 512; ++i) exp[i] = exp[i - 255];
    log[0] = 0;
  }
};
const Tables& T() {
  static const Tables t;
  return t;
}

constexpr uint8_t kRow0[4] = {0x77, 0x40, 0x38, 0x0E};
constexpr uint8_t kRow1[4] = {0xC7, 0xA7, 0x0D, 0x6C};

}  // namespace

uint8_t GfMul(uint8_t a, uint8_t b) noexcept {
  if (a == 0 || b == 0) return 0;
  const Tables& t = T();
  return t.exp[t.log[a] + t.log[b]];
}

void AudioFecEncode(const std::array<const uint8_t*, 4>& data, size_t len, uint8_t* parity0,
                    uint8_t* parity1) noexcept {
  const Tables& t = T();
  uint8_t l0[4], l1[4];
  for (int i = 0; i < 4; ++i) {
    l0[i] = t.log[kRow0[i]];
    l1[i] = t.log[kRow1[i]];
  }
  for (size_t b = 0; b < len; ++b) {
    uint8_t p0 = 0, p1 = 0;
    for (int i = 0; i < 4; ++i) {
      const uint8_t d = data[i][b];
      if (d == 0) continue;
      const int ld = t.log[d];
      p0 ^= t.exp[ld + l0[i]];
      p1 ^= t.exp[ld + l1[i]];
    }
    parity0[b] = p0;
    parity1[b] = p1;
  }
}

void WriteAudioRtpHeader(uint8_t* p, uint16_t seq, uint32_t timestamp_ms) noexcept {
  p[0] = kRtpByte0Audio;
  p[1] = kAudioPayloadType;
  StoreBe16(p + 2, seq);
  StoreBe32(p + 4, timestamp_ms);
  StoreBe32(p + 8, 0);
}

void WriteAudioFecHeader(uint8_t* p, int index, uint16_t base_seq, uint32_t base_ts) noexcept {
  p[0] = kRtpByte0Audio;
  p[1] = kAudioFecPayloadType;
  StoreBe16(p + 2, static_cast<uint16_t>(base_seq + 4 + index));
  StoreBe32(p + 4, 0);
  StoreBe32(p + 8, 0);
  p[12] = static_cast<uint8_t>(index);
  p[13] = kAudioPayloadType;
  StoreBe16(p + 14, base_seq);
  StoreBe32(p + 16, base_ts);
  StoreBe32(p + 20, 0);
}

std::array<uint8_t, 16> AudioIv(uint32_t key_id, uint16_t seq) noexcept {
  std::array<uint8_t, 16> iv{};
  StoreBe32(iv.data(), key_id + seq);
  return iv;
}

}  // namespace lumen::moonlight::stream
