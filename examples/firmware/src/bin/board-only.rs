//! The baseline for the footprint report: the board glue alone (UART, SysTick clock,
//! sleep, semihosting exit), echoing the serial line back, without picomcp. The
//! difference to `picomcp-firmware` is what the core and the demo contract cost.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

use cortex_m_rt::entry;
use embedded_io::Write;
use picomcp_firmware::{exit, init, sleep};

#[entry]
fn main() -> ! {
    let (mut uart, clock) = init();
    let mut buf = [0u8; 64];
    loop {
        let (n, end_of_input) = uart.read_available(&mut buf);
        let _ = uart.write_all(buf.get(..n).unwrap_or_default());
        if end_of_input {
            exit(true);
        }
        if n == 0 {
            sleep(&uart, clock.now_ms() == u32::MAX);
        }
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    exit(false)
}
