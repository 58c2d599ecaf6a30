//! The bounded task table of the tasks extension (`io.modelcontextprotocol/tasks`,
//! 2026-07-28): one [`TaskSlot`] per task, addressed by a generational [`TaskId`], and a
//! byte arena holding each task's final result, error or pending input requests as JSON
//! text. The host lends the memory ([`WithTasks`], or [`TaskTable::new`] over its own
//! slices) and a clock ([`TaskConfig`]); nothing here allocates.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::json::Str;
use crate::protocol::{Slot, Storage};
use crate::server::tasks::{ENGINE, Engine};
use crate::{Error, Sink};

/// Characters of a task id on the wire (hexadecimal, unguessable without the server's
/// [`Config::state_key`](crate::Config::state_key)).
pub const TASK_ID_LEN: usize = 32;

/// How many input requests one `input_required` round of a task may carry.
pub const MAX_TASK_INPUTS: usize = 64;

/// Where a task is in its life (`status` on the wire).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum TaskStatus {
    /// `working`: the host is on it.
    Working,
    /// `input_required`: waiting for the client to answer input requests (`tasks/update`).
    InputRequired,
    /// `completed`: finished with a result (which may be a tool error, `isError: true`).
    Completed,
    /// `failed`: ended by a JSON-RPC error.
    Failed,
    /// `cancelled`: the client cancelled it (`tasks/cancel`).
    Cancelled,
}

impl TaskStatus {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Working => "working",
            Self::InputRequired => "input_required",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the task is over (`completed`, `failed` or `cancelled`).
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

/// A handle on a task, valid until the task is forgotten (its time to live ran out).
///
/// Like a [`Ticket`](crate::Ticket): a small `Copy` value whose generation tells a reused
/// slot apart, so a stale handle is refused, never misrouted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TaskId {
    index: u32,
    generation: u32,
}

impl TaskId {
    /// The handle as one integer (for foreign languages).
    pub const fn to_bits(self) -> u64 {
        (self.generation as u64) << 32 | self.index as u64
    }

    /// A handle from [`TaskId::to_bits`].
    pub const fn from_bits(bits: u64) -> Self {
        Self { index: bits as u32, generation: (bits >> 32) as u32 }
    }
}

/// One task. Storage for it comes from the host (see [`TaskTable`]).
#[derive(Clone, Copy, Debug)]
pub struct TaskSlot {
    generation: u32,
    live: bool,
    pub(crate) status: TaskStatus,
    /// The client capabilities of the request that created the task ([`ClientCapabilities`]
    /// bits): what its input requests may ask for.
    ///
    /// [`ClientCapabilities`]: crate::ClientCapabilities
    pub(crate) caps: u8,
    /// How many input requests the stored map holds (`input_required` only).
    pub(crate) requests: u8,
    /// Bit `i`: input request `i` of the stored map was answered.
    pub(crate) answered: u64,
    /// Milliseconds since the Unix epoch.
    pub(crate) created: u64,
    pub(crate) updated: u64,
    /// The payload in the arena: the result, the error or the input requests, as JSON.
    start: u32,
    len: u32,
    id: [u8; TASK_ID_LEN],
    /// Who created it (feature `access`): only they find it by its id.
    #[cfg(feature = "access")]
    owner: u32,
}

impl TaskSlot {
    /// An empty slot.
    pub const EMPTY: Self = Self {
        generation: 0,
        live: false,
        status: TaskStatus::Working,
        caps: 0,
        requests: 0,
        answered: 0,
        created: 0,
        updated: 0,
        start: 0,
        len: 0,
        id: [b'0'; TASK_ID_LEN],
        #[cfg(feature = "access")]
        owner: 0,
    };

    /// The wire id (hexadecimal digits).
    pub(crate) fn id(&self) -> &str {
        core::str::from_utf8(&self.id).unwrap_or_default()
    }

    /// How many stored input requests are still unanswered.
    pub(crate) fn pending(&self) -> usize {
        usize::from(self.requests).saturating_sub(self.answered.count_ones() as usize)
    }
}

impl Default for TaskSlot {
    fn default() -> Self {
        Self::EMPTY
    }
}

/// The settings of a task table.
#[derive(Clone, Copy, Debug)]
pub struct TaskConfig {
    /// The time: milliseconds since the Unix epoch (`createdAt`, `lastUpdatedAt`, expiry).
    /// The core has no clock of its own.
    pub clock: fn() -> u64,
    /// How long a task is kept after its last change (`ttlMs` on the wire; at least 1).
    /// Default 300 000 (five minutes).
    pub ttl_ms: u32,
    /// How often clients are asked to poll `tasks/get` (`pollIntervalMs`; at least 1).
    /// Default 1000.
    pub poll_interval_ms: u32,
}

impl TaskConfig {
    /// The defaults, telling time with `clock`.
    pub const fn new(clock: fn() -> u64) -> Self {
        Self { clock, ttl_ms: 300_000, poll_interval_ms: 1000 }
    }
}

/// A task table lent to the server: task slots, the byte arena their payloads share (final
/// results, errors, pending input requests, as JSON text), and the settings.
///
/// A result too big for the arena fails its task (with an internal error) rather than
/// being cut. [`WithTasks`] is the ready-made owner; a host that sizes memory at run time
/// builds one over its own slices in [`Storage::parts_and_tasks`].
pub struct TaskTable<'a> {
    pub(crate) slots: &'a mut [TaskSlot],
    pub(crate) arena: &'a mut [u8],
    pub(crate) config: TaskConfig,
    /// The code that serves the tasks methods, reached only through a table, so a server
    /// without one carries none of it.
    pub(crate) engine: &'static dyn Engine,
}

impl<'a> TaskTable<'a> {
    /// A table over `slots` (at most that many tasks at once) and `arena` (their payloads).
    pub fn new(slots: &'a mut [TaskSlot], arena: &'a mut [u8], config: TaskConfig) -> Self {
        Self { slots, arena, config, engine: &ENGINE }
    }

    /// The time now, from the clock.
    pub(crate) fn now(&self) -> u64 {
        (self.config.clock)()
    }

    /// The `ttlMs` every task gets.
    pub(crate) fn ttl_ms(&self) -> u32 {
        self.config.ttl_ms.max(1)
    }

    /// The `pollIntervalMs` every task gets.
    pub(crate) fn poll_interval_ms(&self) -> u32 {
        self.config.poll_interval_ms.max(1)
    }

    /// Forget every task whose time to live ran out since its last change.
    pub(crate) fn expire(&mut self, now: u64) {
        let ttl = u64::from(self.ttl_ms());
        for slot in self.slots.iter_mut().filter(|s| s.live && now >= s.updated.saturating_add(ttl)) {
            free(slot);
        }
    }

    /// Take a free slot for a new `working` task created now by a request of `owner` with
    /// `caps`; its id is derived from `key`. `None` when every slot holds a live task.
    pub(crate) fn create(&mut self, now: u64, caps: u8, key: &[u8; 32], owner: crate::Principal) -> Option<TaskId> {
        let _ = owner;
        self.expire(now);
        let (index, slot) = self.slots.iter_mut().enumerate().find(|(_, s)| !s.live)?;
        let index = u32::try_from(index).ok()?;
        *slot = TaskSlot {
            generation: slot.generation,
            live: true,
            status: TaskStatus::Working,
            caps,
            requests: 0,
            answered: 0,
            created: now,
            updated: now,
            start: 0,
            len: 0,
            id: task_id(key, index, slot.generation),
            #[cfg(feature = "access")]
            owner: owner.0,
        };
        Some(TaskId { index, generation: slot.generation })
    }

    /// The live slot a handle names, with its index.
    pub(crate) fn get(&mut self, task: TaskId) -> Option<(usize, &mut TaskSlot)> {
        let index = task.index as usize;
        let slot = self.slots.get_mut(index).filter(|s| s.live && s.generation == task.generation)?;
        Some((index, slot))
    }

    /// The live task with wire id `id`, if `principal` created it (SEP-2663: a task id is
    /// no bearer token; another caller's task is unknown to them).
    pub(crate) fn find(&self, id: Str<'_>, principal: crate::Principal) -> Option<TaskId> {
        let _ = principal;
        #[cfg(feature = "access")]
        let mine = |s: &TaskSlot| s.owner == principal.0;
        #[cfg(not(feature = "access"))]
        let mine = |_: &TaskSlot| true;
        let (index, slot) = self.slots.iter().enumerate().find(|(_, s)| s.live && mine(s) && id.eq_str(s.id()))?;
        Some(TaskId { index: u32::try_from(index).ok()?, generation: slot.generation })
    }

    /// The payload of slot `index` (empty when it has none).
    pub(crate) fn payload(&self, index: usize) -> &[u8] {
        let Some(slot) = self.slots.get(index) else { return &[] };
        let start = slot.start as usize;
        self.arena.get(start..start + slot.len as usize).unwrap_or_default()
    }

    /// Drop the payload of slot `index`.
    pub(crate) fn clear(&mut self, index: usize) {
        if let Some(slot) = self.slots.get_mut(index) {
            slot.len = 0;
        }
    }

    /// Replace the payload of slot `index` with what `f` writes, after every other
    /// payload (moved together first). `Err(Overflow)` when it did not fit: then the slot
    /// keeps no payload; otherwise what `f` returned.
    pub(crate) fn store<T>(
        &mut self,
        index: usize,
        f: impl FnOnce(&mut dyn Sink) -> Result<T, Error>,
    ) -> Result<Result<T, Error>, Overflow> {
        self.clear(index);
        let used = self.compact();
        let mut sink = ArenaSink { buf: self.arena.get_mut(used..).unwrap_or_default(), len: 0, full: false };
        let outcome = f(&mut sink);
        let (len, full) = (sink.len, sink.full);
        if full {
            return Err(Overflow);
        }
        if let Some(slot) = self.slots.get_mut(index) {
            slot.start = used as u32;
            slot.len = len as u32;
        }
        Ok(outcome)
    }

    /// Move every payload to the front of the arena, in arena order; the bytes used.
    fn compact(&mut self) -> usize {
        let mut used = 0usize;
        loop {
            // The payload that starts first at or after `used` (each moves down once).
            let next = self
                .slots
                .iter_mut()
                .filter(|s| s.live && s.len > 0 && s.start as usize >= used)
                .min_by_key(|s| s.start);
            let Some(slot) = next else { return used };
            let (start, len) = (slot.start as usize, slot.len as usize);
            slot.start = used as u32;
            if start != used {
                self.arena.copy_within(start..start + len, used);
            }
            used += len;
        }
    }
}

/// A payload did not fit the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Overflow;

/// Free a slot (its handle becomes stale).
fn free(slot: &mut TaskSlot) {
    slot.live = false;
    slot.len = 0;
    slot.generation = slot.generation.wrapping_add(1);
}

/// A sink into the free end of the arena; running out is remembered.
struct ArenaSink<'b> {
    buf: &'b mut [u8],
    len: usize,
    full: bool,
}

impl Sink for ArenaSink<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let Some(dst) = self.buf.get_mut(self.len..self.len + bytes.len()) else {
            self.full = true;
            return Err(Error::Io);
        };
        dst.copy_from_slice(bytes);
        self.len += bytes.len();
        Ok(())
    }
}

/// The wire id of the task in slot `index`, generation `generation`: hexadecimal digits of
/// an HMAC-SHA256 under the server's key, so ids are unique and cannot be guessed.
fn task_id(key: &[u8; 32], index: u32, generation: u32) -> [u8; TASK_ID_LEN] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| Hmac::<Sha256>::new(&Default::default()));
    mac.update(b"io.modelcontextprotocol/tasks");
    mac.update(&index.to_le_bytes());
    mac.update(&generation.to_le_bytes());
    let digest = mac.finalize().into_bytes();
    let mut id = [b'0'; TASK_ID_LEN];
    for (pair, byte) in id.chunks_exact_mut(2).zip(digest.iter()) {
        if let [hi, lo] = pair {
            *hi = hex_digit(byte >> 4);
            *lo = hex_digit(byte & 15);
        }
    }
    id
}

/// The lower-case hexadecimal digit of a nibble.
const fn hex_digit(nibble: u8) -> u8 {
    if nibble < 10 { b'0' + nibble } else { b'a' + (nibble & 15) - 10 }
}

/// Length of an ISO 8601 timestamp as [`iso8601`] writes it.
pub const ISO8601_LEN: usize = 24;

/// `YYYY-MM-DDTHH:MM:SS.sssZ` (UTC) for `ms` milliseconds since the Unix epoch; times
/// after the year 9999 are written as its last millisecond.
pub fn iso8601(ms: u64) -> [u8; ISO8601_LEN] {
    const LAST: u64 = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
    let ms = ms.min(LAST);
    let days = ms / 86_400_000;
    let in_day = ms % 86_400_000;
    // Howard Hinnant's civil_from_days, for days since 1970-01-01 (never negative here).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    let mut text = *b"0000-00-00T00:00:00.000Z";
    let fields: [(usize, usize, u64); 7] = [
        (0, 4, year),
        (5, 2, month),
        (8, 2, day),
        (11, 2, in_day / 3_600_000),
        (14, 2, in_day / 60_000 % 60),
        (17, 2, in_day / 1000 % 60),
        (20, 3, in_day % 1000),
    ];
    for (at, width, mut value) in fields {
        for pos in (at..at + width).rev() {
            if let Some(digit) = text.get_mut(pos) {
                *digit = b'0' + (value % 10) as u8;
            }
            value /= 10;
        }
    }
    text
}

/// Storage with a task table: the request storage `S` (such as [`Buffers`]) plus `TASKS`
/// task slots and `BYTES` bytes of task payloads (final results, errors, pending input
/// requests as JSON). A server over it offers the tasks extension.
///
/// ```
/// use picomcp::{Buffers, Config, Server, TaskConfig, WithTasks};
/// fn unix_ms() -> u64 {
///     0 // a real host reads its clock
/// }
/// let storage: WithTasks<Buffers<8, 0>, 16, 8192> = WithTasks::new(Buffers::new(), TaskConfig::new(unix_ms));
/// let server = Server::new(storage, Config::new());
/// assert_eq!(server.in_flight(), 0);
/// ```
///
/// [`Buffers`]: crate::Buffers
#[derive(Clone, Debug)]
pub struct WithTasks<S, const TASKS: usize, const BYTES: usize> {
    storage: S,
    slots: [TaskSlot; TASKS],
    arena: [u8; BYTES],
    config: TaskConfig,
}

impl<S, const TASKS: usize, const BYTES: usize> WithTasks<S, TASKS, BYTES> {
    /// `storage` with an empty task table (a `const fn`, so it can live in a `static`).
    pub const fn new(storage: S, config: TaskConfig) -> Self {
        Self { storage, slots: [TaskSlot::EMPTY; TASKS], arena: [0; BYTES], config }
    }
}

impl<S: Storage, const TASKS: usize, const BYTES: usize> Storage for WithTasks<S, TASKS, BYTES> {
    fn slots(&self) -> &[Slot] {
        self.storage.slots()
    }

    fn parts(&mut self) -> (&mut [Slot], &mut [u8]) {
        self.storage.parts()
    }

    fn parts_and_tasks(&mut self) -> (&mut [Slot], &mut [u8], Option<TaskTable<'_>>) {
        let (slots, subscriptions) = self.storage.parts();
        (slots, subscriptions, Some(TaskTable::new(&mut self.slots, &mut self.arena, self.config)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(ms: u64) -> std::string::String {
        std::string::String::from_utf8(iso8601(ms).to_vec()).unwrap()
    }

    #[test]
    fn iso8601_formats_utc_milliseconds() {
        assert_eq!(text(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(text(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(text(1_709_251_199_999), "2024-02-29T23:59:59.999Z");
        assert_eq!(text(1_785_196_800_123), "2026-07-28T00:00:00.123Z");
        assert_eq!(text(4_107_542_400_000), "2100-03-01T00:00:00.000Z");
        assert_eq!(text(253_402_300_799_999), "9999-12-31T23:59:59.999Z");
        assert_eq!(text(u64::MAX), "9999-12-31T23:59:59.999Z");
        // Every day of a leap cycle agrees with a naive day-by-day count.
        let mut date = (1970u64, 1u64, 1u64);
        for day in 0..(400 * 366) {
            let want = std::format!("{:04}-{:02}-{:02}T00:00:00.000Z", date.0, date.1, date.2);
            assert_eq!(text(day * 86_400_000), want);
            let leap = date.0 % 4 == 0 && (date.0 % 100 != 0 || date.0 % 400 == 0);
            let days_in = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][date.1 as usize - 1];
            date = if date.2 < days_in {
                (date.0, date.1, date.2 + 1)
            } else if date.1 < 12 {
                (date.0, date.1 + 1, 1)
            } else {
                (date.0 + 1, 1, 1)
            };
        }
        assert_eq!(text(86_399_999), "1970-01-01T23:59:59.999Z");
    }

    fn clock() -> u64 {
        1000
    }

    const ANON: crate::Principal = crate::Principal::ANONYMOUS;

    #[test]
    fn slots_ids_expiry_and_a_compacting_arena() {
        let mut slots = [TaskSlot::EMPTY; 3];
        let mut arena = [0u8; 16];
        let mut config = TaskConfig::new(clock);
        config.ttl_ms = 100;
        let mut table = TaskTable::new(&mut slots, &mut arena, config);
        let a = table.create(0, 0, &[7; 32], ANON).unwrap();
        let b = table.create(0, 0, &[7; 32], ANON).unwrap();
        let c = table.create(50, 0, &[7; 32], ANON).unwrap();
        assert!(table.create(50, 0, &[7; 32], ANON).is_none(), "full");
        let id_a = std::string::String::from(table.get(a).unwrap().1.id());
        assert_eq!(id_a.len(), TASK_ID_LEN);
        assert!(id_a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(id_a, table.get(b).unwrap().1.id());
        let raw = std::format!("\"{id_a}\"");
        let found = crate::json::parse(raw.as_bytes(), 1).unwrap().as_str().unwrap();
        assert_eq!(table.find(found, ANON), Some(a));
        #[cfg(feature = "access")]
        assert_eq!(table.find(found, crate::Principal(7)), None, "another caller's task is unknown to them");

        // Payloads pack together; rewriting one moves the others down.
        assert_eq!(table.store(0, |o| o.write(b"aaaa")), Ok(Ok(())));
        assert_eq!(table.store(1, |o| o.write(b"bbbbbb")), Ok(Ok(())));
        assert_eq!(table.store(2, |o| o.write(b"cccccc")), Ok(Ok(())));
        assert_eq!(table.store(0, |o| o.write(b"AAAAAAA")), Err(Overflow), "4 + 6 + 6 used");
        assert_eq!(table.payload(0), b"");
        assert_eq!(table.store(0, |o| o.write(b"AAAA")), Ok(Ok(())));
        assert_eq!(
            (table.payload(1), table.payload(2), table.payload(0)),
            (&b"bbbbbb"[..], &b"cccccc"[..], &b"AAAA"[..])
        );

        // Tasks live `ttl_ms` after their last change; a stale handle is refused.
        table.expire(100);
        assert!(table.get(a).is_none() && table.get(b).is_none());
        assert!(table.get(c).is_some());
        let d = table.create(100, 0, &[7; 32], ANON).unwrap();
        assert_ne!(d, a, "a reused slot gets a new generation");
        assert_ne!(table.get(d).unwrap().1.id(), id_a, "and a new id");
        assert_eq!(TaskId::from_bits(d.to_bits()), d);
        assert_eq!(table.payload(2), b"cccccc");
    }
}
