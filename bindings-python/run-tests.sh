#!/usr/bin/env bash
# The Python binding's tests, in one command: bindings-python/run-tests.sh
#
#   1. a venv at <repo>/.venv-python-binding/ (created when missing), with picomcp
#      installed the way users install it (`pip install ./bindings-python`, rebuilt when
#      its sources, the engine's or the core's changed) and the pinned test tools
#      (bindings-python/requirements-test.txt);
#   2. the pytest suite of the binding (bindings-python/tests; its scoped-access and
#      bearer-token tests, tests/test_access.py, drive the server with the official
#      Python SDK client, installed into the venv unless --no-clients);
#   3. mypy.stubtest: the hand-written stubs match the module;
#   4. the official Python SDK client suite (tests/python/run.sh) against the Python demo
#      (examples/python/demo.py) over stdio and Streamable HTTP;
#   5. the TypeScript SDK client suite (tests/ts/run.sh) against it over stdio, then HTTP.
#
# Each step prints a header; the first failing step stops the run and says which.
#
#   bindings-python/run-tests.sh               everything
#   bindings-python/run-tests.sh --no-clients  steps 1-3 only (no SDK client suites; the
#                                              SDK-driven pytest cases skip themselves when
#                                              the SDK is not in the venv)
#   bindings-python/run-tests.sh --venv-only   step 1 only (bench/run.sh uses this)
#   bindings-python/run-tests.sh --with-sdk    also install the official Python SDK (mcp,
#                                              pinned by tests/python/requirements.txt)
#                                              into the venv, for the benchmark rows
#
# Environment: PYTHON, the interpreter the venv is made from (default python3, 3.9 or
# newer); extra arguments after `--` go to the binding's pytest run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
venv="$repo/.venv-python-binding"
vpy="$venv/bin/python"
python="${PYTHON:-python3}"

clients=1
venv_only=0
with_sdk=0
pytest_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-clients) clients=0 ;;
        --venv-only) venv_only=1 ;;
        --with-sdk) with_sdk=1 ;;
        --) shift; pytest_args=("$@"); break ;;
        -h | --help)
            sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"
            exit 0
            ;;
        *)
            echo "run-tests.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
    shift
done

# A full run drives the binding's own tests with the official SDK client too.
[ "$clients" = 0 ] || [ "$venv_only" = 1 ] || with_sdk=1

# say, fail, step and client_suites.
# shellcheck source=../scripts/binding-steps.sh
. "$repo/scripts/binding-steps.sh"

# ------------------------------------------------------------------------ 1. the venv

pip_install() {
    "$vpy" -m pip install --quiet --disable-pip-version-check "$@"
}

# A hash of everything the installed picomcp is built from.
source_hash() {
    (
        cd "$repo"
        find bindings-python bindings-engine core Cargo.toml Cargo.lock -type f \
            -not -path '*/__pycache__/*' -not -path '*/target/*' -not -path '*/.pytest_cache/*' \
            -not -path 'bindings-python/tests/*' -not -name '*.pyc' -print0 \
            | LC_ALL=C sort -z | xargs -0 sha256sum
    ) | sha256sum | cut -d' ' -f1
}

make_venv() {
    if [ ! -x "$vpy" ]; then
        say "creating the venv $venv (from $python)"
        if ! "$python" -m venv "$venv" 2>/dev/null; then
            # Debian splits venv out of python3: install it when we can.
            rm -rf "$venv"
            local sudo=""
            [ "$(id -u)" = 0 ] || sudo="sudo"
            if command -v apt-get >/dev/null 2>&1 && { [ -z "$sudo" ] || command -v sudo >/dev/null 2>&1; }; then
                say "'$python -m venv' failed; installing python3-venv with apt-get"
                $sudo apt-get install -y python3-venv >&2 || { $sudo apt-get update >&2 && $sudo apt-get install -y python3-venv >&2; }
            fi
            "$python" -m venv "$venv" || { say "could not create a venv with '$python -m venv' (on Debian: apt-get install python3-venv)"; return 1; }
        fi
    fi

    local requirements="$here/requirements-test.txt"
    local stamp="$venv/.picomcp-test-requirements.sha256"
    local wanted
    wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        say "installing the test tools ($requirements)"
        pip_install -r "$requirements" || { say "pip could not install $requirements"; return 1; }
        echo "$wanted" >"$stamp"
    fi

    if [ "$with_sdk" = 1 ]; then
        local sdk_requirements="$repo/tests/python/requirements.txt"
        local sdk_stamp="$venv/.picomcp-sdk-requirements.sha256"
        wanted="$(sha256sum "$sdk_requirements" | cut -d' ' -f1)"
        if [ ! -f "$sdk_stamp" ] || [ "$(cat "$sdk_stamp")" != "$wanted" ]; then
            say "installing the official Python SDK ($sdk_requirements)"
            pip_install -r "$sdk_requirements" || { say "pip could not install $sdk_requirements"; return 1; }
            echo "$wanted" >"$sdk_stamp"
        fi
    fi

    # picomcp, as users install it; rebuilt only when its sources (or the core's) changed.
    local built="$venv/.picomcp-sources.sha256"
    wanted="$(source_hash)"
    if [ ! -f "$built" ] || [ "$(cat "$built")" != "$wanted" ] || ! "$vpy" -c 'import picomcp' 2>/dev/null; then
        say "building and installing picomcp (pip install ./bindings-python; the first build takes a minute)"
        rm -f "$built"
        (cd "$repo" && pip_install --force-reinstall --no-deps ./bindings-python) \
            || { say "'pip install ./bindings-python' failed (its output is above)"; return 1; }
        # Its own dependencies, if it declares any (already there: pip does nothing).
        (cd "$repo" && pip_install ./bindings-python) || { say "'pip install ./bindings-python' failed"; return 1; }
        echo "$wanted" >"$built"
    fi
    "$vpy" -c 'import picomcp, sys; print(f"picomcp {picomcp.__version__} on Python {sys.version.split()[0]} in", sys.prefix)' >&2
}

step "venv $venv with picomcp (pip install ./bindings-python) and the test tools" \
    "see the pip or cargo output above" make_venv
[ "$venv_only" = 0 ] || exit 0

cd "$repo"

# ------------------------------------------------------------------------ 2. pytest

step "pytest bindings-python/tests" "a binding test failed (pytest's summary is above)" \
    "$vpy" -m pytest "$repo/bindings-python/tests" "${pytest_args[@]}"

# ------------------------------------------------------------------------ 3. stubtest

stubtest() {
    local allowlist="$here/stubtest-allowlist.txt"
    local args=(picomcp)
    [ ! -f "$allowlist" ] || args+=(--allowlist "$allowlist")
    # Run outside the repository so `picomcp` is the installed package, not a source tree.
    (cd "$venv" && "$vpy" -m mypy.stubtest "${args[@]}")
}
step "mypy.stubtest picomcp (the .pyi stubs match the module)" \
    "a stub says something the module does not do, or misses something it does (listed above)" stubtest

[ "$clients" = 1 ] || { printf '\nrun-tests.sh: the binding tests passed (client suites skipped: --no-clients)\n' >&2; exit 0; }

# ------------------------------------------------------------------------ 4, 5. client suites

# Absolute paths: tests/ts/run.sh runs from tests/ts/. Shell words, quoted for both suites.
demo_cmd="$(printf '%q %q' "$vpy" "$repo/examples/python/demo.py")"
demo_version="$("$vpy" -c 'import picomcp; print(picomcp.__version__)')"

client_suites Python examples/python/demo.py picomcp-python-demo "$demo_version" "$demo_cmd"

printf '\nrun-tests.sh: every step passed: the binding tests, stubtest, and both SDK client suites against the Python demo\n' >&2
