//! Helpers shared by the fuzz targets: checks of the core's JSON values against
//! serde_json and the standard library, a writer that copies a value through the core's
//! JSON writer, and the models of the `session` and `http_session` targets.

pub mod http_session;
pub mod session;

use picomcp::Error;
use picomcp::json::{Kind, Value, ValueWriter, Written};

/// Sizes of reads, from a seed byte: seed 0 delivers everything at once, others give a
/// repeatable run of sizes from 1 to a maximum.
pub struct Splits(u32);

impl Splits {
    /// Sizes from `seed`.
    pub fn new(seed: u8) -> Self {
        Self(u32::from(seed))
    }

    /// The next read size, at most `max`.
    pub fn next(&mut self, max: usize) -> usize {
        if self.0 == 0 {
            return usize::MAX;
        }
        // xorshift32
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (self.0 as usize % max) + 1
    }
}

/// Nesting depth of a validated value (a scalar is 0, `[]` is 1).
pub fn depth(v: Value<'_>) -> usize {
    // Count brackets outside strings: the text is valid JSON.
    let (mut now, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in v.raw() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                now += 1;
                max = max.max(now);
            }
            b'}' | b']' => now = now.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The decoded text of a string value, with the core's other ways of decoding it checked
/// against [`picomcp::json::Str::chars`].
pub fn decode(s: picomcp::json::Str<'_>) -> String {
    let text: String = s.chars().collect();
    assert_eq!(s.unescaped_len(), text.len(), "unescaped_len of {:?}", s.raw());
    let mut buf = vec![0u8; text.len()];
    assert_eq!(s.unescape_into(&mut buf), Some(text.as_str()));
    assert_eq!(s.to_str(&mut buf), Some(text.as_str()));
    if !text.is_empty() {
        assert_eq!(s.unescape_into(&mut buf[..text.len() - 1]), None, "a buffer one byte short");
    }
    assert!(s.eq_str(&text) && s.same_text(s) && s.is_prefix_of(&text));
    if let Some(plain) = s.as_plain() {
        assert_eq!(plain, text);
    }
    text
}

/// Check a number's accessors against the standard library's parsing of its text.
pub fn check_number(v: Value<'_>) {
    let text = v.raw_str();
    let f = v.as_f64().expect("a number has an f64 value");
    let exact: f64 = text.parse().expect("JSON number syntax is Rust float syntax");
    assert_eq!(f.to_bits(), exact.to_bits(), "as_f64 of {text}");
    if let Ok(i) = text.parse::<i64>() {
        assert_eq!(v.as_i64(), Some(i), "as_i64 of {text}");
    }
    if let Ok(u) = text.parse::<u64>() {
        assert_eq!(v.as_u64(), Some(u), "as_u64 of {text}");
    }
    if let Some(i) = v.as_i64() {
        assert_eq!(i as f64, f, "as_i64 of {text} disagrees with as_f64");
        assert!(v.is_integer(), "{text} has an i64 value but is not an integer");
    }
    if let Some(u) = v.as_u64() {
        assert_eq!(u as f64, f, "as_u64 of {text} disagrees with as_f64");
    }
    // Digits alone are an integer whatever their size; otherwise the double decides.
    let digits_only = !text.contains(['.', 'e', 'E']);
    assert_eq!(v.is_integer(), digits_only || (f.is_finite() && f.fract() == 0.0), "is_integer of {text}");
}

/// Walk a validated value: every accessor must answer, and agree with the others.
pub fn check_value(v: Value<'_>) {
    assert_eq!(v.raw_str().as_bytes(), v.raw());
    match v.kind() {
        Kind::Object => {
            let o = v.as_object().expect("an object");
            assert_eq!(o.is_empty(), o.iter().next().is_none());
            for (k, member) in o.iter() {
                let key = decode(k);
                // `get` finds the first member of that name.
                let first = o.iter().find(|(k2, _)| k2.same_text(k)).map(|(_, m)| m);
                assert_eq!(o.get(&key), first);
                check_value(member);
            }
        }
        Kind::Array => {
            let a = v.as_array().expect("an array");
            assert_eq!(a.is_empty(), a.iter().next().is_none());
            a.iter().for_each(check_value);
        }
        Kind::String => {
            decode(v.as_str().expect("a string"));
        }
        Kind::Number => check_number(v),
        Kind::Bool => assert!(v.as_bool().is_some()),
        Kind::Null => assert!(v.is_null()),
    }
}

/// Compare a core value with serde_json's reading of the same text. serde_json keeps the
/// last of duplicate keys; the core keeps them all, so the last one is compared.
pub fn same_as_serde(core: Value<'_>, serde: &serde_json::Value) -> Result<(), String> {
    use serde_json::Value as S;
    let differ = || Err(format!("core {} vs serde_json {serde}", core.raw_str()));
    match (core.kind(), serde) {
        (Kind::Null, S::Null) => Ok(()),
        (Kind::Bool, S::Bool(b)) if core.as_bool() == Some(*b) => Ok(()),
        (Kind::Number, S::Number(n)) => {
            let same = if let Some(u) = n.as_u64() {
                core.as_u64() == Some(u)
            } else if let Some(i) = n.as_i64() {
                core.as_i64() == Some(i)
            } else {
                core.as_f64() == n.as_f64()
            };
            if same { Ok(()) } else { differ() }
        }
        (Kind::String, S::String(s)) if core.as_str().map(decode).as_deref() == Some(s.as_str()) => Ok(()),
        (Kind::Array, S::Array(items)) => {
            let a = core.as_array().expect("an array");
            if a.iter().count() != items.len() {
                return differ();
            }
            a.iter().zip(items).try_for_each(|(c, s)| same_as_serde(c, s))
        }
        (Kind::Object, S::Object(map)) => {
            let members: Vec<(String, Value<'_>)> =
                core.as_object().expect("an object").iter().map(|(k, v)| (decode(k), v)).collect();
            let mut keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
            keys.sort_unstable();
            keys.dedup();
            if keys.len() != map.len() {
                return differ();
            }
            for (key, s) in map {
                let Some((_, c)) = members.iter().rev().find(|(k, _)| k == key) else { return differ() };
                same_as_serde(*c, s)?;
            }
            Ok(())
        }
        _ => differ(),
    }
}

/// Write `v` through the core's writer: strings decoded and escaped again, numbers as
/// integers or doubles (numbers beyond the double range as their text).
pub fn write_back(w: ValueWriter<'_>, v: Value<'_>) -> Result<Written, Error> {
    match v.kind() {
        Kind::Object => w.object(|o| {
            for (k, member) in v.as_object().expect("an object").iter() {
                o.field(&decode(k), |w| write_back(w, member))?;
            }
            Ok(())
        }),
        Kind::Array => w.array(|a| {
            for item in v.as_array().expect("an array").iter() {
                a.item(|w| write_back(w, item))?;
            }
            Ok(())
        }),
        Kind::String => w.string(&decode(v.as_str().expect("a string"))),
        Kind::Number => match (v.as_i64(), v.as_f64()) {
            (Some(i), _) => w.integer(i),
            (None, Some(f)) if f.is_finite() => w.number(f),
            _ => w.raw(v.raw_str()),
        },
        Kind::Bool => w.bool(v.as_bool() == Some(true)),
        Kind::Null => w.null(),
    }
}

/// Whether `b` is the same JSON value as `a` (strings decoded, numbers as doubles and
/// integers as integers, members in order).
pub fn same_value(a: Value<'_>, b: Value<'_>) -> bool {
    if a.kind() != b.kind() {
        return false;
    }
    match a.kind() {
        Kind::Object => {
            let (x, y) = (a.as_object().expect("object"), b.as_object().expect("object"));
            x.iter().count() == y.iter().count()
                && x.iter().zip(y.iter()).all(|((k1, v1), (k2, v2))| k1.same_text(k2) && same_value(v1, v2))
        }
        Kind::Array => {
            let (x, y) = (a.as_array().expect("array"), b.as_array().expect("array"));
            x.iter().count() == y.iter().count() && x.iter().zip(y.iter()).all(|(v1, v2)| same_value(v1, v2))
        }
        Kind::String => a.as_str().expect("string").same_text(b.as_str().expect("string")),
        // The writer writes a non-integer as its double, which may be integral.
        Kind::Number => a.as_f64() == b.as_f64() && a.as_i64().is_none_or(|i| b.as_i64() == Some(i)),
        Kind::Bool => a.as_bool() == b.as_bool(),
        Kind::Null => true,
    }
}

/// Whether serde_json refuses `input` only because a number is beyond the double range
/// (the core reads any number the grammar allows; its `as_f64` is then infinite).
pub fn serde_out_of_range(e: &serde_json::Error) -> bool {
    e.to_string().starts_with("number out of range")
}

/// The deepest nesting serde_json accepts (its recursion limit is 128).
pub const SERDE_DEPTH: usize = 127;
