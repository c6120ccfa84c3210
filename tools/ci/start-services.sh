#!/usr/bin/env bash
# tools/ci/start-services.sh — start the real desktop services lumen's capture and audio
# tests use: a private D-Bus session bus, PipeWire, WirePlumber, a null audio sink and a
# live GStreamer video source node. See docs/testing.md.
#
# Sourced (what .ci/run does):
#     source tools/ci/start-services.sh
#   exports XDG_RUNTIME_DIR, DBUS_SESSION_BUS_ADDRESS, LUMEN_TEST_PW_NODE (video source node
#   name), LUMEN_TEST_PW_SINK (null sink node name), LUMEN_SERVICES_DIR, and defines the
#   bash function stop_services. Returns non-zero (never exits the caller) on failure.
# Executed (what tests do when the environment is not set):
#     tools/ci/start-services.sh --env-file FILE [--parent-pid PID]
#   starts the services detached, writes `export K=V` lines to FILE and returns; they are
#   stopped by `tools/ci/start-services.sh --stop FILE`, or when PID exits.
# Knobs: LUMEN_TEST_WIDTH / LUMEN_TEST_HEIGHT (video source size, default 640x360).

_lumen_svc_log() { echo "start-services: $*" >&2; }

_lumen_svc_wait() {  # _lumen_svc_wait TRIES CMD...: retry CMD every 0.1 s
  local tries=$1
  shift
  while [ "$tries" -gt 0 ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
    tries=$((tries - 1))
  done
  return 1
}

_lumen_svc_bg() {  # _lumen_svc_bg NAME CMD...: start CMD in its own session, log to the dir
  local name=$1
  shift
  setsid "$@" >"$LUMEN_SERVICES_DIR/$name.log" 2>&1 </dev/null &
  echo $! >>"$LUMEN_SERVICES_DIR/pids"
}

_lumen_svc_start() {
  local w=${LUMEN_TEST_WIDTH:-640} h=${LUMEN_TEST_HEIGHT:-360} tool
  for tool in dbus-daemon pipewire wireplumber pw-cli gst-launch-1.0; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      _lumen_svc_log "missing $tool (run tools/setup.sh)"
      return 1
    fi
  done
  LUMEN_SERVICES_DIR=$(mktemp -d /tmp/lumen-services.XXXXXX) || return 1
  chmod 0700 "$LUMEN_SERVICES_DIR"
  export LUMEN_SERVICES_DIR
  export XDG_RUNTIME_DIR="$LUMEN_SERVICES_DIR/run"
  mkdir -m 0700 "$XDG_RUNTIME_DIR"
  : >"$LUMEN_SERVICES_DIR/pids"

  # 1. D-Bus session bus (WirePlumber exits without one).
  if ! dbus-daemon --session --fork --address="unix:path=$XDG_RUNTIME_DIR/bus" \
      --print-address=1 --print-pid=3 >"$LUMEN_SERVICES_DIR/dbus.addr" \
      3>"$LUMEN_SERVICES_DIR/dbus.pid"; then
    _lumen_svc_log "dbus-daemon failed"
    return 1
  fi
  export DBUS_SESSION_BUS_ADDRESS
  DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$LUMEN_SERVICES_DIR/dbus.addr")
  cat "$LUMEN_SERVICES_DIR/dbus.pid" >>"$LUMEN_SERVICES_DIR/pids"

  # 2. PipeWire, then WirePlumber once the socket exists.
  _lumen_svc_bg pipewire pipewire
  if ! _lumen_svc_wait 100 test -S "$XDG_RUNTIME_DIR/pipewire-0"; then
    _lumen_svc_log "pipewire did not create its socket; log:"
    tail -n 20 "$LUMEN_SERVICES_DIR/pipewire.log" >&2
    return 1
  fi
  _lumen_svc_bg wireplumber wireplumber

  # 3. A null audio sink (its monitor is what audio capture records).
  export LUMEN_TEST_PW_SINK=lumen-test-sink
  if ! _lumen_svc_wait 50 pw-cli create-node adapter "{ factory.name=support.null-audio-sink \
      node.name=$LUMEN_TEST_PW_SINK media.class=Audio/Sink object.linger=true \
      audio.position=[FL FR] }"; then
    _lumen_svc_log "could not create the null audio sink"
  fi

  # 4. A live BGRx video source node.
  export LUMEN_TEST_PW_NODE=lumen-test-src
  _lumen_svc_bg gst gst-launch-1.0 -q videotestsrc is-live=true pattern=ball \
    ! "video/x-raw,format=BGRx,width=$w,height=$h,framerate=30/1" \
    ! pipewiresink mode=provide \
    "stream-properties=props,media.class=Video/Source,node.name=$LUMEN_TEST_PW_NODE"
  if ! _lumen_svc_wait 150 sh -c "pw-cli ls Node | grep -q 'node.name = \"$LUMEN_TEST_PW_NODE\"'"; then
    _lumen_svc_log "video source node did not appear; gst log:"
    tail -n 20 "$LUMEN_SERVICES_DIR/gst.log" >&2
    return 1
  fi
  _lumen_svc_log "up: XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR node=$LUMEN_TEST_PW_NODE sink=$LUMEN_TEST_PW_SINK"
  return 0
}

_lumen_svc_stop_dir() {  # stop everything recorded in DIR/pids, newest first, remove DIR
  local dir=$1 pid
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  if [ -f "$dir/pids" ]; then
    for pid in $(tac "$dir/pids"); do kill "$pid" 2>/dev/null; done
    sleep 0.2
    for pid in $(tac "$dir/pids"); do kill -9 "$pid" 2>/dev/null; done
  fi
  rm -rf "$dir"
}

stop_services() {
  _lumen_svc_stop_dir "${LUMEN_SERVICES_DIR:-}"
  unset LUMEN_SERVICES_DIR LUMEN_TEST_PW_NODE LUMEN_TEST_PW_SINK
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  # Sourced.
  if ! _lumen_svc_start; then
    stop_services
    return 1
  fi
else
  case "${1:-}" in
    --env-file)
      envfile=${2:?--env-file FILE}
      parent=""
      if [ "${3:-}" = "--parent-pid" ]; then parent=${4:?--parent-pid PID}; fi
      if ! _lumen_svc_start; then
        _lumen_svc_stop_dir "${LUMEN_SERVICES_DIR:-}"
        exit 1
      fi
      {
        for k in XDG_RUNTIME_DIR DBUS_SESSION_BUS_ADDRESS LUMEN_TEST_PW_NODE LUMEN_TEST_PW_SINK \
                 LUMEN_SERVICES_DIR; do
          printf 'export %s=%s\n' "$k" "${!k}"
        done
      } >"$envfile"
      if [ -n "$parent" ]; then  # watchdog: stop the services when the test process dies
        dir=$LUMEN_SERVICES_DIR
        setsid bash -c "while kill -0 $parent 2>/dev/null; do sleep 0.5; done; \
          for p in \$(tac '$dir/pids' 2>/dev/null); do kill \$p 2>/dev/null; done; \
          sleep 0.3; for p in \$(tac '$dir/pids' 2>/dev/null); do kill -9 \$p 2>/dev/null; done; \
          rm -rf '$dir'" >/dev/null 2>&1 </dev/null &
      fi
      exit 0
      ;;
    --stop)
      envfile=${2:?--stop FILE}
      dir=$(sed -n 's/^export LUMEN_SERVICES_DIR=//p' "$envfile")
      _lumen_svc_stop_dir "$dir"
      exit 0
      ;;
    *)
      echo "usage: source $0 | $0 --env-file FILE [--parent-pid PID] | $0 --stop FILE" >&2
      exit 2
      ;;
  esac
fi
