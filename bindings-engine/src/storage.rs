//! The core's storage on the heap: request slots sized at run time, the subscription
//! arena, and a random key for signing.

use picomcp::{Slot, Storage};

/// Bytes of resource subscriptions the stdio session may hold (each URI costs its length
/// plus 2).
const SUBSCRIPTION_BYTES: usize = 4096;

/// Request slots and the subscription arena, in `Vec`s.
#[derive(Debug)]
pub struct Heap {
    slots: Vec<Slot>,
    subscriptions: Vec<u8>,
}

impl Heap {
    /// Room for `requests` requests in flight at once.
    pub fn new(requests: usize) -> Self {
        Self { slots: vec![Slot::EMPTY; requests], subscriptions: vec![0; SUBSCRIPTION_BYTES] }
    }
}

impl Storage for Heap {
    fn slots(&self) -> &[Slot] {
        &self.slots
    }

    fn parts(&mut self) -> (&mut [Slot], &mut [u8]) {
        (&mut self.slots, &mut self.subscriptions)
    }
}

/// 32 random bytes: from the operating system, else from the standard library's randomly
/// seeded hasher keys.
pub fn random_key() -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};
    use std::io::Read;
    let mut key = [0u8; 32];
    let from_os = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key));
    if from_os.is_err() {
        for (i, chunk) in key.chunks_mut(8).enumerate() {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(i);
            chunk.copy_from_slice(&h.finish().to_le_bytes());
        }
    }
    key
}
