//! String interning: distinct strings mapped to dense ids, shared by the tokenizer (token ids
//! of a batch) and the vectorizers (vocabulary and per-chunk terms).

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Strings interned to dense ids, stored back to back in one buffer.
///
/// A lookup touches as little memory as possible, because on a large vocabulary every touch is
/// a cache miss: a string of up to 16 bytes (nearly every word) is kept inside its table entry
/// as one or two integers and compared there; a longer one is compared against the buffer at
/// the offset the entry holds. Strings of up to 8 bytes (two thirds of a news vocabulary, nine
/// tenths of its tokens) have a table of their own with 16-byte entries, longer ones one with
/// 24-byte entries: for half of NewsArticles the two take 0.9 MiB where one table of 24-byte
/// entries took 1.5 MiB, and more of the entries stay in a core's L2 cache while the text
/// streams through it (sklearn-mode token ids took 6-10% less time).
#[derive(Clone, Default)]
pub struct Interner {
    /// Strings of up to [`INLINE`] bytes.
    short: HashTable<Short>,
    /// Longer strings.
    table: HashTable<Entry>,
    ends: Vec<usize>,
    arena: String,
}

/// A table entry of a string of up to [`INLINE`] bytes.
#[derive(Clone, Copy)]
struct Short {
    /// The string's [`inline_key`].
    key: u64,
    id: u32,
    len: u32,
}

impl Short {
    /// Whether the entry holds the string of `k`.
    #[inline(always)]
    fn holds(&self, k: &Key<'_>) -> bool {
        self.len as usize == k.len && self.key == k.inline
    }

    /// The hash of the string the entry holds (when the table grows).
    fn rehash(&self) -> u64 {
        short_hash(self.key, self.len as usize)
    }
}

/// A table entry of a string of more than [`INLINE`] bytes: its first and last eight bytes
/// ([`pair_words`]) up to [`PAIR`] bytes, its offset in the arena beyond. Keeping strings of
/// 9 to 16 bytes (a third of a news vocabulary, a tenth of its tokens) in the entry, rather
/// than comparing them in the arena, saves their lookups a second cache miss: sklearn-mode
/// token ids took 2-5% less time.
#[derive(Clone, Copy)]
struct Entry {
    key: u64,
    /// The last eight bytes of a string of up to [`PAIR`] bytes (0 for a longer one).
    tail: u64,
    id: u32,
    /// The string's length, saturated at `u32::MAX`.
    len: u32,
}

/// The most strings [`Interner::for_text`] makes room for: tables of 32,768 and 16,384 slots,
/// full at seven eighths (28,672 strings of up to 8 bytes and 14,336 longer ones), 0.9 MiB,
/// which hold the 38,000 distinct words of half of NewsArticles. Tables that take more memory than needed leave less of a
/// core's L2 cache to the entries in use: with 16-byte entries, a 2 MiB table for the same
/// words made sklearn-mode token ids 15% slower than a 1 MiB one. Past the cap the tables grow
/// as needed.
const TEXT_TABLE_CAP: usize = 43_008;

/// Strings up to this many bytes live in their table entry.
const INLINE: usize = 8;

/// Strings of more than [`INLINE`] and up to this many bytes are looked up by their first and
/// last eight bytes (two integers that overlap), with no hashing of the bytes one by one.
const PAIR: usize = 16;

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

/// The first and last eight bytes of `s` ([`INLINE`] < `s.len()` <= [`PAIR`]) as
/// little-endian integers; `(0, 0)` for other lengths.
#[inline]
pub(crate) fn pair_words(s: &[u8]) -> (u64, u64) {
    let word = |i: usize| {
        s.get(i..i + 8)
            .and_then(|b| b.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    };
    match s.len() {
        9..=PAIR => (word(0), word(s.len() - 8)),
        _ => (0, 0),
    }
}

/// The hash of a string of [`INLINE`] < `len` <= [`PAIR`] bytes from its [`pair_words`]: one
/// wide multiplication whose halves are folded, so that every byte reaches every bit (the tag
/// and the slot a table takes from the top and bottom bits).
#[inline]
fn pair_hash(first: u64, last: u64, len: usize) -> u64 {
    // Neither factor can be zero for UTF-8 text: each constant, as bytes, holds a sequence no
    // valid UTF-8 string has (0xd3 0x08; 0x2e 0x8a).
    let x = u128::from(first ^ 0x243f_6a88_85a3_08d3)
        * u128::from(last ^ len as u64 ^ 0x1319_8a2e_0370_7344);
    (x as u64) ^ (x >> 64) as u64
}

/// The hash of a string of up to [`INLINE`] bytes from its [`inline_key`].
#[inline]
fn short_hash(inline: u64, len: usize) -> u64 {
    FxBuildHasher.hash_one((inline, len))
}

#[inline]
fn saturated(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// A string ready for lookup: hashed once, and held in its inline form when it is short.
///
/// Scanners that see a token's bytes in registers make its key from them, with no copy of the
/// token into a buffer: an ASCII word of at most [`INLINE`] bytes with [`Key::short_ascii`],
/// one of up to [`PAIR`] bytes from its first and last eight with `Key::ascii_pair`; any other
/// string goes through [`Key::new`]. Both give the same key for the same string.
#[derive(Clone, Copy, Debug)]
pub struct Key<'a> {
    hash: u64,
    /// The zero-padded bytes of a string of at most [`INLINE`] bytes; the first eight bytes
    /// of one of up to [`PAIR`] bytes (0 for a longer one).
    inline: u64,
    /// The last eight bytes of a string of more than [`INLINE`] and up to [`PAIR`] bytes
    /// (0 for any other).
    tail: u64,
    len: usize,
    /// The string; empty for an ASCII key made from integers (`inline` and `tail` hold it).
    text: &'a str,
}

impl<'a> Key<'a> {
    /// The key of `s`.
    #[inline]
    pub fn new(s: &'a str) -> Key<'a> {
        if s.len() <= INLINE {
            Key {
                text: s,
                ..Key::short(inline_key(s.as_bytes()), s.len())
            }
        } else if s.len() <= PAIR {
            let (first, last) = pair_words(s.as_bytes());
            Key {
                text: s,
                ..Key::pair(first, last, s.len())
            }
        } else {
            Key {
                hash: FxBuildHasher.hash_one(s),
                inline: 0,
                tail: 0,
                len: s.len(),
                text: s,
            }
        }
    }

    /// The key of an ASCII string of `len` bytes, [`INLINE`] < `len` <= [`PAIR`], given as its
    /// first and its last eight bytes in little-endian integers (they overlap unless `len` is
    /// 16): the caller has checked that they are ASCII.
    #[inline]
    pub(crate) fn ascii_pair(first: u64, last: u64, len: usize) -> Key<'static> {
        debug_assert!(len > INLINE && len <= PAIR);
        debug_assert!((first | last) & 0x8080_8080_8080_8080 == 0);
        Key::pair(first, last, len)
    }

    #[inline]
    fn pair(first: u64, last: u64, len: usize) -> Key<'static> {
        Key {
            hash: pair_hash(first, last, len),
            inline: first,
            tail: last,
            len,
            text: "",
        }
    }

    /// The key of an ASCII string of `len` <= [`INLINE`] bytes, given as its bytes in a
    /// little-endian integer; bytes past `len` are ignored. `None` when `len` is too long or
    /// a byte is not ASCII.
    #[inline]
    pub fn short_ascii(bytes: u64, len: usize) -> Option<Key<'static>> {
        if len > INLINE {
            return None;
        }
        let bytes = bytes & low_bytes(len);
        (bytes & 0x8080_8080_8080_8080 == 0).then(|| Key::short(bytes, len))
    }

    /// The key of `word`, which holds exactly `len` <= [`INLINE`] ASCII bytes, zero-padded:
    /// the caller has checked what [`short_ascii`](Self::short_ascii) checks.
    #[inline]
    pub(crate) fn ascii_word(word: u64, len: usize) -> Key<'static> {
        debug_assert!(len <= INLINE && word & !low_bytes(len) == 0);
        debug_assert!(word & 0x8080_8080_8080_8080 == 0);
        Key::short(word, len)
    }

    #[inline]
    fn short(inline: u64, len: usize) -> Key<'static> {
        Key {
            hash: short_hash(inline, len),
            inline,
            tail: 0,
            len,
            text: "",
        }
    }
}

/// A mask of the low `len` bytes of a `u64` (`len` <= 8).
#[inline]
pub(crate) fn low_bytes(len: usize) -> u64 {
    u64::MAX.checked_shr(64 - 8 * len as u32).unwrap_or(0)
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

    /// An empty interner with room for `n` strings, two thirds of them of up to 8 bytes (as in
    /// a news vocabulary; either table grows as needed).
    pub fn with_capacity(n: usize) -> Self {
        let mut ends = Vec::with_capacity(n + 1);
        ends.push(0);
        Interner {
            short: HashTable::with_capacity(n.div_ceil(3) * 2),
            table: HashTable::with_capacity(n.div_ceil(3)),
            ends,
            arena: String::new(),
        }
    }

    /// An empty interner sized for the distinct words of `bytes` bytes of news text: room for
    /// one per 64 bytes, above the one per 100 bytes of chunks of a few megabytes of
    /// NewsArticles (fewer per byte as text grows), up to [`TEXT_TABLE_CAP`]; past the cap
    /// the table grows as needed. Growing from empty would rehash every word many times.
    pub fn for_text(bytes: usize) -> Self {
        Self::with_capacity((bytes / 64).min(TEXT_TABLE_CAP))
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
        spans(&self.arena, &self.ends)
    }

    /// A copy of the strings from id `first` on (not of the table), to read while this
    /// interner changes.
    pub fn terms_from(&self, first: usize) -> Terms {
        let ends = self.ends.get(first..).unwrap_or_default();
        let base = ends.first().copied().unwrap_or(0);
        Terms {
            arena: self.arena.get(base..).unwrap_or_default().to_string(),
            ends: ends.iter().map(|&e| e - base).collect(),
        }
    }

    /// Whether `e` holds the string of `k` (more than [`INLINE`] bytes). Inlined into every
    /// probe: strings of up to [`PAIR`] bytes are compared here as the two integers both hold,
    /// longer ones out of line.
    #[inline(always)]
    fn holds(ends: &[usize], arena: &str, e: &Entry, k: &Key<'_>) -> bool {
        if e.len != saturated(k.len) {
            return false;
        }
        if k.len <= PAIR {
            return e.key == k.inline && e.tail == k.tail;
        }
        Self::holds_long(ends, arena, e, k)
    }

    /// Whether `e`, whose length is that of `k` (more than [`PAIR`] bytes), holds its
    /// string.
    #[inline(never)]
    fn holds_long(ends: &[usize], arena: &str, e: &Entry, k: &Key<'_>) -> bool {
        let start = e.key as usize;
        let end = if e.len == u32::MAX {
            // A string of 4 GiB or more: its true length is in `ends`.
            ends.get(e.id as usize + 1).copied().unwrap_or(0)
        } else {
            start + k.len
        };
        let held = arena.as_bytes().get(start..end).unwrap_or_default();
        held == k.text.as_bytes()
    }

    /// The hash of the string `e` holds (when the table grows).
    fn rehash(ends: &[usize], arena: &str, e: &Entry) -> u64 {
        if e.len as usize <= PAIR {
            pair_hash(e.key, e.tail, e.len as usize)
        } else {
            let (i, j) = (e.id as usize, e.id as usize + 1);
            let span = ends.get(i).zip(ends.get(j));
            Key::new(
                span.and_then(|(&a, &b)| arena.get(a..b))
                    .unwrap_or_default(),
            )
            .hash
        }
    }

    /// The id of `s`, adding it if new.
    #[inline]
    pub fn intern(&mut self, s: &str) -> u32 {
        self.intern_key(&Key::new(s))
    }

    /// The id of the string of `k`, adding it if new.
    #[inline(always)]
    pub fn intern_key(&mut self, k: &Key<'_>) -> u32 {
        match self.get_key(k) {
            Some(id) => id,
            None => self.insert(k),
        }
    }

    /// Add the string of `k`, which is not interned yet; returns its id.
    #[inline(never)]
    fn insert(&mut self, k: &Key<'_>) -> u32 {
        let Interner {
            short,
            table,
            ends,
            arena,
        } = self;
        if ends.is_empty() {
            ends.push(0);
        }
        let id = (ends.len() - 1) as u32;
        if k.len <= INLINE {
            if k.text.len() == k.len {
                arena.push_str(k.text);
            } else {
                // A key made from an integer holds ASCII bytes (see `short_ascii`).
                let bytes = k.inline.to_le_bytes();
                arena.extend(bytes.iter().take(k.len).map(|&b| char::from(b)));
            }
            ends.push(arena.len());
            let entry = Short {
                key: k.inline,
                id,
                len: saturated(k.len),
            };
            short.insert_unique(k.hash, entry, Short::rehash);
            return id;
        }
        if k.text.len() == k.len {
            arena.push_str(k.text);
        } else {
            // A key made from two integers holds ASCII bytes (see `ascii_pair`): the first
            // eight, then the rest from the top of the last eight.
            let (first, last) = (k.inline.to_le_bytes(), k.tail.to_le_bytes());
            let rest = last.get(PAIR - k.len..).unwrap_or_default();
            arena.extend(first.iter().chain(rest).map(|&b| char::from(b)));
        }
        let (key, tail) = if k.len <= PAIR {
            (k.inline, k.tail)
        } else {
            ((arena.len() - k.len) as u64, 0)
        };
        ends.push(arena.len());
        let entry = Entry {
            key,
            tail,
            id,
            len: saturated(k.len),
        };
        table.insert_unique(k.hash, entry, |e| Self::rehash(ends, arena, e));
        id
    }

    /// The id of `s`, if interned.
    #[inline]
    pub fn get(&self, s: &str) -> Option<u32> {
        self.get_key(&Key::new(s))
    }

    /// The id of the string of `k`, if interned. Inlined into the scanners' loops: keys made
    /// in registers have a length the compiler knows there (the scanners branch on it to make
    /// them), and the choice of table goes away.
    #[inline(always)]
    pub fn get_key(&self, k: &Key<'_>) -> Option<u32> {
        if k.len <= INLINE {
            return self.short.find(k.hash, |e| e.holds(k)).map(|e| e.id);
        }
        self.table
            .find(k.hash, |e| Self::holds(&self.ends, &self.arena, e, k))
            .map(|e| e.id)
    }

    /// Whether `s` is interned: an `Interner` is also the fastest set of short strings here.
    #[inline]
    pub fn contains(&self, s: &str) -> bool {
        self.get(s).is_some()
    }

    /// Whether the string of `k` is interned.
    #[inline]
    pub fn contains_key(&self, k: &Key<'_>) -> bool {
        self.get_key(k).is_some()
    }

    /// Intern every string of `other`; returns the id here of each of `other`'s ids.
    pub fn absorb(&mut self, other: &Interner) -> Vec<u32> {
        other.terms().map(|t| self.intern(t)).collect()
    }

    /// Append rows of ids made against `local` to `out`, re-numbered into this interner.
    /// An empty interner takes `local` over as it is.
    pub fn merge(&mut self, local: Interner, rows: TokenIds, out: &mut TokenIds) {
        self.merge_all(vec![(local, rows)], out);
    }

    /// [`merge`](Self::merge) of several parts in order: the strings are added part after part
    /// (ids stay in order of first appearance), then the parts' ids are re-numbered into
    /// `out` in parallel on the current rayon pool.
    pub fn merge_all(&mut self, parts: Vec<(Interner, TokenIds)>, out: &mut TokenIds) {
        self.merge_parts(parts, out, false, |_| ());
    }

    /// [`merge_all`](Self::merge_all), calling `alongside` twice on another thread of the pool
    /// while the merge goes on: with a copy of the strings held before the merge adds any
    /// (an empty interner first takes the first part over: its strings), while the others are
    /// added; then with a copy of the strings the merge added, while the ids are re-numbered.
    /// Work that needs every string, such as making them into Python objects, is then done by
    /// the time the merge is.
    pub fn merge_all_with<R: Send>(
        &mut self,
        parts: Vec<(Interner, TokenIds)>,
        out: &mut TokenIds,
        alongside: impl Fn(&Terms) -> R + Sync,
    ) -> (R, R) {
        self.merge_parts(parts, out, true, alongside)
    }

    /// The merge of [`merge_all_with`](Self::merge_all_with); `alongside` is given empty
    /// [`Terms`] unless `copies`.
    fn merge_parts<R: Send>(
        &mut self,
        parts: Vec<(Interner, TokenIds)>,
        out: &mut TokenIds,
        copies: bool,
        alongside: impl Fn(&Terms) -> R + Sync,
    ) -> (R, R) {
        let mut parts = parts.into_iter();
        let mut rows = Vec::with_capacity(parts.len());
        let mut remaps = Vec::with_capacity(parts.len());
        if self.is_empty() {
            if let Some((local, ids)) = parts.next() {
                *self = local;
                rows.push(ids);
                remaps.push(None);
            }
        }
        let later: Vec<(Interner, TokenIds)> = parts.collect();
        let copy = |me: &Interner, from: usize| {
            if copies {
                me.terms_from(from)
            } else {
                Terms::default()
            }
        };
        // Without copies there is no work alongside, and no `rayon::join` (whose second half
        // would wait for a pool thread to take it, or be run after the first).
        let (held, before) = (self.len(), copy(self, 0));
        let (absorbed, first) = both(
            copies,
            || -> Vec<Vec<u32>> { later.iter().map(|(t, _)| self.absorb(t)).collect() },
            || alongside(&before),
        );
        remaps.extend(absorbed.into_iter().map(Some));
        rows.extend(later.into_iter().map(|(_, ids)| ids));
        let added = copy(self, held);
        let ((), second) = both(copies, || renumber(rows, remaps, out), || alongside(&added));
        (first, second)
    }
}

/// `(a(), b())`, side by side on the current rayon pool when `parallel`.
fn both<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if parallel {
        rayon::join(a, b)
    } else {
        (a(), b())
    }
}

/// Append `rows` to `out`, each re-numbered by its remap (`None`: its ids are kept), in
/// parallel on the current rayon pool.
fn renumber(mut rows: Vec<TokenIds>, mut remaps: Vec<Option<Vec<u32>>>, out: &mut TokenIds) {
    if out.is_empty() && remaps.first().is_some_and(Option::is_none) {
        // The first part's ids are already the interner's: they become the output as they
        // are (no copy), and the other parts' ids are appended to them.
        *out = rows.remove(0);
        remaps.remove(0);
    }
    for r in &rows {
        let base = out.indptr.last().copied().unwrap_or(0);
        out.indptr
            .extend(r.indptr.iter().skip(1).map(|&end| base + end));
    }
    // In pieces of at most MERGE_PIECE ids, so that the threads share the work evenly: parts
    // differ in size, and a copy (a first part appended to ids already in `out`) is faster
    // than a re-numbering.
    let pieces: Vec<(&[u32], Option<&[u32]>)> = rows
        .iter()
        .zip(&remaps)
        .flat_map(|(r, remap)| {
            r.ids
                .chunks(MERGE_PIECE)
                .map(move |c| (c, remap.as_deref()))
        })
        .collect();
    let len = |(ids, _): &(&[u32], _)| ids.len();
    crate::parallel::extend_par(
        &mut out.ids,
        pieces,
        len,
        |(ids, remap), sink| match remap {
            None => sink.write_mapped(ids, |&id| id),
            Some(remap) => sink.write_mapped(ids, |&id| remap[id as usize]),
        },
    );
}

/// Strings of an [`Interner`] copied by [`Interner::terms_from`], in id order.
#[derive(Default)]
pub struct Terms {
    arena: String,
    ends: Vec<usize>,
}

impl Terms {
    /// Every string, in id order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        spans(&self.arena, &self.ends)
    }
}

/// The strings of `arena` between consecutive offsets of `ends`.
fn spans<'a>(arena: &'a str, ends: &'a [usize]) -> impl ExactSizeIterator<Item = &'a str> + 'a {
    ends.windows(2).map(move |w| match *w {
        [a, b] => arena.get(a..b).unwrap_or_default(),
        _ => "",
    })
}

/// Ids re-numbered at a time by one thread in [`Interner::merge_all`].
const MERGE_PIECE: usize = 1 << 16;

/// Token ids of the documents of a batch, in the layout of a CSR matrix: document `i`'s ids
/// are `ids[indptr[i]..indptr[i + 1]]`, into an [`Interner`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenIds {
    /// Every document's ids, back to back.
    pub ids: Vec<u32>,
    /// Where each document's ids start, then where the last one ends (`indptr[0] == 0`).
    pub indptr: Vec<usize>,
}

impl Default for TokenIds {
    fn default() -> Self {
        TokenIds {
            ids: Vec::new(),
            indptr: vec![0],
        }
    }
}

impl TokenIds {
    /// No documents, with room for `ids` ids.
    pub fn with_capacity(ids: usize) -> Self {
        TokenIds {
            ids: Vec::with_capacity(ids),
            indptr: vec![0],
        }
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// Whether there are no documents.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// End the current document: the ids pushed since the previous one are its ids.
    pub fn end_doc(&mut self) {
        self.indptr.push(self.ids.len());
    }

    /// Each document's ids.
    pub fn docs(&self) -> impl ExactSizeIterator<Item = &[u32]> + '_ {
        self.indptr
            .windows(2)
            .map(|w| self.ids.get(w[0]..w[1]).unwrap_or_default())
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
    fn keys_from_registers_match_keys_from_strings() {
        let mut i = Interner::new();
        for w in ["ab", "abcdefgh", "a\0", "", "x"] {
            let mut b = [0u8; 8];
            b[..w.len()].copy_from_slice(w.as_bytes());
            // Garbage past the length is ignored.
            b.iter_mut().skip(w.len()).for_each(|x| *x = b'#');
            let k = Key::short_ascii(u64::from_le_bytes(b), w.len()).unwrap();
            assert_eq!(i.intern_key(&k), i.intern(w), "{w:?}");
            assert_eq!(i.get_key(&k), i.get(w));
        }
        assert_eq!(
            i.terms().collect::<Vec<_>>(),
            ["ab", "abcdefgh", "a\0", "", "x"]
        );
        assert!(Key::short_ascii(u64::from_le_bytes(*b"\xc3\xa9tait\0\0"), 6).is_none());
        assert!(Key::short_ascii(0, 9).is_none());
        assert!(i.get_key(&Key::new("abcdefghi")).is_none());
        // 9 to 16 bytes as their first and last eight: the same keys as from the strings,
        // whether the string or the integers come first, and the integers' string is stored.
        let pair = |w: &str| {
            let word = |at: usize| u64::from_le_bytes(w.as_bytes()[at..at + 8].try_into().unwrap());
            Key::ascii_pair(word(0), word(w.len() - 8), w.len())
        };
        let longer = [
            "abcdefghi",
            "ninechars",
            "abcdefghijklmnop",
            "aaaaaaaaa",
            "aaaaaaaaaa",
        ];
        for (n, w) in longer.iter().enumerate() {
            let (by_pair, by_str) = if n % 2 == 0 {
                (i.intern_key(&pair(w)), i.intern(w))
            } else {
                let by_str = i.intern(w);
                (i.intern_key(&pair(w)), by_str)
            };
            assert_eq!(by_pair, by_str, "{w:?}");
            assert_eq!(i.term(by_pair), *w);
            assert_eq!(i.get_key(&pair(w)), Some(by_pair));
        }
        assert_eq!(i.len(), 10);
        assert_eq!(i.get("abcdefghiabcdefghi"), None);
        assert_eq!(i.get_key(&pair("abcdefgh_")), None);
    }

    #[test]
    fn entries_hold_only_their_own_string() {
        // Strings of one length that differ in one byte anywhere, short, compared as a pair
        // (9 to 16 bytes) and longer: each entry holds its own string and no other, whatever
        // table slot a hash collision would have sent the other to.
        for len in [3, 8, 9, 12, 16, 17, 30] {
            let base = "abcdefghijklmnopqrstuvwxyz0123".get(..len).unwrap();
            let mut variants = vec![base.to_string()];
            for at in 0..len {
                let mut b = base.as_bytes().to_vec();
                b[at] = b'#';
                variants.push(String::from_utf8(b).unwrap());
            }
            let table: Interner = variants.iter().map(String::as_str).collect();
            // Each string has one entry, in the table of its length.
            let (short, long) = if len <= INLINE {
                (variants.len(), 0)
            } else {
                (0, variants.len())
            };
            assert_eq!((table.short.len(), table.table.len()), (short, long));
            for (x, held) in variants.iter().enumerate() {
                let k = Key::new(held);
                let holds = |other: &str| {
                    let o = Key::new(other);
                    if len <= INLINE {
                        let e = table.short.find(k.hash, |e| e.id == x as u32);
                        e.expect("every string has its entry").holds(&o)
                    } else {
                        let e = table.table.find(k.hash, |e| e.id == x as u32);
                        let e = e.expect("every string has its entry");
                        Interner::holds(&table.ends, &table.arena, e, &o)
                    }
                };
                for (y, other) in variants.iter().enumerate() {
                    assert_eq!(holds(other), x == y, "{held:?} holds {other:?}");
                }
            }
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
            // 9 to 16 bytes, compared by their first and last eight: strings that share both
            // but differ in length, zero bytes; and 17, which share both but not the middle.
            "aaaaaaaaa",
            "aaaaaaaaaa",
            "abcdefgh-ijklmnop",
            "abcdefgh_ijklmnop",
            "abcdefghijklmnop",
            "abcdefgh\0",
            "abcdefgh\0\0",
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
        // Rows of one part interned against `local`.
        fn part(docs: &[&[&str]]) -> (Interner, TokenIds) {
            let mut local = Interner::new();
            let mut rows = TokenIds::default();
            for doc in docs {
                rows.ids.extend(doc.iter().map(|w| local.intern(w)));
                rows.end_doc();
            }
            (local, rows)
        }
        let words = |a: &Interner, out: &TokenIds| -> Vec<Vec<String>> {
            out.docs()
                .map(|d| d.iter().map(|&i| a.term(i).to_string()).collect())
                .collect()
        };
        let mut a = Interner::new();
        let mut out = TokenIds::default();
        let (l1, s1) = part(&[&["x", "y"]]);
        a.merge(l1, s1, &mut out);
        let (l2, s2) = part(&[&["z", "x"], &[]]);
        a.merge(l2, s2, &mut out);
        assert_eq!(words(&a, &out), [vec!["x", "y"], vec!["z", "x"], vec![]]);
        assert_eq!(a.len(), 3);
        // Several parts at once, into an empty interner and output, on one thread and on
        // several (the parts' ids are then re-numbered in parallel).
        for threads in [1, 3] {
            let mut b = Interner::new();
            let mut all = TokenIds::default();
            let parts = vec![
                part(&[&["b", "a"], &["a"]]),
                part(&[&[], &["c", "b", "d"]]),
                part(&[&["d", "e", "a"]]),
                part(&[&["a long word", "f", "c"]]),
            ];
            crate::parallel::install(Some(threads), || b.merge_all(parts, &mut all)).unwrap();
            assert_eq!(
                words(&b, &all),
                [
                    vec!["b", "a"],
                    vec!["a"],
                    vec![],
                    vec!["c", "b", "d"],
                    vec!["d", "e", "a"],
                    vec!["a long word", "f", "c"]
                ]
            );
            assert_eq!(
                b.terms().collect::<Vec<_>>(),
                ["b", "a", "c", "d", "e", "a long word", "f"]
            );
            assert_eq!(all.indptr, [0, 2, 3, 3, 6, 9, 12]);
            // Into a table that already holds strings: none is taken over.
            let mut c: Interner = ["e", "z"].into_iter().collect();
            let mut out = TokenIds::default();
            let parts = vec![part(&[&["a", "e"]]), part(&[&["z", "a", "q"]])];
            crate::parallel::install(Some(threads), || c.merge_all(parts, &mut out)).unwrap();
            assert_eq!(words(&c, &out), [vec!["a", "e"], vec!["z", "a", "q"]]);
            assert_eq!(c.terms().collect::<Vec<_>>(), ["e", "z", "a", "q"]);
            // With work alongside: the same merge, handed the strings held before it, then
            // those it added (into an empty interner: the first part's, then the others').
            let strings = |t: &Terms| t.iter().map(str::to_string).collect::<Vec<_>>();
            let mut d: Interner = ["e", "z"].into_iter().collect();
            let mut out2 = TokenIds::default();
            let parts = vec![part(&[&["a", "e"]]), part(&[&["z", "a", "q"]])];
            let (held, added) = crate::parallel::install(Some(threads), || {
                d.merge_all_with(parts, &mut out2, strings)
            })
            .unwrap();
            assert_eq!(
                (held, added),
                (vec!["e".into(), "z".into()], vec!["a".into(), "q".into()])
            );
            assert!(d.terms().eq(c.terms()));
            assert_eq!(out2, out);
            let mut e = Interner::new();
            let mut out3 = TokenIds::default();
            let parts = vec![part(&[&["b", "a"]]), part(&[&["c", "b"]]), part(&[&["d"]])];
            let made = e.merge_all_with(parts, &mut out3, strings);
            assert_eq!(
                made,
                (vec!["b".into(), "a".into()], vec!["c".into(), "d".into()])
            );
            assert_eq!(
                words(&e, &out3),
                [vec!["b", "a"], vec!["c", "b"], vec!["d"]]
            );
        }
    }
}
