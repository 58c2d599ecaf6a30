#!/usr/bin/env bash
# Real-client test of a demo server: the official MCP Python SDK client drives it
# over stdio and checks every answer against docs/demo-contract.md.
#
#   tests/python/run.sh [pytest args...]
#
# The server command is PICOMCP_DEMO_CMD (a shell-words string), by default
# <repo>/target/release/picomcp-demo. A venv is kept at <repo>/.venv and the
# pinned requirements are installed into it when missing or changed.
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

if [ -z "${PICOMCP_DEMO_CMD:-}" ]; then
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
