// ControlServer over real loopback ENet with the control-stream test client.
#include "host/moonlight/control/control_server.h"

#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "clients/moonlight/control_client.h"
#include "core/moonlight/wire.h"

namespace lumen::moonlight::control {
namespace {

struct Events {
  std::mutex mu;
  std::condition_variable cv;
  int connected = 0, idr = 0, rfi = 0, ended = 0;
  std::vector<std::vector<uint8_t>> inputs;
  ControlEndReason reason{};
  uint64_t rfi_first = 0, rfi_last = 0;

  template <class P>
  bool Wait(P pred) {
    std::unique_lock l(mu);
    return cv.wait_for(l, std::chrono::seconds(5), pred);
  }
};

struct Harness {
  Events ev;
  std::unique_ptr<ControlServer> server;
  LaunchSession launch;
  StreamConfig config;

  Harness() {
    ControlServerOptions o;
    o.bind_address = "127.0.0.1";
    o.port = 0;
    o.idle_timeout_ms = 1500;
    ControlServer::Callbacks cb;
    cb.on_connected = [this] { Bump([this] { ++ev.connected; }); };
    cb.on_idr_request = [this] { Bump([this] { ++ev.idr; }); };
    cb.on_invalidate_ref_frames = [this](uint64_t a, uint64_t b) {
      Bump([&] {
        ++ev.rfi;
        ev.rfi_first = a;
        ev.rfi_last = b;
      });
    };
    cb.on_input = [this](std::span<const uint8_t> p) {
      Bump([&] { ev.inputs.emplace_back(p.begin(), p.end()); });
    };
    cb.on_session_end = [this](ControlEndReason r) {
      Bump([&] {
        ++ev.ended;
        ev.reason = r;
      });
    };
    auto s = ControlServer::Start(o, cb);
    REQUIRE(s.ok());
    server = std::move(*s);
    for (int i = 0; i < 16; ++i) launch.key[i] = static_cast<uint8_t>(0x30 + i);
    RandomizeSessionIds(&launch);
    config.use_reliable_udp = 13;
    config.encryption_enabled = kEncControlV2 | kEncAudio;
    config.ml_feature_flags = kMlFeatureSessionIdV1 | kMlFeatureFecStatus;
  }
  template <class F>
  void Bump(F f) {
    std::lock_guard l(ev.mu);
    f();
    ev.cv.notify_all();
  }
  client::ControlClientConfig ClientConfig() const {
    client::ControlClientConfig c;
    c.port = server->port();
    c.connect_data = launch.connect_data;
    c.key = launch.key;
    return c;
  }
};

TEST_SUITE("ControlServer") {
  TEST_CASE("connect, Start A as IDR, RFI, input, host termination") {
    Harness h;
    h.server->ArmSession(h.launch, h.config, "127.0.0.1");
    auto c = client::ControlClient::Connect(h.ClientConfig());
    REQUIRE_MESSAGE(c.ok(), c.status().ToString());
    CHECK(h.ev.Wait([&] { return h.ev.connected == 1 && h.ev.idr >= 1; }));
    CHECK(h.server->connected());
    (*c)->RequestIdr();
    CHECK(h.ev.Wait([&] { return h.ev.idr >= 2; }));
    (*c)->InvalidateRefFrames(10, 12);
    CHECK(h.ev.Wait([&] { return h.ev.rfi == 1; }));
    CHECK(h.ev.rfi_first == 10);
    CHECK(h.ev.rfi_last == 12);
    const uint8_t key_down[14] = {0, 0, 0, 10, 3, 0, 0, 0, 0, 0x41, 0, 0, 0, 0};
    (*c)->SendInput(key_down);
    CHECK(h.ev.Wait([&] { return h.ev.inputs.size() == 1; }));
    CHECK(h.ev.inputs[0] == std::vector<uint8_t>(key_down, key_down + 14));

    h.server->SendHdrMode(false);
    ControlMessage m;
    REQUIRE((*c)->WaitFor(kHdrMode, 3000, &m));
    CHECK(m.payload.size() == 27);
    h.server->SendRumble(1, 0x1000, 0x2000);
    REQUIRE((*c)->WaitFor(kRumble, 3000, &m));
    CHECK(LoadLe16(m.payload.data() + 4) == 1);
    CHECK(LoadLe16(m.payload.data() + 8) == 0x2000);

    h.server->EndSession();
    REQUIRE((*c)->WaitFor(kTerminationExtended, 3000, &m));
    CHECK(LoadBe32(m.payload.data()) == kTerminationGraceful);
    CHECK((*c)->WaitDisconnected(3000));
    CHECK(h.ev.Wait([&] { return h.ev.ended == 1; }));
    CHECK(h.ev.reason == ControlEndReason::kHostEnded);
    CHECK((*c)->decrypt_errors() == 0);
    CHECK(h.server->stats().pings > 0);
  }

  TEST_CASE("wrong connect data is refused") {
    Harness h;
    h.server->ArmSession(h.launch, h.config, "127.0.0.1");
    auto cfg = h.ClientConfig();
    cfg.connect_data ^= 1;
    cfg.connect_timeout_ms = 1500;
    auto c = client::ControlClient::Connect(cfg);
    if (c.ok()) CHECK((*c)->WaitDisconnected(3000));
    CHECK(h.ev.connected == 0);
    CHECK(h.server->stats().rejected_connects >= 1);
  }

  TEST_CASE("garbage and plaintext on the encrypted stream are dropped and counted") {
    Harness h;
    h.server->ArmSession(h.launch, h.config, "127.0.0.1");
    auto c = client::ControlClient::Connect(h.ClientConfig());
    REQUIRE(c.ok());
    CHECK(h.ev.Wait([&] { return h.ev.connected == 1; }));
    (*c)->SendRaw({0x02, 0x03, 0x00, 0x00});        // plaintext IDR
    (*c)->SendRaw({0x01, 0x00, 0xff, 0xff, 1, 2});  // wrapper with a lying length
    (*c)->SendRaw({0x01});                          // truncated
    (*c)->RequestIdr();                             // then a good one still works
    CHECK(h.ev.Wait([&] { return h.ev.idr >= 2; }));
    auto st = h.server->stats();
    CHECK(st.errors[static_cast<size_t>(ControlError::kNotEncrypted)] == 1);
    CHECK(st.errors[static_cast<size_t>(ControlError::kTruncated)] == 2);
  }

  // A stock client connects right after PLAY; on a busy host that connect can land in the same
  // enet_host_service() call during which ANNOUNCE queued ArmSession. It must be judged against
  // the newly armed session, not refused because the queued arm hadn't been applied yet.
  TEST_CASE("a connect right after re-arming is accepted") {
    Harness h;
    int accepted = 0;
    for (int i = 0; i < 8; ++i) {
      CAPTURE(i);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // service thread in its wait
      LaunchSession l = h.launch;
      RandomizeSessionIds(&l);
      h.server->EndSession();
      h.server->ArmSession(l, h.config, "127.0.0.1");
      auto cfg = h.ClientConfig();
      cfg.connect_data = l.connect_data;
      cfg.key = l.key;
      auto c = client::ControlClient::Connect(cfg);
      REQUIRE_MESSAGE(c.ok(), c.status().ToString());
      const bool ok = h.ev.Wait([&] { return h.ev.connected == accepted + 1; });
      CHECK(ok);
      if (ok) ++accepted;
    }
    CHECK(h.server->stats().rejected_connects == 0);
  }

  TEST_CASE("client disconnect ends the session") {
    Harness h;
    h.server->ArmSession(h.launch, h.config, "127.0.0.1");
    {
      auto c = client::ControlClient::Connect(h.ClientConfig());
      REQUIRE(c.ok());
      CHECK(h.ev.Wait([&] { return h.ev.connected == 1; }));
    }
    CHECK(h.ev.Wait([&] { return h.ev.ended == 1; }));
    CHECK(h.ev.reason == ControlEndReason::kClientDisconnected);
    CHECK(!h.server->connected());
  }
}

}  // namespace
}  // namespace lumen::moonlight::control
