// RtspServer over real loopback TCP, driven by the Moonlight RTSP test client.
#include "host/moonlight/rtsp/rtsp_server.h"

#include <doctest/doctest.h>

#include <mutex>
#include <optional>

#include "clients/moonlight/rtsp_client.h"

namespace lumen::moonlight::rtsp {
namespace {

struct Harness {
  std::mutex mu;
  std::optional<StreamConfig> announced;
  std::string announced_peer;
  int plays = 0;
  std::unique_ptr<RtspServer> server;

  explicit Harness(RtspServerOptions opts = {}) {
    opts.bind_address = "127.0.0.1";
    opts.port = 0;
    opts.audio_port = 41000;
    opts.video_port = 41001;
    opts.control_port = 41002;
    RtspServer::Callbacks cb;
    cb.on_announce = [this](const LaunchSession&, const StreamConfig& c, const std::string& peer) {
      std::lock_guard l(mu);
      announced = c;
      announced_peer = peer;
      return absl::OkStatus();
    };
    cb.on_play = [this](const LaunchSession&) {
      std::lock_guard l(mu);
      ++plays;
    };
    auto s = RtspServer::Start(opts, cb);
    REQUIRE(s.ok());
    server = std::move(*s);
  }
};

LaunchSession MakeSession(bool encrypted) {
  LaunchSession s;
  for (int i = 0; i < 16; ++i) s.key[i] = static_cast<uint8_t>(0xA0 + i);
  s.key_id = 0xFFFFFF85u;
  s.rtsp_encrypted = encrypted;
  RandomizeSessionIds(&s);
  return s;
}

client::RtspClientConfig ClientConfig(const Harness& h, const LaunchSession& s) {
  client::RtspClientConfig c;
  c.port = h.server->port();
  c.encrypted = s.rtsp_encrypted;
  c.key = s.key;
  return c;
}

TEST_SUITE("RtspServer") {
  TEST_CASE("full plain handshake: ports, ping payload, connect data, ANNOUNCE config") {
    Harness h;
    LaunchSession s = MakeSession(false);
    h.server->SetPendingSession(s);
    auto cfg = ClientConfig(h, s);
    cfg.supports_hevc = true;
    client::RtspClient c(cfg);
    auto r = c.Handshake();
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    CHECK(r->audio_port == 41000);
    CHECK(r->video_port == 41001);
    CHECK(r->control_port == 41002);
    CHECK(r->ping_payload == s.ping_payload);
    CHECK(r->ping_payload.size() == 16);
    CHECK(r->connect_data == s.connect_data);
    CHECK(r->codec == VideoCodec::kHevc);
    std::lock_guard l(h.mu);
    REQUIRE(h.announced.has_value());
    CHECK(h.announced->codec == VideoCodec::kHevc);
    CHECK(h.announced->width == 1280);
    CHECK(h.announced_peer == "127.0.0.1");
    CHECK(h.plays == 1);
    CHECK(h.server->stats().bad_requests == 0);
  }

  TEST_CASE("lumen transport: offered only when enabled, a fresh offer per launch") {
    {
      Harness h;  // offer_lumen_transport off: a lumen-aware client gets Moonlight framing
      LaunchSession s = MakeSession(false);
      h.server->SetPendingSession(s);
      auto cfg = ClientConfig(h, s);
      cfg.lumen_transport = true;
      auto r = client::RtspClient(cfg).Handshake();
      REQUIRE_MESSAGE(r.ok(), r.status().ToString());
      CHECK(r->describe_body.find("x-lumen-transport") == std::string::npos);
      CHECK(!r->lumen);
      std::lock_guard l(h.mu);
      REQUIRE(h.announced.has_value());
      CHECK(!h.announced->lumen);
      CHECK(h.server->stats().lumen_offers == 0);
    }
    RtspServerOptions o;
    o.offer_lumen_transport = true;
    Harness h(o);
    std::optional<session::LumenOffer> first;
    for (int launch = 0; launch < 2; ++launch) {
      LaunchSession s = MakeSession(launch == 1);
      h.server->SetPendingSession(s);
      auto cfg = ClientConfig(h, s);
      cfg.lumen_transport = true;
      auto r = client::RtspClient(cfg).Handshake();
      REQUIRE_MESSAGE(r.ok(), r.status().ToString());
      REQUIRE(r->lumen.has_value());
      CHECK(r->lumen->offer.session_id != 0);
      CHECK(r->lumen->offer.xchacha20poly1305);
      std::lock_guard l(h.mu);
      REQUIRE(h.announced.has_value());
      REQUIRE(h.announced->lumen.has_value());
      // Both sides hold the same nonces, session id and AEAD: the keys will match.
      CHECK(h.announced->lumen->offer.nonce == r->lumen->offer.nonce);
      CHECK(h.announced->lumen->offer.session_id == r->lumen->offer.session_id);
      CHECK(h.announced->lumen->accept.nonce == r->lumen->accept.nonce);
      CHECK(h.announced->lumen->accept.aead == r->lumen->accept.aead);
      CHECK(h.announced->lumen->accept.mtu == 1408);
      if (first) CHECK(first->nonce != r->lumen->offer.nonce);
      first = r->lumen->offer;
    }
    CHECK(h.server->stats().lumen_offers == 2);
    CHECK(h.server->stats().lumen_accepted == 2);
    CHECK(h.server->stats().lumen_bad_answers == 0);
  }

  TEST_CASE("lumen transport: a bad answer is counted and the session keeps Moonlight framing") {
    RtspServerOptions o;
    o.offer_lumen_transport = true;
    Harness h(o);
    LaunchSession s = MakeSession(false);
    h.server->SetPendingSession(s);
    auto cfg = ClientConfig(h, s);
    cfg.lumen_transport = true;
    cfg.lumen_mtu = 40;  // leaves no room for a shard: not a valid answer
    auto r = client::RtspClient(cfg).Handshake();
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());  // the stream still starts
    std::lock_guard l(h.mu);
    REQUIRE(h.announced.has_value());
    CHECK(!h.announced->lumen);
    CHECK(h.server->stats().lumen_bad_answers == 1);
    CHECK(h.server->stats().lumen_accepted == 0);
    CHECK(h.server->stats().bad_requests == 0);
  }

  TEST_CASE("encrypted handshake (rtspenc)") {
    Harness h;
    LaunchSession s = MakeSession(true);
    h.server->SetPendingSession(s);
    client::RtspClient c(ClientConfig(h, s));
    auto r = c.Handshake();
    REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    CHECK(r->codec == VideoCodec::kH264);
    CHECK(r->connect_data == s.connect_data);
  }

  TEST_CASE("plaintext on an encrypted session is dropped without a plaintext reply") {
    Harness h;
    LaunchSession s = MakeSession(true);
    h.server->SetPendingSession(s);
    auto cfg = ClientConfig(h, s);
    client::RtspClient c(cfg);
    auto raw = c.SendRaw("OPTIONS rtsp://x RTSP/1.0\r\nCSeq: 1\r\n\r\n");
    REQUIRE(raw.ok());
    CHECK(raw->empty());
    CHECK(h.server->stats().bad_requests == 1);
  }

  TEST_CASE("no pending session: connection closed at once") {
    Harness h;
    client::RtspClientConfig cfg;
    cfg.port = h.server->port();
    client::RtspClient c(cfg);
    auto raw = c.SendRaw("OPTIONS rtsp://x RTSP/1.0\r\nCSeq: 1\r\n\r\n");
    REQUIRE(raw.ok());
    CHECK(raw->empty());
    CHECK(h.server->stats().rejected_no_session == 1);
  }

  TEST_CASE("garbage gets 400 and the server keeps serving") {
    Harness h;
    LaunchSession s = MakeSession(false);
    h.server->SetPendingSession(s);
    client::RtspClient c(ClientConfig(h, s));
    for (const char* junk : {"\x01\x02\x03garbage\r\n\r\n", "GET / HTTP/1.1\r\n\r\n",
                             "OPTIONS x RTSP/1.0\r\nCSeq: 1\r\nContent-Length: 999999\r\n\r\n"}) {
      auto raw = c.SendRaw(junk);
      REQUIRE(raw.ok());
      CHECK(raw->rfind("RTSP/1.0 400 ", 0) == 0);
    }
    auto r = c.Handshake();
    CHECK(r.ok());
  }

  TEST_CASE("ANNOUNCE with a wrong session or a bad body is refused") {
    RtspServerOptions opts;
    opts.policy.allow_hevc = false;
    Harness h(opts);
    LaunchSession s = MakeSession(false);
    h.server->SetPendingSession(s);
    auto cfg = ClientConfig(h, s);
    cfg.supports_hevc = true;  // host still advertises HEVC; policy refuses it
    client::RtspClient c(cfg);
    auto r = c.Handshake();
    CHECK(!r.ok());
    CHECK(std::string(r.status().message()).find("ANNOUNCE -> 400") != std::string::npos);
    auto bad = c.Transact("PLAY / RTSP/1.0\r\nCSeq: 9\r\nSession: nope\r\n\r\n");
    REQUIRE(bad.ok());
    CHECK(bad->code == 454);
  }
}

}  // namespace
}  // namespace lumen::moonlight::rtsp
