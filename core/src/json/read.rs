//! The validating, zero-copy JSON reader.
//!
//! [`parse`] checks a whole JSON text once (UTF-8, grammar, escapes, lone surrogates,
//! nesting depth) and hands back a [`Value`] that borrows the input. Navigation after
//! that never allocates and never copies: objects, arrays and strings are views of the
//! original bytes, and a string is unescaped only when asked, into a caller's buffer.

use core::fmt;

use super::scan;

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
    validate(input, max_depth, None)
}

/// [`parse`], also recording where the members of the root object sit, and those of the
/// object under the root's first `nested_key` member (for a JSON-RPC message: `params`),
/// so reading them needs no second scan. See [`Outline`].
///
/// ```
/// let text = br#"{"id":1,"params":{"name":"echo","arguments":{}}}"#;
/// let (_, outline) = picomcp::json::parse_outline(text, 16, b"params").unwrap();
/// let keys: Vec<_> = outline.nested_members().unwrap().map(|(k, _)| k.raw()).collect();
/// assert_eq!(keys, [&b"name"[..], b"arguments"]);
/// ```
pub fn parse_outline<'a>(
    input: &'a [u8],
    max_depth: usize,
    nested_key: &[u8],
) -> Result<(Value<'a>, Outline<'a>), ParseError> {
    let mut recorder =
        Recorder { nested_key, outline: Outline::new(input), open_top: false, open_nested: false, in_nested: false };
    let value = validate(input, max_depth, Some(&mut recorder))?;
    Ok((value, recorder.outline))
}

fn validate<'a>(
    input: &'a [u8],
    max_depth: usize,
    recorder: Option<&mut Recorder<'_, 'a>>,
) -> Result<Value<'a>, ParseError> {
    // Outside strings the grammar admits ASCII only, and strings check their UTF-8 as
    // they are scanned, so the whole text is UTF-8 once it passes: one pass, not two.
    let mut v = Validator { s: input, pos: 0, max_depth: max_depth.min(MAX_DEPTH_LIMIT), recorder };
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

/// How many members an [`Outline`] records per object; objects with more are read by
/// scanning as usual.
pub const OUTLINE_MEMBERS: usize = 8;

/// Byte offsets of one member: its key contents (without quotes) and its value.
#[derive(Clone, Copy, Debug, Default)]
struct Span {
    key: (u32, u32),
    value: (u32, u32),
}

/// Where the members of a root object (and of one object nested in it) sit, recorded by
/// [`parse_outline`] while validating.
#[derive(Clone, Copy, Debug)]
pub struct Outline<'a> {
    input: &'a [u8],
    top: [Span; OUTLINE_MEMBERS],
    top_len: usize,
    top_whole: bool,
    nested: [Span; OUTLINE_MEMBERS],
    nested_len: usize,
    nested_whole: bool,
    nested_seen: bool,
}

impl<'a> Outline<'a> {
    const fn new(input: &'a [u8]) -> Self {
        let empty = [Span { key: (0, 0), value: (0, 0) }; OUTLINE_MEMBERS];
        Self {
            input,
            top: empty,
            top_len: 0,
            top_whole: true,
            nested: empty,
            nested_len: 0,
            nested_whole: true,
            nested_seen: false,
        }
    }

    fn members(
        input: &'a [u8],
        spans: [Span; OUTLINE_MEMBERS],
        len: usize,
    ) -> impl Iterator<Item = (Str<'a>, Value<'a>)> + use<'a> {
        spans.into_iter().take(len).map(move |s| {
            let key = input.get(s.key.0 as usize..s.key.1 as usize).unwrap_or_default();
            let value = input.get(s.value.0 as usize..s.value.1 as usize).unwrap_or_default();
            (Str { raw: key }, Value { raw: value })
        })
    }

    /// The root object's members in order, if it is an object of at most
    /// [`OUTLINE_MEMBERS`] members.
    pub fn top_members(&self) -> Option<impl Iterator<Item = (Str<'a>, Value<'a>)> + use<'a>> {
        (self.top_whole && self.top_len > 0).then(|| Self::members(self.input, self.top, self.top_len))
    }

    /// The members of the object under the root's first `nested_key` member, if there was
    /// one, it is an object, it has at most [`OUTLINE_MEMBERS`] members, and no member name
    /// of the root is written with escapes (one might spell `nested_key`).
    pub fn nested_members(&self) -> Option<impl Iterator<Item = (Str<'a>, Value<'a>)> + use<'a>> {
        (self.nested_seen && self.nested_whole).then(|| Self::members(self.input, self.nested, self.nested_len))
    }
}

/// Records member spans into an [`Outline`] while the validator runs.
struct Recorder<'k, 'a> {
    nested_key: &'k [u8],
    outline: Outline<'a>,
    /// A root member whose value has started and not yet ended.
    open_top: bool,
    /// Likewise for a member of the nested object.
    open_nested: bool,
    /// The current root member is the nested one (and its value is an object).
    in_nested: bool,
}

impl Recorder<'_, '_> {
    /// A member key spanning `key` (contents), whose value starts at `value_start`, at `depth`.
    fn key(&mut self, depth: usize, key: (usize, usize), value_start: usize, value_is_object: bool) {
        let span = Span { key: (key.0 as u32, key.1 as u32), value: (value_start as u32, value_start as u32) };
        let o = &mut self.outline;
        if depth == 1 {
            self.in_nested = false;
            match o.top.get_mut(o.top_len) {
                Some(slot) => {
                    *slot = span;
                    o.top_len += 1;
                    self.open_top = true;
                }
                None => o.top_whole = false,
            }
            let name = o.input.get(key.0..key.1).unwrap_or_default();
            if name.contains(&b'\\') {
                // An escaped root name may spell `nested_key` and come first: the readers
                // find the nested object by decoded names (`pick`), so no outline of it.
                o.nested_whole = false;
            }
            // Only the first member of that name counts, as for `Object::get`: when its
            // value is not an object there is no nested outline, whatever follows.
            if name == self.nested_key && !o.nested_seen {
                o.nested_seen = true;
                self.in_nested = value_is_object;
                o.nested_whole &= value_is_object;
            }
        } else if depth == 2 && self.in_nested {
            match o.nested.get_mut(o.nested_len) {
                Some(slot) => {
                    *slot = span;
                    o.nested_len += 1;
                    self.open_nested = true;
                }
                None => o.nested_whole = false,
            }
        }
    }

    /// A value ended at `end` inside a container at `depth`.
    fn value_end(&mut self, depth: usize, end: usize) {
        let o = &mut self.outline;
        if depth == 1 && core::mem::take(&mut self.open_top) {
            if let Some(span) = o.top.get_mut(o.top_len.wrapping_sub(1)) {
                span.value.1 = end as u32;
            }
        } else if depth == 2 && self.in_nested && core::mem::take(&mut self.open_nested) {
            if let Some(span) = o.nested.get_mut(o.nested_len.wrapping_sub(1)) {
                span.value.1 = end as u32;
            }
        }
    }
}

/// The single-pass grammar checker behind [`parse`].
struct Validator<'r, 'k, 'a> {
    s: &'a [u8],
    pos: usize,
    max_depth: usize,
    recorder: Option<&'r mut Recorder<'k, 'a>>,
}

/// One open container on the validator's explicit stack.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    Object,
    Array,
}

impl Validator<'_, '_, '_> {
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
                            self.member_key(depth)?;
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
                if let Some(r) = self.recorder.as_deref_mut() {
                    r.value_end(depth, self.pos);
                }
                self.skip_ws();
                let open = top(&stack, depth);
                match (self.expect_more()?, open) {
                    (b',', _) => {
                        self.pos += 1;
                        self.skip_ws();
                        if open == Open::Object {
                            self.member_key(depth)?;
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

    /// `"key"` `:` and the whitespace before the member's value, in an object at `depth`.
    fn member_key(&mut self, depth: usize) -> Result<(), ParseError> {
        if self.expect_more()? != b'"' {
            return Err(self.error(ParseErrorKind::UnexpectedByte));
        }
        let key_start = self.pos + 1;
        self.string()?;
        let key_end = self.pos - 1;
        self.skip_ws();
        if self.expect_more()? != b':' {
            return Err(self.error(ParseErrorKind::UnexpectedByte));
        }
        self.pos += 1;
        self.skip_ws();
        if let Some(r) = self.recorder.as_deref_mut() {
            let value_is_object = self.s.get(self.pos) == Some(&b'{');
            r.key(depth, (key_start, key_end), self.pos, value_is_object);
        }
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
        let mut raw = text.as_bytes();
        while let [b' ' | b'\t' | b'\n' | b'\r', rest @ ..] = raw {
            raw = rest;
        }
        while let [rest @ .., b' ' | b'\t' | b'\n' | b'\r'] = raw {
            raw = rest;
        }
        Self { raw }
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
        super::number::parse_f64(self.raw)
    }

    /// The number as `i64`, if it is an integer in range (`2.0` and `2e3` count as
    /// integers, as in JSON Schema).
    pub fn as_i64(self) -> Option<i64> {
        if self.kind() != Kind::Number {
            return None;
        }
        if let Some(v) = super::number::exact_i64(self.raw) {
            return Some(v);
        }
        // Integral and inside the range where the conversion is exact.
        super::number::small_integral(self.as_f64()?)
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
        self.as_f64().is_some_and(super::number::is_integral)
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

    /// Whether the decoded string is a prefix of `s`.
    pub fn is_prefix_of(self, s: &str) -> bool {
        let mut rest = s.chars();
        self.chars().all(|c| rest.next() == Some(c))
    }

    /// The length in bytes of the decoded string (UTF-8).
    pub fn unescaped_len(self) -> usize {
        if self.has_escapes() { self.chars().map(char::len_utf8).sum() } else { self.raw.len() }
    }

    /// Decode into `buf` and return the decoded text, or `None` if `buf` is too small.
    #[inline(never)] // measured smaller on Cortex-M0
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

    #[test]
    fn integers_at_the_edges_of_i64_and_u64() {
        let int = |t: &str| parse(t.as_bytes(), 4).unwrap().as_i64();
        let uint = |t: &str| parse(t.as_bytes(), 4).unwrap().as_u64();
        assert_eq!(int("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(int("9223372036854775807"), Some(i64::MAX));
        assert_eq!(int("9223372036854775808"), None);
        assert_eq!(int("-9223372036854775809"), None);
        assert_eq!(int("-0"), Some(0));
        assert_eq!(int("2e3"), Some(2000));
        assert_eq!(int("2.5"), None);
        assert_eq!(uint("18446744073709551615"), Some(u64::MAX));
        assert_eq!(uint("18446744073709551616"), None);
        assert_eq!(uint("99999999999999999999"), None);
        assert_eq!(uint("-1"), None);
        assert_eq!(uint("1234567890123456789"), Some(1_234_567_890_123_456_789));
    }

    /// The recorded outline gives exactly the members a scan finds, or declines.
    #[test]
    fn outline_agrees_with_scanning() {
        type Pairs<'a> = std::vec::Vec<(&'a [u8], &'a [u8])>;
        fn pairs<'a>(it: impl Iterator<Item = (Str<'a>, Value<'a>)>) -> Pairs<'a> {
            it.map(|(k, v)| (k.raw(), v.raw())).collect()
        }
        let frames: [&[u8]; 10] = [
            br#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"name":"echo","arguments":{"t":[1,{"x":"}"}]}}}"#,
            b" { \"params\" : { \"a\" : 1 , \"b\" : [ ] } , \"id\" : \"x\" } ",
            br#"{"params":[1,2],"id":1}"#,
            br#"{"params":{},"id":{}}"#,
            br#"{"params":{"a":1},"params":{"b":2}}"#,
            br#"{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9}"#,
            br#"{"params":{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9}}"#,
            br#"[{"params":{"a":1}}]"#,
            br#"{}"#,
            // Found by fuzzing: the first `params` is no object, a later one is.
            br#"{"params":"tools/call","params":{"name":"x"}}"#,
        ];
        for frame in frames {
            let (value, outline) = parse_outline(frame, 16, b"params").unwrap();
            let scanned_top = value.as_object().map(|o| pairs(o.iter()));
            if let Some(top) = outline.top_members() {
                assert_eq!(Some(pairs(top)), scanned_top, "{}", std::string::String::from_utf8_lossy(frame));
            }
            let params = value.as_object().and_then(|o| o.get("params")).and_then(Value::as_object);
            if let Some(nested) = outline.nested_members() {
                assert_eq!(pairs(nested), pairs(params.unwrap().iter()));
            }
        }
        // Small objects are always recorded; big ones decline.
        let (_, o) = parse_outline(frames[0], 16, b"params").unwrap();
        assert!(o.top_members().is_some() && o.nested_members().is_some());
        let (_, o) = parse_outline(frames[5], 16, b"params").unwrap();
        assert!(o.top_members().is_none());
        let (_, o) = parse_outline(frames[2], 16, b"params").unwrap();
        assert!(o.nested_members().is_none(), "params is an array");
        let (_, o) = parse_outline(frames[9], 16, b"params").unwrap();
        assert!(o.nested_members().is_none(), "the first params is a string");
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
