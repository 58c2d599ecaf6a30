//! Whole sessions through the Streamable HTTP endpoint: several connections, pipelined
//! requests of both eras split anywhere, bearer tokens, per-principal visibility (see
//! `picomcp_fuzz::http_session`). No panic, every connection's bytes are HTTP/1.1
//! responses, no id answered more often than sent, no hidden tool shown.

#![no_main]

use libfuzzer_sys::fuzz_target;
use picomcp_fuzz::http_session::{HttpSession, run};

fuzz_target!(|session: HttpSession| run(&session));
