#!/usr/bin/env bash
# The load-and-soak run: bench/soak.sh [--server rust|c|python|node|'COMMAND LINE'] [--append]
#
# For each server (default: the Rust demo, target/release/picomcp-demo):
#   1. stdio soak: 1 000 000 `tools/call echo` pipelined at most 64 in flight (the demos'
#      capacity), the server's VmRSS/VmHWM sampled at the start (after the handshake and a
#      10 000-request warm-up), every 100 000 requests and at the end; requests/s, errors,
#      and whether the RSS stayed flat;
#   2. HTTP load: the same server with `--http 127.0.0.1:<port>`, 200 keep-alive clients
#      sending echo requests back to back for 10 s (2026-07-28 wire); requests, errors,
#      requests/s, p50/p99/max latency.
# It builds what it needs (the driver, bench/soak/; the demo asked for), prints the
# report, saves it to results/soak.md, and exits 1 when a server crashed, hung, exited
# uncleanly, gave any wrong reply, or its stdio RSS grew. It is a benchmark, not a
# test: no timing decides anything. See bench/README.md, "Load and soak".
#
# Options:
#   --server S   rust, c, python, node (comma-separated or repeated), or a command line
#                (split on whitespace; it must serve stdio, and HTTP with --http HOST:PORT)
#   --append     add to results/soak.md (SOAK_OUT) instead of replacing it
#   -- ARGS      passed on to the driver (target/release/soak-driver --help)
#
# Environment (defaults in parentheses):
#   SOAK_REQUESTS (1000000)  SOAK_WINDOW (64)  SOAK_WARMUP (10000)  SOAK_SAMPLE_EVERY (100000)
#   SOAK_RSS_MARGIN (5, %)  SOAK_RSS_MARGIN_KIB (1024)  SOAK_STALL (30, s)
#   SOAK_CLIENTS (200)  SOAK_SECONDS (10)  SOAK_HTTP_WARMUP (1, s)  SOAK_WIRE (2026-07-28)
#   SOAK_STDIO (1; 0 skips the stdio soak)  SOAK_HTTP (1; 0 skips the HTTP load)
#   SOAK_SERVER (rust)  SOAK_BUILD (1; 0 builds no demo)  SOAK_OUT (results/soak.md)
#   BENCH_PIN (1; 0 runs unpinned)  BENCH_CPU (0: driver and stdio server; the HTTP
#   server runs on the next CPU)
set -euo pipefail

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$bench_dir/.." && pwd)"
cd "$bench_dir"
started=$SECONDS

servers=()
append=0
driver_extra=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --server)
            [[ $# -ge 2 ]] || { echo "soak.sh: --server needs a value" >&2; exit 2; }
            servers+=("$2")
            shift
            ;;
        --server=*) servers+=("${1#--server=}") ;;
        --append) append=1 ;;
        --) shift; driver_extra=("$@"); break ;;
        -h | --help)
            sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"
            exit 0
            ;;
        *)
            echo "soak.sh: unknown argument '$1' (see --help)" >&2
            exit 2
            ;;
    esac
    shift
done
[[ ${#servers[@]} -gt 0 ]] || servers=("${SOAK_SERVER:-rust}")
# Names may come comma-separated; a command line (with a space or a slash) is kept whole.
wanted=()
for s in "${servers[@]}"; do
    if [[ "$s" == *" "* || "$s" == */* ]]; then
        wanted+=("$s")
    else
        IFS=',' read -r -a words <<<"$s"
        wanted+=("${words[@]}")
    fi
done

note() { echo "note: $*" >&2; }

echo "== building the soak driver (cargo build --release -p bench-soak in bench/)" >&2
cargo build --release -p bench-soak >&2

# Resolves server $1 to a label and a command line (the arrays label/cmd), building it
# when SOAK_BUILD=1. Returns 1 when it cannot be run.
label=""
cmd=()
prepare() {
    local build="${SOAK_BUILD:-1}"
    case "$1" in
        rust)
            label="picomcp-demo (Rust)"
            cmd=("$repo_root/target/release/picomcp-demo")
            if [[ "$build" == 1 ]]; then
                echo "== building the Rust demo (cargo build --release -p picomcp-demo)" >&2
                (cd "$repo_root" && cargo build --release -p picomcp-demo >&2) ||
                    note "picomcp-demo did not build; an older build is used if there is one"
            fi
            ;;
        c)
            label="picomcp-c-demo (C)"
            cmd=("$repo_root/target/c/picomcp-c-demo")
            if [[ "$build" == 1 ]]; then
                echo "== building the C demo (examples/c/build.sh)" >&2
                (cd "$repo_root" && examples/c/build.sh >/dev/null) ||
                    note "the C demo did not build; an older build is used if there is one"
            fi
            ;;
        python)
            label="picomcp-python-demo (Python binding)"
            cmd=("$repo_root/.venv-python-binding/bin/python" "$repo_root/examples/python/demo.py")
            if [[ "$build" == 1 ]]; then
                echo "== preparing the Python binding's venv (bindings-python/run-tests.sh --venv-only)" >&2
                "$repo_root/bindings-python/run-tests.sh" --venv-only >/dev/null ||
                    note "the Python binding's venv could not be prepared; an older one is used if there is one"
            fi
            if ! "${cmd[0]}" -c 'import picomcp' 2>/dev/null; then
                note "python: picomcp does not import in .venv-python-binding (bindings-python/run-tests.sh --venv-only makes it)"
                return 1
            fi
            ;;
        node)
            label="picomcp-node-demo (Node binding)"
            if ! command -v node >/dev/null; then
                note "node: Node.js is not installed"
                return 1
            fi
            cmd=("$(command -v node)" "$repo_root/examples/node/demo.js")
            if [[ "$build" == 1 ]] && ! (cd "$repo_root" && node -e 'require("picomcp")' 2>/dev/null); then
                echo "== building and linking the Node binding (npm install ./bindings-node at the repository root)" >&2
                (cd "$repo_root" && npm install --no-audit --no-fund --loglevel=error ./bindings-node >&2) ||
                    note "npm install ./bindings-node failed"
            fi
            if ! (cd "$repo_root" && node -e 'require("picomcp")' 2>/dev/null); then
                note "node: picomcp does not load (npm install ./bindings-node at the repository root builds and links it)"
                return 1
            fi
            ;;
        *)
            label="$1"
            read -r -a cmd <<<"$1"
            ;;
    esac
    local program="${cmd[0]}"
    if [[ "$program" == */* ]] && [[ ! -x "$program" ]]; then
        note "$label: $program does not exist"
        return 1
    elif [[ "$program" != */* ]] && ! command -v "$program" >/dev/null; then
        note "$label: $program is not on PATH"
        return 1
    fi
}

driver_args=(
    --requests "${SOAK_REQUESTS:-1000000}"
    --window "${SOAK_WINDOW:-64}"
    --warmup "${SOAK_WARMUP:-10000}"
    --sample-every "${SOAK_SAMPLE_EVERY:-100000}"
    --rss-margin "${SOAK_RSS_MARGIN:-5}"
    --rss-margin-kib "${SOAK_RSS_MARGIN_KIB:-1024}"
    --stall "${SOAK_STALL:-30}"
    --clients "${SOAK_CLIENTS:-200}"
    --seconds "${SOAK_SECONDS:-10}"
    --http-warmup "${SOAK_HTTP_WARMUP:-1}"
    --wire "${SOAK_WIRE:-2026-07-28}"
    --cpu "${BENCH_CPU:-0}"
    --server-cpu "$(((${BENCH_CPU:-0} + 1) % $(nproc)))"
    --log-dir "$bench_dir/results/logs/soak"
)
[[ "${BENCH_PIN:-1}" == 1 ]] || driver_args+=(--no-pin)
[[ "${SOAK_STDIO:-1}" == 1 ]] || driver_args+=(--no-stdio)
[[ "${SOAK_HTTP:-1}" == 1 ]] || driver_args+=(--no-http)
if [[ "${BENCH_PIN:-1}" == 1 ]] && ! command -v taskset >/dev/null; then
    note "taskset is not installed: the soak runs unpinned"
fi

mkdir -p results
out="${SOAK_OUT:-results/soak.md}"
section="$(mktemp)"
trap 'rm -f "$section"' EXIT
status=0
{
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/soak.sh\` on $(uname -sr)," \
        "$(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(rustc --version | cut -d' ' -f1-2);" \
        "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)."
    if [[ "$(nproc)" -le 2 ]]; then
        echo "With $(nproc) CPUs the client and the server compete: over stdio they share one CPU, over HTTP" \
            "all the clients' threads share the other one, so the numbers are the pair's, not the server's alone."
    fi
} >"$section"
for s in "${wanted[@]}"; do
    if ! prepare "$s"; then
        echo >>"$section"
        echo "## $s: skipped (see the notes on stderr)" >>"$section"
        status=1
        continue
    fi
    echo "== $label: ${cmd[*]}" >&2
    {
        echo
        target/release/soak-driver "${driver_args[@]}" "${driver_extra[@]}" --name "$label" -- "${cmd[@]}"
    } >>"$section" || status=$?
done

if [[ "$append" == 1 && -s "$out" ]]; then
    { echo; cat "$section"; } >>"$out"
else
    { echo "# load and soak"; echo; cat "$section"; } >"$out"
fi
echo >&2
cat "$section"
echo >&2
echo "saved to bench/$out; soak.sh took $((SECONDS - started)) s" >&2
exit "$status"
