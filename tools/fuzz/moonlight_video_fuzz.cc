// libFuzzer target for lumen::moonlight::VideoDepacketizer (and, in structured mode, the
// packetizer feeding it). Input layout (hard caps keep runs small):
//   [0] flags: bit0 structured, bit1 encrypted, bit2 reorder (structured only)
//   raw mode:        rest = up to 64 datagrams, each [LE16 len][len bytes]
//   structured mode: [1] fec percent, [2..3] LE16 access-unit bytes (<= 6000), [4] min FEC,
//                    rest = one op byte per datagram (low 3 bits: 0-3 keep, 4 drop, 5 duplicate,
//                    6 flip a byte, 7 truncate).
// Invariant checked in structured mode: when nothing was corrupted or reordered and every block
// lost at most
// its parity count, both frames come out byte-exact and in order. Anything else must simply
// not crash (drops are counted).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/moonlight/video_depacketizer.h"
#include "core/moonlight/video_packetizer.h"

namespace {

using lumen::moonlight::FrameType;
using lumen::moonlight::VideoDepacketizer;
using lumen::moonlight::VideoDepacketizerConfig;
using lumen::moonlight::VideoFrame;
using lumen::moonlight::VideoPacketizer;
using lumen::moonlight::VideoPacketizerConfig;

constexpr int kPacketSize = 128;

[[noreturn]] void Fail() { __builtin_trap(); }

std::array<uint8_t, 16> Key() {
  std::array<uint8_t, 16> k{};
  for (int i = 0; i < 16; ++i) k[i] = static_cast<uint8_t>(i * 11);
  return k;
}

VideoDepacketizerConfig DpCfg(bool enc) {
  VideoDepacketizerConfig c;
  c.packet_size = kPacketSize;
  c.encrypted = enc;
  c.key = Key();
  c.frame_slots = 2;
  c.max_frame_shards = 400;
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* in, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = in[0];
  const bool enc = flags & 2;
  VideoDepacketizer dp;
  if (!dp.Init(DpCfg(enc)).ok()) Fail();
  if (!(flags & 1)) {
    size_t at = 1;
    uint64_t now = 0;
    for (int n = 0; n < 64 && at + 2 <= size; ++n) {
      size_t len = in[at] | (size_t{in[at + 1]} << 8);
      at += 2;
      if (len > size - at) len = size - at;
      dp.OnDatagram(std::span<const uint8_t>(in + at, len), now, [](const VideoFrame& f) {
        volatile uint8_t sink = f.au.empty() ? 0 : f.au[f.au.size() - 1];
        (void)sink;
      });
      at += len;
      now += 1000;
    }
    return 0;
  }
  if (size < 5) return 0;
  VideoPacketizerConfig pc;
  pc.packet_size = kPacketSize;
  pc.fec_percent = in[1];
  pc.min_fec_packets = in[4] % 5;
  pc.encrypt = enc;
  pc.key = Key();
  pc.max_frame_bytes = 6001;  // frame 2 is one byte longer
  VideoPacketizer pk;
  if (!pk.Init(pc).ok()) Fail();
  const size_t au_len = (in[2] | (size_t{in[3]} << 8)) % 6001;
  std::vector<std::vector<uint8_t>> aus(2);
  std::vector<std::vector<uint8_t>> dgrams;
  std::vector<int> block_of;
  std::vector<int> block_parity;
  int block_base = 0;
  for (int f = 0; f < 2; ++f) {
    aus[f].resize(au_len + f);
    for (size_t i = 0; i < aus[f].size(); ++i) aus[f][i] = static_cast<uint8_t>(i * 31 + f);
    const auto st = pk.Packetize(aus[f], static_cast<uint32_t>(f + 1), FrameType::kIdr, 0,
                                 [&](std::span<const uint8_t> d) {
                                   dgrams.emplace_back(d.begin(), d.end());
                                 });
    if (st != lumen::moonlight::PacketizeStatus::kOk) Fail();
    const auto& plan = pk.last_plan();
    for (int b = 0; b < plan.blocks; ++b) {
      for (int i = 0; i < plan.data[b] + plan.parity[b]; ++i) block_of.push_back(block_base + b);
      block_parity.push_back(plan.parity[b]);
    }
    block_base += plan.blocks;
  }
  std::vector<int> lost(block_parity.size(), 0);
  bool corrupted = false;
  std::vector<std::vector<uint8_t>> feed;
  for (size_t i = 0; i < dgrams.size(); ++i) {
    const uint8_t op = 5 + i < size ? in[5 + i] : 0;
    switch (op & 7) {
      case 4:
        ++lost[block_of[i]];
        break;
      case 5:
        feed.push_back(dgrams[i]);
        feed.push_back(dgrams[i]);
        break;
      case 6: {
        auto d = dgrams[i];
        d[(op >> 3) * 7 % d.size()] ^= 0x5A;
        feed.push_back(d);
        corrupted = true;
        break;
      }
      case 7: {
        auto d = dgrams[i];
        d.resize((op >> 3) * 5 % d.size());
        feed.push_back(d);
        corrupted = true;
        break;
      }
      default:
        feed.push_back(dgrams[i]);
    }
  }
  if (flags & 4) {
    // Swap neighbours: reordering inside the window the depacketizer must absorb.
    for (size_t i = 0; i + 1 < feed.size(); i += 2) std::swap(feed[i], feed[i + 1]);
  }
  std::vector<std::vector<uint8_t>> got;
  for (const auto& d : feed) {
    dp.OnDatagram(d, 0, [&](const VideoFrame& f) { got.emplace_back(f.au.begin(), f.au.end()); });
  }
  // Reordering can legitimately let frame 2 overtake an incomplete frame 1: no invariant then.
  bool recoverable = !corrupted && !(flags & 4);
  for (size_t b = 0; b < lost.size(); ++b) recoverable = recoverable && lost[b] <= block_parity[b];
  if (recoverable && got != aus) Fail();
  return 0;
}
