// core/session/host_session.h — the host side of one Moonlight session as an explicit
// state/event machine, including the lumen-transport negotiation.
//
// Sans-I/O: the caller (host/ networking code) turns what it sees — an HTTP /launch, each
// RTSP request, the ENet control connect, UDP pings, control messages, its own periodic
// tick — into HostEvents, calls OnEvent(event, now) and performs the returned actions.
// No threads, no clock reads: time is the `now` argument. An event that is not valid in the
// current state is rejected with FailedPrecondition and a reason; the state is unchanged.
//
// Stages (docs/moonlight-protocol.md §4-§7, §10):
//
//   kIdle --Launch--> kLaunched --Options/Describe--> (same) --SetupAudio--> kSetupAudio
//     --SetupVideo--> kSetupVideo --SetupControl--> kSetupControl --Announce--> kAnnounced
//     --Play--> kPlaying --ControlConnected--> kControlConnected --VideoPing--> kStreaming
//   any --Cancel/AppExited/HostStop/ControlDisconnected/timeout--> kTerminated
//
// Timers (HostTimeouts): launch -> PLAY (Sunshine drops a pending launch after ping_timeout,
// 10 s); PLAY -> control connect (10 s); control connect -> first video ping (10 s); while
// streaming, no control traffic for idle (10 s; the client pings every 100 ms). Periodic
// work while streaming: kPeriodic every `periodic` (100 ms) — run the FEC policy, stats.
//
// lumen transport: when enabled, the DESCRIBE reply carries the offer (kIncludeLumenOffer,
// lumen_attr.h). An ANNOUNCE with a valid answer moves it to kAccepted (kDeriveLumenKeys);
// without one (stock clients) to kFallback. At the first video ping the video stream starts
// in lumen framing (kStartVideoLumen) or in Moonlight framing (kStartVideoMoonlight).
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/session/action_list.h"

namespace lumen::session {

enum class HostState : uint8_t {
  kIdle,
  kLaunched,          // /launch accepted; waiting for RTSP
  kSetupAudio,        // audio SETUP answered
  kSetupVideo,        // video SETUP answered
  kSetupControl,      // control SETUP answered
  kAnnounced,         // ANNOUNCE accepted (stream config known)
  kPlaying,           // PLAY answered; waiting for the ENet control connect
  kControlConnected,  // control stream up; waiting for the first video ping
  kStreaming,
  kTerminated,
};

enum class HostEventType : uint8_t {
  kLaunch,  // HTTPS /launch (or /resume) accepted
  kRtspOptions,
  kRtspDescribe,
  kRtspSetupAudio,
  kRtspSetupVideo,
  kRtspSetupControl,
  kRtspAnnounce,  // see HostEvent::lumen_accept_valid
  kRtspPlay,
  kControlConnected,  // ENet connect with the matching connect data
  kControlMessage,    // any control packet (ping 0x0200, input, IDR request, ...)
  kIdrRequested,      // control 0x0302 or a lumen IdrRequest
  kVideoPing,         // UDP ping on the video port
  kAudioPing,         // UDP ping on the audio port
  kControlDisconnected,
  kCancel,  // HTTPS /cancel
  kAppExited,
  kHostStop,
  kTick,  // periodic call; fires due timers
};

enum class HostAction : uint8_t {
  kIncludeLumenOffer,    // add the x-lumen-transport line to the DESCRIBE reply
  kDeriveLumenKeys,      // ANNOUNCE accepted lumen: derive keys from rikey + both nonces
  kCreateStreams,        // ANNOUNCE: build the stream config, bind/register endpoints
  kStartAudio,           // audio ping seen: start sending audio to its source
  kStartVideoLumen,      // first video ping: start video in lumen framing
  kStartVideoMoonlight,  // first video ping: start video in Moonlight framing
  kSendIdr,              // make the next frame an IDR
  kPeriodic,             // periodic work (FEC policy, stats)
  kSendTermination,      // control 0x0109 to the client, then disconnect
  kStopStreams,
  kDropSession,  // forget the launch session (ports, keys)
};

enum class LumenNegotiation : uint8_t {
  kDisabled,    // host does not offer lumen transport
  kNotOffered,  // enabled, DESCRIBE not seen yet
  kOffered,
  kAccepted,
  kActive,
  kFallback,  // peer did not opt in: Moonlight framing
};

enum class TerminationReason : uint8_t {
  kNone,
  kCancelled,
  kAppExited,
  kHostStop,
  kClientDisconnected,
  kRtspTimeout,
  kControlConnectTimeout,
  kVideoPingTimeout,
  kIdleTimeout,
};

struct HostTimeouts {
  absl::Duration launch_to_play = absl::Seconds(10);
  absl::Duration play_to_control = absl::Seconds(10);
  absl::Duration control_to_video_ping = absl::Seconds(10);
  absl::Duration idle = absl::Seconds(10);
  absl::Duration periodic = absl::Milliseconds(100);
};

struct HostEvent {
  HostEventType type = HostEventType::kTick;
  // kRtspAnnounce only: the body carried an x-lumen-transport answer that parsed and matched
  // the offer (lumen_attr.h ParseAccept + AcceptMatchesOffer).
  bool lumen_accept_valid = false;
};

using HostActions = ActionList<HostAction>;

const char* HostStateName(HostState s);
const char* HostEventName(HostEventType e);

class HostSession {
 public:
  explicit HostSession(bool lumen_enabled, HostTimeouts timeouts = {});

  // Applies one event at time `now` (monotonic; never earlier than the previous call).
  // Returns the actions to perform, or FailedPrecondition naming the state and the event
  // when the event is not valid now (nothing changes then).
  absl::StatusOr<HostActions> OnEvent(const HostEvent& event, absl::Time now);

  HostState state() const { return state_; }
  LumenNegotiation lumen() const { return lumen_; }
  TerminationReason termination_reason() const { return reason_; }
  // When the caller should deliver the next kTick (InfiniteFuture when nothing is armed).
  absl::Time next_deadline() const;

 private:
  absl::StatusOr<HostActions> Reject(HostEventType e) const;
  void Terminate(TerminationReason r, HostActions& out);
  void CheckInvariants() const;

  HostTimeouts timeouts_;
  HostState state_ = HostState::kIdle;
  LumenNegotiation lumen_;
  TerminationReason reason_ = TerminationReason::kNone;
  bool audio_started_ = false;
  absl::Time deadline_ = absl::InfiniteFuture();  // stage timeout
  absl::Time next_periodic_ = absl::InfiniteFuture();
  absl::Time last_control_ = absl::InfinitePast();
  absl::Time last_now_ = absl::InfinitePast();
};

}  // namespace lumen::session
