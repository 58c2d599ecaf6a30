//! JSON-RPC 2.0: classify a frame, keep ids as their exact text, write envelopes.

use crate::json::{self, Object, Str, Text, Value, ValueWriter};
use crate::{Error, Sink};

/// Standard and MCP error codes.
pub mod code {
    /// The frame is not valid JSON.
    pub const PARSE_ERROR: i32 = -32700;
    /// Valid JSON, but not a valid request.
    pub const INVALID_REQUEST: i32 = -32600;
    /// No such method (or not in this revision).
    pub const METHOD_NOT_FOUND: i32 = -32601;
    /// Wrong or missing parameters; also unknown tools, prompts and (2026-07-28) resources.
    pub const INVALID_PARAMS: i32 = -32602;
    /// The server could not handle the request (for instance: too many in flight).
    pub const INTERNAL_ERROR: i32 = -32603;
    /// Resource not found, legacy revisions (2025-11-25 and earlier).
    pub const RESOURCE_NOT_FOUND: i32 = -32002;
    /// HTTP headers disagree with the body (2026-07-28).
    pub const HEADER_MISMATCH: i32 = -32020;
    /// The request needs a client capability it did not declare (2026-07-28).
    pub const MISSING_CLIENT_CAPABILITY: i32 = -32021;
    /// The requested protocol version is not supported (2026-07-28).
    pub const UNSUPPORTED_PROTOCOL_VERSION: i32 = -32022;
}

/// A request id: its exact JSON text, a string (quotes and escapes included) or an
/// integer of any length, so replies echo it byte for byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Id<'a> {
    raw: &'a [u8],
}

impl<'a> Id<'a> {
    /// The id from a JSON value, if it is a string or an integer (no fraction or exponent).
    pub fn from_value(v: Value<'a>) -> Option<Self> {
        let raw = v.raw();
        let is_string = v.as_str().is_some();
        let digits = raw.strip_prefix(b"-").unwrap_or(raw);
        let is_integer = !digits.is_empty() && digits.iter().all(u8::is_ascii_digit);
        (is_string || is_integer).then_some(Self { raw })
    }

    /// Wrap id text already known to be valid (copied out of an in-flight slot).
    pub(crate) const fn from_raw(raw: &'a [u8]) -> Self {
        Self { raw }
    }

    /// The exact JSON text.
    pub const fn raw(self) -> &'a [u8] {
        self.raw
    }
}

/// A classified JSON-RPC message.
#[derive(Clone, Copy, Debug)]
pub enum Message<'a> {
    /// A request: it must be answered.
    Request {
        /// Its id.
        id: Id<'a>,
        /// The method.
        method: Str<'a>,
        /// The `params` member, if present (any JSON type; MCP wants an object).
        params: Option<Value<'a>>,
    },
    /// A notification: never answered.
    Notification {
        /// The method.
        method: Str<'a>,
        /// The `params` member, if present.
        params: Option<Value<'a>>,
    },
    /// A successful response to a request the server sent.
    Response {
        /// Its id.
        id: Id<'a>,
        /// The `result` member.
        result: Value<'a>,
    },
    /// An error response to a request the server sent.
    ErrorResponse {
        /// Its id, if it had a valid one.
        id: Option<Id<'a>>,
        /// The `error` member.
        error: Value<'a>,
    },
}

/// A frame that is valid JSON but not a valid message: what to answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Invalid<'a> {
    /// The id to echo, when one could be read.
    pub id: Option<Id<'a>>,
    /// The JSON-RPC error code.
    pub code: i32,
    /// The error message.
    pub message: &'static str,
}

impl<'a> Invalid<'a> {
    const fn request(id: Option<Id<'a>>, message: &'static str) -> Self {
        Self { id, code: code::INVALID_REQUEST, message }
    }
}

/// Classify one JSON value as a message (a batch array is the caller's business).
pub fn classify(value: Value<'_>) -> Result<Message<'_>, Invalid<'_>> {
    let Some(obj) = value.as_object() else {
        return Err(Invalid::request(None, "Invalid request: a message must be a JSON object"));
    };
    classify_members(&mut obj.iter())
}

/// [`classify`] for a frame read with [`json::parse_outline`]: the members come from the
/// outline when it has them, without scanning the frame again.
pub fn classify_outlined<'a>(value: Value<'a>, outline: &json::Outline<'a>) -> Result<Message<'a>, Invalid<'a>> {
    match (value.as_object(), outline.top_members()) {
        (Some(_), Some(mut members)) => classify_members(&mut members),
        _ => classify(value),
    }
}

/// One copy of the classification, whichever iterator the members come from.
fn classify_members<'a>(members: &mut dyn Iterator<Item = (Str<'a>, Value<'a>)>) -> Result<Message<'a>, Invalid<'a>> {
    const NAMES: [&[u8]; 6] = [b"jsonrpc", b"id", b"method", b"params", b"result", b"error"];
    let [version, id_value, method, params, result, error] = json::pick(members, &NAMES);
    let id = id_value.and_then(Id::from_value);
    // JSON-RPC gives an error response `"id": null` when the request's id could not be
    // read: that is still a response (never answered), not an invalid request.
    let null_id_error = method.is_none() && result.is_none() && error.is_some() && id_value.is_some_and(Value::is_null);
    if id_value.is_some() && id.is_none() && !null_id_error {
        return Err(Invalid::request(None, "Invalid request: id must be a string or an integer"));
    }
    if version.and_then(Value::as_str).is_none_or(|v| v.raw() != b"2.0") {
        return Err(Invalid::request(id, "Invalid request: jsonrpc must be \"2.0\""));
    }
    if let Some(method) = method {
        let Some(method) = method.as_str() else {
            return Err(Invalid::request(id, "Invalid request: method must be a string"));
        };
        return Ok(match id {
            Some(id) => Message::Request { id, method, params },
            None => Message::Notification { method, params },
        });
    }
    match (id, result, error) {
        (Some(id), Some(result), None) => Ok(Message::Response { id, result }),
        (id, None, Some(error)) => Ok(Message::ErrorResponse { id, error }),
        _ => Err(Invalid::request(id, "Invalid request: neither a request, a notification nor a response")),
    }
}

/// `params` that is present but not an object (MCP params are always objects).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamsNotObject;

/// The `params` of a request as an object: absent gives `None`; anything but an object is
/// an error.
pub fn params_object(params: Option<Value<'_>>) -> Result<Option<Object<'_>>, ParamsNotObject> {
    match params {
        None => Ok(None),
        Some(p) => p.as_object().map(Some).ok_or(ParamsNotObject),
    }
}

/// Write `{"jsonrpc":"2.0","id":ID,"result":` (the caller writes the result and `}`).
pub(crate) fn result_head(out: &mut dyn Sink, id: Id<'_>) -> Result<(), Error> {
    out.begin_message()?;
    out.write(b"{\"jsonrpc\":\"2.0\",\"id\":")?;
    out.write(id.raw())?;
    out.write(b",\"result\":")
}

/// Close a message started with [`result_head`] or [`notification_head`].
#[inline(never)] // called everywhere: one copy is smaller on Cortex-M0
pub(crate) fn message_end(out: &mut dyn Sink) -> Result<(), Error> {
    out.write(b"}")?;
    out.end_message()
}

/// Write `{"jsonrpc":"2.0","method":"M","params":` (the caller writes the params and `}`).
pub(crate) fn notification_head(out: &mut dyn Sink, method: &str) -> Result<(), Error> {
    out.begin_message()?;
    out.write(b"{\"jsonrpc\":\"2.0\",\"method\":")?;
    json::string(out, method)?;
    out.write(b",\"params\":")
}

/// Writes the text of an error message (escaped string contents, no quotes).
pub(crate) type MessageFn<'m> = &'m mut dyn FnMut(&mut dyn Sink) -> Result<(), Error>;

/// Fills the `data` member of an error.
pub(crate) type DataFn<'m> = &'m mut dyn FnMut(ValueWriter<'_>) -> Result<json::Written, Error>;

/// Write a complete error response; `message` writes the message text, `data` (if any)
/// fills the `data` member.
pub(crate) fn error_with(
    out: &mut dyn Sink,
    id: Option<Id<'_>>,
    code: i32,
    message: MessageFn<'_>,
    data: Option<DataFn<'_>>,
) -> Result<(), Error> {
    out.begin_message()?;
    out.write(b"{\"jsonrpc\":\"2.0\",")?;
    if let Some(id) = id {
        out.write(b"\"id\":")?;
        out.write(id.raw())?;
        out.write(b",")?;
    }
    out.write(b"\"error\":{\"code\":")?;
    json::i64(out, i64::from(code))?;
    out.write(b",\"message\":\"")?;
    message(out)?;
    out.write(b"\"")?;
    if let Some(data) = data {
        out.write(b",\"data\":")?;
        match data(ValueWriter::new(out)) {
            Ok(_) => {}
            Err(Error::Io) => return Err(Error::Io),
            Err(_) => out.write(b"null")?,
        }
    }
    out.write(b"}}")?;
    out.end_message()
}

/// Write a complete error response with a fixed message and no data.
pub(crate) fn error(out: &mut dyn Sink, id: Option<Id<'_>>, code: i32, message: &str) -> Result<(), Error> {
    error_with(out, id, code, &mut |o| json::string_contents(o, message), None)
}

/// Write a complete error response with no data whose message is `label` (ASCII text
/// that needs no escaping, such as `Invalid params: `) followed by `detail`. Messages that
/// start alike share one copy of their first words this way.
pub(crate) fn labelled_error(
    out: &mut dyn Sink,
    id: Option<Id<'_>>,
    code: i32,
    label: &str,
    detail: Text<'_>,
) -> Result<(), Error> {
    error_with(
        out,
        id,
        code,
        &mut |o| {
            o.write(label.as_bytes())?;
            detail.write_contents(o)
        },
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn classify_text(text: &str) -> Result<Message<'_>, Invalid<'_>> {
        classify(parse(text.as_bytes(), 16).unwrap())
    }

    #[test]
    fn requests_keep_exact_ids() {
        let Ok(Message::Request { id, method, .. }) =
            classify_text(r#"{"jsonrpc":"2.0","id":9007199254740993,"method":"ping"}"#)
        else {
            panic!()
        };
        assert_eq!(id.raw(), b"9007199254740993");
        assert!(method.eq_str("ping"));
        let Ok(Message::Request { id, .. }) = classify_text(r#"{"id":"a\"b","jsonrpc":"2.0","method":"x"}"#) else {
            panic!()
        };
        assert_eq!(id.raw(), br#""a\"b""#);
    }

    #[test]
    fn bad_envelopes() {
        for (text, has_id) in [
            (r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#, false),
            (r#"{"jsonrpc":"2.0","id":null,"method":"x"}"#, false),
            (r#"{"jsonrpc":"1.0","id":1,"method":"x"}"#, true),
            (r#"{"id":1,"method":"x"}"#, true),
            (r#"{"jsonrpc":"2.0","id":1,"method":7}"#, true),
            (r#"{"jsonrpc":"2.0","id":1}"#, true),
            (r#"[1]"#, false),
            (r#""x""#, false),
        ] {
            let err = classify_text(text).unwrap_err();
            assert_eq!(err.code, code::INVALID_REQUEST, "{text}");
            assert_eq!(err.id.is_some(), has_id, "{text}");
        }
    }

    #[test]
    fn notifications_and_responses() {
        assert!(matches!(
            classify_text(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#),
            Ok(Message::Notification { .. })
        ));
        assert!(matches!(classify_text(r#"{"jsonrpc":"2.0","id":3,"result":{}}"#), Ok(Message::Response { .. })));
        assert!(matches!(
            classify_text(r#"{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"x"}}"#),
            Ok(Message::ErrorResponse { .. })
        ));
        assert!(matches!(
            classify_text(r#"{"jsonrpc":"2.0","id":null,"error":{"code":1,"message":"x"}}"#),
            Ok(Message::ErrorResponse { id: None, .. })
        ));
    }
}
