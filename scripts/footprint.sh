#!/usr/bin/env bash
# Flash, static RAM and measured stack of the Cortex-M firmware, and what the core costs.
#
#   scripts/footprint.sh            report, and say whether the targets are met
#   scripts/footprint.sh --check    also exit non-zero when they are not
#
# For thumbv7em-none-eabihf and thumbv6m-none-eabi, builds two images of examples/firmware
# (cargo build --release --target T, run inside that crate, which has its own workspace
# and .cargo/config.toml):
#
#   picomcp-firmware  the demo server of docs/demo-contract.md on UART0
#   board-only        the board glue alone (UART, timer, semihosting exit): the baseline
#
# and reports, in bytes:
#
#   flash       .vector_table + .text + .rodata + .data   (arm-none-eabi-size -A)
#   static RAM  .data + .bss (+ cortex-m-rt's .uninit, normally empty)
#   stack       the high-water mark the firmware reports on stderr as
#               {"stack_high_water":N} when it exits, after a representative workload
#               under QEMU (scripts/embedded/qemu-run.sh; thumbv7em on mps2-an386,
#               thumbv6m on mps2-an385): the "> " lines of every tests/transcripts/*.jsonl
#               file, written in one go. board-only gets the same input.
#
# The core's share is the difference demo − board-only. The thumbv6m demo (the smallest
# target, Cortex-M0) should fit flash ≤ 48 KiB and static RAM + stack ≤ 12 KiB; with
# --check the script exits non-zero when it does not (the test command runs it so).
#
# Needs scripts/embedded/setup.sh to have run (thumb targets, QEMU, arm-none-eabi-size).
# PICOMCP_FIRMWARE_DIR names another firmware crate with the same two binaries (default
# examples/firmware).
set -euo pipefail

check=0
[ "${1:-}" = --check ] && check=1

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
firmware=${PICOMCP_FIRMWARE_DIR:-$repo/examples/firmware}
qemu_run=$repo/scripts/embedded/qemu-run.sh
targets=(thumbv7em-none-eabihf thumbv6m-none-eabi)
images=(picomcp-firmware board-only)
flash_budget=$((48 * 1024))
ram_budget=$((12 * 1024))

fail() {
    echo "footprint.sh: $*" >&2
    exit 1
}

if [ ! -d "$firmware" ]; then
    [ -n "${PICOMCP_FIRMWARE_DIR:-}" ] && fail "$firmware (PICOMCP_FIRMWARE_DIR) not found"
    fail "examples/firmware not found: the Cortex-M firmware crate is not there, nothing to measure"
fi
[ -f "$firmware/Cargo.toml" ] || fail "$firmware has no Cargo.toml"
command -v arm-none-eabi-size >/dev/null 2>&1 || fail "arm-none-eabi-size not found; run scripts/embedded/setup.sh"
command -v qemu-system-arm >/dev/null 2>&1 || fail "qemu-system-arm not found; run scripts/embedded/setup.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The workload: every request line of the golden transcripts, in one stream.
workload=$work/workload.jsonl
shopt -s nullglob
transcripts=("$repo"/tests/transcripts/*.jsonl)
[ ${#transcripts[@]} -gt 0 ] || fail "no tests/transcripts/*.jsonl to use as the workload"
sed -n 's/^> //p' "${transcripts[@]}" >"$workload"
[ -s "$workload" ] || fail "the transcripts hold no '> ' lines"

machine_for() {
    case $1 in
        thumbv7em-none-eabihf) echo mps2-an386 ;;
        thumbv6m-none-eabi) echo mps2-an385 ;;
        *) fail "no QEMU board known for $1" ;;
    esac
}

# Build both images for target $1 and list them in $work/bins-$1 as "name path" lines
# (cargo knows where its target directory is, so ask it rather than guess).
build() {
    local target=$1 log=$work/build-$1.json name path
    local bin_args=()
    for name in "${images[@]}"; do bin_args+=(--bin "$name"); done
    if ! (cd "$firmware" && cargo build -q --release --target "$target" "${bin_args[@]}" \
        --message-format=json-render-diagnostics >"$log"); then
        fail "cargo build --release --target $target ${bin_args[*]} failed in $firmware"
    fi
    grep -o '"executable":"[^"]*"' "$log" | sed 's/^"executable":"//; s/"$//' >"$work/paths" || true
    while read -r path; do
        echo "$(basename "$path") $path"
    done <"$work/paths" >"$work/bins-$target"
}

# Sum of the named sections in `arm-none-eabi-size -A` output of $1 (missing ones are 0).
sections() {
    local elf=$1
    shift
    arm-none-eabi-size -A "$elf" | awk -v want=" $* " '
        index(want, " " $1 " ") { sum += $2; found = 1 }
        END { print sum + 0 }'
}

# Stack high-water of image $2 (target $1) after the workload.
stack() {
    local target=$1 elf=$2 err=$work/stderr status=0 line
    PICOMCP_QEMU_MACHINE=$(machine_for "$target") "$qemu_run" "$elf" <"$workload" >/dev/null 2>"$err" || status=$?
    line=$(grep -o '"stack_high_water": *[0-9][0-9]*' "$err" | tail -n 1 || true)
    if [ "$status" -ne 0 ] || [ -z "$line" ]; then
        echo "footprint.sh: $(basename "$elf") ($target) under QEMU: exit status $status; its stderr:" >&2
        tail -n 20 "$err" >&2
        [ -n "$line" ] || fail "no {\"stack_high_water\":N} report from $(basename "$elf") on $target"
        fail "$(basename "$elf") on $target did not exit cleanly after the workload"
    fi
    echo "${line##*[^0-9]}"
}

kib() {
    awk -v b="$1" 'BEGIN { printf "%d (%.1f KiB)", b, b / 1024 }'
}

declare -A flash ram stk
for target in "${targets[@]}"; do
    build "$target"
    declare -A path=()
    while read -r name elf; do path[$name]=$elf; done <"$work/bins-$target"
    for name in "${images[@]}"; do
        elf=${path[$name]:-}
        [ -n "$elf" ] && [ -f "$elf" ] || fail "cargo built no $name for $target in $firmware"
        flash[$target/$name]=$(sections "$elf" .vector_table .text .rodata .data)
        ram[$target/$name]=$(sections "$elf" .data .bss .uninit)
        stk[$target/$name]=$(stack "$target" "$elf")
    done
    unset path
done

echo "| target | image | flash | static RAM | stack high-water | static RAM + stack |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
for target in "${targets[@]}"; do
    for name in "${images[@]}"; do
        k=$target/$name
        echo "| $target | $name | $(kib "${flash[$k]}") | $(kib "${ram[$k]}") | ${stk[$k]} | $(kib $((ram[$k] + stk[$k]))) |"
    done
    d=$target/picomcp-firmware b=$target/board-only
    df=$((flash[$d] - flash[$b])) dr=$((ram[$d] - ram[$b])) ds=$((stk[$d] - stk[$b]))
    echo "| $target | core's share (demo − board-only) | $(kib $df) | $(kib $dr) | $ds | $(kib $((dr + ds))) |"
done

k=thumbv6m-none-eabi/picomcp-firmware
total=$((ram[$k] + stk[$k]))
over=0
echo
if [ "${flash[$k]}" -gt "$flash_budget" ]; then
    echo "footprint.sh: OVER BUDGET: the thumbv6m demo needs $(kib "${flash[$k]}") of flash; the target is at most $(kib $flash_budget)" >&2
    over=1
fi
if [ "$total" -gt "$ram_budget" ]; then
    echo "footprint.sh: OVER BUDGET: the thumbv6m demo needs $(kib "$total") of static RAM + stack; the target is at most $(kib $ram_budget)" >&2
    over=1
fi
if [ "$over" = 1 ]; then
    [ "$check" = 1 ] && exit 1
    exit 0
fi
echo "thumbv6m demo within its targets: flash $(kib "${flash[$k]}") ≤ $(kib $flash_budget), static RAM + stack $(kib "$total") ≤ $(kib $ram_budget)"
