// core/session/client_session.h — the client side of one Moonlight session as an explicit
// state/event machine, including the lumen-transport opt-in.
//
// Sans-I/O like HostSession: the caller performs the returned actions (send the next
// request, connect, ping) and reports what happened as ClientEvents; `now` is passed in.
// Each RTSP state means "this request is sent, waiting for its reply"; kRtspReply answers
// the pending request and the machine asks for the next one (docs/moonlight-protocol.md
// §5.4 order: OPTIONS, DESCRIBE, SETUP audio/video/control, ANNOUNCE, PLAY).
//
// Timers (ClientTimeouts, from moonlight-common-c): /launch 120 s; each RTSP request 15 s
// (receive timeout); ENet control connect 10 s; no video datagram within 10 s of the
// control stream coming up, or for 10 s while streaming -> terminate (ML_ERROR_NO_VIDEO_
// TRAFFIC). Periodic: control ping every 100 ms, video ping every 500 ms (from the control
// connect on), lumen LossReport every 100 ms while lumen framing is active.
//
// lumen: when the DESCRIBE reply carried a valid offer and the client supports lumen, the
// ANNOUNCE carries the answer (kSendAnnounceWithLumen) and keys are derived
// (kDeriveLumenKeys). The framing actually used is seen on the first video datagram
// (lumen datagrams start 0x11/0x12, Moonlight RTP 0x90): lumen -> kActive, RTP -> kFallback.
#pragma once

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/session/action_list.h"
#include "core/session/host_session.h"

namespace lumen::session {

enum class ClientState : uint8_t {
  kIdle,
  kLaunching,
  kRtspOptions,
  kRtspDescribe,
  kRtspSetupAudio,
  kRtspSetupVideo,
  kRtspSetupControl,
  kRtspAnnounce,
  kRtspPlay,
  kControlConnecting,
  kWaitingVideo,
  kStreaming,
  kTerminated,
};

enum class ClientEventType : uint8_t {
  kStart,                // user asked to stream
  kLaunchOk,             // /launch or /resume answered 200 with a session URL
  kRtspReply,            // 200 OK for the pending RTSP request
  kControlConnected,     // ENet connect completed
  kVideoData,            // a video datagram arrived (see ClientEvent::lumen_framing)
  kNeedIdr,              // the depacketizer lost a frame
  kTerminationReceived,  // control 0x0109 from the host
  kControlDisconnected,
  kFailure,  // /launch error, RTSP error status or connection failure
  kUserStop,
  kTick,
};

enum class ClientAction : uint8_t {
  kSendLaunch,
  kSendOptions,
  kSendDescribe,
  kSendSetupAudio,
  kStartAudioPings,  // right after the audio SETUP reply (§5.4)
  kSendSetupVideo,
  kSendSetupControl,
  kSendAnnounce,           // Moonlight-only ANNOUNCE
  kSendAnnounceWithLumen,  // ANNOUNCE + x-lumen-transport answer
  kDeriveLumenKeys,
  kSendPlay,
  kConnectControl,
  kSendStartAB,  // Start A (IDR request 0x0302) + Start B (0x0307)
  kStartVideoPings,
  kSendControlPing,
  kSendVideoPing,
  kSendLossReport,  // lumen feedback
  kRequestIdr,
  kDisconnect,
};

enum class ClientTermination : uint8_t {
  kNone,
  kUserStop,
  kHostTerminated,
  kDisconnected,
  kFailed,
  kLaunchTimeout,
  kRtspTimeout,
  kControlConnectTimeout,
  kNoVideoTraffic,
};

struct ClientTimeouts {
  absl::Duration launch = absl::Seconds(120);
  absl::Duration rtsp_request = absl::Seconds(15);
  absl::Duration control_connect = absl::Seconds(10);
  absl::Duration no_video = absl::Seconds(10);
  absl::Duration control_ping = absl::Milliseconds(100);
  absl::Duration video_ping = absl::Milliseconds(500);
  absl::Duration loss_report = absl::Milliseconds(100);
};

struct ClientEvent {
  ClientEventType type = ClientEventType::kTick;
  // kRtspReply to DESCRIBE: the body carried a valid x-lumen-transport offer.
  bool lumen_offer_valid = false;
  // kVideoData: the datagram was lumen framing (else Moonlight RTP).
  bool lumen_framing = false;
};

using ClientActions = ActionList<ClientAction>;

const char* ClientStateName(ClientState s);
const char* ClientEventName(ClientEventType e);

class ClientSession {
 public:
  explicit ClientSession(bool lumen_supported, ClientTimeouts timeouts = {});

  // Applies one event at `now`; returns actions or FailedPrecondition with the reason.
  absl::StatusOr<ClientActions> OnEvent(const ClientEvent& event, absl::Time now);

  ClientState state() const { return state_; }
  LumenNegotiation lumen() const { return lumen_; }
  ClientTermination termination_reason() const { return reason_; }
  absl::Time next_deadline() const;

 private:
  absl::StatusOr<ClientActions> Reject(ClientEventType e) const;
  void Terminate(ClientTermination r, ClientActions& out);
  void Arm(absl::Duration d, absl::Time now) { deadline_ = now + d; }

  ClientTimeouts timeouts_;
  ClientState state_ = ClientState::kIdle;
  LumenNegotiation lumen_;
  ClientTermination reason_ = ClientTermination::kNone;
  absl::Time deadline_ = absl::InfiniteFuture();
  absl::Time next_control_ping_ = absl::InfiniteFuture();
  absl::Time next_video_ping_ = absl::InfiniteFuture();
  absl::Time next_loss_report_ = absl::InfiniteFuture();
  absl::Time last_video_ = absl::InfinitePast();
  absl::Time last_now_ = absl::InfinitePast();
};

}  // namespace lumen::session
