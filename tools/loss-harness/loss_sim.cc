// tools/loss-harness/loss_sim.cc — see loss_sim.h.
#include "tools/loss-harness/loss_sim.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <span>

#include "core/moonlight/video_depacketizer.h"
#include "core/moonlight/video_packetizer.h"
#include "core/transport/crypto.h"
#include "core/transport/fec_policy.h"
#include "core/transport/receiver.h"
#include "core/transport/sender.h"
#include "core/transport/wire.h"

namespace lumen::loss {
namespace {

// Drops datagrams according to a LossModel. Gilbert-Elliott with a bad state that loses
// everything: P(good->bad) = p, P(bad->good) = r = 1/burst, long-run loss = p / (p + r).
class Channel {
 public:
  Channel(const LossModel& m, uint64_t seed) : rng_(seed) {
    if (m.burst_len > 1 && m.loss > 0) {
      r_ = 1.0 / m.burst_len;
      p_ = m.loss >= 1 ? 1.0 : r_ * m.loss / (1 - m.loss);
      bursty_ = true;
    } else {
      p_ = m.loss;
    }
  }
  bool Drop() {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng_);
    if (!bursty_) return u < p_;
    if (bad_) {
      if (u < r_) bad_ = false;
    } else if (u < p_) {
      bad_ = true;
    }
    return bad_;
  }

 private:
  std::mt19937_64 rng_;
  double p_ = 0, r_ = 1;
  bool bursty_ = false;
  bool bad_ = false;
};

size_t FrameSize(const Profile& p, int index, std::mt19937_64& rng) {
  double mean = p.mean_frame_bytes;
  if (p.idr_interval > 0 && index % p.idr_interval == 0) mean *= p.idr_scale;
  const double j = std::uniform_real_distribution<double>(-p.jitter, p.jitter)(rng);
  return std::max<size_t>(64, size_t(mean * (1 + j)));
}

void FillRandom(std::vector<uint8_t>& buf, std::mt19937_64& rng) {
  size_t i = 0;
  for (; i + 8 <= buf.size(); i += 8) {
    const uint64_t v = rng();
    std::memcpy(buf.data() + i, &v, 8);
  }
  for (; i < buf.size(); ++i) buf[i] = uint8_t(rng());
}

// Counts one frame's outcome into its row.
void Tally(Row* row, bool bad, bool delivered, bool lost_any) {
  if (bad) ++row->frames_bad;
  if (delivered) {
    ++row->frames_ok;
    if (lost_any) ++row->frames_recovered;
  } else {
    ++row->frames_lost;
  }
}

Row RunMoonlight(const Profile& profile, const LossModel& model, int fec_percent, int frames,
                 int packet_size, uint64_t seed) {
  Row row;
  moonlight::VideoPacketizer pk;
  moonlight::VideoPacketizerConfig pc;
  pc.packet_size = packet_size;
  pc.fec_percent = fec_percent;
  pc.min_fec_packets = 2;
  if (!pk.Init(pc).ok()) return row;
  moonlight::VideoDepacketizer dp;
  moonlight::VideoDepacketizerConfig dc;
  dc.packet_size = packet_size;
  dc.wait_for_idr = false;  // judge every frame on its own
  dc.max_frame_shards = 4 * 1023;
  if (!dp.Init(dc).ok()) return row;

  std::mt19937_64 rng(seed);
  Channel ch(model, seed ^ 0x5bd1e995);
  std::vector<uint8_t> frame;
  for (int f = 1; f <= frames; ++f) {
    frame.resize(FrameSize(profile, f - 1, rng));
    FillRandom(frame, rng);
    const uint64_t now_us = uint64_t(f) * 16667;
    bool delivered = false, lost_any = false, bad = false;
    auto on_frame = [&](const moonlight::VideoFrame& vf) {
      if (vf.frame_index != uint32_t(f) || vf.au.size() != frame.size() ||
          std::memcmp(vf.au.data(), frame.data(), frame.size()) != 0) {
        bad = true;
        return;
      }
      delivered = true;
    };
    const auto type = (profile.idr_interval > 0 && (f - 1) % profile.idr_interval == 0)
                          ? moonlight::FrameType::kIdr
                          : moonlight::FrameType::kP;
    const auto st = pk.Packetize(std::span<const uint8_t>(frame), uint32_t(f), type,
                                 uint32_t(f) * 1500, [&](std::span<const uint8_t> d) {
                                   ++row.datagrams_sent;
                                   row.wire_bytes += d.size();
                                   if (ch.Drop()) {
                                     ++row.datagrams_lost;
                                     lost_any = true;
                                     return;
                                   }
                                   dp.OnDatagram(d, now_us, on_frame);
                                 });
    ++row.frames_sent;
    row.payload_bytes += frame.size();
    if (st != moonlight::PacketizeStatus::kOk) {
      ++row.frames_lost;
      continue;
    }
    if (pk.last_plan().fec_disabled) ++row.frames_no_fec;
    Tally(&row, bad, delivered, lost_any);
  }
  return row;
}

Row RunLumen(const Profile& profile, const LossModel& model, int fec_percent, int frames,
             int packet_size, uint64_t seed) {
  Row row;
  if (!transport::EnsureSodium().ok()) return row;
  const transport::Aead aead = transport::AesGcmAvailable() ? transport::Aead::kAes256Gcm
                                                            : transport::Aead::kXChaCha20Poly1305;
  transport::Key key{};
  for (size_t i = 0; i < key.size(); ++i) key[i] = uint8_t(seed >> (i % 8) * 8) ^ uint8_t(i);
  // Same datagram budget as Moonlight's packet_size + 16.
  const size_t shard = transport::ShardBytesForBudget(size_t(packet_size) + 16);
  transport::SenderConfig sc;
  sc.session_id = 7;
  sc.shard_bytes = shard;
  sc.max_frame_bytes = 8 << 20;
  transport::FrameSender tx;
  if (!tx.Init(sc, aead, key).ok()) return row;
  transport::ReceiverConfig rc;
  rc.session_id = 7;
  rc.max_shard_bytes = shard;
  rc.max_frame_bytes = 8 << 20;
  transport::FrameReceiver rx;
  if (!rx.Init(rc, aead, key).ok()) return row;
  transport::FecPolicyConfig policy;

  std::mt19937_64 rng(seed);
  Channel ch(model, seed ^ 0x5bd1e995);
  std::vector<uint8_t> frame;
  std::vector<uint8_t> out;
  const size_t stride = tx.datagram_bytes();
  for (int f = 1; f <= frames; ++f) {
    frame.resize(FrameSize(profile, f - 1, rng));
    FillRandom(frame, rng);
    const uint32_t k = tx.DataShards(frame.size());
    const uint32_t m =
        fec_percent > 0 ? transport::ParityShards(k, uint16_t(fec_percent * 10), policy) : 0;
    out.resize(size_t(k + m) * stride);
    uint32_t count = 0;
    const bool idr = profile.idr_interval > 0 && (f - 1) % profile.idr_interval == 0;
    const auto st = tx.PacketizeFrame(frame.data(), frame.size(), uint32_t(f), m,
                                      idr ? transport::kFlagKeyframe : 0, out.data(), stride,
                                      k + m, &count);
    ++row.frames_sent;
    row.payload_bytes += frame.size();
    if (st != transport::SendStatus::kOk) {
      ++row.frames_lost;
      continue;
    }
    bool delivered = false, lost_any = false, bad = false;
    for (uint32_t i = 0; i < count; ++i) {
      ++row.datagrams_sent;
      row.wire_bytes += stride;
      if (ch.Drop()) {
        ++row.datagrams_lost;
        lost_any = true;
        continue;
      }
      transport::ReceivedFrame rf;
      if (rx.Receive(out.data() + size_t(i) * stride, stride, &rf, nullptr) ==
          transport::RxStatus::kFrameComplete) {
        if (rf.frame_id != uint32_t(f) || rf.len != frame.size() ||
            std::memcmp(rf.data, frame.data(), frame.size()) != 0) {
          bad = true;
        } else {
          delivered = true;
        }
      }
    }
    Tally(&row, bad, delivered, lost_any);
  }
  return row;
}

}  // namespace

const char* FramingName(Framing f) { return f == Framing::kMoonlight ? "moonlight" : "lumen"; }

std::string LossModel::Name() const {
  char buf[64];
  if (burst_len > 1) {
    std::snprintf(buf, sizeof buf, "ge%.1f%%/b%.0f", loss * 100, burst_len);
  } else {
    std::snprintf(buf, sizeof buf, "rand%.1f%%", loss * 100);
  }
  return buf;
}

SweepOptions DefaultSweep(bool quick) {
  SweepOptions o;
  // 1080p60 at 20 Mbit/s (~42 KB frames) and 4K60 at 300 Mbit/s (~625 KB frames): the
  // second is where Moonlight's 4 x 255-shard cap forces large keyframes out of FEC.
  o.profiles = {{"1080p60-20M", 20e6 / 8 / 60, 120, 6, 0.3},
                {"4k60-300M", 300e6 / 8 / 60, 120, 4, 0.3}};
  o.framings = {Framing::kMoonlight, Framing::kLumen};
  if (quick) {
    o.frames = 40;
    o.losses = {{0, 1}, {0.02, 1}, {0.10, 1}, {0.05, 4}};
    o.fec_percents = {20};
    o.profiles[0].idr_interval = 20;
    o.profiles[1].idr_interval = 20;
  } else {
    o.frames = 480;
    o.losses = {{0, 1},    {0.005, 1}, {0.01, 1}, {0.02, 1}, {0.05, 1},  {0.10, 1},
                {0.15, 1}, {0.20, 1},  {0.30, 1}, {0.01, 4}, {0.05, 4}, {0.10, 8}};
    o.fec_percents = {10, 20, 30, 50};
  }
  return o;
}

Row RunPoint(const Profile& profile, Framing framing, const LossModel& model, int fec_percent,
             int frames, int packet_size, uint64_t seed) {
  Row r = framing == Framing::kMoonlight
              ? RunMoonlight(profile, model, fec_percent, frames, packet_size, seed)
              : RunLumen(profile, model, fec_percent, frames, packet_size, seed);
  r.profile = profile.name;
  r.framing = framing;
  r.model = model;
  r.fec_percent = fec_percent;
  return r;
}

std::vector<Row> RunSweep(const SweepOptions& opt) {
  std::vector<Row> rows;
  uint64_t point = 0;
  for (const Profile& p : opt.profiles) {
    for (const LossModel& m : opt.losses) {
      for (int fec : opt.fec_percents) {
        // Both framings see the same frames and the same loss pattern seed.
        const uint64_t seed = opt.seed + 0x9E3779B97F4A7C15ull * ++point;
        for (Framing f : opt.framings) {
          rows.push_back(RunPoint(p, f, m, fec, opt.frames, opt.packet_size, seed));
        }
      }
    }
  }
  return rows;
}

std::string RowsToCsv(const std::vector<Row>& rows) {
  std::string s =
      "profile,framing,loss_model,loss_pct,burst_len,fec_pct,frames_sent,frames_ok,"
      "frames_recovered,frames_lost,frames_bad,frames_no_fec,frame_loss_pct,observed_loss_pct,"
      "overhead_pct\n";
  char buf[512];
  for (const Row& r : rows) {
    std::snprintf(buf, sizeof buf, "%s,%s,%s,%.2f,%.1f,%d,%llu,%llu,%llu,%llu,%llu,%llu,%.3f,%.3f,%.2f\n",
                  r.profile.c_str(), FramingName(r.framing), r.model.Name().c_str(),
                  r.model.loss * 100, r.model.burst_len, r.fec_percent,
                  (unsigned long long)r.frames_sent, (unsigned long long)r.frames_ok,
                  (unsigned long long)r.frames_recovered, (unsigned long long)r.frames_lost,
                  (unsigned long long)r.frames_bad, (unsigned long long)r.frames_no_fec,
                  r.frame_loss_rate() * 100, r.observed_loss() * 100, r.overhead() * 100);
    s += buf;
  }
  return s;
}

std::string RowsToSvg(const std::vector<Row>& rows) {
  // Panels per profile; x = random loss %, y = frame loss %.
  std::vector<std::string> profiles;
  for (const Row& r : rows) {
    if (std::find(profiles.begin(), profiles.end(), r.profile) == profiles.end()) {
      profiles.push_back(r.profile);
    }
  }
  const int pw = 460, ph = 320, ml = 55, mt = 40, mb = 45, gap = 30;
  const int width = int(profiles.size()) * (pw + gap) + ml + 170;
  const int height = ph + mt + mb;
  const double xmax = 30, ymax = 100;
  std::string s;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" "
                "height=\"100%%\" fill=\"white\"/>\n",
                width, height);
  s += buf;
  const char* colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"};
  std::map<std::pair<int, int>, int> series_color;  // (framing, fec) -> color index
  for (size_t pi = 0; pi < profiles.size(); ++pi) {
    const int x0 = ml + int(pi) * (pw + gap), y0 = mt;
    std::snprintf(buf, sizeof buf,
                  "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s: frame loss vs random "
                  "packet loss</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                  "fill=\"none\" stroke=\"#333\"/>\n",
                  x0, y0 - 12, profiles[pi].c_str(), x0, y0, pw, ph);
    s += buf;
    for (int t = 0; t <= 6; ++t) {
      const double xv = xmax * t / 6, yv = ymax * t / 6;
      const int xp = x0 + int(pw * t / 6), yp = y0 + ph - int(ph * t / 6);
      std::snprintf(buf, sizeof buf,
                    "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%.0f%%</text>"
                    "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.0f%%</text>\n",
                    x0, yp, x0 + pw, yp, xp, y0 + ph + 16, xv, x0 - 4, yp + 4, yv);
      s += buf;
    }
    std::snprintf(buf, sizeof buf,
                  "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">random packet loss</text>\n",
                  x0 + pw / 2, y0 + ph + 36);
    s += buf;
    std::map<std::pair<int, int>, std::vector<std::pair<double, double>>> series;
    for (const Row& r : rows) {
      if (r.profile != profiles[pi] || r.model.burst_len > 1) continue;
      series[{int(r.framing), r.fec_percent}].push_back(
          {r.model.loss * 100, r.frame_loss_rate() * 100});
    }
    for (auto& [key, pts] : series) {
      if (!series_color.count(key)) {
        const int next = int(series_color.size());
        series_color[key] = next;
      }
      const int ci = series_color[key] % 6;
      std::sort(pts.begin(), pts.end());
      std::string path;
      for (auto [x, y] : pts) {
        std::snprintf(buf, sizeof buf, "%s%.1f,%.1f", path.empty() ? "" : " ",
                      x0 + pw * std::min(x, xmax) / xmax, y0 + ph - ph * std::min(y, ymax) / ymax);
        path += buf;
      }
      std::snprintf(buf, sizeof buf,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" %s points=\"%s\"/>\n",
                    colors[ci], key.first == int(Framing::kLumen) ? "" : "stroke-dasharray=\"6,3\"",
                    path.c_str());
      s += buf;
    }
  }
  int ly = mt;
  const int lx = ml + int(profiles.size()) * (pw + gap);
  for (auto& [key, ci] : series_color) {
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\" "
                  "%s/><text x=\"%d\" y=\"%d\">%s FEC %d%%</text>\n",
                  lx, ly, lx + 24, ly, colors[ci % 6],
                  key.first == int(Framing::kLumen) ? "" : "stroke-dasharray=\"6,3\"", lx + 30,
                  ly + 4, FramingName(Framing(key.first)), key.second);
    s += buf;
    ly += 18;
  }
  s += "</svg>\n";
  return s;
}

}  // namespace lumen::loss
