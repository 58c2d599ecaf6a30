//! # picomcp-ffi: the C ABI of picomcp
//!
//! `libpicomcp.a` / `libpicomcp.so` and `include/picomcp.h` (generated from this crate by
//! `ffi-c/header`). A thin skin over the core's sans-IO API: descriptors are copied into
//! the server's memory and served through the core's `Registry`, calls reach C
//! callbacks through the core's `Handler`, answers are written into a core `Draft` and
//! sent by the core. No protocol rule lives here.
//!
//! Memory: a server lives in one block the caller provides (`picomcp_storage_size`, then
//! `picomcp_server_init`), divided at creation; nothing is allocated afterwards. With the
//! `std` feature (default), `picomcp_server_new` takes the block from the allocator and
//! the stdio and HTTP drivers exist. Without it the library is `no_std` and needs no
//! allocator (firmware).
//!
//! Panics: the core is written not to panic (its lints deny panicking constructs), and the
//! release profile aborts on panic; an `extern "C"` function that panicked aborts rather
//! than unwinding into C. The `no_std` build carries a panic handler that parks the CPU.
#![cfg_attr(not(feature = "std"), no_std)]
// The C boundary is unsafe by nature; every unsafe block says why it holds.
#![allow(unsafe_code)]

mod access;
mod answer;
mod args;
mod call;
mod catalog;
mod io;
mod server;
mod status;
mod text;
mod writers;

pub use access::*;
pub use answer::*;
pub use args::*;
pub use call::*;
pub use catalog::{
    PICOMCP_HINT_FALSE, PICOMCP_HINT_TRUE, PICOMCP_HINT_UNSET, picomcp_handler, picomcp_hint, picomcp_prompt,
    picomcp_prompt_argument, picomcp_resource, picomcp_template, picomcp_tool, picomcp_tool_annotations,
};
pub use io::*;
pub use server::*;
pub use status::*;
pub use text::PICOMCP_STRLEN;
pub use writers::*;

/// The library's version, `"MAJOR.MINOR.PATCH"` (NUL-terminated, static).
#[unsafe(no_mangle)]
pub extern "C" fn picomcp_version() -> *const core::ffi::c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(all(not(feature = "std"), not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {
        core::hint::spin_loop();
    }
}
