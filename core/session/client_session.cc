// core/session/client_session.cc — client session state machine (see client_session.h).
#include "core/session/client_session.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace lumen::session {

const char* ClientStateName(ClientState s) {
  switch (s) {
    case ClientState::kIdle:
      return "Idle";
    case ClientState::kLaunching:
      return "Launching";
    case ClientState::kRtspOptions:
      return "RtspOptions";
    case ClientState::kRtspDescribe:
      return "RtspDescribe";
    case ClientState::kRtspSetupAudio:
      return "RtspSetupAudio";
    case ClientState::kRtspSetupVideo:
      return "RtspSetupVideo";
    case ClientState::kRtspSetupControl:
      return "RtspSetupControl";
    case ClientState::kRtspAnnounce:
      return "RtspAnnounce";
    case ClientState::kRtspPlay:
      return "RtspPlay";
    case ClientState::kControlConnecting:
      return "ControlConnecting";
    case ClientState::kWaitingVideo:
      return "WaitingVideo";
    case ClientState::kStreaming:
      return "Streaming";
    case ClientState::kTerminated:
      return "Terminated";
  }
  return "?";
}

const char* ClientEventName(ClientEventType e) {
  switch (e) {
    case ClientEventType::kStart:
      return "Start";
    case ClientEventType::kLaunchOk:
      return "LaunchOk";
    case ClientEventType::kRtspReply:
      return "RtspReply";
    case ClientEventType::kControlConnected:
      return "ControlConnected";
    case ClientEventType::kVideoData:
      return "VideoData";
    case ClientEventType::kNeedIdr:
      return "NeedIdr";
    case ClientEventType::kTerminationReceived:
      return "TerminationReceived";
    case ClientEventType::kControlDisconnected:
      return "ControlDisconnected";
    case ClientEventType::kFailure:
      return "Failure";
    case ClientEventType::kUserStop:
      return "UserStop";
    case ClientEventType::kTick:
      return "Tick";
  }
  return "?";
}

ClientSession::ClientSession(bool lumen_supported, ClientTimeouts timeouts)
    : timeouts_(timeouts),
      lumen_(lumen_supported ? LumenNegotiation::kNotOffered : LumenNegotiation::kDisabled) {}

absl::Time ClientSession::next_deadline() const {
  return std::min({deadline_, next_control_ping_, next_video_ping_, next_loss_report_});
}

absl::StatusOr<ClientActions> ClientSession::Reject(ClientEventType e) const {
  return absl::FailedPreconditionError(absl::StrCat("client session: event ", ClientEventName(e),
                                                    " is not valid in state ",
                                                    ClientStateName(state_)));
}

void ClientSession::Terminate(ClientTermination r, ClientActions& out) {
  if (state_ == ClientState::kWaitingVideo || state_ == ClientState::kStreaming) {
    out.Add(ClientAction::kDisconnect);
  }
  state_ = ClientState::kTerminated;
  reason_ = r;
  deadline_ = next_control_ping_ = next_video_ping_ = next_loss_report_ = absl::InfiniteFuture();
}

namespace {

// Fires a periodic timer: adds `a` when due and re-arms it (skipping missed periods).
void Periodic(absl::Time now, absl::Duration period, absl::Time& next, ClientAction a,
              ClientActions& out) {
  if (now < next) return;
  out.Add(a);
  next += period;
  if (next <= now) next = now + period;
}

}  // namespace

absl::StatusOr<ClientActions> ClientSession::OnEvent(const ClientEvent& ev, absl::Time now) {
  if (now < last_now_) return absl::InvalidArgumentError("client session: time went backwards");
  last_now_ = now;
  ClientActions out;
  const ClientEventType e = ev.type;

  if (e == ClientEventType::kTick) {
    switch (state_) {
      case ClientState::kIdle:
      case ClientState::kTerminated:
        break;
      case ClientState::kLaunching:
        if (now >= deadline_) Terminate(ClientTermination::kLaunchTimeout, out);
        break;
      case ClientState::kControlConnecting:
        if (now >= deadline_) Terminate(ClientTermination::kControlConnectTimeout, out);
        break;
      case ClientState::kWaitingVideo:
      case ClientState::kStreaming:
        if (now >= deadline_ || now - last_video_ >= timeouts_.no_video) {
          Terminate(ClientTermination::kNoVideoTraffic, out);
          break;
        }
        Periodic(now, timeouts_.control_ping, next_control_ping_, ClientAction::kSendControlPing,
                 out);
        Periodic(now, timeouts_.video_ping, next_video_ping_, ClientAction::kSendVideoPing, out);
        Periodic(now, timeouts_.loss_report, next_loss_report_, ClientAction::kSendLossReport, out);
        break;
      default:  // RTSP request states
        if (now >= deadline_) Terminate(ClientTermination::kRtspTimeout, out);
        break;
    }
    return out;
  }

  if (e == ClientEventType::kUserStop) {
    if (state_ == ClientState::kIdle || state_ == ClientState::kTerminated) return Reject(e);
    Terminate(ClientTermination::kUserStop, out);
    return out;
  }
  if (e == ClientEventType::kFailure) {
    if (state_ == ClientState::kIdle || state_ == ClientState::kTerminated) return Reject(e);
    Terminate(ClientTermination::kFailed, out);
    return out;
  }
  const bool connected = state_ == ClientState::kWaitingVideo || state_ == ClientState::kStreaming;
  if (e == ClientEventType::kTerminationReceived || e == ClientEventType::kControlDisconnected) {
    if (!connected) return Reject(e);
    Terminate(e == ClientEventType::kTerminationReceived ? ClientTermination::kHostTerminated
                                                         : ClientTermination::kDisconnected,
              out);
    return out;
  }
  if (e == ClientEventType::kNeedIdr) {
    if (!connected) return Reject(e);
    out.Add(ClientAction::kRequestIdr);
    return out;
  }

  // The request/reply ladder.
  auto next_request = [&](ClientState s, ClientAction a) {
    state_ = s;
    out.Add(a);
    Arm(timeouts_.rtsp_request, now);
  };
  switch (state_) {
    case ClientState::kIdle:
      if (e != ClientEventType::kStart) return Reject(e);
      state_ = ClientState::kLaunching;
      out.Add(ClientAction::kSendLaunch);
      Arm(timeouts_.launch, now);
      break;
    case ClientState::kLaunching:
      if (e != ClientEventType::kLaunchOk) return Reject(e);
      next_request(ClientState::kRtspOptions, ClientAction::kSendOptions);
      break;
    case ClientState::kRtspOptions:
      if (e != ClientEventType::kRtspReply) return Reject(e);
      next_request(ClientState::kRtspDescribe, ClientAction::kSendDescribe);
      break;
    case ClientState::kRtspDescribe:
      if (e != ClientEventType::kRtspReply) return Reject(e);
      if (lumen_ == LumenNegotiation::kNotOffered && ev.lumen_offer_valid) {
        lumen_ = LumenNegotiation::kOffered;
      }
      next_request(ClientState::kRtspSetupAudio, ClientAction::kSendSetupAudio);
      break;
    case ClientState::kRtspSetupAudio:
      if (e != ClientEventType::kRtspReply) return Reject(e);
      out.Add(ClientAction::kStartAudioPings);
      next_request(ClientState::kRtspSetupVideo, ClientAction::kSendSetupVideo);
      break;
    case ClientState::kRtspSetupVideo:
      if (e != ClientEventType::kRtspReply) return Reject(e);
      next_request(ClientState::kRtspSetupControl, ClientAction::kSendSetupControl);
      break;
    case ClientState::kRtspSetupControl:
      if (e != ClientEventType::kRtspReply) return Reject(e);
      if (lumen_ == LumenNegotiation::kOffered) {
        lumen_ = LumenNegotiation::kAccepted;
        out.Add(ClientAction::kDeriveLumenKeys);
        next_request(ClientState::kRtspAnnounce, ClientAction::kSendAnnounceWithLumen);
      } else {
        if (lumen_ != LumenNegotiation::kDisabled) lumen_ = LumenNegotiation::kFallback;
        next_request(ClientState::kRtspAnnounce, ClientAction::kSendAnnounce);
      }
      break;
    case ClientState::kRtspAnnounce:
      if (e != ClientEventType::kRtspReply) return Reject(e);
      next_request(ClientState::kRtspPlay, ClientAction::kSendPlay);
      break;
    case ClientState::kRtspPlay:
      if (e != ClientEventType::kRtspReply) return Reject(e);
      state_ = ClientState::kControlConnecting;
      out.Add(ClientAction::kConnectControl);
      Arm(timeouts_.control_connect, now);
      break;
    case ClientState::kControlConnecting:
      if (e != ClientEventType::kControlConnected) return Reject(e);
      state_ = ClientState::kWaitingVideo;
      out.Add(ClientAction::kSendStartAB);
      out.Add(ClientAction::kStartVideoPings);
      Arm(timeouts_.no_video, now);
      last_video_ = now;
      next_control_ping_ = now + timeouts_.control_ping;
      next_video_ping_ = now + timeouts_.video_ping;
      break;
    case ClientState::kWaitingVideo:
    case ClientState::kStreaming:
      if (e != ClientEventType::kVideoData) return Reject(e);
      if (ev.lumen_framing && lumen_ != LumenNegotiation::kAccepted &&
          lumen_ != LumenNegotiation::kActive) {
        return absl::FailedPreconditionError(
            "client session: lumen-framed video without a lumen negotiation");
      }
      if (state_ == ClientState::kWaitingVideo) {
        state_ = ClientState::kStreaming;
        deadline_ = absl::InfiniteFuture();
        if (lumen_ == LumenNegotiation::kAccepted) {
          if (ev.lumen_framing) {
            lumen_ = LumenNegotiation::kActive;
            next_loss_report_ = now + timeouts_.loss_report;
          } else {
            lumen_ = LumenNegotiation::kFallback;  // host answered with Moonlight framing
          }
        }
      } else if (ev.lumen_framing != (lumen_ == LumenNegotiation::kActive)) {
        return absl::FailedPreconditionError(
            "client session: video framing changed in the middle of the stream");
      }
      last_video_ = now;
      break;
    case ClientState::kTerminated:
      return Reject(e);
  }
  return out;
}

}  // namespace lumen::session
