#!/usr/bin/env bash
# Build libpicomcp and the C demo server (examples/c/demo.c) two ways, and check both start:
#
#   target/c/picomcp-c-demo         libpicomcp.a linked in: one plain cc line,
#       cc -std=c11 -O2 -Iinclude examples/c/demo.c target/release/libpicomcp.a \
#          -lutil -lrt -lpthread -lm -ldl -o target/c/picomcp-c-demo
#   target/c/picomcp-c-demo-shared  against libpicomcp.so, flags from pkg-config
#       (target/c/pkgconfig/picomcp.pc, made here from ffi-c/picomcp.pc.in), with an rpath
#       to the library's directory so it runs without LD_LIBRARY_PATH
#
#   examples/c/build.sh
#
# Environment: CC (default cc); WARNINGS (default -Wall -Wextra -Wpedantic -Werror, the
# demo builds warning-free). The system libraries after libpicomcp.a are what
# `cargo rustc --release -p picomcp-ffi -- --print native-static-libs` lists for Linux
# with glibc (-lgcc_s and -lc the compiler adds itself); on glibc 2.34 or newer they are
# all part of libc, and other systems may need others: ask that command there.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

CC="${CC:-cc}"
read -r -a warnings <<<"${WARNINGS:--Wall -Wextra -Wpedantic -Werror}"

fail() {
    echo "build.sh: $*" >&2
    exit 1
}

run() {
    echo "+ $*" >&2
    "$@"
}

command -v "$CC" >/dev/null 2>&1 || fail "no C compiler '$CC' (set CC)"
command -v pkg-config >/dev/null 2>&1 || fail "pkg-config is not on PATH (apt-get install pkg-config)"

run cargo build --release -p picomcp-ffi
mkdir -p target/c/pkgconfig

# 1. Static: the plain cc line the README shows (plus the warning flags).
run "$CC" "${warnings[@]}" -std=c11 -O2 -Iinclude examples/c/demo.c target/release/libpicomcp.a \
    -lutil -lrt -lpthread -lm -ldl -o target/c/picomcp-c-demo

# 2. Shared, through pkg-config: a picomcp.pc for this checkout (the version from the header).
version="$(sed -n 's/^#define PICOMCP_VERSION "\(.*\)"$/\1/p' include/picomcp.h)"
[ -n "$version" ] || fail "no PICOMCP_VERSION in include/picomcp.h"
sed -e "s|@prefix@|$repo|" -e "s|@includedir@|$repo/include|" -e "s|@libdir@|$repo/target/release|" \
    -e "s|@version@|$version|" ffi-c/picomcp.pc.in >target/c/pkgconfig/picomcp.pc
export PKG_CONFIG_PATH="$repo/target/c/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
[ "$(pkg-config --modversion picomcp)" = "$version" ] || fail "pkg-config does not find picomcp $version"
libdir="$(pkg-config --variable=libdir picomcp)"
# shellcheck disable=SC2046 # pkg-config's output is meant to be split into words
run "$CC" "${warnings[@]}" -std=c11 -O2 examples/c/demo.c $(pkg-config --cflags --libs picomcp) \
    -Wl,-rpath,"$libdir" -o target/c/picomcp-c-demo-shared

# 3. Both start, and the shared one really uses libpicomcp.so.
for demo in target/c/picomcp-c-demo target/c/picomcp-c-demo-shared; do
    out="$("$demo" --version)" || fail "$demo --version failed"
    [ "$out" = "picomcp-c-demo $version" ] || fail "$demo --version printed '$out', not 'picomcp-c-demo $version'"
    echo "build.sh: $demo: $out" >&2
done
if command -v ldd >/dev/null 2>&1; then
    case "$(ldd target/c/picomcp-c-demo-shared)" in
        *libpicomcp.so*) ;;
        *) fail "picomcp-c-demo-shared does not load libpicomcp.so" ;;
    esac
    case "$(ldd target/c/picomcp-c-demo)" in
        *libpicomcp.so*) fail "picomcp-c-demo loads libpicomcp.so (meant to be static)" ;;
    esac
fi
