//! The core's [`Handler`]: every call becomes an owned [`Event`] for the host and stays in
//! flight (nothing is answered here); answers given later are written from
//! [`Handler::poll`], so the core's transport (stdio or HTTP) routes them.

use std::collections::HashMap;
use std::time::Duration;

use picomcp::http::{Access, ProtectedResource, RequestHead};
use picomcp::json::{Str, Value};
use picomcp::{
    Arguments, CompletionRef, CompletionRequest, Error, Handler, PromptGet, ReadTarget, Registry, ResourceRead,
    Responder, Ticket, ToolCall,
};

use crate::access::Auth;
use crate::answer::Answer;
use crate::catalog::{Catalog, Kind, View};

/// What a `resources/read` URI matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadKind {
    /// A fixed resource.
    Resource,
    /// A resource template.
    Template,
}

/// What a `completion/complete` completes an argument of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A prompt's argument (`ref/prompt`).
    Prompt,
    /// A resource template's variable (`ref/resource`).
    Resource,
}

/// Something for the host to act on, in the order it happened. `ticket` answers it;
/// `index` is the catalog id of what was called.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A `tools/call` of tool `index`; the arguments (JSON text) passed its inputSchema.
    /// `principal` is the caller ([`Engine::grant`](crate::Engine::grant) names it).
    #[allow(missing_docs)]
    Tool { ticket: u64, index: usize, arguments: String, principal: u32 },
    /// A `resources/read` of a fixed resource or a template (with its variables' values).
    #[allow(missing_docs)]
    Read { ticket: u64, kind: ReadKind, index: usize, uri: String, variables: Vec<(String, String)>, principal: u32 },
    /// A `prompts/get` of prompt `index`.
    #[allow(missing_docs)]
    Prompt { ticket: u64, index: usize, arguments: Vec<(String, String)>, principal: u32 },
    /// A `completion/complete` of `argument` (typed so far: `value`) of the prompt or
    /// template `name`, with the other arguments' values in `context`.
    #[allow(missing_docs)]
    Complete {
        ticket: u64,
        kind: RefKind,
        name: String,
        argument: String,
        value: String,
        context: Vec<(String, String)>,
        principal: u32,
    },
    /// An HTTP request carries `token` (`None`: no `Authorization: Bearer`), which the
    /// host has not decided about: answer with [`Engine::authorized`](crate::Engine::authorized).
    /// The request (and those after it with the same token) wait until then.
    #[allow(missing_docs)]
    Authorize { token: Option<String> },
    /// The call behind `ticket` was cancelled (by the client, or its connection closed).
    #[allow(missing_docs)]
    Cancelled { ticket: u64 },
}

/// The binding's state a handler works on during one call into the core.
#[derive(Debug, Default)]
pub struct Inbox {
    /// Events not yet taken by the host.
    pub events: Vec<Event>,
    /// The URI of each `resources/read` in flight (a "not found" answer names it).
    pub reads: HashMap<u64, String>,
    /// HTTP authorization: settings and the host's decisions.
    pub auth: Auth,
}

/// The [`Handler`] lent to the core for one call: the catalog's registry view, the inbox,
/// and at most one answer to write when the core polls.
pub struct Host<'c> {
    view: View<'c>,
    catalog: &'c Catalog,
    inbox: &'c mut Inbox,
    pending: Option<(Option<Ticket>, &'c Answer)>,
    /// What writing the pending answer gave (`Ok(false)`: a notification not sent).
    pub outcome: Option<Result<bool, Error>>,
}

impl<'c> Host<'c> {
    /// A handler over `catalog` collecting into `inbox`.
    pub fn new(catalog: &'c Catalog, inbox: &'c mut Inbox) -> Self {
        Self { view: catalog.view(), catalog, inbox, pending: None, outcome: None }
    }

    /// A handler that writes `answer` for `ticket` when the core polls it.
    pub fn answering(catalog: &'c Catalog, inbox: &'c mut Inbox, ticket: Option<Ticket>, answer: &'c Answer) -> Self {
        Self { pending: Some((ticket, answer)), ..Self::new(catalog, inbox) }
    }
}

impl Host<'_> {
    /// Whether events wait for the host.
    pub fn has_events(&self) -> bool {
        !self.inbox.events.is_empty()
    }
}

/// A JSON string's decoded text.
fn text(s: Str<'_>) -> String {
    s.as_plain().map_or_else(|| s.chars().collect(), str::to_owned)
}

/// A JSON value as a string-to-string map holds it: a string's text, else its JSON.
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
        self.inbox.events.push(Event::Tool {
            ticket: call.ticket.to_bits(),
            index: self.view.id(Kind::Tool, call.tool),
            arguments,
            principal: call.info.principal.0,
        });
        Ok(())
    }

    fn read_resource(&mut self, read: ResourceRead<'_>, _: &mut Responder<'_>) -> Result<(), Error> {
        let ticket = read.ticket.to_bits();
        let uri = text(read.uri);
        let (kind, index, variables) = match read.target {
            ReadTarget::Resource(index) => (ReadKind::Resource, self.view.id(Kind::Resource, index), Vec::new()),
            ReadTarget::Template { index, variables } => {
                let index = self.view.id(Kind::Template, index);
                let names = self.catalog.template_variables(index);
                let values = variables.iter().map(|v| text(*v));
                (ReadKind::Template, index, names.into_iter().map(str::to_owned).zip(values).collect())
            }
        };
        self.inbox.reads.insert(ticket, uri.clone());
        let principal = read.info.principal.0;
        self.inbox.events.push(Event::Read { ticket, kind, index, uri, variables, principal });
        Ok(())
    }

    fn get_prompt(&mut self, get: PromptGet<'_>, _: &mut Responder<'_>) -> Result<(), Error> {
        let arguments = pairs(&get.arguments);
        self.inbox.events.push(Event::Prompt {
            ticket: get.ticket.to_bits(),
            index: self.view.id(Kind::Prompt, get.prompt),
            arguments,
            principal: get.info.principal.0,
        });
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
            principal: req.info.principal.0,
        });
        Ok(())
    }

    fn authorize(&mut self, head: &RequestHead<'_>) -> Access<'_> {
        let Inbox { auth, events, .. } = &mut *self.inbox;
        auth.access(head.bearer_token(), events)
    }

    fn protected_resource(&self) -> Option<ProtectedResource<'_>> {
        self.inbox.auth.protected_resource()
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
