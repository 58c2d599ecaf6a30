//! The demo contract (`docs/demo-contract.md`) as a Cortex-M firmware: the picomcp core
//! serving MCP over UART0, newline-delimited, both protocol eras. No heap, no `unsafe`
//! here (the board glue in `lib.rs` has the only `unsafe`).
//!
//! Build and run (from this folder): `cargo build --release` (thumbv7em-none-eabihf, for
//! QEMU's mps2-an386), `cargo build --release --target thumbv6m-none-eabi` (Cortex-M0/M0+,
//! runs on mps2-an385), and `../../scripts/embedded/qemu-run.sh target/.../picomcp-firmware`
//! to serve on stdin/stdout.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

use cortex_m_rt::entry;
use picomcp::framing::{Line, LineBuffer};
use picomcp::{Buffers, Config, Implementation, Server};
use picomcp_demo_contract::Demo;
use picomcp_firmware::{Clock, Uart, console, exit, init, sleep};

/// Requests waiting for an answer at once (and `slow` calls waiting). More get a
/// JSON-RPC error saying so. Each costs a 120-byte slot.
const IN_FLIGHT: usize = 4;
/// Bytes of subscribed resource URIs (each costs its length plus 2).
const SUBSCRIPTION_BYTES: usize = 128;
/// The longest message accepted, in bytes; a longer line gets an error and is skipped.
const LINE_BYTES: usize = 2048;

/// Everything the server keeps, in `.bss` rather than on the stack.
struct State {
    line: [u8; LINE_BYTES],
    server: Server<Buffers<IN_FLIGHT, SUBSCRIPTION_BYTES>>,
    demo: Demo<Clock, IN_FLIGHT>,
}

const BANNER: &str = concat!(
    "picomcp-firmware ",
    env!("CARGO_PKG_VERSION"),
    ": an MCP server on UART0 (protocol revisions 2024-11-05 to 2026-07-28).\n",
    "Connect a client through QEMU:\n",
    "  MCP Inspector:  npx @modelcontextprotocol/inspector scripts/embedded/qemu-run.sh FIRMWARE.elf\n",
    "  Claude Desktop: {\"mcpServers\": {\"picomcp-firmware\": {\"command\": \"scripts/embedded/qemu-run.sh\", \"args\": [\"FIRMWARE.elf\"]}}}\n",
);

#[entry]
fn main() -> ! {
    let (mut uart, clock) = init();
    console(BANNER);
    let state = cortex_m::singleton!(: State = State {
        line: [0; LINE_BYTES],
        server: Server::new(Buffers::new(), Config::new()),
        demo: Demo::new(clock, Implementation::new("picomcp-firmware", env!("CARGO_PKG_VERSION"))),
    });
    let Some(State { line, server, demo }) = state else { exit(false) };
    let mut lines = LineBuffer::new(&mut line[..]);
    serve(&mut uart, &mut lines, server, demo)
}

/// The main loop: take what the UART holds, answer complete lines, let `slow` calls
/// progress, sleep until the next byte (or millisecond, while `slow` calls wait).
fn serve(
    uart: &mut Uart,
    lines: &mut LineBuffer<&mut [u8]>,
    server: &mut Server<Buffers<IN_FLIGHT, SUBSCRIPTION_BYTES>>,
    demo: &mut Demo<Clock, IN_FLIGHT>,
) -> ! {
    loop {
        let (n, end_of_input) = uart.read_available(lines.space());
        lines.commit(n);
        // The UART sink cannot fail, so results carry nothing to handle.
        while let Some(line) = lines.next_line() {
            let _ = match line {
                Line::Frame(frame) => server.receive(frame, uart, demo),
                Line::TooLong => server.reject_oversized(LINE_BYTES, uart),
            };
        }
        if end_of_input {
            if let Some(frame) = lines.finish() {
                let _ = server.receive(frame, uart, demo);
            }
            exit(true);
        }
        let _ = server.poll(uart, demo);
        if n == 0 {
            sleep(uart, demo.has_timers());
        }
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    exit(false)
}
