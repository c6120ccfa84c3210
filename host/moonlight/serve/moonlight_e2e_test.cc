// End to end over 127.0.0.1: a Moonlight client built from lumen's client libraries against
// the real host stack (nvhttp + MoonlightHost): PIN pairing, serverinfo, applist, launch,
// encrypted RTSP, the encrypted ENet control stream, H.264 then HEVC video decoded by
// FFmpeg with pixel-checked frame counters, encrypted Opus audio, IDR on request, input,
// cancel with a graceful termination, and a relaunch.
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
#include "host/moonlight/http/nvhttp_server.h"
#include "host/moonlight/serve/e2e_test_util.h"
#include "host/moonlight/serve/moonlight_host.h"
#include "host/moonlight/state/host_state.h"

namespace lumen::moonlight::serve {
namespace {

using testing::PortFromUrl;

// The host with the synthetic pattern (MoonlightHost's default video) and a 440 Hz sine.
struct Host : testing::LoopbackHost {
  Host() : LoopbackHost("lumen-e2e", http::kScmH264 | http::kScmHevc, Options()) {}

  static MoonlightHostOptions Options() {
    MoonlightHostOptions o;
    o.audio = stream::SineSource(440);
    return o;
  }
};

void Pair(Host& h, client::MoonlightHttpClient& c) { testing::PairWithPin(h, c); }

// One streaming session: RTSP, control, video (codec), audio. Checks and returns.
void StreamSession(Host& h, client::MoonlightHttpClient& c, int app_id, VideoCodec codec,
                   bool resume) {
  client::LaunchOptions lo;
  lo.app_id = app_id;
  lo.width = 640;
  lo.height = 360;
  lo.fps = 30;
  lo.rikey_hex = "A1A2A3A4A5A6A7A8A9AAABACADAEAF10";
  lo.rikeyid = -123456;
  lo.corever = 1;
  auto launched = resume ? c.Resume(lo) : c.Launch(lo);
  REQUIRE(launched.ok());
  REQUIRE_MESSAGE(launched->status_code == 200, launched->body);
  const std::string url = launched->Field("sessionUrl0");
  REQUIRE(url.rfind("rtspenc://", 0) == 0);

  client::RtspClientConfig rc;
  rc.port = PortFromUrl(url);
  rc.encrypted = true;
  for (int i = 0; i < 16; ++i) rc.key[i] = static_cast<uint8_t>(0xA1 + i);
  rc.key[15] = 0x10;
  rc.width = 640;
  rc.height = 360;
  rc.fps = 30;
  rc.bitrate_kbps = 4000;
  rc.supports_hevc = codec == VideoCodec::kHevc;
  client::RtspClient rtsp(rc);
  auto hs = rtsp.Handshake();
  REQUIRE_MESSAGE(hs.ok(), hs.status().ToString());
  CHECK(hs->codec == codec);

  // Audio pings start right after the audio SETUP in a real client; any time before
  // the control stream is fine.
  client::AudioReceiverConfig ac;
  ac.port = hs->audio_port;
  ac.ping_payload = hs->ping_payload;
  ac.key = rc.key;
  ac.key_id = static_cast<uint32_t>(static_cast<int32_t>(lo.rikeyid));
  auto audio = client::AudioReceiver::Start(ac);
  REQUIRE(audio.ok());

  client::ControlClientConfig cc;
  cc.port = hs->control_port;
  cc.connect_data = hs->connect_data;
  cc.key = rc.key;
  auto control = client::ControlClient::Connect(cc);
  REQUIRE_MESSAGE(control.ok(), control.status().ToString());

  client::VideoReceiverConfig vc;
  vc.port = hs->video_port;
  vc.ping_payload = hs->ping_payload;
  vc.codec = codec;
  vc.packet_size = rc.packet_size;
  client::ControlClient* ctl = control->get();
  vc.on_need_idr = [ctl] { ctl->RequestIdr(); };
  auto video = client::VideoReceiver::Start(vc);
  REQUIRE(video.ok());

  // 5 seconds of video (30 fps) with every decoded picture's stamp read back.
  CHECK((*video)->WaitFor([](const client::VideoReceiverStats& s) { return s.stamps_ok >= 150; },
                          30000));
  const uint64_t idr_before = (*video)->stats().idr_frames;
  CHECK(idr_before >= 1);
  (*control)->RequestIdr();
  CHECK((*video)->WaitFor(
      [&](const client::VideoReceiverStats& s) { return s.idr_frames > idr_before; }, 5000));
  CHECK((*audio)->WaitFor(
      [](const client::AudioReceiverStats& s) { return s.decoded >= 200 && s.non_silent > 100; },
      10000));

  // A key press over the control stream reaches the host's input path decoded.
  uint8_t pkt[64];
  const size_t n = input::EncodeInput(input::InputEvent{input::KeyEvent{true, 0, 0x8041, 0}}, pkt);
  REQUIRE(n > 0);
  const uint64_t inputs_before = h.host->stats().input_events;
  (*control)->SendInput(std::span<const uint8_t>(pkt, n));
  for (int i = 0; i < 100 && h.host->stats().input_events == inputs_before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(h.host->stats().input_events == inputs_before + 1);

  const auto vs = (*video)->stats();
  CHECK(vs.decode_errors == 0);
  CHECK(vs.stamp_errors == 0);
  CHECK(vs.stamp_regressions == 0);
  CHECK(vs.width == 640);
  CHECK(vs.height == 360);
  const auto as = (*audio)->stats();
  CHECK(as.decrypt_errors == 0);
  CHECK(as.decode_errors == 0);
  CHECK((*control)->decrypt_errors() == 0);

  // Quit: the client gets a graceful termination and is disconnected; streams stop.
  auto cancel = c.Cancel();
  REQUIRE(cancel.ok());
  CHECK(cancel->status_code == 200);
  control::ControlMessage m;
  CHECK((*control)->WaitFor(control::kTerminationExtended, 5000, &m));
  CHECK(m.payload.size() == 4);
  CHECK((*control)->WaitDisconnected(5000));
  CHECK(!h.host->streaming());
  CHECK(h.host->CurrentAppId() == 0);
}

TEST_SUITE("MoonlightE2E") {
  TEST_CASE("pair, launch, stream H.264, cancel, relaunch with HEVC") {
    Host h;
    auto id = client::ClientIdentity::Generate();
    REQUIRE(id.ok());
    client::MoonlightHttpClient c("127.0.0.1", h.http->http_port(), &*id);
    auto info = c.GetServerInfo(false);
    REQUIRE(info.ok());
    CHECK(info->codec_mode_support == (http::kScmH264 | http::kScmHevc));
    Pair(h, c);
    auto apps = c.AppList();
    REQUIRE(apps.ok());
    REQUIRE(!apps->empty());
    const int app = (*apps)[0].id;

    StreamSession(h, c, app, VideoCodec::kH264, false);
    StreamSession(h, c, app, VideoCodec::kHevc, false);
    const auto st = h.host->stats();
    CHECK(st.sessions_started == 2);
    CHECK(st.cancels == 2);
    CHECK(h.host->rtsp_stats().bad_requests == 0);
  }
}

}  // namespace
}  // namespace lumen::moonlight::serve
