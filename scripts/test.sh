#!/usr/bin/env bash
# Build everything and run every test. This is the README's test command and what CI runs.
#
#   scripts/test.sh            everything
#   scripts/test.sh --quick    skip the release build and the real-client tests
#
# Installs what it needs itself: the Cortex-M targets (rustup), a Python venv with the
# official MCP Python SDK (tests/python/run.sh). Each step prints its name; the first
# failing step stops the run and says which one failed.
set -uo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1

started=$(date +%s)
step() {
  local name=$1; shift
  printf '\n== %s\n' "$name"
  local t0; t0=$(date +%s)
  if ! "$@"; then
    printf '\nFAILED: %s (command: %s)\n' "$name" "$*" >&2
    exit 1
  fi
  printf -- '-- %s: ok (%ss)\n' "$name" "$(( $(date +%s) - t0 ))"
}

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "missing tool: $1 ($2)" >&2; exit 1; }
}
need cargo "install Rust with rustup"
need python3 "install Python 3.9 or newer"

targets=(thumbv6m-none-eabi thumbv7em-none-eabihf)
add_targets() {
  if command -v rustup >/dev/null 2>&1; then
    rustup target add "${targets[@]}" >/dev/null
  else
    echo "rustup not found: the Cortex-M builds need the targets ${targets[*]} installed" >&2
    return 1
  fi
}

thumb_builds() {
  local t
  for t in "${targets[@]}"; do
    cargo build -q -p picomcp --no-default-features --release --target "$t" || return 1
    echo "picomcp builds for $t"
  done
}

schema_note() {
  if [ -d ../shared/spec ]; then
    echo "official schemas found at ../shared/spec: every message in the Rust tests is schema-checked"
  else
    echo "../shared/spec not found: the Rust tests' schema checks are SKIPPED (the real-client tests still validate every result)"
  fi
}

step "schemas" schema_note
step "format" cargo fmt --all --check
step "clippy" cargo clippy -q --workspace --all-targets --all-features -- -D warnings
step "core without default features" cargo build -q -p picomcp --no-default-features
step "Cortex-M targets" add_targets
step "core for thumbv6m and thumbv7em" thumb_builds
step "no_std link proof" cargo build -q --manifest-path tests/no-std-link/Cargo.toml
step "docs" env RUSTDOCFLAGS=-Dwarnings cargo doc -q -p picomcp --no-deps --all-features
step "unit, protocol, transcript and allocation tests" cargo test -q --workspace --all-features
if [ "$quick" = 0 ]; then
  step "release build of the demo" cargo build -q --release -p picomcp-demo
  step "official Python SDK client against picomcp-demo (both eras)" tests/python/run.sh -q
fi
printf '\nall tests passed in %ss\n' "$(( $(date +%s) - started ))"
