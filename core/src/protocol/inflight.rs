//! The bounded table of requests in flight: one [`Slot`] per request the host still has
//! to answer, addressed by a generational [`Ticket`].

use crate::jsonrpc::Id;
use crate::protocol::{ClientCapabilities, LogLevel, Revision, TaskTable};

/// Bytes a slot keeps for the request id and progress token texts together.
///
/// A request whose id and progress token (as JSON text) are longer together is refused
/// with a JSON-RPC error. Integers and UUID strings fit easily.
pub const SLOT_TEXT: usize = 96;

/// What kind of request a slot holds, so a reply of the wrong kind is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum CallKind {
    /// `tools/call`
    Tool,
    /// `resources/read`
    Resource,
    /// `prompts/get`
    Prompt,
    /// `completion/complete`
    Completion,
    /// `subscriptions/listen` (2026-07-28): a stream of change notifications that stays
    /// open until the client leaves or the server ends it.
    Listen,
}

/// A handle on a request in flight, valid until it is answered or cancelled.
///
/// Tickets are small `Copy` values; a stale ticket (answered, cancelled, or from a slot
/// since reused) is recognised by its generation and refused, never misrouted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ticket {
    index: u32,
    generation: u32,
}

impl Ticket {
    /// The ticket as one integer (for foreign languages).
    pub const fn to_bits(self) -> u64 {
        (self.generation as u64) << 32 | self.index as u64
    }

    /// A ticket from [`Ticket::to_bits`].
    pub const fn from_bits(bits: u64) -> Self {
        Self { index: bits as u32, generation: (bits >> 32) as u32 }
    }
}

/// One request in flight. Storage for it comes from the host (see [`Storage`]).
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    generation: u32,
    live: bool,
    kind: CallKind,
    /// Which conversation the request came from (0 on stdio; one per HTTP session or
    /// stream): ids only need to be unique within it.
    scope: u32,
    /// Admission order, to find the oldest listen stream.
    seq: u32,
    /// The id of the request this call sent to the client and awaits (0: none).
    asked: u32,
    /// The notification types a listen stream asked for ([`Filter`] bits).
    filter: u8,
    revision: Revision,
    log_level: u8,
    caps: u8,
    id_len: u8,
    token_len: u8,
    last_progress: f64,
    text: [u8; SLOT_TEXT],
    /// Who sent the request (feature `access`): a task it becomes is theirs.
    #[cfg(feature = "access")]
    principal: u32,
}

const NO_LEVEL: u8 = u8::MAX;

impl Slot {
    /// An empty slot.
    pub const EMPTY: Self = Self {
        generation: 0,
        live: false,
        kind: CallKind::Tool,
        scope: 0,
        seq: 0,
        asked: 0,
        filter: 0,
        revision: Revision::V2026_07_28,
        log_level: NO_LEVEL,
        caps: 0,
        id_len: 0,
        token_len: 0,
        last_progress: f64::NEG_INFINITY,
        text: [0; SLOT_TEXT],
        #[cfg(feature = "access")]
        principal: 0,
    };

    #[inline(never)] // called everywhere: one copy is smaller on Cortex-M0
    pub(crate) fn id(&self) -> Id<'_> {
        Id::from_raw(self.text.get(..usize::from(self.id_len)).unwrap_or_default())
    }

    pub(crate) fn progress_token(&self) -> Option<&[u8]> {
        let start = usize::from(self.id_len);
        let token = self.text.get(start..start + usize::from(self.token_len))?;
        (!token.is_empty()).then_some(token)
    }

    pub(crate) const fn kind(&self) -> CallKind {
        self.kind
    }

    pub(crate) const fn revision(&self) -> Revision {
        self.revision
    }

    #[cfg(feature = "http")]
    pub(crate) const fn scope(&self) -> u32 {
        self.scope
    }

    pub(crate) const fn caps(&self) -> ClientCapabilities {
        ClientCapabilities::from_bits(self.caps)
    }

    /// Who sent the request (always anonymous without the `access` feature).
    pub(crate) const fn principal(&self) -> crate::Principal {
        #[cfg(feature = "access")]
        return crate::Principal(self.principal);
        #[cfg(not(feature = "access"))]
        crate::Principal::ANONYMOUS
    }

    pub(crate) const fn filter(&self) -> Filter {
        Filter(self.filter)
    }

    pub(crate) fn set_asked(&mut self, id: Option<u32>) {
        self.asked = id.unwrap_or(0);
    }

    pub(crate) fn log_level(&self) -> Option<LogLevel> {
        LogLevel::from_u8(self.log_level)
    }

    /// Record a progress value; false if it does not increase (the protocol requires it to).
    pub(crate) fn advance_progress(&mut self, progress: f64) -> bool {
        if crate::json::compare(progress, self.last_progress) == Some(core::cmp::Ordering::Greater) {
            self.last_progress = progress;
            true
        } else {
            false
        }
    }
}

impl Default for Slot {
    fn default() -> Self {
        Self::EMPTY
    }
}

/// Where a server keeps its requests in flight and its resource subscriptions.
///
/// [`Buffers`] is the ready-made fixed-size storage; a host that sizes things at run time
/// (a binding, a C caller's memory) implements this over its own slices.
pub trait Storage {
    /// The request slots, read-only.
    fn slots(&self) -> &[Slot];
    /// The request slots and the subscription byte arena, both writable.
    fn parts(&mut self) -> (&mut [Slot], &mut [u8]);
    /// [`Storage::parts`] and, for a server that runs tasks (the tasks extension,
    /// 2026-07-28), its task table. The default has none: the server does not offer the
    /// extension. [`WithTasks`](crate::WithTasks) adds a table to any storage.
    #[inline]
    fn parts_and_tasks(&mut self) -> (&mut [Slot], &mut [u8], Option<TaskTable<'_>>) {
        let (slots, subscriptions) = self.parts();
        (slots, subscriptions, None)
    }
}

/// Fixed storage: `REQUESTS` requests in flight, `SUBSCRIPTION_BYTES` bytes of subscribed
/// URIs (each costs its length plus 2).
#[derive(Clone, Debug)]
pub struct Buffers<const REQUESTS: usize, const SUBSCRIPTION_BYTES: usize> {
    slots: [Slot; REQUESTS],
    subscriptions: [u8; SUBSCRIPTION_BYTES],
}

impl<const R: usize, const S: usize> Buffers<R, S> {
    /// Empty storage (a `const fn`, so it can live in a `static`).
    pub const fn new() -> Self {
        Self { slots: [Slot::EMPTY; R], subscriptions: [0; S] }
    }
}

impl<const R: usize, const S: usize> Default for Buffers<R, S> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const R: usize, const S: usize> Storage for Buffers<R, S> {
    fn slots(&self) -> &[Slot] {
        &self.slots
    }

    fn parts(&mut self) -> (&mut [Slot], &mut [u8]) {
        (&mut self.slots, &mut self.subscriptions)
    }
}

/// Why a request could not get a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Admission {
    /// Every slot is busy.
    Full,
    /// A request with the same id is already in flight.
    Duplicate,
    /// The id and progress token texts do not fit [`SLOT_TEXT`].
    TooLong,
}

/// The notification types a `subscriptions/listen` stream opted in to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Filter(pub(crate) u8);

impl Filter {
    /// `notifications/tools/list_changed`
    pub(crate) const TOOLS: u8 = 1;
    /// `notifications/prompts/list_changed`
    pub(crate) const PROMPTS: u8 = 2;
    /// `notifications/resources/list_changed`
    pub(crate) const RESOURCES: u8 = 4;

    pub(crate) const fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// What a new slot records about its request.
pub(crate) struct Entry<'a> {
    pub(crate) scope: u32,
    pub(crate) seq: u32,
    pub(crate) filter: Filter,
    pub(crate) id: Id<'a>,
    pub(crate) token: Option<&'a [u8]>,
    pub(crate) kind: CallKind,
    pub(crate) revision: Revision,
    pub(crate) log_level: Option<LogLevel>,
    pub(crate) caps: ClientCapabilities,
    #[cfg(feature = "access")]
    pub(crate) principal: crate::Principal,
}

/// Take a free slot for `entry`.
pub(crate) fn admit(slots: &mut [Slot], entry: &Entry<'_>) -> Result<Ticket, Admission> {
    let id = entry.id.raw();
    let token = entry.token.unwrap_or_default();
    if id.len() + token.len() > SLOT_TEXT {
        return Err(Admission::TooLong);
    }
    // One scan finds both a duplicate id and the first free slot.
    let mut free = None;
    for (i, s) in slots.iter().enumerate() {
        if s.live {
            if s.scope == entry.scope && s.id().raw() == id {
                return Err(Admission::Duplicate);
            }
        } else if free.is_none() {
            free = Some(i);
        }
    }
    let index = free.ok_or(Admission::Full)?;
    let slot = slots.get_mut(index).ok_or(Admission::Full)?;
    slot.live = true;
    slot.kind = entry.kind;
    slot.scope = entry.scope;
    slot.seq = entry.seq;
    slot.asked = 0;
    slot.filter = entry.filter.0;
    slot.revision = entry.revision;
    slot.log_level = entry.log_level.map_or(NO_LEVEL, LogLevel::to_u8);
    slot.caps = entry.caps.bits();
    #[cfg(feature = "access")]
    {
        slot.principal = entry.principal.0;
    }
    slot.id_len = id.len() as u8;
    slot.token_len = token.len() as u8;
    slot.last_progress = f64::NEG_INFINITY;
    if let Some(dst) = slot.text.get_mut(..id.len()) {
        dst.copy_from_slice(id);
    }
    if let Some(dst) = slot.text.get_mut(id.len()..id.len() + token.len()) {
        dst.copy_from_slice(token);
    }
    Ok(Ticket { index: index as u32, generation: slot.generation })
}

/// The live slot holding the request of `scope` with this exact id text.
pub(crate) fn find(slots: &[Slot], scope: u32, id: &[u8]) -> Option<Ticket> {
    live_tickets(slots).find(|(_, s)| s.scope == scope && s.id().raw() == id).map(|(t, _)| t)
}

/// The live call of `scope` awaiting the client's answer to request `asked`.
pub(crate) fn find_asked(slots: &[Slot], scope: u32, asked: u32) -> Option<Ticket> {
    live_tickets(slots).find(|(_, s)| s.scope == scope && s.asked == asked && asked != 0).map(|(t, _)| t)
}

/// Every live slot with its ticket.
pub(crate) fn live_tickets(slots: &[Slot]) -> impl Iterator<Item = (Ticket, &Slot)> {
    slots
        .iter()
        .enumerate()
        .filter(|(_, s)| s.live)
        .map(|(i, s)| (Ticket { index: i as u32, generation: s.generation }, s))
}

/// The listen stream admitted first, and how many there are.
pub(crate) fn oldest_listen(slots: &[Slot], now: u32) -> (Option<Ticket>, usize) {
    let listens = || live_tickets(slots).filter(|(_, s)| s.kind == CallKind::Listen);
    let oldest = listens().max_by_key(|(_, s)| now.wrapping_sub(s.seq)).map(|(t, _)| t);
    (oldest, listens().count())
}

/// The live slot a ticket names.
pub(crate) fn get(slots: &mut [Slot], ticket: Ticket) -> Option<&mut Slot> {
    slots.get_mut(ticket.index as usize).filter(|s| s.live && s.generation == ticket.generation)
}

/// Free the slot a ticket names (a no-op for stale tickets).
pub(crate) fn release(slots: &mut [Slot], ticket: Ticket) {
    if let Some(slot) = get(slots, ticket) {
        slot.live = false;
        slot.generation = slot.generation.wrapping_add(1);
    }
}

/// Free every slot (their tickets become stale).
pub(crate) fn release_all(slots: &mut [Slot]) {
    for slot in slots.iter_mut().filter(|s| s.live) {
        slot.live = false;
        slot.generation = slot.generation.wrapping_add(1);
    }
}

/// How many requests are in flight.
pub(crate) fn count(slots: &[Slot]) -> usize {
    slots.iter().filter(|s| s.live).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &[u8]) -> Entry<'_> {
        Entry {
            scope: 0,
            seq: 0,
            filter: Filter::default(),
            id: Id::from_raw(id),
            token: Some(b"\"tok\""),
            kind: CallKind::Tool,
            revision: Revision::V2025_11_25,
            log_level: None,
            caps: ClientCapabilities::default(),
            #[cfg(feature = "access")]
            principal: crate::Principal::ANONYMOUS,
        }
    }

    #[test]
    fn capacity_duplicates_and_stale_tickets() {
        let mut slots = [Slot::EMPTY; 2];
        let a = admit(&mut slots, &entry(b"1")).unwrap();
        assert_eq!(admit(&mut slots, &entry(b"1")), Err(Admission::Duplicate));
        let b = admit(&mut slots, &entry(b"\"two\"")).unwrap();
        assert_eq!(admit(&mut slots, &entry(b"3")), Err(Admission::Full));
        assert_eq!(get(&mut slots, b).unwrap().progress_token(), Some(&b"\"tok\""[..]));
        release(&mut slots, a);
        assert!(get(&mut slots, a).is_none());
        let c = admit(&mut slots, &entry(b"3")).unwrap();
        assert_ne!(a, c, "a reused slot gets a new generation");
        assert_eq!(Ticket::from_bits(c.to_bits()), c);
        assert_eq!(count(&slots), 2);
        let long = [b'7'; SLOT_TEXT];
        assert_eq!(admit(&mut [Slot::EMPTY], &entry(&long)), Err(Admission::TooLong));
    }
}
