// tools/bench/packet_bench.cc — Moonlight video framing throughput on one core.
//
// Host side: VideoPacketizer::Packetize (frame header, shards, RS parity, headers, optional
// AES-128-GCM) for 100 KB and 1 MB access units at 0 % and 20 % FEC, plus a 2 MB frame that
// exceeds what 4 FEC blocks can protect (sent without FEC, as the reference host does).
// Client side: VideoDepacketizer::OnDatagram for the same frames with the worst recoverable loss
// (P data shards lost in every block) so every block runs RS recovery (+ GCM decrypt).
// Anchor: memcpy of the same access-unit bytes, in the same process. Reports medians; every
// depacketized frame is checked against the input.
//
//   bazel --output_base=... run -c opt --config=bench //tools/bench:packet_bench
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/fec/rs_gf256.h"
#include "core/moonlight/video_depacketizer.h"
#include "core/moonlight/video_packetizer.h"
#include "tools/bench/bench_util.h"

namespace lumen::bench {
namespace {

using moonlight::FrameType;
using moonlight::PacketizeStatus;
using moonlight::VideoDepacketizer;
using moonlight::VideoDepacketizerConfig;
using moonlight::VideoFrame;
using moonlight::VideoPacketizer;
using moonlight::VideoPacketizerConfig;

constexpr int kPacketSize = 1392;

std::vector<uint8_t> Au(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  std::mt19937 r(seed);
  for (auto& b : v) b = static_cast<uint8_t>(r());
  return v;
}

double MemcpyNs(size_t n) {
  std::vector<uint8_t> src = Au(n, 1), dst(n);
  auto fn = [&] {
    std::memcpy(dst.data(), src.data(), n);
    asm volatile("" : : "r"(dst.data()) : "memory");
  };
  return MedianNsPerCall(fn, 15, CalibrateInner(fn, 5e6));
}

struct Case {
  size_t bytes;
  int pct;
  bool encrypt;
};

std::string Name(const Case& c) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s fec%d%s",
                c.bytes >= 1000000 ? (std::to_string(c.bytes / 1000000) + "MB").c_str()
                                   : (std::to_string(c.bytes / 1000) + "KB").c_str(),
                c.pct, c.encrypt ? " gcm" : "");
  return buf;
}

VideoPacketizerConfig PkCfg(const Case& c) {
  VideoPacketizerConfig cfg;
  cfg.packet_size = kPacketSize;
  cfg.fec_percent = c.pct;
  cfg.encrypt = c.encrypt;
  for (int i = 0; i < 16; ++i) cfg.key[i] = static_cast<uint8_t>(i + 1);
  return cfg;
}

void Run(const Case& c, std::vector<Row>& rows) {
  const auto au = Au(c.bytes, 7);
  const double anchor_ns = MemcpyNs(c.bytes);
  const double anchor_mbps = c.bytes / anchor_ns * 1e3;

  // ---- Host: packetize ----
  VideoPacketizer pk;
  if (!pk.Init(PkCfg(c)).ok()) std::abort();
  uint32_t frame = 1;
  size_t sink_bytes = 0;
  auto sink = [&](std::span<const uint8_t> d) { sink_bytes += d.size(); };
  auto pack = [&] {
    if (pk.Packetize(au, frame++, FrameType::kIdr, 0, sink) != PacketizeStatus::kOk) std::abort();
  };
  const double pack_ns = MedianNsPerCall(pack, 15, CalibrateInner(pack, 20e6));
  const auto plan = pk.last_plan();
  char note[160];
  std::snprintf(note, sizeof(note), "%.3f ms/frame %.1f Gbit/s blocks=%d shards=%d+%d%s",
                pack_ns / 1e6, c.bytes * 8 / pack_ns, plan.blocks, plan.data_shards_total,
                plan.total_shards - plan.data_shards_total,
                plan.fec_disabled ? " FEC-OFF(>4 blocks)" : "");
  rows.push_back({Name(c), "moonlight", "pack", c.bytes / pack_ns * 1e3, "memcpy", anchor_mbps,
                  note});

  // ---- Client: depacketize + recover (+ decrypt) ----
  constexpr int kFrames = 6;
  std::vector<std::vector<std::vector<uint8_t>>> frames(kFrames);
  VideoPacketizer pk2;
  if (!pk2.Init(PkCfg(c)).ok()) std::abort();
  for (int f = 0; f < kFrames; ++f) {
    pk2.Packetize(au, static_cast<uint32_t>(f + 1), FrameType::kIdr, 0,
                  [&](std::span<const uint8_t> d) { frames[f].emplace_back(d.begin(), d.end()); });
  }
  // Lose the first P data shards of every block (worst recoverable case).
  const auto plan2 = pk2.last_plan();
  std::vector<bool> keep(frames[0].size(), true);
  size_t at = 0;
  int lost = 0;
  for (int b = 0; b < plan2.blocks; ++b) {
    for (int i = 0; i < plan2.parity[b] && i < plan2.data[b]; ++i, ++lost) keep[at + i] = false;
    at += static_cast<size_t>(plan2.data[b] + plan2.parity[b]);
  }
  VideoDepacketizerConfig dc;
  dc.packet_size = kPacketSize;
  dc.encrypted = c.encrypt;
  dc.key = PkCfg(c).key;
  dc.max_frame_shards = 4 * 1023;
  dc.frame_slots = 2;
  dc.wait_for_idr = false;
  VideoDepacketizer dp;
  std::vector<double> samples;
  size_t delivered = 0;
  bool ok = true;
  if (!dp.Init(dc).ok()) std::abort();
  for (int rep = 0; rep < 9; ++rep) {
    dp.Reset();  // fresh frame numbering; buffers and RS codecs stay (as in a long session)
    const uint64_t t0 = NowNs();
    for (int f = 0; f < kFrames; ++f) {
      for (size_t i = 0; i < frames[f].size(); ++i) {
        if (!keep[i]) continue;
        dp.OnDatagram(frames[f][i], 0, [&](const VideoFrame& vf) {
          ++delivered;
          ok = ok && vf.au.size() == au.size() &&
               std::memcmp(vf.au.data(), au.data(), au.size()) == 0;
        });
      }
    }
    if (rep > 0) samples.push_back(double(NowNs() - t0) / kFrames);  // rep 0 warms up
  }
  std::sort(samples.begin(), samples.end());
  const double depack_ns = samples[samples.size() / 2];
  std::snprintf(note, sizeof(note), "%.3f ms/frame %.1f Gbit/s lost=%d/frame recovered%s", depack_ns / 1e6,
                c.bytes * 8 / depack_ns, plan2.fec_disabled ? 0 : lost,
                ok && delivered == 9u * kFrames ? " verified" : " MISMATCH");
  rows.push_back({Name(c), "moonlight", "depack", c.bytes / depack_ns * 1e3, "memcpy",
                  anchor_mbps, note});
  if (!ok || delivered != 9u * kFrames) {
    std::fprintf(stderr, "depacketized output mismatch for %s\n", Name(c).c_str());
  }
}

}  // namespace
}  // namespace lumen::bench

int main(int argc, char** argv) {
  using lumen::bench::Case;
  const bool csv = argc > 1 && std::string(argv[1]) == "--csv";
  std::vector<lumen::bench::Row> rows;
  const Case cases[] = {
      {100000, 0, false},  {100000, 20, false},  {100000, 20, true},
      {1000000, 0, false}, {1000000, 20, false}, {1000000, 20, true},
      {2000000, 20, false},
  };
  for (const Case& c : cases) lumen::bench::Run(c, rows);
  lumen::fec::Rs256 probe;
  probe.Init(10, 2);
  std::printf("Moonlight video framing, packetSize %d, one core, median of reps, RS kernel %s. "
              "ratio = ours / memcpy of the same bytes.\n",
              lumen::bench::kPacketSize, probe.kernel_name());
  lumen::bench::PrintRows(rows, csv);
  return 0;
}
