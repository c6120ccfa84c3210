// lumen-transport: encoded access units from the ring -> Moonlight video datagrams over UDP;
// client feedback -> control ring -> lumen-encode.
//
// Usage (normally started by `lumen`, which passes --ring-fd):
//   lumen-transport --ring-fd=N | --ring-socket=PATH
//       [--bind=0.0.0.0:0] [--dest=IP:PORT] [--ping-payload=XXXXXXXXXXXXXXXX]
//       [--packet-size=1392] [--fec-percent=20] [--min-fec=2] [--key=HEX32] [--no-gso]
//       [--first-frame-index=1]
//       [--framing=moonlight|lumen --lumen-secret=HEX32 --lumen-nonces=HEX64
//        --lumen-session=N [--lumen-aead=aes256gcm|xchacha20poly1305] [--lumen-fixed-fec]]
// With --framing=lumen the video is lumen framing (docs/lumen-transport.md): keys derived
// from the secret (the launch secret), the host|client nonces and the session id; FEC
// starts at --fec-percent and follows the client's loss reports unless --lumen-fixed-fec.
// Rings received: kEncodedVideoIn (required), kControlOut (required), kStatsOut (optional).
// After attaching it sends ChildMessage{kReady, value = UDP port} on the ring socket and
// then accepts kRequestIdr / kSetBitrate commands on it.
#include <poll.h>
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/escaping.h"
#include "host/common/clock.h"
#include "host/common/frame_desc.h"
#include "host/common/process.h"
#include "host/common/ring_handoff.h"
#include "host/common/shm_ring.h"
#include "host/transport/video_transport.h"
#include "spdlog/spdlog.h"

namespace lumen::transport {
namespace {

int Run(int argc, char** argv) {
  host::InstallStopSignals();
  host::InitLogging("transport");
  host::Args args(argc, argv);
  const int ring_fd = int(args.Int("ring-fd", -1));
  const std::string ring_socket = args.Str("ring-socket");
  TransportConfig cfg;
  cfg.bind = args.Str("bind", cfg.bind);
  cfg.dest = args.Str("dest");
  cfg.ping_payload = args.Str("ping-payload");
  cfg.packet_size = int(args.Int("packet-size", cfg.packet_size));
  cfg.fec_percent = int(args.Int("fec-percent", cfg.fec_percent));
  cfg.min_fec_packets = int(args.Int("min-fec", cfg.min_fec_packets));
  cfg.max_frame_bytes = size_t(args.Int("max-frame-bytes", int64_t(cfg.max_frame_bytes)));
  cfg.gso = args.Bool("gso", true);
  cfg.first_frame_index = uint32_t(args.Int("first-frame-index", 1));
  const std::string key_hex = args.Str("key");
  const std::string framing = args.Str("framing", "moonlight");
  const std::string lumen_secret = args.Str("lumen-secret");
  const std::string lumen_nonces = args.Str("lumen-nonces");
  const uint32_t lumen_session = uint32_t(args.Int("lumen-session", 1));
  const std::string lumen_aead = args.Str("lumen-aead");
  cfg.lumen_adaptive_fec = !args.Bool("lumen-fixed-fec");
  if (absl::Status s = args.Check(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 2;
  }
  if (!key_hex.empty()) {
    const std::string key = absl::HexStringToBytes(key_hex);
    if (key.size() != 16) {
      spdlog::error("--key must be 32 hex digits (AES-128 rikey)");
      return 2;
    }
    std::memcpy(cfg.key.data(), key.data(), 16);
    cfg.encrypt = true;
  }

  if (framing == "lumen") {
    auto p = ParseLumenParams(lumen_secret, lumen_nonces, lumen_session, lumen_aead);
    if (!p.ok()) {
      spdlog::error("--framing=lumen: {}", p.status().ToString());
      return 2;
    }
    cfg.framing = Framing::kLumen;
    cfg.lumen = *p;
  } else if (framing != "moonlight") {
    spdlog::error("--framing must be moonlight or lumen");
    return 2;
  }

  auto handed = host::AttachChildRings(
      ring_fd, ring_socket,
      {{host::RingRole::kEncodedVideoIn, host::RingKind::kEncodedVideo},
       {host::RingRole::kControlOut, host::RingKind::kControl},
       {host::RingRole::kStatsOut, host::RingKind::kTransportStats, /*optional=*/true}});
  if (!handed.ok()) {
    spdlog::error("{}", handed.status().ToString());
    return absl::IsInvalidArgument(handed.status()) ? 2 : 3;
  }
  std::optional<host::ShmRing>& au_ring = handed->rings[0];
  std::optional<host::ShmRing>& ctl_ring = handed->rings[1];
  std::optional<host::ShmRing>& stats_ring = handed->rings[2];

  host::RingConsumer au_in(&*au_ring);
  host::RingProducer ctl_out(&*ctl_ring);
  std::optional<host::RingProducer> stats_out;
  if (stats_ring) stats_out.emplace(&*stats_ring);
  std::mutex ctl_mu;
  auto send_control = [&](const host::ControlMessage& m) {
    std::lock_guard<std::mutex> l(ctl_mu);
    if (!ctl_out.TryPush(m)) spdlog::warn("control ring full; dropping control message");
  };

  auto transport = VideoTransport::Create(cfg, send_control);
  if (!transport.ok()) {
    spdlog::error("transport: {}", transport.status().ToString());
    return 4;
  }
  VideoTransport& t = **transport;
  spdlog::info("sending from UDP port {} to {} ({} framing, packet {} B, FEC {}%{})",
               t.local_port(), cfg.dest.empty() ? "the first ping" : cfg.dest,
               FramingName(cfg.framing), cfg.packet_size, cfg.fec_percent,
               cfg.framing == Framing::kLumen ? (cfg.lumen_adaptive_fec ? " adaptive" : " fixed")
               : cfg.encrypt                  ? ", AES-GCM"
                                              : "");
  host::ChildMessage ready;
  ready.type = host::ChildMessageType::kReady;
  ready.value = t.local_port();
  (void)host::SendChildMessage(handed->sock, ready);

  // Supervisor commands on the ring socket.
  std::thread commands([&] {
    while (!host::StopRequested()) {
      auto m = host::ReadChildMessage(handed->sock, 200);
      if (!m.ok()) {
        if (m.status().code() == absl::StatusCode::kUnavailable) {
          spdlog::info("supervisor gone; stopping");
          host::RequestStop();
          return;
        }
        continue;
      }
      host::ControlMessage c{};
      c.sent_ts_ns = host::MonotonicNs();
      if (m->type == host::ChildMessageType::kRequestIdr) {
        c.type = host::ControlType::kRequestIdr;
        send_control(c);
      } else if (m->type == host::ChildMessageType::kSetBitrate) {
        c.type = host::ControlType::kSetBitrate;
        c.bitrate_kbps = uint32_t(m->value);
        send_control(c);
      }
    }
  });

  uint64_t last_epoch = 0;
  while (!host::StopRequested()) {
    auto r = au_in.Acquire(100'000'000);
    if (!r) continue;
    const uint64_t got_ts = host::MonotonicNs();
    const host::AccessUnitDesc au = r->As<host::AccessUnitDesc>();
    const size_t len = std::min<size_t>(au.len, r->payload.size());
    if (au.encoder_epoch != last_epoch) {
      if (last_epoch != 0) {
        spdlog::info("encoder restarted (epoch {} -> {}), first AU {}", last_epoch,
                     au.encoder_epoch, au.is_idr ? "is an IDR" : "is not an IDR: asking");
      }
      if (last_epoch != 0 && !au.is_idr) {
        host::ControlMessage c{};
        c.type = host::ControlType::kRequestIdr;
        c.sent_ts_ns = got_ts;
        send_control(c);
      }
      last_epoch = au.encoder_epoch;
    }
    host::FrameTiming timing;
    t.SendAccessUnit(au, r->payload.subspan(0, len), &timing);
    timing.transport_recv_ts_ns = got_ts;
    au_in.Release(*r);
    if (stats_out) (void)stats_out->TryPush(timing);
  }
  const TransportStats s = t.stats();
  spdlog::info("stopped: {} frames, {} datagrams ({} parity), {} GSO sends, {} IDR requests",
               s.frames_sent, s.datagrams, s.parity_datagrams, s.gso_sends, s.idr_requests);
  if (cfg.framing == Framing::kLumen) {
    spdlog::info(
        "lumen framing: {} loss reports, {} FEC ratio changes (now {} permille), {} "
        "bad feedback datagrams",
        s.loss_reports, s.fec_ratio_changes, s.fec_ratio_permille, s.bad_feedback);
  }
  commands.join();
  return 0;
}

}  // namespace
}  // namespace lumen::transport

int main(int argc, char** argv) { return lumen::transport::Run(argc, argv); }
