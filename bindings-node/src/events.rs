//! Events for JavaScript as one JSON text per batch (one `JSON.parse` on the other side;
//! a tool call's arguments are embedded as the client sent them), and tickets as
//! JavaScript numbers.
//!
//! Each event is an array (after a leading `1` or `0` from `feed` and `step`: whether
//! input waits): `["tool", ticket, id, arguments, principal]`, `["read", ticket,
//! "resource" | "template", id, uri, {variable: value}, principal]`, `["prompt", ticket,
//! id, {name: value}, principal]`, `["complete", ticket, "prompt" | "resource", name,
//! argument, value, {name: value}, principal]`, `["authorize", token | null]`,
//! `["cancelled", ticket]`. A `principal` is the caller's number (0: anonymous; `grant`
//! names the others).

use picomcp::Error;
use picomcp::json::{ObjectWriter, ValueWriter};
use picomcp_engine::{Event, ReadKind, RefKind};

/// A ticket as a JavaScript number: the slot's generation times 2^16 plus its index
/// (below 2^16, as the engine holds at most 65536 requests): below 2^48, so exact.
pub(crate) fn to_js(bits: u64) -> f64 {
    ((bits >> 32) * 65536 + (bits & 0xffff)) as f64
}

/// The engine's ticket for a number from [`to_js`]; `None` for what no ticket gives.
pub(crate) fn from_js(n: f64) -> Option<u64> {
    if !(0.0..281_474_976_710_656.0).contains(&n) || n.fract() != 0.0 {
        return None;
    }
    let n = n as u64;
    Some((n >> 16) << 32 | (n & 0xffff))
}

fn pairs(o: &mut ObjectWriter<'_>, pairs: &[(String, String)]) -> Result<(), Error> {
    pairs.iter().try_for_each(|(k, v)| o.string(k, v))
}

/// The events as a JSON array, appended to `out`; with `more`, the array starts with `1`
/// when input waits for `step()` and `0` when not (the stdio calls `feed` and `step`).
pub(crate) fn write_json(events: &[Event], more: Option<bool>, out: &mut Vec<u8>) {
    // A Vec never refuses bytes, and every arguments text is JSON the core parsed.
    let _ = ValueWriter::new(out).array(|a| {
        if let Some(more) = more {
            a.number(if more { 1.0 } else { 0.0 })?;
        }
        for event in events {
            a.item(|v| {
                v.array(|e| match event {
                    Event::Tool { ticket, index, arguments, principal } => {
                        e.string("tool")?;
                        e.number(to_js(*ticket))?;
                        e.number(*index as f64)?;
                        e.item(|v| v.raw(arguments))?;
                        e.number(f64::from(*principal))
                    }
                    Event::Read { ticket, kind, index, uri, variables, principal } => {
                        e.string("read")?;
                        e.number(to_js(*ticket))?;
                        e.string(if *kind == ReadKind::Template { "template" } else { "resource" })?;
                        e.number(*index as f64)?;
                        e.string(uri)?;
                        e.item(|v| v.object(|o| pairs(o, variables)))?;
                        e.number(f64::from(*principal))
                    }
                    Event::Prompt { ticket, index, arguments, principal } => {
                        e.string("prompt")?;
                        e.number(to_js(*ticket))?;
                        e.number(*index as f64)?;
                        e.item(|v| v.object(|o| pairs(o, arguments)))?;
                        e.number(f64::from(*principal))
                    }
                    Event::Complete { ticket, kind, name, argument, value, context, principal } => {
                        e.string("complete")?;
                        e.number(to_js(*ticket))?;
                        e.string(if *kind == RefKind::Prompt { "prompt" } else { "resource" })?;
                        e.string(name)?;
                        e.string(argument)?;
                        e.string(value)?;
                        e.item(|v| v.object(|o| pairs(o, context)))?;
                        e.number(f64::from(*principal))
                    }
                    Event::Authorize { token } => {
                        e.string("authorize")?;
                        match token {
                            Some(token) => e.string(token),
                            None => e.item(|v| v.null()),
                        }
                    }
                    Event::Cancelled { ticket } => {
                        e.string("cancelled")?;
                        e.number(to_js(*ticket))
                    }
                })
            })?;
        }
        Ok(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_survive_javascript_numbers() {
        for bits in [0u64, 5, (7 << 32) | 3, (u64::from(u32::MAX) << 32) | 0xffff] {
            assert_eq!(from_js(to_js(bits)), Some(bits));
        }
        assert_eq!(from_js(-1.0), None);
        assert_eq!(from_js(1.5), None);
        assert_eq!(from_js(f64::NAN), None);
    }

    #[test]
    fn events_are_one_json_array() {
        let events = [
            Event::Tool { ticket: 1, index: 0, arguments: r#"{"a":1}"#.into(), principal: 0 },
            Event::Prompt { ticket: 2, index: 3, arguments: vec![("name".into(), "A\"da".into())], principal: 2 },
            Event::Authorize { token: Some("t".into()) },
            Event::Authorize { token: None },
            Event::Cancelled { ticket: 1 << 32 },
        ];
        let mut out = Vec::new();
        write_json(&events, None, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"[["tool",1,0,{"a":1},0],["prompt",2,3,{"name":"A\"da"},2],["authorize","t"],["authorize",null],["cancelled",65536]]"#
        );
        let mut out = Vec::new();
        write_json(&events[4..], Some(true), &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), r#"[1,["cancelled",65536]]"#);
    }
}
