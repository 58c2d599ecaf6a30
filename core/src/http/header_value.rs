//! The encoding of MCP header values (`Mcp-Name`, `Mcp-Param-*`): a value that cannot be
//! sent as plain ASCII arrives as `=?base64?<standard base64 of its bytes>?=`.

use core::fmt;

/// Why a header value could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadValue {
    /// `=?base64?…?=` around something that is not strict base64.
    Base64,
    /// The value does not fit the output buffer.
    TooLong,
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Base64 => "invalid base64 in an encoded header value",
            Self::TooLong => "header value too long for the buffer",
        })
    }
}

/// The opening marker of an encoded value (lowercase, case-sensitive).
const PREFIX: &[u8] = b"=?base64?";
/// The closing marker of an encoded value.
const SUFFIX: &[u8] = b"?=";

/// Decode a (trimmed) header value into `out`: the bytes between `=?base64?` and `?=`
/// decoded as strict base64 (standard alphabet, padding required, no whitespace, unused
/// bits zero), or, without both markers, the value itself, copied.
pub fn decode_value<'o>(value: &[u8], out: &'o mut [u8]) -> Result<&'o [u8], BadValue> {
    let Some(payload) = value.strip_prefix(PREFIX).and_then(|rest| rest.strip_suffix(SUFFIX)) else {
        let dst = out.get_mut(..value.len()).ok_or(BadValue::TooLong)?;
        dst.copy_from_slice(value);
        return Ok(dst);
    };
    let len = base64_decode(payload, out)?;
    out.get(..len).ok_or(BadValue::TooLong)
}

/// Strict standard base64 of `text` into `out`; the decoded length.
fn base64_decode(text: &[u8], out: &mut [u8]) -> Result<usize, BadValue> {
    if text.len() % 4 != 0 {
        return Err(BadValue::Base64);
    }
    let quads = text.len() / 4;
    let mut n = 0;
    for (i, quad) in text.chunks_exact(4).enumerate() {
        let last = i + 1 == quads;
        let (word, bytes) = match quad {
            [a, b, b'=', b'='] if last => (sextet(*a)? << 18 | sextet(*b)? << 12, 1),
            [a, b, c, b'='] if last => (sextet(*a)? << 18 | sextet(*b)? << 12 | sextet(*c)? << 6, 2),
            [a, b, c, d] => (sextet(*a)? << 18 | sextet(*b)? << 12 | sextet(*c)? << 6 | sextet(*d)?, 3),
            _ => return Err(BadValue::Base64),
        };
        // Bits past the last byte must be zero (RFC 4648 §3.5): one spelling per value.
        if word & ((1 << (8 * (3 - bytes))) - 1) != 0 {
            return Err(BadValue::Base64);
        }
        let decoded = [(word >> 16) as u8, (word >> 8) as u8, word as u8];
        let dst = out.get_mut(n..n + bytes).ok_or(BadValue::TooLong)?;
        dst.copy_from_slice(decoded.get(..bytes).unwrap_or_default());
        n += bytes;
    }
    Ok(n)
}

/// The value of one base64 symbol (`=` and anything else outside the alphabet: error).
fn sextet(symbol: u8) -> Result<u32, BadValue> {
    let value = match symbol {
        b'A'..=b'Z' => symbol - b'A',
        b'a'..=b'z' => symbol - b'a' + 26,
        b'0'..=b'9' => symbol - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return Err(BadValue::Base64),
    };
    Ok(u32::from(value))
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    fn decode(value: &str) -> Result<std::string::String, BadValue> {
        let mut out = [0u8; 64];
        decode_value(value.as_bytes(), &mut out).map(|v| std::string::String::from_utf8(v.to_vec()).unwrap())
    }

    #[test]
    fn sentinel_cases() {
        assert_eq!(decode("=?base64?SGVsbG8=?=").as_deref(), Ok("Hello"));
        assert_eq!(decode("=?base64?SGVsbG8?=").as_deref(), Err(&BadValue::Base64));
        assert_eq!(decode("=?base64?SGVs!!!bG8=?=").as_deref(), Err(&BadValue::Base64));
        assert_eq!(decode("SGVsbG8=").as_deref(), Ok("SGVsbG8="));
        assert_eq!(decode("=?base64?SGVsbG8=").as_deref(), Ok("=?base64?SGVsbG8="));
        assert_eq!(decode("=?BASE64?SGVsbG8=?=").as_deref(), Ok("=?BASE64?SGVsbG8=?="));
        assert_eq!(decode("=?base64?=").as_deref(), Ok("=?base64?="));
        assert_eq!(decode("=?base64??=").as_deref(), Ok(""));
        assert_eq!(decode("plain value").as_deref(), Ok("plain value"));
        assert_eq!(decode("=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?=").as_deref(), Ok("=?base64?literal?="));
        assert_eq!(decode("=?base64?5pel5pys?=").as_deref(), Ok("日本"));
    }

    #[test]
    fn strict_base64() {
        let cases: [(&str, &[u8]); 6] = [
            ("", b""),
            ("Zg==", b"f"),
            ("Zm8=", b"fo"),
            ("Zm9v", b"foo"),
            ("Zm9vYmFy", b"foobar"),
            ("+/+/", b"\xfb\xff\xbf"),
        ];
        for (text, want) in cases {
            let mut out = [0u8; 8];
            let n = base64_decode(text.as_bytes(), &mut out).unwrap();
            assert_eq!(&out[..n], want, "{text}");
        }
        for bad in ["Zg", "Zg=", "Zg=a", "Z===", "====", "Zg==Zg==", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n", "Zm-_"] {
            assert_eq!(base64_decode(bad.as_bytes(), &mut [0u8; 8]), Err(BadValue::Base64), "{bad}");
        }
    }

    #[test]
    fn too_long_for_the_buffer() {
        let mut out = [0u8; 4];
        assert_eq!(decode_value(b"=?base64?SGVsbG8=?=", &mut out), Err(BadValue::TooLong));
        assert_eq!(decode_value(b"Hello", &mut out), Err(BadValue::TooLong));
        assert_eq!(decode_value(b"Hell", &mut out), Ok(&b"Hell"[..]));
        assert_eq!(decode_value(b"=?base64?SGVsbA==?=", &mut out), Ok(&b"Hell"[..]));
    }
}
