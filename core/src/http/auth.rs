//! HTTP authorization as an OAuth 2.1 resource server: the bearer-token hook's answer
//! ([`Access`]), the protected-resource metadata of RFC 9728 ([`ProtectedResource`]),
//! and the `WWW-Authenticate` challenges of `401` and `403` responses.
//!
//! The endpoint asks [`Handler::authorize`](crate::Handler::authorize) about every request
//! on its path. The host checks the token however it likes (a signature, an
//! introspection, a table) and answers with a [`Principal`], a refusal, or "not yet"
//! ([`Access::Pending`]: the driver holds the request and hands it in again later).

use crate::json;
use crate::server::Principal;
use crate::sink::Cursor;
use crate::{Error, Sink};

/// The host's decision about one HTTP request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access<'a> {
    /// Serve it, as coming from this principal.
    Granted(Principal),
    /// `401 Unauthorized`: no token, or one the host does not accept. The challenge names
    /// the metadata document, so an OAuth client can find the authorization server.
    Unauthorized,
    /// `403 Forbidden` with `error="insufficient_scope"`: the token is good but lacks these
    /// scopes (space-separated), which the client may ask for (step-up).
    InsufficientScope(&'a str),
    /// Not decided yet (the host checks the token asynchronously): nothing is written, and
    /// the driver hands the request in again later, as when every request slot is busy.
    Pending,
}

/// A list of strings: an array (or, with `std`, a `Vec`) of `&str`, `String` or anything
/// else that is `AsRef<str>`.
pub trait StrList {
    /// How many there are.
    fn len(&self) -> usize;
    /// String `index`.
    fn get(&self, index: usize) -> Option<&str>;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: AsRef<str>, const N: usize> StrList for [T; N] {
    fn len(&self) -> usize {
        N
    }
    fn get(&self, index: usize) -> Option<&str> {
        self.as_slice().get(index).map(AsRef::as_ref)
    }
}

#[cfg(feature = "std")]
impl<T: AsRef<str>> StrList for std::vec::Vec<T> {
    fn len(&self) -> usize {
        self.as_slice().len()
    }
    fn get(&self, index: usize) -> Option<&str> {
        self.as_slice().get(index).map(AsRef::as_ref)
    }
}

/// The OAuth protected-resource metadata (RFC 9728) the endpoint serves at
/// `/.well-known/oauth-protected-resource` followed by its path, and names in every
/// `401`/`403` challenge.
#[derive(Clone, Copy)]
pub struct ProtectedResource<'a> {
    /// The resource identifier: the endpoint's absolute URL (`https://example.com/mcp`).
    /// `None`: `http://` + the request's `Host` + the endpoint's path.
    pub resource: Option<&'a str>,
    /// The authorization servers that issue tokens for it (their issuer URLs).
    pub authorization_servers: &'a dyn StrList,
    /// The scopes a client may ask for (left out when empty).
    pub scopes_supported: &'a dyn StrList,
}

impl core::fmt::Debug for ProtectedResource<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ProtectedResource").field("resource", &self.resource).finish_non_exhaustive()
    }
}

/// The metadata document's path prefix (RFC 9728 §3.1).
pub const WELL_KNOWN: &str = "/.well-known/oauth-protected-resource";

/// Whether `path` asks for the metadata of the endpoint at `endpoint_path`: the
/// well-known prefix followed by that path, or the prefix alone.
pub(crate) fn is_metadata_path(path: &str, endpoint_path: &str) -> bool {
    path.strip_prefix(WELL_KNOWN).is_some_and(|rest| rest.is_empty() || rest == endpoint_path)
}

/// Write `resource`'s identifier: as configured, or `http://host/path`.
fn resource_url(out: &mut dyn Sink, meta: &ProtectedResource<'_>, host: &[u8], path: &str) -> Result<(), Error> {
    match meta.resource {
        Some(url) => out.write(url.as_bytes()),
        None => {
            out.write(b"http://")?;
            out.write(host)?;
            out.write(path.as_bytes())
        }
    }
}

/// Write the metadata document's URL: the resource's origin, the well-known prefix, then
/// the resource's path (`https://h/.well-known/oauth-protected-resource/mcp`).
fn metadata_url(out: &mut dyn Sink, meta: &ProtectedResource<'_>, host: &[u8], path: &str) -> Result<(), Error> {
    let mut buf = [0u8; 512];
    let mut cursor = Cursor::new(&mut buf);
    resource_url(&mut cursor, meta, host, path)?;
    let len = cursor.len;
    let url = buf.get(..len).unwrap_or_default();
    let after_scheme = url.windows(3).position(|w| w == b"://").map_or(0, |i| i + 3);
    let path_start = url.iter().skip(after_scheme).position(|&b| b == b'/').map_or(len, |i| i + after_scheme);
    let (origin, rest) = url.split_at(path_start);
    out.write(origin)?;
    out.write(WELL_KNOWN.as_bytes())?;
    // A path of `/` names the origin itself: nothing follows the prefix.
    if rest != b"/" {
        out.write(rest)?;
    }
    Ok(())
}

fn strings(out: &mut dyn Sink, list: &dyn StrList) -> Result<(), Error> {
    out.write(b"[")?;
    for i in 0..list.len() {
        if i > 0 {
            out.write(b",")?;
        }
        json::string(out, list.get(i).unwrap_or_default())?;
    }
    out.write(b"]")
}

/// The metadata document (JSON).
pub(crate) fn write_metadata(
    out: &mut dyn Sink,
    meta: &ProtectedResource<'_>,
    host: &[u8],
    path: &str,
) -> Result<(), Error> {
    let mut buf = [0u8; 512];
    let mut cursor = Cursor::new(&mut buf);
    resource_url(&mut cursor, meta, host, path)?;
    let len = cursor.len;
    out.write(b"{\"resource\":")?;
    json::string(out, core::str::from_utf8(buf.get(..len).unwrap_or_default()).unwrap_or_default())?;
    out.write(b",\"authorization_servers\":")?;
    strings(out, meta.authorization_servers)?;
    if !meta.scopes_supported.is_empty() {
        out.write(b",\"scopes_supported\":")?;
        strings(out, meta.scopes_supported)?;
    }
    out.write(b",\"bearer_methods_supported\":[\"header\"]}")
}

/// Copy `text` as the inside of a quoted auth-param (quotes and backslashes dropped).
fn quoted(out: &mut dyn Sink, text: &[u8]) -> Result<(), Error> {
    out.write(b"\"")?;
    for part in text.split(|&b| b == b'"' || b == b'\\' || b < b' ') {
        out.write(part)?;
    }
    out.write(b"\"")
}

/// What a refusal says: its status's challenge and body.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Refusal<'a> {
    /// No token was sent.
    NoToken,
    /// The token was refused.
    InvalidToken,
    /// The token lacks scopes.
    InsufficientScope(&'a str),
}

impl Refusal<'_> {
    /// The `WWW-Authenticate` value: `Bearer` with `error`, `scope` and
    /// `resource_metadata` as they apply.
    pub(crate) fn challenge(
        &self,
        out: &mut dyn Sink,
        meta: Option<&ProtectedResource<'_>>,
        host: &[u8],
        path: &str,
    ) -> Result<(), Error> {
        out.write(b"Bearer")?;
        let mut sep: &[u8] = b" ";
        match self {
            Self::NoToken => {}
            Self::InvalidToken => {
                out.write(b" error=\"invalid_token\"")?;
                sep = b", ";
            }
            Self::InsufficientScope(scope) => {
                out.write(b" error=\"insufficient_scope\", scope=")?;
                quoted(out, scope.as_bytes())?;
                sep = b", ";
            }
        }
        if let Some(meta) = meta {
            out.write(sep)?;
            out.write(b"resource_metadata=\"")?;
            metadata_url(out, meta, host, path)?;
            out.write(b"\"")?;
        }
        Ok(())
    }

    /// The JSON body: an OAuth-style `error` and a sentence.
    pub(crate) fn body(&self, out: &mut dyn Sink) -> Result<(), Error> {
        out.write(match self {
            Self::NoToken => b"{\"error\":\"invalid_request\",\"error_description\":\"Unauthorized: this server needs an Authorization: Bearer token\"}",
            Self::InvalidToken => b"{\"error\":\"invalid_token\",\"error_description\":\"Unauthorized: the bearer token was not accepted\"}",
            Self::InsufficientScope(_) => b"{\"error\":\"insufficient_scope\",\"error_description\":\"Forbidden: the bearer token lacks the scope this request needs\"}",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::String;
    use std::vec::Vec;

    fn text(f: impl FnOnce(&mut dyn Sink) -> Result<(), Error>) -> String {
        let mut buf = [0u8; 1024];
        let mut cursor = Cursor::new(&mut buf);
        f(&mut cursor).unwrap();
        let len = cursor.len;
        String::from_utf8(buf[..len].to_vec()).unwrap()
    }

    const SERVERS: [&str; 1] = ["https://auth.example"];
    const SCOPES: [&str; 2] = ["mcp:read", "mcp:admin"];

    fn meta(resource: Option<&'static str>) -> ProtectedResource<'static> {
        ProtectedResource { resource, authorization_servers: &SERVERS, scopes_supported: &SCOPES }
    }

    #[test]
    fn metadata_urls_insert_the_well_known_prefix_before_the_path() {
        let url = |resource| text(|o| metadata_url(o, &meta(resource), b"localhost:8000", "/mcp"));
        assert_eq!(
            url(Some("https://example.com/mcp")),
            "https://example.com/.well-known/oauth-protected-resource/mcp"
        );
        assert_eq!(url(Some("https://example.com/")), "https://example.com/.well-known/oauth-protected-resource");
        assert_eq!(url(Some("https://example.com")), "https://example.com/.well-known/oauth-protected-resource");
        assert_eq!(url(None), "http://localhost:8000/.well-known/oauth-protected-resource/mcp");
    }

    #[test]
    fn the_document_names_the_resource_servers_and_scopes() {
        let doc = text(|o| write_metadata(o, &meta(None), b"127.0.0.1:9", "/mcp"));
        assert_eq!(
            doc,
            r#"{"resource":"http://127.0.0.1:9/mcp","authorization_servers":["https://auth.example"],"scopes_supported":["mcp:read","mcp:admin"],"bearer_methods_supported":["header"]}"#
        );
        let owned: Vec<String> = Vec::new();
        let bare = ProtectedResource {
            resource: Some("https://x/mcp"),
            authorization_servers: &SERVERS,
            scopes_supported: &owned,
        };
        assert!(!text(|o| write_metadata(o, &bare, b"", "/mcp")).contains("scopes_supported"));
    }

    #[test]
    fn challenges() {
        let m = meta(Some("https://example.com/mcp"));
        let c = |r: Refusal<'_>, m| text(|o| r.challenge(o, m, b"", "/mcp"));
        assert_eq!(c(Refusal::NoToken, None), "Bearer");
        assert_eq!(
            c(Refusal::NoToken, Some(&m)),
            r#"Bearer resource_metadata="https://example.com/.well-known/oauth-protected-resource/mcp""#
        );
        assert_eq!(
            c(Refusal::InvalidToken, Some(&m)),
            r#"Bearer error="invalid_token", resource_metadata="https://example.com/.well-known/oauth-protected-resource/mcp""#
        );
        assert_eq!(
            c(Refusal::InsufficientScope("mcp:admin \"x\\"), None),
            r#"Bearer error="insufficient_scope", scope="mcp:admin x""#
        );
    }

    #[test]
    fn metadata_paths() {
        assert!(is_metadata_path("/.well-known/oauth-protected-resource/mcp", "/mcp"));
        assert!(is_metadata_path("/.well-known/oauth-protected-resource", "/mcp"));
        assert!(!is_metadata_path("/.well-known/oauth-protected-resource/other", "/mcp"));
        assert!(!is_metadata_path("/mcp", "/mcp"));
    }
}
