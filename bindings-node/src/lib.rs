//! The native module of the `picomcp` Node.js package: a thin napi-rs skin over
//! `picomcp-engine` (the picomcp core with owned descriptors, calls as events, answers by
//! ticket), used by the JavaScript wrapper (`index.js`) on the main thread only.
//!
//! Everything protocol-shaped happens in the core; here are only the conversions: plain
//! option objects in ([`types`]), events out as one JSON text per batch ([`events`]),
//! results in as JSON text, and the [`server::NativeServer`] class.

mod events;
mod server;
mod types;
