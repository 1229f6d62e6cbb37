//! String interning: distinct strings mapped to dense ids, shared by the tokenizer (token ids
//! of a batch) and the vectorizers (vocabulary and per-chunk terms).

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Strings interned to dense ids, stored back to back in one buffer: a lookup hashes the
/// string once and compares bytes only on a full hash match; growing the table never
/// re-hashes a string.
#[derive(Clone, Default)]
pub struct Interner {
    table: HashTable<(u64, u32)>,
    ends: Vec<usize>,
    arena: String,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("len", &self.len())
            .finish()
    }
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    /// An empty interner with room for `n` strings.
    pub fn with_capacity(n: usize) -> Self {
        let mut ends = Vec::with_capacity(n + 1);
        ends.push(0);
        Interner {
            table: HashTable::with_capacity(n),
            ends,
            arena: String::new(),
        }
    }

    /// Number of distinct strings.
    pub fn len(&self) -> usize {
        self.ends.len().saturating_sub(1)
    }

    /// Whether no string is interned.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The string with id `id` (ids are `0..len()`, in order of first appearance).
    pub fn term(&self, id: u32) -> &str {
        &self.arena[self.ends[id as usize]..self.ends[id as usize + 1]]
    }

    /// Every string, in id order.
    pub fn terms(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len() as u32).map(|i| self.term(i))
    }

    /// The id of `s`, adding it if new.
    #[inline]
    pub fn intern(&mut self, s: &str) -> u32 {
        let h = FxBuildHasher.hash_one(s);
        let Interner { table, ends, arena } = self;
        if ends.is_empty() {
            ends.push(0);
        }
        let eq = |&(eh, id): &(u64, u32)| {
            eh == h && &arena[ends[id as usize]..ends[id as usize + 1]] == s
        };
        if let Some(&(_, id)) = table.find(h, eq) {
            return id;
        }
        let id = (ends.len() - 1) as u32;
        arena.push_str(s);
        ends.push(arena.len());
        table.insert_unique(h, (h, id), |e| e.0);
        id
    }

    /// The id of `s`, if interned.
    #[inline]
    pub fn get(&self, s: &str) -> Option<u32> {
        let h = FxBuildHasher.hash_one(s);
        self.table
            .find(h, |&(eh, id)| eh == h && self.term(id) == s)
            .map(|e| e.1)
    }

    /// Intern every string of `other`; returns the id here of each of `other`'s ids.
    pub fn absorb(&mut self, other: &Interner) -> Vec<u32> {
        other.terms().map(|t| self.intern(t)).collect()
    }

    /// Append id sequences made against `local` to `out`, re-numbered into this interner.
    /// An empty interner takes `local` over as it is.
    pub fn merge(&mut self, local: Interner, seqs: Vec<Vec<u32>>, out: &mut Vec<Vec<u32>>) {
        if self.is_empty() {
            *self = local;
            out.extend(seqs);
            return;
        }
        let remap = self.absorb(&local);
        out.extend(seqs.into_iter().map(|mut ids| {
            ids.iter_mut().for_each(|id| *id = remap[*id as usize]);
            ids
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_dense_and_stable() {
        let mut i = Interner::new();
        assert!(i.is_empty());
        assert_eq!(i.intern("mali"), 0);
        assert_eq!(i.intern("bamako"), 1);
        assert_eq!(i.intern("mali"), 0);
        assert_eq!(i.intern(""), 2);
        assert_eq!(i.len(), 3);
        assert_eq!(i.terms().collect::<Vec<_>>(), ["mali", "bamako", ""]);
        assert_eq!(i.get("bamako"), Some(1));
        assert_eq!(i.get("moscou"), None);
        assert_eq!(Interner::default().intern("x"), 0);
    }

    #[test]
    fn merge_renumbers_into_the_shared_ids() {
        let mut a = Interner::new();
        let mut out = Vec::new();
        let mut l1 = Interner::new();
        let s1 = vec![vec![l1.intern("x"), l1.intern("y")]];
        a.merge(l1, s1, &mut out);
        let mut l2 = Interner::new();
        let s2 = vec![vec![l2.intern("z"), l2.intern("x")]];
        a.merge(l2, s2, &mut out);
        let words: Vec<Vec<&str>> = out
            .iter()
            .map(|d| d.iter().map(|&i| a.term(i)).collect())
            .collect();
        assert_eq!(words, [vec!["x", "y"], vec!["z", "x"]]);
        assert_eq!(a.len(), 3);
    }
}
