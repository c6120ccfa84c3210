// Tests for core/transport/endpoint.h: a host and a client endpoint over a simulated lossy
// channel (Gilbert-Elliott bursts): loss reports drive the FEC ratio up, FecRatioChange /
// FecRatioAck close the loop, lost frames lead to an IdrRequest and a keyframe, and a clean
// channel brings the ratio back down.
#include "core/transport/endpoint.h"

#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <vector>

namespace lumen::transport {
namespace {

constexpr uint32_t kSession = 0x0E0D0001;

struct Channel {
  std::mt19937 rng{2024};
  bool bad = false;
  double p_good_to_bad = 0, p_bad_to_good = 0.3, loss_bad = 0.6;
  bool Drop() {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    bad = bad ? u >= p_bad_to_good : u < p_good_to_bad;
    return bad && std::uniform_real_distribution<double>(0, 1)(rng) < loss_bad;
  }
};

struct Sim {
  HostEndpoint host;
  ClientEndpoint client;
  std::vector<uint8_t> out;
  uint32_t frame_id = 1;
  bool next_keyframe = true;
  int delivered = 0, sent = 0;
  std::mt19937 sizes{7};

  Sim() {
    std::vector<uint8_t> rikey(16, 1), hn(16, 2), cn(16, 3);
    const DirectionalKeys keys = DeriveKeys(rikey, hn, cn, kSession).value();
    HostEndpointConfig hc;
    hc.sender.session_id = kSession;
    hc.sender.shard_bytes = 256;
    hc.sender.max_frame_bytes = 64 << 10;
    REQUIRE(host.Init(hc, Aead::kXChaCha20Poly1305, keys).ok());
    ReceiverConfig rc;
    rc.session_id = kSession;
    rc.max_shard_bytes = 256;
    rc.max_frame_bytes = 64 << 10;
    REQUIRE(client.Init(rc, Aead::kXChaCha20Poly1305, keys).ok());
  }

  void HostGets(const uint8_t* d, size_t n) {
    const FeedbackEvent ev = host.OnFeedback(d, n);
    REQUIRE(ev != FeedbackEvent::kDropped);
    if (ev == FeedbackEvent::kIdrRequested) next_keyframe = true;
    if (ev == FeedbackEvent::kRatioChanged) {
      uint8_t buf[kMaxFeedbackDatagram];
      const size_t len = host.SealRatioChange(buf, sizeof(buf));
      REQUIRE(len > 0);
      REQUIRE(client.Receive(buf, len, nullptr) == RxStatus::kFeedback);  // not lost, for test
    }
  }

  // Sends one frame through the channel; every 5th frame the client reports.
  void Step(Channel& ch) {
    const size_t len = 2000 + sizes() % 30000;
    std::vector<uint8_t> frame(len);
    for (size_t i = 0; i < len; ++i) frame[i] = uint8_t(i ^ frame_id);
    const uint32_t n = host.DatagramsFor(len);
    out.resize(size_t(n) * host.datagram_bytes());
    uint32_t count = 0;
    REQUIRE(host.SendFrame(frame.data(), len, frame_id, next_keyframe, out.data(),
                           host.datagram_bytes(), n, &count) == SendStatus::kOk);
    next_keyframe = false;
    ++sent;
    for (uint32_t i = 0; i < count; ++i) {
      if (ch.Drop()) continue;
      ReceivedFrame f;
      if (client.Receive(out.data() + size_t(i) * host.datagram_bytes(), host.datagram_bytes(),
                         &f) == RxStatus::kFrameComplete) {
        REQUIRE(f.frame_id == frame_id);
        REQUIRE(f.len == len);
        REQUIRE(std::memcmp(f.data, frame.data(), len) == 0);
        ++delivered;
      }
    }
    uint8_t buf[kMaxFeedbackDatagram];
    if (client.need_idr()) {
      const size_t l = client.SealIdrRequest(buf, sizeof(buf));
      REQUIRE(l > 0);
      HostGets(buf, l);
    }
    if (frame_id % 5 == 0) {
      const size_t l = client.SealLossReport(100, buf, sizeof(buf));
      REQUIRE(l > 0);
      HostGets(buf, l);
    }
    if (client.ack_pending()) {
      const size_t l = client.SealPendingAck(buf, sizeof(buf));
      REQUIRE(l > 0);
      HostGets(buf, l);
    }
    ++frame_id;
  }
};

TEST_SUITE("LumenEndpoint") {
  TEST_CASE("LumenEndpoint.AdaptiveFecClosesTheLoop") {
    Sim sim;
    Channel clean;
    for (int i = 0; i < 20; ++i) sim.Step(clean);
    CHECK(sim.delivered == 20);
    CHECK(sim.host.ratio_permille() == 200);  // calm, but still above the band's floor
    const uint16_t start = sim.host.ratio_permille();

    Channel bursty;
    bursty.p_good_to_bad = 0.02;  // ~6 % loss in bursts of ~3 packets
    for (int i = 0; i < 150; ++i) sim.Step(bursty);
    const uint16_t raised = sim.host.ratio_permille();
    CHECK(raised > start);
    CHECK(sim.host.ratio_acked());
    CHECK(sim.client.host_ratio_permille() == raised);
    CHECK(sim.delivered >= 150);  // most frames repaired by parity
    const auto& c = sim.client.receiver().counters();
    CHECK(c.frames_recovered > 0);
    // Lost frames (if any) were answered with a keyframe and the client recovered.
    if (c.frames_lost > 0) CHECK(sim.host.idr_requests() > 0);

    for (int i = 0; i < 300; ++i) sim.Step(clean);
    CHECK(sim.host.ratio_permille() < raised);
    CHECK(sim.host.ratio_acked());
    CHECK_FALSE(sim.client.need_idr());
    CHECK(sim.host.feedback_dropped() == 0);
  }

  TEST_CASE("LumenEndpoint.LostFrameLeadsToKeyframe") {
    Sim sim;
    Channel clean;
    sim.Step(clean);
    // Frame 2 loses everything: frames 3..5 complete, frame 2 is declared lost.
    Channel dead;
    dead.p_good_to_bad = 1.0;
    dead.p_bad_to_good = 0.0;
    dead.loss_bad = 1.0;
    sim.Step(dead);
    sim.Step(clean);
    sim.Step(clean);
    CHECK_FALSE(sim.next_keyframe);
    sim.Step(clean);  // the reorder window passes: need IDR -> IdrRequest -> keyframe next
    CHECK(sim.host.idr_requests() == 1);
    CHECK(sim.next_keyframe);
    sim.Step(clean);  // keyframe
    CHECK_FALSE(sim.client.need_idr());
  }

  TEST_CASE("LumenEndpoint.ForgedFeedbackDropped") {
    Sim sim;
    uint8_t buf[kMaxFeedbackDatagram];
    // Feedback sealed with the wrong direction's key (the host's own) is rejected.
    const size_t l = sim.host.sender().sealer().SealFeedback(IdrRequest{1, 1}, buf, sizeof(buf));
    DropReason r{};
    CHECK(sim.host.OnFeedback(buf, l, &r) == FeedbackEvent::kDropped);
    CHECK(r == DropReason::kAuthFailed);
    CHECK(sim.host.OnFeedback(buf, 3, &r) == FeedbackEvent::kDropped);
    CHECK(sim.host.feedback_dropped() == 2);
    CHECK(sim.client.SealPendingAck(buf, sizeof(buf)) == 0);  // nothing pending
    CHECK(sim.client.SealLossReport(100, buf, 10) == 0);      // too small
  }
}

}  // namespace
}  // namespace lumen::transport
