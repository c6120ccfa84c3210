// tools/loss-harness/loss_sim.h — FEC resilience sweeps over a simulated lossy channel.
//
// Frames of realistic sizes are packetized by the real core code (Moonlight framing:
// core/moonlight VideoPacketizer -> VideoDepacketizer, at most 4 GF(2^8) blocks of <= 255
// shards; lumen framing: core/transport FrameSender -> FrameReceiver, one GF(2^16) block and
// AEAD), every datagram passes a loss model (independent Bernoulli or Gilbert-Elliott
// bursts), and the receiver's output is compared byte for byte with what was sent.
// Everything is seeded: the same options give the same rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lumen::loss {

enum class Framing { kMoonlight, kLumen };
const char* FramingName(Framing f);

// Loss model: Bernoulli when burst_len <= 1, else Gilbert-Elliott with mean loss `loss`
// and mean burst length `burst_len` (bad state drops every packet, good state none).
struct LossModel {
  double loss = 0;       // long-run fraction of datagrams lost, 0..1
  double burst_len = 1;  // mean length of a loss burst in datagrams
  std::string Name() const;
};

// A stream profile: mean P-frame size and a keyframe every `idr_interval` frames that is
// `idr_scale` times larger; sizes vary +-jitter around the mean (uniform).
struct Profile {
  std::string name;
  double mean_frame_bytes = 0;
  int idr_interval = 120;
  double idr_scale = 6;
  double jitter = 0.3;
};

struct SweepOptions {
  uint64_t seed = 0x10557e57;
  int frames = 600;  // frames per sweep point
  std::vector<Profile> profiles;
  std::vector<LossModel> losses;
  std::vector<int> fec_percents;
  std::vector<Framing> framings;
  int packet_size = 1392;  // Moonlight packetSize; lumen uses the same datagram budget
};

// The standard sweep (0-30 % random loss, bursty loss, FEC 10-50 %, two profiles).
// quick=true: fewer frames and points, runs in a couple of seconds.
SweepOptions DefaultSweep(bool quick);

struct Row {
  std::string profile;
  Framing framing = Framing::kMoonlight;
  LossModel model;
  int fec_percent = 0;
  uint64_t frames_sent = 0;
  uint64_t frames_ok = 0;         // delivered and byte-identical
  uint64_t frames_recovered = 0;  // delivered thanks to FEC (some datagram of it was lost)
  uint64_t frames_lost = 0;       // not delivered (or delivered wrong: counted in frames_bad)
  uint64_t frames_bad = 0;        // delivered but different from what was sent (must be 0)
  uint64_t frames_no_fec = 0;     // sent without FEC (Moonlight: frame needed > 4 blocks)
  uint64_t datagrams_sent = 0;
  uint64_t datagrams_lost = 0;
  uint64_t payload_bytes = 0;
  uint64_t wire_bytes = 0;
  double frame_loss_rate() const { return frames_sent ? double(frames_lost) / frames_sent : 0; }
  double overhead() const { return payload_bytes ? double(wire_bytes) / payload_bytes - 1 : 0; }
  double observed_loss() const {
    return datagrams_sent ? double(datagrams_lost) / datagrams_sent : 0;
  }
};

// Runs one sweep point. Deterministic for a given seed.
Row RunPoint(const Profile& profile, Framing framing, const LossModel& model, int fec_percent,
             int frames, int packet_size, uint64_t seed);

std::vector<Row> RunSweep(const SweepOptions& opt);

std::string RowsToCsv(const std::vector<Row>& rows);
// Frame-loss rate against random packet loss, one line per (framing, FEC %), one panel per
// profile. Only Bernoulli rows are plotted.
std::string RowsToSvg(const std::vector<Row>& rows);

}  // namespace lumen::loss
