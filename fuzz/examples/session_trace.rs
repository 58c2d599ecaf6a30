//! A hand-written session of the `session` target, to see what the fuzzer's operations
//! become on the wire:
//!
//!     PICOMCP_FUZZ_TRACE=1 cargo +nightly run --example session_trace
//!
//! (The same variable traces a fuzzer input: `cargo +nightly fuzz run session FILE`.)

use picomcp_fuzz::session::*;
const ALL: Caps = Caps { sampling: true, elicitation: true, roots: true, tasks: true };
/// Both eras: a deferred call answered twice, a legacy question, an input-required retry,
/// a task, a cancelled call answered late.
fn main() {
    let modern = || Era::Modern {
        version: VersionPick::Modern,
        caps: ALL,
        info: true,
        log: Some(0),
        progress: Some(IdPick::Int(9)),
    };
    let s = Session {
        tasks: true,
        page_size: 2,
        ops: vec![
            Op::Initialize { id: IdPick::Int(1), version: VersionPick::Legacy(3), caps: ALL },
            Op::Initialized,
            Op::Request {
                id: IdPick::Int(2),
                era: Era::Legacy { progress: None },
                call: Call::ToolsCall { tool: ToolPick::Known(3), args: Args::Absent, retry: None },
            },
            Op::Request {
                id: IdPick::Int(3),
                era: Era::Legacy { progress: None },
                call: Call::ToolsCall { tool: ToolPick::Known(4), args: Args::Absent, retry: None },
            },
            Op::Reply { index: 0, error: false },
            Op::Complete { index: 0, how: How::Text("done".into()) },
            Op::Complete { index: 0, how: How::Text("again".into()) },
            Op::Request {
                id: IdPick::Int(4),
                era: modern(),
                call: Call::ToolsCall { tool: ToolPick::Known(4), args: Args::Absent, retry: None },
            },
            Op::Request {
                id: IdPick::Int(5),
                era: modern(),
                call: Call::ToolsCall {
                    tool: ToolPick::Known(4),
                    args: Args::Absent,
                    retry: Some((Some(0), String::new(), true)),
                },
            },
            Op::Request {
                id: IdPick::Int(6),
                era: modern(),
                call: Call::ToolsCall { tool: ToolPick::Known(7), args: Args::Absent, retry: None },
            },
            Op::Request {
                id: IdPick::Int(7),
                era: modern(),
                call: Call::Task { op: 0, index: Some(0), answer: Any::Null },
            },
            Op::EndTask { index: 0, how: TaskHow::Result("ok".into()) },
            Op::Request {
                id: IdPick::Int(7),
                era: modern(),
                call: Call::Task { op: 0, index: Some(0), answer: Any::Null },
            },
            Op::Request {
                id: IdPick::Int(8),
                era: modern(),
                call: Call::ToolsCall { tool: ToolPick::Known(3), args: Args::Absent, retry: None },
            },
            Op::Cancel { id: IdPick::Int(8), reason: true },
            Op::Complete { index: 2, how: How::Text("late".into()) },
        ],
    };
    run(&s);
}
