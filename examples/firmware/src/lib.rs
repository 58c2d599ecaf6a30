//! Board glue for QEMU's mps2-an386 (Cortex-M4F) and mps2-an385 (Cortex-M3) boards: the
//! CMSDK UART, a SysTick millisecond clock, sleeping, and leaving through semihosting.
//! This file and the small mem routines of `mem/` hold the only `unsafe` (memory-mapped
//! registers, linker symbols, C's `memcpy` contract); the picomcp core and the demo
//! contract have none.
//!
//! Porting to a real board means replacing this file: the UART driver (any
//! `embedded_io::Read`/`Write`), the clock (any millisecond counter), `sleep` (your
//! part's low-power wait), `exit` (a reset, or nothing) and `memory.x`.
#![no_std]

// The small mem routines replace the compiler runtime's (linked by name).
use picomcp_firmware_mem as _;

use core::convert::Infallible;
use core::sync::atomic::{AtomicU32, Ordering};

use cortex_m::interrupt::InterruptNumber;
use cortex_m::peripheral::NVIC;
use cortex_m_rt::STACK_PAINT_VALUE;
use cortex_m_semihosting::{debug, hio};
use embedded_io::{ErrorType, Write};

/// End of transmission: the host closed its side of the serial line (the QEMU runner
/// sends it when its stdin reaches end of file).
pub const EOT: u8 = 0x04;

/// UART0 of the mps2 boards (a CMSDK APB UART).
const UART0_BASE: usize = 0x4000_4000;

/// UART0's receive interrupt line. It only wakes `wfi`: PRIMASK stays set, so no handler
/// ever runs.
#[derive(Clone, Copy)]
struct Uart0Rx;

// SAFETY: 0 is a valid external interrupt number on these boards.
unsafe impl InterruptNumber for Uart0Rx {
    fn number(self) -> u16 {
        0
    }
}

/// The serial line: UART0, blocking writes, non-blocking reads.
pub struct Uart {
    base: usize,
}

impl Uart {
    const DATA: usize = 0x00;
    const STATE: usize = 0x04;
    const CTRL: usize = 0x08;
    const INTCLEAR: usize = 0x0c;
    const BAUDDIV: usize = 0x10;
    const STATE_TX_FULL: u32 = 1 << 0;
    const STATE_RX_FULL: u32 = 1 << 1;
    const CTRL_TX_EN: u32 = 1 << 0;
    const CTRL_RX_EN: u32 = 1 << 1;
    const CTRL_RX_IRQ_EN: u32 = 1 << 3;
    const INT_RX: u32 = 1 << 1;

    fn get(&self, reg: usize) -> u32 {
        reg_read(self.base + reg)
    }

    fn set(&self, reg: usize, value: u32) {
        reg_write(self.base + reg, value);
    }

    fn rx_ready(&self) -> bool {
        self.get(Self::STATE) & Self::STATE_RX_FULL != 0
    }

    /// Move the bytes the UART holds into `buf` without waiting, stopping at [`EOT`]:
    /// the count, and whether EOT arrived.
    pub fn read_available(&mut self, buf: &mut [u8]) -> (usize, bool) {
        let mut n = 0;
        while n < buf.len() && self.rx_ready() {
            let byte = self.get(Self::DATA) as u8;
            if byte == EOT {
                return (n, true);
            }
            if let Some(slot) = buf.get_mut(n) {
                *slot = byte;
            }
            n += 1;
        }
        (n, false)
    }
}

impl ErrorType for Uart {
    type Error = Infallible;
}

impl Write for Uart {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        for &byte in buf {
            while self.get(Self::STATE) & Self::STATE_TX_FULL != 0 {}
            self.set(Self::DATA, u32::from(byte));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Infallible> {
        while self.get(Self::STATE) & Self::STATE_TX_FULL != 0 {}
        Ok(())
    }
}

/// SysTick registers (the System Control Space is at the same place on every Cortex-M).
const SYST_CSR: usize = 0xE000_E010;
const SYST_RVR: usize = 0xE000_E014;
const SYST_CVR: usize = 0xE000_E018;
/// Interrupt Control and State Register, to clear a pending SysTick.
const SCB_ICSR: usize = 0xE000_ED04;
const CSR_ENABLE: u32 = 1 << 0;
const CSR_TICKINT: u32 = 1 << 1;
const CSR_CLKSOURCE_CPU: u32 = 1 << 2;
const CSR_COUNTFLAG: u32 = 1 << 16;
const ICSR_PENDSTCLR: u32 = 1 << 25;
/// The mps2 boards run the CPU (and so SysTick) at 25 MHz.
const CPU_HZ: u32 = 25_000_000;

fn reg_read(addr: usize) -> u32 {
    // SAFETY: only called with the UART0 registers (`Uart` exists only for UART0), and the
    // SysTick and SCB registers above, present on every Cortex-M.
    unsafe { core::ptr::read_volatile(addr as *const u32) }
}

fn reg_write(addr: usize, value: u32) {
    // SAFETY: as in `reg_read`.
    unsafe { core::ptr::write_volatile(addr as *mut u32, value) }
}

/// Milliseconds counted from SysTick wraps. Interrupts stay masked, so the count is
/// advanced by whoever reads the clock; it must be read at least once a millisecond
/// while timing matters (the main loop does, waking on every tick then).
static MILLIS: AtomicU32 = AtomicU32::new(0);

/// The SysTick millisecond clock (a handle: the count itself is board state).
#[derive(Clone, Copy)]
pub struct Clock(());

impl Clock {
    /// Milliseconds since boot (wrapping).
    pub fn now_ms(&self) -> u32 {
        // Reading the control register clears COUNTFLAG: one wrap, one millisecond.
        if reg_read(SYST_CSR) & CSR_COUNTFLAG != 0 {
            // Load and store only: thumbv6m has no atomic read-modify-write, and nothing
            // else runs (interrupts are masked).
            MILLIS.store(MILLIS.load(Ordering::Relaxed).wrapping_add(1), Ordering::Relaxed);
        }
        MILLIS.load(Ordering::Relaxed)
    }
}

impl picomcp_demo_contract::Clock for Clock {
    fn now_ms(&self) -> u32 {
        Clock::now_ms(self)
    }
}

/// The board, set up: UART0 on, SysTick counting milliseconds, interrupts masked.
pub fn init() -> (Uart, Clock) {
    // Interrupts stay masked for good: the UART and SysTick interrupts only wake `wfi`.
    cortex_m::interrupt::disable();
    let uart = Uart { base: UART0_BASE };
    uart.set(Uart::BAUDDIV, 16); // the smallest legal divider
    uart.set(Uart::CTRL, Uart::CTRL_TX_EN | Uart::CTRL_RX_EN | Uart::CTRL_RX_IRQ_EN);
    // Drop a stale byte. Under QEMU this read matters more: only a read of DATA makes QEMU
    // look at the host side again, so without it early input waits about a second.
    let _ = uart.get(Uart::DATA);
    // SAFETY: PRIMASK is set, so unmasking cannot start a handler.
    unsafe { NVIC::unmask(Uart0Rx) };
    reg_write(SYST_RVR, CPU_HZ / 1000 - 1);
    reg_write(SYST_CVR, 0);
    reg_write(SYST_CSR, CSR_ENABLE | CSR_CLKSOURCE_CPU);
    (uart, Clock(()))
}

/// Sleep until a byte arrives on the UART, or, with `tick`, until the next millisecond.
pub fn sleep(uart: &Uart, tick: bool) {
    let csr = CSR_ENABLE | CSR_CLKSOURCE_CPU | if tick { CSR_TICKINT } else { 0 };
    reg_write(SYST_CSR, csr);
    if !uart.rx_ready() {
        // A byte or tick that lands between the check and `wfi` leaves its interrupt
        // pending, so `wfi` returns at once.
        cortex_m::asm::wfi();
    }
    uart.set(Uart::INTCLEAR, Uart::INT_RX);
    NVIC::unpend(Uart0Rx);
    reg_write(SCB_ICSR, ICSR_PENDSTCLR);
}

/// Write `text` to the semihosting console (QEMU's stderr, never the UART).
pub fn console(text: &str) {
    if let Ok(mut stderr) = hio::hstderr() {
        let _ = stderr.write_all(text.as_bytes());
    }
}

/// Bytes of stack ever used, read off the paint cortex-m-rt's `paint-stack` lays down.
fn stack_high_water() -> u32 {
    unsafe extern "C" {
        static _stack_start: u32;
        static _stack_end: u32;
    }
    let top = &raw const _stack_start as usize;
    let mut p = &raw const _stack_end as usize;
    // SAFETY: the range lies in RAM, between the linker's stack symbols.
    while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == STACK_PAINT_VALUE {
        p += 4;
    }
    (top - p) as u32
}

/// Report the stack high-water mark on the console as `{"stack_high_water":N}` and stop
/// QEMU with success or failure.
pub fn exit(ok: bool) -> ! {
    let mut digits = [0u8; 10];
    let used = picomcp::json::u32_digits(stack_high_water(), &mut digits);
    console("{\"stack_high_water\":");
    console(core::str::from_utf8(used).unwrap_or("0"));
    console("}\n");
    debug::exit(if ok { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    loop {
        cortex_m::asm::wfi();
    }
}
