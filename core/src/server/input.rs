//! Questions to the client. Legacy revisions send them as server-to-client requests
//! (`sampling/createMessage`, `elicitation/create`, `roots/list`) on the call's stream and
//! hand the answer back to the handler; 2026-07-28 answers the call with an
//! `input_required` result, and the client retries with `inputResponses` and the
//! `requestState` the server signed.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::json::{self, Object, Str, Value, ValueWriter, Written};
use crate::jsonrpc;
use crate::protocol::{CallKind, ClientCapabilities, Ticket, inflight};
use crate::server::Responder;
use crate::sink::Cursor;
use crate::{Error, Route, Sink};

/// What a question asks the client for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputMethod {
    /// `sampling/createMessage`: an LLM completion.
    Sampling,
    /// `elicitation/create`: a form (or URL) for the user.
    Elicitation,
    /// `roots/list`: the client's filesystem roots.
    Roots,
}

impl InputMethod {
    /// The JSON-RPC method name.
    pub const fn method(self) -> &'static str {
        match self {
            Self::Sampling => "sampling/createMessage",
            Self::Elicitation => "elicitation/create",
            Self::Roots => "roots/list",
        }
    }

    /// The client capability the question needs.
    pub const fn capability(self) -> ClientCapabilities {
        ClientCapabilities::new(match self {
            Self::Sampling => ClientCapabilities::SAMPLING,
            Self::Elicitation => ClientCapabilities::ELICITATION,
            Self::Roots => ClientCapabilities::ROOTS,
        })
    }
}

/// What a 2026-07-28 client sent back on a retried request: its `inputResponses` and the
/// `requestState` of the `input_required` result it answers. Empty on a first attempt.
#[derive(Clone, Copy, Debug, Default)]
pub struct Input<'a> {
    pub(crate) responses: Option<Value<'a>>,
    pub(crate) state: Option<Value<'a>>,
}

impl<'a> Input<'a> {
    /// Whether the request carried `inputResponses` (even `null` or empty).
    pub const fn has_responses(&self) -> bool {
        self.responses.is_some()
    }

    /// The `inputResponses` object, if it is one.
    pub fn responses(&self) -> Option<Object<'a>> {
        self.responses.and_then(Value::as_object)
    }

    /// The client's answer to the input request `key`.
    pub fn response(&self, key: &str) -> Option<Value<'a>> {
        self.responses()?.get(key)
    }

    /// Whether the request carried a `requestState` (verify it with
    /// [`Responder::request_state`] before trusting it).
    pub const fn has_state(&self) -> bool {
        self.state.is_some()
    }
}

/// A legacy client's answer to a question the server asked (see [`Responder::ask`]).
#[derive(Clone, Copy, Debug)]
pub enum Answer<'a> {
    /// The `result` object.
    Result(Value<'a>),
    /// The `error` object (`code`, `message`, maybe `data`).
    Error(Value<'a>),
}

/// Writes the `inputRequests` map of an `input_required` result.
pub struct InputRequests<'r> {
    out: &'r mut dyn Sink,
    caps: ClientCapabilities,
    count: usize,
}

impl<'r> InputRequests<'r> {
    /// A writer of input requests a request with `caps` may ask.
    pub(crate) fn new(out: &'r mut dyn Sink, caps: ClientCapabilities) -> Self {
        Self { out, caps, count: 0 }
    }

    /// Add the input request `key`: `method` with the params `params` writes (an object).
    /// Refused with [`Error::MissingCapability`] (nothing written) when the request did
    /// not declare the capability the method needs.
    pub fn request(
        &mut self,
        key: &str,
        method: InputMethod,
        params: impl Fn(ValueWriter<'_>) -> Result<Written, Error>,
    ) -> Result<(), Error> {
        if !self.caps.has(method.capability().bits()) {
            return Err(Error::MissingCapability);
        }
        rehearse(&params)?;
        self.out.write(if self.count == 0 { b"\"" } else { b",\"" })?;
        json::string_contents(self.out, key)?;
        self.out.write(b"\":{\"method\":\"")?;
        self.out.write(method.method().as_bytes())?;
        self.out.write(b"\",\"params\":")?;
        // Closed even when `params` fails (`fill` leaves valid JSON behind).
        let outcome = json::fill(self.out, params);
        if outcome == Err(Error::Io) {
            return outcome;
        }
        self.count += 1;
        self.out.write(b"}")?;
        outcome
    }

    /// How many requests were added.
    pub const fn len(&self) -> usize {
        self.count
    }

    /// Whether none was added.
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// Run a params writer once into nothing: a writer that fails does so here, before any
/// byte of its message is out (a question goes out whole or not at all).
fn rehearse(params: &impl Fn(ValueWriter<'_>) -> Result<Written, Error>) -> Result<(), Error> {
    params(ValueWriter::new(&mut Discard)).map(drop)
}

/// A sink that keeps nothing.
struct Discard;

impl Sink for Discard {
    fn write(&mut self, _: &[u8]) -> Result<(), Error> {
        Ok(())
    }
}

type HmacSha256 = Hmac<Sha256>;

/// Bytes of a state signature in its text form (base64 of 32 bytes).
const SIGNATURE_TEXT: usize = 44;

/// The signature of a state payload, as base64 text.
fn signature(key: &[u8; 32], payload: impl Iterator<Item = char>) -> [u8; SIGNATURE_TEXT] {
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| HmacSha256::new(&Default::default()));
    let mut utf8 = [0u8; 4];
    for c in payload {
        mac.update(c.encode_utf8(&mut utf8).as_bytes());
    }
    let digest = mac.finalize().into_bytes();
    let mut text = [0u8; SIGNATURE_TEXT];
    let mut cursor = Cursor::new(&mut text);
    // The cursor holds exactly the 44 characters; it cannot fail.
    let _ = json::base64(&mut cursor, &digest);
    text
}

impl<'a> Responder<'a> {
    /// Ask the client of a legacy call a question: the request goes out on the call's
    /// stream, and the client's answer comes back through [`Handler::answered`] with the
    /// call's ticket. One question per call at a time (a new one replaces the wait for
    /// the old). A question the client declared no capability for is refused with
    /// [`Error::MissingCapability`]; a 2026-07-28 call gets [`Error::WrongRevision`] (use
    /// [`Responder::input_required`]). Timeouts are the host's: answer the call (an error,
    /// say) when it has waited long enough, and a late answer is ignored.
    ///
    /// [`Handler::answered`]: crate::Handler::answered
    pub fn ask(
        &mut self,
        ticket: Ticket,
        method: InputMethod,
        params: impl Fn(ValueWriter<'_>) -> Result<Written, Error>,
    ) -> Result<(), Error> {
        let slot = inflight::get(self.slots, ticket).ok_or(Error::StaleTicket)?;
        if slot.revision().is_modern() {
            return Err(Error::WrongRevision);
        }
        if !slot.caps().has(method.capability().bits()) {
            return Err(Error::MissingCapability);
        }
        rehearse(&params)?;
        self.state.last_asked = self.state.last_asked.wrapping_add(1).max(1);
        let id = self.state.last_asked;
        slot.set_asked(Some(id));
        self.out.route(Route::Related(ticket));
        self.out.begin_message()?;
        self.out.write(b"{\"jsonrpc\":\"2.0\",\"id\":")?;
        json::u64(self.out, u64::from(id))?;
        self.out.write(b",\"method\":\"")?;
        self.out.write(method.method().as_bytes())?;
        self.out.write(b"\",\"params\":")?;
        let outcome = json::fill(self.out, params);
        if outcome == Err(Error::Io) {
            return outcome;
        }
        jsonrpc::message_end(self.out)?;
        if outcome.is_err() {
            // The request went out whole but with broken params: its answer is not awaited.
            if let Some(slot) = inflight::get(self.slots, ticket) {
                slot.set_asked(None);
            }
        }
        outcome
    }

    /// Answer a 2026-07-28 call (tool, prompt or resource read) with an `input_required`
    /// result: `f` adds the input requests, and `state` (if any) travels to the client
    /// signed with the server's key ([`Config::state_key`]), so only an unaltered state
    /// comes back through [`Responder::request_state`]. The call is then over; the
    /// client retries it as a new request. A legacy call gets [`Error::WrongRevision`].
    ///
    /// [`Config::state_key`]: crate::Config::state_key
    pub fn input_required(
        &mut self,
        ticket: Ticket,
        state: Option<&str>,
        f: impl FnOnce(&mut InputRequests<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let slot = inflight::get(self.slots, ticket).ok_or(Error::StaleTicket)?;
        if !slot.revision().is_modern() {
            return Err(Error::WrongRevision);
        }
        if slot.kind() == CallKind::Completion || slot.kind() == CallKind::Listen {
            return Err(Error::WrongKind);
        }
        let caps = slot.caps();
        self.out.route(Route::Answer(ticket));
        jsonrpc::result_head(self.out, slot.id())?;
        self.out.write(b"{\"resultType\":\"input_required\",\"inputRequests\":{")?;
        let mut requests = InputRequests { out: &mut *self.out, caps, count: 0 };
        let outcome = f(&mut requests);
        if outcome == Err(Error::Io) {
            return outcome;
        }
        self.out.write(b"}")?;
        if let Some(state) = state {
            self.out.write(b",\"requestState\":\"")?;
            json::string_contents(self.out, state)?;
            self.out.write(b".")?;
            self.out.write(&signature(&self.state.config.state_key, state.chars()))?;
            self.out.write(b"\"")?;
        }
        inflight::release(self.slots, ticket);
        // The trailer adds `,"resultType":"complete"` to ordinary results; this one
        // already has its type, so only the closing brace and `_meta` are wanted.
        self.state.identity_meta(self.out)?;
        self.out.write(b"}")?;
        jsonrpc::message_end(self.out)?;
        outcome
    }

    /// The state a 2026-07-28 client sent back with a retried call, checked against the
    /// signature [`Responder::input_required`] gave it: `Ok(None)` when there is none,
    /// [`Error::BadState`] when it was altered, forged or is not a string.
    pub fn request_state<'v>(&self, input: &Input<'v>) -> Result<Option<Str<'v>>, Error> {
        let Some(value) = input.state else { return Ok(None) };
        let text = value.as_str().ok_or(Error::BadState)?;
        let raw = text.raw();
        let dot = raw.iter().rposition(|&b| b == b'.').ok_or(Error::BadState)?;
        let (payload, signed) = (text.slice(0, dot), text.slice(dot + 1, raw.len()));
        let expected = signature(&self.state.config.state_key, payload.chars());
        // The signature as the client wrote it may be escaped (`\/`): compare it decoded,
        // without an early exit, so timing tells nothing about the signature.
        let mut decoded = [0u8; SIGNATURE_TEXT];
        let mut len = 0;
        for c in signed.chars() {
            if let Some(slot) = decoded.get_mut(len) {
                *slot = u8::try_from(c).unwrap_or(0);
            }
            len += 1;
        }
        let differ =
            len != expected.len() || decoded.iter().zip(expected.iter()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) != 0;
        if differ { Err(Error::BadState) } else { Ok(Some(payload)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_depend_on_key_and_payload() {
        let a = signature(&[1; 32], "state".chars());
        assert_eq!(a.len(), 44);
        assert_eq!(a, signature(&[1; 32], "state".chars()));
        assert_ne!(a, signature(&[2; 32], "state".chars()));
        assert_ne!(a, signature(&[1; 32], "statf".chars()));
        assert!(a.iter().all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(b)));
    }
}
