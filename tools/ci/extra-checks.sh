#!/usr/bin/env bash
# tools/ci/extra-checks.sh — the checks CI runs after `bazel test //...`:
#   1. bazel test --config=asan  //core/...
#   2. bazel test --config=ubsan //core/...
#   3. bazel build --config=fuzz (clang-14 + libFuzzer) of every fuzz target in
#      //tools/fuzz, then each target runs for FUZZ_SECONDS (default 20) from a
#      scratch copy of its seed corpus.
# Bazel prints its own per-target lines for 1 and 2; for 3 this script prints
# lines in the same shape (`//tools/fuzz:x   PASSED in 20s of fuzzing ...`,
# `//tools/fuzz:x   FAILED ...`) so .ci/run's `^//target +PASSED|FAILED` count
# includes them. Exit status: 0 only if every step passed.
#
# Environment: FUZZ_SECONDS (default 20); BAZEL_STARTUP (extra bazel startup
# options, e.g. --output_base=... for a private run; CI leaves it empty);
# SKIP_SANITIZERS=1 runs only the fuzz step (local use).
set -uo pipefail
cd "$(dirname "$0")/../.."

FUZZ_SECONDS=${FUZZ_SECONDS:-20}
# shellcheck disable=SC2206
BAZEL=(bazel ${BAZEL_STARTUP:-})
status=0

step() { echo; echo "== extra-checks: $* =="; }

if [ "${SKIP_SANITIZERS:-0}" != 1 ]; then
  step "AddressSanitizer: bazel test --config=asan //core/..."
  "${BAZEL[@]}" test --config=asan --test_summary=short --nocache_test_results //core/... || status=1

  step "UndefinedBehaviorSanitizer: bazel test --config=ubsan //core/..."
  "${BAZEL[@]}" test --config=ubsan --test_summary=short --nocache_test_results //core/... || status=1
fi

step "libFuzzer (clang-14): bazel build --config=fuzz //tools/fuzz/..."
mapfile -t targets < <("${BAZEL[@]}" query 'attr(name, "_fuzz$", kind("cc_binary", //tools/fuzz:all))' 2>/dev/null)
if [ "${#targets[@]}" = 0 ]; then
  echo "//tools/fuzz:all   FAILED TO BUILD (no fuzz targets found)"
  exit 1
fi
if ! "${BAZEL[@]}" build --config=fuzz "${targets[@]}"; then
  for t in "${targets[@]}"; do echo "$t   FAILED TO BUILD (--config=fuzz)"; done
  exit 1
fi
bin=$("${BAZEL[@]}" info --config=fuzz bazel-bin 2>/dev/null)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in "${targets[@]}"; do
  name=${t##*:}
  exe="$bin/tools/fuzz/$name"
  corpus="$scratch/$name"
  mkdir -p "$corpus" "$scratch/artifacts-$name"
  seeds="tools/fuzz/corpus/${name%_fuzz}"
  [ -d "$seeds" ] && cp -r "$seeds/." "$corpus/"
  log="$scratch/$name.log"
  if "$exe" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$scratch/artifacts-$name/" "$corpus" >"$log" 2>&1; then
    echo "$t   PASSED in ${FUZZ_SECONDS}s of fuzzing ($(grep -o 'Done [0-9]* runs' "$log" | tail -1))"
  else
    status=1
    echo "----- $t: last lines of the libFuzzer log -----"
    tail -n 40 "$log"
    for a in "$scratch/artifacts-$name"/*; do
      [ -f "$a" ] && echo "crash input (base64): $(base64 -w0 "$a")"
    done
    echo "$t   FAILED after libFuzzer found a crash (fuzz ${FUZZ_SECONDS}s)"
  fi
done
exit $status
