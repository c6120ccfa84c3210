// core/session/host_session.cc — host session state machine (see host_session.h).
#include "core/session/host_session.h"

#include <cassert>

#include "absl/strings/str_cat.h"

namespace lumen::session {

const char* HostStateName(HostState s) {
  switch (s) {
    case HostState::kIdle:
      return "Idle";
    case HostState::kLaunched:
      return "Launched";
    case HostState::kSetupAudio:
      return "SetupAudio";
    case HostState::kSetupVideo:
      return "SetupVideo";
    case HostState::kSetupControl:
      return "SetupControl";
    case HostState::kAnnounced:
      return "Announced";
    case HostState::kPlaying:
      return "Playing";
    case HostState::kControlConnected:
      return "ControlConnected";
    case HostState::kStreaming:
      return "Streaming";
    case HostState::kTerminated:
      return "Terminated";
  }
  return "?";
}

const char* HostEventName(HostEventType e) {
  switch (e) {
    case HostEventType::kLaunch:
      return "Launch";
    case HostEventType::kRtspOptions:
      return "RtspOptions";
    case HostEventType::kRtspDescribe:
      return "RtspDescribe";
    case HostEventType::kRtspSetupAudio:
      return "RtspSetupAudio";
    case HostEventType::kRtspSetupVideo:
      return "RtspSetupVideo";
    case HostEventType::kRtspSetupControl:
      return "RtspSetupControl";
    case HostEventType::kRtspAnnounce:
      return "RtspAnnounce";
    case HostEventType::kRtspPlay:
      return "RtspPlay";
    case HostEventType::kControlConnected:
      return "ControlConnected";
    case HostEventType::kControlMessage:
      return "ControlMessage";
    case HostEventType::kIdrRequested:
      return "IdrRequested";
    case HostEventType::kVideoPing:
      return "VideoPing";
    case HostEventType::kAudioPing:
      return "AudioPing";
    case HostEventType::kControlDisconnected:
      return "ControlDisconnected";
    case HostEventType::kCancel:
      return "Cancel";
    case HostEventType::kAppExited:
      return "AppExited";
    case HostEventType::kHostStop:
      return "HostStop";
    case HostEventType::kTick:
      return "Tick";
  }
  return "?";
}

HostSession::HostSession(bool lumen_enabled, HostTimeouts timeouts)
    : timeouts_(timeouts),
      lumen_(lumen_enabled ? LumenNegotiation::kNotOffered : LumenNegotiation::kDisabled) {}

absl::Time HostSession::next_deadline() const { return std::min(deadline_, next_periodic_); }

absl::StatusOr<HostActions> HostSession::Reject(HostEventType e) const {
  return absl::FailedPreconditionError(absl::StrCat(
      "host session: event ", HostEventName(e), " is not valid in state ", HostStateName(state_)));
}

void HostSession::Terminate(TerminationReason r, HostActions& out) {
  if (state_ >= HostState::kControlConnected && r != TerminationReason::kClientDisconnected) {
    out.Add(HostAction::kSendTermination);  // no one to tell when the peer is gone
  }
  if (state_ >= HostState::kAnnounced) out.Add(HostAction::kStopStreams);
  out.Add(HostAction::kDropSession);
  state_ = HostState::kTerminated;
  reason_ = r;
  deadline_ = absl::InfiniteFuture();
  next_periodic_ = absl::InfiniteFuture();
}

void HostSession::CheckInvariants() const {
#ifndef NDEBUG
  const bool staged = state_ != HostState::kIdle && state_ != HostState::kStreaming &&
                      state_ != HostState::kTerminated;
  assert(staged == (deadline_ != absl::InfiniteFuture()));
  assert((state_ == HostState::kStreaming) == (next_periodic_ != absl::InfiniteFuture()));
  assert(lumen_ != LumenNegotiation::kActive || state_ >= HostState::kStreaming);
  assert((state_ == HostState::kTerminated) == (reason_ != TerminationReason::kNone));
#endif
}

absl::StatusOr<HostActions> HostSession::OnEvent(const HostEvent& ev, absl::Time now) {
  if (now < last_now_) {
    return absl::InvalidArgumentError("host session: time went backwards");
  }
  last_now_ = now;
  HostActions out;
  const HostEventType e = ev.type;

  if (e == HostEventType::kTick) {
    switch (state_) {
      case HostState::kLaunched:
      case HostState::kSetupAudio:
      case HostState::kSetupVideo:
      case HostState::kSetupControl:
      case HostState::kAnnounced:
        if (now >= deadline_) Terminate(TerminationReason::kRtspTimeout, out);
        break;
      case HostState::kPlaying:
        if (now >= deadline_) Terminate(TerminationReason::kControlConnectTimeout, out);
        break;
      case HostState::kControlConnected:
        if (now >= deadline_) Terminate(TerminationReason::kVideoPingTimeout, out);
        break;
      case HostState::kStreaming:
        if (now - last_control_ >= timeouts_.idle) {
          Terminate(TerminationReason::kIdleTimeout, out);
        } else if (now >= next_periodic_) {
          out.Add(HostAction::kPeriodic);
          next_periodic_ += timeouts_.periodic;
          if (next_periodic_ <= now) next_periodic_ = now + timeouts_.periodic;  // fell behind
        }
        break;
      case HostState::kIdle:
      case HostState::kTerminated:
        break;
    }
    CheckInvariants();
    return out;
  }

  // Stop requests are valid from launch until termination.
  if (e == HostEventType::kCancel || e == HostEventType::kAppExited ||
      e == HostEventType::kHostStop) {
    if (state_ == HostState::kIdle || state_ == HostState::kTerminated) return Reject(e);
    Terminate(e == HostEventType::kCancel      ? TerminationReason::kCancelled
              : e == HostEventType::kAppExited ? TerminationReason::kAppExited
                                               : TerminationReason::kHostStop,
              out);
    CheckInvariants();
    return out;
  }

  switch (state_) {
    case HostState::kIdle:
      if (e != HostEventType::kLaunch) return Reject(e);
      state_ = HostState::kLaunched;
      deadline_ = now + timeouts_.launch_to_play;
      break;

    case HostState::kLaunched:
      if (e == HostEventType::kRtspOptions) break;
      if (e == HostEventType::kRtspDescribe) {
        if (lumen_ != LumenNegotiation::kDisabled) {
          lumen_ = LumenNegotiation::kOffered;
          out.Add(HostAction::kIncludeLumenOffer);
        }
        break;
      }
      if (e != HostEventType::kRtspSetupAudio) return Reject(e);
      state_ = HostState::kSetupAudio;
      break;

    case HostState::kSetupAudio:
      if (e == HostEventType::kAudioPing) break;  // pings start right after the audio SETUP
      if (e != HostEventType::kRtspSetupVideo) return Reject(e);
      state_ = HostState::kSetupVideo;
      break;

    case HostState::kSetupVideo:
      if (e == HostEventType::kAudioPing) break;
      if (e != HostEventType::kRtspSetupControl) return Reject(e);
      state_ = HostState::kSetupControl;
      break;

    case HostState::kSetupControl:
      if (e == HostEventType::kAudioPing) break;
      if (e != HostEventType::kRtspAnnounce) return Reject(e);
      state_ = HostState::kAnnounced;
      out.Add(HostAction::kCreateStreams);
      if (lumen_ == LumenNegotiation::kOffered && ev.lumen_accept_valid) {
        lumen_ = LumenNegotiation::kAccepted;
        out.Add(HostAction::kDeriveLumenKeys);
      } else if (lumen_ != LumenNegotiation::kDisabled) {
        lumen_ = LumenNegotiation::kFallback;  // stock client, or an answer without offer
      }
      break;

    case HostState::kAnnounced:
    case HostState::kPlaying:
    case HostState::kControlConnected:
    case HostState::kStreaming:
      if (e == HostEventType::kAudioPing) {
        if (!audio_started_) {
          audio_started_ = true;
          out.Add(HostAction::kStartAudio);
        }
        break;
      }
      if (state_ == HostState::kAnnounced) {
        if (e != HostEventType::kRtspPlay) return Reject(e);
        state_ = HostState::kPlaying;
        deadline_ = now + timeouts_.play_to_control;
        break;
      }
      if (state_ == HostState::kPlaying) {
        if (e != HostEventType::kControlConnected) return Reject(e);
        state_ = HostState::kControlConnected;
        deadline_ = now + timeouts_.control_to_video_ping;
        last_control_ = now;
        break;
      }
      // Control connected or streaming.
      if (e == HostEventType::kControlMessage) {
        last_control_ = now;
        break;
      }
      if (e == HostEventType::kIdrRequested) {
        last_control_ = now;
        out.Add(HostAction::kSendIdr);
        break;
      }
      if (e == HostEventType::kControlDisconnected) {
        Terminate(TerminationReason::kClientDisconnected, out);
        break;
      }
      if (e != HostEventType::kVideoPing) return Reject(e);
      if (state_ == HostState::kControlConnected) {
        state_ = HostState::kStreaming;
        deadline_ = absl::InfiniteFuture();
        next_periodic_ = now + timeouts_.periodic;
        if (lumen_ == LumenNegotiation::kAccepted) {
          lumen_ = LumenNegotiation::kActive;
          out.Add(HostAction::kStartVideoLumen);
        } else {
          out.Add(HostAction::kStartVideoMoonlight);
        }
        out.Add(HostAction::kSendIdr);  // the first frame is always an IDR
      }
      break;  // later pings keep the client's address fresh; nothing to do here

    case HostState::kTerminated:
      return Reject(e);
  }
  CheckInvariants();
  return out;
}

}  // namespace lumen::session
