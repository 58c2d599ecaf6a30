//! The newline framer: bytes fed in arbitrary splits into a small buffer. It never
//! panics, and the frames it gives are exactly the non-blank lines that fit, in order.

#![no_main]

use libfuzzer_sys::fuzz_target;
use picomcp::framing::{Line, LineBuffer};
use picomcp_fuzz::Splits;

const CAPACITY: usize = 32;

// The first byte seeds the sizes of the reads; the rest is the stream.
fuzz_target!(|input: &[u8]| {
    let Some((&seed, data)) = input.split_first() else { return };
    let mut splits = Splits::new(seed);
    let mut lines = LineBuffer::new([0u8; CAPACITY]);
    let mut got: Vec<Option<Vec<u8>>> = Vec::new();
    let mut rest = data;
    while !rest.is_empty() {
        let space = lines.space();
        assert!(!space.is_empty(), "space() must never be empty");
        let n = rest.len().min(space.len()).min(splits.next(40));
        space[..n].copy_from_slice(&rest[..n]);
        lines.commit(n);
        rest = &rest[n..];
        while let Some(line) = lines.next_line() {
            got.push(match line {
                Line::Frame(f) => Some(f.to_vec()),
                Line::TooLong => None,
            });
        }
    }
    if let Some(last) = lines.finish() {
        got.push(Some(last.to_vec()));
    }

    // What a reader with unbounded memory sees: non-blank lines, CR stripped; a line of
    // CAPACITY bytes or more (its newline excluded) is reported once as too long.
    let mut expected: Vec<Option<Vec<u8>>> = Vec::new();
    let blank = |l: &[u8]| l.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'));
    let mut pieces: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let last = pieces.pop().unwrap_or_default();
    for line in pieces {
        if line.len() >= CAPACITY {
            expected.push(None);
        } else if !blank(line) {
            expected.push(Some(line.strip_suffix(b"\r").unwrap_or(line).to_vec()));
        }
    }
    if last.len() >= CAPACITY {
        expected.push(None);
    } else if !blank(last) {
        expected.push(Some(last.to_vec()));
    }
    assert_eq!(got, expected);
});
