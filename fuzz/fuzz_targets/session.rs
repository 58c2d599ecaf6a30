//! Whole-server sessions: structure-aware sequences of client operations in both eras
//! (see `picomcp_fuzz::session`). No panic, every output line is JSON, no id answered more
//! often than it was sent.

#![no_main]

use libfuzzer_sys::fuzz_target;
use picomcp_fuzz::session::{Session, run};

fuzz_target!(|session: Session| run(&session));
