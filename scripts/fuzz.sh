#!/usr/bin/env bash
# Fuzz the core with cargo-fuzz (libFuzzer, nightly Rust). See fuzz/README.md.
#
#   scripts/fuzz.sh --replay                   run every committed seed of every target
#                                              once (fast; part of the tests)
#   scripts/fuzz.sh --minutes N [TARGET...]    fuzz each target (default: all) for N
#                                              minutes, one after the other, one job each
#
# Installs what it needs: the nightly toolchain (rustup) and cargo-fuzz (cargo install).
# Fuzzing grows a copy of the seeds under fuzz/target/corpus/<target>/ (never the
# committed fuzz/corpus/); crashes land in fuzz/artifacts/<target>/ and logs in
# fuzz/target/logs/. Prints per target the runs executed and whether anything was found;
# exits non-zero when a target fails, saying why.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
fuzz="$root/fuzz"
TARGETS=(json jsonrpc framing http_request session http_session)

usage() {
  echo "usage: $0 --replay" >&2
  echo "       $0 --minutes N [TARGET...]   (targets: ${TARGETS[*]})" >&2
  exit 2
}

die() {
  echo "fuzz: $*" >&2
  exit 1
}

mode= minutes= chosen=()
case "${1:-}" in
  --replay) mode=replay; shift; [ $# -eq 0 ] || usage ;;
  --minutes)
    mode=run; minutes=${2:-}; shift 2 || usage
    [[ "$minutes" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "--minutes wants a number, got '${minutes}'"
    chosen=("$@") ;;
  *) usage ;;
esac
[ ${#chosen[@]} -gt 0 ] || chosen=("${TARGETS[@]}")
for t in "${chosen[@]}"; do
  [[ " ${TARGETS[*]} " == *" $t "* ]] || die "unknown target '$t' (targets: ${TARGETS[*]})"
done

# --- tools ------------------------------------------------------------------------------
command -v rustup >/dev/null || die "rustup is needed (to install the nightly toolchain cargo-fuzz builds with)"
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz: installing the nightly toolchain (rustup toolchain install nightly)"
  rustup toolchain install nightly --profile minimal >/dev/null || die "could not install the nightly toolchain"
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz (cargo install cargo-fuzz --locked)"
  cargo install cargo-fuzz --locked >/dev/null 2>&1 || die "could not install cargo-fuzz (cargo install cargo-fuzz --locked)"
fi

# --- build ------------------------------------------------------------------------------
cd "$fuzz" || die "no fuzz/ directory"
mkdir -p target/logs
echo "fuzz: building the targets (cargo +nightly fuzz build)"
if ! cargo +nightly fuzz build >target/logs/build.log 2>&1; then
  tail -n 30 target/logs/build.log >&2
  die "the fuzz targets do not build (log: fuzz/target/logs/build.log)"
fi
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
bin="$fuzz/target/$host/release"

# --- replay -----------------------------------------------------------------------------
if [ "$mode" = replay ]; then
  failed=0 inputs=0
  for t in "${chosen[@]}"; do
    seeds=("$fuzz/corpus/$t"/*)
    [ -e "${seeds[0]}" ] || { echo "replay $t: FAILED: no seeds in fuzz/corpus/$t"; failed=$((failed + 1)); continue; }
    log="target/logs/replay-$t.log"
    # Files, not a directory: libFuzzer runs each once and writes nothing.
    if "$bin/$t" -runs=1 "${seeds[@]}" >"$log" 2>&1; then
      echo "replay $t: ${#seeds[@]} inputs, ok"
      inputs=$((inputs + ${#seeds[@]}))
    else
      echo "replay $t: FAILED (log: fuzz/$log)"
      grep -E "panicked at|ERROR: libFuzzer|SUMMARY" "$log" | head -n 5 | sed 's/^/  /'
      failed=$((failed + 1))
    fi
  done
  if [ "$failed" -gt 0 ]; then
    die "replay failed for $failed of ${#chosen[@]} targets"
  fi
  echo "fuzz replay: all ${#chosen[@]} targets ok ($inputs inputs)"
  exit 0
fi

# --- fuzz -------------------------------------------------------------------------------
seconds=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60 + 0.5); print (s < 1 ? 1 : s) }')
found=0
printf '%-14s %8s %14s  %s\n' target seconds runs result
for t in "${chosen[@]}"; do
  corpus="target/corpus/$t"
  mkdir -p "$corpus" "artifacts/$t"
  log="target/logs/$t.log"
  # The grown corpus comes first (libFuzzer writes new inputs there); the seeds are read.
  t0=$(date +%s)
  cargo +nightly fuzz run "$t" "$corpus" "corpus/$t" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1
  status=$?
  took=$(( $(date +%s) - t0 ))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  [ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
  if [ $status -eq 0 ]; then
    result="nothing found"
  else
    found=$((found + 1))
    artifact=$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)
    result="FOUND (exit $status): ${artifact:-see fuzz/$log}"
  fi
  printf '%-14s %8s %14s  %s\n' "$t" "$took" "${runs:-?}" "$result"
  if [ $status -ne 0 ]; then
    grep -E "panicked at|ERROR: libFuzzer" "$log" | head -n 3 | sed 's/^/  /'
  fi
done
if [ "$found" -gt 0 ]; then
  die "$found target(s) found a problem: reproduce with 'cargo +nightly fuzz run TARGET ARTIFACT' in fuzz/"
fi
echo "fuzz: nothing found"
