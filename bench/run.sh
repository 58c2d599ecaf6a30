#!/usr/bin/env bash
# The benchmarks, in one command: bench/run.sh
#
# Builds the bench workspace (release), builds the project's demo if it can,
# compiles the allocation-counting shim, measures every server listed in
# servers.txt (the stdio table, saved to results/stdio.md), then runs the
# in-process micro-benchmark of the core next to rmcp (the in-process table,
# saved to results/inproc.md), the Python binding next to the official Python SDK
# (python/servers.txt, results/python.md), the Node binding next to the official
# TypeScript SDK 1.x and 2.x (node/servers.txt, results/node.md) and the HTTP table,
# and prints the tables.
# A missing strace, taskset or C compiler only skips what needs it, with a note. See
# README.md for what each column means.
#
# Knobs (environment variables; defaults in brackets):
#   BENCH_SEQ               sequential round trips per measurement [20000]
#   BENCH_PIPE              pipelined requests per measurement [200000]
#   BENCH_REPEAT            measurements per throughput, median shown [5]
#   BENCH_WARMUP            untimed requests after each handshake [1000]
#   BENCH_STARTUP_RUNS      spawns timed for the startup column [10]
#   BENCH_BACKPRESSURE      requests in flight for the backpressure RSS [100000]
#   BENCH_ALLOC_REQUESTS    requests counted by the allocation shim [10000]
#   BENCH_STRACE_REQUESTS   round trips traced by strace, 0 to skip [2000]
#   BENCH_PIN               1 to pin driver and servers to one CPU, 0 not to [1]
#   BENCH_CPU               the CPU to pin to [0]
#   BENCH_ONLY              comma-separated words: only rows whose name has one [all]
#   BENCH_TIMEOUT           seconds a server process may live [300]
#   BENCH_BUILD_DEMO        1 to build picomcp-demo and the C demo first, 0 not to [1]
#   BENCH_STDIO             1 to run the stdio table, 0 to skip it [1]
#   BENCH_INPROC            1 to run the in-process table, 0 to skip it [1]
#   BENCH_INPROC_BATCHES    timed batches per side and case, median shown [15]
#   BENCH_INPROC_BATCH_MS   about how long one in-process batch lasts [100]
#   BENCH_HTTP              1 to run the HTTP table, 0 to skip it [1]
#   BENCH_PYTHON            1 to run the Python table (python/servers.txt), 0 to skip it [1]
#   BENCH_PY_SEQ, BENCH_PY_PIPE, BENCH_PY_REPEAT
#                           its sequential and pipelined counts and repeats [2000, 2000, 3]
#   BENCH_NODE              1 to run the Node table (node/servers.txt), 0 to skip it [1]
#   BENCH_NODE_SEQ, BENCH_NODE_PIPE, BENCH_NODE_REPEAT
#                           its sequential and pipelined counts and repeats [10000, 20000, 5]
#   BENCH_NODE_WARMUP, BENCH_NODE_STARTUP_RUNS, BENCH_NODE_BACKPRESSURE, BENCH_NODE_ALLOC_REQUESTS
#                           its other counts [10000, 10, 10000, 5000]
#   BENCH_HTTP_SECONDS      HTTP: timed seconds per cell (server x clients) [3]
#   BENCH_HTTP_WARMUP       HTTP: untimed seconds of requests per client first [1]
#   BENCH_HTTP_CLIENTS      HTTP: numbers of concurrent clients, comma-separated [1,16,64]
# The Python, Node and HTTP tables are the exceptions to "installs nothing": the
# Python rows run in the Python binding's venv (bindings-python/run-tests.sh makes it),
# the Node rows need `npm ci` in node/ (the TypeScript SDKs, pinned by
# node/package-lock.json) and picomcp's Node binding built in bindings-node/, the HTTP
# table `npm ci` in http/ts (pinned by http/ts/package-lock.json); each when not
# installed yet. Without Node.js or npm those rows are skipped; a failure is a note.
# The HTTP driver pins itself to BENCH_CPU and each server to the other CPU.
# Any arguments are passed on to the stdio driver (its options and the
# in-process bench's: bench/run.sh --help).
set -euo pipefail

if [[ "${1:-}" == -h || "${1:-}" == --help ]]; then
    sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0"
    if [[ -x "$(dirname "$0")/target/release/bench-driver" ]]; then
        echo
        "$(dirname "$0")/target/release/bench-driver" --help
    fi
    if [[ -x "$(dirname "$0")/target/release/inproc-bench" ]]; then
        echo
        "$(dirname "$0")/target/release/inproc-bench" --help
    fi
    if [[ -x "$(dirname "$0")/target/release/http-driver" ]]; then
        echo
        "$(dirname "$0")/target/release/http-driver" --help
    fi
    exit 0
fi

bench_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(dirname "$bench_dir")"
cd "$bench_dir"
started=$SECONDS

note() { printf 'note: %s\n' "$*" >&2; }

if ! command -v cargo >/dev/null; then
    echo "error: cargo is needed to build the bench (rustup installs it)" >&2
    exit 1
fi

echo "== building the bench (release)" >&2
cargo build --release --quiet --manifest-path "$bench_dir/Cargo.toml"

run_stdio="${BENCH_STDIO:-1}"
run_inproc="${BENCH_INPROC:-1}"
run_http="${BENCH_HTTP:-1}"
run_python="${BENCH_PYTHON:-1}"
run_node="${BENCH_NODE:-1}"
if [[ "$run_stdio" != 1 && "$run_inproc" != 1 && "$run_http" != 1 && "$run_python" != 1 && "$run_node" != 1 ]]; then
    note "BENCH_STDIO=0, BENCH_INPROC=0, BENCH_HTTP=0, BENCH_PYTHON=0 and BENCH_NODE=0: nothing to measure"
    exit 0
fi

# Whether a row of this name may be measured: no BENCH_ONLY, or one of its words in the
# name. Words are split on commas and spaces here, so this errs on the side of "yes".
row_wanted() {
    local word
    [[ -z "${BENCH_ONLY:-}" ]] && return 0
    for word in ${BENCH_ONLY//,/ }; do
        [[ "$1" == *"$word"* ]] && return 0
    done
    return 1
}

# npm ci in bench/$1 ($2 says what it installs: the packages its package-lock.json pins)
# when node_modules is missing or older than the lockfile. A failure is a note and leaves
# no node_modules, so that the TypeScript SDK rows needing it are skipped.
npm_ci() {
    local dir="$bench_dir/$1"
    if [[ ! -f "$dir/node_modules/.package-lock.json" ||
        "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]]; then
        echo "== installing $2 (npm ci in $1)" >&2
        if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2); then
            note "npm ci failed in bench/$1: the TypeScript SDK rows are skipped"
            rm -rf "$dir/node_modules"
        fi
    fi
}

if [[ ( "$run_stdio" == 1 || "$run_http" == 1 ) && "${BENCH_BUILD_DEMO:-1}" == 1 ]]; then
    echo "== building picomcp-demo and the C demo (release)" >&2
    if ! (cd "$repo_root" && cargo build --release --quiet -p picomcp-demo); then
        note "picomcp-demo did not build; its rows run only if an older build exists"
    fi
    if ! (cd "$repo_root" && examples/c/build.sh >/dev/null); then
        note "the C demo did not build; its rows run only if an older build exists"
    fi
fi

# The Python table (python/servers.txt, saved to results/python.md) runs in the Python
# binding's venv, with picomcp and the official Python SDK installed:
# bindings-python/run-tests.sh makes it (pip). A failure is only a note; the rows are
# then skipped. Its counts are smaller (BENCH_PY_*): the SDK does about 1 k requests/s.
if [[ "$run_python" == 1 ]]; then
    echo "== preparing the Python rows' venv (bindings-python/run-tests.sh --venv-only --with-sdk)" >&2
    if ! "$repo_root/bindings-python/run-tests.sh" --venv-only --with-sdk >/dev/null; then
        note "the Python binding's venv could not be prepared; the Python rows run only if an older one exists"
    fi
fi

# The Node table (node/servers.txt, saved to results/node.md): the official TypeScript SDK
# 1.x and 2.x next to picomcp's Node binding. Its rows' programs are links to `node` made
# here in node/node_modules/.bench/, each only once its row's pieces are ready, so that a
# piece missing skips its row with a note (the driver skips a row whose program is missing):
#   node          the SDKs, installed by `npm ci` in node/ (pinned by its package-lock.json)
#                 when node_modules is missing or older than the lockfile;
#   picomcp-node  picomcp's Node binding, built in bindings-node/ (npm install, npm run build)
#                 and loading; picomcp_echo.js requires it from there by path.
# A failure is only a note. Its counts are its own (BENCH_NODE_*), for the SDKs' 12-18 k
# round trips/s and 17-33 k pipelined requests/s, with a longer warm-up: V8 compiles the
# hot paths only after a few thousand calls (with 2 000, the SDKs measured 15-35 % lower).
# Backpressure: after 20 000 calls in flight SDK 2.x took 7.7 s to exit once stdin closed
# (1.4 s after 10 000), past the driver's 5 s, hence 10 000.
prepare_node() {
    local node_dir="$bench_dir/node" links="$bench_dir/node/node_modules/.bench" node_bin
    rm -rf "$links"
    if ! node_bin="$(command -v node)" || ! command -v npm >/dev/null; then
        note "Node.js or npm is not installed: the Node rows are skipped"
        return
    fi
    if row_wanted "TypeScript SDK 1.x McpServer" || row_wanted "TypeScript SDK 2.x McpServer"; then
        npm_ci node "the TypeScript SDKs"
        if [[ -f "$node_dir/node_modules/.package-lock.json" ]]; then
            mkdir -p "$links" && ln -s "$node_bin" "$links/node"
        fi
    fi
    if row_wanted "picomcp node"; then
        local binding="$repo_root/bindings-node" why
        if [[ ! -f "$binding/package.json" ]]; then
            note "bindings-node/ has no package.json (the Node binding is not there yet): the picomcp node row is skipped"
            return
        fi
        echo "== building picomcp's Node binding (npm install && npm run build in bindings-node/)" >&2
        if ! (cd "$binding" && npm install --no-audit --no-fund --loglevel=error && npm run build) >/dev/null; then
            note "picomcp's Node binding did not build: the picomcp node row runs only if an older build loads"
        fi
        # Loading it is the test that it is there and fits this Node.js.
        if why="$(cd "$node_dir" && node -e '
            try { require("../../bindings-node"); } catch (e) { console.log(e.message.split("\n")[0]); process.exit(1); }')"; then
            mkdir -p "$links" && ln -s "$node_bin" "$links/picomcp-node"
        else
            note "picomcp's Node binding does not load ($why): the picomcp node row is skipped"
        fi
    fi
}
if [[ "$run_node" == 1 ]]; then
    prepare_node
fi

# Pinning: the stdio driver pins itself (and its servers); the in-process bench is
# pinned here, with taskset when there is one.
pin_cmd=()
if [[ "${BENCH_PIN:-1}" == 1 ]]; then
    if command -v taskset >/dev/null; then
        pin_cmd=(taskset -c "${BENCH_CPU:-0}")
    else
        note "taskset is not installed: the benchmarks run unpinned"
    fi
fi

# The line under each table's title: when, where, with what.
rmcp_version="$(grep -A1 '^name = "rmcp"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')"
measured_on() {
    echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') by \`bench/run.sh\` on $(uname -sr)," \
        "$(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1))," \
        "$(rustc --version | cut -d' ' -f1-2), rmcp ${rmcp_version:-?}."
}

mkdir -p results
table="$(mktemp)"
trap 'rm -f "$table"' EXIT
status=0
saved=()

shim_args=()
if [[ "$run_stdio" == 1 || "$run_python" == 1 || "$run_node" == 1 ]]; then
    if command -v cc >/dev/null; then
        echo "== compiling the allocation shim" >&2
        cc -shared -fPIC -O2 -Wall -o target/alloc-count.so alloc-count.c -ldl
        shim_args=(--alloc-shim target/alloc-count.so)
    else
        note "no C compiler (cc): the allocs/request column is skipped"
    fi
    command -v strace >/dev/null || note "strace is not installed: the syscalls column is skipped"
fi

# One stdio table: measure_stdio TITLE FILE SERVERS LOG_DIR SEQ PIPE REPEAT WARMUP
# STARTUP_RUNS BACKPRESSURE ALLOC_REQUESTS [driver args...]. The log directory is
# absolute: servers (and strace) run in their list's folder. A non-empty $subtitle
# is printed under the measured_on line.
measure_stdio() {
    local title=$1 file=$2 servers=$3 log_dir=$4
    local args=(
        --servers "$servers"
        --log-dir "$log_dir"
        --seq "$5"
        --pipe "$6"
        --repeat "$7"
        --warmup "$8"
        --startup-runs "$9"
        --backpressure "${10}"
        --alloc-requests "${11}"
        --strace-requests "${BENCH_STRACE_REQUESTS:-2000}"
        --cpu "${BENCH_CPU:-0}"
        --timeout "${BENCH_TIMEOUT:-300}"
        "${shim_args[@]}"
    )
    shift 11
    [[ "${BENCH_PIN:-1}" == 1 ]] || args+=(--no-pin)
    [[ -z "${BENCH_ONLY:-}" ]] || args+=(--only "$BENCH_ONLY")
    rm -rf "$log_dir"
    target/release/bench-driver "${args[@]}" "$@" >"$table" || status=$?
    {
        echo "# $title"
        echo
        measured_on
        [[ -z "${subtitle:-}" ]] || echo "$subtitle"
        echo
        cat "$table"
    } >"$file"
    saved+=("$file")
}

if [[ "$run_stdio" == 1 ]]; then
    echo "== measuring stdio (progress below; servers' stderr in results/logs/stdio/)" >&2
    measure_stdio "stdio benchmark" results/stdio.md servers.txt "$PWD/results/logs/stdio" \
        "${BENCH_SEQ:-20000}" "${BENCH_PIPE:-200000}" "${BENCH_REPEAT:-5}" "${BENCH_WARMUP:-1000}" \
        "${BENCH_STARTUP_RUNS:-10}" "${BENCH_BACKPRESSURE:-100000}" "${BENCH_ALLOC_REQUESTS:-10000}" "$@"
fi

if [[ "$run_python" == 1 ]]; then
    echo "== measuring the Python binding next to the official Python SDK (stdio)" >&2
    measure_stdio "Python stdio benchmark" results/python.md python/servers.txt "$PWD/results/logs/python" \
        "${BENCH_PY_SEQ:-2000}" "${BENCH_PY_PIPE:-2000}" "${BENCH_PY_REPEAT:-3}" "${BENCH_PY_WARMUP:-200}" \
        "${BENCH_PY_STARTUP_RUNS:-5}" "${BENCH_PY_BACKPRESSURE:-2000}" "${BENCH_PY_ALLOC_REQUESTS:-2000}" "$@"
fi

if [[ "$run_node" == 1 ]]; then
    # The versions measured, for the line under the title.
    node_package_version() {
        local version
        version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "node/node_modules/$1/package.json" 2>/dev/null | head -1 || true)"
        echo "$1 ${version:-(not installed)}"
    }
    versions="Node.js $(node --version 2>/dev/null || echo '(not installed)')"
    versions+=", $(node_package_version @modelcontextprotocol/sdk), $(node_package_version @modelcontextprotocol/server)."
    echo "== measuring the Node binding next to the official TypeScript SDK 1.x and 2.x (stdio)" >&2
    subtitle="$versions" measure_stdio "Node stdio benchmark" results/node.md node/servers.txt "$PWD/results/logs/node" \
        "${BENCH_NODE_SEQ:-10000}" "${BENCH_NODE_PIPE:-20000}" "${BENCH_NODE_REPEAT:-5}" "${BENCH_NODE_WARMUP:-10000}" \
        "${BENCH_NODE_STARTUP_RUNS:-10}" "${BENCH_NODE_BACKPRESSURE:-10000}" "${BENCH_NODE_ALLOC_REQUESTS:-5000}" "$@"
fi

if [[ "$run_inproc" == 1 ]]; then
    inproc_args=(
        --batches "${BENCH_INPROC_BATCHES:-15}"
        --batch-ms "${BENCH_INPROC_BATCH_MS:-100}"
    )
    echo "== measuring in-process: the core next to rmcp, no transport" >&2
    inproc_status=0
    "${pin_cmd[@]}" target/release/inproc-bench "${inproc_args[@]}" >"$table" || inproc_status=$?
    [[ "$inproc_status" == 0 ]] || status=$inproc_status
    pinned="not pinned"
    [[ ${#pin_cmd[@]} == 0 ]] || pinned="pinned to CPU ${BENCH_CPU:-0} (${pin_cmd[*]})"
    {
        echo "# in-process benchmark"
        echo
        measured_on
        echo
        cat "$table"
        echo "- one thread, $pinned"
    } >results/inproc.md
    saved+=(results/inproc.md)
fi

if [[ "$run_http" == 1 ]]; then
    # The TypeScript SDK's server needs its pinned packages (http/ts/package-lock.json).
    ts_dir="$bench_dir/http/ts"
    if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
        note "Node.js or npm is not installed: the TypeScript SDK rows are skipped"
    else
        npm_ci http/ts "the TypeScript SDK's server"
    fi
    ts_version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' \
        "$ts_dir/node_modules/@modelcontextprotocol/sdk/package.json" 2>/dev/null | head -1 || true)"
    node_version="$(node --version 2>/dev/null || true)"

    # The driver runs on BENCH_CPU, each server on the next CPU.
    http_args=(
        --servers http/servers.txt
        --log-dir results/logs
        --seconds "${BENCH_HTTP_SECONDS:-3}"
        --warmup "${BENCH_HTTP_WARMUP:-1}"
        --clients "${BENCH_HTTP_CLIENTS:-1,16,64}"
        --driver-cpu "${BENCH_CPU:-0}"
        --server-cpu "$(((${BENCH_CPU:-0} + 1) % $(nproc)))"
    )
    [[ "${BENCH_PIN:-1}" == 1 ]] || http_args+=(--no-pin)
    [[ -z "${BENCH_ONLY:-}" ]] || http_args+=(--only "$BENCH_ONLY")

    mkdir -p results/logs
    rm -f results/logs/http-*.log
    echo "== measuring HTTP (progress below; servers' output in results/logs/http-*.log)" >&2
    http_status=0
    target/release/http-driver "${http_args[@]}" >"$table" || http_status=$?
    [[ "$http_status" == 0 ]] || status=$http_status
    {
        echo "# HTTP benchmark"
        echo
        measured_on
        echo "TypeScript SDK ${ts_version:-(not installed)} on Node.js ${node_version:-(not installed)}."
        echo
        cat "$table"
    } >results/http.md
    saved+=(results/http.md)
fi

for i in "${!saved[@]}"; do
    echo >&2
    [[ "$i" == 0 ]] || echo
    cat "${saved[$i]}"
done
echo >&2
echo "saved to ${saved[*]/#/bench/}; run.sh took $((SECONDS - started)) s" >&2
exit "$status"
