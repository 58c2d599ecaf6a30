//! The JSON reader: any bytes. What it accepts must be what serde_json accepts (within
//! serde_json's depth limit and number range), read to the same value, and survive a trip
//! through the core's writer.

#![no_main]

use libfuzzer_sys::fuzz_target;
use picomcp::json::{self, MAX_DEPTH_LIMIT, ParseErrorKind, RAW_MAX_DEPTH, ValueWriter};
use picomcp_fuzz::{SERDE_DEPTH, check_value, depth, same_as_serde, same_value, serde_out_of_range, write_back};

fuzz_target!(|data: &[u8]| {
    let parsed = json::parse(data, MAX_DEPTH_LIMIT);
    if let Err(e) = parsed {
        assert!(e.offset <= data.len(), "error offset {} past the input", e.offset);
    }
    // A shallower limit refuses only for depth, and never accepts more.
    match (json::parse(data, 8), parsed) {
        (Ok(a), Ok(b)) => assert_eq!(a, b),
        (Err(e), Ok(_)) => assert_eq!(e.kind, ParseErrorKind::TooDeep),
        (Ok(_), Err(e)) => panic!("accepted at depth 8, refused at the limit: {e}"),
        (Err(_), Err(_)) => {}
    }
    // The outline reading agrees with the plain one.
    let outlined = json::parse_outline(data, MAX_DEPTH_LIMIT, b"params");
    assert_eq!(outlined.map(|(v, _)| v), parsed);
    if let Ok((v, outline)) = outlined {
        if let Some(members) = outline.top_members() {
            assert!(members.eq(v.as_object().expect("an object").iter()));
        }
        if let Some(members) = outline.nested_members() {
            let params = v.as_object().and_then(|o| o.get("params")).and_then(|p| p.as_object());
            // The outline records the first member whose key is literally `params`.
            let first = v.as_object().and_then(|o| o.iter().find(|(k, _)| k.raw() == b"params")).map(|(_, p)| p);
            if let Some(p) = first.and_then(|p| p.as_object()) {
                assert!(members.eq(p.iter()));
            } else {
                panic!("nested members without a params object: {params:?}");
            }
        }
    }

    // Differential: serde_json.
    let serde = serde_json::from_slice::<serde_json::Value>(data);
    match (&parsed, &serde) {
        (Ok(v), Ok(s)) => {
            if let Err(why) = same_as_serde(*v, s) {
                panic!("core and serde_json read different values: {why}");
            }
        }
        (Ok(v), Err(e)) => assert!(
            depth(*v) > SERDE_DEPTH || serde_out_of_range(e),
            "the core accepts what serde_json refuses ({e}): {:?}",
            String::from_utf8_lossy(data)
        ),
        (Err(e), Ok(_)) => {
            panic!("serde_json accepts what the core refuses ({e}): {:?}", String::from_utf8_lossy(data))
        }
        (Err(_), Err(_)) => {}
    }

    let Ok(v) = parsed else { return };
    check_value(v);

    // Round trip through the writer.
    let mut out: Vec<u8> = Vec::new();
    let _ = write_back(ValueWriter::new(&mut out), v).expect("writing into a Vec");
    let again = json::parse(&out, MAX_DEPTH_LIMIT).unwrap_or_else(|e| {
        panic!("the writer wrote what the reader refuses ({e}): {}", String::from_utf8_lossy(&out))
    });
    assert!(same_value(v, again), "round trip changed {} into {}", v.raw_str(), again.raw_str());
    // The writer escapes line breaks: a written value is one line.
    assert!(!out.contains(&b'\n'), "a line break in written JSON: {}", String::from_utf8_lossy(&out));
    // Written again, the text is the same (once a non-integer double that is integral,
    // such as 123456214567890123456785e-7, has become an integer).
    let rewrite = |v: json::Value<'_>| {
        let mut out: Vec<u8> = Vec::new();
        let _ = write_back(ValueWriter::new(&mut out), v).expect("writing into a Vec");
        out
    };
    let twice = rewrite(again);
    let thrice = rewrite(json::parse(&twice, MAX_DEPTH_LIMIT).expect("written JSON reads back"));
    assert_eq!(twice, thrice);

    // Raw JSON is written as it is (line breaks as spaces), up to its depth limit.
    let mut raw: Vec<u8> = Vec::new();
    let written = ValueWriter::new(&mut raw).raw(v.raw_str());
    if depth(v) <= RAW_MAX_DEPTH {
        let _ = written.expect("raw JSON within the depth limit");
        let expected: Vec<u8> = v.raw().iter().map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b }).collect();
        assert_eq!(raw, expected);
    } else {
        assert!(written.is_err() && raw.is_empty());
    }
});
