#!/usr/bin/env bash
# Run the official MCP conformance suite (server side) against a running server, such as
# the fixture `picomcp-conformance` (examples/conformance).
#
#   scripts/conformance.sh URL [REVISION...]   the scenarios each revision scores
#                                              (default: 2025-11-25 and 2026-07-28)
#   scripts/conformance.sh URL --suite pending the suite's pending scenarios (none scored)
#   scripts/conformance.sh URL --tasks         the tasks extension: the ten tasks-*
#                                              scenarios, each on the 2026-07-28 wire
#   scripts/conformance.sh --list [ARG...]     the suite's own list (`conformance list ARG...`)
#
# Revisions, --suite pending and --tasks combine; they run in that order.
# URL must be a loopback URL (localhost, 127.0.0.1 or [::1]): dns-rebinding-protection
# fails for any other host.
#
# Options:
#   --expected-failures FILE  a baseline for the revisions ("{rev}" in the path is replaced
#                             by the revision; a revision whose file is missing runs without)
# Environment:
#   CONFORMANCE_DIR         cache and results (default: .conformance in the repository,
#                           git-ignored)
#   CONFORMANCE_TIMEOUT_MS  per-scenario timeout (default 30000)
#
# The suite (npm package @modelcontextprotocol/conformance, pinned below) is installed into
# CONFORMANCE_DIR the first time; after that everything runs offline. On Node < 22 a loader
# hook supplies the fs.globSync the bundle imports at load time (used only by tier-check).
#
# Prints per revision "conformance REV: P passed, F failed" counting the scenarios the
# revision scores, then the failing ones; scenarios it runs without scoring (pending,
# extension, added after release) are listed separately and never change the exit status.
# --suite pending prints "conformance pending: P passed, F failed" and --tasks
# "conformance tasks: P passed, F failed", counting every scenario they ran. Then the
# totals. Results land in CONFORMANCE_DIR/results/<rev|pending|tasks>/ with a .log beside.
# Exit 0 only when every scored scenario passed (with a baseline: when the suite's
# baseline check passed, which also counts WARNING checks) and every pending or tasks
# scenario that was asked for passed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

PKG=@modelcontextprotocol/conformance
VERSION=0.2.0-alpha.12
TASKS=(tasks-lifecycle tasks-capability-negotiation tasks-wire-fields tasks-request-state-removal
  tasks-mrtr-input tasks-request-headers tasks-dispatch-and-envelope tasks-status-notifications
  tasks-required-task-error tasks-mrtr-composition)

usage() {
  echo "usage: $0 URL [REVISION...] [--suite pending] [--tasks] [--expected-failures FILE]" >&2
  echo "       $0 --list [ARG...]" >&2
  exit 2
}

url= revs=() pending=0 tasks=0 list=0 list_args=() expected=
while [ $# -gt 0 ]; do
  if [ "$list" = 1 ]; then list_args+=("$1"); shift; continue; fi
  case $1 in
    --list) list=1; shift ;;
    --suite) [ "${2:-}" = pending ] || { echo "only --suite pending is supported" >&2; exit 2; }
      pending=1; shift 2 ;;
    --suite=pending) pending=1; shift ;;
    --tasks) tasks=1; shift ;;
    --expected-failures) expected=${2:?--expected-failures needs a file}; shift 2 ;;
    --expected-failures=*) expected=${1#*=}; shift ;;
    -h|--help) sed -n '2,/^set -uo/{/^set/d;s/^# \{0,1\}//;p;}' "$0"; exit 0 ;;
    -*) echo "unknown option: $1" >&2; usage ;;
    *) if [ -z "$url" ]; then url=$1; else revs+=("$1"); fi; shift ;;
  esac
done
if [ "$list" = 0 ]; then
  [ -n "$url" ] || usage
  [ ${#revs[@]} -gt 0 ] || [ "$pending" = 1 ] || [ "$tasks" = 1 ] || revs=(2025-11-25 2026-07-28)
fi
for rev in "${revs[@]}"; do
  [[ $rev =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || { echo "not a revision: $rev" >&2; exit 2; }
done
case $expected in
  ''|*'{rev}'*) ;;
  *) [ -f "$expected" ] || { echo "expected-failures file not found: $expected" >&2; exit 2; } ;;
esac

command -v node >/dev/null 2>&1 || { echo "missing tool: node (install Node.js 20 or newer)" >&2; exit 2; }
dir=${CONFORMANCE_DIR:-$root/.conformance}
mkdir -p "$dir" && dir=$(cd "$dir" && pwd)
cli=$dir/node_modules/$PKG/dist/index.js
installed=$(node -p "require('$dir/node_modules/$PKG/package.json').version" 2>/dev/null)
if [ "$installed" != "$VERSION" ]; then
  command -v npm >/dev/null 2>&1 || { echo "missing tool: npm (comes with Node.js)" >&2; exit 2; }
  echo "installing $PKG@$VERSION into $dir" >&2
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "$PKG@$VERSION" >&2 \
    || { echo "npm install failed" >&2; exit 2; }
fi

# The bundle imports fs.globSync (Node >= 22) at load time, for tier-check only. On older
# Node, preload a loader hook that hands it a module with a stub in its place.
node_args=()
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ]; then
  shim=$dir/node20-globsync-shim.mjs
  cat > "$shim" <<'EOF'
import { register } from 'node:module';
const fsShim = "import fs from 'node:fs'; export * from 'node:fs'; export default fs;" +
  "export const globSync = fs.globSync ?? (() => { throw new Error('fs.globSync needs Node >= 22'); });";
register('data:text/javascript,' + encodeURIComponent(`export async function resolve(spec, ctx, next) {
  if ((spec === 'fs' || spec === 'node:fs') && !ctx.parentURL?.startsWith('data:'))
    return { url: 'data:text/javascript,' + ${JSON.stringify(encodeURIComponent(fsShim))}, shortCircuit: true };
  return next(spec, ctx);
}`));
EOF
  node_args=(--import "$shim")
fi
suite() { node "${node_args[@]}" "$cli" "$@"; }

if [ "$list" = 1 ]; then
  suite list "${list_args[@]}"
  exit
fi

timeout_ms=${CONFORMANCE_TIMEOUT_MS:-30000}
status=0 total_p=0 total_f=0

# The "✓ name: …" / "✗ name: …" lines of a suite log's SUMMARY block, as "mark name".
summary_of() {
  sed 's/\x1b\[[0-9;]*m//g' "$1" | sed -n '/^=== SUMMARY ===/,/^Total:/s/^\([✓✗]\) \([^:]*\):.*/\1 \2/p'
}

# A suite run's log had no SUMMARY: say so and show its tail.
no_results() {
  echo "conformance $1: no results (exit $2); see $3" >&2
  sed 's/\x1b\[[0-9;]*m//g' "$3" | tail -n 5 >&2
  status=1
}

for rev in "${revs[@]}"; do
  out=$dir/results/$rev
  rm -rf "$out" && mkdir -p "$out"
  baseline=${expected//\{rev\}/$rev}
  args=(server --url "$url" --requirements "$rev" -o "$out" --timeout "$timeout_ms")
  [ -n "$baseline" ] && [ -f "$baseline" ] && args+=(--expected-failures "$baseline") || baseline=
  # Scored server scenarios: the "  - name" lines of the list's server block.
  scored=$(suite list --server --requirements "$rev" | sed -n '/^Server scenarios/,/^$/s/^  - //p')
  [ -n "$scored" ] || { echo "cannot list the scenarios of $rev" >&2; status=1; continue; }
  suite "${args[@]}" > "$out.log" 2>&1
  rc=$?
  summary=$(summary_of "$out.log")
  [ -n "$summary" ] || { no_results "$rev" "$rc" "$out.log"; continue; }
  p=0 f=0 failing=() unscored_failing=()
  while read -r mark name; do
    [ -n "$name" ] || continue
    if ! printf '%s\n' "$scored" | grep -qxF "$name"; then
      [ "$mark" = ✗ ] && unscored_failing+=("$name")
    elif [ "$mark" = ✓ ]; then p=$((p + 1))
    else f=$((f + 1)); failing+=("$name"); fi
  done <<< "$summary"
  echo "conformance $rev: $p passed, $f failed"
  for n in "${failing[@]}"; do echo "  FAIL $n"; done
  [ ${#unscored_failing[@]} -gt 0 ] && echo "  not scored, failing: ${unscored_failing[*]}"
  if [ -n "$baseline" ]; then
    sed 's/\x1b\[[0-9;]*m//g' "$out.log" \
      | sed -n '/^Expected failures (in\|^Stale baseline entries\|^Unexpected failures (not/,/^$/p;/^Baseline \|^Unexpected failures detected/p' \
      | sed '/^$/d;s/^/  /'
  fi
  total_p=$((total_p + p)) total_f=$((total_f + f))
  [ "$rc" -eq 0 ] || status=1
done

if [ "$pending" = 1 ]; then
  out=$dir/results/pending
  rm -rf "$out" && mkdir -p "$out"
  # Each pending scenario picks its own wire (2025-11-25 unless it only exists in 2026-07-28).
  suite server --url "$url" --suite pending -o "$out" --timeout "$timeout_ms" > "$out.log" 2>&1
  rc=$?
  summary=$(summary_of "$out.log")
  if [ -z "$summary" ]; then
    no_results pending "$rc" "$out.log"
  else
    p=$(grep -c '^✓' <<< "$summary") f=$(grep -c '^✗' <<< "$summary")
    echo "conformance pending: $p passed, $f failed"
    sed -n 's/^✗ /  FAIL /p' <<< "$summary"
    total_p=$((total_p + p)) total_f=$((total_f + f))
    [ "$f" -eq 0 ] || status=1
  fi
fi

if [ "$tasks" = 1 ]; then
  out=$dir/results/tasks
  rm -rf "$out" && mkdir -p "$out" && : > "$out.log"
  # No suite holds just these (they are "extension" scenarios, outside every spec version),
  # so they run one by one; --force because an extension scenario is otherwise SKIPPED as
  # "not applicable" at any --spec-version.
  p=0 f=0 failing=()
  for name in "${TASKS[@]}"; do
    suite server --url "$url" --scenario "$name" --spec-version 2026-07-28 --force \
      -o "$out" --timeout "$timeout_ms" > "$out/$name.log" 2>&1
    rc=$?
    { echo "=== $name (exit $rc)"; cat "$out/$name.log"; } >> "$out.log"
    # A run that got as far as scoring prints "Passed: i/n, F failed, W warnings".
    if [ "$rc" -eq 0 ] && sed 's/\x1b\[[0-9;]*m//g' "$out/$name.log" | grep -q '^Passed: '; then
      p=$((p + 1))
    else
      f=$((f + 1)) failing+=("$name")
    fi
  done
  echo "conformance tasks: $p passed, $f failed"
  for n in "${failing[@]}"; do echo "  FAIL $n"; done
  total_p=$((total_p + p)) total_f=$((total_f + f))
  [ "$f" -eq 0 ] || status=1
fi

echo "results: $dir/results"
echo "conformance: $total_p passed, $total_f failed"
exit "$status"
