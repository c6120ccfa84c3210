// reference_client: lumen/Moonlight video client, headless by default.
//
//   reference_client --server=IP:PORT [--bind=0.0.0.0:0] [--seconds=0 (until Ctrl-C)]
//       [--codec=h264|hevc|av1] [--packet-size=1392] [--loss=5%] [--loss-seed=1]
//       [--key=HEX32] [--ping-payload=16CHARS] [--dump-es=FILE] [--snapshot-dir=DIR]
//       [--snapshot-every=60]
//       [--framing=moonlight|lumen --lumen-secret=HEX32 --lumen-nonces=HEX64
//        --lumen-session=N [--lumen-aead=aes256gcm|xchacha20poly1305]]
//       [--window [--window-software] [--window-check=N]]
//   reference_client --moonlight-host=IP[:HTTP_PORT] [--pin=NNNN] [--app=TITLE]
//       [--width=1280 --height=720 --fps=60 --bitrate=10000] [--codec=h264|hevc]
//       [--keydir=DIR] [--no-lumen-transport] [the receive/window flags above]
//     As a Moonlight client of a host (`lumen serve`): pairs when needed (enter the PIN on
//     the host), launches the app, runs the RTSP handshake and the control stream, and
//     receives the video in lumen framing when the host offers it (else Moonlight's); the
//     app is quit at the end. Identity in --keydir (default ~/.config/lumen-client).
// Pings the server's video port, receives, FEC-recovers, decodes (FFmpeg), reads the test
// pattern stamp, prints a stats line per second and a summary at the end. Snapshots are
// the luma plane as PGM files (viewable anywhere, no image library needed).
// --window shows the pictures in an SDL2 window (clients/reference/presenter.h); closing
// it ends the run. --window-software forces SDL's software renderer (Xvfb, no GPU);
// --window-check=N reads every Nth shown frame back and checks its stamp (the run fails on
// a mismatch, or if none could be checked).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/escaping.h"
#include "clients/reference/client.h"
#include "clients/reference/moonlight_session.h"
#include "clients/reference/presenter.h"
#include "clients/reference/video_decoder.h"
#include "host/common/clock.h"
#include "host/common/process.h"
#include "spdlog/spdlog.h"

namespace lumen::client {
namespace {

int Run(int argc, char** argv) {
  host::InstallStopSignals();
  host::InitLogging("client");
  host::Args args(argc, argv);
  ClientConfig cfg;
  cfg.server = args.Str("server");
  cfg.bind = args.Str("bind", cfg.bind);
  cfg.packet_size = int(args.Int("packet-size", cfg.packet_size));
  cfg.loss_percent = args.Double("loss", 0);
  cfg.loss_seed = uint64_t(args.Int("loss-seed", 1));
  cfg.ping_payload = args.Str("ping-payload");
  cfg.dump_es = args.Str("dump-es");
  const std::string codec = args.Str("codec", "h264");
  const std::string key_hex = args.Str("key");
  const double seconds = args.Double("seconds", 0);
  const std::string snap_dir = args.Str("snapshot-dir");
  const int snap_every = int(args.Int("snapshot-every", 60));
  const std::string framing = args.Str("framing", "moonlight");
  const std::string lumen_secret = args.Str("lumen-secret");
  const std::string lumen_nonces = args.Str("lumen-nonces");
  const uint32_t lumen_session = uint32_t(args.Int("lumen-session", 1));
  const std::string lumen_aead = args.Str("lumen-aead");
  const bool window = args.Bool("window");
  const std::string moonlight_host = args.Str("moonlight-host");
  MoonlightSessionOptions mo;
  mo.pin = args.Str("pin");
  mo.app = args.Str("app");
  mo.width = int(args.Int("width", mo.width));
  mo.height = int(args.Int("height", mo.height));
  mo.fps = int(args.Int("fps", mo.fps));
  mo.bitrate_kbps = int(args.Int("bitrate", mo.bitrate_kbps));
  mo.lumen_transport = args.Bool("lumen-transport", true);  // --no-lumen-transport: false
  const char* home = std::getenv("HOME");
  const char* xdg = std::getenv("XDG_CONFIG_HOME");
  mo.keydir =
      args.Str("keydir", xdg != nullptr && *xdg != '\0'
                             ? std::string(xdg) + "/lumen-client"
                             : std::string(home != nullptr ? home : ".") + "/.config/lumen-client");
  PresenterConfig pcfg;
  pcfg.software_renderer = args.Bool("window-software");
  pcfg.readback_every = int(args.Int("window-check", 0));
  if (absl::Status s = args.Check(); !s.ok()) {
    spdlog::error("{}", s.ToString());
    return 2;
  }
  if (cfg.server.empty() && moonlight_host.empty()) {
    spdlog::error("--server=IP:PORT (the host's video port) or --moonlight-host=IP is required");
    return 2;
  }
  if (codec == "hevc" || codec == "h265") {
    cfg.codec = host::Codec::kHevc;
  } else if (codec == "av1") {
    cfg.codec = host::Codec::kAv1;
  } else if (codec != "h264") {
    spdlog::error("unknown --codec {}", codec);
    return 2;
  }
  if (!key_hex.empty()) {
    const std::string key = absl::HexStringToBytes(key_hex);
    if (key.size() != 16) {
      spdlog::error("--key must be 32 hex digits");
      return 2;
    }
    std::memcpy(cfg.key.data(), key.data(), 16);
    cfg.encrypted = true;
  }
  if (framing == "lumen") {
    auto p = transport::ParseLumenParams(lumen_secret, lumen_nonces, lumen_session, lumen_aead);
    if (!p.ok()) {
      spdlog::error("--framing=lumen: {}", p.status().ToString());
      return 2;
    }
    cfg.framing = transport::Framing::kLumen;
    cfg.lumen = *p;
  } else if (framing != "moonlight") {
    spdlog::error("--framing must be moonlight or lumen");
    return 2;
  }
  std::unique_ptr<MoonlightSession> session;  // destroyed last: quits the app
  if (!moonlight_host.empty()) {
    const size_t colon = moonlight_host.rfind(':');
    mo.host = moonlight_host.substr(0, colon);
    if (colon != std::string::npos) mo.http_port = std::atoi(moonlight_host.c_str() + colon + 1);
    mo.hevc = cfg.codec == host::Codec::kHevc;
    auto s = MoonlightSession::Start(mo, &cfg);
    if (!s.ok()) {
      spdlog::error("{}: {}", moonlight_host, s.status().ToString());
      return 3;
    }
    session = std::move(*s);
    // The window's keyboard and mouse go to the host over the control stream.
    MoonlightSession* ses = session.get();
    pcfg.on_input = [ses](const moonlight::input::InputEvent& ev) { ses->SendInput(ev); };
    spdlog::info("streaming {}", session->Describe());
  }
  auto client = ReferenceClient::Create(cfg);
  if (!client.ok()) {
    spdlog::error("{}", client.status().ToString());
    return 3;
  }
  std::unique_ptr<Presenter> presenter;
  if (window) {
    auto pr = Presenter::Create(pcfg);
    if (!pr.ok()) {
      spdlog::error("--window: {}", pr.status().ToString());
      return 3;
    }
    presenter = std::move(*pr);
  }
  if (!snap_dir.empty() || presenter) {
    (*client)->set_on_picture([&](const FrameRecord& r, const Picture& p) {
      if (presenter) presenter->Submit(r, p);
      if (snap_dir.empty() || snap_every <= 0 || r.frame_index % uint32_t(snap_every) != 0) {
        return;
      }
      const std::string path = snap_dir + "/frame_" + std::to_string(r.frame_index) + ".pgm";
      if (FILE* f = fopen(path.c_str(), "wb")) {
        fprintf(f, "P5\n%d %d\n255\n", p.width, p.height);
        for (int y = 0; y < p.height; ++y) {
          fwrite(p.luma.data() + size_t(y) * size_t(p.stride), 1, size_t(p.width), f);
        }
        fclose(f);
      }
    });
  }
  (*client)->Start();
  spdlog::info("receiving on UDP port {} from {}", (*client)->local_port(), cfg.server);
  const uint64_t start = host::MonotonicNs();
  uint64_t last_print = start;
  uint64_t last_frames = 0;
  while (!host::StopRequested()) {
    usleep(100000);
    if (presenter && presenter->closed()) {
      spdlog::info("window closed");
      break;
    }
    const uint64_t now = host::MonotonicNs();
    if (seconds > 0 && double(now - start) / 1e9 >= seconds) break;
    if (now - last_print >= 1'000'000'000) {
      ClientStats s = (*client)->stats();
      spdlog::info("{:.0f} fps decoded, {} frames, {} lost, {} FEC-recovered, {} datagrams",
                   double(s.frames_decoded - last_frames) * 1e9 / double(now - last_print),
                   s.frames_decoded, s.frames_lost, s.frames_recovered, s.datagrams);
      last_frames = s.frames_decoded;
      last_print = now;
    }
  }
  (*client)->Stop();
  bool window_ok = true;
  if (presenter) {
    presenter->Stop();
    const PresenterStats w = presenter->stats();
    std::printf("window: %s\n", FormatPresenterStats(w).c_str());
    window_ok = w.unsupported == 0 && w.readback_stamp_bad == 0 &&
                (pcfg.readback_every <= 0 || w.readback_stamp_ok > 0);
  }
  ClientStats s = (*client)->stats();
  std::printf(
      "frames delivered %llu, decoded %llu, lost %llu, FEC-recovered frames %llu (shards %llu), "
      "stamp errors %llu, decode errors %llu, induced drops %llu of %llu datagrams\n",
      (unsigned long long)s.frames_delivered, (unsigned long long)s.frames_decoded,
      (unsigned long long)s.frames_lost, (unsigned long long)s.frames_recovered,
      (unsigned long long)s.shards_recovered, (unsigned long long)s.stamp_errors,
      (unsigned long long)s.decode_errors, (unsigned long long)s.datagrams_dropped_induced,
      (unsigned long long)s.datagrams);
  return s.frames_decoded > 0 && s.stamp_errors == 0 && s.decode_errors == 0 && window_ok ? 0 : 1;
}

}  // namespace
}  // namespace lumen::client

int main(int argc, char** argv) { return lumen::client::Run(argc, argv); }
