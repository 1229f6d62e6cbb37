//! Dense ids for integer keys (packed word n-grams), counted per document, in a table whose
//! slots can be fetched ahead of their lookups.
//!
//! A chunk of news holds hundreds of thousands of distinct n-grams, far more than the CPU's
//! cache, and most of them occur once: looked up one after another, nearly every lookup waits
//! on a cache miss. A document's keys are all known before the first is looked up, so the
//! caller hashes them, asks for the slot of the key [`LOOKAHEAD`] places ahead, and the misses
//! overlap instead of adding up. A library map cannot be asked where a key's slot is, hence
//! this small open-addressing table (linear probing, at most three quarters full).

use std::hash::{BuildHasher, Hash};

use rustc_hash::FxBuildHasher;

/// How many keys ahead of its lookup a slot is fetched.
pub const LOOKAHEAD: usize = 16;

/// Keys to dense ids `0..len()`, in order of first insertion, each counted per document. The
/// zero key is reserved (it marks a free slot); packed n-grams are never zero.
pub struct KeyTable<K> {
    /// A power of two of slots, key zero when free.
    slots: Vec<Slot<K>>,
    len: usize,
}

/// A key, its id, and where its cell was last put in a document's list (see
/// [`KeyTable::count_in`]).
#[derive(Clone, Copy, Default)]
struct Slot<K> {
    key: K,
    id: u32,
    /// Index of the key's cell in the list of the document that last saw it; the list of a
    /// later document may hold another key's cell there, hence the check of the id.
    cell: u32,
}

impl<K: Copy + Eq + Hash + Default> KeyTable<K> {
    /// An empty table with room for `n` keys before it grows.
    pub fn with_capacity(n: usize) -> Self {
        KeyTable {
            slots: vec![Slot::default(); Self::slots_for(n)],
            len: 0,
        }
    }

    /// Slots for `n` keys: a power of two, at most three quarters full (linear probing stays
    /// short up to there, and a smaller table is fewer cache misses).
    fn slots_for(n: usize) -> usize {
        (n + n.div_ceil(3)).next_power_of_two().max(16)
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
                    (slot as *const Slot<K>).cast::<i8>(),
                    std::arch::x86_64::_MM_HINT_T0,
                )
            };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = h;
    }

    /// Count one occurrence of `key` (hashing to `h`) in the current document, whose
    /// `(id, count)` cells are `doc` in order of first occurrence: the key's cell is found from
    /// its slot, with no counter array to visit. A new key is inserted with the next id;
    /// returns whether it was. `key` must not be zero, and `doc` must hold only cells made by
    /// this method since it was last cleared, fewer than `u32::MAX` of them (a position past
    /// that is not remembered: the key would get a second cell; such a document, billions of
    /// distinct n-grams, would not fit in memory long before).
    #[inline]
    pub fn count_in(&mut self, h: u64, key: K, doc: &mut Vec<(u32, u32)>) -> bool {
        debug_assert!(key != K::default(), "the zero key marks free slots");
        if 4 * (self.len + 1) > 3 * self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = h as usize & mask;
        let at = u32::try_from(doc.len()).unwrap_or(u32::MAX);
        loop {
            let slot = &mut self.slots[i];
            if slot.key == key {
                match doc.get_mut(slot.cell as usize) {
                    Some(cell) if cell.0 == slot.id => cell.1 += 1,
                    _ => {
                        slot.cell = at;
                        doc.push((slot.id, 1));
                    }
                }
                return false;
            }
            if slot.key == K::default() {
                let id = u32::try_from(self.len).expect("fewer than 2^32 distinct n-grams");
                *slot = Slot { key, id, cell: at };
                doc.push((id, 1));
                self.len += 1;
                return true;
            }
            i = (i + 1) & mask;
        }
    }

    /// Double the slots, placing every key again.
    fn grow(&mut self) {
        let doubled = vec![Slot::default(); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, doubled);
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.key != K::default()) {
            let mut i = Self::hash(slot.key) as usize & mask;
            while self.slots[i].key != K::default() {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// The cells `count_in` should give for `docs`: ids by first insertion in the table,
    /// counts by first occurrence in each document.
    fn reference(docs: &[Vec<u64>]) -> Vec<Vec<(u32, u32)>> {
        let mut ids: HashMap<u64, u32> = HashMap::new();
        docs.iter()
            .map(|doc| {
                let mut cells: Vec<(u32, u32)> = Vec::new();
                for &key in doc {
                    let next = ids.len() as u32;
                    let id = *ids.entry(key).or_insert(next);
                    match cells.iter_mut().find(|c| c.0 == id) {
                        Some(c) => c.1 += 1,
                        None => cells.push((id, 1)),
                    }
                }
                cells
            })
            .collect()
    }

    #[test]
    fn ids_and_counts_per_document_across_growth() {
        // Repeats within and across documents, keys differing only in high or low bits, and
        // enough keys to grow many times while documents are being counted.
        let docs: Vec<Vec<u64>> = (0..200u64)
            .map(|d| {
                (0..250u64)
                    .map(|n| {
                        let x = (d * 131 + n * 7919) % (if d % 3 == 0 { 40 } else { 20_000 }) + 1;
                        x << if n % 2 == 0 { 0 } else { 32 }
                    })
                    .collect()
            })
            .collect();
        let expected = reference(&docs);
        let mut t: KeyTable<u64> = KeyTable::with_capacity(0);
        assert!(t.is_empty());
        let mut seen = std::collections::HashSet::new();
        let mut cells = Vec::new();
        for (d, doc) in docs.iter().enumerate() {
            cells.clear();
            for &key in doc {
                let inserted = t.count_in(KeyTable::hash(key), key, &mut cells);
                assert_eq!(inserted, seen.insert(key), "key {key}");
            }
            assert_eq!(cells, expected[d], "document {d}");
        }
        assert_eq!(t.len(), seen.len());
    }

    #[test]
    fn wide_keys() {
        let mut wide: KeyTable<u128> = KeyTable::with_capacity(4);
        let k = (5u128 << 96) | 1;
        let mut cells = Vec::new();
        assert!(wide.count_in(KeyTable::hash(k), k, &mut cells));
        assert!(wide.count_in(KeyTable::hash(1u128), 1, &mut cells));
        assert!(!wide.count_in(KeyTable::hash(k), k, &mut cells));
        assert_eq!(cells, vec![(0, 2), (1, 1)]);
        cells.clear();
        assert!(!wide.count_in(KeyTable::hash(1u128), 1, &mut cells));
        assert_eq!(cells, vec![(1, 1)]);
    }
}
