// End to end over 127.0.0.1: a Moonlight client built from lumen's client libraries against
// the real host stack (nvhttp + MoonlightHost): PIN pairing, serverinfo, applist, launch,
// encrypted RTSP, the encrypted ENet control stream, H.264 then HEVC video decoded by
// FFmpeg with pixel-checked frame counters, encrypted Opus audio, IDR on request, input,
// cancel with a graceful termination, and a relaunch.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "clients/moonlight/control_client.h"
#include "clients/moonlight/http_client.h"
#include "clients/moonlight/rtsp_client.h"
#include "clients/moonlight/stream_client.h"
#include "clients/reference/client.h"
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
  explicit Host(const std::string& name = "lumen-e2e")
      : LoopbackHost(name, http::kScmH264 | http::kScmHevc, Options()) {}

  static MoonlightHostOptions Options() {
    MoonlightHostOptions o;
    o.audio = stream::SineSource(440);
    return o;
  }
};

void Pair(Host& h, client::MoonlightHttpClient& c) { testing::PairWithPin(h, c); }

// /launch (or /resume) at 640x360@30 with a fixed rikey, then the encrypted RTSP handshake.
struct Launched {
  client::LaunchOptions lo;
  client::RtspClientConfig rc;
  client::RtspHandshakeResult hs;
};
Launched LaunchAndHandshake(client::MoonlightHttpClient& c, int app_id, VideoCodec codec,
                            bool resume, bool lumen_transport) {
  Launched l;
  client::LaunchOptions& lo = l.lo;
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

  client::RtspClientConfig& rc = l.rc;
  rc.port = PortFromUrl(url);
  rc.encrypted = true;
  for (int i = 0; i < 16; ++i) rc.key[i] = static_cast<uint8_t>(0xA1 + i);
  rc.key[15] = 0x10;
  rc.width = 640;
  rc.height = 360;
  rc.fps = 30;
  rc.bitrate_kbps = 4000;
  rc.supports_hevc = codec == VideoCodec::kHevc;
  rc.lumen_transport = lumen_transport;
  client::RtspClient rtsp(rc);
  auto hs = rtsp.Handshake();
  REQUIRE_MESSAGE(hs.ok(), hs.status().ToString());
  CHECK(hs->codec == codec);
  l.hs = *hs;
  return l;
}

// One streaming session: RTSP, control, video (codec), audio. Checks and returns.
void StreamSession(Host& h, client::MoonlightHttpClient& c, int app_id, VideoCodec codec,
                   bool resume) {
  Launched l = LaunchAndHandshake(c, app_id, codec, resume, /*lumen_transport=*/false);
  const client::LaunchOptions& lo = l.lo;
  const client::RtspClientConfig& rc = l.rc;
  const client::RtspHandshakeResult* hs = &l.hs;
  // The host offered lumen transport; this client, like a stock one, did not answer.
  CHECK(hs->describe_body.find("a=x-lumen-transport:v1 ") != std::string::npos);
  CHECK(!hs->lumen);

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
    CHECK(h.host->rtsp_stats().lumen_offers == 2);
    CHECK(h.host->rtsp_stats().lumen_accepted == 0);
  }

  TEST_CASE("a lumen-aware client negotiates lumen transport: video in lumen framing") {
    Host h;
    auto id = client::ClientIdentity::Generate();
    REQUIRE(id.ok());
    client::MoonlightHttpClient c("127.0.0.1", h.http->http_port(), &*id);
    REQUIRE(c.GetServerInfo(false).ok());
    Pair(h, c);
    Launched l = LaunchAndHandshake(c, 1234, VideoCodec::kH264, false, /*lumen_transport=*/true);
    REQUIRE(l.hs.lumen.has_value());
    const LumenNegotiated& neg = *l.hs.lumen;
    CHECK(neg.offer.session_id != 0);
    CHECK(h.host->rtsp_stats().lumen_accepted == 1);
    CHECK(h.host->rtsp_stats().lumen_bad_answers == 0);

    client::ControlClientConfig cc;
    cc.port = l.hs.control_port;
    cc.connect_data = l.hs.connect_data;
    cc.key = l.rc.key;
    auto control = client::ControlClient::Connect(cc);
    REQUIRE_MESSAGE(control.ok(), control.status().ToString());

    // lumen's reference client receives the lumen datagrams (GF(2^16) FEC, AEAD with keys
    // from the rikey and both nonces), sends its feedback to the host's video port.
    ::lumen::client::ClientConfig vc;
    vc.server = "127.0.0.1:" + std::to_string(l.hs.video_port);
    vc.bind = "127.0.0.1:0";
    vc.ping_payload = l.hs.ping_payload;
    vc.packet_size = int(neg.accept.mtu);
    vc.codec = host::Codec::kH264;
    vc.framing = transport::Framing::kLumen;
    vc.lumen = transport::NegotiatedLumenParams(l.rc.key, neg.offer, neg.accept);
    auto video = ::lumen::client::ReferenceClient::Create(vc);
    REQUIRE_MESSAGE(video.ok(), video.status().ToString());
    (*video)->Start();
    for (int i = 0; i < 1000 && (*video)->stats().frames_decoded < 60; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    (*video)->Stop();
    const ::lumen::client::ClientStats vs = (*video)->stats();
    MESSAGE("lumen framing: decoded ", vs.frames_decoded, ", datagrams ", vs.datagrams,
            ", rejected ", vs.datagrams_rejected, ", lost ", vs.frames_lost);
    CHECK(vs.frames_decoded >= 60);
    CHECK(vs.decode_errors == 0);
    CHECK(vs.stamp_errors == 0);
    int stamped = 0;
    for (const auto& r : (*video)->records()) {
      if (r.decoded_ns != 0 && r.stamp_ok && r.width == 640 && r.height == 360) ++stamped;
    }
    CHECK(stamped >= 60);

    auto cancel = c.Cancel();
    REQUIRE(cancel.ok());
    CHECK(cancel->status_code == 200);
  }

  TEST_CASE("reference_client --moonlight-host: pairs, launches, lumen framing; then Moonlight") {
    Host h;
    const char* srcdir = std::getenv("TEST_SRCDIR");
    const char* tmp = std::getenv("TEST_TMPDIR");
    const std::string bin =
        std::string(srcdir ? srcdir : ".") + "/lumen/clients/reference/reference_client";
    const std::string common =
        bin + " --moonlight-host=127.0.0.1:" + std::to_string(h.http->http_port()) +
        " --keydir=" + (tmp ? tmp : "/tmp") + "/refclient-keys --seconds=3" +
        " --width=640 --height=360 --fps=30 --bitrate=3000";
    auto run = [](const std::string& cmd, std::string* out) {
      FILE* f = popen((cmd + " 2>&1").c_str(), "r");
      REQUIRE(f != nullptr);
      char buf[4096];
      while (size_t n = fread(buf, 1, sizeof buf, f)) out->append(buf, n);
      return pclose(f);
    };
    // First run: not paired yet; the PIN is entered host-side once the request is pending.
    std::thread pin = testing::EnterPinWhenAsked(h, "4321");
    std::string out;
    const int status = run(common + " --pin=4321", &out);
    pin.join();
    MESSAGE(out);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(out.find("lumen framing (") != std::string::npos);
    CHECK(out.find("stamp errors 0, decode errors 0") != std::string::npos);
    unsigned long long decoded = 0;
    const size_t at = out.find("frames delivered ");
    REQUIRE(at != std::string::npos);
    REQUIRE(std::sscanf(out.c_str() + at, "frames delivered %*llu, decoded %llu", &decoded) == 1);
    CHECK(decoded >= 30);
    CHECK(h.host->rtsp_stats().lumen_accepted == 1);

    // Second run: already paired (same key directory), lumen transport declined.
    out.clear();
    const int status2 = run(common + " --no-lumen-transport", &out);
    MESSAGE(out);
    CHECK(WEXITSTATUS(status2) == 0);
    CHECK(out.find("Moonlight framing") != std::string::npos);
    CHECK(out.find("stamp errors 0, decode errors 0") != std::string::npos);
    CHECK(h.host->rtsp_stats().lumen_accepted == 1);
    CHECK(h.host->stats().sessions_started == 2);

    // A different host at an address we paired with (its certificate pinned for this
    // address): refused with the reason, nothing launched.
    Host other("lumen-e2e-other");  // its own state: another certificate
    const std::string keys = std::string(tmp ? tmp : "/tmp") + "/refclient-keys";
    const std::string pin_of = [&](int port) {
      return keys + "/host-127.0.0.1-" + std::to_string(port) + ".pem";
    }(h.http->http_port());
    REQUIRE(std::system(("cp '" + pin_of + "' '" + keys + "/host-127.0.0.1-" +
                         std::to_string(other.http->http_port()) + ".pem'")
                            .c_str()) == 0);
    out.clear();
    const int status3 =
        run(bin + " --moonlight-host=127.0.0.1:" + std::to_string(other.http->http_port()) +
                " --keydir=" + keys + " --seconds=1",
            &out);
    MESSAGE(out);
    CHECK(WEXITSTATUS(status3) != 0);
    CHECK(out.find("does not present the certificate it had when we paired") != std::string::npos);
    CHECK(other.host->stats().sessions_started == 0);
  }
}

}  // namespace
}  // namespace lumen::moonlight::serve
