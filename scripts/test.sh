#!/usr/bin/env bash
# Build everything and run every test. This is the README's test command and what CI runs.
#
#   scripts/test.sh            everything
#   scripts/test.sh --quick    skip the release build and the real-client tests (host and QEMU)
#
# Installs what it needs itself: the Cortex-M targets (rustup), QEMU and the ARM binutils
# (apt-get, scripts/embedded/setup.sh), a Python venv with the official MCP Python SDK
# (tests/python/run.sh), the TypeScript SDK clients (npm, tests/ts/run.sh) and the
# official conformance suite at its pinned version (npm, scripts/conformance.sh), and
# valgrind for the C tests (apt-get, tests/c/run.sh), a venv with the Python binding
# built from source (pip, bindings-python/run-tests.sh), and the Node binding built from
# source with its dev tools (npm, bindings-node/run-tests.sh), and a nightly toolchain with
# cargo-fuzz for the fuzz corpus replay and the sanitizer builds (rustup, cargo install). Each
# step prints its name; the first failing step stops the run and says which one failed.
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
need node "install Node.js 20 or newer (with npm)"
need npm "install npm (it comes with Node.js)"

targets=(thumbv6m-none-eabi thumbv7em-none-eabihf)

firmware_builds() {
  local t
  for t in "${targets[@]}"; do
    (cd examples/firmware && cargo fmt --check && cargo clippy -q --release --target "$t" -- -D warnings &&
      cargo build -q --release --target "$t") || return 1
    echo "picomcp-firmware and board-only build for $t"
  done
}

# The whole Python SDK client suite against the firmware under QEMU: $1 target, $2 board.
# The limits match LINE_BYTES and IN_FLIGHT in examples/firmware/src/main.rs.
firmware_suite() {
  PICOMCP_QEMU_MACHINE="$2" PICOMCP_MAX_LINE=4096 PICOMCP_INFLIGHT=4 \
    PICOMCP_DEMO_CMD="scripts/embedded/qemu-run.sh examples/firmware/target/$1/release/picomcp-firmware" \
    tests/python/run.sh -q
}

# The official conformance suite against the fixture on a free loopback port: the scored
# scenarios of both revisions, the pending suite and the tasks extension.
conformance() {
  local log pid url="" status=0
  log=$(mktemp)
  target/release/picomcp-conformance --listen 127.0.0.1:0 2>"$log" &
  pid=$!
  for _ in $(seq 100); do
    url=$(grep -o 'http://[^ ]*/mcp' "$log" | head -n 1)
    [ -n "$url" ] && break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    echo "picomcp-conformance did not start:" >&2
    cat "$log" >&2
    kill "$pid" 2>/dev/null
    return 1
  fi
  scripts/conformance.sh "$url" || status=1
  scripts/conformance.sh --suite pending "$url" || status=1
  scripts/conformance.sh --tasks "$url" || status=1
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -f "$log"
  return "$status"
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
step "Cortex-M toolchain and QEMU" scripts/embedded/setup.sh
step "core for thumbv6m and thumbv7em" thumb_builds
step "firmware for thumbv6m and thumbv7em" firmware_builds
step "no_std link proof" cargo build -q --manifest-path tests/no-std-link/Cargo.toml
step "docs" env RUSTDOCFLAGS=-Dwarnings cargo doc -q -p picomcp --no-deps --all-features
step "unit, protocol, transcript and allocation tests" cargo test -q --workspace --all-features
if [ "$quick" = 0 ]; then
  step "release build of the demo and the conformance fixture" \
    cargo build -q --release -p picomcp-demo -p picomcp-conformance
  step "official Python SDK client against picomcp-demo (stdio and Streamable HTTP, both eras)" tests/python/run.sh -q
  step "official TypeScript SDK clients against picomcp-demo over stdio (1.x legacy, 2.x 2026-07-28)" tests/ts/run.sh
  step "official TypeScript SDK clients against picomcp-demo over Streamable HTTP" \
    env PICOMCP_TRANSPORT=http tests/ts/run.sh
  step "official conformance suite against picomcp-conformance (both revisions, pending, tasks)" conformance
  step "fuzz targets replay their committed seed corpus (cargo-fuzz on nightly)" scripts/fuzz.sh --replay
  step "C ABI: header check, C API tests (plain, valgrind, ASan+UBSan, shared library, ASan-built Rust), no_std link" \
    tests/c/run.sh
  step "official Python and TypeScript SDK clients against the C demo (stdio and Streamable HTTP)" tests/c/run-clients.sh
  step "Python binding: pip install, pytest, stubtest, the SDK clients against the Python demo" \
    bindings-python/run-tests.sh
  step "Node binding: build, generated-file drift, tsc, node --test, the SDK clients against the Node demo" \
    bindings-node/run-tests.sh
  step "official Python SDK client against the firmware in QEMU (mps2-an386, thumbv7em)" \
    firmware_suite thumbv7em-none-eabihf mps2-an386
  step "official Python SDK client against the firmware in QEMU (mps2-an385, thumbv6m)" \
    firmware_suite thumbv6m-none-eabi mps2-an385
  step "firmware footprint within the targets (thumbv6m: flash ≤ 48 KiB, RAM + stack ≤ 12 KiB)" scripts/footprint.sh --check
fi
printf '\nall tests passed in %ss\n' "$(( $(date +%s) - started ))"
