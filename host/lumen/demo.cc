// host/lumen/demo.cc — `lumen demo`: the whole pipeline on one machine. Synthetic capture
// (test pattern with a frame-counter stamp) -> software encode -> lumen-transport ->
// the reference client on 127.0.0.1, for N seconds; then a summary: frames sent /
// received / decoded, the pixel check (every decoded picture's stamp matches the frame
// the transport sent under that frame index), per-stage latency (median and p99),
// bitrate and FEC recoveries. Exit status 0 only if nothing was lost or wrong.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "clients/reference/client.h"
#include "clients/reference/presenter.h"
#include "host/common/clock.h"
#include "host/common/process.h"
#include "host/lumen/commands.h"
#include "host/lumen/supervisor.h"
#include "spdlog/spdlog.h"

namespace lumen::cli {
namespace {

constexpr const char* kHelp = R"(usage: lumen demo [flags]
  --seconds=5           how long to stream
  --width=1280 --height=720 --fps=60
  --codec=h264          h264 | hevc | av1
  --nvenc               try NVENC (CUDA hwframes) first; software fallback, logged
  --ring-format=i420    what lumen-capture puts in the raw ring: i420 (converted on the
                        way in; lumen-encode does not copy) | bgrx (lumen-encode converts)
  --bitrate=8000        kbit/s
  --packet-size=1392    Moonlight packet size
  --fec=20              FEC percentage (lumen framing: the starting ratio)
  --framing=moonlight   moonlight | lumen (one GF(2^16) FEC block per frame + AEAD,
                        random launch secret and nonces, adaptive FEC)
  --lumen-fixed-fec     lumen framing: keep the FEC ratio at --fec (no adaptation)
  --loss=0              induced receive loss in the client, percent (e.g. --loss 5%)
  --max-lost=0          frames allowed to be lost before the demo fails
  --kill-encoder-at=S   SIGKILL lumen-encode S seconds in (restart test)
  --kill-transport-at=S SIGKILL lumen-transport S seconds in
  --verbose             children log at info level (default: warnings only)
  --window              also show the stream in an SDL2 window (closing it ends the demo)
  --bin-dir=DIR         where lumen-capture/-encode/-transport are (default: next to lumen)
)";

struct Percentiles {
  double p50 = 0, p99 = 0;
  size_t n = 0;
};

Percentiles Pct(std::vector<double> v) {
  Percentiles p;
  p.n = v.size();
  if (v.empty()) return p;
  std::sort(v.begin(), v.end());
  p.p50 = v[v.size() / 2];
  p.p99 = v[std::min(v.size() - 1, size_t(double(v.size()) * 0.99))];
  return p;
}

}  // namespace

int DemoMain(int argc, char** argv) {
  host::InstallStopSignals();
  host::InitLogging("lumen");
  host::Args args(argc, argv);
  if (args.Bool("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  supervisor::PipelineConfig pc;
  const double seconds = args.Double("seconds", 5);
  pc.width = int(args.Int("width", 1280));
  pc.height = int(args.Int("height", 720));
  pc.fps = int(args.Int("fps", 60));
  pc.bitrate_kbps = int(args.Int("bitrate", 8000));
  pc.packet_size = int(args.Int("packet-size", 1392));
  pc.fec_percent = int(args.Int("fec", 20));
  pc.bin_dir = args.Str("bin-dir");
  const std::string codec = args.Str("codec", "h264");
  const double loss = args.Double("loss", 0);
  const int64_t max_lost = args.Int("max-lost", 0);
  const double kill_encoder_at = args.Double("kill-encoder-at", -1);
  const double kill_transport_at = args.Double("kill-transport-at", -1);
  const bool verbose = args.Bool("verbose");
  const std::string framing = args.Str("framing", "moonlight");
  const bool lumen_fixed_fec = args.Bool("lumen-fixed-fec");
  if (args.Bool("nvenc")) pc.extra_encode_args.push_back("--nvenc");
  const std::string ring_format = args.Str("ring-format");
  if (!ring_format.empty()) pc.extra_capture_args.push_back("--ring-format=" + ring_format);
  const bool window = args.Bool("window");
  if (absl::Status s = args.Check(); !s.ok()) {
    std::fprintf(stderr, "lumen demo: %s\n\n%s", std::string(s.message()).c_str(), kHelp);
    return 2;
  }
  if (codec == "hevc") {
    pc.codec = host::Codec::kHevc;
  } else if (codec == "av1") {
    pc.codec = host::Codec::kAv1;
  } else if (codec != "h264") {
    std::fprintf(stderr, "lumen demo: unknown --codec %s\n", codec.c_str());
    return 2;
  }
  transport::LumenParams lumen;
  if (framing == "lumen") {
    // No negotiation in the demo: make up the launch secret, nonces and session id here
    // and give both ends the same values (each derives the keys with DeriveKeys).
    std::random_device rd;
    for (auto& b : lumen.secret) b = uint8_t(rd());
    for (auto& b : lumen.host_nonce) b = uint8_t(rd());
    for (auto& b : lumen.client_nonce) b = uint8_t(rd());
    lumen.session_id = rd() | 1u;
    auto p =
        transport::ParseLumenParams(lumen.SecretHex(), lumen.NoncesHex(), lumen.session_id, "");
    if (!p.ok()) {
      std::fprintf(stderr, "lumen demo: %s\n", p.status().ToString().c_str());
      return 3;
    }
    lumen = *p;
    pc.lumen_framing = true;
    pc.lumen_secret_hex = lumen.SecretHex();
    pc.lumen_nonces_hex = lumen.NoncesHex();
    pc.lumen_session_id = lumen.session_id;
    pc.lumen_aead = transport::AeadName(lumen.aead);
    if (lumen_fixed_fec) pc.extra_transport_args.push_back("--lumen-fixed-fec");
  } else if (framing != "moonlight") {
    std::fprintf(stderr, "lumen demo: unknown --framing %s\n", framing.c_str());
    return 2;
  }
  pc.bind = "127.0.0.1:0";
  pc.child_log_level = verbose ? "info" : "warn";
  if (!verbose) spdlog::set_level(spdlog::level::warn);

  auto pipeline = supervisor::Pipeline::Start(pc);
  if (!pipeline.ok()) {
    std::fprintf(stderr, "lumen demo: %s\n", pipeline.status().ToString().c_str());
    return 3;
  }
  supervisor::Pipeline& p = **pipeline;

  client::ClientConfig cc;
  cc.server = absl::StrFormat("127.0.0.1:%d", p.transport_port());
  cc.bind = "127.0.0.1:0";
  cc.packet_size = pc.packet_size;
  cc.codec = pc.codec;
  cc.loss_percent = loss;
  if (pc.lumen_framing) {
    cc.framing = transport::Framing::kLumen;
    cc.lumen = lumen;
  }
  std::unique_ptr<client::Presenter> presenter;  // outlives the client's decode thread
  if (window) {
    auto pr = client::Presenter::Create({});
    if (!pr.ok()) {
      std::fprintf(stderr, "lumen demo: --window: %s\n", pr.status().ToString().c_str());
      return 3;
    }
    presenter = std::move(*pr);
  }
  auto client = client::ReferenceClient::Create(cc);
  if (!client.ok()) {
    std::fprintf(stderr, "lumen demo: client: %s\n", client.status().ToString().c_str());
    return 3;
  }
  if (presenter) {
    (*client)->set_on_picture([&](const client::FrameRecord& r, const client::Picture& pic) {
      presenter->Submit(r, pic);
    });
  }
  (*client)->Start();

  std::printf(
      "lumen demo: %dx%d@%d %s %d kbit/s, %s framing%s, FEC %d%%, packet %d, loss %.1f%%, "
      "%.0f s\n",
      pc.width, pc.height, pc.fps, codec.c_str(), pc.bitrate_kbps, framing.c_str(),
      pc.lumen_framing ? absl::StrFormat(" (%s)", pc.lumen_aead).c_str() : "", pc.fec_percent,
      pc.packet_size, loss, seconds);
  const bool tty = isatty(STDOUT_FILENO);
  const uint64_t start = host::MonotonicNs();
  uint64_t last_line = start;
  bool killed_encoder = false, killed_transport = false;
  while (!host::StopRequested()) {
    usleep(50000);
    const uint64_t now = host::MonotonicNs();
    const double t = double(now - start) / 1e9;
    if (t >= seconds || (presenter && presenter->closed())) break;
    if (kill_encoder_at >= 0 && !killed_encoder && t >= kill_encoder_at) {
      killed_encoder = true;
      std::printf("\nkilling lumen-encode (SIGKILL) at %.1f s\n", t);
      (void)p.KillChild(supervisor::ChildKind::kEncode, SIGKILL);
    }
    if (kill_transport_at >= 0 && !killed_transport && t >= kill_transport_at) {
      killed_transport = true;
      std::printf("\nkilling lumen-transport (SIGKILL) at %.1f s\n", t);
      (void)p.KillChild(supervisor::ChildKind::kTransport, SIGKILL);
    }
    if (p.Stats().failed) break;
    if (now - last_line >= 1'000'000'000ull) {
      last_line = now;
      const client::ClientStats cs = (*client)->stats();
      const std::string line = absl::StrFormat("%s  decoded %llu  lost %llu", p.StatusLine(),
                                               (unsigned long long)cs.frames_decoded,
                                               (unsigned long long)cs.frames_lost);
      if (tty) {
        std::printf("\r%s", line.c_str());
        std::fflush(stdout);
      } else {
        spdlog::info("{}", line);
      }
    }
  }
  if (tty) std::printf("\n");
  const supervisor::PipelineStats ps = p.Stats();
  p.Stop();
  usleep(300000);  // datagrams still in flight on loopback
  (*client)->Stop();
  if (presenter) presenter->Stop();
  const std::vector<host::FrameTiming> timings = p.Timings();
  const std::vector<client::FrameRecord> records = (*client)->records();
  const client::ClientStats cs = (*client)->stats();

  // Join by Moonlight frame index.
  std::map<uint32_t, const host::FrameTiming*> sent;
  uint64_t au_bytes = 0;
  uint64_t first_send = 0, last_send = 0;
  for (const host::FrameTiming& t : timings) {
    if (t.frame_index == 0) continue;
    sent[t.frame_index] = &t;
    au_bytes += t.au_bytes;
    if (!first_send) first_send = t.send_done_ts_ns;
    last_send = t.send_done_ts_ns;
  }
  std::map<uint32_t, const client::FrameRecord*> got;
  for (const client::FrameRecord& r : records) got[r.frame_index] = &r;
  // Frames before the first one the client decoded (an IDR) can't count as lost: the client
  // joins at an IDR.
  const uint32_t first_index = got.empty() ? 0 : got.begin()->first;
  uint64_t lost = 0, wrong = 0, unmatched_ts = 0, considered = 0, decoded = 0;
  std::vector<double> pick, enc, au_ring, pkt, net, dec, total, overhead;
  for (const auto& [idx, t] : sent) {
    if (idx < first_index) continue;
    ++considered;
    auto it = got.find(idx);
    if (it == got.end() || it->second->decoded_ns == 0) {
      ++lost;
      continue;
    }
    const client::FrameRecord& r = *it->second;
    ++decoded;
    if (!r.stamp_ok || r.stamp_frame != uint32_t(t->frame_id)) {
      ++wrong;
      if (wrong <= 5) {
        std::fprintf(stderr, "pixel check: frame index %u: stamp %s frame %u, expected %llu\n", idx,
                     r.stamp_ok ? "ok" : "unreadable", r.stamp_frame,
                     (unsigned long long)t->frame_id);
      }
      continue;
    }
    if (r.stamp_capture_us != t->capture_ts_ns / 1000) ++unmatched_ts;
    auto ms = [](uint64_t a, uint64_t b) { return double(int64_t(b - a)) / 1e6; };
    pick.push_back(ms(t->capture_ts_ns, t->encode_start_ts_ns));
    enc.push_back(ms(t->encode_start_ts_ns, t->encode_done_ts_ns));
    au_ring.push_back(ms(t->encode_done_ts_ns, t->transport_recv_ts_ns));
    pkt.push_back(ms(t->transport_recv_ts_ns, t->send_done_ts_ns));
    overhead.push_back(ms(t->capture_ts_ns, t->send_done_ts_ns) -
                       ms(t->encode_start_ts_ns, t->encode_done_ts_ns));
    net.push_back(double(int64_t(r.complete_ns - t->send_done_ts_ns)) / 1e6);
    dec.push_back(double(r.decoded_ns - r.complete_ns) / 1e6);
    total.push_back(double(r.decoded_ns - t->capture_ts_ns) / 1e6);
  }
  const double span_s = last_send > first_send ? double(last_send - first_send) / 1e9 : 0;
  const double kbps = span_s > 0 ? double(au_bytes) * 8 / span_s / 1000 : 0;

  std::printf("\n== lumen demo summary ==\n");
  std::printf("frames: captured %llu, encoded %llu, sent %zu, received %llu, decoded %llu\n",
              (unsigned long long)ps.frames_captured, (unsigned long long)ps.aus_encoded,
              sent.size(), (unsigned long long)cs.frames_delivered,
              (unsigned long long)cs.frames_decoded);
  std::printf("checked from frame index %u: %llu frames, lost %llu, wrong pixels %llu%s\n",
              first_index, (unsigned long long)considered, (unsigned long long)lost,
              (unsigned long long)wrong,
              unmatched_ts ? absl::StrFormat(" (capture timestamps differ on %llu)",
                                             (unsigned long long)unmatched_ts)
                                 .c_str()
                           : "");
  std::printf("pixel check: %s\n",
              decoded > 0 && wrong == 0 ? "PASS (stamped frame counters match)" : "FAIL");
  std::printf("capture drops %llu (raw ring), encoder skips %llu, AU ring refusals %llu\n",
              (unsigned long long)ps.raw_dropped, (unsigned long long)ps.raw_skipped,
              (unsigned long long)ps.au_rejected);
  auto row = [](const char* name, const Percentiles& p) {
    std::printf("  %-22s median %7.2f ms   p99 %7.2f ms   (%zu frames)\n", name, p.p50, p.p99, p.n);
  };
  std::printf("latency per stage:\n");
  row("capture -> encoder", Pct(pick));  // stamp, grab (BGRx -> I420) into the ring, wake-up
  row("encode (encoder)", Pct(enc));
  row("encoded -> transport", Pct(au_ring));
  row("packetize + send", Pct(pkt));
  row("sent -> received", Pct(net));
  row("received -> decoded", Pct(dec));
  row("capture -> decoded", Pct(total));
  row("host overhead", Pct(overhead));
  std::printf(
      "  (host overhead = capture -> sent minus the encoder's own time; capture -> encoder\n"
      "   starts after the desktop was drawn: painting the stamp, lumen-capture's grab into\n"
      "   the raw ring (converted to I420 on the way unless --ring-format=bgrx; then\n"
      "   lumen-encode converts, also counted here) and the wake-up; lumen-encode passes\n"
      "   the ring's I420 planes to the encoder without a copy)\n");
  std::printf("bitrate: %.0f kbit/s (access units), %llu datagrams\n", kbps,
              (unsigned long long)ps.datagrams_sent);
  std::printf("FEC: %llu frames recovered (%llu shards); induced drops %llu of %llu datagrams\n",
              (unsigned long long)cs.frames_recovered, (unsigned long long)cs.shards_recovered,
              (unsigned long long)cs.datagrams_dropped_induced, (unsigned long long)cs.datagrams);
  if (pc.lumen_framing) {
    std::printf("lumen feedback: %llu loss reports, %llu IDR requests, %llu FEC ratio acks sent\n",
                (unsigned long long)cs.loss_reports_sent, (unsigned long long)cs.idr_requests_sent,
                (unsigned long long)cs.ratio_acks_sent);
  }
  if (presenter) {
    std::printf("window: %s\n", client::FormatPresenterStats(presenter->stats()).c_str());
  }
  std::printf("restarts: capture %d, encode %d, transport %d\n", ps.restarts[0], ps.restarts[1],
              ps.restarts[2]);
  bool ok = true;
  if (ps.failed) {
    std::printf("FAIL: pipeline: %s\n", ps.failure.c_str());
    ok = false;
  }
  if (decoded == 0) {
    std::printf("FAIL: no frame was decoded\n");
    ok = false;
  }
  if (int64_t(lost) > max_lost) {
    std::printf("FAIL: %llu frames lost (allowed %lld)\n", (unsigned long long)lost,
                (long long)max_lost);
    ok = false;
  }
  if (wrong > 0) {
    std::printf("FAIL: %llu frames with wrong pixels\n", (unsigned long long)wrong);
    ok = false;
  }
  std::printf("%s\n", ok ? "RESULT: PASS" : "RESULT: FAIL");
  return ok ? 0 : 1;
}

}  // namespace lumen::cli
