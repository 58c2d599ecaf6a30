//! Golden transcripts: plays every `tests/transcripts/*.jsonl` dialogue against the
//! `picomcp-demo` binary and compares its stdout byte for byte.
//!
//! A transcript is a text file of lines:
//!
//! - `> {json}`: a line written to the server's stdin;
//! - `< {json}`: the next line the server must write to stdout, byte for byte;
//! - `# …`: a comment (`# revision: 2025-11-25` names the revision legacy lines are
//!   checked against before an `initialize` answer settles one); blank lines are ignored.
//!
//! `${SERVER_NAME}` and `${SERVER_VERSION}` in expected lines stand for the demo's
//! identity. Every line the server writes is also validated against the official schema
//! of its revision (`picomcp-schema-check`): 2026-07-28 for requests carrying
//! `_meta["io.modelcontextprotocol/protocolVersion"]`, the negotiated legacy revision for
//! the rest. After the last line stdin is closed; the server must write nothing more and
//! exit with status 0.
//!
//! `PICOMCP_BLESS=1 cargo test -p picomcp-demo --test transcripts` rewrites the expected
//! lines from what the server actually writes (waiting for output to go quiet after each
//! run of `>` lines). Review the result by eye: expected output must be what the spec
//! requires, not merely what the server happens to do.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The demo's identity, substituted for the placeholders.
const SERVER_NAME: &str = "picomcp-demo";
const SERVER_VERSION: &str = env!("CARGO_PKG_VERSION");

/// How long to wait for one expected line.
const LINE_TIMEOUT: Duration = Duration::from_secs(10);
/// In bless mode: output is complete once nothing arrives for this long.
const QUIET: Duration = Duration::from_millis(300);
/// The contract: exit within a second of stdin closing (with some slack for slow CI).
const EXIT_TIMEOUT: Duration = Duration::from_secs(5);

const MODERN: &str = "2026-07-28";
const LATEST_LEGACY: &str = "2025-11-25";

fn transcripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/transcripts")
}

fn blessing() -> bool {
    std::env::var_os("PICOMCP_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Expected text with the identity placeholders filled in.
fn expand(line: &str) -> String {
    line.replace("${SERVER_NAME}", SERVER_NAME).replace("${SERVER_VERSION}", SERVER_VERSION)
}

/// Actual text with the identity put back as placeholders (for blessing).
fn placeholders(line: &str) -> String {
    let identity = format!(r#"{{"name":"{SERVER_NAME}","version":"{SERVER_VERSION}"}}"#);
    line.replace(&identity, r#"{"name":"${SERVER_NAME}","version":"${SERVER_VERSION}"}"#)
}

// ---------------------------------------------------------------------------------------
// The server process
// ---------------------------------------------------------------------------------------

struct Demo {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
}

impl Demo {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_picomcp-demo"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start picomcp-demo");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Self { child, stdin, lines }
    }

    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin
            .write_all(line.as_bytes())
            .and_then(|()| stdin.write_all(b"\n"))
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|e| panic!("writing to the server failed ({e}); did it exit?"));
    }

    fn next_line(&self, timeout: Duration) -> Option<String> {
        self.lines.recv_timeout(timeout).ok()
    }

    /// Every line written until output stays quiet for [`QUIET`].
    fn drain(&self) -> Vec<String> {
        std::iter::from_fn(|| self.next_line(QUIET)).collect()
    }

    /// Close stdin; what the server still writes, and its exit status.
    fn finish(mut self) -> (Vec<String>, std::process::ExitStatus) {
        drop(self.stdin.take());
        let deadline = Instant::now() + EXIT_TIMEOUT;
        let mut rest = Vec::new();
        loop {
            match self.lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => rest.push(line),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    panic!("the server did not close stdout within {EXIT_TIMEOUT:?} of stdin closing");
                }
            }
        }
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for the server") {
                return (rest, status);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit within {EXIT_TIMEOUT:?} of stdin closing");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------
// Schema bookkeeping: which request each line answers, under which revision
// ---------------------------------------------------------------------------------------

struct Pending {
    id: Value,
    method: String,
    modern: bool,
    token: Option<Value>,
}

#[derive(Default)]
struct Tracker {
    /// The revision named by the `# revision:` header.
    header: Option<String>,
    /// The legacy revision an `initialize` answer settled.
    session: Option<String>,
    pending: Vec<Pending>,
    /// The revision of the last request sent (for `notifications/message`).
    context: Option<String>,
}

impl Tracker {
    fn legacy_revision(&self) -> String {
        self.session.clone().or_else(|| self.header.clone()).unwrap_or_else(|| LATEST_LEGACY.into())
    }

    /// Note the requests in a line sent.
    fn sent(&mut self, line: &str) {
        let Ok(value) = serde_json::from_str::<Value>(line) else { return };
        let messages = match value {
            Value::Array(batch) => batch,
            other => vec![other],
        };
        for m in messages {
            let Some(obj) = m.as_object() else { continue };
            let method = obj.get("method").and_then(Value::as_str);
            let meta = obj.get("params").and_then(|p| p.get("_meta"));
            if obj.get("id").is_none() && method == Some("notifications/cancelled") {
                if let Some(id) = obj.get("params").and_then(|p| p.get("requestId")) {
                    self.pending.retain(|p| &p.id != id);
                }
                continue;
            }
            // Strings and integers (`-0` and integers past 64 bits arrive as floats).
            let is_id = |id: &&Value| id.is_string() || id.as_f64().is_some_and(|f| f.fract() == 0.0);
            let Some(id) = obj.get("id").filter(is_id) else { continue };
            if obj.contains_key("result") || obj.contains_key("error") {
                continue;
            }
            let modern = meta.and_then(|m| m.get("io.modelcontextprotocol/protocolVersion")).is_some();
            self.context = Some(if modern { MODERN.into() } else { self.legacy_revision() });
            self.pending.push(Pending {
                id: id.clone(),
                method: method.unwrap_or_default().to_owned(),
                modern,
                token: meta.and_then(|m| m.get("progressToken")).cloned(),
            });
        }
    }

    /// The revision to check a server line against, and the method it answers.
    fn received(&mut self, value: &Value) -> (String, Option<String>) {
        if let Some(method) = value.get("method").and_then(Value::as_str) {
            let rev = match method {
                "notifications/progress" => {
                    let token = &value["params"]["progressToken"];
                    match self.pending.iter().rfind(|p| p.token.as_ref() == Some(token)) {
                        Some(p) if p.modern => MODERN.into(),
                        _ => self.legacy_revision(),
                    }
                }
                "notifications/message" => self.context.clone().unwrap_or_else(|| self.legacy_revision()),
                _ => self.legacy_revision(),
            };
            return (rev, None);
        }
        let Some(id) = value.get("id") else {
            // The schemas before 2025-11-25 require an id on every error.
            let rev = match &self.session {
                Some(s) if s.as_str() >= LATEST_LEGACY => s.clone(),
                Some(_) => LATEST_LEGACY.into(),
                None => self.header.clone().filter(|h| h.as_str() >= LATEST_LEGACY).unwrap_or_else(|| MODERN.into()),
            };
            return (rev, None);
        };
        let mut matching = self.pending.iter().enumerate().filter(|(_, p)| &p.id == id).map(|(i, _)| i);
        let index = if value.get("error").is_some() { matching.next_back() } else { matching.next() };
        let Some(index) = index else {
            return (self.legacy_revision(), None);
        };
        let pending = self.pending.remove(index);
        if pending.method == "initialize" && !pending.modern {
            if let Some(v) = value.pointer("/result/protocolVersion").and_then(Value::as_str) {
                self.session = Some(v.to_owned());
            }
        }
        let rev = if pending.modern { MODERN.into() } else { self.legacy_revision() };
        (rev, Some(pending.method).filter(|m| !m.is_empty()))
    }

    /// Schema-check one server line.
    fn check(&mut self, name: &str, line_no: usize, line: &str) {
        let value: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{name}:{line_no}: the server wrote a line that is not JSON ({e}):\n{line}"));
        assert!(value.is_object(), "{name}:{line_no}: every line must be one JSON object:\n{line}");
        let (rev, answers) = self.received(&value);
        picomcp_schema_check::assert_valid(&rev, line.as_bytes(), answers.as_deref());
    }
}

// ---------------------------------------------------------------------------------------
// Comparing
// ---------------------------------------------------------------------------------------

/// A readable account of how `actual` differs from `expected`.
fn describe_difference(expected: &str, actual: &str) -> String {
    let mut report = format!("  expected: {expected}\n  actual:   {actual}\n");
    let at = expected.bytes().zip(actual.bytes()).position(|(e, a)| e != a).unwrap_or(expected.len().min(actual.len()));
    let context = |s: &str| {
        let mut start = at.saturating_sub(30).min(s.len());
        while !s.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (at + 30).min(s.len());
        while !s.is_char_boundary(end) {
            end += 1;
        }
        s[start..end].to_owned()
    };
    report += &format!(
        "  first difference at byte {at}:\n    expected …{}…\n    actual   …{}…\n",
        context(expected),
        context(actual)
    );
    if let (Ok(e), Ok(a)) = (serde_json::from_str::<Value>(expected), serde_json::from_str::<Value>(actual)) {
        let mut paths = Vec::new();
        json_diff(&e, &a, String::new(), &mut paths);
        if paths.is_empty() {
            report += "  the same JSON value: only the bytes differ (member order, number or string spelling)\n";
        } else {
            report += "  JSON differences:\n";
            for p in paths.iter().take(20) {
                report += &format!("    {p}\n");
            }
        }
    }
    report
}

fn json_diff(e: &Value, a: &Value, path: String, out: &mut Vec<String>) {
    match (e, a) {
        (Value::Object(eo), Value::Object(ao)) => {
            for (k, ev) in eo {
                match ao.get(k) {
                    Some(av) => json_diff(ev, av, format!("{path}/{k}"), out),
                    None => out.push(format!("{path}/{k}: missing (expected {ev})")),
                }
            }
            for (k, av) in ao {
                if !eo.contains_key(k) {
                    out.push(format!("{path}/{k}: unexpected ({av})"));
                }
            }
        }
        (Value::Array(ea), Value::Array(aa)) if ea.len() == aa.len() => {
            for (i, (ev, av)) in ea.iter().zip(aa).enumerate() {
                json_diff(ev, av, format!("{path}/{i}"), out);
            }
        }
        _ if e != a => out.push(format!("{}: expected {e}, got {a}", if path.is_empty() { "/" } else { &path })),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// Playing a transcript
// ---------------------------------------------------------------------------------------

fn play(name: &str) {
    let path = transcripts_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let source: Vec<&str> = text.lines().collect();
    let bless = blessing();
    let mut demo = Demo::start();
    let mut tracker = Tracker::default();
    let mut blessed: Vec<String> = Vec::new();
    let mut received_in_bless = 0;

    for (i, raw) in source.iter().enumerate() {
        let line_no = i + 1;
        if let Some(rest) = raw.strip_prefix('#') {
            if let Some(rev) = rest.trim().strip_prefix("revision:") {
                tracker.header = Some(rev.trim().to_owned());
            }
            blessed.push((*raw).to_owned());
            continue;
        }
        if raw.trim().is_empty() {
            blessed.push((*raw).to_owned());
            continue;
        }
        if let Some(request) = raw.strip_prefix("> ") {
            tracker.sent(request);
            demo.send(request);
            blessed.push((*raw).to_owned());
            // In bless mode, collect the output once the run of `>` lines ends.
            let run_ends = source.get(i + 1).is_none_or(|next| !next.starts_with("> "));
            if bless && run_ends {
                for actual in demo.drain() {
                    tracker.check(name, line_no, &actual);
                    blessed.push(format!("< {}", placeholders(&actual)));
                    received_in_bless += 1;
                }
            }
            continue;
        }
        let Some(expected) = raw.strip_prefix("< ") else {
            panic!("{name}:{line_no}: a line must start with `> `, `< ` or `#` (or be blank): {raw:?}");
        };
        if bless {
            continue; // replaced by what the server wrote
        }
        let expected = expand(expected);
        let Some(actual) = demo.next_line(LINE_TIMEOUT) else {
            panic!("{name}:{line_no}: the server wrote nothing within {LINE_TIMEOUT:?}; expected:\n  {expected}");
        };
        tracker.check(name, line_no, &actual);
        if actual != expected {
            panic!(
                "{name}:{line_no}: the server's line differs from the transcript\n{}\n(run with PICOMCP_BLESS=1 to rewrite the transcript, then review it)",
                describe_difference(&expected, &actual)
            );
        }
    }

    let (rest, status) = demo.finish();
    for actual in &rest {
        tracker.check(name, source.len(), actual);
    }
    if bless {
        blessed.extend(rest.iter().map(|l| format!("< {}", placeholders(l))));
        let mut out = blessed.join("\n");
        out.push('\n');
        if out != text {
            std::fs::write(&path, out).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
            eprintln!("blessed {name}: {received_in_bless} server lines; review the diff");
        }
    } else {
        assert!(rest.is_empty(), "{name}: the server wrote more than the transcript expects:\n{}", rest.join("\n"));
    }
    assert!(status.success(), "{name}: the server exited with {status} after stdin closed");
}

macro_rules! transcripts {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                play($file);
            }
        )*

        /// Every transcript file has a test above (none is silently skipped).
        #[test]
        fn every_transcript_is_played() {
            let listed = [$($file),*];
            let mut found: Vec<String> = std::fs::read_dir(transcripts_dir())
                .expect("tests/transcripts exists")
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.ends_with(".jsonl"))
                .collect();
            found.sort();
            let mut listed: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
            listed.sort();
            assert_eq!(found, listed, "add new transcripts to the list in examples/rust-demo/tests/transcripts.rs");
        }
    };
}

transcripts! {
    legacy_session => "legacy-2025-11-25.jsonl",
    legacy_negotiation => "legacy-negotiation.jsonl",
    legacy_batches => "legacy-2025-03-26-batches.jsonl",
    modern_session => "modern-2026-07-28.jsonl",
    modern_errors => "modern-errors.jsonl",
    dual_era => "dual-era.jsonl",
    bad_input => "bad-input.jsonl",
}

#[test]
fn differences_are_readable() {
    let report = describe_difference(r#"{"a":1,"b":[1,2]}"#, r#"{"a":1,"b":[1,3],"c":0}"#);
    assert!(report.contains("/b/1: expected 2, got 3"), "{report}");
    assert!(report.contains("/c: unexpected (0)"), "{report}");
    assert!(describe_difference(r#"{"a":1,"b":2}"#, r#"{"b":2,"a":1}"#).contains("only the bytes differ"));
    assert!(describe_difference("é", "e").contains("byte 0"));
}
