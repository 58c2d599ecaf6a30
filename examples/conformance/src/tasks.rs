//! The tools of the tasks extension (FIXTURE.md section 10) that ask the client something:
//! `confirm_delete` and `multi_input` (a task that goes `input_required`), and
//! `test_tool_with_task` (an input-required round first, then a task). The timed ones
//! (`slow_compute`, `failing_job`, `protocol_error_job`) are jobs of the fixture.

use picomcp::json::{Str, Text, Value, ValueWriter, Written};
use picomcp::{Error, InputMethod, Responder, TaskAnswer, TaskId, Ticket, ToolCall, jsonrpc};

/// Whom a timed job answers: the call itself, or the task the call became.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// An ordinary call (no task: the request did not declare the extension).
    Call(Ticket),
    /// A task.
    Task(TaskId),
}

/// A task of the call `ticket` when it may become one (the request declared the
/// extension and the task table has room), else the call itself.
pub fn target(ticket: Ticket, r: &mut Responder<'_>) -> Result<Target, Error> {
    if r.can_create_task(ticket) {
        match r.create_task(ticket) {
            Ok(task) => return Ok(Target::Task(task)),
            // No room for another task: run it as an ordinary call.
            Err(Error::NoRoom) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Target::Call(ticket))
}

/// What a task waiting for the client's input asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Asking {
    /// `confirm_delete`: whether to delete the file.
    Confirm {
        /// The file (cut at 64 bytes).
        filename: heapless::String<64>,
    },
    /// `multi_input`: a name and a confirmation, answerable separately.
    Multi {
        /// The name, once given.
        name: heapless::String<64>,
        /// The confirmation, once given.
        confirmed: Option<bool>,
    },
}

/// A task waiting for input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waiting {
    /// The task.
    pub task: TaskId,
    /// What it asked.
    pub asking: Asking,
}

/// A form with one field `field` of JSON Schema type `kind`.
fn form(
    message: &'static str,
    field: &'static str,
    kind: &'static str,
) -> impl Fn(ValueWriter<'_>) -> Result<Written, Error> {
    move |v| {
        v.object(|o| {
            o.string("message", message)?;
            o.field("requestedSchema", |s| {
                s.object(|s| {
                    s.string("type", "object")?;
                    s.field("properties", |p| p.object(|p| p.field(field, |t| t.object(|t| t.string("type", kind)))))?;
                    s.field("required", |r| r.array(|r| r.string(field)))
                })
            })
        })
    }
}

/// Copy `text` (decoded), cut at the capacity.
fn keep<const N: usize>(text: Option<Str<'_>>) -> heapless::String<N> {
    let mut kept = heapless::String::new();
    for c in text.into_iter().flat_map(Str::chars) {
        if kept.push(c).is_err() {
            break;
        }
    }
    kept
}

/// The accepted content field `field` of an elicitation answer.
fn accepted<'a>(response: Value<'a>, field: &str) -> Option<Value<'a>> {
    let answer = response.as_object()?;
    if !answer.get("action")?.as_str()?.eq_str("accept") {
        return None;
    }
    answer.get("content")?.as_object()?.get(field)
}

/// `confirm_delete` or `multi_input`: with the extension, a task that asks for input
/// (returned, to be kept until answered); without it, `confirm_delete` asks through an
/// input-required result and `multi_input` (which needs a task) is refused by the core
/// before it gets here on 2026-07-28 (legacy calls get a tool error).
pub fn ask(name: &str, call: &ToolCall<'_>, r: &mut Responder<'_>) -> Result<Option<Waiting>, Error> {
    let ticket = call.ticket;
    let filename = call.arguments.str("filename").ok();
    let Target::Task(task) = target(ticket, r)? else {
        if name == "confirm_delete" && call.info.revision.is_modern() {
            // No task: the same question as an input-required result, answered on the retry.
            let input = call.info.input;
            if let Some(confirmed) = input.response("confirm").and_then(|v| accepted(v, "confirm")) {
                let verb = if confirmed.as_bool() == Some(true) { "Deleted " } else { "Kept " };
                let parts = [Text::Plain(verb), filename.map_or(Text::Plain("(no file)"), Text::Json)];
                return r.tool_result(ticket, |res| res.text(Text::Concat(&parts))).map(|()| None);
            }
            let outcome = r.input_required(ticket, None, |q| {
                q.request("confirm", InputMethod::Elicitation, form("Delete the file?", "confirm", "boolean"))
            });
            return match outcome {
                Err(Error::MissingCapability) => {
                    r.tool_error(ticket, "confirm_delete needs a client that can confirm (elicitation)").map(|()| None)
                }
                other => other.map(|()| None),
            };
        }
        let text = [Text::Plain(name), Text::Plain(" runs as a task: it needs the tasks extension (2026-07-28)")];
        return r.tool_error(ticket, Text::Concat(&text)).map(|()| None);
    };
    let (asking, outcome) = if name == "confirm_delete" {
        let asking = Asking::Confirm { filename: keep(filename) };
        let outcome = r.task_input_required(task, |q| {
            q.request("confirm", InputMethod::Elicitation, form("Delete the file?", "confirm", "boolean"))
        });
        (asking, outcome)
    } else {
        let asking = Asking::Multi { name: heapless::String::new(), confirmed: None };
        let outcome = r.task_input_required(task, |q| {
            q.request("name", InputMethod::Elicitation, form("What is your name?", "name", "string"))?;
            q.request("confirm", InputMethod::Elicitation, form("Do you confirm?", "confirm", "boolean"))
        });
        (asking, outcome)
    };
    match outcome {
        Ok(()) => Ok(Some(Waiting { task, asking })),
        Err(Error::Io) => Err(Error::Io),
        // The client cannot answer (no elicitation) or there is no room: the task fails.
        Err(_) => r
            .task_failed(
                task,
                jsonrpc::code::INTERNAL_ERROR,
                "Internal error: the task could not ask the client for input",
            )
            .map(|()| None),
    }
}

/// An answer to a waiting task's input request; whether the task is over.
pub fn answered(waiting: &mut Waiting, answer: TaskAnswer<'_>, r: &mut Responder<'_>) -> Result<bool, Error> {
    let task = waiting.task;
    match &mut waiting.asking {
        Asking::Confirm { filename } => {
            let confirmed = accepted(answer.response, "confirm").and_then(Value::as_bool) == Some(true);
            let parts = [Text::Plain(if confirmed { "Deleted " } else { "Kept " }), Text::Plain(filename.as_str())];
            r.task_result(task, |res| res.text(Text::Concat(&parts)))?;
        }
        Asking::Multi { name, confirmed } => {
            // The harness answers each key with both fields; take what each key asked for.
            if answer.key.eq_str("name") {
                *name = keep(accepted(answer.response, "name").and_then(Value::as_str));
            } else {
                *confirmed = accepted(answer.response, "confirm").and_then(Value::as_bool);
            }
            if answer.pending > 0 {
                return Ok(false);
            }
            let parts = [
                Text::Plain("Name: "),
                Text::Plain(if name.is_empty() { "(none)" } else { name.as_str() }),
                Text::Plain("; confirmed: "),
                Text::Plain(if *confirmed == Some(true) { "yes" } else { "no" }),
            ];
            r.task_result(task, |res| res.text(Text::Concat(&parts)))?;
        }
    }
    Ok(true)
}

/// `test_tool_with_task` (2026-07-28 with the extension; the core refuses it otherwise):
/// round 1 asks for `user_name` with an input-required result; the retry with the answer
/// becomes a task, returned with the name to greet.
pub fn with_task(call: &ToolCall<'_>, r: &mut Responder<'_>) -> Result<Option<(TaskId, heapless::String<64>)>, Error> {
    let ticket = call.ticket;
    if !call.info.revision.is_modern() {
        let text = "test_tool_with_task runs as a task: it needs the tasks extension (2026-07-28)";
        return r.tool_error(ticket, text).map(|()| None);
    }
    let input = call.info.input;
    let state = match r.request_state(&input) {
        Ok(state) => state,
        Err(_) => {
            let message = "Invalid params: requestState was altered or not issued here";
            return r.error(ticket, jsonrpc::code::INVALID_PARAMS, message).map(|()| None);
        }
    };
    let name = input.response("user_name").and_then(|v| accepted(v, "name")).and_then(Value::as_str);
    match (state, name) {
        (Some(state), Some(name)) if state.eq_str("tool-with-task") => match target(ticket, r)? {
            Target::Task(task) => Ok(Some((task, keep(Some(name))))),
            Target::Call(_) => {
                let parts = [Text::Plain("Hello, "), Text::Json(name), Text::Plain("!")];
                r.tool_result(ticket, |res| res.text(Text::Concat(&parts))).map(|()| None)
            }
        },
        _ => r
            .input_required(ticket, Some("tool-with-task"), |q| {
                q.request("user_name", InputMethod::Elicitation, form("What is your name?", "name", "string"))
            })
            .map(|()| None),
    }
}
