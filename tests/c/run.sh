#!/usr/bin/env bash
# The C ABI's tests: build libpicomcp (release) and tests/c/test_api.c, then run them
#   (a) plainly against the static library,
#   (b) under valgrind (no errors, no leaks of any kind),
#   (c) built with AddressSanitizer and UndefinedBehaviorSanitizer,
#   (d) against the shared library,
#   (h) with libpicomcp itself instrumented too (nightly Rust, -Zsanitizer=address), with
#       the core's and the binding engine's Rust tests (not the doctests) under the same sanitizer,
# then (e) check that the no_std build (thumbv7em-none-eabihf) needs no allocator, and
# (g) that the README's C quick start is examples/c/hello.c and runs, and (f) that
# include/picomcp.h is what ffi-c generates.
# Installs valgrind (apt-get), the thumbv7em target and a nightly toolchain (rustup) only
# when missing.
# Every step prints a header; the first failure says which step and why, and exits 1.
set -uo pipefail
cd "$(dirname "$0")/../.."

CC=${CC:-cc}
OUT=target/c-tests
LIB=target/release
CFLAGS_COMMON=(-std=c11 -Wall -Wextra -Werror -Wno-unused-function -g -O1 -Iinclude)
mkdir -p "$OUT"

step() { printf '\n==== %s\n' "$*"; }
fail() {
  printf '\nFAILED: %s\n' "$*" >&2
  exit 1
}

step "build libpicomcp (cargo build --release -p picomcp-ffi)"
cargo build --release -p picomcp-ffi || fail "cargo could not build the C library"
[ -f "$LIB/libpicomcp.a" ] && [ -f "$LIB/libpicomcp.so" ] || fail "libpicomcp.a/.so missing in $LIB"

step "(a) C API tests against the static library"
"$CC" "${CFLAGS_COMMON[@]}" tests/c/test_api.c "$LIB/libpicomcp.a" -lpthread -ldl -lm -o "$OUT/test_api" ||
  fail "(a) the C tests do not compile or link against libpicomcp.a"
"$OUT/test_api" || fail "(a) a C API test failed (see the message above)"

step "(b) the same under valgrind (no errors, no leaks)"
if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind is not installed: installing it with apt-get (needed for this step)"
  { apt-get update -qq && apt-get install -y -qq valgrind; } >/dev/null || fail "(b) could not install valgrind"
fi
valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=all --show-leak-kinds=all \
  "$OUT/test_api" >"$OUT/valgrind.log" 2>&1 || {
  tail -n 60 "$OUT/valgrind.log"
  fail "(b) valgrind found errors or leaks (full log: $OUT/valgrind.log)"
}
grep -E "all C API tests passed|in use at exit|All heap blocks were freed|ERROR SUMMARY" "$OUT/valgrind.log" |
  sed 's/^==[0-9]*== //'
grep -q "ERROR SUMMARY: 0 errors" "$OUT/valgrind.log" || fail "(b) valgrind reported errors (log: $OUT/valgrind.log)"

step "(c) the same built with -fsanitize=address,undefined"
"$CC" "${CFLAGS_COMMON[@]}" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
  tests/c/test_api.c "$LIB/libpicomcp.a" -lpthread -ldl -lm -o "$OUT/test_api_asan" ||
  fail "(c) the C tests do not build with the sanitizers"
ASAN_OPTIONS=halt_on_error=1:abort_on_error=0:detect_leaks=1:strict_string_checks=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$OUT/test_api_asan" >"$OUT/asan.log" 2>&1 || {
  tail -n 60 "$OUT/asan.log"
  fail "(c) a sanitizer reported a problem, or a test failed (full log: $OUT/asan.log)"
}
tail -n 1 "$OUT/asan.log"

step "(d) the same against the shared library (libpicomcp.so)"
"$CC" "${CFLAGS_COMMON[@]}" tests/c/test_api.c -L"$LIB" -lpicomcp -Wl,-rpath,"$PWD/$LIB" -lm \
  -o "$OUT/test_api_shared" || fail "(d) the C tests do not link against libpicomcp.so"
# (ldd's output is read whole first: `grep -q` stopping early would make ldd fail on a
# closed pipe, and pipefail would count that as a mismatch.)
loaded=$(ldd "$OUT/test_api_shared")
case "$loaded" in
  *"$LIB/libpicomcp.so"*) ;;
  *) fail "(d) the test binary does not load $LIB/libpicomcp.so: $loaded" ;;
esac
"$OUT/test_api_shared" >"$OUT/shared.log" 2>&1 || {
  tail -n 30 "$OUT/shared.log"
  fail "(d) a C API test failed against the shared library"
}
tail -n 1 "$OUT/shared.log"

step "(h) libpicomcp built with AddressSanitizer (nightly Rust), the C tests and the Rust tests under it"
if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "no nightly Rust toolchain: installing one with rustup (-Zsanitizer needs it)"
  rustup toolchain install nightly --profile minimal || fail "(h) could not install a nightly toolchain"
fi
HOST=$(rustc -vV | sed -n 's/^host: //p')
# An explicit --target keeps build scripts and proc macros uninstrumented.
ASAN_RUST=(env RUSTFLAGS="-Zsanitizer=address -Cforce-frame-pointers=yes" cargo +nightly)
"${ASAN_RUST[@]}" build -q --release --target "$HOST" --target-dir target/asan -p picomcp-ffi ||
  fail "(h) libpicomcp does not build with -Zsanitizer=address"
"$CC" "${CFLAGS_COMMON[@]}" -fsanitize=address -fno-omit-frame-pointer \
  tests/c/test_api.c "target/asan/$HOST/release/libpicomcp.a" -lpthread -ldl -lm -o "$OUT/test_api_asan_rust" ||
  fail "(h) the C tests do not link against the instrumented libpicomcp"
ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 "$OUT/test_api_asan_rust" >"$OUT/asan-rust.log" 2>&1 || {
  tail -n 60 "$OUT/asan-rust.log"
  fail "(h) AddressSanitizer reported a problem in libpicomcp, or a test failed (full log: $OUT/asan-rust.log)"
}
tail -n 1 "$OUT/asan-rust.log"
ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions="$PWD/tests/c/lsan.supp" "${ASAN_RUST[@]}" test -q --tests --target "$HOST" --target-dir target/asan \
  -p picomcp -p picomcp-engine -p picomcp-ffi --features picomcp/std,picomcp/http >"$OUT/asan-rust-tests.log" 2>&1 || {
  tail -n 60 "$OUT/asan-rust-tests.log"
  fail "(h) a Rust test failed, or AddressSanitizer reported a problem (full log: $OUT/asan-rust-tests.log)"
}
echo "ok: the Rust tests of picomcp, picomcp-engine and picomcp-ffi pass under AddressSanitizer ($(grep -c '^test result: ok' "$OUT/asan-rust-tests.log") test binaries)"

step "(e) no_std build for thumbv7em-none-eabihf links without an allocator"
TARGET=thumbv7em-none-eabihf
if ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  echo "the Rust target $TARGET is not installed: adding it with rustup (needed for this step)"
  rustup target add "$TARGET" || fail "(e) could not add the $TARGET target"
fi
cargo build --release -p picomcp-ffi --no-default-features --target "$TARGET" ||
  fail "(e) the no_std C library does not build for $TARGET"
NOSTD_LIB="target/$TARGET/release/libpicomcp.a"
[ -f "$NOSTD_LIB" ] || fail "(e) $NOSTD_LIB missing"
NM=""
for candidate in arm-none-eabi-nm llvm-nm nm; do
  if command -v "$candidate" >/dev/null 2>&1; then NM=$candidate; break; fi
done
[ -n "$NM" ] || fail "(e) no nm found (arm-none-eabi-nm, llvm-nm or nm)"
# Read the symbol table once into files (grep -q on a pipe would cut nm off under pipefail).
"$NM" "$NOSTD_LIB" >"$OUT/nostd.nm" 2>/dev/null || fail "(e) $NM could not read $NOSTD_LIB"
awk '$1 == "U" {print $2}' "$OUT/nostd.nm" | sort -u >"$OUT/nostd.undefined"
awk 'NF == 3 && $2 ~ /^[A-Z]$/ && $2 != "U" {print $3}' "$OUT/nostd.nm" | sort -u >"$OUT/nostd.defined"
forbidden='^(malloc|free|calloc|realloc|aligned_alloc|posix_memalign|__rust_alloc|__rust_dealloc|__rust_realloc|__rust_alloc_zeroed|__rg_alloc|__rust_alloc_error_handler|__rust_no_alloc_shim_is_unstable)$'
echo "checked with $NM: the undefined symbols of every object in $NOSTD_LIB ($(wc -l <"$OUT/nostd.undefined") names);"
echo "  none may be malloc, free, calloc, realloc, aligned_alloc, posix_memalign, __rust_alloc*, __rg_alloc"
bad=$(grep -E "$forbidden" "$OUT/nostd.undefined" || true)
[ -z "$bad" ] || fail "(e) the no_std library needs an allocator: $(echo $bad)"
echo "ok: no allocator symbol is undefined"
echo "left for the firmware's link to provide (libc/compiler runtime): $(comm -23 "$OUT/nostd.undefined" "$OUT/nostd.defined" | tr '\n' ' ')"
grep -qx 'picomcp_server_init' "$OUT/nostd.defined" || fail "(e) picomcp_server_init is not defined in $NOSTD_LIB"
! grep -qx 'picomcp_server_new' "$OUT/nostd.defined" || fail "(e) picomcp_server_new (std only) is in the no_std library"
# The header compiles in no_std mode (for the host compiler, a syntax check).
printf '#define PICOMCP_NO_STD\n#include "picomcp.h"\n#ifdef PICOMCP_STD\n#error PICOMCP_STD\n#endif\nint main(void){return picomcp_storage_size(0)==0;}\n' |
  "$CC" -std=c99 -Wall -Werror -Iinclude -fsyntax-only -x c - || fail "(e) picomcp.h does not compile with PICOMCP_NO_STD"
echo "ok: picomcp.h compiles with PICOMCP_NO_STD and hides the std-only functions"

step "(g) the README's C quick start is examples/c/hello.c, which builds and runs"
python3 - <<'PY' || fail "(g) README.md does not show examples/c/hello.c verbatim in its C quick start"
import sys
readme = open("README.md", encoding="utf-8").read()
hello = open("examples/c/hello.c", encoding="utf-8").read()
sys.exit(0 if "```c\n" + hello + "```" in readme else 1)
PY
"$CC" -std=c11 -Wall -Wextra -Wpedantic -Werror -Iinclude examples/c/hello.c "$LIB/libpicomcp.a" -lpthread -ldl -lm \
  -o "$OUT/hello" || fail "(g) examples/c/hello.c does not build"
hello_out=$(printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}' | "$OUT/hello")
case "$hello_out" in
  '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hi"}]'*) echo "hello.c answers: $hello_out" ;;
  *) fail "(g) examples/c/hello.c answered: $hello_out" ;;
esac

step "(f) include/picomcp.h matches ffi-c (cargo run -p picomcp-header -- --check)"
cargo run -q -p picomcp-header -- --check || fail "(f) include/picomcp.h is stale: run cargo run -p picomcp-header"

printf '\nall C ABI checks passed\n'
