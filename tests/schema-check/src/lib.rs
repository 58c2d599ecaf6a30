//! Checks that messages written by a picomcp server validate against the official MCP JSON
//! schemas (host-only; used by the core's tests as a dev-dependency).
//!
//! The schemas are not shipped with the repository: they are looked up at run time by
//! [`spec_dir`]. When they cannot be found, every check returns [`Outcome::Skipped`] and
//! [`assert_valid`] says so once on stderr instead of failing.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Once, OnceLock};

use jsonschema::error::ValidationErrorKind;
use jsonschema::{ValidationError, ValidatorMap};
use serde_json::{Value, json};

/// The protocol revisions whose schemas can be checked against, oldest first.
pub const REVISIONS: [&str; 5] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"];

/// Client requests whose result has no definition of its own in the schemas: they answer with
/// `EmptyResult`.
const EMPTY_RESULT_METHODS: [&str; 4] = ["ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe"];

/// The revision the tasks extension (`io.modelcontextprotocol/tasks`) is checked for.
const TASKS_REVISION: &str = "2026-07-28";

/// The methods of the tasks extension and the definitions of their results (see
/// [`tasks_definitions`]).
const TASKS_METHODS: [(&str, &str); 3] =
    [("tasks/get", "GetTaskResult"), ("tasks/update", "UpdateTaskResult"), ("tasks/cancel", "CancelTaskResult")];

/// The result definitions of the tasks extension (2026-07-28), which the core schema does
/// not carry, written here from the extension's types: `Task`, `CreateTaskResult` (the
/// answer of a `tools/call` that became a task, `resultType: "task"`), `GetTaskResult` (a
/// DetailedTask: the `CallToolResult`, the error or the input requests inlined by status)
/// and the empty acknowledgements of `tasks/update` and `tasks/cancel`.
fn tasks_definitions() -> Value {
    let with_result = |extra: Value| json!({"allOf": [{"$ref": "#/$defs/Result"}, extra]});
    let complete = json!({"properties": {"resultType": {"const": "complete"}}});
    json!({
        "Task": {
            "type": "object",
            "properties": {
                "taskId": {"type": "string"},
                "status": {"enum": ["working", "input_required", "completed", "failed", "cancelled"]},
                "statusMessage": {"type": "string"},
                "createdAt": {"type": "string", "format": "date-time"},
                "lastUpdatedAt": {"type": "string", "format": "date-time"},
                "ttlMs": {"type": ["integer", "null"], "minimum": 1},
                "pollIntervalMs": {"type": "integer", "minimum": 1}
            },
            "required": ["taskId", "status", "createdAt", "lastUpdatedAt", "ttlMs"]
        },
        "CreateTaskResult": with_result(json!({"allOf": [
            {"$ref": "#/$defs/Task"},
            {"properties": {"resultType": {"const": "task"}}}
        ]})),
        "GetTaskResult": with_result(json!({"allOf": [
            {"$ref": "#/$defs/Task"},
            complete,
            {"oneOf": [
                {"properties": {"status": {"const": "working"}}},
                {"properties": {"status": {"const": "input_required"}, "inputRequests": {"$ref": "#/$defs/InputRequests"}},
                 "required": ["inputRequests"]},
                {"properties": {"status": {"const": "completed"}, "result": {"$ref": "#/$defs/CallToolResult"}},
                 "required": ["result"]},
                {"properties": {"status": {"const": "failed"}, "error": {"$ref": "#/$defs/Error"}}, "required": ["error"]},
                {"properties": {"status": {"const": "cancelled"}}}
            ]}
        ]})),
        "UpdateTaskResult": with_result(complete.clone()),
        "CancelTaskResult": with_result(complete),
    })
}

/// What checking one message found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The message validates against every definition that applies to it.
    Valid,
    /// The message breaks the schema; one readable line per problem, each naming the
    /// definition and the path inside the message.
    Invalid(Vec<String>),
    /// The check could not run (the schemas were not found); the reason says why.
    Skipped(String),
}

/// The folder holding `<revision>/schema.json`.
///
/// Taken from the environment variable `PICOMCP_SPEC_DIR` when it is set (and not empty); otherwise
/// `../shared/spec` beside the repository root (the first folder above this crate that has
/// `core/` and a `Cargo.toml` declaring `[workspace]`), if that folder exists.
pub fn spec_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PICOMCP_SPEC_DIR").filter(|dir| !dir.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).ancestors().find(|dir| is_repository_root(dir))?;
    let spec = root.parent()?.join("shared").join("spec");
    spec.is_dir().then_some(spec)
}

fn is_repository_root(dir: &Path) -> bool {
    dir.join("core").is_dir()
        && std::fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
}

/// Validates one JSON-RPC message written by a server against the schema of revision `rev`.
///
/// `answers` is the method of the client request this message responds to (e.g.
/// `"tools/list"`); `None` for notifications and for errors that answer nothing identifiable.
///
/// - A notification (`method`, no `id`) is checked against its own definition, found by its
///   `method`, then the notification envelope and the revision's `ServerNotification` union.
/// - A request (`method` and `id`) is checked likewise, against `ServerRequest`.
/// - A result's `result` is checked against the result definition of the answered method, then
///   the message against the result envelope. In revisions that define `InputRequiredResult`, a
///   result whose `resultType` is `"input_required"` is checked against that instead, then the
///   message against the method's `…ResultResponse` definition, which says whether the method
///   may answer that way.
/// - An error is checked against the error response the revision defines for its `code`, if
///   any (e.g. `UnsupportedProtocolVersionError`), then against the error envelope.
/// - 2026-07-28 also knows the tasks extension (`io.modelcontextprotocol/tasks`): a
///   `tools/call` result whose `resultType` is `"task"` is checked against
///   `CreateTaskResult`, and `tasks/get`, `tasks/update` and `tasks/cancel` results against
///   definitions written from the extension's types (see `tasks_definitions`).
///
/// The definitions are checked most specific first, and the errors reported are those of the
/// first one that fails: the broader ones would only repeat them.
///
/// # Panics
///
/// If a schema file exists but cannot be read, parsed or compiled.
pub fn check_server_message(rev: &str, message: &Value, answers: Option<&str>) -> Outcome {
    let Some(index) = REVISIONS.iter().position(|known| *known == rev) else {
        return Outcome::Invalid(vec![format!("unknown MCP revision `{rev}` (known: {})", REVISIONS.join(", "))]);
    };
    let schema = match Schema::get(index) {
        Ok(schema) => schema,
        Err(reason) => return Outcome::Skipped(reason.clone()),
    };
    let checks = match schema.checks_for(message, answers) {
        Ok(checks) => checks,
        Err(problem) => return Outcome::Invalid(vec![problem]),
    };
    checks
        .iter()
        .map(|(definition, at)| schema.errors(definition, message, at))
        .find(|errors| !errors.is_empty())
        .map_or(Outcome::Valid, Outcome::Invalid)
}

/// Parses `message` and panics with a readable report unless it validates (see
/// [`check_server_message`]). When the schemas are missing it prints
/// `schema check skipped: <reason>` to stderr, once per process, and returns.
///
/// # Panics
///
/// If `message` is not JSON or does not validate against the schema of `rev`.
pub fn assert_valid(rev: &str, message: &[u8], answers: Option<&str>) {
    let text = String::from_utf8_lossy(message);
    let answering = answers.map_or(String::new(), |method| format!(" answering `{method}`"));
    let value: Value = serde_json::from_slice(message)
        .unwrap_or_else(|error| panic!("server message{answering} is not JSON ({error}):\n{text}"));
    match check_server_message(rev, &value, answers) {
        Outcome::Valid => {}
        Outcome::Skipped(reason) => say_skipped(&reason),
        Outcome::Invalid(errors) => panic!(
            "server message{answering} does not validate against MCP {rev}:\n  - {}\nmessage: {text}",
            errors.join("\n  - ")
        ),
    }
}

/// Prints `schema check skipped: <reason>` once per process, straight to stderr so that the
/// test harness does not capture it.
fn say_skipped(reason: &str) {
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        let _ = writeln!(std::io::stderr(), "schema check skipped: {reason}");
    });
}

/// One revision's compiled schema and what was learnt from it.
struct Schema {
    rev: &'static str,
    /// `#/$defs/` or `#/definitions/`, as the file uses.
    defs_prefix: String,
    validators: ValidatorMap,
    /// Notification method → definition, from the `ServerNotification` union.
    notifications: HashMap<String, String>,
    /// Request method → definition, from the `ServerRequest` union (absent in 2026-07-28).
    requests: HashMap<String, String>,
    /// Client request method → definition of its result, from the `ClientRequest` union.
    results: HashMap<String, String>,
    /// Error code → error-response definition fixing that code.
    errors: HashMap<i64, String>,
    /// `JSONRPCResultResponse`, or `JSONRPCResponse` before 2025-11-25 (which reuses that
    /// name for the union of results and errors).
    result_envelope: &'static str,
    /// `JSONRPCErrorResponse`, or `JSONRPCError` before 2025-11-25.
    error_envelope: &'static str,
}

impl Schema {
    /// The schema of `REVISIONS[index]`, compiled on first use; `Err` is the reason to skip.
    fn get(index: usize) -> Result<&'static Self, &'static String> {
        static CACHE: [OnceLock<Result<Schema, String>>; REVISIONS.len()] =
            [const { OnceLock::new() }; REVISIONS.len()];
        CACHE[index].get_or_init(|| Self::load(REVISIONS[index])).as_ref()
    }

    fn load(rev: &'static str) -> Result<Self, String> {
        let dir = spec_dir().ok_or(
            "the official MCP schemas were not found: there is no ../shared/spec beside the \
             repository, and PICOMCP_SPEC_DIR (the folder holding <revision>/schema.json) is unset",
        )?;
        let path = dir.join(rev).join("schema.json");
        if !path.is_file() {
            return Err(format!("{} does not exist", path.display()));
        }
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        let mut document: Value =
            serde_json::from_str(&text).unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()));
        let tasks = rev == TASKS_REVISION;
        if tasks {
            let defs = document.get_mut("$defs").and_then(Value::as_object_mut).expect("2026-07-28 has $defs");
            for (name, definition) in tasks_definitions().as_object().into_iter().flatten() {
                assert!(defs.insert(name.clone(), definition.clone()).is_none(), "{rev} already defines {name}");
            }
        }
        // Formats (`uri`, `uri-template`) are asserted in every revision alike; by default only
        // the draft-07 ones would be.
        let validators = jsonschema::options()
            .should_validate_formats(true)
            .build_map(&document)
            .unwrap_or_else(|error| panic!("{} does not compile: {error}", path.display()));
        let defs_key = if document.get("$defs").is_some() { "$defs" } else { "definitions" };
        let defs = &document[defs_key];

        let mut results: HashMap<String, String> = union_by_method(defs, "ClientRequest")
            .into_iter()
            .map(|(method, request)| {
                let result = request
                    .strip_suffix("Request")
                    .map(|stem| format!("{stem}Result"))
                    .filter(|result| defs.get(result).is_some())
                    .or_else(|| EMPTY_RESULT_METHODS.contains(&method.as_str()).then(|| "EmptyResult".into()))
                    .unwrap_or_else(|| panic!("{rev}: no result definition known for {request}"));
                (method, result)
            })
            .collect();
        if tasks {
            results.extend(TASKS_METHODS.iter().map(|(method, result)| ((*method).to_owned(), (*result).to_owned())));
        }
        let errors = defs
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(name, definition)| {
                let parts = definition.pointer("/properties/error/allOf")?.as_array()?;
                let code = parts.iter().find_map(|part| part.pointer("/properties/code/const"))?;
                Some((code.as_i64()?, name.clone()))
            })
            .collect();
        let pick = |new: &'static str, old: &'static str| if defs.get(new).is_some() { new } else { old };
        Ok(Self {
            rev,
            defs_prefix: format!("#/{defs_key}/"),
            notifications: union_by_method(defs, "ServerNotification"),
            requests: union_by_method(defs, "ServerRequest"),
            results,
            errors,
            result_envelope: pick("JSONRPCResultResponse", "JSONRPCResponse"),
            error_envelope: pick("JSONRPCErrorResponse", "JSONRPCError"),
            validators,
        })
    }

    fn is_defined(&self, name: &str) -> bool {
        self.validators.contains_key(&format!("{}{name}", self.defs_prefix))
    }

    /// The definitions `message` must validate against, each with the JSON pointer of the part
    /// of the message it applies to.
    fn checks_for(&self, message: &Value, answers: Option<&str>) -> Result<Vec<(String, &'static str)>, String> {
        let rev = self.rev;
        let object = message.as_object().ok_or("a JSON-RPC message must be a JSON object")?;
        if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return Err("`jsonrpc` must be \"2.0\"".into());
        }
        if let Some(method) = object.get("method") {
            let method = method.as_str().ok_or("`method` must be a string")?;
            let (kind, union, known, envelope) = if object.contains_key("id") {
                ("request", "ServerRequest", &self.requests, "JSONRPCRequest")
            } else {
                ("notification", "ServerNotification", &self.notifications, "JSONRPCNotification")
            };
            let definition = known.get(method).ok_or_else(|| format!("{rev} defines no server {kind} `{method}`"))?;
            return Ok(vec![(definition.clone(), ""), (envelope.into(), ""), (union.into(), "")]);
        }
        match (object.get("result"), object.get("error")) {
            (Some(_), Some(_)) => Err("a response must not have both `result` and `error`".into()),
            (Some(result), None) => {
                let method = answers
                    .ok_or("a result must be checked with `answers` naming the method of the request it answers")?;
                let definition =
                    self.results.get(method).ok_or_else(|| format!("{rev} defines no client request `{method}`"))?;
                let mut checks = Vec::new();
                let result_type = result.get("resultType").and_then(Value::as_str);
                if result_type == Some("task") && self.is_defined("CreateTaskResult") {
                    // The tasks extension: a call answered with a task handle.
                    if method != "tools/call" {
                        return Err(format!(
                            "only tools/call may answer with a task (resultType \"task\"), not `{method}`"
                        ));
                    }
                    checks.push(("CreateTaskResult".into(), "/result"));
                } else if self.is_defined("InputRequiredResult") && result_type == Some("input_required") {
                    checks.push(("InputRequiredResult".into(), "/result"));
                    let response = format!("{definition}Response");
                    if self.is_defined(&response) {
                        checks.push((response, ""));
                    }
                } else {
                    checks.push((definition.clone(), "/result"));
                }
                checks.push((self.result_envelope.into(), ""));
                Ok(checks)
            }
            (None, Some(error)) => {
                let mut checks = Vec::new();
                let code = error.get("code").and_then(Value::as_i64);
                if let Some(definition) = code.and_then(|code| self.errors.get(&code)) {
                    checks.push((definition.clone(), ""));
                }
                checks.push((self.error_envelope.into(), ""));
                Ok(checks)
            }
            (None, None) => {
                Err("neither a notification, a request nor a response (no `method`, `result` or `error`)".into())
            }
        }
    }

    /// Validates the part of `message` at pointer `at` against `definition`, one line per error.
    fn errors(&self, definition: &str, message: &Value, at: &str) -> Vec<String> {
        let validator = &self.validators[format!("{}{definition}", self.defs_prefix).as_str()];
        let instance = message.pointer(at).expect("the checked part exists");
        validator.iter_errors(instance).map(|error| format!("{definition} at {}", describe(&error, at))).collect()
    }
}

/// `<path>: <problem>` for one validation error, the path taken inside the message (the
/// validated part sits at `at`). A failed `anyOf` is explained by the errors of the
/// alternative that came closest, i.e. the one with the fewest errors.
fn describe(error: &ValidationError<'_>, at: &str) -> String {
    let path = format!("{at}{}", error.instance_path());
    let path = if path.is_empty() { "/" } else { &path };
    let instance = error.instance();
    let problem = if let ValidationErrorKind::AnyOf { context } = error.kind() {
        let closest = context.iter().min_by_key(|alternative| alternative.len());
        let reasons: Vec<String> = closest.into_iter().flatten().map(|reason| describe(reason, at)).collect();
        format!("matches no alternative of an `anyOf`; the closest fails with [{}]", reasons.join("; "))
    } else if instance.is_object() || instance.is_array() {
        // Not repeated: the message itself is shown.
        error.masked().to_string()
    } else {
        error.to_string()
    };
    format!("{path}: {problem}")
}

/// Method → definition name for each member of the union definition `union` (e.g.
/// `ServerNotification`), read from each member's `method` const; empty if there is no such
/// union.
fn union_by_method(defs: &Value, union: &str) -> HashMap<String, String> {
    let members = defs.pointer(&format!("/{union}/anyOf")).and_then(Value::as_array);
    members
        .into_iter()
        .flatten()
        .filter_map(|member| {
            let name = member.get("$ref")?.as_str()?.rsplit('/').next()?;
            let method = defs.get(name)?.pointer("/properties/method/const")?.as_str()?;
            Some((method.to_owned(), name.to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests;
