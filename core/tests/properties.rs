//! Property tests of the JSON layer (host only, proptest):
//!
//! - whatever the core's writer emits parses back, with the core's reader and with
//!   serde_json, to the value written;
//! - the core's reader accepts exactly what serde_json accepts, on valid JSON with
//!   mutations and on arbitrary text, and where both accept they read the same value;
//! - numbers read to the correctly rounded double (as the standard library's parser).
//!
//! Documented deviations from serde_json, allowed below and nowhere else:
//!
//! - depth: serde_json refuses nesting deeper than 127, the core's limit is the caller's
//!   (at most `MAX_DEPTH_LIMIT`, 256);
//! - range: serde_json refuses numbers beyond the double range (`1e400`); the core reads
//!   any number the grammar allows (`as_f64` is then infinite);
//! - without the `fast-float` feature, a number of more than 19 significant digits may
//!   read one unit in the last place off (see `Cargo.toml`): [`same_double`] allows that.
//!
//! serde_json keeps the last of duplicate keys, the core keeps them all: values are
//! compared through the last one.

use picomcp::json::{self, Kind, MAX_DEPTH_LIMIT, Value, ValueWriter, Written};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------
// Values to write
// ---------------------------------------------------------------------------------------

/// A JSON value as the writer is given it.
#[derive(Clone, Debug)]
enum J {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<J>),
    /// Members with distinct keys, in order.
    Object(Vec<(String, J)>),
}

/// Strings with the characters that need care: quotes, backslashes, controls, DEL,
/// non-ASCII of every UTF-8 length, U+2028.
fn text() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z]{0,6}", "[\"\\\\/\u{0}-\u{1f}\u{7f}é\u{2028}€😀 a]{0,12}", any::<String>(),]
}

fn value() -> impl Strategy<Value = J> {
    let leaf = prop_oneof![
        Just(J::Null),
        any::<bool>().prop_map(J::Bool),
        any::<i64>().prop_map(J::Int),
        (-1000i64..1000).prop_map(J::Int),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(J::Float),
        (-1e6f64..1e6).prop_map(J::Float),
        text().prop_map(J::Str),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(J::Array),
            prop::collection::btree_map(text(), inner, 0..6).prop_map(|m| J::Object(m.into_iter().collect())),
        ]
    })
}

/// Write `v` through the core's writer.
fn write(w: ValueWriter<'_>, v: &J) -> Result<Written, picomcp::Error> {
    match v {
        J::Null => w.null(),
        J::Bool(b) => w.bool(*b),
        J::Int(i) => w.integer(*i),
        J::Float(f) => w.number(*f),
        J::Str(s) => w.string(s),
        J::Array(items) => w.array(|a| items.iter().try_for_each(|item| a.item(|w| write(w, item)))),
        J::Object(members) => w.object(|o| members.iter().try_for_each(|(k, v)| o.field(k, |w| write(w, v)))),
    }
}

/// A growable sink (`Vec<u8>` is one only with the `std` feature).
#[derive(Default)]
struct Out(Vec<u8>);

impl picomcp::Sink for Out {
    fn write(&mut self, bytes: &[u8]) -> Result<(), picomcp::Error> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

fn written(v: &J) -> Vec<u8> {
    let mut out = Out::default();
    let _ = write(ValueWriter::new(&mut out), v).expect("writing into a Vec");
    out.0
}

/// Whether the core read `c` as `v`.
fn core_is(c: Value<'_>, v: &J) -> bool {
    match v {
        J::Null => c.is_null(),
        J::Bool(b) => c.as_bool() == Some(*b),
        J::Int(i) => c.as_i64() == Some(*i),
        J::Float(f) => c.as_f64() == Some(*f),
        J::Str(s) => c.as_str().is_some_and(|t| t.eq_str(s) && t.chars().collect::<String>() == *s),
        J::Array(items) => c
            .as_array()
            .is_some_and(|a| a.iter().count() == items.len() && a.iter().zip(items).all(|(c, v)| core_is(c, v))),
        J::Object(members) => c.as_object().is_some_and(|o| {
            o.iter().count() == members.len()
                && o.iter().zip(members).all(|((k, c), (key, v))| k.eq_str(key) && core_is(c, v))
                && members.iter().all(|(key, v)| o.get(key).is_some_and(|c| core_is(c, v)))
        }),
    }
}

/// Whether serde_json read `s` as `v`.
fn serde_is(s: &serde_json::Value, v: &J) -> bool {
    use serde_json::Value as S;
    match (s, v) {
        (S::Null, J::Null) => true,
        (S::Bool(a), J::Bool(b)) => a == b,
        (S::Number(n), J::Int(i)) => n.as_i64() == Some(*i),
        (S::Number(n), J::Float(f)) => n.as_f64() == Some(*f),
        (S::String(a), J::Str(b)) => a == b,
        (S::Array(a), J::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(s, v)| serde_is(s, v)),
        (S::Object(a), J::Object(b)) => {
            a.len() == b.len() && b.iter().all(|(k, v)| a.get(k).is_some_and(|s| serde_is(s, v)))
        }
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// What the writer emits is one line of JSON that reads back as the value written.
    #[test]
    fn written_json_reads_back(v in value()) {
        let out = written(&v);
        prop_assert!(!out.contains(&b'\n'), "a line break: {}", String::from_utf8_lossy(&out));
        let c = json::parse(&out, MAX_DEPTH_LIMIT);
        prop_assert!(c.is_ok(), "core refuses {}: {:?}", String::from_utf8_lossy(&out), c);
        prop_assert!(core_is(c.unwrap(), &v), "core reads {} as something else", String::from_utf8_lossy(&out));
        let s: serde_json::Value = serde_json::from_slice(&out).expect("serde_json reads what the core wrote");
        prop_assert!(serde_is(&s, &v), "serde_json reads {} as {s}", String::from_utf8_lossy(&out));
    }

    /// Raw JSON is checked and copied: any serde_json text goes through `raw` unchanged
    /// but for line breaks (whitespace between tokens) written as spaces.
    #[test]
    fn raw_json_is_copied(v in value(), pretty in any::<bool>()) {
        let s = serde_json::from_slice::<serde_json::Value>(&written(&v)).unwrap();
        let text = if pretty { serde_json::to_string_pretty(&s).unwrap() } else { s.to_string() };
        let mut out = Out::default();
        let _ = ValueWriter::new(&mut out).raw(&text).expect("valid JSON");
        prop_assert_eq!(String::from_utf8(out.0).unwrap(), text.replace('\n', " "));
    }
}

// ---------------------------------------------------------------------------------------
// Differential reading
// ---------------------------------------------------------------------------------------

/// Whether the core's double `core` is the correctly rounded `exact` (one unit in the last
/// place off is allowed without `fast-float`, see the top).
fn same_double(core: f64, exact: f64) -> bool {
    core.to_bits() == exact.to_bits()
        || (!cfg!(feature = "fast-float") && core.to_bits().abs_diff(exact.to_bits()) <= 1)
}

/// Whether the core's reading `c` is serde_json's `s` (the last of duplicate keys).
fn same(c: Value<'_>, s: &serde_json::Value) -> bool {
    use serde_json::Value as S;
    match (c.kind(), s) {
        (Kind::Null, S::Null) => true,
        (Kind::Bool, S::Bool(b)) => c.as_bool() == Some(*b),
        (Kind::Number, S::Number(n)) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => c.as_u64() == Some(u),
            (None, Some(i)) => c.as_i64() == Some(i),
            _ => c.as_f64().zip(n.as_f64()).is_some_and(|(c, s)| c == s || same_double(c, s)),
        },
        (Kind::String, S::String(t)) => c.as_str().is_some_and(|x| x.chars().collect::<String>() == *t),
        (Kind::Array, S::Array(items)) => {
            let a = c.as_array().unwrap();
            a.iter().count() == items.len() && a.iter().zip(items).all(|(c, s)| same(c, s))
        }
        (Kind::Object, S::Object(map)) => {
            let members: Vec<(String, Value<'_>)> =
                c.as_object().unwrap().iter().map(|(k, v)| (k.chars().collect(), v)).collect();
            let mut keys: Vec<&String> = members.iter().map(|(k, _)| k).collect();
            keys.sort();
            keys.dedup();
            keys.len() == map.len()
                && map
                    .iter()
                    .all(|(k, s)| members.iter().rev().find(|(key, _)| key == k).is_some_and(|(_, c)| same(*c, s)))
        }
        _ => false,
    }
}

/// Nesting depth of valid JSON text.
fn depth(text: &[u8]) -> usize {
    let (mut now, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for &b in text {
        match (in_string, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') | (false, _, b'"') => in_string = !in_string,
            (false, _, b'{' | b'[') => {
                now += 1;
                max = max.max(now);
            }
            (false, _, b'}' | b']') => now = now.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Read `bytes` with both readers; they must agree, but for the documented deviations.
fn differential(bytes: &[u8]) -> Result<(), TestCaseError> {
    let core = json::parse(bytes, MAX_DEPTH_LIMIT);
    let serde = serde_json::from_slice::<serde_json::Value>(bytes);
    let shown = String::from_utf8_lossy(bytes);
    match (core, serde) {
        (Ok(c), Ok(s)) => prop_assert!(same(c, &s), "core and serde_json read {shown:?} differently"),
        (Ok(_), Err(e)) => {
            let deviation = e.to_string().starts_with("number out of range") || depth(bytes) > 127;
            prop_assert!(deviation, "core accepts {shown:?}, serde_json refuses: {e}");
        }
        (Err(e), Ok(_)) => prop_assert!(false, "serde_json accepts {shown:?}, core refuses: {e}"),
        (Err(_), Err(_)) => {}
    }
    Ok(())
}

/// One edit of a JSON text.
#[derive(Clone, Debug)]
enum Edit {
    Delete(usize),
    Insert(usize, u8),
    Replace(usize, u8),
}

/// Bytes that matter to the grammar, and a few that never may appear.
fn grammar_byte() -> impl Strategy<Value = u8> {
    prop_oneof![prop::sample::select(b"{}[],:\"\\/ \t\r\n0123456789-+.eEtrufalsn\x00\x1f\x7f".to_vec()), any::<u8>(),]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), grammar_byte()).prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<usize>(), grammar_byte()).prop_map(|(i, b)| Edit::Replace(i, b)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let n = bytes.len();
        match *e {
            Edit::Delete(i) if n > 0 => _ = bytes.remove(i % n),
            Edit::Insert(i, b) => bytes.insert(i % (n + 1), b),
            Edit::Replace(i, b) if n > 0 => bytes[i % n] = b,
            _ => {}
        }
    }
    bytes
}

/// JSON texts as serde_json writes them (compact or pretty) and with hand-made escapes.
fn json_text() -> impl Strategy<Value = Vec<u8>> {
    (value(), 0u8..3).prop_map(|(v, style)| {
        let s = serde_json::from_slice::<serde_json::Value>(&written(&v)).unwrap();
        match style {
            0 => s.to_string().into_bytes(),
            1 => serde_json::to_string_pretty(&s).unwrap().into_bytes(),
            _ => written(&v),
        }
    })
}

/// Numbers in JSON's grammar and just outside it.
fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,24})?([eE][+-]?[0-9]{1,3})?",
        "-?[0-9]{1,3}(\\.[0-9]*)?([eE][+-]?[0-9]*)?",
        "[-+]?[0-9.eE+-]{1,8}",
        // Halfway cases and the edges of the double range.
        "(4\\.9406564584124654|2\\.2250738585072011|1\\.7976931348623157|9007199254740993)[0-9]{0,20}e-?[0-9]{1,3}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    /// Valid JSON with a few edits: both readers accept and refuse alike.
    #[test]
    fn mutated_json_read_alike(text in json_text(), edits in prop::collection::vec(edit(), 0..4)) {
        differential(&apply(text, &edits))?;
    }

    /// Short texts over the grammar's alphabet (mostly invalid, some valid).
    #[test]
    fn grammar_soup_read_alike(text in "[\\[\\]{}:, \t\r\n\"\\\\/0-9eE.+\\-tfalsrunbx\u{0}\u{1f}\u{7f}é\u{2028}]{0,24}") {
        differential(text.as_bytes())?;
    }

    /// Arbitrary bytes.
    #[test]
    fn arbitrary_bytes_read_alike(bytes in prop::collection::vec(any::<u8>(), 0..32)) {
        differential(&bytes)?;
    }

    /// `\u` escapes, surrogate pairs and lone surrogates inside strings.
    #[test]
    fn escapes_read_alike(units in prop::collection::vec(prop_oneof![0u16..0x80, 0xd7f0u16..0xe010, any::<u16>()], 0..4),
                          upper in any::<bool>()) {
        let mut text = String::from("\"");
        for u in units {
            text.push_str(&if upper { format!("\\u{u:04X}") } else { format!("\\u{u:04x}") });
        }
        text.push('"');
        differential(text.as_bytes())?;
    }

    /// Numbers read to the correctly rounded double, as `str::parse` does, and agree with
    /// serde_json where it accepts them.
    #[test]
    fn numbers_read_exactly(text in number_text()) {
        differential(text.as_bytes())?;
        if let Ok(v) = json::parse(text.as_bytes(), 1) {
            let exact: f64 = text.parse().unwrap();
            let got = v.as_f64().unwrap();
            prop_assert!(same_double(got, exact), "{}: got {:e}, want {:e}", text, got, exact);
            if let Ok(i) = text.parse::<i64>() {
                prop_assert_eq!(v.as_i64(), Some(i));
            }
            if let Some(i) = v.as_i64() {
                prop_assert!(i as f64 == exact || same_double(i as f64, exact), "{}", text);
            }
        }
    }
}

/// The deviations named at the top, pinned.
#[test]
fn documented_deviations() {
    // Depth: 128 levels are too deep for serde_json, not for the core at its limit.
    let deep = format!("{}{}", "[".repeat(128), "]".repeat(128));
    assert!(serde_json::from_str::<serde_json::Value>(&deep).is_err());
    assert!(json::parse(deep.as_bytes(), MAX_DEPTH_LIMIT).is_ok());
    // Range: 1e400 is a JSON number; its double is infinite.
    assert!(serde_json::from_str::<serde_json::Value>("1e400").is_err());
    assert_eq!(json::parse(b"1e400", 1).unwrap().as_f64(), Some(f64::INFINITY));
}
