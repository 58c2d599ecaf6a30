//! Checking tool arguments against the tool's `inputSchema`, without allocating.
//!
//! Supported JSON Schema keywords: `type` (a name or a list), `enum`, `const`, `minimum`,
//! `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `maxLength`,
//! `properties`, `required`, `additionalProperties` (boolean or schema), `minProperties`,
//! `maxProperties`, `items`, `minItems`, `maxItems`, `allOf`, `anyOf`, `oneOf`, `not`, and
//! local `$ref`s (`#`, `#/$defs/…`, `#/definitions/…`); boolean schemas. Other keywords
//! (`pattern`, `format`, …) are accepted without being checked.

use core::cmp::Ordering;

use crate::json::{self, Kind, Str, Value};
use crate::{Error, Sink};

/// How deep schemas and instances may nest while checking (further is a violation).
const MAX_DEPTH: usize = 32;

/// One step of the path to the offending value.
#[derive(Clone, Copy, Debug)]
enum Segment<'a> {
    Key(Str<'a>),
    Index(usize),
}

/// What is wrong with the value at the path.
#[derive(Clone, Copy, Debug)]
enum Problem<'a> {
    Type { expected: Value<'a>, got: Kind },
    Required(Str<'a>),
    Unexpected(Str<'a>),
    Enum(Value<'a>),
    Const(Value<'a>),
    Bound { relation: &'static str, limit: Value<'a>, unit: &'static str },
    AnyOf,
    OneOf,
    Not,
    False,
    BadRef,
    TooDeep,
}

/// Why arguments do not fit a schema: where, and what.
#[derive(Clone, Debug)]
pub struct Violation<'a> {
    path: heapless::Vec<Segment<'a>, PATH_CAP>,
    problem: Problem<'a>,
}

/// Longest path kept in a violation (deeper paths keep their outer part).
const PATH_CAP: usize = 8;

impl<'a> Violation<'a> {
    fn write_path(&self, out: &mut dyn Sink) -> Result<(), Error> {
        for (i, segment) in self.path.iter().enumerate() {
            match segment {
                Segment::Key(k) => {
                    if i > 0 {
                        out.write(b".")?;
                    }
                    out.write(k.raw())?;
                }
                Segment::Index(n) => {
                    out.write(b"[")?;
                    json::u64(out, *n as u64)?;
                    out.write(b"]")?;
                }
            }
        }
        Ok(())
    }

    /// Write the explanation as JSON string contents (escaped, no quotes), naming the field.
    pub fn write_message(&self, out: &mut dyn Sink) -> Result<(), Error> {
        let subject = |out: &mut dyn Sink| -> Result<(), Error> {
            if self.path.is_empty() {
                out.write(b"the arguments")
            } else {
                out.write(b"`")?;
                self.write_path(out)?;
                out.write(b"`")
            }
        };
        let raw = |out: &mut dyn Sink, v: Value<'_>| json::string_contents(out, v.raw_str());
        match self.problem {
            Problem::Required(name) | Problem::Unexpected(name) => {
                let what: &[u8] = if matches!(self.problem, Problem::Required(_)) {
                    b"missing required argument `"
                } else {
                    b"unexpected argument `"
                };
                out.write(what)?;
                if !self.path.is_empty() {
                    self.write_path(out)?;
                    out.write(b".")?;
                }
                out.write(name.raw())?;
                out.write(b"`")
            }
            Problem::Type { expected, got } => {
                subject(out)?;
                out.write(b" must be ")?;
                match expected.as_str() {
                    Some(name) => out.write(article(name))?,
                    None => {
                        out.write(b"one of the types ")?;
                        raw(out, expected)?;
                    }
                }
                out.write(b", not ")?;
                out.write(article_of(got))
            }
            Problem::Enum(values) => {
                subject(out)?;
                out.write(b" must be one of ")?;
                raw(out, values)
            }
            Problem::Const(value) => {
                subject(out)?;
                out.write(b" must be ")?;
                raw(out, value)
            }
            Problem::Bound { relation, limit, unit } => {
                subject(out)?;
                out.write(b" must be ")?;
                out.write(relation.as_bytes())?;
                out.write(b" ")?;
                raw(out, limit)?;
                out.write(unit.as_bytes())
            }
            Problem::AnyOf | Problem::OneOf | Problem::Not | Problem::False => {
                subject(out)?;
                out.write(match self.problem {
                    Problem::AnyOf => b" does not match any of the allowed schemas",
                    Problem::OneOf => b" must match exactly one of the allowed schemas",
                    Problem::Not => b" matches a schema it must not match",
                    _ => b" cannot take any value",
                })
            }
            Problem::BadRef => {
                subject(out)?;
                out.write(b" cannot be checked: the schema has a $ref that is not local")
            }
            Problem::TooDeep => {
                subject(out)?;
                out.write(b" is nested too deeply to check")
            }
        }
    }
}

fn article(type_name: Str<'_>) -> &[u8] {
    type_entry(type_name).map_or(type_name.raw(), |(_, _, article)| article)
}

fn article_of(kind: Kind) -> &'static [u8] {
    match kind {
        Kind::Null => b"null",
        Kind::Bool => b"a boolean",
        Kind::Number => b"a number",
        Kind::String => b"a string",
        Kind::Array => b"an array",
        Kind::Object => b"an object",
    }
}

/// Check `instance` against `schema` (both validated JSON; `schema` is also the root for
/// `$ref`s).
#[allow(clippy::result_large_err)] // one value at the top; the recursion returns small errors
pub fn validate<'a>(schema: Value<'a>, instance: Value<'a>) -> Result<(), Violation<'a>> {
    let mut checker = Checker { root: schema, path: heapless::Vec::new(), depth: 0 };
    checker.check(schema, instance, 0).map_err(|problem| Violation { path: checker.path, problem })
}

/// The walk over schema and instance. The path to the value being checked is kept here
/// (not in the error) so errors stay small on the stack of a deep recursion.
struct Checker<'a> {
    root: Value<'a>,
    path: heapless::Vec<Segment<'a>, PATH_CAP>,
    /// Segments entered, including those past the path's capacity.
    depth: usize,
}

/// The keywords of one schema object, gathered in one pass: the value of each keyword of
/// [`KEYWORDS`], at its index (kept as one array: copying two dozen fields around costs
/// flash and stack on every level of the recursion).
struct Keywords<'a>([Option<Value<'a>>; KEYWORDS.len()]);

impl<'a> Keywords<'a> {
    fn gather(schema: json::Object<'a>) -> Self {
        Self(json::pick(&mut schema.iter(), &KEYWORDS))
    }

    /// The value of keyword `index` (one of the constants below).
    fn get(&self, index: usize) -> Option<Value<'a>> {
        self.0.get(index).copied().flatten()
    }

    /// The values of the bound keywords, in the order of [`BOUNDS`].
    fn bounds(&self) -> &[Option<Value<'a>>] {
        self.0.get(FIRST_BOUND..).unwrap_or_default()
    }
}

/// The numeric bound keywords: name, relation, which kind of value it measures, unit, and
/// how the value must compare with the limit (`Greater` or `Less`; also `Equal` when the
/// flag is set).
const BOUNDS: [(&str, &str, Measure, &str, Ordering, bool); 10] = [
    ("minimum", ">=", Measure::Number, "", Ordering::Greater, true),
    ("maximum", "<=", Measure::Number, "", Ordering::Less, true),
    ("exclusiveMinimum", ">", Measure::Number, "", Ordering::Greater, false),
    ("exclusiveMaximum", "<", Measure::Number, "", Ordering::Less, false),
    ("minLength", "at least", Measure::Chars, " characters long", Ordering::Greater, true),
    ("maxLength", "at most", Measure::Chars, " characters long", Ordering::Less, true),
    ("minItems", "at least", Measure::Items, " items long", Ordering::Greater, true),
    ("maxItems", "at most", Measure::Items, " items long", Ordering::Less, true),
    ("minProperties", "at least", Measure::Members, " properties big", Ordering::Greater, true),
    ("maxProperties", "at most", Measure::Members, " properties big", Ordering::Less, true),
];

#[derive(Clone, Copy, PartialEq)]
enum Measure {
    Number,
    Chars,
    Items,
    Members,
}

/// Indices of the keywords in [`KEYWORDS`].
const TYPE: usize = 0;
const ENUM: usize = 1;
const CONST: usize = 2;
const PROPERTIES: usize = 3;
const REQUIRED: usize = 4;
const ADDITIONAL_PROPERTIES: usize = 5;
const ITEMS: usize = 6;
const ALL_OF: usize = 7;
const ANY_OF: usize = 8;
const ONE_OF: usize = 9;
const NOT: usize = 10;
const REF: usize = 11;
const PATTERN_PROPERTIES: usize = 12;
const FIRST_BOUND: usize = 13;

/// The keywords [`Keywords::gather`] reads, at the indices above; the last ten are the
/// names in [`BOUNDS`].
const KEYWORDS: [&[u8]; 23] = [
    b"type",
    b"enum",
    b"const",
    b"properties",
    b"required",
    b"additionalProperties",
    b"items",
    b"allOf",
    b"anyOf",
    b"oneOf",
    b"not",
    b"$ref",
    b"patternProperties",
    b"minimum",
    b"maximum",
    b"exclusiveMinimum",
    b"exclusiveMaximum",
    b"minLength",
    b"maxLength",
    b"minItems",
    b"maxItems",
    b"minProperties",
    b"maxProperties",
];

/// JSON Schema's type names: the kind of value each admits (`None`: integral numbers)
/// and how messages name it.
const TYPES: [(&[u8], Option<Kind>, &[u8]); 7] = [
    (b"integer", None, b"an integer"),
    (b"number", Some(Kind::Number), b"a number"),
    (b"string", Some(Kind::String), b"a string"),
    (b"boolean", Some(Kind::Bool), b"a boolean"),
    (b"object", Some(Kind::Object), b"an object"),
    (b"array", Some(Kind::Array), b"an array"),
    (b"null", Some(Kind::Null), b"null"),
];

fn type_entry(name: Str<'_>) -> Option<&'static (&'static [u8], Option<Kind>, &'static [u8])> {
    TYPES.iter().find(|(n, ..)| *n == name.raw())
}

/// Whether `v` is of the type `name` (an unknown type name admits everything).
fn type_matches(name: Str<'_>, v: Value<'_>) -> bool {
    match type_entry(name) {
        None => true,
        Some((_, None, _)) => v.is_integer(),
        Some((_, Some(kind), _)) => v.kind() == *kind,
    }
}

/// JSON equality: numbers by value, strings decoded, objects regardless of member order.
fn json_eq(a: Value<'_>, b: Value<'_>, depth: usize) -> bool {
    if a.raw() == b.raw() {
        return true;
    }
    if depth > MAX_DEPTH || a.kind() != b.kind() {
        return false;
    }
    match a.kind() {
        Kind::Number => a.as_f64().zip(b.as_f64()).is_some_and(|(x, y)| json::compare(x, y) == Some(Ordering::Equal)),
        Kind::String => a.as_str().zip(b.as_str()).is_some_and(|(x, y)| x.same_text(y)),
        Kind::Array => {
            let (Some(x), Some(y)) = (a.as_array(), b.as_array()) else { return false };
            // In step: equal elements, and both end together.
            let (mut x, mut y) = (x.iter(), y.iter());
            loop {
                match (x.next(), y.next()) {
                    (None, None) => return true,
                    (Some(p), Some(q)) if json_eq(p, q, depth + 1) => {}
                    _ => return false,
                }
            }
        }
        Kind::Object => {
            let (Some(x), Some(y)) = (a.as_object(), b.as_object()) else { return false };
            x.iter().count() == y.iter().count()
                && x.iter().all(|(k, v)| {
                    let same_key = y.iter().find(|(key, _)| key.same_text(k));
                    same_key.is_some_and(|(_, w)| json_eq(v, w, depth + 1))
                })
        }
        Kind::Null | Kind::Bool => false,
    }
}

impl<'a> Checker<'a> {
    /// Check `v` as the child `segment` of the current value.
    fn check_child(
        &mut self,
        segment: Segment<'a>,
        schema: Value<'a>,
        v: Value<'a>,
        depth: usize,
    ) -> Result<(), Problem<'a>> {
        if self.depth < PATH_CAP {
            let _ = self.path.push(segment);
        }
        self.depth += 1;
        self.check(schema, v, depth + 1)?;
        self.leave(self.depth - 1);
        Ok(())
    }

    /// Go back up to `depth` segments (after a branch that failed or a child that passed).
    fn leave(&mut self, depth: usize) {
        self.depth = depth;
        self.path.truncate(depth.min(PATH_CAP));
    }

    /// Whether `v` fits `schema`, leaving the path as it was.
    fn fits(&mut self, schema: Value<'a>, v: Value<'a>, depth: usize) -> bool {
        let saved = self.depth;
        let ok = self.check(schema, v, depth + 1).is_ok();
        self.leave(saved);
        ok
    }

    fn resolve(&self, reference: Str<'a>) -> Option<Value<'a>> {
        if reference.raw() == b"#" {
            return Some(self.root);
        }
        let raw = reference.as_plain()?;
        let (container, name) = raw
            .strip_prefix("#/$defs/")
            .map(|n| ("$defs", n))
            .or_else(|| raw.strip_prefix("#/definitions/").map(|n| ("definitions", n)))?;
        self.root.as_object()?.get(container)?.as_object()?.get(name)
    }

    fn check(&mut self, schema: Value<'a>, v: Value<'a>, depth: usize) -> Result<(), Problem<'a>> {
        if depth > MAX_DEPTH {
            return Err(Problem::TooDeep);
        }
        if let Some(allowed) = schema.as_bool() {
            return if allowed { Ok(()) } else { Err(Problem::False) };
        }
        let Some(obj) = schema.as_object() else { return Ok(()) };
        let k = Keywords::gather(obj);

        if let Some(t) = k.get(TYPE) {
            let ok = match (t.as_str(), t.as_array()) {
                (Some(name), _) => type_matches(name, v),
                (_, Some(list)) => list.iter().filter_map(Value::as_str).any(|name| type_matches(name, v)),
                _ => true,
            };
            if !ok {
                return Err(Problem::Type { expected: t, got: v.kind() });
            }
        }
        if let Some(allowed) = k.get(ENUM) {
            if allowed.as_array().is_some_and(|values| !values.iter().any(|e| json_eq(e, v, depth))) {
                return Err(Problem::Enum(allowed));
            }
        }
        if let Some(c) = k.get(CONST) {
            if !json_eq(c, v, depth) {
                return Err(Problem::Const(c));
            }
        }
        self.check_bounds(&k, v)?;
        if let Some(members) = v.as_object() {
            self.check_object(&k, members, depth)?;
        }
        if let (Some(items), Some(elements)) = (k.get(ITEMS), v.as_array()) {
            for (i, e) in elements.iter().enumerate() {
                self.check_child(Segment::Index(i), items, e, depth)?;
            }
        }
        if let Some(all) = k.get(ALL_OF).and_then(Value::as_array) {
            for s in all.iter() {
                self.check(s, v, depth + 1)?;
            }
        }
        if let Some(any) = k.get(ANY_OF).and_then(Value::as_array) {
            if !any.iter().any(|s| self.fits(s, v, depth)) {
                return Err(Problem::AnyOf);
            }
        }
        if let Some(one) = k.get(ONE_OF).and_then(Value::as_array) {
            if one.iter().filter(|&s| self.fits(s, v, depth)).count() != 1 {
                return Err(Problem::OneOf);
            }
        }
        if let Some(not) = k.get(NOT) {
            if self.fits(not, v, depth) {
                return Err(Problem::Not);
            }
        }
        if let Some(reference) = k.get(REF).and_then(Value::as_str) {
            let target = self.resolve(reference).ok_or(Problem::BadRef)?;
            self.check(target, v, depth + 1)?;
        }
        Ok(())
    }

    fn check_bounds(&self, k: &Keywords<'a>, v: Value<'a>) -> Result<(), Problem<'a>> {
        for (limit, &(_, relation, measure, unit, want, or_equal)) in k.bounds().iter().zip(&BOUNDS) {
            let Some(limit) = *limit else { continue };
            let Some(bound) = limit.as_f64() else { continue };
            let actual = match measure {
                Measure::Number => v.as_f64(),
                Measure::Chars => v.as_str().map(|s| s.chars().count() as f64),
                Measure::Items => v.as_array().map(|a| a.iter().count() as f64),
                Measure::Members => v.as_object().map(|o| o.iter().count() as f64),
            };
            let Some(actual) = actual else { continue };
            let order = json::compare(actual, bound);
            if order != Some(want) && !(or_equal && order == Some(Ordering::Equal)) {
                return Err(Problem::Bound { relation, limit, unit });
            }
        }
        Ok(())
    }

    fn check_object(&mut self, k: &Keywords<'a>, members: json::Object<'a>, depth: usize) -> Result<(), Problem<'a>> {
        if let Some(required) = k.get(REQUIRED).and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !members.iter().any(|(key, _)| key.same_text(name)) {
                    return Err(Problem::Required(name));
                }
            }
        }
        let properties = k.get(PROPERTIES).and_then(Value::as_object);
        for (key, value) in members.iter() {
            let declared = properties.and_then(|p| p.iter().find(|(name, _)| name.same_text(key)));
            let sub = match (declared, k.get(ADDITIONAL_PROPERTIES)) {
                (Some((_, s)), _) => s,
                (None, Some(extra)) if k.get(PATTERN_PROPERTIES).is_none() => {
                    if extra.as_bool() == Some(false) {
                        return Err(Problem::Unexpected(key));
                    }
                    extra
                }
                _ => continue,
            };
            self.check_child(Segment::Key(key), sub, value, depth)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::String;

    #[test]
    fn keyword_table_ends_with_the_bounds() {
        let tail = KEYWORDS.get(KEYWORDS.len() - BOUNDS.len()..).unwrap();
        assert!(tail.iter().zip(&BOUNDS).all(|(k, b)| *k == b.0.as_bytes()));
    }

    struct S(String);
    impl Sink for S {
        fn write(&mut self, b: &[u8]) -> Result<(), Error> {
            self.0.push_str(core::str::from_utf8(b).unwrap());
            Ok(())
        }
    }

    fn check(schema: &str, args: &str) -> Result<(), String> {
        let s = json::parse(schema.as_bytes(), 64).unwrap();
        let a = json::parse(args.as_bytes(), 64).unwrap();
        validate(s, a).map_err(|v| {
            let mut out = S(String::new());
            v.write_message(&mut out).unwrap();
            out.0
        })
    }

    const ADD: &str =
        r#"{"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}"#;

    #[test]
    fn names_the_field() {
        assert_eq!(check(ADD, r#"{"a":1,"b":2}"#), Ok(()));
        assert_eq!(check(ADD, r#"{"a":1}"#).unwrap_err(), "missing required argument `b`");
        assert_eq!(check(ADD, r#"{"a":"1","b":2}"#).unwrap_err(), "`a` must be a number, not a string");
        assert_eq!(check(ADD, "[]").unwrap_err(), "the arguments must be an object, not an array");
    }

    #[test]
    fn integers_bounds_and_nesting() {
        let slow = r#"{"type":"object","properties":{"ms":{"type":"integer","minimum":0,"maximum":600000}},"required":["ms"]}"#;
        assert_eq!(check(slow, r#"{"ms":300}"#), Ok(()));
        assert_eq!(check(slow, r#"{"ms":3e2}"#), Ok(()));
        assert_eq!(check(slow, r#"{"ms":1.5}"#).unwrap_err(), "`ms` must be an integer, not a number");
        assert_eq!(check(slow, r#"{"ms":-1}"#).unwrap_err(), "`ms` must be >= 0");
        assert_eq!(check(slow, r#"{"ms":600001}"#).unwrap_err(), "`ms` must be <= 600000");
        let nested = r#"{"type":"object","properties":{"p":{"type":"array","items":{"type":"object","properties":{"q":{"type":"string","maxLength":2}},"additionalProperties":false}}}}"#;
        assert_eq!(check(nested, r#"{"p":[{"q":"é😀"}]}"#), Ok(()));
        assert_eq!(check(nested, r#"{"p":[{"q":"abc"}]}"#).unwrap_err(), "`p[0].q` must be at most 2 characters long");
        assert_eq!(check(nested, r#"{"p":[{"r":1}]}"#).unwrap_err(), "unexpected argument `p[0].r`");
    }

    #[test]
    fn enums_refs_and_combinators() {
        let s = r##"{"type":"object","properties":{"m":{"$ref":"#/$defs/Mode"},"n":{"anyOf":[{"type":"integer"},{"type":"null"}]},"c":{"const":{"x":[1,"a"]}}},"$defs":{"Mode":{"enum":["fast","slow"]}}}"##;
        assert_eq!(check(s, r#"{"m":"slow","n":null,"c":{"x":[1.0,"\u0061"]}}"#), Ok(()));
        assert_eq!(check(s, r#"{"m":"medium"}"#).unwrap_err(), r#"`m` must be one of [\"fast\",\"slow\"]"#);
        assert_eq!(check(s, r#"{"n":"x"}"#).unwrap_err(), "`n` does not match any of the allowed schemas");
        assert!(check(r#"{"$ref":"http://x/y"}"#, "{}").unwrap_err().contains("not local"));
        assert_eq!(check("false", "{}").unwrap_err(), "the arguments cannot take any value");
    }
}
