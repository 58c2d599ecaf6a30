//! The validating, zero-copy JSON reader.
//!
//! [`parse`] checks a whole JSON text once (UTF-8, grammar, escapes, lone surrogates,
//! nesting depth) and hands back a [`Value`] that borrows the input. Navigation after
//! that never allocates and never copies: objects, arrays and strings are views of the
//! original bytes, and a string is unescaped only when asked, into a caller's buffer.

use core::fmt;

/// Why a JSON text was rejected, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What was wrong.
    pub kind: ParseErrorKind,
    /// Byte offset of the problem in the input.
    pub offset: usize,
}

/// The kinds of [`ParseError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The input is not valid UTF-8.
    InvalidUtf8,
    /// The input ended inside a value (or was empty).
    UnexpectedEnd,
    /// A byte that cannot appear here.
    UnexpectedByte,
    /// A number that breaks the JSON number grammar.
    InvalidNumber,
    /// An unescaped control character inside a string.
    ControlCharacter,
    /// A backslash escape JSON does not define.
    InvalidEscape,
    /// A `\u` escape of a UTF-16 surrogate without its pair.
    LoneSurrogate,
    /// Objects and arrays nested deeper than the limit.
    TooDeep,
    /// Something other than whitespace after the value.
    TrailingCharacters,
}

impl ParseErrorKind {
    /// A short English description, used in JSON-RPC error messages.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::InvalidUtf8 => "invalid UTF-8",
            Self::UnexpectedEnd => "unexpected end of input",
            Self::UnexpectedByte => "unexpected character",
            Self::InvalidNumber => "invalid number",
            Self::ControlCharacter => "control character in string",
            Self::InvalidEscape => "invalid escape sequence",
            Self::LoneSurrogate => "lone UTF-16 surrogate in \\u escape",
            Self::TooDeep => "nesting too deep",
            Self::TrailingCharacters => "trailing characters after the value",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind.describe(), self.offset)
    }
}

/// The most nesting [`parse`] can track (deeper limits are clamped to this).
pub const MAX_DEPTH_LIMIT: usize = 256;

/// Validate `input` as one JSON text and return its value.
///
/// Leading and trailing JSON whitespace is allowed; anything else after the value is an
/// error. Objects and arrays may nest at most `max_depth` levels (clamped to
/// [`MAX_DEPTH_LIMIT`]).
///
/// ```
/// let v = picomcp::json::parse(br#" {"a": [1, "x\u00e9"]} "#, 16).unwrap();
/// let a = v.as_object().unwrap().get("a").unwrap();
/// assert_eq!(a.raw(), br#"[1, "x\u00e9"]"#);
/// assert!(picomcp::json::parse(b"[[[1]]]", 2).is_err());
/// ```
pub fn parse(input: &[u8], max_depth: usize) -> Result<Value<'_>, ParseError> {
    // Outside strings the grammar admits ASCII only, and strings check their UTF-8 as
    // they are scanned, so the whole text is UTF-8 once it passes: one pass, not two.
    let mut v = Validator { s: input, pos: 0, max_depth: max_depth.min(MAX_DEPTH_LIMIT) };
    v.skip_ws();
    let start = v.pos;
    v.value()?;
    let end = v.pos;
    v.skip_ws();
    if v.pos != input.len() {
        return Err(v.error(ParseErrorKind::TrailingCharacters));
    }
    Ok(Value { raw: input.get(start..end).unwrap_or_default() })
}

/// The single-pass grammar checker behind [`parse`].
struct Validator<'a> {
    s: &'a [u8],
    pos: usize,
    max_depth: usize,
}

/// One open container on the validator's explicit stack.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    Object,
    Array,
}

impl Validator<'_> {
    fn error(&self, kind: ParseErrorKind) -> ParseError {
        ParseError { kind, offset: self.pos }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_more(&self) -> Result<u8, ParseError> {
        self.peek().ok_or(self.error(ParseErrorKind::UnexpectedEnd))
    }

    /// One value, containers handled with an explicit stack (a bit per level).
    fn value(&mut self) -> Result<(), ParseError> {
        let mut stack = [0u64; MAX_DEPTH_LIMIT / 64];
        let mut depth = 0usize;
        let top = |stack: &[u64; MAX_DEPTH_LIMIT / 64], depth: usize| -> Open {
            let i = depth - 1;
            let word = stack.get(i / 64).copied().unwrap_or(0);
            if word >> (i % 64) & 1 == 1 { Open::Object } else { Open::Array }
        };
        'value: loop {
            // Parse a value start; containers push and continue with their first element.
            match self.expect_more()? {
                open @ (b'{' | b'[') => {
                    if depth >= self.max_depth {
                        return Err(self.error(ParseErrorKind::TooDeep));
                    }
                    let is_object = open == b'{';
                    if let Some(word) = stack.get_mut(depth / 64) {
                        let bit = 1u64 << (depth % 64);
                        *word = if is_object { *word | bit } else { *word & !bit };
                    }
                    depth += 1;
                    self.pos += 1;
                    self.skip_ws();
                    let close = if is_object { b'}' } else { b']' };
                    if self.expect_more()? == close {
                        self.pos += 1;
                        depth -= 1;
                    } else {
                        if is_object {
                            self.member_key()?;
                        }
                        continue 'value;
                    }
                }
                b'"' => self.string()?,
                b't' => self.literal(b"true")?,
                b'f' => self.literal(b"false")?,
                b'n' => self.literal(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return Err(self.error(ParseErrorKind::UnexpectedByte)),
            }
            // After a complete value: close containers or move to the next element.
            loop {
                if depth == 0 {
                    return Ok(());
                }
                self.skip_ws();
                let open = top(&stack, depth);
                match (self.expect_more()?, open) {
                    (b',', _) => {
                        self.pos += 1;
                        self.skip_ws();
                        if open == Open::Object {
                            self.member_key()?;
                        }
                        continue 'value;
                    }
                    (b'}', Open::Object) | (b']', Open::Array) => {
                        self.pos += 1;
                        depth -= 1;
                    }
                    _ => return Err(self.error(ParseErrorKind::UnexpectedByte)),
                }
            }
        }
    }

    /// `"key"` `:` and the whitespace before the member's value.
    fn member_key(&mut self) -> Result<(), ParseError> {
        if self.expect_more()? != b'"' {
            return Err(self.error(ParseErrorKind::UnexpectedByte));
        }
        self.string()?;
        self.skip_ws();
        if self.expect_more()? != b':' {
            return Err(self.error(ParseErrorKind::UnexpectedByte));
        }
        self.pos += 1;
        self.skip_ws();
        Ok(())
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), ParseError> {
        let end = self.pos + word.len();
        match self.s.get(self.pos..end) {
            Some(got) if got == word => {
                self.pos = end;
                Ok(())
            }
            Some(_) => Err(self.error(ParseErrorKind::UnexpectedByte)),
            None => Err(ParseError { kind: ParseErrorKind::UnexpectedEnd, offset: self.s.len() }),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<(), ParseError> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            None => return Err(self.error(ParseErrorKind::UnexpectedEnd)),
            Some(_) => return Err(self.error(ParseErrorKind::InvalidNumber)),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error(ParseErrorKind::InvalidNumber));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error(ParseErrorKind::InvalidNumber));
            }
        }
        Ok(())
    }

    /// One multi-byte UTF-8 character at `pos`.
    fn utf8_char(&mut self) -> Result<(), ParseError> {
        let len = match self.peek() {
            Some(0xC2..=0xDF) => 2,
            Some(0xE0..=0xEF) => 3,
            Some(0xF0..=0xF4) => 4,
            _ => 0,
        };
        let valid = len > 0 && self.s.get(self.pos..self.pos + len).is_some_and(|c| core::str::from_utf8(c).is_ok());
        if !valid {
            return Err(self.error(ParseErrorKind::InvalidUtf8));
        }
        self.pos += len;
        Ok(())
    }

    fn hex4(&mut self) -> Result<u16, ParseError> {
        let mut v = 0u16;
        for _ in 0..4 {
            let d = match self.expect_more()? {
                b @ b'0'..=b'9' => b - b'0',
                b @ b'a'..=b'f' => b - b'a' + 10,
                b @ b'A'..=b'F' => b - b'A' + 10,
                _ => return Err(self.error(ParseErrorKind::InvalidEscape)),
            };
            v = v << 4 | u16::from(d);
            self.pos += 1;
        }
        Ok(v)
    }

    /// A string starting at the opening quote.
    fn string(&mut self) -> Result<(), ParseError> {
        self.pos += 1;
        loop {
            // Fast scan over plain ASCII.
            let rest = self.s.get(self.pos..).unwrap_or_default();
            let plain = scan::string_special(rest);
            let Some(n) = plain else {
                self.pos = self.s.len();
                return Err(self.error(ParseErrorKind::UnexpectedEnd));
            };
            self.pos += n;
            if self.peek().is_some_and(|b| b >= 0x80) {
                self.utf8_char()?;
                continue;
            }
            match self.expect_more()? {
                b'"' => {
                    self.pos += 1;
                    return Ok(());
                }
                b'\\' => {
                    self.pos += 1;
                    match self.expect_more()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.pos += 1,
                        b'u' => {
                            let at = self.pos - 1;
                            self.pos += 1;
                            let unit = self.hex4()?;
                            if (0xDC00..0xE000).contains(&unit) {
                                return Err(ParseError { kind: ParseErrorKind::LoneSurrogate, offset: at });
                            }
                            if (0xD800..0xDC00).contains(&unit) {
                                let low = if self.s.get(self.pos..self.pos + 2) == Some(b"\\u") {
                                    self.pos += 2;
                                    self.hex4()?
                                } else {
                                    0
                                };
                                if !(0xDC00..0xE000).contains(&low) {
                                    return Err(ParseError { kind: ParseErrorKind::LoneSurrogate, offset: at });
                                }
                            }
                        }
                        _ => return Err(self.error(ParseErrorKind::InvalidEscape)),
                    }
                }
                _ => return Err(self.error(ParseErrorKind::ControlCharacter)),
            }
        }
    }
}

/// The JSON type of a [`Value`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool,
    /// A number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl Kind {
    /// The JSON Schema name of the type (`"object"`, `"string"`, …).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool => "boolean",
            Self::Number => "number",
            Self::String => "string",
            Self::Array => "array",
            Self::Object => "object",
        }
    }
}

/// A view of one validated JSON value: exactly its bytes, no surrounding whitespace.
///
/// Only [`parse`] (and navigation from its result) makes values, so every accessor can
/// rely on the text being valid JSON; none of them panics on any input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Value<'a> {
    raw: &'a [u8],
}

impl Value<'static> {
    /// `{}`.
    pub const EMPTY_OBJECT: Self = Self { raw: b"{}" };
}

impl<'a> Value<'a> {
    /// A view of text that is trusted to be JSON without checking it (descriptor text the
    /// host lent). Reading malformed text this way gives odd answers, never a panic; it
    /// must never be written out unchecked.
    pub(crate) fn trusted(text: &'a str) -> Self {
        Self { raw: text.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r')).as_bytes() }
    }
}

impl<'a> Value<'a> {
    /// The value's exact JSON text.
    pub const fn raw(self) -> &'a [u8] {
        self.raw
    }

    /// The value's exact JSON text as `str` (always valid UTF-8).
    pub fn raw_str(self) -> &'a str {
        core::str::from_utf8(self.raw).unwrap_or_default()
    }

    /// The JSON type.
    pub fn kind(self) -> Kind {
        match self.raw.first() {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            _ => Kind::Number,
        }
    }

    /// The object, if this is one.
    pub fn as_object(self) -> Option<Object<'a>> {
        (self.kind() == Kind::Object).then_some(Object { raw: self.raw })
    }

    /// The array, if this is one.
    pub fn as_array(self) -> Option<Array<'a>> {
        (self.kind() == Kind::Array).then_some(Array { raw: self.raw })
    }

    /// The string, if this is one (still escaped; see [`Str`]).
    pub fn as_str(self) -> Option<Str<'a>> {
        if self.kind() != Kind::String {
            return None;
        }
        let inner = self.raw.get(1..self.raw.len().saturating_sub(1))?;
        Some(Str { raw: inner })
    }

    /// The boolean, if this is one.
    pub fn as_bool(self) -> Option<bool> {
        match self.raw {
            b"true" => Some(true),
            b"false" => Some(false),
            _ => None,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(self) -> bool {
        self.raw == b"null"
    }

    /// The number as `f64` (the nearest double), if this is a number.
    pub fn as_f64(self) -> Option<f64> {
        if self.kind() != Kind::Number {
            return None;
        }
        self.raw_str().parse().ok()
    }

    /// The number as `i64`, if it is an integer in range (`2.0` and `2e3` count as
    /// integers, as in JSON Schema).
    pub fn as_i64(self) -> Option<i64> {
        if self.kind() != Kind::Number {
            return None;
        }
        if let Ok(v) = self.raw_str().parse::<i64>() {
            return Some(v);
        }
        let f = self.as_f64()?;
        // Integral and inside the range where the conversion is exact.
        let limit = 9_007_199_254_740_992.0; // 2^53
        (f >= -limit && f <= limit && f as i64 as f64 == f).then_some(f as i64)
    }

    /// The number as `u64`, if it is a non-negative integer in range.
    pub fn as_u64(self) -> Option<u64> {
        if let Ok(v) = self.raw_str().parse::<u64>() {
            return Some(v);
        }
        self.as_i64().and_then(|v| u64::try_from(v).ok())
    }

    /// Whether this is a number with an integral value (JSON Schema's `integer`).
    pub fn is_integer(self) -> bool {
        if self.kind() != Kind::Number {
            return false;
        }
        if !self.raw.iter().any(|&b| matches!(b, b'.' | b'e' | b'E')) {
            return true;
        }
        self.as_f64().is_some_and(|f| f.is_finite() && f == (f as i128) as f64)
    }
}

/// Byte-search helpers working on 8 bytes at a time (SWAR): a mask marks candidate
/// bytes, `exact` confirms them, so the scan costs a few instructions per 8 bytes.
mod scan {
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
    /// byte in a word (and may mark others).
    #[inline]
    fn find(s: &[u8], mask: impl Fn(u64) -> u64, exact: impl Fn(u8) -> bool) -> Option<usize> {
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
    pub(super) fn quote_or_escape(s: &[u8]) -> Option<usize> {
        find(s, |x| equal(x, b'"') | equal(x, b'\\'), |b| b == b'"' || b == b'\\')
    }

    /// `"`, `{`, `}`, `[` or `]`. The brackets are the bytes equal to 0x59 under the
    /// mask 0xD9 (with `Y`, `_`, `y` and DEL as harmless extra candidates).
    pub(super) fn structural(s: &[u8]) -> Option<usize> {
        find(
            s,
            |x| equal(x, b'"') | zero_bytes((x & (LO * 0xD9)) ^ (LO * 0x59)),
            |b| matches!(b, b'"' | b'{' | b'}' | b'[' | b']'),
        )
    }

    /// What ends a plain run inside a string: `"`, `\`, a control byte, or a non-ASCII byte.
    pub(super) fn string_special(s: &[u8]) -> Option<usize> {
        find(
            s,
            |x| equal(x, b'"') | equal(x, b'\\') | (x.wrapping_sub(LO * 0x20) & !x & HI) | (x & HI),
            |b| b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b),
        )
    }
}

/// Where the value starting at `pos` ends (exclusive). `s` must be valid JSON text from
/// `pos` on; on anything else the result is some position, never a panic.
fn skip_value(s: &[u8], mut pos: usize) -> usize {
    match s.get(pos) {
        Some(b'"') => skip_string(s, pos),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            loop {
                // Jump to the next structural byte.
                let rest = s.get(pos..).unwrap_or_default();
                let Some(n) = scan::structural(rest) else {
                    return s.len();
                };
                pos += n;
                match s.get(pos) {
                    Some(b'"') => {
                        pos = skip_string(s, pos);
                        continue;
                    }
                    Some(b'{' | b'[') => depth += 1,
                    _ => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return pos + 1;
                        }
                    }
                }
                pos += 1;
            }
        }
        Some(_) => {
            while let Some(b) = s.get(pos) {
                if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                pos += 1;
            }
            pos
        }
        None => pos,
    }
}

/// Just past the closing quote of the string whose opening quote is at `pos`.
fn skip_string(s: &[u8], mut pos: usize) -> usize {
    pos += 1;
    loop {
        let rest = s.get(pos..).unwrap_or_default();
        let Some(n) = scan::quote_or_escape(rest) else {
            return s.len();
        };
        pos += n;
        if s.get(pos) == Some(&b'"') {
            return pos + 1;
        }
        pos += 2;
    }
}

fn skip_ws(s: &[u8], mut pos: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = s.get(pos) {
        pos += 1;
    }
    pos
}

/// A view of a validated JSON object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Object<'a> {
    raw: &'a [u8],
}

impl<'a> Object<'a> {
    /// The object's exact JSON text.
    pub const fn raw(self) -> &'a [u8] {
        self.raw
    }

    /// The members in order, keys still escaped.
    pub fn iter(self) -> Members<'a> {
        Members { s: self.raw, pos: 1 }
    }

    /// The value of the first member named `key` (compared after unescaping).
    pub fn get(self, key: &str) -> Option<Value<'a>> {
        self.iter().find(|(k, _)| k.eq_str(key)).map(|(_, v)| v)
    }

    /// Whether the object has no members.
    pub fn is_empty(self) -> bool {
        self.iter().next().is_none()
    }

    /// The object as a [`Value`].
    pub const fn as_value(self) -> Value<'a> {
        Value { raw: self.raw }
    }
}

/// Iterator over an [`Object`]'s members.
#[derive(Clone, Debug)]
pub struct Members<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Members<'a> {
    type Item = (Str<'a>, Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.s;
        let mut pos = skip_ws(s, self.pos);
        if s.get(pos) == Some(&b',') {
            pos = skip_ws(s, pos + 1);
        }
        if s.get(pos) != Some(&b'"') {
            self.pos = s.len();
            return None;
        }
        let key_end = skip_string(s, pos);
        let key = Str { raw: s.get(pos + 1..key_end.saturating_sub(1))? };
        pos = skip_ws(s, key_end);
        pos = skip_ws(s, pos + 1); // the colon
        let end = skip_value(s, pos);
        let value = Value { raw: s.get(pos..end)? };
        self.pos = end;
        Some((key, value))
    }
}

/// A view of a validated JSON array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Array<'a> {
    raw: &'a [u8],
}

impl<'a> Array<'a> {
    /// The array's exact JSON text.
    pub const fn raw(self) -> &'a [u8] {
        self.raw
    }

    /// The elements in order.
    pub fn iter(self) -> Elements<'a> {
        Elements { s: self.raw, pos: 1 }
    }

    /// Whether the array has no elements.
    pub fn is_empty(self) -> bool {
        self.iter().next().is_none()
    }
}

/// Iterator over an [`Array`]'s elements.
#[derive(Clone, Debug)]
pub struct Elements<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Elements<'a> {
    type Item = Value<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let s = self.s;
        let mut pos = skip_ws(s, self.pos);
        if s.get(pos) == Some(&b',') {
            pos = skip_ws(s, pos + 1);
        }
        if matches!(s.get(pos), None | Some(b']')) {
            self.pos = s.len();
            return None;
        }
        let end = skip_value(s, pos);
        self.pos = end;
        Some(Value { raw: s.get(pos..end)? })
    }
}

/// A view of a validated JSON string's contents, still escaped.
///
/// Compare it with [`Str::eq_str`], borrow it with [`Str::as_plain`] when it has no
/// escapes, decode it with [`Str::chars`] or [`Str::unescape_into`], or write it back out
/// unchanged (it is valid JSON string content as it is).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Str<'a> {
    raw: &'a [u8],
}

impl<'a> Str<'a> {
    /// The escaped contents, without the quotes.
    pub const fn raw(self) -> &'a [u8] {
        self.raw
    }

    /// Whether the contents hold any backslash escape.
    pub fn has_escapes(self) -> bool {
        self.raw.contains(&b'\\')
    }

    /// The string itself, when it has no escapes (the common case): no copy at all.
    pub fn as_plain(self) -> Option<&'a str> {
        if self.has_escapes() { None } else { core::str::from_utf8(self.raw).ok() }
    }

    /// The decoded characters.
    pub fn chars(self) -> Chars<'a> {
        Chars { s: self.raw, pos: 0 }
    }

    /// Whether the decoded string equals `s`.
    pub fn eq_str(self, s: &str) -> bool {
        if !self.has_escapes() {
            return self.raw == s.as_bytes();
        }
        self.chars().eq(s.chars())
    }

    /// Whether two JSON strings decode to the same text (byte comparison when neither
    /// has escapes).
    pub fn same_text(self, other: Str<'_>) -> bool {
        if !self.has_escapes() && !other.has_escapes() {
            return self.raw == other.raw;
        }
        self.chars().eq(other.chars())
    }

    /// The length in bytes of the decoded string (UTF-8).
    pub fn unescaped_len(self) -> usize {
        if self.has_escapes() { self.chars().map(char::len_utf8).sum() } else { self.raw.len() }
    }

    /// Decode into `buf` and return the decoded text, or `None` if `buf` is too small.
    pub fn unescape_into(self, buf: &mut [u8]) -> Option<&str> {
        let mut n = 0;
        for c in self.chars() {
            let len = c.len_utf8();
            c.encode_utf8(buf.get_mut(n..n + len)?);
            n += len;
        }
        core::str::from_utf8(buf.get(..n)?).ok()
    }

    /// The decoded text, borrowed when possible, else decoded into `buf`.
    pub fn to_str<'b>(self, buf: &'b mut [u8]) -> Option<&'b str>
    where
        'a: 'b,
    {
        match self.as_plain() {
            Some(s) => Some(s),
            None => self.unescape_into(buf),
        }
    }

    /// The part of the escaped contents between byte offsets (as reported by
    /// [`Chars::offset`]).
    pub fn slice(self, start: usize, end: usize) -> Str<'a> {
        Str { raw: self.raw.get(start..end).unwrap_or_default() }
    }
}

/// Iterator over the decoded characters of a [`Str`].
#[derive(Clone, Debug)]
pub struct Chars<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Chars<'_> {
    /// Offset in the escaped contents of the next character.
    pub const fn offset(&self) -> usize {
        self.pos
    }

    fn hex4(&self, at: usize) -> u32 {
        let mut v = 0u32;
        for &b in self.s.get(at..at + 4).unwrap_or_default() {
            let d = match b {
                b'0'..=b'9' => b - b'0',
                b'a'..=b'f' => b - b'a' + 10,
                b'A'..=b'F' => b - b'A' + 10,
                _ => 0,
            };
            v = v << 4 | u32::from(d);
        }
        v
    }
}

impl Iterator for Chars<'_> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        let b = *self.s.get(self.pos)?;
        if b != b'\\' {
            // Decode one UTF-8 character (the input was validated as UTF-8).
            let len = match b {
                0x00..=0x7F => 1,
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            let bytes = self.s.get(self.pos..self.pos + len)?;
            self.pos += len;
            return core::str::from_utf8(bytes).ok()?.chars().next();
        }
        let esc = *self.s.get(self.pos + 1)?;
        self.pos += 2;
        let c = match esc {
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let unit = self.hex4(self.pos);
                self.pos += 4;
                if (0xD800..0xDC00).contains(&unit) {
                    let low = self.hex4(self.pos + 2);
                    self.pos += 6;
                    let code = 0x10000 + ((unit - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3FF);
                    return char::from_u32(code);
                }
                return char::from_u32(unit);
            }
            other => char::from(other),
        };
        Some(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The word-at-a-time searches agree with a plain byte-by-byte search.
    #[test]
    fn swar_scans_match_naive_search() {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let alphabet = b"\"\\{}[]Y_y\x7f\x1f\x00 a\x80\xffz0";
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
                assert_eq!(scan::quote_or_escape(&bytes), naive(|b| b == b'"' || b == b'\\'));
                assert_eq!(scan::structural(&bytes), naive(|b| matches!(b, b'"' | b'{' | b'}' | b'[' | b']')));
                assert_eq!(
                    scan::string_special(&bytes),
                    naive(|b| b == b'"' || b == b'\\' || !(0x20..0x80).contains(&b))
                );
            }
        }
    }

    #[test]
    fn strict_json() {
        for bad in [
            &b"\"\xff\""[..],
            b"\"\xc0\x80\"",
            b"\"\xed\xa0\x80\"",
            b"{\"a\":1}\xff",
            b"[1,]",
            b"01",
            b"\"\\ud800\"",
            b"\"\t\"",
        ] {
            assert!(parse(bad, 8).is_err(), "{bad:?}");
        }
        for good in [&b"\"\xf0\x9f\x98\x80 \\ud83d\\ude00\""[..], b" [1, -0.5e3, true, null, {}] ", b"\"\x7f\""] {
            assert!(parse(good, 8).is_ok(), "{good:?}");
        }
    }
}
