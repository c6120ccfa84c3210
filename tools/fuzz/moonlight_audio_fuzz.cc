// libFuzzer target for lumen::moonlight::AudioDepacketizer (and the packetizer in structured
// mode). Input layout:
//   [0] flags: bit0 structured, bit1 encrypted
//   raw mode:        rest = up to 64 datagrams, each [LE16 len][len bytes]
//   structured mode: [1] Opus packet size (1..255), rest = one op byte per datagram
//                    (low 2 bits: 0-1 keep, 2 drop, 3 duplicate).
// Invariant in structured mode (24 packets = 6 blocks, in order): when every block of 6
// datagrams lost at most 2, all 24 Opus packets come out byte-exact and in sequence order
// (recovery happens as soon as a block's 4th shard arrives).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/moonlight/audio.h"

namespace {

using lumen::moonlight::AudioDepacketizer;
using lumen::moonlight::AudioDepacketizerConfig;
using lumen::moonlight::AudioPacket;
using lumen::moonlight::AudioPacketizer;
using lumen::moonlight::AudioPacketizerConfig;

[[noreturn]] void Fail() { __builtin_trap(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* in, size_t size) {
  if (size < 1) return 0;
  const bool enc = in[0] & 2;
  AudioDepacketizerConfig dc;
  dc.encrypted = enc;
  dc.rikeyid = 0xFFFFFFF0u;
  AudioDepacketizer dp;
  if (!dp.Init(dc).ok()) Fail();
  if (!(in[0] & 1)) {
    size_t at = 1;
    uint64_t now = 0;
    for (int n = 0; n < 64 && at + 2 <= size; ++n) {
      size_t len = in[at] | (size_t{in[at + 1]} << 8);
      at += 2;
      if (len > size - at) len = size - at;
      dp.OnDatagram(std::span<const uint8_t>(in + at, len), now, [](const AudioPacket& p) {
        volatile size_t sink = p.opus.size();
        (void)sink;
      });
      at += len;
      now += 7000;
    }
    return 0;
  }
  if (size < 2) return 0;
  AudioPacketizerConfig pc;
  pc.encrypt = enc;
  pc.rikeyid = dc.rikeyid;
  pc.first_sequence = 65528;  // crosses the 16-bit wrap
  AudioPacketizer pk;
  if (!pk.Init(pc).ok()) Fail();
  const size_t opus_len = 1 + in[1] % 255;
  std::vector<std::vector<uint8_t>> sent, dgrams;
  for (int i = 0; i < 24; ++i) {
    sent.emplace_back(opus_len, static_cast<uint8_t>(i * 7));
    sent.back()[0] = static_cast<uint8_t>(i);
    pk.Packetize(sent.back(), [&](std::span<const uint8_t> d) {
      dgrams.emplace_back(d.begin(), d.end());
    });
  }
  if (dgrams.size() != 36) Fail();
  std::vector<std::vector<uint8_t>> got;
  bool recoverable = true;
  int lost_in_block = 0;
  for (size_t i = 0; i < dgrams.size(); ++i) {
    if (i % 6 == 0) lost_in_block = 0;
    const uint8_t op = 2 + i < size ? in[2 + i] & 3 : 0;
    if (op == 2) {
      if (++lost_in_block > 2) recoverable = false;
      continue;
    }
    const int copies = op == 3 ? 2 : 1;
    for (int c = 0; c < copies; ++c) {
      dp.OnDatagram(dgrams[i], i * 1000, [&](const AudioPacket& p) {
        if (!p.lost) got.emplace_back(p.opus.begin(), p.opus.end());
      });
    }
  }
  // Every block ends with its own FEC datagrams, so all 24 are out once the last one is in.
  if (recoverable) {
    if (got.size() != sent.size()) Fail();
    for (size_t i = 0; i < got.size(); ++i) {
      if (got[i] != sent[i]) Fail();
    }
  }
  return 0;
}
