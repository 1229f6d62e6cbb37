//! Dense ids for integer keys (packed word n-grams), in a table whose slots can be fetched
//! ahead of their lookups.
//!
//! A chunk of news holds hundreds of thousands of distinct n-grams, far more than the CPU's
//! cache, and most of them occur once: looked up one after another, nearly every lookup waits
//! on a cache miss. A document's keys are all known before the first is looked up, so the
//! caller hashes them, asks for the slot of the key [`LOOKAHEAD`] places ahead, and the misses
//! overlap instead of adding up. A library map cannot be asked where a key's slot is, hence
//! this small open-addressing table (linear probing, at most half full).

use std::hash::{BuildHasher, Hash};

use rustc_hash::FxBuildHasher;

/// How many keys ahead of its lookup a slot is fetched.
pub const LOOKAHEAD: usize = 16;

/// Keys to dense ids `0..len()`, in order of first insertion. The zero key is reserved (it
/// marks a free slot); packed n-grams are never zero.
pub struct KeyTable<K> {
    /// A power of two of slots: (key, id), key zero when free.
    slots: Vec<(K, u32)>,
    len: usize,
}

impl<K: Copy + Eq + Hash + Default> KeyTable<K> {
    /// An empty table with room for `n` keys before it grows.
    pub fn with_capacity(n: usize) -> Self {
        KeyTable {
            slots: vec![(K::default(), 0); (2 * n).next_power_of_two().max(16)],
            len: 0,
        }
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table holds no key.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The hash a lookup of `key` needs.
    #[inline]
    pub fn hash(key: K) -> u64 {
        FxBuildHasher.hash_one(key)
    }

    /// Ask the CPU for the slot where a key hashing to `h` starts its probe.
    #[inline]
    pub fn prefetch(&self, h: u64) {
        #[cfg(target_arch = "x86_64")]
        {
            let slot = &self.slots[h as usize & (self.slots.len() - 1)];
            // SAFETY: a prefetch is only a hint (it cannot fault), of the address of a slot.
            unsafe {
                std::arch::x86_64::_mm_prefetch(
                    (slot as *const (K, u32)).cast::<i8>(),
                    std::arch::x86_64::_MM_HINT_T0,
                )
            };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = h;
    }

    /// The id of `key` (hashing to `h`), inserting it with the next id if new; the bool is
    /// true when it was inserted. `key` must not be zero.
    #[inline]
    pub fn id_or_insert(&mut self, h: u64, key: K) -> (u32, bool) {
        debug_assert!(key != K::default(), "the zero key marks free slots");
        if 2 * (self.len + 1) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let (k, id) = self.slots[i];
            if k == key {
                return (id, false);
            }
            if k == K::default() {
                let id = u32::try_from(self.len).expect("fewer than 2^32 distinct n-grams");
                self.slots[i] = (key, id);
                self.len += 1;
                return (id, true);
            }
            i = (i + 1) & mask;
        }
    }

    /// Double the slots, placing every key again.
    fn grow(&mut self) {
        let free = (K::default(), 0);
        let doubled = vec![free; self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for (k, id) in old.into_iter().filter(|(k, _)| *k != K::default()) {
            let mut i = Self::hash(k) as usize & mask;
            while self.slots[i].0 != K::default() {
                i = (i + 1) & mask;
            }
            self.slots[i] = (k, id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn ids_follow_first_insertion_across_growth() {
        let mut t: KeyTable<u64> = KeyTable::with_capacity(0);
        assert!(t.is_empty());
        let mut reference: HashMap<u64, u32> = HashMap::new();
        // Repeats, keys differing only in high or low bits, and enough keys to grow many times.
        for n in 0..50_000u64 {
            let key = ((n * 7919) % 20_000 + 1) << if n % 2 == 0 { 0 } else { 32 };
            let next = reference.len() as u32;
            let expected = *reference.entry(key).or_insert(next);
            let (id, inserted) = t.id_or_insert(KeyTable::hash(key), key);
            assert_eq!(id, expected, "key {key}");
            assert_eq!(inserted, id == next);
        }
        assert_eq!(t.len(), reference.len());
        let mut wide: KeyTable<u128> = KeyTable::with_capacity(4);
        let k = (5u128 << 96) | 1;
        assert_eq!(wide.id_or_insert(KeyTable::hash(k), k), (0, true));
        assert_eq!(wide.id_or_insert(KeyTable::hash(1u128), 1), (1, true));
        assert_eq!(wide.id_or_insert(KeyTable::hash(k), k), (0, false));
    }
}
