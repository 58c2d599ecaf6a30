//! The `Server` class: registration, the stdio and HTTP sans-IO loops, and answers by
//! ticket. Protocol rules stay in the core; this is plumbing between owned Python values
//! and the core's borrowed views.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use picomcp::{LogLevel, Role};
use picomcp_engine::{Answer, AuthConfig, Decision, Engine, Fault, Grant, Limits, PromptDesc, ResourceDesc, ToolDesc};

use crate::convert;

/// The native MCP server: the core's protocol engine, sans-IO, driven from one thread.
#[pyclass(unsendable, module = "picomcp._native")]
pub(crate) struct Server {
    engine: Engine,
}

fn runtime(message: &str) -> PyErr {
    PyRuntimeError::new_err(message.to_owned())
}

fn value_error(message: String) -> PyErr {
    PyValueError::new_err(message)
}

/// The engine's refusal as the Python exception it stands for.
fn fault(f: Fault) -> PyErr {
    match f {
        Fault::Invalid(m) | Fault::Duplicate(m) => PyValueError::new_err(m),
        Fault::State(m) => PyRuntimeError::new_err(m),
    }
}

impl Server {
    fn registering(&self) -> PyResult<()> {
        if self.engine.is_serving() {
            Err(runtime("descriptors must be registered before serving starts"))
        } else {
            Ok(())
        }
    }

    fn send(&mut self, ticket: Option<u64>, answer: Answer) -> PyResult<bool> {
        self.engine.send(ticket, answer).map_err(fault)
    }
}

#[pymethods]
impl Server {
    #[new]
    #[pyo3(signature = (name, version, instructions=None, *, max_requests=64, page_size=0, max_line=1048576))]
    fn new(
        name: String,
        version: String,
        instructions: Option<String>,
        max_requests: usize,
        page_size: usize,
        max_line: usize,
    ) -> PyResult<Self> {
        let limits = Limits { max_requests, page_size, max_line };
        Ok(Self { engine: Engine::new(name, version, instructions, limits).map_err(fault)? })
    }

    #[pyo3(signature = (name, description, input_schema, *, title=None, output_schema=None, annotations=None, scopes=Vec::new()))]
    #[allow(clippy::too_many_arguments)]
    fn add_tool(
        &mut self,
        name: String,
        description: Option<String>,
        input_schema: String,
        title: Option<String>,
        output_schema: Option<String>,
        annotations: Option<&Bound<'_, PyDict>>,
        scopes: Vec<String>,
    ) -> PyResult<usize> {
        self.registering()?;
        let annotations = annotations.map(convert::hints).transpose()?;
        let tool = ToolDesc { name, title, description, input_schema, output_schema, annotations, scopes };
        self.engine.add_tool(tool).map_err(fault)
    }

    #[pyo3(signature = (uri, name, *, title=None, description=None, mime_type=None, scopes=Vec::new()))]
    fn add_resource(
        &mut self,
        uri: String,
        name: String,
        title: Option<String>,
        description: Option<String>,
        mime_type: Option<String>,
        scopes: Vec<String>,
    ) -> PyResult<usize> {
        self.registering()?;
        let resource = ResourceDesc { uri, name, title, description, mime_type, scopes };
        self.engine.add_resource(resource).map_err(fault)
    }

    #[pyo3(signature = (uri_template, name, *, title=None, description=None, mime_type=None, scopes=Vec::new()))]
    fn add_template(
        &mut self,
        uri_template: String,
        name: String,
        title: Option<String>,
        description: Option<String>,
        mime_type: Option<String>,
        scopes: Vec<String>,
    ) -> PyResult<usize> {
        self.registering()?;
        let template = ResourceDesc { uri: uri_template, name, title, description, mime_type, scopes };
        self.engine.add_template(template).map_err(fault)
    }

    #[pyo3(signature = (name, *, title=None, description=None, arguments=None, scopes=Vec::new()))]
    fn add_prompt(
        &mut self,
        name: String,
        title: Option<String>,
        description: Option<String>,
        arguments: Option<&Bound<'_, PyAny>>,
        scopes: Vec<String>,
    ) -> PyResult<usize> {
        self.registering()?;
        let mut args = Vec::new();
        if let Some(list) = arguments {
            for item in list.try_iter().map_err(|_| value_error("arguments: expected a list".into()))? {
                args.push(convert::argument(&item?)?);
            }
        }
        let prompt = PromptDesc { name, title, description, arguments: args, scopes };
        self.engine.add_prompt(prompt).map_err(fault)
    }

    fn enable_completions(&mut self) -> PyResult<()> {
        self.registering()?;
        self.engine.enable_completions();
        Ok(())
    }

    /// Feed stdio input bytes (any split); every complete line is handled now.
    fn receive(&mut self, data: &[u8]) -> PyResult<()> {
        self.engine.receive(data).map_err(fault)
    }

    /// The stdio input ended: a last line without its newline is handled now.
    fn finish(&mut self) {
        self.engine.finish();
    }

    /// Take the events produced since the last call, in order.
    fn events<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let events = self.engine.take_events();
        let items = events.iter().map(|e| convert::event(py, e)).collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// Take every byte queued for the stdio client.
    fn take_output<'py>(&mut self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.engine.take_output())
    }

    #[pyo3(signature = (ticket, blocks, structured_json=None, is_error=false))]
    fn answer_tool(
        &mut self,
        ticket: u64,
        blocks: &Bound<'_, PyAny>,
        structured_json: Option<String>,
        is_error: bool,
    ) -> PyResult<bool> {
        let blocks = list(blocks, "blocks", convert::block)?;
        self.send(Some(ticket), Answer::Tool { blocks, structured: structured_json, is_error })
    }

    fn answer_read(&mut self, ticket: u64, contents: &Bound<'_, PyAny>) -> PyResult<bool> {
        let entries = list(contents, "contents", convert::entry)?;
        self.send(Some(ticket), Answer::Read(entries))
    }

    fn answer_not_found(&mut self, ticket: u64) -> PyResult<bool> {
        self.engine.answer_not_found(ticket).map_err(fault)
    }

    #[pyo3(signature = (ticket, messages, description=None))]
    fn answer_prompt(
        &mut self,
        ticket: u64,
        messages: &Bound<'_, PyAny>,
        description: Option<String>,
    ) -> PyResult<bool> {
        let messages = list(messages, "messages", |m| {
            let (role, block): (String, Bound<'_, PyAny>) =
                m.extract().map_err(|_| value_error("a message is a (role, block) tuple".into()))?;
            let role = match role.as_str() {
                "user" => Role::User,
                "assistant" => Role::Assistant,
                _ => return Err(value_error(format!("unknown role {role:?} (\"user\" or \"assistant\")"))),
            };
            Ok((role, convert::block(&block)?))
        })?;
        self.send(Some(ticket), Answer::Prompt { messages, description })
    }

    #[pyo3(signature = (ticket, values, total=None, has_more=false))]
    fn answer_completion(
        &mut self,
        ticket: u64,
        values: Vec<String>,
        total: Option<u64>,
        has_more: bool,
    ) -> PyResult<bool> {
        self.send(Some(ticket), Answer::Completion { values, total, has_more })
    }

    fn answer_error(&mut self, ticket: u64, code: i32, message: String) -> PyResult<bool> {
        self.send(Some(ticket), Answer::Error { code, message })
    }

    #[pyo3(signature = (ticket, progress, total=None, message=None))]
    fn progress(&mut self, ticket: u64, progress: f64, total: Option<f64>, message: Option<String>) -> PyResult<bool> {
        if !progress.is_finite() || total.is_some_and(|t| !t.is_finite()) {
            return Err(value_error("progress and total must be finite numbers".into()));
        }
        self.send(Some(ticket), Answer::Progress { progress, total, message })
    }

    #[pyo3(signature = (ticket, level, data_json, logger=None))]
    fn log(&mut self, ticket: Option<u64>, level: &str, data_json: String, logger: Option<String>) -> PyResult<bool> {
        let level = LogLevel::from_name(level).ok_or_else(|| value_error(format!("unknown log level {level:?}")))?;
        self.send(ticket, Answer::Log { level, data: data_json, logger })
    }

    /// Whether the call behind `ticket` carried a progress token.
    fn wants_progress(&mut self, ticket: u64) -> bool {
        self.engine.wants_progress(ticket)
    }

    fn is_live(&self, ticket: u64) -> bool {
        self.engine.is_live(ticket)
    }

    fn in_flight(&self) -> usize {
        self.engine.in_flight()
    }

    /// Name the stdio peer: `(name, scopes)`, or `None` for anonymous (the default),
    /// which sees only descriptors that need no scopes.
    #[pyo3(signature = (grant))]
    fn set_principal(&mut self, grant: Option<(String, Vec<String>)>) {
        self.engine.set_principal(grant.map(|(name, scopes)| Grant { name, scopes }));
    }

    /// The caller an event's principal id names: `(name, scopes)`, or `None` (anonymous).
    fn grant(&self, principal: u32) -> Option<(String, Vec<String>)> {
        self.engine.grant(principal).map(|g| (g.name.clone(), g.scopes.clone()))
    }

    /// Require a bearer token on every HTTP request (each new token becomes an
    /// `("authorize", token)` event, answered with `authorized`).
    #[pyo3(signature = (*, resource=None, authorization_servers=Vec::new(), scopes_supported=Vec::new(), cache_seconds=60.0))]
    fn set_auth(
        &mut self,
        resource: Option<String>,
        authorization_servers: Vec<String>,
        scopes_supported: Vec<String>,
        cache_seconds: f64,
    ) -> PyResult<()> {
        let config = AuthConfig { resource, authorization_servers, scopes_supported, cache_seconds };
        self.engine.set_auth(config).map_err(fault)
    }

    /// The decision about `token`: a `(name, scopes)` grant allows it; otherwise
    /// `insufficient_scope` (space-separated scopes) refuses it with 403, and neither
    /// with 401. The requests waiting for it are handled now.
    #[pyo3(signature = (token, grant=None, *, insufficient_scope=None))]
    fn authorized(
        &mut self,
        token: Option<String>,
        grant: Option<(String, Vec<String>)>,
        insufficient_scope: Option<String>,
    ) -> PyResult<()> {
        let decision = match (grant, insufficient_scope) {
            (Some(_), Some(_)) => return Err(value_error("give a grant or insufficient_scope, not both".into())),
            (Some((name, scopes)), None) => Decision::Allow(Grant { name, scopes }),
            (None, Some(scope)) => Decision::InsufficientScope(scope),
            (None, None) => Decision::Unauthorized,
        };
        self.engine.authorized(token, decision).map_err(fault)
    }

    /// A new HTTP connection id.
    fn http_open(&mut self) -> PyResult<u32> {
        self.engine.http_open().map_err(fault)
    }

    /// Bytes read from `conn`: complete requests are handled.
    fn http_receive(&mut self, conn: u32, data: &[u8]) -> PyResult<()> {
        self.engine.http_receive(conn, data).map_err(fault)
    }

    /// Whether to read more from `conn`: false while it holds a whole request beyond the
    /// one being answered (stop reading it until this says true again).
    fn http_wants_input(&mut self, conn: u32) -> PyResult<bool> {
        self.engine.http_wants_input(conn).map_err(fault)
    }

    /// (bytes to write to `conn`, whether to close it after writing them).
    fn http_take<'py>(&mut self, py: Python<'py>, conn: u32) -> PyResult<(Bound<'py, PyBytes>, bool)> {
        let (bytes, close) = self.engine.http_take(conn).map_err(fault)?;
        Ok((PyBytes::new(py, &bytes), close))
    }

    /// The peer closed `conn` (or it was closed after `http_take` said so).
    fn http_closed(&mut self, conn: u32) -> PyResult<()> {
        self.engine.http_closed(conn).map_err(fault)
    }

    /// Connections with output waiting (or waiting to be closed).
    fn http_pending(&mut self) -> PyResult<Vec<u32>> {
        self.engine.http_pending().map_err(fault)
    }
}

/// The items of a Python iterable, converted one by one.
fn list<'py, T>(
    obj: &Bound<'py, PyAny>,
    what: &str,
    f: impl Fn(&Bound<'py, PyAny>) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    let iter = obj.try_iter().map_err(|_| value_error(format!("{what}: expected a list")))?;
    iter.map(|item| f(&item?)).collect()
}
