//! Write the committed seeds of the `http_session` target (`corpus/http_session/*.bin`).
//!
//!     cargo +nightly run --release --example http_session_seeds
//!
//! The target reads its input with `arbitrary`; [`Enc`] writes the bytes `arbitrary`
//! reads back as the choices below (enum variants, booleans, bytes; no strings, whose
//! lengths `arbitrary` takes from the end of the input). Each seed is decoded again and
//! played: it must show what it was written for (see `http_session::features`).

use arbitrary::{Arbitrary, Unstructured};
use picomcp_fuzz::http_session::{HttpSession, features};

/// The bytes of a sequence of `arbitrary` choices.
#[derive(Default)]
struct Enc(Vec<u8>);

impl Enc {
    /// Variant `i` of an enum of `n` (the derive maps a `u32` `x` to `x * n >> 32`).
    fn v(&mut self, i: u32, n: u32) -> &mut Self {
        let x = ((u64::from(i) << 32) + u64::from(n) - 1) / u64::from(n);
        self.0.extend_from_slice(&(x as u32).to_le_bytes());
        self
    }
    fn b(&mut self, x: bool) -> &mut Self {
        self.0.push(u8::from(x));
        self
    }
    fn u8(&mut self, x: u8) -> &mut Self {
        self.0.push(x);
        self
    }
    fn u16(&mut self, x: u16) -> &mut Self {
        self.0.extend_from_slice(&x.to_le_bytes());
        self
    }
    fn f64(&mut self, x: f64) -> &mut Self {
        self.0.extend_from_slice(&x.to_bits().to_le_bytes());
        self
    }
    /// One more element of a `Vec` (a `false` ends it).
    fn more(&mut self) -> &mut Self {
        self.b(true)
    }
    fn end(&mut self) -> &mut Self {
        self.b(false)
    }
}

// Variant numbers, in declaration order.
mod op {
    pub const N: u32 = 6;
    pub const OPEN: u32 = 0;
    pub const SEND: u32 = 1;
    pub const CLOSE: u32 = 2;
    pub const COMPLETE: u32 = 3;
    pub const POLL: u32 = 5;
}
#[derive(Clone, Copy)]
enum Token {
    None = 0,
    Alice = 1,
    Bob = 2,
    Carol = 3,
    Reader = 4,
    Expired = 5,
    Pending = 6,
    Basic = 8,
}
#[derive(Clone, Copy)]
enum Kind {
    Initialize = 0,
    Initialized = 1,
    Legacy = 2,
    Modern = 3,
    Cancel = 4,
    Reply = 5,
    Get = 6,
    Delete = 7,
    Metadata = 8,
    OtherMethod = 10,
    Garbled = 11,
}
/// `Call` variants.
const PING: u32 = 0;
const TOOLS_LIST: u32 = 2;
const TOOLS_CALL: u32 = 3;
const READ: u32 = 5;
const PROMPTS_LIST: u32 = 9;
/// Tools by index.
const ADD: u8 = 1;
const FAIL: u8 = 2;
const DEFER: u8 = 3;
const ASK: u8 = 4;
const LOG: u8 = 5;
const ECHO: u8 = 0;
const TASK: u8 = 7;
const MUST_TASK: u8 = 8;

impl Enc {
    fn session(&mut self, tasks: bool, small: bool, anonymous: bool, metadata: bool) -> &mut Self {
        self.b(tasks).b(small).u8(2).b(anonymous).b(metadata)
    }
    fn op(&mut self, i: u32) -> &mut Self {
        self.more().v(i, op::N)
    }
    /// `Send` on `conn` in pieces from `split`; the requests follow, then [`Enc::end`].
    fn send(&mut self, conn: u8) -> &mut Self {
        self.op(op::SEND).u8(conn)
    }
    fn sent(&mut self, split: u8) -> &mut Self {
        self.end().u8(split)
    }
    /// A request's token, HTTP/1.1, local host, and its kind.
    fn req(&mut self, token: Token, kind: Kind) -> &mut Self {
        self.more().v(token as u32, 9);
        if let Token::Pending = token {
            self.u8(1);
        }
        self.v(0, 4).v(0, 4).v(kind as u32, 13)
    }
    fn id(&mut self, n: u8) -> &mut Self {
        self.v(0, 4).u8(n)
    }
    fn caps(&mut self, all: bool) -> &mut Self {
        self.b(all).b(all).b(all).b(all)
    }
    fn seen_session(&mut self) -> &mut Self {
        self.v(0, 3).u8(0)
    }
    fn accept_both(&mut self) -> &mut Self {
        self.v(0, 5)
    }
    fn initialize(&mut self, token: Token, id: u8) -> &mut Self {
        self.req(token, Kind::Initialize).id(id).v(1, 3).u8(3).caps(true).accept_both()
    }
    /// A legacy request in the first session seen; the call follows, then [`Enc::legacy_end`].
    fn legacy(&mut self, token: Token, id: u8) -> &mut Self {
        self.req(token, Kind::Legacy).seen_session().id(id)
    }
    fn legacy_end(&mut self) -> &mut Self {
        // No progress token, the legacy version header, Accept both.
        self.b(false).b(true).v(1, 3).u8(3).accept_both()
    }
    /// A 2026-07-28 request; the call follows, then [`Enc::modern_end`].
    fn modern(&mut self, token: Token, id: u8, tasks: bool) -> &mut Self {
        // Version 2026-07-28, capabilities, clientInfo, no log level, no progress token.
        self.req(token, Kind::Modern).id(id).v(0, 3).b(true).b(true).b(true).b(tasks).b(true).b(false).b(false)
    }
    fn modern_end(&mut self, headers: u32) -> &mut Self {
        self.v(headers, 8).accept_both()
    }
    fn call(&mut self, call: u32) -> &mut Self {
        self.v(call, 16);
        if call == TOOLS_LIST {
            self.b(false);
        }
        self
    }
    /// `tools/call` of tool `tool` with `{"a": 1, "b": 2}`.
    fn tool(&mut self, tool: u8) -> &mut Self {
        self.v(TOOLS_CALL, 16).v(0, 2).u8(tool).v(2, 4).f64(1.0).f64(2.0).b(false)
    }
}

fn legacy_session() -> Vec<u8> {
    let mut e = Enc::default();
    e.session(false, false, true, false);
    e.op(op::OPEN).op(op::OPEN);
    e.send(0).initialize(Token::None, 1).sent(0);
    // Pipelined and split: initialized, tools/list, add, a prompt list, a read.
    e.send(0).req(Token::None, Kind::Initialized).seen_session();
    e.legacy(Token::None, 2).call(TOOLS_LIST).legacy_end();
    e.legacy(Token::None, 3).tool(ADD).legacy_end();
    e.legacy(Token::None, 4).call(PROMPTS_LIST).legacy_end();
    e.legacy(Token::None, 5).call(READ).v(0, 2).u8(0).legacy_end();
    e.sent(7);
    // A GET stream on conn 1, a question on conn 0, the answer on a third connection.
    e.send(1).req(Token::None, Kind::Get).seen_session().v(2, 5).sent(0);
    e.send(0).legacy(Token::None, 6).tool(ASK).legacy_end().sent(0);
    e.op(op::OPEN);
    e.send(2).req(Token::None, Kind::Reply).seen_session().u8(0).b(false).sent(0);
    e.send(2).req(Token::None, Kind::Cancel).seen_session().id(6).sent(0);
    e.send(2).req(Token::None, Kind::Delete).seen_session().sent(3);
    e.op(op::POLL);
    e.0
}

fn modern_calls() -> Vec<u8> {
    let mut e = Enc::default();
    e.session(true, false, false, true);
    e.op(op::OPEN);
    e.send(0).modern(Token::Carol, 1, false).call(TOOLS_LIST).modern_end(0);
    e.modern(Token::Carol, 2, false).tool(ADD).modern_end(0);
    e.modern(Token::Carol, 3, false).tool(LOG).modern_end(0);
    e.modern(Token::Carol, 4, true).tool(TASK).modern_end(0);
    e.modern(Token::Carol, 5, false).call(PING).modern_end(0);
    e.sent(0);
    // A deferred call, answered by ticket from the next poll.
    e.send(0).modern(Token::Carol, 6, false).tool(DEFER).modern_end(0).sent(11);
    e.op(op::COMPLETE).u8(0).v(1, 9);
    // Header mismatches: no version, no method, another name.
    e.send(0).modern(Token::Carol, 7, false).tool(ADD).modern_end(1);
    e.modern(Token::Carol, 8, false).tool(ADD).modern_end(3);
    e.modern(Token::Carol, 9, false).tool(ADD).modern_end(5);
    e.sent(0);
    e.op(op::CLOSE).u8(0);
    e.0
}

fn hidden_tools() -> Vec<u8> {
    let mut e = Enc::default();
    e.session(true, false, false, false);
    e.op(op::OPEN);
    e.send(0).modern(Token::Alice, 1, false).call(TOOLS_LIST).modern_end(0);
    e.modern(Token::Bob, 2, false).call(TOOLS_LIST).modern_end(0);
    e.modern(Token::Alice, 3, false).tool(ECHO).modern_end(0);
    e.modern(Token::Bob, 4, false).tool(ADD).modern_end(0);
    e.modern(Token::Bob, 5, false).tool(DEFER).modern_end(0);
    e.modern(Token::Alice, 6, false).tool(FAIL).modern_end(0);
    // A task tool hidden from alice, called with the tasks extension declared.
    e.modern(Token::Alice, 11, true).tool(MUST_TASK).modern_end(0);
    e.sent(0);
    // A session alice opened is not bob's.
    e.send(0).initialize(Token::Alice, 7).sent(0);
    e.send(0).legacy(Token::Bob, 8).call(TOOLS_LIST).legacy_end();
    e.legacy(Token::Alice, 9).call(TOOLS_LIST).legacy_end();
    e.legacy(Token::Alice, 10).tool(ECHO).legacy_end();
    e.sent(0);
    e.0
}

fn tokens() -> Vec<u8> {
    let mut e = Enc::default();
    e.session(false, false, false, true);
    e.op(op::OPEN);
    e.send(0).modern(Token::None, 1, false).call(PING).modern_end(0);
    e.modern(Token::Expired, 2, false).call(PING).modern_end(0);
    e.modern(Token::Reader, 3, false).call(PING).modern_end(0);
    e.modern(Token::Basic, 4, false).call(PING).modern_end(0);
    e.req(Token::None, Kind::Metadata).b(false).b(false);
    e.req(Token::None, Kind::Metadata).b(true).b(true);
    e.req(Token::Carol, Kind::OtherMethod).u8(1);
    e.sent(0);
    // Undecided for a poll or two, then granted: the request is held meanwhile.
    e.send(0).modern(Token::Pending, 5, false).tool(ADD).modern_end(0).sent(0);
    e.op(op::POLL).op(op::POLL);
    // A garbled head closes the connection.
    e.send(0).req(Token::Carol, Kind::Garbled).v(Kind::Delete as u32, 13).v(2, 3).u16(3).u8(b'\n').sent(0);
    e.0
}

fn busy() -> Vec<u8> {
    let mut e = Enc::default();
    // A small endpoint: two streams; four request slots.
    e.session(false, true, true, false);
    for conn in 0..3u8 {
        e.op(op::OPEN);
        e.send(conn).modern(Token::None, conn, false).tool(DEFER).modern_end(0).sent(0);
    }
    e.send(2).modern(Token::None, 3, false).tool(DEFER).modern_end(0).sent(0);
    // Every slot is taken: held until a deferred call is answered.
    e.send(2).modern(Token::None, 4, false).tool(ADD).modern_end(0).sent(0);
    e.op(op::POLL);
    e.op(op::COMPLETE).u8(0).v(1, 9);
    e.op(op::COMPLETE).u8(2).v(3, 9);
    e.op(op::CLOSE).u8(1);
    e.op(op::POLL);
    e.0
}

fn main() {
    let seeds: [(&str, Vec<u8>, &[&str]); 5] = [
        (
            "legacy-session",
            legacy_session(),
            &["session-opened", "legacy-result", "get-stream", "question", "reply-accepted"],
        ),
        ("modern-calls", modern_calls(), &["modern-result", "stream-answer", "400"]),
        ("hidden-tools", hidden_tools(), &["hidden-refused", "list-filtered", "404"]),
        ("tokens", tokens(), &["401", "403", "metadata", "held", "pending-granted"]),
        ("busy", busy(), &["held", "stream-answer"]),
    ];
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/corpus/http_session");
    std::fs::create_dir_all(dir).expect("the corpus directory");
    let mut missing = 0;
    for (name, bytes, wants) in &seeds {
        let session = HttpSession::arbitrary_take_rest(Unstructured::new(bytes)).expect("a session");
        if std::env::var_os("PICOMCP_FUZZ_SEEDS_DEBUG").is_some() {
            eprintln!("{name}: {session:#?}");
        }
        let found = features(&session);
        let lacking: Vec<&&str> = wants.iter().filter(|w| !found.contains(*w)).collect();
        println!("{name}: {} bytes, {} ops, shows {found:?}", bytes.len(), session.ops.len());
        if !lacking.is_empty() {
            println!("  MISSING {lacking:?}");
            missing += 1;
        }
        std::fs::write(format!("{dir}/{name}.bin"), bytes).expect("write a seed");
    }
    if missing > 0 {
        std::process::exit(1);
    }
}
