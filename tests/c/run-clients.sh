#!/usr/bin/env bash
# Real-client test of the C demo server (examples/c/demo.c, built against the C API):
# builds it (examples/c/build.sh), then runs the official SDK client suites against it,
# exactly as against the Rust demo:
#
#   - the Python SDK suite (tests/python/run.sh) over stdio and Streamable HTTP, against
#     the statically linked demo and, over stdio, the one linked with libpicomcp.so;
#   - the TypeScript SDK suite (tests/ts/run.sh) over stdio and over HTTP.
#
#   tests/c/run-clients.sh            everything
#   tests/c/run-clients.sh --no-build use the demos already in target/c/
#
# The demo calls itself picomcp-c-demo (serverInfo.name) with the library's version; the
# TypeScript suite is told so (PICOMCP_DEMO_NAME, PICOMCP_DEMO_VERSION), the Python suite
# accepts any non-empty name. The first failing step stops the run and says which.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

build=1
case "${1:-}" in
    "") ;;
    --no-build) build=0 ;;
    *)
        echo "usage: tests/c/run-clients.sh [--no-build]" >&2
        exit 2
        ;;
esac

# Absolute paths: tests/ts/run.sh runs from tests/ts/.
static_demo="$repo/target/c/picomcp-c-demo"
shared_demo="$repo/target/c/picomcp-c-demo-shared"

step() {
    local name=$1
    shift
    printf '\n== %s\n' "$name" >&2
    if ! "$@"; then
        printf '\nrun-clients.sh: FAILED: %s\n' "$name" >&2
        exit 1
    fi
}

if [ "$build" = 1 ]; then
    step "build the C demo (examples/c/build.sh)" examples/c/build.sh
fi
for demo in "$static_demo" "$shared_demo"; do
    [ -x "$demo" ] || { echo "run-clients.sh: $demo is missing; run examples/c/build.sh" >&2; exit 1; }
done
version="$(sed -n 's/^#define PICOMCP_VERSION "\(.*\)"$/\1/p' include/picomcp.h)"

python_suite() {
    PICOMCP_DEMO_CMD="$1" PICOMCP_TRANSPORT="$2" tests/python/run.sh -q
}

ts_suite() {
    PICOMCP_DEMO_CMD="$1" PICOMCP_TRANSPORT="$2" PICOMCP_DEMO_NAME=picomcp-c-demo PICOMCP_DEMO_VERSION="$version" \
        tests/ts/run.sh
}

step "Python SDK suite, stdio and HTTP (static demo)" python_suite "$static_demo" both
step "Python SDK suite, stdio (shared-library demo)" python_suite "$shared_demo" stdio
step "TypeScript SDK suite, stdio (static demo)" ts_suite "$static_demo" stdio
step "TypeScript SDK suite, HTTP (static demo)" ts_suite "$static_demo" http
printf '\nrun-clients.sh: every client suite passed against the C demo\n' >&2
