// `lumen serve` (see serve.h).
#include "host/moonlight/serve/serve.h"

// First, on purpose: core/moonlight headers name `crypto::` unqualified, which must resolve
// to lumen::crypto before host/moonlight/http/crypto.h declares lumen::moonlight::crypto.
#include <spdlog/spdlog.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/str_split.h"
#include "host/common/process.h"
#include "host/encode/video_encoder.h"
#include "host/moonlight/http/nvhttp_server.h"
#include "host/moonlight/mdns/mdns_publisher.h"
#include "host/moonlight/serve/desktop_audio.h"
#include "host/moonlight/serve/desktop_input.h"
#include "host/moonlight/serve/desktop_video.h"
#include "host/moonlight/serve/moonlight_host.h"
#include "host/moonlight/state/host_config.h"
#include "host/moonlight/state/host_state.h"

namespace lumen::moonlight::serve {
namespace {

constexpr char kHelp[] = R"(lumen serve: run the Moonlight host in the foreground.

Pair from a Moonlight client (it shows a PIN), then enter the PIN with `lumen pin NNNN`
(or start with --pin=NNNN). Stop with Ctrl-C.

Sources:
  --video=SOURCE     pattern (default): the lumen test pattern
                     mutter-virtual: a mutter virtual monitor at the client's resolution
                     mutter-monitor[:CONNECTOR]: an existing mutter/GNOME monitor
                     pipewire:NODE: any PipeWire video node (name or id)
                     portal: xdg-desktop-portal ScreenCast (may ask the user)
                     A source that cannot be opened is logged once; sessions then
                     stream the test pattern.
  --audio=SOURCE     pipewire (default): the default sink's monitor (--audio-sink=NAME
                     for another sink); silence whenever PipeWire is unavailable
                     silence | tone (440 Hz)
  --input=BACKEND    auto (default: mutter, then the portal, then uinput) | mutter |
                     portal | uinput | log | none. A backend that cannot open is logged
                     once and input is dropped; the stream continues.
Encoding:
  --encoder=auto|nvenc   --codecs=h264,hevc[,av1]   --fec=PERCENT (20)
Network and state:
  --bind=ADDR (0.0.0.0)  --base-port=PORT (47989; RTSP base+21, video +9, control +10,
  audio +11)  --no-rtsp-encryption  --config=FILE  --state-dir=DIR  --pin=NNNN
  --no-mdns               do not announce the host over mDNS (_nvstream._tcp, avahi-daemon)
  --no-lumen-transport   do not offer lumen transport in DESCRIBE (lumen-aware clients
                         then get Moonlight video framing too; stock clients always do)
)";

int Fail(const std::string& msg) {
  std::fprintf(stderr, "lumen serve: %s\n", msg.c_str());
  return 1;
}

}  // namespace

int ServeMain(int argc, char** argv) {
  host::InstallStopSignals();
  host::InitLogging("lumen-serve");
  host::Args args(argc, argv, 1);
  if (args.Bool("help", false)) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const std::string config_path = args.Str("config");
  const std::string state_dir = args.Str("state-dir");
  const int64_t base_port = args.Int("base-port", 0);
  const std::string bind = args.Str("bind", "0.0.0.0");
  const std::string video = args.Str("video", "pattern");
  const std::string encoder = args.Str("encoder", "auto");
  const std::string codecs = args.Str("codecs", "h264,hevc");
  const std::string audio = args.Str("audio", "pipewire");
  const std::string audio_sink = args.Str("audio-sink");
  const std::string input = args.Str("input", "auto");
  const int64_t fec = args.Int("fec", 20);
  // host::Args reads --no-NAME as NAME=false.
  const bool no_rtsp_enc = !args.Bool("rtsp-encryption", true);
  const bool no_lumen = !args.Bool("lumen-transport", true);
  const bool no_mdns = !args.Bool("mdns", true);
  const std::string pin = args.Str("pin");
  if (auto st = args.Check(); !st.ok()) return Fail(std::string(st.message()));
  auto video_spec = ParseVideoSource(video);
  if (!video_spec.ok()) return Fail(std::string(video_spec.status().message()));
  if (audio != "pipewire" && audio != "silence" && audio != "tone") {
    return Fail("--audio must be pipewire, silence or tone");
  }
  if (!ValidInputChoice(input)) return Fail("--input must be auto, mutter, portal, uinput, log or none");
  if (fec < 0 || fec > 255) return Fail("--fec must be in 0..255");

  auto dirs = state::StateDirs::FromEnvironment();
  if (!dirs.ok()) return Fail(std::string(dirs.status().message()));
  if (!state_dir.empty()) dirs->state_dir = state_dir;
  absl::StatusOr<state::HostConfig> config;
  if (!config_path.empty()) {
    std::ifstream f(config_path);
    if (!f) return Fail("cannot read --config " + config_path);
    std::stringstream ss;
    ss << f.rdbuf();
    config = state::ParseHostConfig(ss.str());
  } else {
    config = state::LoadHostConfig(*dirs);
  }
  if (!config.ok()) return Fail(std::string(config.status().message()));
  if (base_port > 0) {
    if (base_port < 6 || base_port > 65535 - 21) return Fail("--base-port out of range");
    config->base_port = static_cast<int>(base_port);
    config->http_port = static_cast<int>(base_port);
    config->https_port = static_cast<int>(base_port - 5);
    config->rtsp_port = static_cast<int>(base_port + 21);
    config->admin_port = static_cast<int>(base_port + 1);
  }
  config->bind_address = bind;
  const int base = config->base_port;

  // What the encoders on this machine can really do, limited by --codecs.
  const bool want_nvenc = encoder == "nvenc";
  const encode::CodecSupport support = encode::ProbeEncoders(want_nvenc);
  const std::vector<std::string> offered = absl::StrSplit(codecs, ',');
  auto offered_has = [&](const char* c) {
    return std::find(offered.begin(), offered.end(), c) != offered.end();
  };
  const bool h264 = support.h264;
  const bool hevc = support.hevc && offered_has("hevc");
  const bool av1 = support.av1 && offered_has("av1");
  if (!h264) return Fail("no H.264 encoder available (libx264 missing?)");
  uint32_t mask = http::kScmH264;
  if (hevc) mask |= http::kScmHevc;
  if (av1) mask |= http::kScmAv1Main8;

  MoonlightHostOptions ho;
  ho.bind_address = bind;
  ho.rtsp_port = static_cast<uint16_t>(config->rtsp_port);
  ho.video_port = static_cast<uint16_t>(base + 9);
  ho.control_port = static_cast<uint16_t>(base + 10);
  ho.audio_port = static_cast<uint16_t>(base + 11);
  ho.caps.hevc = hevc;
  ho.caps.av1 = av1;
  ho.policy.allow_hevc = hevc;
  ho.policy.allow_av1 = av1;
  ho.policy.fec_percentage = static_cast<int>(fec);
  ho.rtsp_encryption = !no_rtsp_enc;
  ho.offer_lumen_transport = !no_lumen;
  ho.video = DesktopVideoFactory(*video_spec, want_nvenc);
  if (audio == "tone") ho.audio = stream::SineSource(440.0);
  if (audio == "pipewire") ho.audio_packets = PipeWireAudioFactory(audio_sink);
  auto input_router = std::make_shared<InputRouter>(input);
  ho.on_input = [input_router](const input::InputEvent& ev) { input_router->Handle(ev); };
  auto host = MoonlightHost::Start(std::move(ho));
  if (!host.ok()) return Fail(std::string(host.status().message()));
  config->rtsp_port = (*host)->rtsp_port();

  auto st = state::HostState::Open(*dirs);
  if (!st.ok()) return Fail(std::string(st.status().message()));
  http::NvHttpOptions no;
  no.config = *config;
  http::NvHttpServer nvhttp(no, st->get(), host->get());
  nvhttp.SetCodecMask(mask);
  if (auto s = nvhttp.Start(); !s.ok()) return Fail(std::string(s.message()));
  spdlog::info("lumen serve: HTTP {} HTTPS {} RTSP {} control {} video {} audio {}; codecs {}{}{}",
               nvhttp.http_port(), nvhttp.https_port(), (*host)->rtsp_port(),
               (*host)->control_port(), base + 9, base + 11, "H.264", hevc ? ", HEVC" : "",
               av1 ? ", AV1" : "");
  // Moonlight clients find hosts by browsing _nvstream._tcp; optional (a host can be added
  // by address), so a failure is logged and serve goes on.
  std::unique_ptr<mdns::Publisher> mdns_publisher;
  if (!no_mdns) {
    auto pub =
        mdns::Publisher::Start(mdns::InstanceName(nvhttp.hostname()), uint16_t(nvhttp.http_port()));
    if (pub.ok()) {
      mdns_publisher = std::move(*pub);
    } else {
      spdlog::warn("lumen serve: no mDNS announcement: {}", pub.status().ToString());
    }
  }
  if (nvhttp.admin_port() > 0) {
    spdlog::info("lumen serve: pairing PINs are entered on the admin port {} (or `lumen pin`)",
                 nvhttp.admin_port());
  }

  auto next_stats = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!host::StopRequested()) {
    if (std::chrono::steady_clock::now() >= next_stats) {
      next_stats += std::chrono::seconds(10);
      if ((*host)->streaming()) {
        spdlog::info("lumen serve: {}; {}", (*host)->StatsLine(), input_router->StatsLine());
      }
    }
    if (!pin.empty()) {
      for (const auto& p : nvhttp.pairing().Pending()) {
        (void)p;
        if (nvhttp.pairing().SubmitPin(pin, "").ok()) spdlog::info("lumen serve: PIN submitted");
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  spdlog::info("lumen serve: stopping (signal {})", host::StopSignal());
  mdns_publisher.reset();  // withdraw the announcement first
  nvhttp.Stop();
  host->reset();
  return 0;
}

}  // namespace lumen::moonlight::serve

// The `lumen serve` row of host/lumen's dispatch table (host/lumen/commands.h).
namespace lumen::cli {
int ServeMain(int argc, char** argv) { return moonlight::serve::ServeMain(argc, argv); }
}  // namespace lumen::cli
