//! Protocol revisions and their eras.

use crate::json::Str;

/// A protocol revision picomcp speaks.
///
/// The first four are *legacy* (an `initialize` handshake fixes the revision for the
/// connection); 2026-07-28 is *modern* (every request names its revision in `_meta`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Revision {
    /// 2024-11-05
    V2024_11_05,
    /// 2025-03-26 (the only one with JSON-RPC batches)
    V2025_03_26,
    /// 2025-06-18
    V2025_06_18,
    /// 2025-11-25
    V2025_11_25,
    /// 2026-07-28, the current revision
    V2026_07_28,
}

impl Revision {
    /// Every revision, oldest first.
    pub const ALL: [Self; 5] =
        [Self::V2024_11_05, Self::V2025_03_26, Self::V2025_06_18, Self::V2025_11_25, Self::V2026_07_28];
    /// The revisions a modern request may name, newest first (as `supportedVersions` lists them).
    pub const MODERN: [Self; 1] = [Self::V2026_07_28];
    /// What `initialize` falls back to when the client asks for a revision we lack.
    pub const LATEST_LEGACY: Self = Self::V2025_11_25;

    /// The revision's date string.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V2024_11_05 => "2024-11-05",
            Self::V2025_03_26 => "2025-03-26",
            Self::V2025_06_18 => "2025-06-18",
            Self::V2025_11_25 => "2025-11-25",
            Self::V2026_07_28 => "2026-07-28",
        }
    }

    /// The revision named by a JSON string (compared decoded, so `"2026\u002d07-28"`
    /// names 2026-07-28), if we speak it.
    pub fn from_json(s: Str<'_>) -> Option<Self> {
        Self::ALL.into_iter().find(|r| s.eq_str(r.as_str()))
    }

    /// Whether this is a modern (per-request `_meta`) revision.
    pub const fn is_modern(self) -> bool {
        matches!(self, Self::V2026_07_28)
    }

    /// Whether JSON-RPC batches (arrays of messages) are part of this revision.
    pub const fn has_batches(self) -> bool {
        matches!(self, Self::V2025_03_26)
    }

    /// The error code for "resource not found" in this revision.
    pub const fn resource_not_found_code(self) -> i32 {
        if self.is_modern() { crate::jsonrpc::code::INVALID_PARAMS } else { crate::jsonrpc::code::RESOURCE_NOT_FOUND }
    }
}
