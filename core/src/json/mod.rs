//! JSON: a validating zero-copy reader and a streaming writer, both written by hand.
//!
//! The reader checks a frame once ([`parse`]) and then navigates the original bytes;
//! the writer streams into a [`Sink`](crate::Sink). Neither allocates.

mod float;
mod number;
mod pick;
mod read;
mod scan;
mod write;

pub(crate) use number::{compare, parse_u32};
pub(crate) use pick::{pick, position};
pub use read::{
    Array, Chars, Elements, Kind, MAX_DEPTH_LIMIT, Members, OUTLINE_MEMBERS, Object, Outline, ParseError,
    ParseErrorKind, Str, Value, parse, parse_outline,
};
pub use write::{ArrayWriter, ObjectWriter, RAW_MAX_DEPTH, Text, ValueWriter, Written, u32_digits};
pub(crate) use write::{Escaping, base64, f64, fill, i64, raw, str_raw, string, string_contents, u64, value_raw};
