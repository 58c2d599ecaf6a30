//! How a host plugs in: the [`Handler`] trait and the call views it receives.
//!
//! Calls borrow the frame they arrived in (names, URIs and arguments are views of the
//! input bytes). A handler answers at once through the [`Responder`] it is given, or keeps
//! the call's [`Ticket`] and answers later through [`Server::responder`].
//!
//! [`Server::responder`]: crate::Server::responder

use core::time::Duration;

use crate::json::{Object, Str, Value};
use crate::protocol::{ClientCapabilities, LogLevel, Revision, TaskId, Ticket};
use crate::server::Responder;
use crate::server::input::{Answer, Input};
use crate::server::registry::Registry;
use crate::server::tasks::TaskAnswer;
use crate::server::uri_template::Captures;
use crate::{Error, jsonrpc};

/// Facts about the request behind a call.
#[derive(Clone, Copy, Debug)]
pub struct RequestInfo<'a> {
    /// The revision the request is under (negotiated, or named in its `_meta`).
    pub revision: Revision,
    /// The client's `Implementation` object, when it sent one.
    pub client_info: Option<Value<'a>>,
    /// What the client declared it can do (per request in 2026-07-28, at `initialize` before).
    pub client_capabilities: ClientCapabilities,
    /// Whether the request carries a `progressToken` (so progress reports reach the client).
    pub wants_progress: bool,
    /// The lowest log level that reaches the client for this request, if any does.
    pub log_level: Option<LogLevel>,
    /// Who sent the request (feature `access`): the principal set on the server for stdio,
    /// or the one [`Handler::authorize`] gave the HTTP request.
    #[cfg(feature = "access")]
    pub principal: crate::Principal,
    /// What the client sent back on a retried 2026-07-28 request (`inputResponses`,
    /// `requestState`); empty otherwise.
    pub input: Input<'a>,
}

/// Why an argument accessor found nothing usable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgError {
    /// No such key.
    Missing,
    /// The key holds another JSON type.
    WrongType,
}

/// The arguments of a call: a JSON object (empty when the request had none).
///
/// Tool arguments have already been checked against the tool's `inputSchema`, so the
/// accessors for required parameters cannot fail for a tool whose schema requires them.
#[derive(Clone, Copy, Debug)]
pub struct Arguments<'a> {
    object: Option<Object<'a>>,
}

impl<'a> Arguments<'a> {
    pub(crate) const fn new(object: Option<Object<'a>>) -> Self {
        Self { object }
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<Value<'a>> {
        self.object?.get(key)
    }

    fn typed<T>(&self, key: &str, f: impl FnOnce(Value<'a>) -> Option<T>) -> Result<T, ArgError> {
        f(self.get(key).ok_or(ArgError::Missing)?).ok_or(ArgError::WrongType)
    }

    /// A string argument (still escaped; see [`Str`]).
    pub fn str(&self, key: &str) -> Result<Str<'a>, ArgError> {
        self.typed(key, Value::as_str)
    }

    /// A number argument.
    pub fn f64(&self, key: &str) -> Result<f64, ArgError> {
        self.typed(key, Value::as_f64)
    }

    /// An integer argument.
    pub fn i64(&self, key: &str) -> Result<i64, ArgError> {
        self.typed(key, Value::as_i64)
    }

    /// A boolean argument.
    pub fn bool(&self, key: &str) -> Result<bool, ArgError> {
        self.typed(key, Value::as_bool)
    }

    /// The arguments object's JSON text (`{}` when the request had none).
    pub fn raw(&self) -> &'a [u8] {
        self.object.map_or(b"{}", Object::raw)
    }

    /// The members, in order.
    pub fn iter(&self) -> impl Iterator<Item = (Str<'a>, Value<'a>)> + use<'a> {
        self.object.into_iter().flat_map(Object::iter)
    }
}

/// A `tools/call`.
#[derive(Clone, Copy, Debug)]
pub struct ToolCall<'a> {
    /// Answer with [`Responder::tool_result`].
    pub ticket: Ticket,
    /// Index of the tool in the registry.
    pub tool: usize,
    /// The arguments (already checked against the tool's `inputSchema`).
    pub arguments: Arguments<'a>,
    /// About the request.
    pub info: RequestInfo<'a>,
}

/// What a `resources/read` URI matched.
#[derive(Clone, Debug)]
pub enum ReadTarget<'a> {
    /// A fixed resource, by registry index.
    Resource(usize),
    /// A resource template, by registry index, with its variables' values in order.
    Template {
        /// Index of the template in the registry.
        index: usize,
        /// The variables' values, in the template's order.
        variables: Captures<'a>,
    },
}

/// A `resources/read`.
#[derive(Clone, Debug)]
pub struct ResourceRead<'a> {
    /// Answer with [`Responder::resource`] or [`Responder::resource_not_found`].
    pub ticket: Ticket,
    /// The requested URI.
    pub uri: Str<'a>,
    /// What it matched.
    pub target: ReadTarget<'a>,
    /// About the request.
    pub info: RequestInfo<'a>,
}

/// A `prompts/get`.
#[derive(Clone, Copy, Debug)]
pub struct PromptGet<'a> {
    /// Answer with [`Responder::prompt`].
    pub ticket: Ticket,
    /// Index of the prompt in the registry.
    pub prompt: usize,
    /// The arguments: every value a string, every required argument present.
    pub arguments: Arguments<'a>,
    /// About the request.
    pub info: RequestInfo<'a>,
}

/// What a `completion/complete` completes an argument of.
#[derive(Clone, Copy, Debug)]
pub enum CompletionRef<'a> {
    /// `ref/prompt` by name.
    Prompt(Str<'a>),
    /// `ref/resource` by URI (template).
    Resource(Str<'a>),
}

/// A `completion/complete`.
#[derive(Clone, Copy, Debug)]
pub struct CompletionRequest<'a> {
    /// Answer with [`Responder::completion`].
    pub ticket: Ticket,
    /// The prompt or resource template.
    pub reference: CompletionRef<'a>,
    /// The argument being completed.
    pub argument: Str<'a>,
    /// What the user typed so far.
    pub value: Str<'a>,
    /// Values of other arguments already given (`context.arguments`).
    pub context: Arguments<'a>,
    /// About the request.
    pub info: RequestInfo<'a>,
}

/// The host's side of a server: what it offers and how it answers.
///
/// Only [`Handler::registry`] and [`Handler::call_tool`] are required. Every call must be
/// answered exactly once, now or later by ticket; a handler that returns an error other
/// than [`Error::Io`] without answering gets an internal-error reply sent for it.
pub trait Handler {
    /// The descriptors to serve.
    fn registry(&self) -> &dyn Registry;

    /// Answer a `tools/call`.
    fn call_tool(&mut self, call: ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error>;

    /// Answer a `resources/read`. The default answers "not found".
    fn read_resource(&mut self, read: ResourceRead<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        r.resource_not_found(read.ticket, read.uri)
    }

    /// Answer a `prompts/get`. The default answers an internal error.
    fn get_prompt(&mut self, get: PromptGet<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        r.error(get.ticket, jsonrpc::code::INTERNAL_ERROR, "prompt not implemented")
    }

    /// Answer a `completion/complete`. The default suggests nothing.
    fn complete(&mut self, req: CompletionRequest<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        r.completion(req.ticket, |_| Ok(()))
    }

    /// The client answered a question this call asked with [`Responder::ask`]. The
    /// default answers the call with an internal error (a handler that asks questions
    /// must take their answers).
    fn answered(&mut self, ticket: Ticket, answer: Answer<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let _ = answer;
        r.error(ticket, jsonrpc::code::INTERNAL_ERROR, "the server cannot use the client's answer")
    }

    /// A request was cancelled by the client: its ticket is already void. Stop the work.
    fn cancelled(&mut self, _ticket: Ticket) {}

    /// The client answered an input request of a task (`tasks/update`; see
    /// [`Responder::task_input_required`]): one call per answered key, in the client's
    /// order. When [`TaskAnswer::pending`] is 0 the task is `working` again: go on, and end
    /// it with [`Responder::task_result`] or [`Responder::task_failed`] (or ask again).
    /// Keys that name no pending request never get here. An error other than
    /// [`Error::Io`] fails the task with an internal error. The default ignores the answer
    /// (a handler whose tasks ask for input must take their answers).
    fn task_input(&mut self, task: TaskId, answer: TaskAnswer<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
        let _ = (task, answer, r);
        Ok(())
    }

    /// The client cancelled a task (`tasks/cancel`): it already reads `cancelled`, and
    /// results given for it now are refused. Stop the work.
    fn task_cancelled(&mut self, _task: TaskId) {}

    /// A legacy client finished the handshake (`notifications/initialized`).
    fn initialized(&mut self, _r: &mut Responder<'_>) -> Result<(), Error> {
        Ok(())
    }

    /// Decide about an HTTP request on the endpoint's path (feature `http`): whom it comes
    /// from ([`Access::Granted`](crate::http::Access::Granted)), or a `401` / `403`
    /// refusal, or [`Access::Pending`](crate::http::Access::Pending) to be asked again
    /// later. The token is [`RequestHead::bearer_token`](crate::http::RequestHead::bearer_token).
    /// A legacy session belongs to the principal that opened it. The default lets
    /// everyone in as [`Principal::ANONYMOUS`](crate::Principal::ANONYMOUS).
    #[cfg(feature = "http")]
    fn authorize(&mut self, head: &crate::http::RequestHead<'_>) -> crate::http::Access<'_> {
        let _ = head;
        crate::http::Access::Granted(crate::Principal::ANONYMOUS)
    }

    /// The protected-resource metadata (RFC 9728) to serve and to name in `401` / `403`
    /// challenges (feature `http`). The default serves none.
    #[cfg(feature = "http")]
    fn protected_resource(&self) -> Option<crate::http::ProtectedResource<'_>> {
        None
    }

    /// Do deferred work: drivers call this after each batch of input and when the delay
    /// it last returned has passed. Return how long until it should be called again.
    fn poll(&mut self, _r: &mut Responder<'_>) -> Result<Option<Duration>, Error> {
        Ok(None)
    }
}
