//! String interning: distinct strings mapped to dense ids, shared by the tokenizer (token ids
//! of a batch) and the vectorizers (vocabulary and per-chunk terms).

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

/// Strings interned to dense ids, stored back to back in one buffer.
///
/// A lookup touches as little memory as possible, because on a large vocabulary every touch is
/// a cache miss: a string of up to 8 bytes is kept inside its table entry and compared there;
/// a longer one is compared against the buffer at the offset the entry holds.
#[derive(Clone, Default)]
pub struct Interner {
    table: HashTable<Entry>,
    ends: Vec<usize>,
    arena: String,
}

/// A table entry: the string's bytes (length <= [`INLINE`]) or its offset in the arena.
#[derive(Clone, Copy)]
struct Entry {
    key: u64,
    id: u32,
    /// The string's length, saturated at `u32::MAX`.
    len: u32,
}

/// Strings up to this many bytes live in their table entry.
const INLINE: usize = 8;

/// `s` (at most [`INLINE`] bytes) as a zero-padded little-endian integer; longer strings give 0.
/// Built from overlapping loads rather than a copy into a buffer, whose store the following
/// integer load would have to wait for.
#[inline]
fn inline_key(s: &[u8]) -> u64 {
    let n = s.len();
    let u32_at = |i: usize| {
        s.get(i..i + 4)
            .and_then(|b| b.try_into().ok())
            .map_or(0, |b: [u8; 4]| u64::from(u32::from_le_bytes(b)))
    };
    match n {
        0 => 0,
        1..=3 => {
            let byte = |i: usize| u64::from(s.get(i).copied().unwrap_or(0)) << (8 * i);
            byte(0) | byte(n / 2) | byte(n - 1)
        }
        4..=INLINE => u32_at(0) | u32_at(n - 4) << (8 * (n - 4)),
        _ => 0,
    }
}

#[inline]
fn saturated_len(s: &str) -> u32 {
    u32::try_from(s.len()).unwrap_or(u32::MAX)
}

/// The hash and inline key of `s`; short strings hash by their inline key and length.
#[inline]
fn hash_str(s: &str) -> (u64, u64) {
    if s.len() <= INLINE {
        let key = inline_key(s.as_bytes());
        (FxBuildHasher.hash_one((key, s.len())), key)
    } else {
        (FxBuildHasher.hash_one(s), 0)
    }
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

    /// Whether `e` holds `s`, whose inline key is `key`.
    #[inline]
    fn holds(ends: &[usize], arena: &str, e: &Entry, s: &str, key: u64) -> bool {
        if e.len != saturated_len(s) {
            return false;
        }
        if s.len() <= INLINE {
            return e.key == key;
        }
        let start = e.key as usize;
        if e.len == u32::MAX {
            // A string of 4 GiB or more: its true length is in `ends`.
            let end = ends.get(e.id as usize + 1).copied().unwrap_or(0);
            return arena.as_bytes().get(start..end) == Some(s.as_bytes());
        }
        arena.as_bytes().get(start..start + s.len()) == Some(s.as_bytes())
    }

    /// The hash of the string `e` holds (when the table grows).
    fn rehash(ends: &[usize], arena: &str, e: &Entry) -> u64 {
        if e.len as usize <= INLINE {
            FxBuildHasher.hash_one((e.key, e.len as usize))
        } else {
            let (i, j) = (e.id as usize, e.id as usize + 1);
            let span = ends.get(i).zip(ends.get(j));
            FxBuildHasher.hash_one(
                span.and_then(|(&a, &b)| arena.get(a..b))
                    .unwrap_or_default(),
            )
        }
    }

    /// The id of `s`, adding it if new.
    #[inline]
    pub fn intern(&mut self, s: &str) -> u32 {
        let (h, key) = hash_str(s);
        let Interner { table, ends, arena } = self;
        if ends.is_empty() {
            ends.push(0);
        }
        if let Some(e) = table.find(h, |e| Self::holds(ends, arena, e, s, key)) {
            return e.id;
        }
        let id = (ends.len() - 1) as u32;
        let key = if s.len() <= INLINE {
            key
        } else {
            arena.len() as u64
        };
        arena.push_str(s);
        ends.push(arena.len());
        let entry = Entry {
            key,
            id,
            len: saturated_len(s),
        };
        table.insert_unique(h, entry, |e| Self::rehash(ends, arena, e));
        id
    }

    /// The id of `s`, if interned.
    #[inline]
    pub fn get(&self, s: &str) -> Option<u32> {
        let (h, key) = hash_str(s);
        self.table
            .find(h, |e| Self::holds(&self.ends, &self.arena, e, s, key))
            .map(|e| e.id)
    }

    /// Whether `s` is interned: an `Interner` is also the fastest set of short strings here.
    #[inline]
    pub fn contains(&self, s: &str) -> bool {
        self.get(s).is_some()
    }

    /// Intern every string of `other`; returns the id here of each of `other`'s ids.
    pub fn absorb(&mut self, other: &Interner) -> Vec<u32> {
        other.terms().map(|t| self.intern(t)).collect()
    }

    /// Append id sequences made against `local` to `out`, re-numbered into this interner.
    /// An empty interner takes `local` over as it is.
    pub fn merge(&mut self, local: Interner, seqs: Vec<Vec<u32>>, out: &mut Vec<Vec<u32>>) {
        self.merge_all(vec![(local, seqs)], out);
    }

    /// [`merge`](Self::merge) of several parts in order: the strings are added part after part
    /// (ids stay in order of first appearance), then the sequences are re-numbered in parallel
    /// on the current rayon pool.
    pub fn merge_all(&mut self, parts: Vec<(Interner, Vec<Vec<u32>>)>, out: &mut Vec<Vec<u32>>) {
        let mut remaps = Vec::with_capacity(parts.len());
        let mut all = Vec::with_capacity(parts.len());
        for (local, seqs) in parts {
            if self.is_empty() {
                *self = local;
                remaps.push(None);
            } else {
                remaps.push(Some(self.absorb(&local)));
            }
            all.push(seqs);
        }
        for (seqs, remap) in all.iter_mut().zip(&remaps) {
            if let Some(remap) = remap {
                seqs.par_iter_mut().for_each(|ids| {
                    ids.iter_mut().for_each(|id| *id = remap[*id as usize]);
                });
            }
        }
        out.extend(all.into_iter().flatten());
    }
}

impl<S: AsRef<str>> FromIterator<S> for Interner {
    fn from_iter<T: IntoIterator<Item = S>>(iter: T) -> Self {
        let mut i = Interner::new();
        iter.into_iter().for_each(|s| {
            i.intern(s.as_ref());
        });
        i
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
    fn inline_keys_are_the_zero_padded_bytes() {
        for w in [
            "", "a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh",
        ] {
            let mut b = [0u8; 8];
            b[..w.len()].copy_from_slice(w.as_bytes());
            assert_eq!(inline_key(w.as_bytes()), u64::from_le_bytes(b), "{w:?}");
        }
    }

    #[test]
    fn short_and_long_strings_across_growth() {
        let mut i = Interner::new();
        // Inline (<= 8 bytes) and arena strings, zero bytes that padding must not confuse,
        // and enough strings to grow the table many times.
        let fixed = [
            "ab",
            "ab\0",
            "abcdefgh",
            "abcdefghi",
            "",
            "\0",
            "élection",
            "éléctions",
        ];
        let mut words: Vec<String> = fixed.iter().map(|w| w.to_string()).collect();
        words.extend((0..5000).map(|n| format!("w{n}").repeat(n % 5 + 1)));
        let ids: Vec<u32> = words.iter().map(|w| i.intern(w)).collect();
        assert_eq!(ids, (0..words.len() as u32).collect::<Vec<_>>());
        for (w, &id) in words.iter().zip(&ids) {
            assert_eq!(i.intern(w), id);
            assert_eq!(i.get(w), Some(id));
            assert_eq!(i.term(id), w);
        }
        assert_eq!(i.get("abcdefg"), None);
        assert_eq!(i.get("abcdefghij"), None);
        assert_eq!(i.get("a\0"), None);
        let set: Interner = ["le", "la", "le"].into_iter().collect();
        assert_eq!(set.len(), 2);
        assert!(set.contains("la") && !set.contains("les"));
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
