//! Byte searches working on 8 bytes at a time (SWAR), without `unsafe`: a mask marks
//! candidate bytes in a word, an exact test confirms them, so a scan costs a few
//! instructions per 8 bytes instead of a few per byte.

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `x` that is zero. Bits above the lowest true one
/// may be false positives (a borrow); callers confirm each candidate.
#[inline]
const fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LO) & !x & HI
}

#[inline]
const fn equal(x: u64, b: u8) -> u64 {
    zero_bytes(x ^ (LO * b as u64))
}

/// The first position in `s` whose byte passes `exact`; `mask` must mark every such
/// byte in a word (and may mark others). On targets without 64-bit registers the
/// 64-bit word arithmetic costs more flash than it saves time, so they test byte by byte.
#[inline]
fn find(s: &[u8], mask: impl Fn(u64) -> u64, exact: impl Fn(u8) -> bool) -> Option<usize> {
    if cfg!(target_pointer_width = "64") { find_words(s, mask, &exact) } else { s.iter().position(|&b| exact(b)) }
}

/// [`find`], eight bytes at a time.
#[inline]
fn find_words(s: &[u8], mask: impl Fn(u64) -> u64, exact: &impl Fn(u8) -> bool) -> Option<usize> {
    let mut base = 0;
    for chunk in s.chunks_exact(8) {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        let mut m = mask(word);
        while m != 0 {
            let i = (m.trailing_zeros() / 8) as usize;
            if chunk.get(i).is_some_and(|&b| exact(b)) {
                return Some(base + i);
            }
            m &= m - 1;
        }
        base += 8;
    }
    s.get(base..)?.iter().position(|&b| exact(b)).map(|i| base + i)
}

/// `"` or `\`.
pub(crate) fn quote_or_escape(s: &[u8]) -> Option<usize> {
    find(s, |x| equal(x, b'"') | equal(x, b'\\'), |b| b == b'"' || b == b'\\')
}

/// `"`, `{`, `}`, `[` or `]`. The brackets are the bytes equal to 0x59 under the
/// mask 0xD9 (with `Y`, `_`, `y` and DEL as harmless extra candidates).
pub(crate) fn structural(s: &[u8]) -> Option<usize> {
    find(
        s,
        |x| equal(x, b'"') | zero_bytes((x & (LO * 0xD9)) ^ (LO * 0x59)),
        |b| matches!(b, b'"' | b'{' | b'}' | b'[' | b']'),
    )
}

/// What ends a plain run inside a string: `"`, `\`, a control byte, or a non-ASCII byte.
pub(crate) fn string_special(s: &[u8]) -> Option<usize> {
    find(
        s,
        |x| equal(x, b'"') | equal(x, b'\\') | (x.wrapping_sub(LO * 0x20) & !x & HI) | (x & HI),
        |b| b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b),
    )
}

/// What must be escaped inside a JSON string: `"`, `\\` or a control byte.
pub(crate) fn needs_escape(s: &[u8]) -> Option<usize> {
    find(
        s,
        |x| equal(x, b'"') | equal(x, b'\\') | (x.wrapping_sub(LO * 0x20) & !x & HI),
        |b| b == b'"' || b == b'\\' || b < 0x20,
    )
}

/// A line break (`\n` or `\r`).
pub(crate) fn line_break(s: &[u8]) -> Option<usize> {
    find(s, |x| equal(x, b'\n') | equal(x, b'\r'), |b| b == b'\n' || b == b'\r')
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    /// The word-at-a-time searches agree with a plain byte-by-byte search.
    #[test]
    fn swar_scans_match_naive_search() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let alphabet = b"\"\\{}[]Y_y\x7f\x1f\x00\n\r a\x80\xffz0";
        for len in 0..80 {
            for _ in 0..40 {
                let bytes: std::vec::Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        // Mostly plain letters, sometimes a special byte.
                        if seed % 5 == 0 {
                            alphabet[(seed / 5) as usize % alphabet.len()]
                        } else {
                            b'a' + (seed % 26) as u8
                        }
                    })
                    .collect();
                let naive = |f: fn(u8) -> bool| bytes.iter().position(|&b| f(b));
                assert_eq!(quote_or_escape(&bytes), naive(|b| b == b'"' || b == b'\\'));
                assert_eq!(structural(&bytes), naive(|b| matches!(b, b'"' | b'{' | b'}' | b'[' | b']')));
                assert_eq!(needs_escape(&bytes), naive(|b| b == b'"' || b == b'\\' || b < 0x20));
                assert_eq!(line_break(&bytes), naive(|b| b == b'\n' || b == b'\r'));
                assert_eq!(string_special(&bytes), naive(|b| b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b)));
            }
        }
    }
}
