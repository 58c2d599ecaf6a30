#!/usr/bin/env bash
# Boot a Cortex-M firmware image in QEMU with the board's UART0 on this process's
# stdin/stdout, so that an MCP client can spawn it exactly like a stdio MCP server:
#
#   scripts/embedded/qemu-run.sh FIRMWARE.elf
#   PICOMCP_DEMO_CMD="scripts/embedded/qemu-run.sh FW.elf" tests/python/run.sh
#
# - stdout carries only the bytes the firmware writes to UART0. The semihosting console
#   (hprintln!/heprintln!) and QEMU's own messages go to stderr.
# - QEMU never gets our stdin or stdout: it reads and writes the serial line through two
#   FIFOs of this script's, relayed by `cat`. QEMU's stdio chardev makes both of its
#   descriptors non-blocking, and that flag would land on the open files the caller
#   shares with us (a later writer to a shared stdout would get EAGAIN).
# - When stdin reaches EOF, one EOT byte (0x04) goes down the serial line; the firmware
#   finishes and leaves through semihosting SYS_EXIT. If QEMU still runs
#   PICOMCP_QEMU_GRACE seconds later, it is killed.
# - Exit status: QEMU's (0 for a successful semihosting exit, 1 for a failure exit),
#   124 when the grace period ran out, 143 on SIGTERM, 130 on SIGINT. QEMU dies with
#   this script, even when the script is killed with SIGKILL (setpriv --pdeathsig).
#
# Environment:
#   PICOMCP_QEMU_MACHINE  the board (default mps2-an386, Cortex-M4F, for thumbv7em-none-eabihf;
#                         mps2-an385, Cortex-M3, for thumbv6m-none-eabi images)
#   PICOMCP_QEMU_GRACE    seconds between EOF on stdin and killing QEMU (default 5)
set -euo pipefail

fail() {
    echo "qemu-run.sh: $*" >&2
    exit 2
}

[ $# -eq 1 ] || fail "usage: qemu-run.sh FIRMWARE.elf"
elf=$1
[ -f "$elf" ] || fail "no firmware image at $elf (build it first)"
machine=${PICOMCP_QEMU_MACHINE:-mps2-an386}
grace=${PICOMCP_QEMU_GRACE:-5}
[[ $grace =~ ^[0-9]+([.][0-9]+)?$ ]] || fail "PICOMCP_QEMU_GRACE must be a number of seconds, not '$grace'"
command -v qemu-system-arm >/dev/null 2>&1 || fail "qemu-system-arm not found; run scripts/embedded/setup.sh"
command -v setpriv >/dev/null 2>&1 || fail "setpriv not found (util-linux); it ties QEMU's life to this script's"

dir=$(mktemp -d)
mkfifo "$dir/uart0-in" "$dir/uart0-out" "$dir/events"
qemu_pid=
feed_pid=
relay_pid=
cleanup() {
    # Whatever ended us: nothing we started may outlive us.
    if [ -n "$feed_pid" ]; then kill "$feed_pid" 2>/dev/null || true; fi
    if [ -n "$qemu_pid" ]; then
        kill "$qemu_pid" 2>/dev/null || true
        wait "$qemu_pid" 2>/dev/null || true
    fi
    if [ -n "$relay_pid" ]; then kill "$relay_pid" 2>/dev/null || true; fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# -display none -monitor none, not -nographic: that would put the monitor on stdio.
# signal=off: a ^C byte on the line is data, not a signal to QEMU.
# Semihosting (target=native) goes to QEMU's stderr, as no chardev is given for it.
setpriv --pdeathsig TERM qemu-system-arm -machine "$machine" -display none -monitor none \
    -chardev stdio,id=uart0,signal=off -serial chardev:uart0 \
    -semihosting-config enable=on,target=native \
    -kernel "$elf" <"$dir/uart0-in" >"$dir/uart0-out" &
qemu_pid=$!

# Our ends of the FIFOs (each open of uart0-* waits for QEMU's), then the names go: from
# here on nothing is left on disk, even if we are killed with SIGKILL.
#   fd 3  stdin -> UART0. Held until we exit, so QEMU never sees EOF (it gets EOT).
#   fd 5  UART0 -> stdout.
#   fd 6  events from the two relays below: "eof" (stdin ended) and "exit" (QEMU closed
#         the serial output, i.e. it exited). Opened read-write, so it never blocks.
exec 3>"$dir/uart0-in" 5<"$dir/uart0-out" 6<>"$dir/events"
rm -rf "$dir"

# Events come through fd 6 rather than from `wait -n`: bash 5.2's `wait -n` can miss a
# job that ended while the script was starting another one, and then sleeps until some
# other child ends (seen here: QEMU gone, the script waiting out the grace period).
{ setpriv --pdeathsig TERM cat <&5; echo exit >&6; } 3>&- &
relay_pid=$!
# A background job's stdin is /dev/null: hence the detour through fd 4. EOF on stdin
# becomes one EOT byte on the line, sent after the event (it may block if QEMU stopped
# reading; the grace period still runs).
exec 4<&0
{ setpriv --pdeathsig TERM cat <&4 >&3; echo eof >&6; printf '\004' >&3; } 5<&- >/dev/null 2>&1 &
feed_pid=$!
exec 4<&- 5<&- 0</dev/null 1>/dev/null # only the relays hold our stdin and stdout

status=
event=
read -r -u 6 event || true
if [ "$event" = eof ]; then
    if ! read -r -t "$grace" -u 6 event; then
        echo "qemu-run.sh: the firmware did not exit within ${grace}s of EOF on stdin; stopping QEMU" >&2
        kill "$qemu_pid" 2>/dev/null || true
        status=124
    fi
fi
qemu_status=0
wait "$qemu_pid" || qemu_status=$? # a plain wait on one pid: reliable even if it has ended
qemu_pid=
# Let the output relay pass the last bytes on before we report QEMU's status.
wait "$relay_pid" || true
relay_pid=
exit "${status:-$qemu_status}"
