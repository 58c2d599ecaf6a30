//! The `Server` class: registration, the stdio and HTTP sans-IO loops, and answers by
//! ticket. Protocol rules stay in the core; this is plumbing between owned Python values
//! and the core's borrowed views.

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use picomcp::framing::{Line, LineBuffer};
use picomcp::http::Conn;
use picomcp::{Config, Error, LogLevel, Role, Sink, Ticket};

use crate::answer::Answer;
use crate::catalog::{Catalog, PromptDesc, ResourceDesc, ToolDesc};
use crate::convert;
use crate::host::{Host, Inbox};
use crate::http::Http;
use crate::storage::{Heap, random_key};

/// Which transport the server serves; chosen by the first `receive` or `http_open`.
enum Mode {
    /// Not serving yet: descriptors may still be registered.
    Idle,
    /// Newline-delimited stdio.
    Stdio { lines: LineBuffer<Vec<u8>>, out: Vec<u8> },
    /// Streamable HTTP.
    Http(Box<Http>),
}

/// A sink that drops everything (for queries through a responder).
struct Discard;

impl Sink for Discard {
    fn write(&mut self, _: &[u8]) -> Result<(), Error> {
        Ok(())
    }
}

/// The native MCP server: the core's protocol engine, sans-IO, driven from one thread.
#[pyclass(unsendable, module = "picomcp._native")]
pub(crate) struct Server {
    catalog: Catalog,
    inbox: Inbox,
    core: picomcp::Server<Heap>,
    mode: Mode,
    max_line: usize,
}

fn runtime(message: &str) -> PyErr {
    PyRuntimeError::new_err(message.to_owned())
}

fn value_error(message: String) -> PyErr {
    PyValueError::new_err(message)
}

impl Server {
    fn registering(&self) -> PyResult<()> {
        match self.mode {
            Mode::Idle => Ok(()),
            _ => Err(runtime("descriptors must be registered before serving starts")),
        }
    }

    /// Start serving stdio, if nothing was started yet.
    fn stdio(&mut self) -> PyResult<()> {
        match self.mode {
            Mode::Idle => {
                self.core.ensure_state_key();
                self.mode = Mode::Stdio { lines: LineBuffer::new(vec![0; self.max_line]), out: Vec::new() };
                Ok(())
            }
            Mode::Stdio { .. } => Ok(()),
            Mode::Http(_) => Err(runtime("this server serves HTTP: use the http_* methods")),
        }
    }

    fn http(&mut self) -> PyResult<&mut Http> {
        if let Mode::Idle = self.mode {
            self.core.ensure_state_key();
            self.mode = Mode::Http(Box::new(Http::new(random_key(), self.max_line)));
        }
        match &mut self.mode {
            Mode::Http(http) => Ok(http),
            _ => Err(runtime("this server serves stdio: use receive/take_output")),
        }
    }

    fn http_conn(&mut self, conn: Conn) -> PyResult<()> {
        if self.http()?.is_open(conn) { Ok(()) } else { Err(runtime("unknown or closed HTTP connection")) }
    }

    /// Write `answer` for `ticket` through the core (routed by the transport). Stale
    /// tickets give `Ok(false)`, found when writing.
    fn send(&mut self, ticket: Option<u64>, answer: Answer) -> PyResult<bool> {
        answer.check().map_err(value_error)?;
        let final_answer = !matches!(answer, Answer::Progress { .. } | Answer::Log { .. });
        let Self { catalog, inbox, core, mode, .. } = self;
        let mut host = Host::answering(catalog, inbox, ticket.map(Ticket::from_bits), &answer);
        match mode {
            Mode::Idle => return Ok(false),
            Mode::Stdio { out, .. } => {
                let _ = core.poll(out, &mut host);
            }
            Mode::Http(http) => http.poll(core, &mut host),
        }
        let outcome = host.outcome.take().unwrap_or(Err(Error::StaleTicket));
        drop(host);
        if let (true, Some(t), Ok(_) | Err(Error::StaleTicket)) = (final_answer, ticket, outcome) {
            self.inbox.reads.remove(&t);
        }
        match outcome {
            Ok(sent) => Ok(sent),
            Err(Error::StaleTicket) => Ok(false),
            Err(Error::WrongKind) => Err(runtime("the ticket belongs to another kind of request")),
            Err(Error::InvalidJson) => Err(value_error("invalid JSON text".into())),
            Err(e) => Err(runtime(e.describe())),
        }
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
        if name.is_empty() {
            return Err(value_error("the server name is empty".into()));
        }
        if max_requests == 0 || max_requests > 1 << 16 {
            return Err(value_error("max_requests must be between 1 and 65536".into()));
        }
        if max_line < 64 {
            return Err(value_error("max_line must be at least 64".into()));
        }
        let config = Config { page_size, ..Config::new() };
        Ok(Self {
            catalog: Catalog::new(name, version, instructions),
            inbox: Inbox::default(),
            core: picomcp::Server::new(Heap::new(max_requests), config),
            mode: Mode::Idle,
            max_line,
        })
    }

    #[pyo3(signature = (name, description, input_schema, *, title=None, output_schema=None, annotations=None))]
    fn add_tool(
        &mut self,
        name: String,
        description: Option<String>,
        input_schema: String,
        title: Option<String>,
        output_schema: Option<String>,
        annotations: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<usize> {
        self.registering()?;
        let annotations = annotations.map(convert::hints).transpose()?;
        let tool = ToolDesc { name, title, description, input_schema, output_schema, annotations };
        self.catalog.add_tool(tool).map_err(value_error)
    }

    #[pyo3(signature = (uri, name, *, title=None, description=None, mime_type=None))]
    fn add_resource(
        &mut self,
        uri: String,
        name: String,
        title: Option<String>,
        description: Option<String>,
        mime_type: Option<String>,
    ) -> PyResult<usize> {
        self.registering()?;
        let resource = ResourceDesc { uri, name, title, description, mime_type };
        self.catalog.add_resource(resource).map_err(value_error)
    }

    #[pyo3(signature = (uri_template, name, *, title=None, description=None, mime_type=None))]
    fn add_template(
        &mut self,
        uri_template: String,
        name: String,
        title: Option<String>,
        description: Option<String>,
        mime_type: Option<String>,
    ) -> PyResult<usize> {
        self.registering()?;
        let template = ResourceDesc { uri: uri_template, name, title, description, mime_type };
        self.catalog.add_template(template).map_err(value_error)
    }

    #[pyo3(signature = (name, *, title=None, description=None, arguments=None))]
    fn add_prompt(
        &mut self,
        name: String,
        title: Option<String>,
        description: Option<String>,
        arguments: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<usize> {
        self.registering()?;
        let mut args = Vec::new();
        if let Some(list) = arguments {
            for item in list.try_iter().map_err(|_| value_error("arguments: expected a list".into()))? {
                args.push(convert::argument(&item?)?);
            }
        }
        let prompt = PromptDesc { name, title, description, arguments: args };
        self.catalog.add_prompt(prompt).map_err(value_error)
    }

    fn enable_completions(&mut self) -> PyResult<()> {
        self.registering()?;
        self.catalog.enable_completions();
        Ok(())
    }

    /// Feed stdio input bytes (any split); every complete line is handled now.
    fn receive(&mut self, data: &[u8]) -> PyResult<()> {
        self.stdio()?;
        let Self { catalog, inbox, core, mode, .. } = self;
        let Mode::Stdio { lines, out } = mode else { return Ok(()) };
        let mut host = Host::new(catalog, inbox);
        let mut rest = data;
        while !rest.is_empty() {
            let space = lines.space();
            let n = space.len().min(rest.len());
            space[..n].copy_from_slice(&rest[..n]);
            lines.commit(n);
            rest = &rest[n..];
            while let Some(line) = lines.next_line() {
                // A Vec never fails to take output: the results carry nothing.
                let _ = match line {
                    Line::Frame(frame) => core.receive(frame, out, &mut host),
                    Line::TooLong => core.reject_oversized(lines.capacity(), out),
                };
            }
        }
        Ok(())
    }

    /// Take the events produced since the last call, in order.
    fn events<'py>(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let events = std::mem::take(&mut self.inbox.events);
        let items = events.iter().map(|e| convert::event(py, e)).collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// Take every byte queued for the stdio client.
    fn take_output<'py>(&mut self, py: Python<'py>) -> Bound<'py, PyBytes> {
        match &mut self.mode {
            Mode::Stdio { out, .. } => {
                let bytes = PyBytes::new(py, out);
                out.clear();
                bytes
            }
            _ => PyBytes::new(py, b""),
        }
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
        match self.inbox.reads.get(&ticket) {
            Some(uri) => {
                let uri = uri.clone();
                self.send(Some(ticket), Answer::NotFound(uri))
            }
            None if self.core.is_live(Ticket::from_bits(ticket)) => {
                Err(runtime("the ticket belongs to another kind of request"))
            }
            None => Ok(false),
        }
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
        let mut buf = [0u8; 256];
        let mut sink = Discard;
        let mut r = self.core.responder(&mut sink);
        matches!(r.progress_token(Ticket::from_bits(ticket), &mut buf), Ok(Some(_)))
    }

    fn is_live(&self, ticket: u64) -> bool {
        self.core.is_live(Ticket::from_bits(ticket))
    }

    fn in_flight(&self) -> usize {
        self.core.in_flight()
    }

    /// A new HTTP connection id.
    fn http_open(&mut self) -> PyResult<u32> {
        Ok(self.http()?.open())
    }

    /// Bytes read from `conn`: complete requests are handled.
    fn http_receive(&mut self, conn: u32, data: &[u8]) -> PyResult<()> {
        self.http_conn(conn)?;
        let Self { catalog, inbox, core, mode, .. } = self;
        if let Mode::Http(http) = mode {
            http.receive(conn, data, core, &mut Host::new(catalog, inbox));
        }
        Ok(())
    }

    /// (bytes to write to `conn`, whether to close it after writing them).
    fn http_take<'py>(&mut self, py: Python<'py>, conn: u32) -> PyResult<(Bound<'py, PyBytes>, bool)> {
        let (bytes, close) = self.http()?.take(conn);
        Ok((PyBytes::new(py, &bytes), close))
    }

    /// The peer closed `conn` (or it was closed after `http_take` said so).
    fn http_closed(&mut self, conn: u32) -> PyResult<()> {
        self.http()?;
        let Self { catalog, inbox, core, mode, .. } = self;
        if let Mode::Http(http) = mode {
            http.closed(conn, core, &mut Host::new(catalog, inbox));
        }
        Ok(())
    }

    /// Connections with output waiting (or waiting to be closed).
    fn http_pending(&mut self) -> PyResult<Vec<u32>> {
        Ok(self.http()?.pending())
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
