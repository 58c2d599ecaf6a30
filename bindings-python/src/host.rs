//! The core's [`Handler`]: every call becomes an owned [`Event`] for Python and stays in
//! flight (nothing is answered here); answers given later are written from
//! [`Handler::poll`], so the core's transport (stdio or HTTP) routes them.

use std::collections::HashMap;
use std::time::Duration;

use picomcp::json::{Str, Value};
use picomcp::{
    Arguments, CompletionRef, CompletionRequest, Error, Handler, PromptGet, ReadTarget, Registry, ResourceRead,
    Responder, Ticket, ToolCall,
};

use crate::answer::Answer;
use crate::catalog::{Catalog, View};

/// What a `resources/read` URI matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ReadKind {
    Resource,
    Template,
}

/// What a `completion/complete` completes an argument of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefKind {
    Prompt,
    Resource,
}

/// Something for Python to act on, in the order it happened.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Event {
    /// A `tools/call` of tool `index`; the arguments passed its inputSchema.
    Tool { ticket: u64, index: usize, arguments: String },
    /// A `resources/read` of a fixed resource or a template (with its variables).
    Read { ticket: u64, kind: ReadKind, index: usize, uri: String, variables: Vec<(String, String)> },
    /// A `prompts/get` of prompt `index`.
    Prompt { ticket: u64, index: usize, arguments: Vec<(String, String)> },
    /// A `completion/complete`.
    Complete {
        ticket: u64,
        kind: RefKind,
        name: String,
        argument: String,
        value: String,
        context: Vec<(String, String)>,
    },
    /// The call behind `ticket` was cancelled (by the client, or its connection closed).
    Cancelled { ticket: u64 },
}

/// The binding's state a handler works on during one call into the core.
#[derive(Debug, Default)]
pub(crate) struct Inbox {
    /// Events not yet taken by Python.
    pub(crate) events: Vec<Event>,
    /// The URI of each `resources/read` in flight (a "not found" answer names it).
    pub(crate) reads: HashMap<u64, String>,
}

/// The [`Handler`] lent to the core for one call: the catalog's registry view, the inbox,
/// and at most one answer to write when the core polls.
pub(crate) struct Host<'c> {
    view: View<'c>,
    catalog: &'c Catalog,
    inbox: &'c mut Inbox,
    pending: Option<(Option<Ticket>, &'c Answer)>,
    /// What writing the pending answer gave (`Ok(false)`: a notification not sent).
    pub(crate) outcome: Option<Result<bool, Error>>,
}

impl<'c> Host<'c> {
    /// A handler over `catalog` collecting into `inbox`.
    pub(crate) fn new(catalog: &'c Catalog, inbox: &'c mut Inbox) -> Self {
        Self { view: catalog.view(), catalog, inbox, pending: None, outcome: None }
    }

    /// A handler that writes `answer` for `ticket` when the core polls it.
    pub(crate) fn answering(
        catalog: &'c Catalog,
        inbox: &'c mut Inbox,
        ticket: Option<Ticket>,
        answer: &'c Answer,
    ) -> Self {
        Self { pending: Some((ticket, answer)), ..Self::new(catalog, inbox) }
    }
}

/// A JSON string's decoded text.
fn text(s: Str<'_>) -> String {
    s.as_plain().map_or_else(|| s.chars().collect(), str::to_owned)
}

/// A JSON value as Python gets it in a `dict[str, str]`: a string's text, else its JSON.
fn value_text(v: Value<'_>) -> String {
    v.as_str().map_or_else(|| v.raw_str().to_owned(), text)
}

fn pairs(args: &Arguments<'_>) -> Vec<(String, String)> {
    args.iter().map(|(k, v)| (text(k), value_text(v))).collect()
}

impl Handler for Host<'_> {
    fn registry(&self) -> &dyn Registry {
        &self.view
    }

    fn call_tool(&mut self, call: ToolCall<'_>, _: &mut Responder<'_>) -> Result<(), Error> {
        let arguments = String::from_utf8_lossy(call.arguments.raw()).into_owned();
        self.inbox.events.push(Event::Tool { ticket: call.ticket.to_bits(), index: call.tool, arguments });
        Ok(())
    }

    fn read_resource(&mut self, read: ResourceRead<'_>, _: &mut Responder<'_>) -> Result<(), Error> {
        let ticket = read.ticket.to_bits();
        let uri = text(read.uri);
        let (kind, index, variables) = match read.target {
            ReadTarget::Resource(index) => (ReadKind::Resource, index, Vec::new()),
            ReadTarget::Template { index, variables } => {
                let names = self.catalog.template_variables(index);
                let values = variables.iter().map(|v| text(*v));
                (ReadKind::Template, index, names.into_iter().map(str::to_owned).zip(values).collect())
            }
        };
        self.inbox.reads.insert(ticket, uri.clone());
        self.inbox.events.push(Event::Read { ticket, kind, index, uri, variables });
        Ok(())
    }

    fn get_prompt(&mut self, get: PromptGet<'_>, _: &mut Responder<'_>) -> Result<(), Error> {
        let arguments = pairs(&get.arguments);
        self.inbox.events.push(Event::Prompt { ticket: get.ticket.to_bits(), index: get.prompt, arguments });
        Ok(())
    }

    fn complete(&mut self, req: CompletionRequest<'_>, _: &mut Responder<'_>) -> Result<(), Error> {
        let (kind, name) = match req.reference {
            CompletionRef::Prompt(name) => (RefKind::Prompt, text(name)),
            CompletionRef::Resource(uri) => (RefKind::Resource, text(uri)),
        };
        self.inbox.events.push(Event::Complete {
            ticket: req.ticket.to_bits(),
            kind,
            name,
            argument: text(req.argument),
            value: text(req.value),
            context: pairs(&req.context),
        });
        Ok(())
    }

    fn cancelled(&mut self, ticket: Ticket) {
        let ticket = ticket.to_bits();
        self.inbox.reads.remove(&ticket);
        self.inbox.events.push(Event::Cancelled { ticket });
    }

    fn poll(&mut self, r: &mut Responder<'_>) -> Result<Option<Duration>, Error> {
        if let Some((ticket, answer)) = self.pending.take() {
            self.outcome = Some(answer.write(ticket, r));
        }
        Ok(None)
    }
}
