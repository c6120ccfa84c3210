// host/moonlight/serve/e2e_test_util.h — what the serve end-to-end tests (moonlight_e2e_test,
// desktop_e2e_test) share: free loopback ports, per-test temp dirs, URL ports, the host
// (fresh state + MoonlightHost + nvhttp on loopback) and PIN pairing against it.
#pragma once

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "clients/moonlight/http_client.h"
#include "host/moonlight/http/nvhttp_server.h"
#include "host/moonlight/serve/moonlight_host.h"
#include "host/moonlight/state/host_state.h"

namespace lumen::moonlight::serve::testing {

// A UDP port on 127.0.0.1 that was free a moment ago.
inline uint16_t FreeUdpPort() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// $TEST_TMPDIR/<name>.<pid>, created.
inline std::string TempDir(const char* name) {
  const char* t = std::getenv("TEST_TMPDIR");
  std::string d = std::string(t ? t : "/tmp") + "/" + name + "." + std::to_string(::getpid());
  std::string cmd = "mkdir -p '" + d + "'";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return d;
}

// The port of "rtsp://host:PORT".
inline uint16_t PortFromUrl(const std::string& url) {
  return static_cast<uint16_t>(std::atoi(url.substr(url.rfind(':') + 1).c_str()));
}

// nvhttp on ephemeral loopback ports, one "Desktop" app (id 1234), RTSP at rtsp_port,
// no admin page or admin file: what every serve end-to-end test runs.
inline http::NvHttpOptions LoopbackNvHttpOptions(const char* hostname, uint16_t rtsp_port) {
  http::NvHttpOptions no;
  no.config.hostname = hostname;
  no.config.bind_address = "127.0.0.1";
  no.config.http_port = 0;
  no.config.https_port = 0;
  no.config.admin_port = 0;
  no.config.rtsp_port = rtsp_port;
  no.config.apps = {{1234, "Desktop"}};
  no.enable_admin = false;
  no.write_admin_file = false;
  return no;
}

// The host under test: state in fresh temp dirs ("<name>-cfg", "<name>-state"), a
// MoonlightHost built from `o` with loopback binding, RTSP/control on ephemeral ports and
// free UDP ports for video and audio, and nvhttp (LoopbackNvHttpOptions) offering the codecs
// in `codec_mask`. Everything is REQUIREd to start; nvhttp is stopped first on the way out.
struct LoopbackHost {
  std::unique_ptr<state::HostState> state;
  std::unique_ptr<MoonlightHost> host;
  std::unique_ptr<http::NvHttpServer> http;

  LoopbackHost(const std::string& name, uint32_t codec_mask, MoonlightHostOptions o) {
    state::StateDirs dirs;
    dirs.config_dir = TempDir((name + "-cfg").c_str());
    dirs.state_dir = TempDir((name + "-state").c_str());
    auto st = state::HostState::Open(dirs);
    REQUIRE_MESSAGE(st.ok(), st.status().ToString());
    state = std::move(*st);
    o.bind_address = "127.0.0.1";
    o.rtsp_port = 0;
    o.control_port = 0;
    o.video_port = FreeUdpPort();
    o.audio_port = FreeUdpPort();
    auto h = MoonlightHost::Start(std::move(o));
    REQUIRE_MESSAGE(h.ok(), h.status().ToString());
    host = std::move(*h);
    http = std::make_unique<http::NvHttpServer>(
        LoopbackNvHttpOptions(name.c_str(), host->rtsp_port()), state.get(), host.get());
    http->SetCodecMask(codec_mask);
    REQUIRE(http->Start().ok());
  }
  ~LoopbackHost() { http->Stop(); }
};

// Enters `pin` host-side (as the user would on the admin page or with `lumen pin`) once a
// pairing request is pending, waiting up to 10 s for one. Join the thread.
inline std::thread EnterPinWhenAsked(LoopbackHost& h, std::string pin) {
  return std::thread([&h, pin] {
    for (int i = 0; i < 500; ++i) {
      if (!h.http->pairing().Pending().empty()) {
        CHECK(h.http->pairing().SubmitPin(pin, "e2e").ok());
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
}

// Pairs `c` with PIN 4321, entered host-side once the request is pending.
inline void PairWithPin(LoopbackHost& h, client::MoonlightHttpClient& c) {
  std::thread pin = EnterPinWhenAsked(h, "4321");
  absl::Status st = c.Pair("4321");
  pin.join();
  REQUIRE_MESSAGE(st.ok(), st.ToString());
}

}  // namespace lumen::moonlight::serve::testing
