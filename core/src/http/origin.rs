//! DNS-rebinding protection: `Host` and `Origin` checked against the host names the
//! server answers to.
//!
//! A web page on `evil.example.com` whose DNS name is re-pointed at 127.0.0.1 makes the
//! browser send requests to a local server with `Host: evil.example.com` and an `Origin`
//! of that site; a server that only accepts its own names refuses them.

use super::head::RequestHead;
use super::response::Status;

/// The host names a server answers to, compared without port and case-insensitively,
/// as text (IPv6 addresses in brackets, as in URLs: `[::1]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllowList {
    hosts: &'static [&'static str],
    any: bool,
}

impl AllowList {
    /// The loopback names: `localhost`, `127.0.0.1`, `[::1]`.
    pub const LOOPBACK: Self = Self::new(&["localhost", "127.0.0.1", "[::1]"]);

    /// Every host and origin, `null` included: for a server whose reverse proxy checks
    /// them, or one that does not listen on a local address.
    pub const ANY: Self = Self { hosts: &[], any: true };

    /// Only `hosts` (`"localhost"`, `"device.local"`, `"[::1]"`), without ports.
    pub const fn new(hosts: &'static [&'static str]) -> Self {
        Self { hosts, any: false }
    }

    /// Whether a `Host` value (`host[:port]`) names an allowed host.
    pub fn allows_host(&self, host: &[u8]) -> bool {
        self.any || authority_host(host).is_some_and(|name| self.contains(name))
    }

    /// Whether an `Origin` value (`scheme://host[:port]`) names an allowed host; the
    /// opaque origin `null` is refused.
    pub fn allows_origin(&self, origin: &[u8]) -> bool {
        self.any || origin_host(origin).is_some_and(|name| self.contains(name))
    }

    /// Decide on a request's `Host` and `Origin`: with an `Origin`, both must be allowed
    /// (`Host` when present); without one, `Host` decides. HTTP/1.1 requires `Host`
    /// (`minor_version` 1), HTTP/1.0 may leave it out.
    pub fn check(&self, host: Option<&[u8]>, origin: Option<&[u8]>, minor_version: u8) -> Result<(), Denied> {
        if let Some(origin) = origin {
            if !self.allows_origin(origin) {
                return Err(Denied::Origin);
            }
        }
        match host {
            Some(host) if !self.allows_host(host) => Err(Denied::Host),
            None if minor_version >= 1 => Err(Denied::MissingHost),
            _ => Ok(()),
        }
    }

    /// [`AllowList::check`] on a parsed head.
    pub fn check_head(&self, head: &RequestHead<'_>) -> Result<(), Denied> {
        self.check(head.host, head.origin, head.minor_version)
    }

    fn contains(&self, name: &[u8]) -> bool {
        self.hosts.iter().any(|allowed| allowed.as_bytes().eq_ignore_ascii_case(name))
    }
}

/// Why [`AllowList::check`] refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// HTTP/1.1 without `Host` (400).
    MissingHost,
    /// A `Host` that is not allowed or not a valid `host[:port]` (403).
    Host,
    /// An `Origin` that is not allowed, invalid, or `null` (403).
    Origin,
}

impl Denied {
    /// The status to answer with.
    pub const fn status(self) -> Status {
        match self {
            Self::MissingHost => Status::BAD_REQUEST,
            Self::Host | Self::Origin => Status::FORBIDDEN,
        }
    }
}

/// The host of `host[:port]` (brackets kept for IPv6), if it is well formed.
fn authority_host(authority: &[u8]) -> Option<&[u8]> {
    let end = match authority {
        [b'[', ..] => authority.iter().position(|&b| b == b']')?.checked_add(1)?,
        _ => authority.iter().position(|&b| b == b':').unwrap_or(authority.len()),
    };
    let (host, port) = authority.split_at_checked(end)?;
    let port_ok = match port {
        [] => true,
        [b':', digits @ ..] => digits.len() <= 5 && digits.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    let host_ok = !host.is_empty() && host.iter().all(|&b| b.is_ascii_alphanumeric() || b"-._[]:%".contains(&b));
    (port_ok && host_ok).then_some(host)
}

/// The host of a `scheme://host[:port]` origin.
fn origin_host(origin: &[u8]) -> Option<&[u8]> {
    let split = origin.windows(3).position(|w| w == b"://")?;
    let (scheme, rest) = origin.split_at_checked(split)?;
    let scheme_ok = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme.iter().all(|&b| b.is_ascii_alphanumeric() || b"+-.".contains(&b));
    if !scheme_ok {
        return None;
    }
    authority_host(rest.get(3..)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOOPBACK: AllowList = AllowList::LOOPBACK;

    #[test]
    fn hosts() {
        for good in [
            "localhost",
            "localhost:3000",
            "LocalHost:1",
            "127.0.0.1:8080",
            "127.0.0.1",
            "[::1]:9",
            "[::1]",
            "localhost:",
        ] {
            assert!(LOOPBACK.allows_host(good.as_bytes()), "{good}");
        }
        for bad in [
            "evil.example.com",
            "evil.example.com:3000",
            "localhost.",
            "localhost:abc",
            "localhost:123456",
            "user@localhost",
            "[::1",
            "[::2]:9",
            "::1",
            "",
            ":3000",
            "localhost:3000/x",
        ] {
            assert!(!LOOPBACK.allows_host(bad.as_bytes()), "{bad}");
        }
        let own = AllowList::new(&["device.local"]);
        assert!(own.allows_host(b"Device.Local:80") && !own.allows_host(b"localhost"));
    }

    #[test]
    fn origins() {
        for good in ["http://localhost:3000", "https://127.0.0.1", "http://[::1]:9", "HTTP://LOCALHOST"] {
            assert!(LOOPBACK.allows_origin(good.as_bytes()), "{good}");
        }
        for bad in [
            "null",
            "http://evil.example.com",
            "http://evil.example.com:3000",
            "localhost:3000",
            "http://",
            "://localhost",
            "1http://localhost",
            "http://localhost/",
            "http://localhost:3000/path",
            "http://user@localhost",
        ] {
            assert!(!LOOPBACK.allows_origin(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn decisions() {
        let check = |host: Option<&str>, origin: Option<&str>, minor| {
            LOOPBACK.check(host.map(str::as_bytes), origin.map(str::as_bytes), minor)
        };
        assert_eq!(check(Some("localhost:3000"), Some("http://localhost:3000"), 1), Ok(()));
        assert_eq!(check(Some("localhost:3000"), None, 1), Ok(()));
        assert_eq!(check(Some("evil.example.com"), None, 1), Err(Denied::Host));
        assert_eq!(check(Some("localhost"), Some("http://evil.example.com"), 1), Err(Denied::Origin));
        assert_eq!(check(Some("evil.example.com"), Some("http://localhost"), 1), Err(Denied::Host));
        assert_eq!(check(Some("localhost"), Some("null"), 1), Err(Denied::Origin));
        assert_eq!(check(None, None, 1), Err(Denied::MissingHost));
        assert_eq!(check(None, Some("http://localhost"), 1), Err(Denied::MissingHost));
        assert_eq!(check(None, None, 0), Ok(()));
        assert_eq!(check(None, Some("http://evil.example.com"), 0), Err(Denied::Origin));
        assert_eq!(AllowList::ANY.check(Some(b"evil.example.com"), Some(b"null"), 1), Ok(()));
        assert_eq!(AllowList::ANY.check(None, None, 1), Err(Denied::MissingHost));
        assert_eq!(Denied::MissingHost.status().code, 400);
        assert_eq!(Denied::Origin.status().code, 403);
    }

    #[test]
    fn decides_on_a_parsed_head() {
        let buf = b"GET /mcp HTTP/1.1\r\nHost: evil.example.com\r\n\r\n";
        let mut headers = [httparse::EMPTY_HEADER; 4];
        let head = crate::http::parse_head(buf, &mut headers, &crate::http::Limits::DEFAULT).unwrap().unwrap();
        assert_eq!(LOOPBACK.check_head(&head), Err(Denied::Host));
    }
}
