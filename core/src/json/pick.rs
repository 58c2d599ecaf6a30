//! Named members out of an object: one small loop serves every place that reads a fixed
//! set of keys (a `match` on byte strings unrolls into kilobytes of flash on Cortex-M0).

use super::{Str, Value};

/// The index of the member name `key` in `names` (ASCII names). A name written with
/// escapes is the same name (`"n\u0061me"` is `"name"`, as for any JSON reader), so it is
/// compared decoded: a name one reader skips must not be the one another reads.
pub(crate) fn position(key: Str<'_>, names: &[&[u8]]) -> Option<usize> {
    if key.has_escapes() {
        return names.iter().position(|name| core::str::from_utf8(name).is_ok_and(|name| key.eq_str(name)));
    }
    names.iter().position(|name| *name == key.raw())
}

/// The first value of each member named in `names`, in the order of `names` (a duplicated
/// member counts at its first occurrence). The members come as a `dyn` iterator, so one
/// copy of the loop serves every caller.
pub(crate) fn pick<'a, const N: usize>(
    members: &mut dyn Iterator<Item = (Str<'a>, Value<'a>)>,
    names: &[&[u8]; N],
) -> [Option<Value<'a>>; N] {
    let mut slots = [None; N];
    pick_into(members, names, &mut slots);
    slots
}

/// [`pick`] without the array length, so one copy of the loop serves every caller.
fn pick_into<'a>(
    members: &mut dyn Iterator<Item = (Str<'a>, Value<'a>)>,
    names: &[&[u8]],
    slots: &mut [Option<Value<'a>>],
) {
    for (key, value) in members {
        if let Some(slot) = position(key, names).and_then(|i| slots.get_mut(i)) {
            slot.get_or_insert(value);
        }
    }
}
