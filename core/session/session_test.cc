// Tests for core/session/host_session.h and client_session.h: valid and invalid event
// orders, every timer, lumen negotiation and fallback, and both machines driven against
// each other with the real x-lumen-transport strings and key derivation.
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>

#include "core/session/client_session.h"
#include "core/session/host_session.h"
#include "core/session/lumen_attr.h"
#include "core/transport/crypto.h"

namespace lumen::session {
namespace {

const absl::Time t0 = absl::FromUnixSeconds(1000);
absl::Time At(double seconds) { return t0 + absl::Seconds(seconds); }

HostEvent H(HostEventType t, bool lumen = false) { return HostEvent{t, lumen}; }
ClientEvent C(ClientEventType t, bool offer = false, bool lumen_framing = false) {
  return ClientEvent{t, offer, lumen_framing};
}

template <class L, class A>
bool Has(const L& list, std::initializer_list<A> want) {
  if (list.size() != want.size()) return false;
  for (A a : want) {
    if (!list.Contains(a)) return false;
  }
  return true;
}

// Runs the host through launch .. streaming; returns the actions of the last step.
HostActions HostToStreaming(HostSession& h, bool client_answers, double t = 0) {
  using E = HostEventType;
  for (E e : {E::kLaunch, E::kRtspOptions, E::kRtspDescribe, E::kRtspSetupAudio, E::kRtspSetupVideo,
              E::kRtspSetupControl}) {
    REQUIRE(h.OnEvent(H(e), At(t)).ok());
  }
  REQUIRE(h.OnEvent(H(E::kRtspAnnounce, client_answers), At(t + 0.1)).ok());
  REQUIRE(h.OnEvent(H(E::kRtspPlay), At(t + 0.2)).ok());
  REQUIRE(h.OnEvent(H(E::kControlConnected), At(t + 0.3)).ok());
  auto a = h.OnEvent(H(E::kVideoPing), At(t + 0.4));
  REQUIRE(a.ok());
  return *a;
}

TEST_SUITE("HostSession") {
  TEST_CASE("HostSession.FullSequenceWithLumen") {
    using E = HostEventType;
    using A = HostAction;
    HostSession h(/*lumen_enabled=*/true);
    CHECK(h.state() == HostState::kIdle);
    CHECK(h.next_deadline() == absl::InfiniteFuture());
    CHECK(Has(h.OnEvent(H(E::kLaunch), At(0)).value(), std::initializer_list<A>{}));
    CHECK(h.next_deadline() == At(10));
    CHECK(Has(h.OnEvent(H(E::kRtspOptions), At(0.1)).value(), std::initializer_list<A>{}));
    CHECK(Has(h.OnEvent(H(E::kRtspDescribe), At(0.2)).value(), {A::kIncludeLumenOffer}));
    CHECK(h.lumen() == LumenNegotiation::kOffered);
    CHECK(h.OnEvent(H(E::kRtspSetupAudio), At(0.3)).ok());
    CHECK(h.OnEvent(H(E::kAudioPing), At(0.31)).value().empty());  // too early to start audio
    CHECK(h.OnEvent(H(E::kRtspSetupVideo), At(0.4)).ok());
    CHECK(h.OnEvent(H(E::kRtspSetupControl), At(0.5)).ok());
    CHECK(Has(h.OnEvent(H(E::kRtspAnnounce, true), At(0.6)).value(),
              {A::kCreateStreams, A::kDeriveLumenKeys}));
    CHECK(h.lumen() == LumenNegotiation::kAccepted);
    CHECK(Has(h.OnEvent(H(E::kAudioPing), At(0.65)).value(), {A::kStartAudio}));
    CHECK(h.OnEvent(H(E::kAudioPing), At(0.66)).value().empty());  // once
    CHECK(h.OnEvent(H(E::kRtspPlay), At(0.7)).ok());
    CHECK(h.state() == HostState::kPlaying);
    CHECK(h.next_deadline() == At(10.7));
    CHECK(h.OnEvent(H(E::kControlConnected), At(0.8)).ok());
    CHECK(Has(h.OnEvent(H(E::kIdrRequested), At(0.81)).value(), {A::kSendIdr}));  // Start A
    CHECK(Has(h.OnEvent(H(E::kVideoPing), At(0.9)).value(), {A::kStartVideoLumen, A::kSendIdr}));
    CHECK(h.state() == HostState::kStreaming);
    CHECK(h.lumen() == LumenNegotiation::kActive);
    CHECK(h.OnEvent(H(E::kVideoPing), At(1.4)).value().empty());  // later pings: nothing
    CHECK(Has(h.OnEvent(H(E::kAppExited), At(2)).value(),
              {A::kSendTermination, A::kStopStreams, A::kDropSession}));
    CHECK(h.state() == HostState::kTerminated);
    CHECK(h.termination_reason() == TerminationReason::kAppExited);
  }

  TEST_CASE("HostSession.StockClientFallsBackToMoonlight") {
    HostSession h(true);
    CHECK(Has(HostToStreaming(h, /*client_answers=*/false),
              {HostAction::kStartVideoMoonlight, HostAction::kSendIdr}));
    CHECK(h.lumen() == LumenNegotiation::kFallback);
  }

  TEST_CASE("HostSession.LumenDisabledNeverOffers") {
    HostSession h(false);
    REQUIRE(h.OnEvent(H(HostEventType::kLaunch), At(0)).ok());
    CHECK(h.OnEvent(H(HostEventType::kRtspDescribe), At(0)).value().empty());
    HostSession h2(false);
    // Even a client that answers gets Moonlight framing from a host that did not offer.
    CHECK(Has(HostToStreaming(h2, true), {HostAction::kStartVideoMoonlight, HostAction::kSendIdr}));
    CHECK(h2.lumen() == LumenNegotiation::kDisabled);
  }

  TEST_CASE("HostSession.InvalidOrdersRejectedWithReason") {
    using E = HostEventType;
    HostSession h(true);
    auto r = h.OnEvent(H(E::kRtspSetupAudio), At(0));
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == absl::StatusCode::kFailedPrecondition);
    CHECK(std::string(r.status().message()).find("RtspSetupAudio") != std::string::npos);
    CHECK(std::string(r.status().message()).find("Idle") != std::string::npos);
    CHECK(h.state() == HostState::kIdle);
    REQUIRE(h.OnEvent(H(E::kLaunch), At(0)).ok());
    for (E e : {E::kLaunch, E::kRtspSetupVideo, E::kRtspSetupControl, E::kRtspAnnounce,
                E::kRtspPlay, E::kControlConnected, E::kControlMessage, E::kVideoPing,
                E::kAudioPing, E::kIdrRequested, E::kControlDisconnected}) {
      CAPTURE(HostEventName(e));
      CHECK_FALSE(h.OnEvent(H(e), At(0)).ok());
      CHECK(h.state() == HostState::kLaunched);
    }
    REQUIRE(h.OnEvent(H(E::kRtspSetupAudio), At(0)).ok());
    CHECK_FALSE(h.OnEvent(H(E::kRtspSetupControl), At(0)).ok());  // video first
    CHECK_FALSE(h.OnEvent(H(E::kRtspDescribe), At(0)).ok());      // too late
    REQUIRE(h.OnEvent(H(E::kRtspSetupVideo), At(0)).ok());
    REQUIRE(h.OnEvent(H(E::kRtspSetupControl), At(0)).ok());
    CHECK_FALSE(h.OnEvent(H(E::kRtspPlay), At(0)).ok());  // ANNOUNCE first
    REQUIRE(h.OnEvent(H(E::kRtspAnnounce), At(0)).ok());
    CHECK_FALSE(h.OnEvent(H(E::kControlConnected), At(0)).ok());  // PLAY first
    REQUIRE(h.OnEvent(H(E::kRtspPlay), At(0)).ok());
    CHECK_FALSE(h.OnEvent(H(E::kVideoPing), At(0)).ok());  // control first
    // Time may not go backwards.
    CHECK(h.OnEvent(H(E::kTick), At(-1)).status().code() == absl::StatusCode::kInvalidArgument);
    REQUIRE(h.OnEvent(H(E::kCancel), At(0)).ok());
    for (E e : {E::kLaunch, E::kCancel, E::kHostStop, E::kRtspOptions, E::kVideoPing}) {
      CHECK_FALSE(h.OnEvent(H(e), At(1)).ok());
    }
    CHECK(h.OnEvent(H(E::kTick), At(100)).value().empty());
    // Stop before launch is invalid too.
    HostSession idle(true);
    CHECK_FALSE(idle.OnEvent(H(E::kHostStop), At(0)).ok());
  }

  TEST_CASE("HostSession.RtspTimeout") {
    HostSession h(true);
    REQUIRE(h.OnEvent(H(HostEventType::kLaunch), At(0)).ok());
    REQUIRE(h.OnEvent(H(HostEventType::kRtspOptions), At(3)).ok());
    CHECK(h.OnEvent(H(HostEventType::kTick), At(9.99)).value().empty());
    CHECK(Has(h.OnEvent(H(HostEventType::kTick), At(10)).value(), {HostAction::kDropSession}));
    CHECK(h.termination_reason() == TerminationReason::kRtspTimeout);
  }

  TEST_CASE("HostSession.ControlConnectAndVideoPingTimeouts") {
    using E = HostEventType;
    HostSession h(true);
    for (E e : {E::kLaunch, E::kRtspDescribe, E::kRtspSetupAudio, E::kRtspSetupVideo,
                E::kRtspSetupControl, E::kRtspAnnounce}) {
      REQUIRE(h.OnEvent(H(e), At(0)).ok());
    }
    REQUIRE(h.OnEvent(H(E::kRtspPlay), At(5)).ok());
    CHECK(h.OnEvent(H(E::kTick), At(14.9)).value().empty());
    CHECK(Has(h.OnEvent(H(E::kTick), At(15)).value(),
              {HostAction::kStopStreams, HostAction::kDropSession}));
    CHECK(h.termination_reason() == TerminationReason::kControlConnectTimeout);

    HostSession v(false);
    for (E e : {E::kLaunch, E::kRtspSetupAudio, E::kRtspSetupVideo, E::kRtspSetupControl,
                E::kRtspAnnounce, E::kRtspPlay, E::kControlConnected}) {
      REQUIRE(v.OnEvent(H(e), At(1)).ok());
    }
    CHECK(v.OnEvent(H(E::kTick), At(10.9)).value().empty());
    CHECK(Has(v.OnEvent(H(E::kTick), At(11)).value(),
              {HostAction::kSendTermination, HostAction::kStopStreams, HostAction::kDropSession}));
    CHECK(v.termination_reason() == TerminationReason::kVideoPingTimeout);
  }

  TEST_CASE("HostSession.IdleTimeoutAndPeriodicWork") {
    HostSession h(true);
    HostToStreaming(h, true, 0);  // streaming from t = 0.4, control last seen at 0.3
    int periodic = 0;
    // The client pings every 100 ms for 5 s: no timeout; periodic work every 100 ms.
    double t = 0.4;
    for (; t < 5.4; t += 0.05) {
      if (int(t * 100 + 0.5) % 10 == 0) {
        REQUIRE(h.OnEvent(H(HostEventType::kControlMessage), At(t)).ok());
      }
      auto a = h.OnEvent(H(HostEventType::kTick), At(t));
      REQUIRE(a.ok());
      if (a->Contains(HostAction::kPeriodic)) ++periodic;
    }
    CHECK(h.state() == HostState::kStreaming);
    CHECK(periodic >= 48);
    CHECK(periodic <= 51);
    // A late tick (host was busy) fires once, not a burst.
    auto late = h.OnEvent(H(HostEventType::kTick), At(6.0));
    CHECK(Has(late.value(), {HostAction::kPeriodic}));
    CHECK(h.next_deadline() == At(6.1));
    // Then silence: terminated 10 s after the last control message (t ~ 5.3).
    CHECK(h.state() == HostState::kStreaming);
    auto end = h.OnEvent(H(HostEventType::kTick), At(15.4));
    REQUIRE(end.ok());
    CHECK(end->Contains(HostAction::kSendTermination));
    CHECK(h.termination_reason() == TerminationReason::kIdleTimeout);
  }

  TEST_CASE("HostSession.ClientDisconnectAndCancel") {
    HostSession h(true);
    HostToStreaming(h, true);
    CHECK(Has(h.OnEvent(H(HostEventType::kControlDisconnected), At(1)).value(),
              {HostAction::kStopStreams, HostAction::kDropSession}));
    CHECK(h.termination_reason() == TerminationReason::kClientDisconnected);
    HostSession c(true);
    REQUIRE(c.OnEvent(H(HostEventType::kLaunch), At(0)).ok());
    CHECK(Has(c.OnEvent(H(HostEventType::kCancel), At(1)).value(), {HostAction::kDropSession}));
    CHECK(c.termination_reason() == TerminationReason::kCancelled);
  }
}

TEST_SUITE("ClientSession") {
  TEST_CASE("ClientSession.FullSequenceWithLumen") {
    using E = ClientEventType;
    using A = ClientAction;
    ClientSession c(/*lumen_supported=*/true);
    CHECK(Has(c.OnEvent(C(E::kStart), At(0)).value(), {A::kSendLaunch}));
    CHECK(c.next_deadline() == At(120));
    CHECK(Has(c.OnEvent(C(E::kLaunchOk), At(1)).value(), {A::kSendOptions}));
    CHECK(c.next_deadline() == At(16));
    CHECK(Has(c.OnEvent(C(E::kRtspReply), At(1.1)).value(), {A::kSendDescribe}));
    CHECK(Has(c.OnEvent(C(E::kRtspReply, /*offer=*/true), At(1.2)).value(), {A::kSendSetupAudio}));
    CHECK(c.lumen() == LumenNegotiation::kOffered);
    CHECK(Has(c.OnEvent(C(E::kRtspReply), At(1.3)).value(),
              {A::kStartAudioPings, A::kSendSetupVideo}));
    CHECK(Has(c.OnEvent(C(E::kRtspReply), At(1.4)).value(), {A::kSendSetupControl}));
    CHECK(Has(c.OnEvent(C(E::kRtspReply), At(1.5)).value(),
              {A::kDeriveLumenKeys, A::kSendAnnounceWithLumen}));
    CHECK(Has(c.OnEvent(C(E::kRtspReply), At(1.6)).value(), {A::kSendPlay}));
    CHECK(Has(c.OnEvent(C(E::kRtspReply), At(1.7)).value(), {A::kConnectControl}));
    CHECK(Has(c.OnEvent(C(E::kControlConnected), At(2)).value(),
              {A::kSendStartAB, A::kStartVideoPings}));
    CHECK(c.OnEvent(C(E::kVideoData, false, /*lumen_framing=*/true), At(2.05)).ok());
    CHECK(c.state() == ClientState::kStreaming);
    CHECK(c.lumen() == LumenNegotiation::kActive);
    // Periodic work over one second of 10 ms ticks with video flowing.
    int pings = 0, vpings = 0, reports = 0;
    for (double t = 2.06; t < 3.055; t += 0.01) {
      REQUIRE(c.OnEvent(C(E::kVideoData, false, true), At(t)).ok());
      auto a = c.OnEvent(C(E::kTick), At(t));
      REQUIRE(a.ok());
      pings += a->Contains(A::kSendControlPing);
      vpings += a->Contains(A::kSendVideoPing);
      reports += a->Contains(A::kSendLossReport);
    }
    CHECK(pings == 10);
    CHECK(vpings == 2);
    CHECK(reports == 10);
    CHECK(Has(c.OnEvent(C(E::kNeedIdr), At(3.1)).value(), {A::kRequestIdr}));
    // A framing switch mid-stream is a protocol error.
    CHECK_FALSE(c.OnEvent(C(E::kVideoData, false, false), At(3.2)).ok());
    CHECK(Has(c.OnEvent(C(E::kTerminationReceived), At(3.3)).value(), {A::kDisconnect}));
    CHECK(c.termination_reason() == ClientTermination::kHostTerminated);
  }

  TEST_CASE("ClientSession.FallbackPaths") {
    using E = ClientEventType;
    // Host without offer: plain ANNOUNCE.
    ClientSession c(true);
    for (E e :
         {E::kStart, E::kLaunchOk, E::kRtspReply, E::kRtspReply, E::kRtspReply, E::kRtspReply}) {
      REQUIRE(c.OnEvent(C(e), At(0)).ok());
    }
    CHECK(Has(c.OnEvent(C(E::kRtspReply), At(0)).value(), {ClientAction::kSendAnnounce}));
    CHECK(c.lumen() == LumenNegotiation::kFallback);
    // Offer accepted but the host sends RTP: fall back on the first datagram.
    ClientSession d(true);
    REQUIRE(d.OnEvent(C(E::kStart), At(0)).ok());
    REQUIRE(d.OnEvent(C(E::kLaunchOk), At(0)).ok());
    REQUIRE(d.OnEvent(C(E::kRtspReply), At(0)).ok());
    REQUIRE(d.OnEvent(C(E::kRtspReply, true), At(0)).ok());
    for (int i = 0; i < 5; ++i) REQUIRE(d.OnEvent(C(E::kRtspReply), At(0)).ok());
    REQUIRE(d.OnEvent(C(E::kControlConnected), At(0)).ok());
    CHECK(d.lumen() == LumenNegotiation::kAccepted);
    REQUIRE(d.OnEvent(C(E::kVideoData), At(0.1)).ok());
    CHECK(d.lumen() == LumenNegotiation::kFallback);
    // Lumen framing that was never negotiated is rejected.
    ClientSession s(false);
    REQUIRE(s.OnEvent(C(E::kStart), At(0)).ok());
    REQUIRE(s.OnEvent(C(E::kLaunchOk), At(0)).ok());
    for (int i = 0; i < 7; ++i) REQUIRE(s.OnEvent(C(E::kRtspReply, true), At(0)).ok());
    CHECK(s.lumen() == LumenNegotiation::kDisabled);
    REQUIRE(s.OnEvent(C(E::kControlConnected), At(0)).ok());
    CHECK_FALSE(s.OnEvent(C(E::kVideoData, false, true), At(0.1)).ok());
    CHECK(s.OnEvent(C(E::kVideoData), At(0.1)).ok());
  }

  TEST_CASE("ClientSession.InvalidOrdersAndTimers") {
    using E = ClientEventType;
    ClientSession c(true);
    for (E e : {E::kLaunchOk, E::kRtspReply, E::kControlConnected, E::kVideoData, E::kNeedIdr,
                E::kTerminationReceived, E::kControlDisconnected, E::kFailure, E::kUserStop}) {
      CAPTURE(ClientEventName(e));
      auto r = c.OnEvent(C(e), At(0));
      REQUIRE_FALSE(r.ok());
      CHECK(std::string(r.status().message()).find("Idle") != std::string::npos);
    }
    REQUIRE(c.OnEvent(C(E::kStart), At(0)).ok());
    CHECK_FALSE(c.OnEvent(C(E::kRtspReply), At(0)).ok());
    CHECK(c.OnEvent(C(E::kTick), At(119)).value().empty());
    CHECK(c.OnEvent(C(E::kTick), At(120)).ok());
    CHECK(c.termination_reason() == ClientTermination::kLaunchTimeout);

    ClientSession r(true);
    REQUIRE(r.OnEvent(C(E::kStart), At(0)).ok());
    REQUIRE(r.OnEvent(C(E::kLaunchOk), At(0)).ok());
    REQUIRE(r.OnEvent(C(E::kRtspReply), At(1)).ok());  // DESCRIBE sent at 1
    CHECK(r.OnEvent(C(E::kTick), At(15.9)).value().empty());
    REQUIRE(r.OnEvent(C(E::kTick), At(16)).ok());
    CHECK(r.termination_reason() == ClientTermination::kRtspTimeout);

    ClientSession v(true);
    REQUIRE(v.OnEvent(C(E::kStart), At(0)).ok());
    REQUIRE(v.OnEvent(C(E::kLaunchOk), At(0)).ok());
    for (int i = 0; i < 7; ++i) REQUIRE(v.OnEvent(C(E::kRtspReply), At(0)).ok());
    CHECK(v.state() == ClientState::kControlConnecting);
    CHECK_FALSE(v.OnEvent(C(E::kVideoData), At(0)).ok());
    REQUIRE(v.OnEvent(C(E::kControlConnected), At(5)).ok());
    REQUIRE(v.OnEvent(C(E::kTick), At(14.99)).ok());
    CHECK(v.state() == ClientState::kWaitingVideo);
    auto a = v.OnEvent(C(E::kTick), At(15));
    CHECK(Has(a.value(), {ClientAction::kDisconnect}));
    CHECK(v.termination_reason() == ClientTermination::kNoVideoTraffic);

    ClientSession f(true);
    REQUIRE(f.OnEvent(C(E::kStart), At(0)).ok());
    REQUIRE(f.OnEvent(C(E::kFailure), At(0)).ok());
    CHECK(f.termination_reason() == ClientTermination::kFailed);
    CHECK_FALSE(f.OnEvent(C(E::kStart), At(1)).ok());
  }
}

TEST_SUITE("SessionNegotiation") {
  // Both machines driven against each other; the SDP attribute strings and the keys are real.
  void Run(bool host_lumen, bool client_lumen, bool expect_lumen) {
    using HE = HostEventType;
    using CE = ClientEventType;
    using CA = ClientAction;
    using HA = HostAction;
    HostSession host(host_lumen);
    ClientSession client(client_lumen);
    const std::array<uint8_t, 16> rikey{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    LumenOffer offer;
    offer.nonce.fill(0x5A);
    offer.session_id = 77;
    offer.aes256gcm = true;
    NegotiationNonce client_nonce;
    client_nonce.fill(0xC3);
    std::string describe_body, announce_body;
    transport::DirectionalKeys host_keys{}, client_keys{};
    bool host_lumen_video = false, client_lumen_keys = false;

    double t = 0;
    ClientActions pending = client.OnEvent(C(CE::kStart), At(t)).value();
    REQUIRE(host.OnEvent(H(HE::kLaunch), At(t)).ok());
    REQUIRE(client.OnEvent(C(CE::kLaunchOk), At(t)).ok());
    pending = ClientActions();
    pending.Add(CA::kSendOptions);
    for (int step = 0; step < 40 && client.state() != ClientState::kStreaming; ++step) {
      t += 0.01;
      ClientActions next;
      for (CA a : pending) {
        ClientEvent reply = C(CE::kRtspReply);
        HostEvent hev;
        bool rtsp = true;
        switch (a) {
          case CA::kSendOptions:
            hev = H(HE::kRtspOptions);
            break;
          case CA::kSendDescribe: {
            auto ha = host.OnEvent(H(HE::kRtspDescribe), At(t)).value();
            describe_body = "a=x-ss-general.featureFlags:0\n";
            if (ha.Contains(HA::kIncludeLumenOffer)) describe_body += BuildOfferLine(offer);
            reply.lumen_offer_valid = ParseOffer(describe_body).ok();
            next = client.OnEvent(reply, At(t)).value();
            continue;
          }
          case CA::kSendSetupAudio:
            hev = H(HE::kRtspSetupAudio);
            break;
          case CA::kSendSetupVideo:
            hev = H(HE::kRtspSetupVideo);
            break;
          case CA::kSendSetupControl:
            hev = H(HE::kRtspSetupControl);
            break;
          case CA::kDeriveLumenKeys: {
            auto o = ParseOffer(describe_body).value();
            client_keys = transport::DeriveKeys(rikey, o.nonce, client_nonce, o.session_id).value();
            client_lumen_keys = true;
            rtsp = false;
            break;
          }
          case CA::kSendAnnounce:
          case CA::kSendAnnounceWithLumen: {
            announce_body = "v=0\r\na=x-nv-video[0].packetSize:1392 \r\n";
            if (a == CA::kSendAnnounceWithLumen) {
              LumenAccept acc;
              acc.nonce = client_nonce;
              acc.aead = ChooseAead(ParseOffer(describe_body).value(), false);
              announce_body += BuildAcceptLine(acc);
            }
            auto acc = ParseAccept(announce_body);
            const bool valid = acc.ok() && AcceptMatchesOffer(offer, *acc);
            auto ha = host.OnEvent(H(HE::kRtspAnnounce, valid), At(t)).value();
            if (ha.Contains(HA::kDeriveLumenKeys)) {
              host_keys =
                  transport::DeriveKeys(rikey, offer.nonce, acc->nonce, offer.session_id).value();
            }
            next = client.OnEvent(reply, At(t)).value();
            continue;
          }
          case CA::kSendPlay:
            hev = H(HE::kRtspPlay);
            break;
          case CA::kConnectControl: {
            REQUIRE(host.OnEvent(H(HE::kControlConnected), At(t)).ok());
            next = client.OnEvent(C(CE::kControlConnected), At(t)).value();
            continue;
          }
          case CA::kSendStartAB: {
            REQUIRE(host.OnEvent(H(HE::kIdrRequested), At(t)).ok());
            rtsp = false;
            break;
          }
          case CA::kStartVideoPings: {
            auto ha = host.OnEvent(H(HE::kVideoPing), At(t)).value();
            host_lumen_video = ha.Contains(HA::kStartVideoLumen);
            next = client.OnEvent(C(CE::kVideoData, false, host_lumen_video), At(t)).value();
            continue;
          }
          default:
            rtsp = false;
            break;
        }
        if (!rtsp) continue;
        REQUIRE(host.OnEvent(hev, At(t)).ok());
        ClientActions got = client.OnEvent(reply, At(t)).value();
        for (CA g : got) next.Add(g);
      }
      pending = next;
    }
    CHECK(client.state() == ClientState::kStreaming);
    CHECK(host.state() == HostState::kStreaming);
    CHECK(host_lumen_video == expect_lumen);
    CHECK((host.lumen() == LumenNegotiation::kActive) == expect_lumen);
    CHECK((client.lumen() == LumenNegotiation::kActive) == expect_lumen);
    if (expect_lumen) {
      REQUIRE(client_lumen_keys);
      CHECK(host_keys.host_to_client == client_keys.host_to_client);
      CHECK(host_keys.client_to_host == client_keys.client_to_host);
    }
  }

  TEST_CASE("SessionNegotiation.BothLumen") { Run(true, true, true); }
  TEST_CASE("SessionNegotiation.StockClient") { Run(true, false, false); }
  TEST_CASE("SessionNegotiation.HostWithoutLumen") { Run(false, true, false); }
}

}  // namespace
}  // namespace lumen::session
