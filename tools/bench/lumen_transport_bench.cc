// lumen_transport_bench — lumen transport hot paths on one core:
//   host side:   PacketizeFrame = split + GF(2^16) RS parity (20 %) + AEAD seal per datagram
//   client side: Receive of every surviving datagram = AEAD open into the slot + RS recovery
//                of the lost data shards (20 % of the data shards lost: the worst case the
//                parity can repair)
// for 100 KB and 1 MB frames, 1344-byte shards (1392-byte datagrams). Anchor: memcpy of
// the same frame bytes in the same process. Throughput
// counts frame (payload) bytes; ratio = memcpy CPU time / our CPU time (1.0 = as fast as
// memcpy). Both the median wall time and the median thread CPU time are printed.
// Results are verified after timing.
// Run: bazel run -c opt --config=bench //tools/bench:lumen_transport_bench -- [--reps=N]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "core/cpu/cpu.h"
#include "core/transport/fec_policy.h"
#include "core/transport/receiver.h"
#include "core/transport/sender.h"
#include "tools/bench/bench_util.h"

namespace {

using namespace lumen::transport;
using lumen::bench::NowNs;

constexpr uint32_t kSession = 0xBE7C0001;

double Gbps(size_t bytes, double ns) { return bytes * 8.0 / ns; }

// This thread's CPU time: unlike wall time it does not count time spent descheduled, so on
// a shared, loaded machine it is the better estimate of what one core does.
uint64_t CpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// Median wall and median thread-CPU ns per call over `reps` repetitions of `inner` calls
// (after a warm-up).
struct Timing {
  double median = 0, cpu = 0;
};
Timing Summarize(std::vector<double> wall, std::vector<double> cpu) {
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}
template <class Fn>
Timing Time(Fn&& fn, int reps, int inner) {
  std::vector<double> w, c;
  for (int i = 0; i < inner; ++i) fn();
  for (int r = 0; r < reps; ++r) {
    const uint64_t t0 = NowNs(), c0 = CpuNs();
    for (int i = 0; i < inner; ++i) fn();
    const uint64_t c1 = CpuNs(), t1 = NowNs();
    w.push_back(double(t1 - t0) / inner);
    c.push_back(double(c1 - c0) / inner);
  }
  return Summarize(w, c);
}

struct Result {
  Timing tx, rx, memcpy, tx_nofec;  // tx_nofec: same frame, m = 0 (split + seal only)
  uint32_t k = 0, m = 0;
  bool ok = false;
};

Result RunOne(size_t frame_bytes, Aead aead, int reps) {
  Result res;
  const Key key = [] {
    Key k{};
    for (size_t i = 0; i < k.size(); ++i) k[i] = uint8_t(i + 1);
    return k;
  }();
  SenderConfig sc;
  sc.session_id = kSession;
  sc.max_frame_bytes = 2 << 20;
  FrameSender tx;
  if (!tx.Init(sc, aead, key).ok()) return res;
  ReceiverConfig rc;
  rc.session_id = kSession;
  rc.max_frame_bytes = 2 << 20;
  rc.frames_in_flight = 2;
  FrameReceiver rx;
  if (!rx.Init(rc, aead, key).ok()) return res;

  std::vector<uint8_t> frame(frame_bytes);
  std::mt19937_64 rng(1);
  for (auto& b : frame) b = uint8_t(rng());
  const uint32_t k = tx.DataShards(frame_bytes);
  const uint32_t m = ParityShards(k, 200, FecPolicyConfig{});
  res.k = k;
  res.m = m;
  const size_t stride = tx.datagram_bytes();
  const uint32_t n = k + m;

  // Host side: packetize + FEC + seal, same output buffer each call.
  std::vector<uint8_t> out(size_t(n) * stride);
  uint32_t fid = 0, count = 0;
  bool send_ok = true;
  res.tx = Time(
      [&] {
        send_ok &= tx.PacketizeFrame(frame.data(), frame.size(), fid++, m, 0, out.data(), stride, n,
                                     &count) == SendStatus::kOk;
      },
      reps, std::max(1, int(20e6 / (frame_bytes * 2.0))));

  // Breakdown: the same frame without parity (split + seal only).
  res.tx_nofec = Time(
      [&] {
        send_ok &= tx.PacketizeFrame(frame.data(), frame.size(), fid++, 0, 0, out.data(), stride, n,
                                     &count) == SendStatus::kOk;
      },
      reps, std::max(1, int(20e6 / (frame_bytes * 2.0))));

  // Client side: pre-packetize `inner` frames per repetition (untimed), drop m data shards
  // of each (every 5th data shard), then time receiving the rest.
  const int inner = std::max(2, int(8e6 / frame_bytes));
  std::vector<std::vector<uint8_t>> batch(inner, std::vector<uint8_t>(size_t(n) * stride));
  std::vector<uint8_t> lost(n, 0);
  for (uint32_t i = 0, dropped = 0; i < k && dropped < m; i += 5, ++dropped) lost[i] = 1;
  for (uint32_t i = 0, dropped = 0; dropped < m && i < k; ++i) {  // top up if k < 5m
    if (!lost[i] && std::count(lost.begin(), lost.end(), 1) < m) lost[i] = 1;
    dropped = uint32_t(std::count(lost.begin(), lost.end(), 1));
  }
  std::vector<double> samples, cpu_samples;
  bool rx_ok = true;
  for (int r = 0; r < reps + 1; ++r) {
    for (int j = 0; j < inner; ++j) {
      tx.PacketizeFrame(frame.data(), frame.size(), fid++, m, 0, batch[j].data(), stride, n,
                        &count);
    }
    int complete = 0;
    const uint64_t t0 = NowNs(), c0 = CpuNs();
    for (int j = 0; j < inner; ++j) {
      for (uint32_t i = 0; i < n; ++i) {
        if (lost[i]) continue;
        ReceivedFrame f;
        if (rx.Receive(batch[j].data() + size_t(i) * stride, stride, &f, nullptr) ==
            RxStatus::kFrameComplete) {
          ++complete;
          if (j == inner - 1) {
            rx_ok &= f.len == frame.size() && f.recovered &&
                     std::memcmp(f.data, frame.data(), frame.size()) == 0;
          }
        }
      }
    }
    const uint64_t c1 = CpuNs(), t1 = NowNs();
    rx_ok &= complete == inner;
    if (r > 0) {  // r = 0 warms the codec cache
      samples.push_back(double(t1 - t0) / inner);
      cpu_samples.push_back(double(c1 - c0) / inner);
    }
  }
  res.rx = Summarize(samples, cpu_samples);

  // Anchor: memcpy of the frame bytes.
  std::vector<uint8_t> dst(frame_bytes);
  res.memcpy = Time(
      [&] {
        std::memcpy(dst.data(), frame.data(), frame.size());
        asm volatile("" : : "r"(dst.data()) : "memory");
      },
      reps, std::max(1, int(50e6 / frame_bytes)));
  res.ok = send_ok && rx_ok && dst == frame;
  return res;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 9;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--reps=", 7) == 0) reps = std::max(3, std::atoi(argv[i] + 7));
  }
  std::vector<Aead> aeads;
  if (AesGcmAvailable()) aeads.push_back(Aead::kAes256Gcm);
  aeads.push_back(Aead::kXChaCha20Poly1305);
  std::printf(
      "lumen transport, 1344 B shards (1392 B datagrams), FEC 20 %%, %s kernels, "
      "median of %d, one core\n",
      lumen::cpu::IsaName(lumen::cpu::ActiveIsa()), reps);
  std::printf("%-7s %-18s %-8s %9s %9s %9s %10s %10s %7s %s\n", "frame", "aead", "side", "k+m",
              "wall us", "cpu us", "wall Gb/s", "cpu Gb/s", "ratio", "check");
  auto row = [](const std::string& frame, Aead a, const char* side, const std::string& shape,
                size_t bytes, Timing t, Timing anchor, const char* check) {
    const double ratio = anchor.cpu > 0 ? anchor.cpu / t.cpu : 0;
    std::printf("%-7s %-18s %-8s %9s %9.1f %9.1f %10.2f %10.2f %7.4f %s\n", frame.c_str(),
                AeadName(a), side, shape.c_str(), t.median / 1e3, t.cpu / 1e3,
                Gbps(bytes, t.median), Gbps(bytes, t.cpu), ratio, check);
  };
  bool all_ok = true;
  for (size_t bytes : {size_t(100) * 1000, size_t(1) << 20}) {
    for (Aead a : aeads) {
      const Result r = RunOne(bytes, a, reps);
      all_ok &= r.ok;
      const std::string frame = bytes >= (1 << 20) ? "1 MB" : "100 KB";
      const std::string shape = std::to_string(r.k) + "+" + std::to_string(r.m);
      const char* check = r.ok ? "ok" : "FAILED";
      row(frame, a, "host", shape, bytes, r.tx, r.memcpy, check);
      row(frame, a, "host-m0", std::to_string(r.k) + "+0", bytes, r.tx_nofec, r.memcpy,
          "split+seal only");
      row(frame, a, "client", shape, bytes, r.rx, r.memcpy, check);
      row(frame, a, "memcpy", "", bytes, r.memcpy, Timing{}, "anchor");
      if (bytes == (size_t(1) << 20) && a == aeads.front()) {
        std::printf(
            "  target: 1 MB host side <= 500 us (>= 16 Gbit/s): %s (wall %.1f us, cpu "
            "%.1f us)\n",
            r.tx.cpu <= 500e3 ? "met" : "NOT met", r.tx.median / 1e3, r.tx.cpu / 1e3);
      }
    }
  }
  return all_ok ? 0 : 1;
}
