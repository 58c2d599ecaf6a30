#!/usr/bin/env bash
# The Node binding's tests, in one command: bindings-node/run-tests.sh
#
#   1. the binding's dev tools (npm ci in bindings-node: @napi-rs/cli, TypeScript, zod) and
#      its native module (scripts/install.js: cargo build, skipped when up to date);
#   2. the drift gate: native.js and native.d.ts as @napi-rs/cli generates them;
#   3. the typings: a TypeScript consumer type-checked against index.d.ts (tsc --noEmit);
#   4. the API unit tests (node --test bindings-node/test);
#   5. `npm install ./bindings-node` at the repository root, as the README says, and the
#      Node demo (examples/node/demo.js) through it;
#   6. the official Python SDK client suite (tests/python/run.sh) against the Node demo
#      over stdio and Streamable HTTP;
#   7. the TypeScript SDK client suites (tests/ts/run.sh) against it over stdio, then HTTP.
#
# Each step prints a header; the first failing step stops the run and says which.
#
#   bindings-node/run-tests.sh               everything
#   bindings-node/run-tests.sh --no-clients  steps 1-5 only (no SDK client suites)
#   bindings-node/run-tests.sh --build-only  steps 1 and 5's install only (bench/run.sh uses this)
#
# Needs Node.js 20 or newer, npm and Rust (cargo) on the PATH.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

clients=1
build_only=0
while [ $# -gt 0 ]; do
    case "$1" in
        --no-clients) clients=0 ;;
        --build-only) build_only=1 ;;
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

# say, fail, step and client_suites.
# shellcheck source=../scripts/binding-steps.sh
. "$repo/scripts/binding-steps.sh"

for tool in node npm cargo; do
    command -v "$tool" >/dev/null 2>&1 || fail "missing tool: $tool (Node.js 20+ with npm, and Rust with cargo)"
done
major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 20 ] || fail "Node.js 20 or newer is needed, found $(node --version)"

npm_quiet() { npm --no-audit --no-fund --loglevel=error "$@"; }

# ------------------------------------------------------------------------ 1. tools and build

dev_tools() {
    local stamp="$here/node_modules/.picomcp-lock.sha256" wanted
    wanted="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
        (cd "$here" && npm_quiet ci --ignore-scripts) || return 1
        echo "$wanted" >"$stamp"
    fi
    node "$here/scripts/install.js"
}
step "bindings-node: dev tools (npm ci) and the native module (cargo build --release)" \
    "see the npm or cargo output above" dev_tools

# The README's command: links bindings-node into the repository's node_modules.
link_package() {
    (cd "$repo" && npm_quiet install ./bindings-node) &&
        (cd "$repo" && node -e 'const p = require("picomcp"); if (typeof p.McpServer !== "function") process.exit(1)')
}
if [ "$build_only" = 1 ]; then
    step "npm install ./bindings-node at the repository root" "see npm's output above" link_package
    exit 0
fi

cd "$here"

# ------------------------------------------------------------------------ 2-4. the binding

step "native.js and native.d.ts match what @napi-rs/cli generates" \
    "the generated files are stale: run 'npm run build' in bindings-node and commit them" \
    node scripts/check-native.js
step "tsc: a TypeScript consumer type-checks against index.d.ts" \
    "index.d.ts and the consumer in test/types disagree (tsc's errors are above)" \
    node_modules/.bin/tsc -p test/types
step "node --test bindings-node/test" "a binding test failed (the report is above)" \
    node --test --test-reporter=spec test/

# ------------------------------------------------------------------------ 5. the README's install

step "npm install ./bindings-node at the repository root" "see npm's output above" link_package

[ "$clients" = 1 ] || { printf '\nrun-tests.sh: the binding tests passed (client suites skipped: --no-clients)\n' >&2; exit 0; }

# ------------------------------------------------------------------------ 6, 7. client suites

cd "$repo"
# Absolute paths: tests/ts/run.sh runs from tests/ts/. Shell words, quoted for both suites.
demo_cmd="$(printf '%q %q' "$(command -v node)" "$repo/examples/node/demo.js")"
demo_version="$(node -p 'require("./bindings-node/package.json").version')"

client_suites Node examples/node/demo.js picomcp-node-demo "$demo_version" "$demo_cmd"

printf '\nrun-tests.sh: every step passed: the binding tests, the typings, and both SDK client suites against the Node demo\n' >&2
