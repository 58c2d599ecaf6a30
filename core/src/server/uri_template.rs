//! Matching URIs against RFC 6570 URI templates, the subset resource templates use:
//! literal text, `{name}` (one or more characters, no `/`, `?` or `#`) and `{+name}`
//! (one or more of any character).
//!
//! ```
//! use picomcp::uri_template;
//! let uri = picomcp::json::parse(br#""demo://items/42""#, 4).unwrap().as_str().unwrap();
//! let vars = uri_template::match_uri("demo://items/{id}", uri).unwrap();
//! assert_eq!(vars[0].as_plain(), Some("42"));
//! assert!(uri_template::match_uri("demo://other/{id}", uri).is_none());
//! ```

use crate::json::Str;

/// The most variables a template may have.
pub const MAX_VARIABLES: usize = 8;

/// Matching gives up (no match) after this many steps, so a hostile URI cannot make
/// backtracking expensive.
const STEP_BUDGET: usize = 20_000;

/// The values of a template's variables, in the template's order (escaped as they arrived).
pub type Captures<'a> = heapless::Vec<Str<'a>, MAX_VARIABLES>;

#[derive(Clone, Copy)]
enum Part<'t> {
    Literal(&'t str),
    Variable { name: &'t str, reserved: bool },
}

/// The part of `template` starting at byte `at`, and where the next one starts.
fn part_at(template: &str, at: usize) -> Option<(Part<'_>, usize)> {
    let rest = template.get(at..)?;
    if rest.is_empty() {
        return None;
    }
    // Byte searches: the braces and `+` are ASCII, so every index found is a char boundary.
    let position = |s: &str, byte: u8| s.bytes().position(|b| b == byte);
    if rest.as_bytes().first() == Some(&b'{') {
        let body = rest.get(1..)?;
        let close = position(body, b'}')?;
        let expr = body.get(..close)?;
        let (name, reserved) = match expr.as_bytes().first() {
            Some(b'+') => (expr.get(1..)?, true),
            _ => (expr, false),
        };
        return Some((Part::Variable { name, reserved }, at + close + 2));
    }
    let len = position(rest, b'{').unwrap_or(rest.len());
    Some((Part::Literal(rest.get(..len)?), at + len))
}

fn parts(template: &str) -> impl Iterator<Item = Part<'_>> {
    let mut at = 0;
    core::iter::from_fn(move || {
        let (part, next) = part_at(template, at)?;
        at = next;
        Some(part)
    })
}

/// Whether `template` is one this module can match: balanced braces, variable names of
/// ASCII letters, digits and `_`, no two variables side by side, at most
/// [`MAX_VARIABLES`] variables.
pub fn is_valid(template: &str) -> bool {
    let mut covered = 0;
    let mut variables = 0;
    let mut last_was_variable = false;
    for part in parts(template) {
        match part {
            Part::Literal(lit) => {
                if lit.contains('}') {
                    return false;
                }
                covered += lit.len();
                last_was_variable = false;
            }
            Part::Variable { name, reserved } => {
                let ok = !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
                if !ok || last_was_variable {
                    return false;
                }
                covered += name.len() + 2 + usize::from(reserved);
                variables += 1;
                last_was_variable = true;
            }
        }
    }
    covered == template.len() && variables <= MAX_VARIABLES
}

/// The variable names of `template`, in order.
pub fn variable_names(template: &str) -> impl Iterator<Item = &str> {
    parts(template).filter_map(|p| match p {
        Part::Variable { name, .. } => Some(name),
        Part::Literal(_) => None,
    })
}

/// Match `uri` against `template`; the captured variable values on success.
pub fn match_uri<'a>(template: &str, uri: Str<'a>) -> Option<Captures<'a>> {
    if !is_valid(template) {
        return None;
    }
    let mut m = Matcher { template, uri, captures: Captures::new(), steps: 0 };
    m.match_from(0, 0).then_some(m.captures)
}

struct Matcher<'t, 'a> {
    template: &'t str,
    uri: Str<'a>,
    captures: Captures<'a>,
    steps: usize,
}

impl Matcher<'_, '_> {
    /// Match template part at byte `at` against the URI from escaped offset `pos` on.
    fn match_from(&mut self, at: usize, pos: usize) -> bool {
        self.steps += 1;
        if self.steps > STEP_BUDGET {
            return false;
        }
        let Some((part, next)) = part_at(self.template, at) else {
            return pos == self.uri.raw().len();
        };
        let mut chars = self.uri.slice(pos, self.uri.raw().len()).chars();
        match part {
            Part::Literal(lit) => {
                for want in lit.chars() {
                    if chars.next() != Some(want) {
                        return false;
                    }
                }
                self.match_from(next, pos + chars.offset())
            }
            Part::Variable { reserved, .. } => {
                // Try every end, shortest first; a simple variable stops at a delimiter.
                while let Some(c) = chars.next() {
                    if !reserved && matches!(c, '/' | '?' | '#') {
                        return false;
                    }
                    let end = pos + chars.offset();
                    if self.captures.push(self.uri.slice(pos, end)).is_err() {
                        return false;
                    }
                    if self.match_from(next, end) {
                        return true;
                    }
                    self.captures.pop();
                }
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn uri(text: &str) -> Str<'_> {
        parse(text.as_bytes(), 4).unwrap().as_str().unwrap()
    }

    fn values(template: &str, text: &str) -> Option<std::vec::Vec<std::string::String>> {
        extern crate std;
        use std::string::ToString;
        let caps = match_uri(template, uri(text))?;
        Some(caps.iter().map(|s| s.chars().collect::<std::string::String>().to_string()).collect())
    }

    #[test]
    fn matching() {
        assert_eq!(values("demo://items/{id}", r#""demo://items/42""#).unwrap(), ["42"]);
        assert_eq!(values("demo://items/{id}", r#""demo:\/\/items\/\u0034\u0032""#).unwrap(), ["42"]);
        assert!(values("demo://items/{id}", r#""demo://items/""#).is_none());
        assert!(values("demo://items/{id}", r#""demo://items/4/2""#).is_none());
        assert_eq!(values("t://{id}/data", r#""t://7/data""#).unwrap(), ["7"]);
        assert_eq!(values("f://{+path}", r#""f://a/b/c""#).unwrap(), ["a/b/c"]);
        assert_eq!(values("x://{a}-{b}", r#""x://1-2-3""#).unwrap(), ["1", "2-3"]);
        assert!(values("x://{a}", r#""y://1""#).is_none());
    }

    #[test]
    fn validity() {
        assert!(is_valid("demo://items/{id}"));
        assert!(is_valid("plain://no-vars"));
        for bad in ["a{", "a}", "{}", "{a}{b}", "{a b}", "{?q}", "{a", "x{1}{2}"] {
            assert!(!is_valid(bad), "{bad}");
        }
        assert_eq!(variable_names("x://{a}/{+b}").collect::<heapless::Vec<_, 4>>(), ["a", "b"]);
    }

    #[test]
    fn hostile_uris_stay_cheap() {
        extern crate std;
        let long = std::format!("\"x://{}\"", "-".repeat(5000));
        assert!(match_uri("x://{a}-{b}-{c}-{d}!", uri(&long)).is_none());
    }
}
