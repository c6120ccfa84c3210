#!/bin/bash
# End-to-end: `lumen demo` runs the real pipeline (lumen-capture synthetic -> lumen-encode
# x264 -> lumen-transport -> reference client on 127.0.0.1) and must pass its own checks
# (no lost frames, every decoded picture's stamp matches). Then the same with lumen-encode
# SIGKILLed mid-run, and lumen-transport SIGKILLed mid-run: the supervisor restarts it, the
# stream goes on with an IDR, frames stay correct. Then 5% induced loss with FEC. Last,
# lumen framing (--framing=lumen: GF(2^16) block per frame + AEAD, adaptive FEC, sealed
# feedback) clean and with 5% loss. Small frames and 30 fps keep it quick on a 2-core machine.
set -u
LUMEN="${TEST_SRCDIR}/lumen/host/lumen/lumen"
COMMON=(--width=640 --height=360 --fps=30 --bitrate=2000)
fail=0

run() {
  local name="$1"; shift
  echo "=== ${name}: lumen demo $*"
  local out rc
  out="$("${LUMEN}" demo "$@" 2>&1)"
  rc=$?
  echo "${out}"
  if [[ ${rc} -ne 0 ]] || ! grep -q "RESULT: PASS" <<<"${out}"; then
    echo "FAILED: ${name} (exit ${rc})"
    fail=1
    return 1
  fi
  LAST_OUT="${out}"
  return 0
}

run clean --seconds=3 "${COMMON[@]}"

if run encoder_crash --seconds=5 "${COMMON[@]}" --kill-encoder-at=2; then
  if ! grep -q "restarts: capture 0, encode 1, transport 0" <<<"${LAST_OUT}"; then
    echo "FAILED: encoder_crash: expected exactly one encoder restart"
    fail=1
  fi
fi

if run transport_crash --seconds=5 "${COMMON[@]}" --kill-transport-at=2; then
  if ! grep -q "restarts: capture 0, encode 0, transport 1" <<<"${LAST_OUT}"; then
    echo "FAILED: transport_crash: expected exactly one transport restart"
    fail=1
  fi
fi

if run loss --seconds=3 "${COMMON[@]}" --loss=5% --fec=50 --max-lost=10; then
  if grep -q "FEC: 0 frames recovered" <<<"${LAST_OUT}"; then
    echo "FAILED: loss: FEC recovered nothing under 5% loss"
    fail=1
  fi
fi

if run lumen_clean --seconds=3 "${COMMON[@]}" --framing=lumen; then
  if ! grep -q "lost 0, wrong pixels 0" <<<"${LAST_OUT}" ||
     grep -q "lumen feedback: 0 loss reports" <<<"${LAST_OUT}"; then
    echo "FAILED: lumen_clean: expected no loss and the client's loss reports"
    fail=1
  fi
fi

if run lumen_loss --seconds=3 "${COMMON[@]}" --framing=lumen --loss=5% --fec=50 --max-lost=10; then
  if grep -q "FEC: 0 frames recovered" <<<"${LAST_OUT}"; then
    echo "FAILED: lumen_loss: FEC recovered nothing under 5% loss"
    fail=1
  fi
fi

exit ${fail}
