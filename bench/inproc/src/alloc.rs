//! A counting global allocator: the system allocator, plus a count of every allocation
//! (`alloc`, `alloc_zeroed` and `realloc`, like the stdio bench's LD_PRELOAD shim counts
//! malloc, calloc and realloc) while counting is switched on.
//!
//! Counting is off while timing: the hot path then pays one relaxed load of a flag that
//! never changes, not an atomic increment per allocation, so counting does not slow the
//! side that allocates more. The counts come from a separate, untimed pass.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The system allocator, counting.
pub struct Counting;

static ON: AtomicBool = AtomicBool::new(false);
static COUNT: AtomicU64 = AtomicU64::new(0);

impl Counting {
    #[inline(always)]
    fn count() {
        if ON.load(Ordering::Relaxed) {
            COUNT.fetch_add(1, Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is forwarded unchanged to `System`, which upholds the contract.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        Self::count();
        // SAFETY: the caller's guarantees are passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        Self::count();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        Self::count();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// How many allocations `f` makes (the bench is single-threaded, and nothing else runs
/// meanwhile: rmcp's runtime is a current-thread one).
pub fn count(f: impl FnOnce()) -> u64 {
    let before = COUNT.load(Ordering::SeqCst);
    ON.store(true, Ordering::SeqCst);
    f();
    ON.store(false, Ordering::SeqCst);
    COUNT.load(Ordering::SeqCst) - before
}
