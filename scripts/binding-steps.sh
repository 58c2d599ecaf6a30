# Sourced by bindings-python/run-tests.sh and bindings-node/run-tests.sh: how their steps
# are shown and stopped, and the official SDK client suites against a binding's demo.
# The caller runs from the repository root when it calls client_suites.

say() { printf 'run-tests.sh: %s\n' "$*" >&2; }
fail() {
    printf '\nrun-tests.sh: FAILED: %s\n' "$*" >&2
    exit 1
}
# step NAME WHY-IT-MAY-FAIL COMMAND...: run COMMAND under a header; stop the run if it fails.
step() {
    local name=$1 why=$2
    shift 2
    printf '\n== %s\n' "$name" >&2
    local status=0
    "$@" || status=$?
    [ "$status" -eq 0 ] || fail "$name (exit status $status): $why"
}

# client_suites LANGUAGE DEMO_FILE DEMO_NAME DEMO_VERSION DEMO_CMD: the official Python SDK
# suite (tests/python/run.sh, stdio and HTTP), then the TypeScript SDK suites
# (tests/ts/run.sh) over stdio and over HTTP, against the demo DEMO_CMD runs (shell words
# with absolute paths: tests/ts/run.sh runs from tests/ts/).
client_suites() {
    local language=$1 file=$2 name=$3 version=$4 cmd=$5
    local broke="saw the $language demo break docs/demo-contract.md"
    step "Python SDK client suite against $file, stdio and HTTP" \
        "the official Python SDK client $broke (pytest's report is above)" \
        env PICOMCP_DEMO_CMD="$cmd" PICOMCP_TRANSPORT=both tests/python/run.sh -q
    local transport
    for transport in stdio http; do
        step "TypeScript SDK client suite against $file, $transport" \
            "the TypeScript SDK clients $broke over $transport (node's report is above)" \
            env PICOMCP_DEMO_CMD="$cmd" PICOMCP_TRANSPORT="$transport" \
            PICOMCP_DEMO_NAME="$name" PICOMCP_DEMO_VERSION="$version" tests/ts/run.sh
    done
}
