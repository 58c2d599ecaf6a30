//! Legacy `resources/subscribe` state: subscribed URIs in a caller-provided byte arena.
//!
//! Each entry is a 2-byte little-endian length and the decoded URI; a zero length (or the
//! end of the arena) ends the list.

use crate::json::Str;

/// A view of the subscription arena.
pub(crate) struct Subscriptions<'a> {
    arena: &'a mut [u8],
}

impl<'a> Subscriptions<'a> {
    pub(crate) fn new(arena: &'a mut [u8]) -> Self {
        Self { arena }
    }

    /// The end of the used part of the arena.
    fn end(&self) -> usize {
        let mut pos = 0;
        while let Some(len) = self.len_at(pos) {
            pos += 2 + len;
        }
        pos
    }

    fn len_at(&self, pos: usize) -> Option<usize> {
        let bytes = self.arena.get(pos..pos + 2)?;
        let len = usize::from(u16::from_le_bytes([*bytes.first()?, *bytes.get(1)?]));
        (len > 0 && pos + 2 + len <= self.arena.len()).then_some(len)
    }

    fn position(&self, matches: impl Fn(&[u8]) -> bool) -> Option<(usize, usize)> {
        let mut pos = 0;
        while let Some(len) = self.len_at(pos) {
            if matches(self.arena.get(pos + 2..pos + 2 + len)?) {
                return Some((pos, len));
            }
            pos += 2 + len;
        }
        None
    }

    /// Whether `uri` is subscribed.
    pub(crate) fn contains(&self, uri: &str) -> bool {
        self.position(|entry| entry == uri.as_bytes()).is_some()
    }

    /// Subscribe to `uri`; false when the arena has no room.
    pub(crate) fn insert(&mut self, uri: Str<'_>) -> bool {
        if self.position(|entry| str_eq_bytes(uri, entry)).is_some() {
            return true;
        }
        let end = self.end();
        let len = uri.unescaped_len();
        let Ok(len16) = u16::try_from(len) else { return false };
        if len == 0 {
            return true;
        }
        let Some(dst) = self.arena.get_mut(end + 2..end + 2 + len) else { return false };
        if uri.unescape_into(dst).is_none() {
            return false;
        }
        if let Some(head) = self.arena.get_mut(end..end + 2) {
            head.copy_from_slice(&len16.to_le_bytes());
        }
        // Terminate the list when there is room for a terminator.
        if let Some(next) = self.arena.get_mut(end + 2 + len..end + 4 + len) {
            next.copy_from_slice(&[0, 0]);
        }
        true
    }

    /// Unsubscribe from `uri` (a no-op when not subscribed).
    pub(crate) fn remove(&mut self, uri: Str<'_>) {
        let Some((pos, len)) = self.position(|entry| str_eq_bytes(uri, entry)) else { return };
        let end = self.end();
        self.arena.copy_within(pos + 2 + len..end, pos);
        let new_end = end - 2 - len;
        if let Some(next) = self.arena.get_mut(new_end..new_end + 2) {
            next.copy_from_slice(&[0, 0]);
        }
    }

    /// Drop every subscription.
    pub(crate) fn clear(&mut self) {
        if let Some(head) = self.arena.get_mut(..2) {
            head.copy_from_slice(&[0, 0]);
        }
    }
}

fn str_eq_bytes(s: Str<'_>, bytes: &[u8]) -> bool {
    core::str::from_utf8(bytes).is_ok_and(|b| s.eq_str(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::parse;

    fn s(text: &str) -> Str<'_> {
        parse(text.as_bytes(), 4).unwrap().as_str().unwrap()
    }

    #[test]
    fn insert_remove_and_capacity() {
        let mut arena = [0u8; 24];
        let mut subs = Subscriptions::new(&mut arena);
        assert!(subs.insert(s(r#""a://one""#)));
        assert!(subs.insert(s(r#""a:\/\/two""#)));
        assert!(subs.insert(s(r#""a://one""#)), "subscribing twice is fine");
        assert!(subs.contains("a://one") && subs.contains("a://two"));
        assert!(!subs.insert(s(r#""a://three-is-too-long""#)));
        subs.remove(s(r#""a://one""#));
        assert!(!subs.contains("a://one") && subs.contains("a://two"));
        subs.clear();
        assert!(!subs.contains("a://two"));
    }
}
