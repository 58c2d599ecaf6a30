#!/usr/bin/env bash
# Real-client test of a demo server: the official MCP Python SDK client drives it
# over stdio and Streamable HTTP and checks every answer against docs/demo-contract.md.
#
#   tests/python/run.sh [pytest args...]        e.g. -k echo, -q
#
# Environment:
#   PICOMCP_TRANSPORT      stdio, http or both. Default both; but stdio when
#                          PICOMCP_DEMO_CMD is set and PICOMCP_DEMO_URL is not (such a
#                          server, e.g. the firmware under QEMU, need not serve HTTP)
#   PICOMCP_DEMO_CMD       the server command (shell words); by default
#                          <repo>/target/release/picomcp-demo
#   PICOMCP_DEMO_URL       http: the MCP endpoint of a server someone else started, e.g.
#                          http://127.0.0.1:8080/mcp; when unset, the tests start
#                          PICOMCP_DEMO_CMD plus PICOMCP_DEMO_HTTP_ARGS (default
#                          "--http 127.0.0.1:{port}", {port} a free port) for the run
#   PICOMCP_MAX_LINE, PICOMCP_INFLIGHT
#                          the stdio robustness limits (see test_robustness.py)
#
# A venv is kept at <repo>/.venv and the pinned requirements are installed into it
# when missing or changed.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$repo/.venv"
requirements="$here/requirements.txt"
python="${PYTHON:-python3}"

fail() {
    echo "run.sh: $*" >&2
    exit 1
}

if [ -z "${PICOMCP_DEMO_CMD:-}" ] && ! { [ "${PICOMCP_TRANSPORT:-}" = http ] && [ -n "${PICOMCP_DEMO_URL:-}" ]; }; then
    default_bin="$repo/target/release/picomcp-demo"
    if [ ! -x "$default_bin" ]; then
        fail "the demo server $default_bin does not exist; build it first with
    cargo build --release -p picomcp-demo
or point PICOMCP_DEMO_CMD at another demo server command."
    fi
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "run.sh: creating the venv $venv" >&2
    if ! "$python" -m venv "$venv" 2>/dev/null; then
        # Debian splits venv out of python3: install it when we can.
        rm -rf "$venv"
        sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo"
        if command -v apt-get >/dev/null 2>&1 && { [ -z "$sudo" ] || command -v sudo >/dev/null 2>&1; }; then
            echo "run.sh: '$python -m venv' failed; installing python3-venv with apt-get" >&2
            $sudo apt-get install -y python3-venv >&2 || { $sudo apt-get update >&2 && $sudo apt-get install -y python3-venv >&2; }
        fi
        "$python" -m venv "$venv" || fail "could not create a venv with '$python -m venv' (on Debian: apt-get install python3-venv)"
    fi
fi

stamp="$venv/.picomcp-tests-requirements.sha256"
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    echo "run.sh: installing $requirements into $venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" \
        || fail "pip could not install $requirements"
    echo "$wanted" >"$stamp"
fi

cd "$repo"
status=0
"$venv/bin/python" -m pytest "$here" "$@" || status=$?
if [ "$status" -ne 0 ]; then
    echo "run.sh: the demo-server client tests failed (pytest exit status $status)" >&2
fi
exit "$status"
