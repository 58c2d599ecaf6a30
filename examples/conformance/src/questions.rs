//! The tools that ask the client something: legacy server-to-client requests (FIXTURE.md
//! 6.3, 6.4) and 2026-07-28 input-required results (5.4).

use picomcp::json::{Str, Text, Value};
use picomcp::{
    Answer, ClientCapabilities, Error, Input, InputMethod, InputRequests, PromptGet, Responder, Role, Ticket, ToolCall,
    jsonrpc,
};

/// What a legacy call asked, so its answer is read the right way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asked {
    /// `test_sampling`: the LLM's text.
    Sampling,
    /// `test_elicitation`: the user's answer, reported as given.
    Elicitation,
    /// The SEP-1034 / SEP-1330 forms: the user's answer, reported as given.
    Form,
}

const ELICITATION_SCHEMA: &str = r#"{"type":"object","properties":{"username":{"type":"string","description":"User's name"},"email":{"type":"string","description":"User's email address"}},"required":["username","email"]}"#;
const DEFAULTS_FORM: &str = r#"{"message":"Please review and update the form fields with defaults","requestedSchema":{"type":"object","properties":{"name":{"type":"string","default":"John Doe"},"age":{"type":"integer","default":30},"score":{"type":"number","default":95.5},"status":{"type":"string","enum":["active","inactive","pending"],"default":"active"},"verified":{"type":"boolean","default":true}},"required":[]}}"#;
const ENUMS_FORM: &str = r#"{"message":"Please select options from the enum fields","requestedSchema":{"type":"object","properties":{"untitledSingle":{"type":"string","enum":["option1","option2","option3"]},"titledSingle":{"type":"string","oneOf":[{"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},"legacyEnum":{"type":"string","enum":["opt1","opt2","opt3"],"enumNames":["Option One","Option Two","Option Three"]},"untitledMulti":{"type":"array","minItems":1,"maxItems":3,"items":{"type":"string","enum":["option1","option2","option3"]}},"titledMulti":{"type":"array","minItems":1,"maxItems":3,"items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},{"const":"value3","title":"Third Choice"}]}}},"required":[]}}"#;

/// Ask the legacy client the question of tool `name`; what was asked, or `None` when the
/// call was answered instead (the client cannot answer such a question).
pub fn ask(name: &str, call: &ToolCall<'_>, r: &mut Responder<'_>) -> Result<Option<Asked>, Error> {
    let ticket = call.ticket;
    let asked = match name {
        "test_sampling" => {
            let prompt = call.arguments.str("prompt").ok();
            r.ask(ticket, InputMethod::Sampling, |v| {
                v.object(|o| {
                    o.field("messages", |w| {
                        w.array(|a| {
                            a.item(|m| {
                                m.object(|m| {
                                    m.string("role", "user")?;
                                    m.field("content", |c| {
                                        c.object(|c| {
                                            c.string("type", "text")?;
                                            c.field("text", |t| match prompt {
                                                Some(p) => t.json_str(p),
                                                None => t.string(""),
                                            })
                                        })
                                    })
                                })
                            })
                        })
                    })?;
                    o.integer("maxTokens", 100)
                })
            })
            .map(|()| Asked::Sampling)
        }
        "test_elicitation" => {
            let message = call.arguments.str("message").ok();
            r.ask(ticket, InputMethod::Elicitation, |v| {
                v.object(|o| {
                    o.field("message", |t| match message {
                        Some(m) => t.json_str(m),
                        None => t.string(""),
                    })?;
                    o.raw("requestedSchema", ELICITATION_SCHEMA)
                })
            })
            .map(|()| Asked::Elicitation)
        }
        "test_elicitation_sep1034_defaults" => {
            r.ask(ticket, InputMethod::Elicitation, |v| v.raw(DEFAULTS_FORM)).map(|()| Asked::Form)
        }
        _ => r.ask(ticket, InputMethod::Elicitation, |v| v.raw(ENUMS_FORM)).map(|()| Asked::Form),
    };
    match asked {
        Ok(asked) => Ok(Some(asked)),
        Err(Error::MissingCapability | Error::WrongRevision) => {
            r.tool_error(ticket, "The client cannot answer this tool's question (capability not declared)")?;
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// The client's answer to what `asked` asked: the tool's result.
pub fn answered(asked: Asked, ticket: Ticket, answer: Answer<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
    let Answer::Result(result) = answer else {
        return r.tool_error(ticket, "The client answered the question with an error");
    };
    let result = result.as_object();
    let field = |key: &str| result.and_then(|o| o.get(key));
    match asked {
        Asked::Sampling => {
            let text = field("content").and_then(Value::as_object).and_then(|c| c.get("text")).and_then(Value::as_str);
            let parts = [Text::Plain("LLM response: "), text.map_or(Text::Plain(""), Text::Json)];
            r.tool_result(ticket, |res| res.text(Text::Concat(&parts)))
        }
        Asked::Elicitation | Asked::Form => {
            let action = field("action").and_then(Value::as_str).map_or(Text::Plain("?"), Text::Json);
            let content = field("content").map_or("null", |c| core::str::from_utf8(c.raw()).unwrap_or("null"));
            let lead = if asked == Asked::Form { "Elicitation completed: action=" } else { "User response: action=" };
            let parts = [Text::Plain(lead), action, Text::Plain(", content="), Text::Plain(content)];
            r.tool_result(ticket, |res| res.text(Text::Concat(&parts)))
        }
    }
}

/// The user's answer to form field `field` of input request `key`, when it was accepted.
fn elicited<'a>(input: &Input<'a>, key: &str, field: &str) -> Option<Value<'a>> {
    let answer = input.response(key)?.as_object()?;
    if !answer.get("action")?.as_str()?.eq_str("accept") {
        return None;
    }
    answer.get("content")?.as_object()?.get(field)
}

/// The text of a sampling answer to input request `key`.
fn sampled<'a>(input: &Input<'a>, key: &str) -> Option<Str<'a>> {
    input.response(key)?.as_object()?.get("content")?.as_object()?.get("text")?.as_str()
}

/// How many roots a `roots/list` answer to input request `key` lists.
fn roots(input: &Input<'_>, key: &str) -> Option<usize> {
    Some(input.response(key)?.as_object()?.get("roots")?.as_array()?.iter().count())
}

/// Whether the client answered `key` with something that is not a result object at all.
fn malformed(input: &Input<'_>, key: &str) -> bool {
    input.response(key).is_some_and(|v| v.as_object().is_none())
}

/// A form asking for one string field.
fn ask_text(requests: &mut InputRequests<'_>, key: &str, message: &str, field: &str) -> Result<(), Error> {
    requests.request(key, InputMethod::Elicitation, |v| {
        v.object(|o| {
            o.string("message", message)?;
            o.field("requestedSchema", |s| {
                s.object(|s| {
                    s.string("type", "object")?;
                    s.field("properties", |p| p.object(|p| p.raw(field, r#"{"type":"string"}"#)))?;
                    s.field("required", |r| r.array(|r| r.string(field)))
                })
            })
        })
    })
}

const CONFIRM_FORM: &str = r#"{"message":"Please confirm","requestedSchema":{"type":"object","properties":{"ok":{"type":"boolean"}},"required":["ok"]}}"#;
const CAPITAL_QUESTION: &str = r#"{"messages":[{"role":"user","content":{"type":"text","text":"What is the capital of France?"}}],"maxTokens":100}"#;
const GREETING_QUESTION: &str =
    r#"{"messages":[{"role":"user","content":{"type":"text","text":"Generate a greeting"}}],"maxTokens":50}"#;

/// The signed state a retried call carries, checked; `Err(())` when it was refused (the
/// call is then answered).
fn state<'a>(input: &Input<'a>, ticket: Ticket, r: &mut Responder<'_>) -> Result<Result<Option<Str<'a>>, ()>, Error> {
    match r.request_state(input) {
        Ok(state) => Ok(Ok(state)),
        Err(_) => {
            r.error(
                ticket,
                jsonrpc::code::INVALID_PARAMS,
                "Invalid params: requestState was altered or not issued here",
            )?;
            Ok(Err(()))
        }
    }
}

/// A 2026-07-28 input-required tool (FIXTURE.md 5.4).
pub fn input_required_tool(name: &str, call: &ToolCall<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
    let ticket = call.ticket;
    let input = call.info.input;
    let Ok(state) = state(&input, ticket, r)? else { return Ok(()) };
    let done = |r: &mut Responder<'_>, parts: &[Text<'_>]| r.tool_result(ticket, |res| res.text(Text::Concat(parts)));
    let invalid = |r: &mut Responder<'_>| {
        r.error(ticket, jsonrpc::code::INVALID_PARAMS, "Invalid params: an input response is not a result object")
    };
    match name {
        "test_input_required_result_elicitation" => match elicited(&input, "user_name", "name").and_then(Value::as_str)
        {
            Some(who) => done(r, &[Text::Plain("Hello, "), Text::Json(who), Text::Plain("!")]),
            None if malformed(&input, "user_name") => invalid(r),
            None => r.input_required(ticket, None, |q| ask_text(q, "user_name", "What is your name?", "name")),
        },
        "test_input_required_result_sampling" => match sampled(&input, "capital") {
            Some(text) => done(r, &[Text::Plain("Sampling result: "), Text::Json(text)]),
            None if malformed(&input, "capital") => invalid(r),
            None => r.input_required(ticket, None, |q| {
                q.request("capital", InputMethod::Sampling, |v| v.raw(CAPITAL_QUESTION))
            }),
        },
        "test_input_required_result_list_roots" => match roots(&input, "roots") {
            Some(n) => {
                let mut digits = [0u8; 10];
                let n = core::str::from_utf8(picomcp::json::u32_digits(n as u32, &mut digits)).unwrap_or("0");
                done(r, &[Text::Plain("Found "), Text::Plain(n), Text::Plain(" root(s)")])
            }
            None if malformed(&input, "roots") => invalid(r),
            None => r.input_required(ticket, None, |q| q.request("roots", InputMethod::Roots, |v| v.raw("{}"))),
        },
        "test_input_required_result_request_state" | "test_input_required_result_tampered_state" => {
            let confirmed = elicited(&input, "confirm", "ok").and_then(Value::as_bool);
            match (state, confirmed) {
                (Some(s), Some(ok)) if s.eq_str("state-ok") => {
                    done(r, &[Text::Plain("state-ok: confirmed="), Text::Plain(if ok { "true" } else { "false" })])
                }
                _ if malformed(&input, "confirm") => invalid(r),
                _ => r.input_required(ticket, Some("state-ok"), |q| {
                    q.request("confirm", InputMethod::Elicitation, |v| v.raw(CONFIRM_FORM))
                }),
            }
        }
        "test_input_required_result_multiple_inputs" => {
            let who = elicited(&input, "name", "name").and_then(Value::as_str);
            let greeting = sampled(&input, "greeting");
            let count = roots(&input, "roots");
            match (state, who, greeting, count) {
                (Some(s), Some(who), Some(greeting), Some(n)) if s.eq_str("multi") => {
                    let mut digits = [0u8; 10];
                    let n = core::str::from_utf8(picomcp::json::u32_digits(n as u32, &mut digits)).unwrap_or("0");
                    let parts = [
                        Text::Plain("Name: "),
                        Text::Json(who),
                        Text::Plain("; Greeting: "),
                        Text::Json(greeting),
                        Text::Plain("; Roots: "),
                        Text::Plain(n),
                    ];
                    done(r, &parts)
                }
                _ => r.input_required(ticket, Some("multi"), |q| {
                    ask_text(q, "name", "What is your name?", "name")?;
                    q.request("greeting", InputMethod::Sampling, |v| v.raw(GREETING_QUESTION))?;
                    q.request("roots", InputMethod::Roots, |v| v.raw("{}"))
                }),
            }
        }
        "test_input_required_result_multi_round" => {
            let round2 = state.is_some_and(|s| s.eq_str("round-2"));
            let round1 = state.is_some_and(|s| s.eq_str("round-1"));
            if round2 {
                if let Some(color) = elicited(&input, "color", "color").and_then(Value::as_str) {
                    return done(r, &[Text::Plain("Favorite color: "), Text::Json(color)]);
                }
                return r.input_required(ticket, Some("round-2"), |q| {
                    ask_text(q, "color", "Step 2: What is your favorite color?", "color")
                });
            }
            if round1 && elicited(&input, "name", "name").is_some() {
                return r.input_required(ticket, Some("round-2"), |q| {
                    ask_text(q, "color", "Step 2: What is your favorite color?", "color")
                });
            }
            r.input_required(ticket, Some("round-1"), |q| ask_text(q, "name", "Step 1: What is your name?", "name"))
        }
        "test_input_required_result_capabilities" => {
            let caps = call.info.client_capabilities;
            if let Some(text) = sampled(&input, "question") {
                return done(r, &[Text::Plain("Answer: "), Text::Json(text)]);
            }
            r.input_required(ticket, None, |q| {
                if caps.has(ClientCapabilities::SAMPLING) {
                    q.request("question", InputMethod::Sampling, |v| v.raw(CAPITAL_QUESTION))?;
                }
                if caps.has(ClientCapabilities::ELICITATION) {
                    ask_text(q, "name", "What is your name?", "name")?;
                }
                if caps.has(ClientCapabilities::ROOTS) {
                    q.request("roots", InputMethod::Roots, |v| v.raw("{}"))?;
                }
                Ok(())
            })
        }
        _ => r.tool_error(ticket, "unknown input-required tool"),
    }
}

/// `prompts/get test_input_required_result_prompt` (FIXTURE.md 5.4).
pub fn input_required_prompt(get: &PromptGet<'_>, r: &mut Responder<'_>) -> Result<(), Error> {
    let input = get.info.input;
    let Ok(_) = state(&input, get.ticket, r)? else { return Ok(()) };
    match elicited(&input, "context", "context").and_then(Value::as_str) {
        Some(context) => {
            let parts = [Text::Plain("Prompt with context: "), Text::Json(context)];
            r.prompt(get.ticket, None, |m| m.push(Role::User, picomcp::Content::text(Text::Concat(&parts))))
        }
        None => r.input_required(get.ticket, None, |q| {
            ask_text(q, "context", "What context should the prompt use?", "context")
        }),
    }
}
