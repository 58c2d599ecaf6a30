#!/usr/bin/env bash
# Real-client test of a demo server: the official MCP TypeScript SDK clients
# (@modelcontextprotocol/sdk 1.x on 2025-11-25, @modelcontextprotocol/client 2.x on
# 2026-07-28 and on 2025-11-25) drive it and check every answer against
# docs/demo-contract.md. Runs with Node's built-in test runner (node:test).
#
#   tests/ts/run.sh [node --test args...]      e.g. --test-name-pattern=echo
#
# Environment:
#   PICOMCP_TRANSPORT     stdio (default) or http
#   PICOMCP_DEMO_CMD      the server command (shell words); by default
#                         <repo>/target/release/picomcp-demo
#   PICOMCP_DEMO_URL      http only: the server's MCP endpoint, e.g.
#                         http://127.0.0.1:8080/mcp; when unset, the tests start
#                         PICOMCP_DEMO_CMD plus PICOMCP_DEMO_HTTP_ARGS (default
#                         "--http 127.0.0.1:{port}", {port} a free port) themselves
#   PICOMCP_TS_CLIENTS    comma-separated subset of: v1, v2, v2-legacy
#   PICOMCP_DEMO_NAME, PICOMCP_DEMO_VERSION
#                         the serverInfo to expect (default: picomcp-demo and the
#                         workspace version for the Rust demo; any non-empty value
#                         for a PICOMCP_DEMO_CMD or PICOMCP_DEMO_URL server)
#
# The pinned packages (package-lock.json) are installed into tests/ts/node_modules
# with `npm ci` when missing or when the lockfile changed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

fail() {
    echo "run.sh: $*" >&2
    exit 1
}

transport="${PICOMCP_TRANSPORT:-stdio}"
case "$transport" in
    stdio | http) ;;
    *) fail "PICOMCP_TRANSPORT must be stdio or http, not '$transport'" ;;
esac

if [ -z "${PICOMCP_DEMO_CMD:-}" ] && ! { [ "$transport" = http ] && [ -n "${PICOMCP_DEMO_URL:-}" ]; }; then
    default_bin="$repo/target/release/picomcp-demo"
    if [ ! -x "$default_bin" ]; then
        fail "the demo server $default_bin does not exist; build it first with
    cargo build --release -p picomcp-demo
or point PICOMCP_DEMO_CMD at another demo server command."
    fi
fi

command -v node >/dev/null 2>&1 || fail "node is not on PATH (Node.js 20 or newer is needed)"
command -v npm >/dev/null 2>&1 || fail "npm is not on PATH"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 20 ] || fail "Node.js $(node --version) is too old: 20 or newer is needed"

# Install when node_modules is missing or the lockfile (or, without one, package.json)
# changed since the last install.
cd "$here"
if [ -f package-lock.json ]; then
    lock=package-lock.json
    install=(npm ci --no-audit --no-fund --loglevel=error)
else
    lock=package.json
    install=(npm install --no-audit --no-fund --loglevel=error)
fi
stamp="node_modules/.picomcp-tests-lock.sha256"
wanted="$(sha256sum "$lock" | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "run.sh: installing the pinned packages into $here/node_modules (${install[*]})" >&2
    "${install[@]}" >&2 || fail "'${install[*]}' failed in $here"
    echo "$wanted" >"$stamp"
fi

# The same check the tests make (PICOMCP_DEMO_CMD must name an executable), stated once.
node --input-type=module -e '
    const { missingServerMessage } = await import("./harness.mjs");
    const message = missingServerMessage();
    if (message) { console.error(`run.sh: ${message}`); process.exit(2); }
' || exit 2

echo "run.sh: transport $transport; server ${PICOMCP_DEMO_URL:-${PICOMCP_DEMO_CMD:-$repo/target/release/picomcp-demo}}" >&2
status=0
node --test --test-reporter=spec --test-concurrency=1 "$@" test/*.test.mjs || status=$?
if [ "$status" -ne 0 ]; then
    echo "run.sh: the demo-server TypeScript client tests failed (node --test exit status $status)" >&2
fi
exit "$status"
