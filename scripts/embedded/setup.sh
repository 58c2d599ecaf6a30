#!/usr/bin/env bash
# Installs what building the Cortex-M firmware (examples/firmware) and running it under
# QEMU needs, then prints the versions. Idempotent and quiet; well under a second when
# everything is already there.
#
#   scripts/embedded/setup.sh
#
# - Rust: rustup's prebuilt rust-std for thumbv7em-none-eabihf (mps2-an386, Cortex-M4F)
#   and thumbv6m-none-eabi (mps2-an385 runs it; Cortex-M0 code), added to the toolchain
#   that examples/firmware uses (a rust-toolchain.toml there or above it is honoured).
#   The toolchain's bundled rust-lld links the images.
# - Debian packages: qemu-system-arm (the mps2 boards) and binutils-arm-none-eabi
#   (arm-none-eabi-size for scripts/footprint.sh, objdump and nm for digging), installed
#   with apt-get, through sudo when not root. apt-get update runs only when something
#   has to be installed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
targets=(thumbv7em-none-eabihf thumbv6m-none-eabi)
packages=(qemu-system-arm binutils-arm-none-eabi)

log=$(mktemp)
trap 'rm -f "$log"' EXIT

fail() {
    echo "setup.sh: $*" >&2
    if [ -s "$log" ]; then
        echo "setup.sh: last lines of the output:" >&2
        tail -n 20 "$log" >&2
    fi
    exit 1
}

# rustup resolves the toolchain from the working directory: use the firmware's.
if [ -d "$repo/examples/firmware" ]; then
    cd "$repo/examples/firmware"
else
    cd "$repo"
fi

command -v rustup >/dev/null 2>&1 ||
    fail "rustup not found; install Rust with rustup: the Cortex-M targets come from it"

has_targets() {
    local sysroot t
    sysroot=$(rustc --print sysroot 2>/dev/null) || return 1
    for t in "${targets[@]}"; do
        [ -d "$sysroot/lib/rustlib/$t/lib" ] || return 1
    done
}

if ! has_targets; then
    timeout 300 rustup target add "${targets[@]}" >>"$log" 2>&1 ||
        fail "'rustup target add ${targets[*]}' failed (is the network reachable?)"
    has_targets || fail "rustup added ${targets[*]}, but rustc's sysroot still lacks them"
fi

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

missing=()
for p in "${packages[@]}"; do
    installed "$p" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null 2>&1 ||
        fail "missing ${missing[*]} and no apt-get here; install QEMU (qemu-system-arm) and GNU binutils for arm-none-eabi yourself"
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || fail "missing ${missing[*]}; run this script as root or install sudo"
        sudo=(sudo)
    fi
    echo "setup.sh: installing ${missing[*]} with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq >>"$log" 2>&1 || fail "apt-get update failed"
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1 ||
        fail "apt-get install ${missing[*]} failed"
fi

command -v qemu-system-arm >/dev/null 2>&1 || fail "qemu-system-arm is installed but not on PATH"
command -v arm-none-eabi-size >/dev/null 2>&1 || fail "arm-none-eabi-size is installed but not on PATH"

echo "rust:   $(rustc --version), targets: $(rustup target list --installed | grep '^thumb' | xargs)"
echo "qemu:   $(qemu-system-arm --version | head -n 1)"
echo "size:   $(arm-none-eabi-size --version | head -n 1)"
