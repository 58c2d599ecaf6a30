//! The JSON-RPC classifier: any bytes that parse. The outline path and the plain path
//! agree, ids are integers or strings kept as their exact text.

#![no_main]

use libfuzzer_sys::fuzz_target;
use picomcp::json;
use picomcp::jsonrpc::{self, Id, Message};

/// A message as comparable parts: its kind, then id, method and value as their text.
type Parts<'a> = (u8, Option<&'a [u8]>, Option<&'a [u8]>, Option<&'a [u8]>);

/// The message as comparable [`Parts`].
fn parts<'a>(m: &Result<Message<'a>, jsonrpc::Invalid<'a>>) -> Parts<'a> {
    match *m {
        Ok(Message::Request { id, method, params }) => (0, Some(id.raw()), Some(method.raw()), params.map(|p| p.raw())),
        Ok(Message::Notification { method, params }) => (1, None, Some(method.raw()), params.map(|p| p.raw())),
        Ok(Message::Response { id, result }) => (2, Some(id.raw()), None, Some(result.raw())),
        Ok(Message::ErrorResponse { id, error }) => (3, id.map(Id::raw), None, Some(error.raw())),
        Err(invalid) => (4, invalid.id.map(Id::raw), None, Some(invalid.message.as_bytes())),
    }
}

fn check_id(id: Id<'_>) {
    let v = json::parse(id.raw(), 1).expect("an id is JSON");
    let digits = id.raw().strip_prefix(b"-").unwrap_or(id.raw());
    assert!(v.as_str().is_some() || digits.iter().all(u8::is_ascii_digit), "id {:?}", v.raw_str());
}

fuzz_target!(|data: &[u8]| {
    let Ok((value, outline)) = json::parse_outline(data, 64, b"params") else { return };
    let messages: Vec<json::Value<'_>> = match value.as_array() {
        Some(items) => items.iter().collect(),
        None => vec![value],
    };
    for (i, v) in messages.into_iter().enumerate() {
        let plain = jsonrpc::classify(v);
        if i == 0 && value.as_array().is_none() {
            let outlined = jsonrpc::classify_outlined(v, &outline);
            assert_eq!(parts(&plain), parts(&outlined));
        }
        match plain {
            Ok(Message::Request { id, params, .. }) => {
                check_id(id);
                let _ = jsonrpc::params_object(params);
            }
            Ok(Message::Response { id, .. }) => check_id(id),
            Ok(Message::ErrorResponse { id, .. }) | Err(jsonrpc::Invalid { id, .. }) => {
                id.into_iter().for_each(check_id)
            }
            Ok(Message::Notification { params, .. }) => {
                let _ = jsonrpc::params_object(params);
            }
        }
        if let Err(invalid) = plain {
            assert_eq!(invalid.code, jsonrpc::code::INVALID_REQUEST);
        }
    }
});
