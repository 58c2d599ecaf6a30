//! What the fixture offers (FIXTURE.md section 4): the tools, resources, template and
//! prompts, in listing order, and the wire each belongs to.

use picomcp::{ClientCapabilities, Data, Prompt, PromptArgument, Resource, ResourceTemplate, TaskSupport, Tool};

/// The 1×1 PNG every image and binary resource carries (FIXTURE.md section 4), as base64.
pub const PNG_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR42mNQSDgAAAHkAUGi6zIMAAAAAElFTkSuQmCC";
/// The WAV (8 kHz mono 16-bit, two silent samples) of `test_audio_content`, as base64.
pub const WAV_BASE64: &str = "UklGRigAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQQAAAAAAAAA";

/// [`PNG_BASE64`] as content data (written as it is, no re-encoding).
pub const PNG: Data<'static> = Data::Base64(PNG_BASE64);
/// [`WAV_BASE64`] as content data.
pub const WAV: Data<'static> = Data::Base64(WAV_BASE64);

/// Which wire a descriptor is meant for (FIXTURE.md sections 4.1–4.3). The core lists one
/// catalogue on both wires for now; this says how it should be split once it can.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wire {
    /// Both: the legacy (2025-11-25, stateful) and the 2026-07-28 (stateless) wire.
    Both,
    /// Only meaningful on the legacy wire (server-to-client requests, SSE resumption).
    Legacy,
    /// Only on the 2026-07-28 wire (MRTR, subscriptions, tasks, header mirroring).
    Modern,
}

const NO_ARGUMENTS: &str = r#"{"type":"object","properties":{}}"#;

/// The schema of `json_schema_2020_12_tool` (FIXTURE.md section 7.9), served verbatim.
pub const JSON_SCHEMA_2020_12: &str = r##"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","$defs":{"address":{"$anchor":"postalAddress","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},"contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},"allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],"if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},"then":{"required":["phone"]},"else":{"required":["email"]},"additionalProperties":false}"##;

const fn no_args(name: &'static str, description: &'static str) -> Tool<'static> {
    Tool::new(name, description, NO_ARGUMENTS)
}

/// Every tool, in listing order: section 4.1, then 4.2, then 4.3 (with the pending
/// header tool of section 9 and the tasks tools of section 10). `test_simple_text` stays
/// first: the header scenarios call `tools[0]` with `{}`.
pub static TOOLS: [Tool<'static>; 35] = [
    // 4.1: both wires.
    no_args("test_simple_text", "Returns one text block"),
    no_args("test_image_content", "Returns one image block (a 1x1 PNG)"),
    no_args("test_audio_content", "Returns one audio block (a short silent WAV)"),
    no_args("test_embedded_resource", "Returns one embedded text resource"),
    no_args("test_multiple_content_types", "Returns a text block, an image block and an embedded resource"),
    no_args(
        "test_tool_with_progress",
        "Reports progress 0, 50 and 100 of 100, about 50 ms apart, then returns the progress token",
    ),
    no_args("test_error_handling", "Always returns a tool error (isError: true)"),
    Tool::new(
        "json_schema_2020_12_tool",
        "Takes arguments described by a JSON Schema 2020-12 schema (kept verbatim) and echoes them",
        JSON_SCHEMA_2020_12,
    ),
    // 4.2: the legacy wire.
    no_args("test_tool_with_logging", "Sends three info log messages, about 50 ms apart, then returns"),
    Tool::new(
        "test_sampling",
        "Asks the client's LLM (sampling/createMessage) and returns its answer",
        r#"{"type":"object","properties":{"prompt":{"type":"string","description":"The prompt to send to the LLM"}},"required":["prompt"]}"#,
    ),
    Tool::new(
        "test_elicitation",
        "Asks the user for a username and an email (elicitation/create) and returns the answer",
        r#"{"type":"object","properties":{"message":{"type":"string","description":"The message to show the user"}},"required":["message"]}"#,
    ),
    no_args("test_elicitation_sep1034_defaults", "Elicits a form whose fields carry defaults (SEP-1034)"),
    no_args("test_elicitation_sep1330_enums", "Elicits a form with every enum style (SEP-1330)"),
    no_args("test_reconnection", "Closes its SSE stream before the result, which arrives on the resumed stream"),
    // 4.3: the 2026-07-28 wire.
    no_args("test_missing_capability", "Needs the client's sampling capability; returns Success")
        .requires(ClientCapabilities::new(ClientCapabilities::SAMPLING)),
    no_args("test_streaming_elicitation", "Answers on its response stream without sending requests on it"),
    no_args("test_logging_tool", "Logs one message when the request asks for logs, then returns"),
    no_args("test_trigger_tool_change", "Announces that the tool list changed"),
    no_args("test_trigger_prompt_change", "Announces that the prompt list changed"),
    no_args("test_input_required_result_elicitation", "Asks for the user's name (input required), then greets"),
    no_args("test_input_required_result_sampling", "Asks the client's LLM a question (input required)"),
    no_args("test_input_required_result_list_roots", "Asks for the client's roots (input required)"),
    no_args("test_input_required_result_request_state", "Asks for a confirmation and carries a request state"),
    no_args("test_input_required_result_multiple_inputs", "Asks for a name, a greeting and the roots at once"),
    no_args("test_input_required_result_multi_round", "Asks for a name, then for a favourite colour"),
    no_args("test_input_required_result_tampered_state", "Refuses a request state that was altered"),
    no_args("test_input_required_result_capabilities", "Asks only for what the client declared it can do"),
    Tool::new(
        "test_header_param",
        "Echoes a value mirrored into Mcp-Param-Region",
        r#"{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"}},"required":["region"]}"#,
    ),
    // Section 10: the tasks extension (2026-07-28 wire).
    Tool::new(
        "greet",
        "Greets someone, synchronously",
        r#"{"type":"object","properties":{"name":{"type":"string","description":"Who to greet"}},"required":["name"]}"#,
    ),
    Tool::new(
        "slow_compute",
        "Works for the given number of seconds, then returns (a task with the tasks extension)",
        r#"{"type":"object","properties":{"seconds":{"type":"integer","minimum":0,"maximum":3600,"description":"How long to work, in seconds"},"label":{"type":"string","description":"A name for this computation"}},"required":["seconds"]}"#,
    )
    .tasks(TaskSupport::Optional),
    no_args("failing_job", "A task that completes with a tool error after about a second (needs tasks)")
        .tasks(TaskSupport::Required),
    no_args("protocol_error_job", "A task that fails with a protocol error").tasks(TaskSupport::Optional),
    Tool::new(
        "confirm_delete",
        "A task that asks the user to confirm before it deletes the file",
        r#"{"type":"object","properties":{"filename":{"type":"string","description":"The file to delete"}},"required":["filename"]}"#,
    )
    .tasks(TaskSupport::Optional),
    no_args("multi_input", "A task that asks for a name and a confirmation at the same time (needs tasks)")
        .tasks(TaskSupport::Required),
    no_args("test_tool_with_task", "Asks for the user's name (input required), then runs as a task (needs tasks)")
        .tasks(TaskSupport::Required),
];

/// The wire a tool belongs to, by name (`None` for a name that is not in [`TOOLS`]).
pub fn tool_wire(name: &str) -> Option<Wire> {
    let index = TOOLS.iter().position(|t| t.name == name)?;
    Some(match index {
        0..=7 => Wire::Both,
        8..=13 => Wire::Legacy,
        _ => Wire::Modern,
    })
}

/// The fixed resources; `test://static-text` first (`caching` reads the first one).
pub static RESOURCES: [Resource<'static>; 3] = [
    Resource::new("test://static-text", "static-text", "text/plain").description("A static text resource"),
    Resource::new("test://static-binary", "static-binary", "image/png").description("A static binary resource"),
    Resource::new("test://watched-resource", "watched-resource", "text/plain")
        .description("A resource clients can subscribe to"),
];

/// The resource template.
pub static TEMPLATES: [ResourceTemplate<'static>; 1] =
    [ResourceTemplate::new("test://template/{id}/data", "template", "application/json")
        .description("JSON data for an id")];

static ARGS_ARGUMENTS: [PromptArgument<'static>; 2] =
    [PromptArgument::required("arg1", "First test argument"), PromptArgument::required("arg2", "Second test argument")];
static EMBEDDED_ARGUMENTS: [PromptArgument<'static>; 1] =
    [PromptArgument::required("resourceUri", "URI of the resource to embed")];

/// The prompts, in listing order; the last one belongs to the 2026-07-28 wire only.
pub static PROMPTS: [Prompt<'static>; 5] = [
    Prompt::new("test_simple_prompt", "A simple prompt without arguments", &[]),
    Prompt::new("test_prompt_with_arguments", "A prompt with two required arguments", &ARGS_ARGUMENTS),
    Prompt::new("test_prompt_with_embedded_resource", "A prompt that embeds a resource", &EMBEDDED_ARGUMENTS),
    Prompt::new("test_prompt_with_image", "A prompt that includes an image", &[]),
    Prompt::new("test_input_required_result_prompt", "A prompt that first asks the client for context", &[]),
];

/// The wire a prompt belongs to, by name.
pub fn prompt_wire(name: &str) -> Option<Wire> {
    match name {
        "test_input_required_result_prompt" => Some(Wire::Modern),
        _ => PROMPTS.iter().any(|p| p.name == name).then_some(Wire::Both),
    }
}
