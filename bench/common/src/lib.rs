//! What the benchmark drivers (stdio, HTTP, soak) share: byte-level helpers to read and
//! write JSON-RPC without a JSON library (so the drivers cost the servers under test as
//! little as possible), and, in modules, the stdio wire and server process, the HTTP
//! server process, process facts from `/proc`, the command line and report figures.

use std::path::PathBuf;

pub mod cli;
pub mod fmt;
pub mod http_server;
pub mod procfs;
pub mod stdio;
pub mod wire;

/// The first position of `needle` (non-empty) in `haystack`.
pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let last_start = haystack.len().checked_sub(needle.len())?;
    let mut i = 0;
    while i <= last_start {
        let at = i + haystack[i..=last_start].iter().position(|&b| b == first)?;
        if &haystack[at + 1..at + needle.len()] == rest {
            return Some(at);
        }
        i = at + 1;
    }
    None
}

/// The bytes right after `"key":` when `key` is a key of the outermost object.
pub fn top_level_value<'a>(line: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let start = i + 1;
                let end = string_end(line, start)?;
                if depth == 1
                    && &line[start..end] == key
                    && let Some(value) = trim_start(&line[end + 1..]).strip_prefix(b":")
                {
                    return Some(trim_start(value));
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the quote closing the string whose contents start at `from`.
pub fn string_end(line: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < line.len() {
        match line[i] {
            b'\\' => i += 2,
            b'"' => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// `bytes` without leading and trailing ASCII whitespace.
pub fn trim(bytes: &[u8]) -> &[u8] {
    trim_end(trim_start(bytes))
}

/// `bytes` without leading ASCII whitespace.
pub fn trim_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[skip..]
}

/// `bytes` without trailing ASCII whitespace.
pub fn trim_end(bytes: &[u8]) -> &[u8] {
    let keep = bytes.len() - bytes.iter().rev().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[..keep]
}

/// Appends `n` in decimal without going through `fmt`.
pub fn push_decimal(buf: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[start..]);
}

/// The start of a message (300 characters), for error messages.
pub fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    match text.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

/// The full path of a program found on `PATH`.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file())
}

/// The value at `pct` percent of `sorted` (ascending; nearest rank); 0 when it is empty.
pub fn percentile(sorted: &[u64], pct: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((pct / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 50.0), 50);
        assert_eq!(percentile(&v, 99.0), 99);
        assert_eq!(percentile(&[7], 99.0), 7);
        assert_eq!(percentile(&[], 50.0), 0);
    }

    #[test]
    fn excerpts_are_cut_at_300_characters() {
        assert_eq!(excerpt(b"short"), "short");
        assert_eq!(excerpt("é".repeat(400).as_bytes()).chars().count(), 301);
    }
}
