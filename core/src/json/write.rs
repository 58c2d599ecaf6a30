//! The streaming JSON writer.
//!
//! Everything is written straight into a [`Sink`]: no intermediate buffer, so the size of
//! a message is not bounded by any buffer. The public builder ([`ValueWriter`],
//! [`ObjectWriter`], [`ArrayWriter`]) makes only valid JSON: every container is closed by
//! the closure that fills it, and a value slot can only be filled once.

use crate::json::{Str, parse, scan};
use crate::{Error, Sink};

/// Proof that a [`ValueWriter`] wrote its value. Only the writer's methods make one.
#[derive(Debug)]
#[must_use]
pub struct Written(());

/// Nesting limit for raw JSON handed to [`ValueWriter::raw`].
pub const RAW_MAX_DEPTH: usize = 64;

/// Write `s` as a JSON string, quotes included.
pub(crate) fn string(out: &mut dyn Sink, s: &str) -> Result<(), Error> {
    out.write(b"\"")?;
    string_contents(out, s)?;
    out.write(b"\"")
}

/// Write the escaped contents of `s`, without quotes.
pub(crate) fn string_contents(out: &mut dyn Sink, s: &str) -> Result<(), Error> {
    let bytes = s.as_bytes();
    let mut run = 0;
    while let Some(offset) = scan::needs_escape(bytes.get(run..).unwrap_or_default()) {
        let i = run + offset;
        let b = bytes.get(i).copied().unwrap_or(0);
        out.write(bytes.get(run..i).unwrap_or_default())?;
        run = i + 1;
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0C => b"\\f",
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let esc = [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
                    HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0'),
                ];
                out.write(&esc)?;
                continue;
            }
        };
        out.write(short)?;
    }
    out.write(bytes.get(run..).unwrap_or_default())
}

/// Write an already escaped string (from the reader) back out, quotes included.
pub(crate) fn str_raw(out: &mut dyn Sink, s: Str<'_>) -> Result<(), Error> {
    out.write(b"\"")?;
    out.write(s.raw())?;
    out.write(b"\"")
}

/// A piece of text to write as a JSON string: a Rust string, a string still escaped as it
/// arrived (echoed back without unescaping and re-escaping), or several pieces in a row
/// (`Text::Concat(&[Text::Plain("Item "), Text::Json(id)])`: no buffer needed).
#[derive(Clone, Copy, Debug)]
pub enum Text<'a> {
    /// Plain text, escaped on output.
    Plain(&'a str),
    /// A string from the reader, written back as it is.
    Json(Str<'a>),
    /// The pieces one after the other, as one string.
    Concat(&'a [Text<'a>]),
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(s: &'a str) -> Self {
        Self::Plain(s)
    }
}

impl<'a> From<Str<'a>> for Text<'a> {
    fn from(s: Str<'a>) -> Self {
        Self::Json(s)
    }
}

impl Text<'_> {
    /// Write the text as a JSON string, quotes included.
    pub(crate) fn write(self, out: &mut dyn Sink) -> Result<(), Error> {
        out.write(b"\"")?;
        self.write_contents(out)?;
        out.write(b"\"")
    }

    /// Write the escaped contents, without quotes.
    pub(crate) fn write_contents(self, out: &mut dyn Sink) -> Result<(), Error> {
        match self {
            Self::Plain(s) => string_contents(out, s),
            Self::Json(s) => out.write(s.raw()),
            Self::Concat(parts) => parts.iter().try_for_each(|p| p.write_contents(out)),
        }
    }
}

/// Write an unsigned integer (32-bit arithmetic when it fits: Cortex-M0 has no divider).
pub(crate) fn u64(out: &mut dyn Sink, v: u64) -> Result<(), Error> {
    match u32::try_from(v) {
        Ok(small) => u32(out, small),
        Err(_) => u64_wide(out, v),
    }
}

/// Write a `u32`.
pub(crate) fn u32(out: &mut dyn Sink, v: u32) -> Result<(), Error> {
    let mut buf = [0u8; 10];
    let digits = u32_digits(v, &mut buf);
    out.write(digits)
}

/// `v / 10` and `v % 10` by one multiplication (what compilers do on targets with a
/// 32×32→64 multiply): Cortex-M0 has neither that nor a divider, and its division routine
/// costs 400 bytes of flash where the 64-bit multiply is already linked.
#[inline(never)] // measured smaller on Cortex-M0
fn div10(v: u32) -> (u32, u32) {
    // 0xCCCC_CCCD / 2^35 is 1/10 from above, close enough to be exact for every u32.
    let q = ((u64::from(v) * 0xCCCC_CCCD) >> 35) as u32;
    (q, v - q * 10)
}

/// The decimal digits of `v`, in the tail of `buf`.
pub fn u32_digits(mut v: u32, buf: &mut [u8; 10]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        let (q, r) = div10(v);
        if let Some(d) = buf.get_mut(i) {
            *d = b'0' + r as u8;
        }
        v = q;
        if v == 0 {
            break;
        }
    }
    buf.get(i..).unwrap_or_default()
}

/// A `u64` past `u32::MAX`, with 32-bit division only: a 64-bit division pulls a
/// kilobyte of runtime into a Cortex-M0 image. The value is split into 16-bit limbs and
/// divided by ten limb by limb, one digit per round.
fn u64_wide(out: &mut dyn Sink, v: u64) -> Result<(), Error> {
    let mut limbs = [(v >> 48) as u32, (v >> 32) as u32 & 0xffff, (v >> 16) as u32 & 0xffff, v as u32 & 0xffff];
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    while i > 0 && limbs.iter().any(|&l| l != 0) {
        let mut rem = 0;
        for limb in &mut limbs {
            (*limb, rem) = div10(rem << 16 | *limb);
        }
        i -= 1;
        if let Some(d) = buf.get_mut(i) {
            *d = b'0' + rem as u8;
        }
    }
    out.write(buf.get(i..).unwrap_or_default())
}

/// Write a signed integer.
pub(crate) fn i64(out: &mut dyn Sink, v: i64) -> Result<(), Error> {
    if v < 0 {
        out.write(b"-")?;
    }
    u64(out, v.unsigned_abs())
}

/// Write a double; integral values in the exact range are written without a fraction
/// (`3`, not `3.0`), non-finite ones as `null` (JSON has no NaN or infinity). With the
/// `fast-float` feature the rest is ryu's shortest form.
#[cfg(feature = "fast-float")]
pub(crate) fn f64(out: &mut dyn Sink, v: f64) -> Result<(), Error> {
    if !v.is_finite() {
        return out.write(b"null");
    }
    if v == (v as i64) as f64 && v.abs() < 9_007_199_254_740_992.0 {
        if v == 0.0 && v.is_sign_negative() {
            return out.write(b"-0");
        }
        return i64(out, v as i64);
    }
    let mut buf = ryu::Buffer::new();
    out.write(buf.format_finite(v).as_bytes())
}

/// Write a double as the `fast-float` build does (the same text), with integer arithmetic
/// only: no ryu tables, no soft-float multiply or divide.
#[cfg(not(feature = "fast-float"))]
pub(crate) fn f64(out: &mut dyn Sink, v: f64) -> Result<(), Error> {
    super::float::write(out, v)
}

/// Write `bytes` as standard base64 (with padding), without quotes.
pub(crate) fn base64(out: &mut dyn Sink, bytes: &[u8]) -> Result<(), Error> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |i: u32| ALPHABET.get((i & 63) as usize).copied().unwrap_or(b'A');
    let mut buf = [0u8; 128];
    for chunk in bytes.chunks(96) {
        let mut n = 0;
        for group in chunk.chunks(3) {
            let b0 = u32::from(group.first().copied().unwrap_or(0));
            let b1 = u32::from(group.get(1).copied().unwrap_or(0));
            let b2 = u32::from(group.get(2).copied().unwrap_or(0));
            let word = b0 << 16 | b1 << 8 | b2;
            let quad = [
                sym(word >> 18),
                sym(word >> 12),
                if group.len() > 1 { sym(word >> 6) } else { b'=' },
                if group.len() > 2 { sym(word) } else { b'=' },
            ];
            if let Some(dst) = buf.get_mut(n..n + 4) {
                dst.copy_from_slice(&quad);
            }
            n += 4;
        }
        out.write(buf.get(..n).unwrap_or_default())?;
    }
    Ok(())
}

/// Check that `json` is one valid JSON text, then write it (trimmed).
pub(crate) fn raw(out: &mut dyn Sink, json: &str) -> Result<(), Error> {
    let value = parse(json.as_bytes(), RAW_MAX_DEPTH).map_err(|_| Error::InvalidJson)?;
    value_raw(out, value.raw())
}

/// Write validated JSON text with its line breaks turned into spaces, so a message stays
/// on one line. In valid JSON a raw CR or LF can only be whitespace between tokens (inside
/// strings they must be escaped), so the value is unchanged.
pub(crate) fn value_raw(out: &mut dyn Sink, mut json: &[u8]) -> Result<(), Error> {
    while let Some(i) = scan::line_break(json) {
        out.write(json.get(..i).unwrap_or_default())?;
        out.write(b" ")?;
        json = json.get(i + 1..).unwrap_or_default();
    }
    out.write(json)
}

/// The slot for exactly one JSON value.
///
/// ```
/// use picomcp::json::ValueWriter;
/// let mut out = [0u8; 64];
/// let mut cursor = &mut out[..];
/// ValueWriter::new(&mut cursor).object(|o| {
///     o.number("sum", 3.5)?;
///     o.field("tags", |v| v.array(|a| a.string("x")))
/// }).unwrap();
/// let left = cursor.len();
/// assert_eq!(&out[..64 - left], br#"{"sum":3.5,"tags":["x"]}"#);
/// ```
pub struct ValueWriter<'s> {
    out: &'s mut dyn Sink,
}

impl<'s> ValueWriter<'s> {
    /// A slot writing into `out`.
    pub fn new(out: &'s mut dyn Sink) -> Self {
        Self { out }
    }

    /// A string, escaped as JSON needs.
    pub fn string(self, s: &str) -> Result<Written, Error> {
        string(self.out, s)?;
        Ok(Written(()))
    }

    /// A string from the reader, written back unchanged (no unescape, no re-escape).
    pub fn json_str(self, s: Str<'_>) -> Result<Written, Error> {
        str_raw(self.out, s)?;
        Ok(Written(()))
    }

    /// A [`Text`] as a string.
    pub fn text(self, t: Text<'_>) -> Result<Written, Error> {
        t.write(self.out)?;
        Ok(Written(()))
    }

    /// A number (`null` if not finite).
    pub fn number(self, v: f64) -> Result<Written, Error> {
        f64(self.out, v)?;
        Ok(Written(()))
    }

    /// An integer.
    pub fn integer(self, v: i64) -> Result<Written, Error> {
        i64(self.out, v)?;
        Ok(Written(()))
    }

    /// `true` or `false`.
    pub fn bool(self, v: bool) -> Result<Written, Error> {
        self.out.write(if v { b"true" } else { b"false" })?;
        Ok(Written(()))
    }

    /// `null`.
    pub fn null(self) -> Result<Written, Error> {
        self.out.write(b"null")?;
        Ok(Written(()))
    }

    /// Raw JSON text, checked first: invalid text writes nothing and gives
    /// [`Error::InvalidJson`].
    pub fn raw(self, json: &str) -> Result<Written, Error> {
        raw(self.out, json)?;
        Ok(Written(()))
    }

    /// An object whose members `f` writes; the object is closed even if `f` fails.
    pub fn object(self, f: impl FnOnce(&mut ObjectWriter<'_>) -> Result<(), Error>) -> Result<Written, Error> {
        let mut f = Some(f);
        self.object_with(&mut |o| f.take().map_or(Ok(()), |f| f(o)))
    }

    /// [`Self::object`] compiled once, whatever the closure.
    fn object_with(self, f: &mut dyn FnMut(&mut ObjectWriter<'_>) -> Result<(), Error>) -> Result<Written, Error> {
        self.out.write(b"{")?;
        let mut o = ObjectWriter { out: &mut *self.out, first: true };
        let inner = f(&mut o);
        if inner != Err(Error::Io) {
            self.out.write(b"}")?;
        }
        inner.map(|()| Written(()))
    }

    /// An array whose elements `f` writes; the array is closed even if `f` fails.
    pub fn array(self, f: impl FnOnce(&mut ArrayWriter<'_>) -> Result<(), Error>) -> Result<Written, Error> {
        let mut f = Some(f);
        self.array_with(&mut |a| f.take().map_or(Ok(()), |f| f(a)))
    }

    /// [`Self::array`] compiled once, whatever the closure.
    fn array_with(self, f: &mut dyn FnMut(&mut ArrayWriter<'_>) -> Result<(), Error>) -> Result<Written, Error> {
        self.out.write(b"[")?;
        let mut a = ArrayWriter { out: &mut *self.out, first: true };
        let inner = f(&mut a);
        if inner != Err(Error::Io) {
            self.out.write(b"]")?;
        }
        inner.map(|()| Written(()))
    }
}

/// Fill a value slot with `f`; if `f` fails before writing, write `null` so the
/// surrounding JSON stays valid.
pub(crate) fn fill(out: &mut dyn Sink, f: impl FnOnce(ValueWriter<'_>) -> Result<Written, Error>) -> Result<(), Error> {
    let mut probe = Probe { out, wrote: false };
    match f(ValueWriter::new(&mut probe)) {
        Ok(Written(())) => Ok(()),
        Err(Error::Io) => Err(Error::Io),
        Err(e) => {
            if !probe.wrote {
                probe.out.write(b"null")?;
            }
            Err(e)
        }
    }
}

/// A sink adapter that escapes everything written through it as JSON string contents.
pub(crate) struct Escaping<'a>(pub(crate) &'a mut dyn Sink);

impl Sink for Escaping<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        // Writers only ever pass whole UTF-8 sequences.
        string_contents(self.0, core::str::from_utf8(bytes).map_err(|_| Error::InvalidJson)?)
    }
}

/// A sink wrapper that notes whether anything was written.
struct Probe<'a> {
    out: &'a mut dyn Sink,
    wrote: bool,
}

impl Sink for Probe<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        self.wrote = true;
        self.out.write(bytes)
    }
}

/// Writes the members of an object.
pub struct ObjectWriter<'s> {
    out: &'s mut dyn Sink,
    first: bool,
}

impl ObjectWriter<'_> {
    fn key(&mut self, key: &str) -> Result<(), Error> {
        if !core::mem::take(&mut self.first) {
            self.out.write(b",")?;
        }
        string(self.out, key)?;
        self.out.write(b":")
    }

    /// A member whose value `f` writes.
    pub fn field(&mut self, key: &str, f: impl FnOnce(ValueWriter<'_>) -> Result<Written, Error>) -> Result<(), Error> {
        self.key(key)?;
        fill(self.out, f)
    }

    /// A string member.
    pub fn string(&mut self, key: &str, v: &str) -> Result<(), Error> {
        self.field(key, |w| w.string(v))
    }

    /// A number member.
    pub fn number(&mut self, key: &str, v: f64) -> Result<(), Error> {
        self.field(key, |w| w.number(v))
    }

    /// An integer member.
    pub fn integer(&mut self, key: &str, v: i64) -> Result<(), Error> {
        self.field(key, |w| w.integer(v))
    }

    /// A boolean member.
    pub fn bool(&mut self, key: &str, v: bool) -> Result<(), Error> {
        self.field(key, |w| w.bool(v))
    }

    /// A member holding raw JSON text (checked first).
    pub fn raw(&mut self, key: &str, json: &str) -> Result<(), Error> {
        // Check before writing the key, so a bad value leaves no dangling member.
        parse(json.as_bytes(), RAW_MAX_DEPTH).map_err(|_| Error::InvalidJson)?;
        self.field(key, |w| w.raw(json))
    }
}

/// Writes the elements of an array.
pub struct ArrayWriter<'s> {
    out: &'s mut dyn Sink,
    first: bool,
}

impl ArrayWriter<'_> {
    /// An element that `f` writes.
    pub fn item(&mut self, f: impl FnOnce(ValueWriter<'_>) -> Result<Written, Error>) -> Result<(), Error> {
        if !core::mem::take(&mut self.first) {
            self.out.write(b",")?;
        }
        fill(self.out, f)
    }

    /// A string element.
    pub fn string(&mut self, v: &str) -> Result<(), Error> {
        self.item(|w| w.string(v))
    }

    /// A number element.
    pub fn number(&mut self, v: f64) -> Result<(), Error> {
        self.item(|w| w.number(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Buf {
        data: [u8; 512],
        len: usize,
    }

    impl Sink for Buf {
        fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
            let end = self.len + bytes.len();
            self.data.get_mut(self.len..end).ok_or(Error::Io)?.copy_from_slice(bytes);
            self.len = end;
            Ok(())
        }
    }

    fn with(f: impl FnOnce(&mut dyn Sink) -> Result<(), Error>) -> (Result<(), Error>, std::string::String) {
        extern crate std;
        let mut b = Buf { data: [0; 512], len: 0 };
        let r = f(&mut b);
        (r, std::string::String::from_utf8(b.data[..b.len].to_vec()).unwrap())
    }

    #[test]
    fn escapes_what_json_needs() {
        let (_, s) = with(|o| string(o, "a\"b\\c\n\t\u{1}\u{7f}é😀"));
        assert_eq!(s, "\"a\\\"b\\\\c\\n\\t\\u0001\u{7f}é😀\"");
    }

    #[test]
    fn numbers() {
        for (v, want) in [(3.0, "3"), (-2.5, "-2.5"), (0.1, "0.1"), (1e300, "1e300"), (f64::NAN, "null"), (-0.0, "-0")]
        {
            assert_eq!(with(|o| f64(o, v)).1, want);
        }
        assert_eq!(with(|o| i64(o, i64::MIN)).1, "-9223372036854775808");
        assert_eq!(with(|o| u64(o, u64::MAX)).1, "18446744073709551615");
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for shift in 0..64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            for v in [1u64 << shift, seed >> shift, (1u64 << shift).wrapping_sub(1), 10u64.pow(shift % 20)] {
                assert_eq!(with(|o| u64(o, v)).1, std::format!("{v}"));
            }
        }
    }

    #[test]
    fn division_by_ten_is_exact() {
        let edges = [0, 1, 9, 10, 11, 99, 100, 1_000_000_009, u32::MAX - 10, u32::MAX - 1, u32::MAX];
        let stride = (0..=u32::MAX).step_by(65_521);
        for v in edges.into_iter().chain(stride) {
            assert_eq!(div10(v), (v / 10, v % 10), "{v}");
        }
    }

    #[test]
    fn base64_matches_rfc4648() {
        for (input, want) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")] {
            assert_eq!(with(|o| base64(o, input.as_bytes())).1, want);
        }
        let long = [0xABu8; 300];
        let (_, s) = with(|o| base64(o, &long));
        assert_eq!(s.len(), 400);
    }

    #[test]
    fn builder_stays_valid_when_a_closure_fails() {
        let (r, s) = with(|o| {
            ValueWriter::new(o)
                .object(|ob| {
                    ob.string("a", "x")?;
                    ob.field("b", |v| v.raw("{bad"))
                })
                .map(|_| ())
        });
        assert_eq!(r, Err(Error::InvalidJson));
        assert_eq!(s, r#"{"a":"x","b":null}"#);
        let (r, s) = with(|o| ValueWriter::new(o).array(|a| a.item(|v| v.raw("[1, 2]"))).map(|_| ()));
        assert_eq!(r, Ok(()));
        assert_eq!(s, "[[1, 2]]");
    }
}
