//! What both benchmark drivers share: byte-level helpers to read and write JSON-RPC
//! without a JSON library (so the drivers cost the servers under test as little as
//! possible), and process facts read from the system.

use std::path::PathBuf;

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

/// Reads VmHWM (peak resident set size, KiB) from `/proc/<pid>/status`.
pub fn peak_rss_kib(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("reading /proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| format!("no VmHWM in /proc/{pid}/status"))
}

/// The full path of a program found on `PATH`.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file())
}
