//! Timing and counting one operation.
//!
//! Each side is warmed up, then timed in batches sized to last about `batch` each; the
//! result is the median of the batches' ns/operation. Two sides compared are timed in
//! alternating batches (A B, B A, A B, ...), so a slow period of a shared machine hits
//! both alike. Allocations are counted in a separate, untimed pass.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::alloc;

/// How to measure.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Timed batches per side; the median is kept.
    pub batches: usize,
    /// About how long one batch lasts.
    pub batch: Duration,
    /// Untimed running before the batches, per side.
    pub warmup: Duration,
    /// Operations counted by the allocation pass.
    pub alloc_ops: u64,
}

/// What was measured for one side of one case.
#[derive(Clone, Copy, Debug)]
pub struct Result {
    /// Median ns/operation.
    pub ns: f64,
    /// Heap allocations per operation.
    pub allocs: f64,
}

impl Result {
    /// Operations per second at the median.
    pub fn ops_per_sec(&self) -> f64 {
        1e9 / self.ns
    }
}

/// Run `op` `n` times; how long that took.
fn batch<F: FnMut()>(op: &mut F, n: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..n {
        op();
    }
    start.elapsed()
}

/// Warm `op` up for `warmup`; how many operations make a batch of about `target`.
fn calibrate<F: FnMut()>(op: &mut F, warmup: Duration, target: Duration) -> u64 {
    let start = Instant::now();
    let mut done = 0u64;
    let mut step = 1u64;
    while start.elapsed() < warmup {
        batch(op, step);
        done += step;
        step = (step * 2).min(1 << 16);
    }
    let per_op = start.elapsed().as_secs_f64() / done.max(1) as f64;
    ((target.as_secs_f64() / per_op) as u64).max(1)
}

/// The median of `values` (not empty).
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 { values[mid] } else { (values[mid - 1] + values[mid]) / 2.0 }
}

/// Heap allocations per operation of `op`, over `n` untimed operations.
fn allocs<F: FnMut()>(op: &mut F, n: u64) -> f64 {
    alloc::count(|| {
        for _ in 0..n {
            op();
        }
    }) as f64
        / n as f64
}

/// Measure two sides of a case, in alternating batches.
pub fn pair<A: FnMut(), B: FnMut()>(s: &Settings, mut a: A, mut b: B) -> (Result, Result) {
    let (na, nb) = (calibrate(&mut a, s.warmup, s.batch), calibrate(&mut b, s.warmup, s.batch));
    let (mut ta, mut tb) = (Vec::with_capacity(s.batches), Vec::with_capacity(s.batches));
    for i in 0..s.batches {
        let mut time_a = || ta.push(batch(&mut a, na).as_nanos() as f64 / na as f64);
        let mut time_b = || tb.push(batch(&mut b, nb).as_nanos() as f64 / nb as f64);
        if i % 2 == 0 {
            time_a();
            time_b();
        } else {
            time_b();
            time_a();
        }
    }
    let ra = Result { ns: median(&mut ta), allocs: allocs(&mut a, s.alloc_ops) };
    let rb = Result { ns: median(&mut tb), allocs: allocs(&mut b, s.alloc_ops) };
    (ra, rb)
}

/// Measure one side alone (for the notes under the table).
pub fn single<A: FnMut()>(s: &Settings, mut a: A) -> Result {
    let n = calibrate(&mut a, s.warmup, s.batch);
    let mut t: Vec<f64> = (0..s.batches).map(|_| batch(&mut a, n).as_nanos() as f64 / n as f64).collect();
    Result { ns: median(&mut t), allocs: allocs(&mut a, s.alloc_ops) }
}

/// Keep the optimizer from dropping work whose result nobody reads.
#[inline(always)]
pub fn keep<T>(value: T) -> T {
    black_box(value)
}
