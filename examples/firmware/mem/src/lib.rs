//! Byte-at-a-time `memcpy`, `memmove` and `memset` (and the ARM EABI entry points), in
//! place of the compiler runtime's word-at-a-time versions: those are faster on long
//! copies but cost about 2 KiB of flash on Cortex-M0, and the server moves messages of a
//! few hundred bytes. `no_builtins` keeps the compiler from turning these loops back into
//! calls to the functions they define.
#![no_std]
#![no_builtins]

/// Copy `n` bytes forward (also right for overlapping regions with `dst` below `src`).
///
/// # Safety
///
/// `src` readable and `dst` writable for `n` bytes.
unsafe fn forward(dst: *mut u8, src: *const u8, n: usize) {
    for i in 0..n {
        // SAFETY: within the `n` bytes the caller vouches for.
        unsafe { *dst.add(i) = *src.add(i) };
    }
}

/// Copy `n` bytes backward (right for overlapping regions with `dst` above `src`).
///
/// # Safety
///
/// As [`forward`].
unsafe fn backward(dst: *mut u8, src: *const u8, n: usize) {
    for i in (0..n).rev() {
        // SAFETY: within the `n` bytes the caller vouches for.
        unsafe { *dst.add(i) = *src.add(i) };
    }
}

/// C `memcpy`.
///
/// # Safety
///
/// The C contract: `src` readable and `dst` writable for `n` bytes, not overlapping.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller's contract.
    unsafe { forward(dst, src, n) };
    dst
}

/// C `memmove`.
///
/// # Safety
///
/// The C contract: `src` readable and `dst` writable for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: the caller's contract; the direction keeps overlapping bytes intact.
    unsafe { if (dst as usize) < (src as usize) { forward(dst, src, n) } else { backward(dst, src, n) } };
    dst
}

/// C `memset`.
///
/// # Safety
///
/// The C contract: `dst` writable for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
    for i in 0..n {
        // SAFETY: within the `n` bytes the caller vouches for.
        unsafe { *dst.add(i) = c as u8 };
    }
    dst
}

/// Defines ARM EABI copy entry points (`dst`, `src`, `n`) on top of a C function.
macro_rules! eabi_copy {
    ($($name:ident => $to:ident),*) => {$(
        /// ARM EABI entry point.
        ///
        /// # Safety
        ///
        /// The C contract.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(dst: *mut u8, src: *const u8, n: usize) {
            // SAFETY: the caller's contract.
            unsafe { $to(dst, src, n) };
        }
    )*};
}

eabi_copy!(
    __aeabi_memcpy => memcpy, __aeabi_memcpy4 => memcpy, __aeabi_memcpy8 => memcpy,
    __aeabi_memmove => memmove, __aeabi_memmove4 => memmove, __aeabi_memmove8 => memmove
);

/// Defines ARM EABI fill (`dst`, `n`, `c`: length before value) and zero entry points.
macro_rules! eabi_fill {
    ($($set:ident, $clr:ident);*) => {$(
        /// ARM EABI entry point (length before value).
        ///
        /// # Safety
        ///
        /// The C contract.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $set(dst: *mut u8, n: usize, c: i32) {
            // SAFETY: the caller's contract.
            unsafe { memset(dst, c, n) };
        }

        /// ARM EABI entry point: zero `n` bytes.
        ///
        /// # Safety
        ///
        /// The C contract.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $clr(dst: *mut u8, n: usize) {
            // SAFETY: the caller's contract.
            unsafe { memset(dst, 0, n) };
        }
    )*};
}

eabi_fill!(__aeabi_memset, __aeabi_memclr; __aeabi_memset4, __aeabi_memclr4; __aeabi_memset8, __aeabi_memclr8);
