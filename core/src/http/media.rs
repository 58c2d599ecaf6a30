//! Media types in `Accept` and `Content-Type` values.

use super::{list_items, trim_ows};

/// Whether the `Accept` value `accept` admits `ty/subtype`.
///
/// The most specific matching range decides (`text/event-stream` over `text/*` over
/// `*/*`); a range with `q=0` refuses. Other parameters, spaces and order do not matter.
pub(crate) fn accepts(accept: &[u8], ty: &[u8], subtype: &[u8]) -> bool {
    // (specificity, admits) of the most specific matching range so far.
    let mut best: Option<(u8, bool)> = None;
    for range in list_items(accept) {
        let mut parts = range.split(|&b| b == b';');
        let media = trim_ows(parts.next().unwrap_or_default());
        let Some((t, s)) = split_media(media) else { continue };
        let specificity = match (t == b"*", s == b"*") {
            (true, true) => 1,
            (false, true) if t.eq_ignore_ascii_case(ty) => 2,
            (false, false) if t.eq_ignore_ascii_case(ty) && s.eq_ignore_ascii_case(subtype) => 3,
            _ => continue,
        };
        let admits = !parts.any(is_zero_q);
        best = match best {
            Some((level, ok)) if level > specificity => Some((level, ok)),
            Some((level, ok)) if level == specificity => Some((level, ok || admits)),
            _ => Some((specificity, admits)),
        };
    }
    best.is_some_and(|(_, admits)| admits)
}

/// Whether the `Content-Type` value `content_type` is `application/json`, any parameters
/// (`; charset=utf-8`) aside.
pub(crate) fn is_json(content_type: &[u8]) -> bool {
    let media = content_type.split(|&b| b == b';').next().unwrap_or_default();
    split_media(trim_ows(media))
        .is_some_and(|(t, s)| t.eq_ignore_ascii_case(b"application") && s.eq_ignore_ascii_case(b"json"))
}

/// `type/subtype` split at the slash.
fn split_media(media: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut halves = media.splitn(2, |&b| b == b'/');
    Some((halves.next()?, halves.next()?))
}

/// Whether a media-range parameter is `q=0` (`q=0.0`, `Q=0.000`).
fn is_zero_q(param: &[u8]) -> bool {
    let mut halves = param.splitn(2, |&b| b == b'=');
    let name = trim_ows(halves.next().unwrap_or_default());
    let value = trim_ows(halves.next().unwrap_or_default());
    let zero = match value {
        [b'0'] => true,
        [b'0', b'.', fraction @ ..] => fraction.iter().all(|&b| b == b'0'),
        _ => false,
    };
    name.eq_ignore_ascii_case(b"q") && zero
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(accept: &str) -> bool {
        accepts(accept.as_bytes(), b"application", b"json")
    }

    fn sse(accept: &str) -> bool {
        accepts(accept.as_bytes(), b"text", b"event-stream")
    }

    #[test]
    fn accept_variants() {
        assert!(json("application/json") && !sse("application/json"));
        assert!(sse("text/event-stream") && !json("text/event-stream"));
        assert!(json("text/event-stream, application/json") && sse("text/event-stream, application/json"));
        assert!(json("  Application/JSON ;q=0.9 ,text/event-stream;q=1"));
        assert!(json("*/*") && sse("*/*"));
        assert!(json("application/*") && !sse("application/*"));
        assert!(sse("text/*;q=0.5") && !json("text/*"));
        assert!(!json("") && !json(",,") && !json("application/jsonx") && !json("json"));
        assert!(!json("application/json;q=0") && !json("application/json; Q = 0.000"));
        assert!(json("application/json;q=0.01") && json("application/json;q=1.0"));
        // The most specific range decides.
        assert!(!json("application/json;q=0, */*"));
        assert!(json("application/*;q=0, application/json"));
        assert!(!sse("*/*, text/*;q=0"));
    }

    #[test]
    fn content_type_json() {
        for yes in ["application/json", "application/json; charset=utf-8", " APPLICATION/Json ;charset=UTF-8"] {
            assert!(is_json(yes.as_bytes()), "{yes}");
        }
        for no in ["", "application/json-seq", "text/json", "application/jsonx; a=b", "application", "*/*"] {
            assert!(!is_json(no.as_bytes()), "{no}");
        }
    }
}
