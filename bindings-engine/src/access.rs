//! Scoped access and HTTP authorization for bindings: who a caller is (a [`Grant`]: a
//! name and the scopes it holds), which descriptors it may see (those whose required
//! scopes it holds), and the host's decisions about bearer tokens, cached for a while.
//!
//! The host decides about a token when the engine asks (an [`Event::Authorize`]); until
//! then the request is held, so a host may check tokens asynchronously. Decisions are
//! kept for [`AuthConfig::cache_seconds`], so a client's next requests go straight through.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use picomcp::Principal;
use picomcp::http::{Access, ProtectedResource};

use crate::host::Event;

/// Who a caller is: a name, and the scopes it was granted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Grant {
    /// The caller's name (a user, a client id: whatever the host goes by).
    pub name: String,
    /// The scopes it holds.
    pub scopes: Vec<String>,
}

/// The host's decision about a bearer token (or its absence).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Serve the request as coming from this caller.
    Allow(Grant),
    /// `401`: no token, or one the host does not accept.
    Unauthorized,
    /// `403 insufficient_scope`: the token lacks these scopes (space-separated).
    InsufficientScope(String),
}

/// The callers seen so far, numbered for the core: `Principal(n)` for n ≥ 1 is the n-th
/// distinct grant; `Principal(0)` is anonymous (no name, no scopes).
#[derive(Debug, Default)]
pub struct Principals {
    grants: Vec<Grant>,
    ids: HashMap<Grant, u32>,
}

impl Principals {
    /// The principal of `grant` (the same one for an equal grant).
    pub fn intern(&mut self, grant: Grant) -> Principal {
        if let Some(&id) = self.ids.get(&grant) {
            return Principal(id);
        }
        self.grants.push(grant.clone());
        let id = u32::try_from(self.grants.len()).unwrap_or(u32::MAX);
        self.ids.insert(grant, id);
        Principal(id)
    }

    /// The grant of `principal` (`None` for anonymous).
    pub fn get(&self, principal: Principal) -> Option<&Grant> {
        self.grants.get(usize::try_from(principal.0).ok()?.checked_sub(1)?)
    }

    /// Whether `principal` holds every scope of `required` (always, when none are).
    pub fn holds(&self, principal: Principal, required: &[String]) -> bool {
        required.is_empty()
            || self.get(principal).is_some_and(|g| required.iter().all(|s| g.scopes.iter().any(|h| h == s)))
    }
}

/// HTTP authorization settings: the protected-resource metadata (RFC 9728) and how long a
/// decision is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthConfig {
    /// The endpoint's URL (the resource identifier); `None`: `http://` + Host + `/mcp`.
    pub resource: Option<String>,
    /// The authorization servers that issue tokens for it.
    pub authorization_servers: Vec<String>,
    /// The scopes clients may ask for.
    pub scopes_supported: Vec<String>,
    /// How long a decision about a token is kept (seconds; 0: ask about every request).
    pub cache_seconds: f64,
}

/// What was decided about one token, and until when it holds.
#[derive(Debug, Clone)]
enum Decided {
    Granted(Principal),
    Unauthorized,
    InsufficientScope(String),
}

/// At most this many decisions are kept (a client sending many tokens cannot grow memory).
const MAX_DECISIONS: usize = 4096;

/// The authorization state: settings, decisions, and the tokens the host was asked about.
#[derive(Debug, Default)]
pub struct Auth {
    config: Option<AuthConfig>,
    decided: HashMap<Option<String>, (Decided, Instant)>,
    asked: HashSet<Option<String>>,
}

impl Auth {
    /// Turn authorization on with `config`.
    pub fn configure(&mut self, config: AuthConfig) {
        self.config = Some(config);
        self.decided.clear();
    }

    /// Whether authorization is on.
    pub fn is_on(&self) -> bool {
        self.config.is_some()
    }

    /// The core's answer about a request carrying `token`: a decision still fresh, or
    /// `Pending` (asking the host, once, with an [`Event::Authorize`]).
    pub fn access(&mut self, token: Option<&str>, events: &mut Vec<Event>) -> Access<'_> {
        if self.config.is_none() {
            return Access::Granted(Principal::ANONYMOUS);
        }
        let key = token.map(str::to_owned);
        let fresh = self.decided.get(&key).is_some_and(|(_, until)| Instant::now() < *until);
        if !fresh {
            self.decided.remove(&key);
            if self.asked.insert(key.clone()) {
                events.push(Event::Authorize { token: key });
            }
            return Access::Pending;
        }
        match self.decided.get(&key) {
            Some((Decided::Granted(p), _)) => Access::Granted(*p),
            Some((Decided::InsufficientScope(scope), _)) => Access::InsufficientScope(scope),
            _ => Access::Unauthorized,
        }
    }

    /// Keep the host's decision about `token` (granted as `principal` when it allows).
    /// It answers the requests held for it, even with a cache time of 0.
    pub fn decide(&mut self, token: Option<String>, decision: &Decision, principal: Principal) {
        self.asked.remove(&token);
        let seconds = self.config.as_ref().map_or(0.0, |c| c.cache_seconds);
        // Held requests are handed in again right after this: a zero cache still lets
        // them through once.
        let keep =
            Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::ZERO).max(Duration::from_millis(50));
        let decided = match decision {
            Decision::Allow(_) => Decided::Granted(principal),
            Decision::Unauthorized => Decided::Unauthorized,
            Decision::InsufficientScope(scope) => Decided::InsufficientScope(scope.clone()),
        };
        if self.decided.len() >= MAX_DECISIONS {
            let now = Instant::now();
            self.decided.retain(|_, (_, until)| now < *until);
            if self.decided.len() >= MAX_DECISIONS {
                self.decided.clear();
            }
        }
        self.decided.insert(token, (decided, Instant::now() + keep));
    }

    /// Whether the host still owes a decision about `token`.
    pub fn is_asked(&self, token: &Option<String>) -> bool {
        self.asked.contains(token)
    }

    /// The metadata document's contents, when authorization is on.
    pub fn protected_resource(&self) -> Option<ProtectedResource<'_>> {
        let c = self.config.as_ref()?;
        Some(ProtectedResource {
            resource: c.resource.as_deref(),
            authorization_servers: &c.authorization_servers,
            scopes_supported: &c.scopes_supported,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(name: &str, scopes: &[&str]) -> Grant {
        Grant { name: name.into(), scopes: scopes.iter().map(|s| (*s).to_owned()).collect() }
    }

    #[test]
    fn principals_are_interned_and_hold_their_scopes() {
        let mut p = Principals::default();
        let alice = p.intern(grant("alice", &["read", "admin"]));
        assert_eq!(p.intern(grant("alice", &["read", "admin"])), alice);
        let bob = p.intern(grant("bob", &["read"]));
        assert_ne!(alice, bob);
        assert!(p.holds(alice, &["admin".into()]));
        assert!(!p.holds(bob, &["admin".into()]));
        assert!(p.holds(Principal::ANONYMOUS, &[]));
        assert!(!p.holds(Principal::ANONYMOUS, &["read".into()]));
        assert_eq!(p.get(bob).map(|g| g.name.as_str()), Some("bob"));
    }

    #[test]
    fn tokens_are_asked_about_once_then_decided() {
        let mut auth = Auth::default();
        let mut events = Vec::new();
        assert_eq!(auth.access(Some("t"), &mut events), Access::Granted(Principal::ANONYMOUS));
        auth.configure(AuthConfig {
            resource: None,
            authorization_servers: vec!["https://auth.example".into()],
            scopes_supported: vec![],
            cache_seconds: 60.0,
        });
        assert_eq!(auth.access(Some("t"), &mut events), Access::Pending);
        assert_eq!(auth.access(Some("t"), &mut events), Access::Pending);
        assert_eq!(events, vec![Event::Authorize { token: Some("t".into()) }]);
        auth.decide(Some("t".into()), &Decision::Allow(grant("a", &[])), Principal(1));
        assert_eq!(auth.access(Some("t"), &mut events), Access::Granted(Principal(1)));
        auth.decide(None, &Decision::Unauthorized, Principal::ANONYMOUS);
        assert_eq!(auth.access(None, &mut events), Access::Unauthorized);
        auth.decide(Some("u".into()), &Decision::InsufficientScope("admin".into()), Principal::ANONYMOUS);
        assert_eq!(auth.access(Some("u"), &mut events), Access::InsufficientScope("admin"));
        assert_eq!(events.len(), 1);
    }
}
