// `lumen serve`'s host against a real desktop: a private `mutter --headless` (on the
// private D-Bus and PipeWire that tools/ci/start-services.sh brings up). A Moonlight
// client built from lumen's client libraries asks for 800x600; the host's
// --video=mutter-virtual source creates a mutter virtual monitor at that size, and the
// decoded frames must be 800x600. A key press sent over the control stream must reach
// mutter's RemoteDesktop session through --input=mutter (the D-Bus call succeeded: the
// backend counted it as delivered). Audio comes from --audio=pipewire (the null sink's
// monitor, or silence). A --video source that cannot open falls back to the pattern.
// Skips, with the reason, where PipeWire or mutter cannot run.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "clients/moonlight/control_client.h"
#include "clients/moonlight/http_client.h"
#include "clients/moonlight/rtsp_client.h"
#include "clients/moonlight/stream_client.h"
#include "core/moonlight/input.h"
#include "host/capture/pw_test_services.h"
#include "host/moonlight/http/nvhttp_server.h"
#include "host/moonlight/serve/desktop_audio.h"
#include "host/moonlight/serve/desktop_input.h"
#include "host/moonlight/serve/desktop_video.h"
#include "host/moonlight/serve/e2e_test_util.h"
#include "host/moonlight/serve/moonlight_host.h"
#include "host/moonlight/state/host_state.h"

namespace lumen::moonlight::serve {
namespace {

using testing::PortFromUrl;

// The host with a desktop video source, PipeWire audio and (optionally) an input router.
struct Host : testing::LoopbackHost {
  Host(VideoFactory video, std::shared_ptr<InputRouter> input)
      : LoopbackHost("lumen-desktop-e2e", http::kScmH264, Options(std::move(video), input)) {}

  static MoonlightHostOptions Options(VideoFactory video, std::shared_ptr<InputRouter> input) {
    MoonlightHostOptions o;
    o.video = std::move(video);
    o.audio_packets = PipeWireAudioFactory();
    if (input) o.on_input = [input](const input::InputEvent& ev) { input->Handle(ev); };
    return o;
  }
};

struct Session {
  std::unique_ptr<client::AudioReceiver> audio;
  std::unique_ptr<client::ControlClient> control;
  std::unique_ptr<client::VideoReceiver> video;
};

// Pair, launch at w x h, RTSP handshake, audio + control + video receivers.
Session Connect(Host& h, client::MoonlightHttpClient& c, int w, int hgt) {
  REQUIRE(c.GetServerInfo(false).ok());  // learns the HTTPS port
  testing::PairWithPin(h, c);

  client::LaunchOptions lo;
  lo.app_id = 1234;
  lo.width = w;
  lo.height = hgt;
  lo.fps = 30;
  lo.rikey_hex = "A1A2A3A4A5A6A7A8A9AAABACADAEAF10";
  lo.rikeyid = 77;
  lo.corever = 1;
  auto launched = c.Launch(lo);
  REQUIRE(launched.ok());
  REQUIRE_MESSAGE(launched->status_code == 200, launched->body);
  const std::string url = launched->Field("sessionUrl0");

  client::RtspClientConfig rc;
  rc.port = PortFromUrl(url);
  rc.encrypted = true;
  for (int i = 0; i < 16; ++i) rc.key[i] = static_cast<uint8_t>(0xA1 + i);
  rc.key[15] = 0x10;
  rc.width = w;
  rc.height = hgt;
  rc.fps = 30;
  rc.bitrate_kbps = 4000;
  client::RtspClient rtsp(rc);
  auto hs = rtsp.Handshake();
  REQUIRE_MESSAGE(hs.ok(), hs.status().ToString());

  Session s;
  client::AudioReceiverConfig ac;
  ac.port = hs->audio_port;
  ac.ping_payload = hs->ping_payload;
  ac.key = rc.key;
  ac.key_id = 77;
  auto audio = client::AudioReceiver::Start(ac);
  REQUIRE(audio.ok());
  s.audio = std::move(*audio);
  client::ControlClientConfig cc;
  cc.port = hs->control_port;
  cc.connect_data = hs->connect_data;
  cc.key = rc.key;
  auto control = client::ControlClient::Connect(cc);
  REQUIRE_MESSAGE(control.ok(), control.status().ToString());
  s.control = std::move(*control);
  client::VideoReceiverConfig vc;
  vc.port = hs->video_port;
  vc.ping_payload = hs->ping_payload;
  vc.codec = VideoCodec::kH264;
  vc.packet_size = rc.packet_size;
  client::ControlClient* ctl = s.control.get();
  vc.on_need_idr = [ctl] { ctl->RequestIdr(); };
  auto video = client::VideoReceiver::Start(vc);
  REQUIRE(video.ok());
  s.video = std::move(*video);
  return s;
}

TEST_SUITE("ServeDesktop") {
  TEST_CASE("mutter virtual monitor at the client's size, key press into RemoteDesktop") {
    auto env = capture::EnsurePipeWireTestServices();
    if (!env.ok()) {
      MESSAGE("SKIPPED: PipeWire cannot start here: " << env.status().ToString());
      return;
    }
    capture::HeadlessMutter mutter("lumen-serve-wl");
    if (!mutter.running()) {
      MESSAGE("SKIPPED: mutter is not installed or does not start here");
      return;
    }
    // mutter claims its D-Bus names a moment after starting.
    std::shared_ptr<InputRouter> input;
    for (int i = 0; i < 100 && mutter.running(); ++i) {
      input = std::make_shared<InputRouter>("mutter");
      if (!input->backend_name().empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!mutter.running()) {
      MESSAGE("SKIPPED: mutter exited during start-up");
      return;
    }
    REQUIRE_MESSAGE(input->backend_name() == "mutter-remote-desktop", input->open_error());

    VideoSourceSpec spec;
    spec.kind = VideoSourceSpec::Kind::kMutterVirtual;
    auto vstats = std::make_shared<DesktopVideoStats>();
    Host h(DesktopVideoFactory(spec, false, vstats), input);
    auto id = client::ClientIdentity::Generate();
    REQUIRE(id.ok());
    client::MoonlightHttpClient c("127.0.0.1", h.http->http_port(), &*id);
    Session s = Connect(h, c, 800, 600);
    CHECK(vstats->opened == 1);
    CHECK(vstats->fallbacks == 0);

    // Decoded pictures come from the virtual monitor at exactly the requested size.
    CHECK(s.video->WaitFor([](const client::VideoReceiverStats& v) { return v.decoded >= 30; },
                           20000));
    const auto vs = s.video->stats();
    CHECK(vs.width == 800);
    CHECK(vs.height == 600);
    CHECK(vs.decode_errors == 0);
    CHECK(vs.stamps_ok == 0);  // the desktop, not the test pattern
    // Audio flows (captured from the null sink's monitor, or silence).
    CHECK(s.audio->WaitFor([](const client::AudioReceiverStats& a) { return a.decoded >= 50; },
                           10000));

    // Key 'A' down and up through the control stream -> mutter RemoteDesktop.
    const uint64_t before = input->delivered();
    for (bool down : {true, false}) {
      uint8_t pkt[64];
      const size_t n = input::EncodeInput(
          input::InputEvent{input::KeyEvent{down, 0, 0x8041, 0}}, pkt);
      REQUIRE(n > 0);
      s.control->SendInput(std::span<const uint8_t>(pkt, n));
    }
    for (int i = 0; i < 250 && input->delivered() < before + 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(input->delivered() == before + 2);
    CHECK(input->dropped() == 0);
    MESSAGE(h.host->StatsLine() << "; " << input->StatsLine());

    auto cancel = c.Cancel();
    REQUIRE(cancel.ok());
    CHECK(!h.host->streaming());
  }

  TEST_CASE("a video source that cannot open falls back to the test pattern") {
    VideoSourceSpec spec;
    spec.kind = VideoSourceSpec::Kind::kPipeWire;
    spec.target = "lumen-no-such-node-xyz";
    auto parsed = ParseVideoSource("pipewire:lumen-no-such-node-xyz");
    REQUIRE(parsed.ok());
    CHECK(parsed->target == spec.target);
    CHECK(!ParseVideoSource("bogus").ok());
    // Without a PipeWire daemon the open fails at once; with one, the node is missing and
    // the stream would never get frames — only the no-daemon case is checked here.
    const char* old = std::getenv("PIPEWIRE_REMOTE");
    std::string saved = old ? old : "";
    setenv("PIPEWIRE_REMOTE", "lumen-no-such-pipewire-socket", 1);
    auto vstats = std::make_shared<DesktopVideoStats>();
    Host h(DesktopVideoFactory(spec, false, vstats), nullptr);
    auto id = client::ClientIdentity::Generate();
    REQUIRE(id.ok());
    client::MoonlightHttpClient c("127.0.0.1", h.http->http_port(), &*id);
    Session s = Connect(h, c, 640, 360);
    if (old) {
      setenv("PIPEWIRE_REMOTE", saved.c_str(), 1);
    } else {
      unsetenv("PIPEWIRE_REMOTE");
    }
    if (vstats->opened == 1) {
      MESSAGE("PipeWire accepted a missing node; fallback not exercised here");
    } else {
      CHECK(vstats->fallbacks == 1);
      CHECK(s.video->WaitFor([](const client::VideoReceiverStats& v) { return v.stamps_ok >= 15; },
                             20000));
    }
    auto cancel = c.Cancel();
    REQUIRE(cancel.ok());
  }
}

}  // namespace
}  // namespace lumen::moonlight::serve
