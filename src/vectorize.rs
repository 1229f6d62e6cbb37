//! Count and TF-IDF vectorizers with scikit-learn's semantics.
//!
//! Fitting is one parallel pass over the texts: documents are split into chunks, each chunk
//! counts its terms against a chunk-local vocabulary, the chunk vocabularies are merged in
//! parallel (by hash shard; word n-grams as packed token ranks, so that the vocabulary sorts
//! as integers), the global vocabulary is filtered (`min_df`, `max_df`, `max_features`) and
//! sorted like sklearn's, and the rows are rewritten into a CSR matrix. As in sklearn, the
//! rows of a fit keep their columns in order of appearance; `transform` sorts them.

use std::hash::BuildHasher;
use std::ops::{BitAnd, BitOr, Shl, Shr};
use std::sync::OnceLock;

use hashbrown::{DefaultHashBuilder, HashMap};
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;
use serde::{Deserialize, Serialize};

use crate::analyzer::{Analyzer, AnalyzerConfig, Scratch};
use crate::error::{Error, Result};
use crate::interner::Interner;
use crate::keytable::{KeyTable, LOOKAHEAD};
use crate::parallel::{concat_par, contiguous_parts, extend_par, Interrupt};

/// Version of the saved-state format; a file from a newer version is refused.
pub const FORMAT_VERSION: u32 = 1;

/// `min_df` / `max_df`: an absolute document count or a proportion of the documents.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DocFreq {
    /// A number of documents.
    Count(u64),
    /// A proportion of the documents, in [0, 1].
    Proportion(f64),
}

impl DocFreq {
    fn validate(self, name: &str) -> Result<()> {
        match self {
            DocFreq::Proportion(p) if !(0.0..=1.0).contains(&p) => Err(Error::param(
                name,
                format!("a float must be in [0.0, 1.0] (a proportion of documents), got {p}"),
            )),
            DocFreq::Count(0) => Err(Error::param(
                name,
                "an int must be >= 1 (a number of documents), got 0",
            )),
            _ => Ok(()),
        }
    }

    fn documents(self, n_docs: usize) -> f64 {
        match self {
            DocFreq::Count(c) => c as f64,
            DocFreq::Proportion(p) => p * n_docs as f64,
        }
    }
}

/// Row normalisation (`norm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Norm {
    /// Rows sum to 1 in absolute value.
    L1,
    /// Rows have unit Euclidean length.
    L2,
}

/// Element type of the output matrix (`dtype`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dtype {
    /// 32-bit float.
    Float32,
    /// 64-bit float.
    Float64,
    /// 32-bit integer (counts only).
    Int32,
    /// 64-bit integer (counts only).
    Int64,
}

/// TF-IDF weighting parameters; absent for a count vectorizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weighting {
    /// Row normalisation.
    pub norm: Option<Norm>,
    /// Multiply by the inverse document frequency.
    pub use_idf: bool,
    /// Add one to document frequencies, as if a document held every term once.
    pub smooth_idf: bool,
    /// Replace tf by 1 + ln(tf).
    pub sublinear_tf: bool,
}

/// All parameters of a count or TF-IDF vectorizer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorizerConfig {
    /// How texts become terms.
    pub analysis: AnalyzerConfig,
    /// Drop terms in more documents than this.
    pub max_df: DocFreq,
    /// Drop terms in fewer documents than this.
    pub min_df: DocFreq,
    /// Keep only the most frequent terms (ties broken by term).
    pub max_features: Option<usize>,
    /// Counts become 0/1.
    pub binary: bool,
    /// Output element type.
    pub dtype: Dtype,
    /// TF-IDF weighting; `None` gives raw counts.
    pub weighting: Option<Weighting>,
}

impl VectorizerConfig {
    /// Check every value-domain rule, naming the parameter at fault.
    pub fn validate(&self) -> Result<()> {
        self.max_df.validate("max_df")?;
        self.min_df.validate("min_df")?;
        if self.max_features == Some(0) {
            return Err(Error::param("max_features", "must be >= 1 or None, got 0"));
        }
        if self.weighting.is_some() && matches!(self.dtype, Dtype::Int32 | Dtype::Int64) {
            return Err(Error::param(
                "dtype",
                "TF-IDF weights need a float dtype (float32 or float64)",
            ));
        }
        Ok(())
    }
}

/// Learned state: the vocabulary in column order and, for TF-IDF, the idf vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedState {
    /// Terms, column `i` is `terms.get(i)`.
    pub terms: Strings,
    /// Inverse document frequencies (TF-IDF with `use_idf` only).
    pub idf: Option<Vec<f64>>,
    /// The vocabulary was given by the user, not learned.
    pub fixed_vocabulary: bool,
}

/// What `save` writes: format version, parameters, learned state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedVectorizer {
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// Parameters the core runs with.
    pub config: VectorizerConfig,
    /// The estimator's own parameters as its language binding spells them (opaque here).
    #[serde(default)]
    pub params: serde_json::Value,
    /// Learned state, if fitted.
    pub state: Option<FittedState>,
}

/// Output values of a CSR matrix, in the requested dtype.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// float32 values.
    F32(Vec<f32>),
    /// float64 values.
    F64(Vec<f64>),
    /// int32 values.
    I32(Vec<i32>),
    /// int64 values.
    I64(Vec<i64>),
}

/// A CSR matrix as three arrays.
#[derive(Debug, Clone, PartialEq)]
pub struct Csr {
    /// Row `r` spans `indptr[r]..indptr[r + 1]`.
    pub indptr: Vec<i64>,
    /// Column of each stored value.
    pub indices: Vec<i32>,
    /// Stored values.
    pub data: Values,
    /// Columns.
    pub n_cols: usize,
    /// Whether the columns of every row are in increasing order (scipy's
    /// `has_sorted_indices`). A fit leaves them in order of appearance, as sklearn does.
    pub sorted_indices: bool,
}

impl Csr {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }
}

/// Per-row (term id, raw count) pairs of a chunk of documents.
struct Rows {
    /// Row `r` spans `ptr[r]..ptr[r + 1]` of `cells`.
    ptr: Vec<usize>,
    cells: Vec<(u32, u32)>,
}

impl Rows {
    /// No rows yet.
    fn new() -> Self {
        Rows {
            ptr: vec![0],
            cells: Vec::new(),
        }
    }
}

/// Counts the ids of one document at a time, without sorting or hashing: a dense counter
/// indexed by id plus the list of ids seen in the current document.
///
/// Whether an id is new to the document is data, not a branch (about half the tokens of a news
/// story are a first occurrence, so a branch on it mispredicts often): each id is written to
/// the next slot of `seen`, which only advances for a new one.
#[derive(Default)]
struct DocCounter {
    counts: Vec<u32>,
    /// The ids seen in this document are `seen[..n_seen]`; one slot more than `counts`, so
    /// the next write always has room.
    seen: Vec<u32>,
    n_seen: usize,
}

impl DocCounter {
    #[inline(always)]
    fn add(&mut self, id: u32) {
        let i = id as usize;
        if i >= self.counts.len() {
            self.grow(i);
        }
        let count = &mut self.counts[i];
        if let Some(slot) = self.seen.get_mut(self.n_seen) {
            *slot = id;
        }
        self.n_seen += usize::from(*count == 0);
        *count += 1;
    }

    /// Room for id `i`: ids arrive one new one at a time, so the counter doubles.
    #[cold]
    #[inline(never)]
    fn grow(&mut self, i: usize) {
        self.counts.resize((i + 1).max(2 * self.counts.len()), 0);
        self.seen.resize(self.counts.len() + 1, 0);
    }

    /// Append this document's (id | `tag`, count) cells and reset for the next document.
    fn flush(&mut self, cells: &mut Vec<(u32, u32)>, tag: u32) {
        for &id in self.seen.get(..self.n_seen).unwrap_or_default() {
            let c = std::mem::take(&mut self.counts[id as usize]);
            cells.push((id | tag, c));
        }
        self.n_seen = 0;
    }
}

/// Marks the chunk-local id of an n-gram of two or more tokens while unigrams are counted
/// apart. A chunk's ids stay below it: its key table would need 64 GiB (2^32 slots of 16
/// bytes) before they reached it.
const NGRAM: u32 = 1 << 31;

/// A word n-gram as the ids of its tokens (+1, 32 bits each, zero-padded): n-grams of up to
/// [`MAX_PACKED`] tokens are counted without building their strings. Up to bigrams the key is a
/// `u64`, which halves the hash tables' memory (and cache misses) against a `u128`.
trait Packed:
    Copy
    + Default
    + Ord
    + std::hash::Hash
    + Send
    + Sync
    + From<u32>
    + TryInto<u32>
    + BitOr<Output = Self>
    + BitAnd<Output = Self>
    + Shl<u32, Output = Self>
    + Shr<u32, Output = Self>
{
    /// Tokens one key holds.
    const TOKENS: usize;

    /// The lowest 32 bits.
    #[inline]
    fn low(self) -> u32 {
        (self & Self::from(u32::MAX)).try_into().unwrap_or(0)
    }

    /// The key with its 32-bit token slots in reverse order, so that integer order compares
    /// the first token first, then the second... (an absent token, 0, sorts first).
    #[inline]
    fn first_token_major(self) -> Self {
        let mut out = Self::from(0);
        let mut k = self;
        for _ in 0..Self::TOKENS {
            out = (out << 32) | Self::from(k.low());
            k = k >> 32;
        }
        out
    }
}

impl Packed for u64 {
    const TOKENS: usize = 2;
}

impl Packed for u128 {
    const TOKENS: usize = 4;
}

const MAX_PACKED: usize = <u128 as Packed>::TOKENS;

#[inline]
fn pack<K: Packed>(ids: &[u32]) -> K {
    ids.iter().enumerate().fold(K::from(0), |k, (i, &id)| {
        k | (K::from(id + 1) << (32 * i as u32))
    })
}

/// `key` with each token id `i` replaced by `map[i]`.
fn relabel<K: Packed>(key: K, map: &[u32]) -> K {
    let zero = K::from(0);
    let mut out = zero;
    let mut k = key;
    let mut shift = 0;
    while k != zero {
        let id = k.low() as usize - 1;
        out = out | (K::from(map[id] + 1) << shift);
        k = k >> 32;
        shift += 32;
    }
    out
}

/// Append the n-gram `key` as a string to `out`: its tokens, named by `term`, joined by spaces.
fn unpack_into<'t, K: Packed>(key: K, term: impl Fn(u32) -> &'t str, out: &mut String) {
    let mut k = key;
    let mut n = 0;
    while k != K::from(0) && n < MAX_PACKED {
        if n > 0 {
            out.push(' ');
        }
        out.push_str(term(k.low() - 1));
        n += 1;
        k = k >> 32;
    }
}

/// A chunk's packed term keys, its rows (n-gram cells still marked [`NGRAM`]) and its number
/// of tokens, as counted, before [`chunk_counts`].
type Counted<K> = (Vec<K>, Rows, u32);

/// One chunk's counts against its own term ids (`keys[id]` names the term).
struct ChunkCounts<K> {
    keys: Vec<K>,
    rows: Rows,
    df: Vec<u32>,
    tf: Vec<u64>,
}

/// Count a chunk's document and term frequencies. A cell id marked with [`NGRAM`] is the
/// chunk's n-gram id `id & !NGRAM`, whose term id follows the chunk's `n_tokens` token ids:
/// it is rewritten to that term id on the way (one pass over the cells for both).
fn chunk_counts<K>(keys: Vec<K>, mut rows: Rows, binary: bool, n_tokens: u32) -> ChunkCounts<K> {
    let mut df = vec![0u32; keys.len()];
    let mut tf = vec![0u64; keys.len()];
    for cell in &mut rows.cells {
        if cell.0 & NGRAM != 0 {
            cell.0 = n_tokens + (cell.0 & !NGRAM);
        }
        let (id, c) = *cell;
        df[id as usize] += 1;
        tf[id as usize] += if binary { 1 } else { c as u64 };
    }
    ChunkCounts { keys, rows, df, tf }
}

/// The corpus vocabulary after merging the chunks: key, document and term frequency of each
/// merged term, and for every chunk the merged id of each of its term ids.
struct Merged<K> {
    keys: Vec<K>,
    df: Vec<u64>,
    tf: Vec<u64>,
    chunk_ids: Vec<Vec<u32>>,
}

/// One merged shard: keys, df, tf, and per chunk the shard ids of its terms.
type ShardOut<K> = (Vec<K>, Vec<u64>, Vec<u64>, Vec<Vec<u32>>);

/// Shards of the parallel vocabulary merge.
const SHARDS: usize = 64;

/// Merge chunk vocabularies in parallel: each shard of the key space is merged by one task.
/// Term frequencies are summed only when `with_tf` (they serve `max_features`; `tf` is left
/// empty otherwise).
fn merge<K>(chunks: &[ChunkCounts<K>], hasher: &DefaultHashBuilder, with_tf: bool) -> Merged<K>
where
    K: std::hash::Hash + Eq + Copy + Send + Sync,
{
    // (key, term id, df) of each chunk's terms, by shard: copied in one sequential read,
    // so that each shard's merge reads its terms one after another. The shards' sizes are
    // counted first, so that each list is allocated once.
    let by_shard: Vec<Vec<Vec<(K, u32, u32)>>> = chunks
        .par_iter()
        .map(|c| {
            let shard: Vec<u8> = c
                .keys
                .iter()
                .map(|k| (hasher.hash_one(k) >> 58) as u8 % SHARDS as u8)
                .collect();
            let mut sizes = [0usize; SHARDS];
            shard.iter().for_each(|&s| sizes[s as usize] += 1);
            let mut v: Vec<Vec<_>> = sizes.iter().map(|&n| Vec::with_capacity(n)).collect();
            for (id, ((k, &df), &s)) in c.keys.iter().zip(&c.df).zip(&shard).enumerate() {
                v[s as usize].push((*k, id as u32, df));
            }
            v
        })
        .collect();
    let shards: Vec<ShardOut<K>> = (0..SHARDS)
        .into_par_iter()
        .map(|s| {
            let cap: usize = by_shard.iter().map(|c| c[s].len()).sum();
            let mut map: HashMap<K, u32, FxBuildHasher> =
                HashMap::with_capacity_and_hasher(cap, FxBuildHasher);
            // At most `cap` distinct keys: reserved once (room never written costs no memory),
            // where growing would copy the lists again and again.
            let (mut keys, mut df) = (Vec::with_capacity(cap), Vec::with_capacity(cap));
            let mut tf = Vec::with_capacity(if with_tf { cap } else { 0 });
            let mut ids_per_chunk = Vec::with_capacity(chunks.len());
            for (c, chunk) in chunks.iter().enumerate() {
                let mut ids = Vec::with_capacity(by_shard[c][s].len());
                for &(key, local, d) in &by_shard[c][s] {
                    let next = keys.len() as u32;
                    let id = *map.entry(key).or_insert(next);
                    if id == next {
                        keys.push(key);
                        df.push(0);
                        if with_tf {
                            tf.push(0);
                        }
                    }
                    df[id as usize] += u64::from(d);
                    if with_tf {
                        tf[id as usize] += chunk.tf[local as usize];
                    }
                    ids.push(id);
                }
                ids_per_chunk.push(ids);
            }
            (keys, df, tf, ids_per_chunk)
        })
        .collect();
    let mut offsets = Vec::with_capacity(SHARDS);
    let mut total = 0u32;
    for s in &shards {
        offsets.push(total);
        total += s.0.len() as u32;
    }
    let chunk_ids = chunks
        .par_iter()
        .enumerate()
        .map(|(c, chunk)| {
            let mut ids = vec![0u32; chunk.keys.len()];
            for (s, shard) in shards.iter().enumerate() {
                for (&(_, local, _), &id) in by_shard[c][s].iter().zip(&shard.3[c]) {
                    ids[local as usize] = offsets[s] + id;
                }
            }
            ids
        })
        .collect();
    drop(by_shard);
    // The shards' lists are copied into place in parallel (the copy is mostly first writes
    // to fresh pages).
    let mut merged = Merged {
        keys: Vec::new(),
        df: Vec::new(),
        tf: Vec::new(),
        chunk_ids,
    };
    let (mut keys, mut df, mut tf) = (Vec::new(), Vec::new(), Vec::new());
    for shard in shards {
        keys.push(shard.0);
        df.push(shard.1);
        tf.push(shard.2);
    }
    concat_par(&mut merged.keys, keys);
    concat_par(&mut merged.df, df);
    concat_par(&mut merged.tf, tf);
    merged
}

/// The merge of unigram chunks whose keys are already corpus-wide token labels (`0..n`):
/// the merged id of a term is its label, so counts add up in arrays, without hashing.
fn merge_tokens<K: Packed>(chunks: &[ChunkCounts<K>], n: usize) -> Merged<K> {
    let mut df = vec![0u64; n];
    let mut tf = vec![0u64; n];
    let chunk_ids = chunks
        .iter()
        .map(|c| {
            let ids: Vec<u32> = c.keys.iter().map(|k| k.low() - 1).collect();
            for ((&id, &d), &t) in ids.iter().zip(&c.df).zip(&c.tf) {
                df[id as usize] += u64::from(d);
                tf[id as usize] += t;
            }
            ids
        })
        .collect();
    Merged {
        keys: (1..=n as u32).map(K::from).collect(),
        df,
        tf,
        chunk_ids,
    }
}

/// One range of [`rank_tokens`]: its distinct strings in order, and for each interner the
/// rank in the range of each of its ids there.
type RangeRanks = (Strings, Vec<Vec<u32>>);

/// The distinct strings of several interners in string order: for each interner, the rank
/// of each of its ids, and the strings by rank.
///
/// Strings are split by first byte, which cuts the string order into ranges: each range is
/// deduplicated and sorted on its own, in parallel, and the ranks of a range follow those of
/// the ranges before it.
fn rank_tokens(locals: &[Interner]) -> (Vec<Vec<u32>>, Strings) {
    const RANGES: usize = 256;
    let range_of = |t: &str| t.as_bytes().first().map_or(0, |&b| b as usize);
    // Ids of each interner, by range.
    let by_range: Vec<Vec<Vec<u32>>> = locals
        .par_iter()
        .map(|local| {
            let mut v = vec![Vec::new(); RANGES];
            for (l, t) in local.terms().enumerate() {
                v[range_of(t)].push(l as u32);
            }
            v
        })
        .collect();
    let ranges: Vec<RangeRanks> = (0..RANGES)
        .into_par_iter()
        .map(|r| {
            // The range's distinct strings number at least those of its largest list, and
            // mostly a few times more (chunks share most of their frequent words).
            let largest = by_range.iter().map(|lists| lists[r].len()).max();
            let mut distinct = Interner::with_capacity(2 * largest.unwrap_or(0));
            let ids: Vec<Vec<u32>> = by_range
                .iter()
                .enumerate()
                .map(|(c, lists)| {
                    let local = &locals[c];
                    lists[r]
                        .iter()
                        .map(|&l| distinct.intern(local.term(l)))
                        .collect()
                })
                .collect();
            // Sorted by their first 8 bytes as an integer, then (on a tie) as strings: the
            // same order as the strings', with few visits to them.
            let mut order: Vec<(u64, u32)> = distinct
                .terms()
                .enumerate()
                .map(|(id, t)| (prefix_key(t), id as u32))
                .collect();
            order.sort_unstable_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| distinct.term(a.1).cmp(distinct.term(b.1)))
            });
            let mut rank = vec![0u32; order.len()];
            let mut named = Strings::with_capacity(order.len());
            for (k, &(_, id)) in order.iter().enumerate() {
                rank[id as usize] = k as u32;
                named.push(distinct.term(id));
            }
            let ranked = ids
                .into_iter()
                .map(|v| v.into_iter().map(|id| rank[id as usize]).collect())
                .collect();
            (named, ranked)
        })
        .collect();
    let mut offsets = Vec::with_capacity(RANGES);
    let mut sorted = Strings::default();
    for (named, _) in &ranges {
        offsets.push(sorted.len() as u32);
        sorted.extend(named);
    }
    let labels = by_range
        .par_iter()
        .enumerate()
        .map(|(c, lists)| {
            let mut labels = vec![0u32; locals[c].len()];
            for (r, list) in lists.iter().enumerate() {
                for (&l, &k) in list.iter().zip(&ranges[r].1[c]) {
                    labels[l as usize] = offsets[r] + k;
                }
            }
            labels
        })
        .collect();
    (labels, sorted)
}

/// The first 8 bytes of `s` as a big-endian integer (zero-padded): integers compare as the
/// strings do, except that a tie needs the rest of the strings.
fn prefix_key(s: &str) -> u64 {
    let mut b = [0u8; 8];
    let n = s.len().min(8);
    b[..n].copy_from_slice(&s.as_bytes()[..n]);
    u64::from_be_bytes(b)
}

/// Strings back to back, named by their position: a list of terms held in two allocations
/// (a fitted vocabulary of a million n-grams is not a million heap strings to build and free).
/// Serialized as a list of strings.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Strings {
    text: String,
    /// Where each string ends in `text`.
    ends: Vec<usize>,
}

impl Strings {
    /// An empty list with room for `n` strings.
    pub fn with_capacity(n: usize) -> Self {
        Strings {
            text: String::new(),
            ends: Vec::with_capacity(n),
        }
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Append `s`.
    pub fn push(&mut self, s: &str) {
        self.push_with(|text| text.push_str(s));
    }

    /// Append the string that `write` appends to the buffer it is given.
    #[inline]
    fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        write(&mut self.text);
        self.ends.push(self.text.len());
    }

    /// Append the strings of `other`.
    pub fn extend(&mut self, other: &Strings) {
        let base = self.text.len();
        self.text.push_str(&other.text);
        self.ends.extend(other.ends.iter().map(|&e| base + e));
    }

    /// String `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&str> {
        let start = match i {
            0 => 0,
            _ => *self.ends.get(i - 1)?,
        };
        self.text.get(start..*self.ends.get(i)?)
    }

    /// The strings in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or_default())
    }

    /// The strings as a vector of owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

impl<S: AsRef<str>> FromIterator<S> for Strings {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut out = Strings::default();
        iter.into_iter().for_each(|s| out.push(s.as_ref()));
        out
    }
}

impl std::fmt::Debug for Strings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Strings {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        Ok(Vec::<String>::deserialize(deserializer)?.iter().collect())
    }
}

/// Numeric output element.
trait Num: Copy + Send + Sync {
    fn from_f64(x: f64) -> Self;
}
impl Num for f32 {
    fn from_f64(x: f64) -> Self {
        x as f32
    }
}
impl Num for f64 {
    fn from_f64(x: f64) -> Self {
        x
    }
}
impl Num for i32 {
    fn from_f64(x: f64) -> Self {
        x as i32
    }
}
impl Num for i64 {
    fn from_f64(x: f64) -> Self {
        x as i64
    }
}

/// Divide `row` by its l1 or l2 norm, as sklearn's `normalize` (zero rows stay zero).
pub fn normalize_row(row: &mut [f64], norm: Option<Norm>) {
    let total = match norm {
        None => return,
        Some(Norm::L1) => row.iter().map(|v| v.abs()).sum::<f64>(),
        Some(Norm::L2) => row.iter().map(|v| v * v).sum::<f64>().sqrt(),
    };
    if total != 0.0 {
        row.iter_mut().for_each(|v| *v /= total);
    }
}

/// The counting state of one part of a packed fit (see `fit_packed`).
struct PackedPart<K> {
    /// The part's tokens.
    tokens: Interner,
    /// Its distinct n-grams of two or more tokens, and their keys in id order.
    terms: KeyTable<K>,
    keys: Vec<K>,
    /// Scratch: a document's n-gram keys with their hashes, its token ids, its n-gram
    /// cells (counted by `terms`), a buffer for lower-casing.
    grams: Vec<(u64, K)>,
    ids: Vec<u32>,
    doc_grams: Vec<(u32, u32)>,
    buf: String,
    /// A document's unigram counts.
    singles: DocCounter,
    rows: Rows,
}

/// Documents per chunk of the parallel passes that do not use `contiguous_parts` (fits on
/// strings, transform): two chunks per thread. More chunks balance the
/// load better but repeat each common term in more chunk vocabularies for the merge (on
/// NewsArticles at 2 threads, 4 chunks per thread cost 8% more CPU for bigrams, 4% for
/// unigrams); one chunk per thread leaves a thread idle whenever the other is held up.
fn chunk_len(n_docs: usize) -> usize {
    let parts = rayon::current_num_threads() * 2;
    n_docs.div_ceil(parts).clamp(1, 2048)
}

/// Columns kept by `min_df`/`max_df`/`max_features`, as (sort key, merged id) in vocabulary
/// order: `key(id)` orders merged terms exactly as their strings do.
fn select_terms<K: Sync, O: Ord + Send>(
    merged: &Merged<K>,
    key: impl Fn(u32) -> O + Sync,
    config: &VectorizerConfig,
    n_docs: usize,
) -> Result<Vec<(O, u32)>> {
    let high = config.max_df.documents(n_docs);
    let low = config.min_df.documents(n_docs);
    if high < low {
        return Err(Error::param(
            "max_df",
            format!(
                "max_df corresponds to fewer documents ({high}) than min_df ({low}) for \
                 {n_docs} documents"
            ),
        ));
    }
    let mut kept: Vec<(O, u32)> = (0..merged.df.len() as u32)
        .into_par_iter()
        .filter(|&i| {
            let d = merged.df[i as usize] as f64;
            d <= high && d >= low
        })
        .map(|i| (key(i), i))
        .collect();
    if let Some(limit) = config.max_features {
        if kept.len() > limit {
            // Most frequent first; equal frequencies in term order.
            let tf = &merged.tf;
            kept.par_sort_unstable_by(|a, b| {
                tf[b.1 as usize]
                    .cmp(&tf[a.1 as usize])
                    .then_with(|| a.0.cmp(&b.0))
            });
            kept.truncate(limit);
        }
    }
    if kept.is_empty() {
        return Err(Error::value(
            "raw_documents",
            None,
            "after pruning, no terms remain; try a lower min_df or a higher max_df",
        ));
    }
    kept.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(kept)
}

/// Inverse document frequencies: ln((1 + n) / (1 + df)) + 1 smoothed, ln(n / df) + 1 not.
pub fn idf(df: &[u64], n_docs: usize, smooth: bool) -> Vec<f64> {
    let s = if smooth { 1.0 } else { 0.0 };
    let of = |d: u64| ((n_docs as f64 + s) / (d as f64 + s)).ln() + 1.0;
    // Most terms are rare (Zipf): the values of small document frequencies are computed
    // once, and looked up (a logarithm costs tens of instructions; the values are the same).
    let small: Vec<f64> = (0..IDF_TABLE.min(n_docs as u64 + 1)).map(of).collect();
    df.par_iter()
        .map(|&d| small.get(d as usize).copied().unwrap_or_else(|| of(d)))
        .collect()
}

/// Document frequencies below this have their idf looked up in a table (8 KiB).
const IDF_TABLE: u64 = 1024;

/// A fitted (or vocabulary-given) count / TF-IDF vectorizer.
pub struct Vectorizer {
    config: VectorizerConfig,
    analyzer: Analyzer,
    state: Option<FittedState>,
    /// Term -> column, built on first use: a fit that is only followed by its own matrix
    /// never needs it.
    index: OnceLock<Interner>,
}

impl Vectorizer {
    /// Validate the parameters and build an unfitted vectorizer.
    pub fn new(config: VectorizerConfig, analyzer: Analyzer) -> Result<Vectorizer> {
        config.validate()?;
        Ok(Vectorizer {
            config,
            analyzer,
            state: None,
            index: OnceLock::new(),
        })
    }

    /// The parameters.
    pub fn config(&self) -> &VectorizerConfig {
        &self.config
    }

    /// Learned state, if fitted.
    pub fn state(&self) -> Option<&FittedState> {
        self.state.as_ref()
    }

    /// Install a learned (or loaded) state.
    pub fn set_state(&mut self, state: FittedState) -> Result<()> {
        let mut index = Interner::new();
        for (i, t) in state.terms.iter().enumerate() {
            if index.intern(t) != i as u32 {
                return Err(Error::param(
                    "vocabulary",
                    format!("duplicate term in vocabulary: {t:?}"),
                ));
            }
        }
        if let Some(idf) = &state.idf {
            if idf.len() != state.terms.len() {
                return Err(Error::Format(format!(
                    "idf has {} values for {} terms",
                    idf.len(),
                    state.terms.len()
                )));
            }
        }
        self.index = OnceLock::from(index);
        self.state = Some(state);
        Ok(())
    }

    /// Term -> column of the learned vocabulary.
    fn index(&self) -> &Interner {
        self.index.get_or_init(|| {
            self.state
                .as_ref()
                .map(|s| s.terms.iter().collect())
                .unwrap_or_default()
        })
    }

    /// Use `terms` as the vocabulary instead of learning one (sklearn's `vocabulary=`).
    pub fn set_vocabulary(&mut self, terms: Vec<String>) -> Result<()> {
        if terms.is_empty() {
            return Err(Error::param("vocabulary", "empty vocabulary passed to fit"));
        }
        self.set_state(FittedState {
            terms: terms.iter().collect(),
            idf: None,
            fixed_vocabulary: true,
        })
    }

    /// Learn the vocabulary (and idf) from `docs` and return their matrix. Runs on the
    /// current rayon pool.
    pub fn fit_transform(&mut self, docs: &[&str]) -> Result<Csr> {
        self.fit_transform_until(docs, &Interrupt::default())
    }

    /// [`fit_transform`](Self::fit_transform) that gives up with [`Error::Interrupted`] soon
    /// after `stop` is set, leaving the vectorizer as it was.
    pub fn fit_transform_until(&mut self, docs: &[&str], stop: &Interrupt) -> Result<Csr> {
        if docs.is_empty() {
            return Err(Error::value(
                "raw_documents",
                None,
                "empty corpus: fit needs at least one document",
            ));
        }
        let fixed = self.state.as_ref().filter(|s| s.fixed_vocabulary).cloned();
        if let Some(mut state) = fixed {
            let parts = self.count_known(docs, stop)?;
            if let Some(w) = self.config.weighting.filter(|w| w.use_idf) {
                let mut df = vec![0u64; state.terms.len()];
                for p in &parts {
                    p.cells.iter().for_each(|&(c, _)| df[c as usize] += 1);
                }
                state.idf = Some(idf(&df, docs.len(), w.smooth_idf));
            }
            self.set_state(state)?;
            return Ok(self.weigh(parts, true));
        }
        let hi = self.config.analysis.ngram_range.1;
        if self.analyzer.is_word() && hi <= <u64 as Packed>::TOKENS {
            self.fit_packed::<u64>(docs, stop)
        } else if self.analyzer.is_word() && hi <= MAX_PACKED {
            self.fit_packed::<u128>(docs, stop)
        } else {
            self.fit_strings(docs, stop)
        }
    }

    /// Fit on terms interned by their strings: character n-grams, long word n-grams, and word
    /// n-grams of tokens that hold spaces.
    fn fit_strings(&mut self, docs: &[&str], stop: &Interrupt) -> Result<Csr> {
        let hasher = DefaultHashBuilder::default();
        let binary = self.config.binary;
        let parts: Vec<(Interner, Rows)> = docs
            .par_chunks(chunk_len(docs.len()))
            .map(|chunk| {
                let mut terms = Interner::new();
                let mut scratch = Scratch::default();
                let mut counter = DocCounter::default();
                let mut rows = Rows::new();
                for doc in chunk {
                    if stop.is_set() {
                        break;
                    }
                    self.analyzer
                        .analyze(doc, &mut scratch, |t| counter.add(terms.intern(t)));
                    counter.flush(&mut rows.cells, 0);
                    rows.ptr.push(rows.cells.len());
                }
                (terms, rows)
            })
            .collect();
        stop.check()?;
        let (interners, rows): (Vec<Interner>, Vec<Rows>) = parts.into_iter().unzip();
        let chunks: Vec<ChunkCounts<&str>> = interners
            .par_iter()
            .zip(rows)
            .map(|(terms, rows)| {
                let keys = (0..terms.len() as u32).map(|i| terms.term(i)).collect();
                chunk_counts(keys, rows, binary, 0)
            })
            .collect();
        let merged = merge(&chunks, &hasher, self.config.max_features.is_some());
        let rows = chunks.into_iter().map(|c| c.rows).collect();
        let parts = self.finish_fit(
            docs.len(),
            merged,
            rows,
            |k: &&str| k.to_string(),
            |name: &String, out: &mut String| out.push_str(name),
        )?;
        drop(interners);
        Ok(self.weigh(parts, false))
    }

    /// Fit on word n-grams counted as packed token ids (`K` holds up to `K::TOKENS` tokens).
    fn fit_packed<K: Packed>(&mut self, docs: &[&str], stop: &Interrupt) -> Result<Csr> {
        let hasher = DefaultHashBuilder::default();
        let binary = self.config.binary;
        let (lo, hi) = self.config.analysis.ngram_range;
        // Word n-grams, counted as packed ids of chunk-local tokens; the keys (one per
        // distinct n-gram of a chunk) are then rewritten to global token ids, and strings
        // are built only for the terms that are kept.
        let unigrams = (lo, hi) == (1, 1);
        // One part per thread unless a thread falls behind (see `contiguous_parts`): each
        // part's tables are merged afterwards.
        let lens: Vec<usize> = docs.iter().map(|d| d.len()).collect();
        let parts = contiguous_parts(
            &lens,
            |_, bytes| PackedPart::<K> {
                tokens: Interner::for_text(bytes),
                // Distinct n-grams of a part: about one per 8 bytes of news text; sizing
                // the table up front avoids rehashing as it grows.
                terms: KeyTable::with_capacity(if unigrams { 0 } else { bytes / 8 }),
                keys: Vec::with_capacity(if unigrams { 0 } else { bytes / 8 }),
                grams: Vec::new(),
                singles: DocCounter::default(),
                doc_grams: Vec::new(),
                rows: Rows {
                    ptr: vec![0],
                    cells: Vec::new(),
                },
                ids: Vec::new(),
                buf: String::new(),
            },
            |p, i| {
                if stop.is_set() {
                    return;
                }
                let doc = docs[i];
                // Unigrams are counted by token id, longer n-grams by their id in `terms`,
                // marked with NGRAM while the part's number of tokens is unknown.
                if unigrams {
                    let (tokens, singles) = (&mut p.tokens, &mut p.singles);
                    self.analyzer.for_each_word_key(
                        doc,
                        &mut p.buf,
                        #[inline(always)]
                        |k| singles.add(tokens.intern_key(k)),
                    );
                } else {
                    p.ids.clear();
                    let (tokens, ids) = (&mut p.tokens, &mut p.ids);
                    self.analyzer
                        .for_each_word_key(doc, &mut p.buf, |k| ids.push(tokens.intern_key(k)));
                    if lo == 1 {
                        p.ids.iter().for_each(|&t| p.singles.add(t));
                    }
                    p.grams.clear();
                    crate::analyzer::for_each_ngram(&p.ids, lo.max(2), hi, |w| {
                        let key = pack(w);
                        p.grams.push((KeyTable::<K>::hash(key), key));
                    });
                    // Each key's slot is fetched LOOKAHEAD keys before its lookup.
                    for &(h, _) in p.grams.iter().take(LOOKAHEAD) {
                        p.terms.prefetch(h);
                    }
                    for (i, &(h, key)) in p.grams.iter().enumerate() {
                        if let Some(&(ahead, _)) = p.grams.get(i + LOOKAHEAD) {
                            p.terms.prefetch(ahead);
                        }
                        if p.terms.count_in(h, key, &mut p.doc_grams) {
                            p.keys.push(key);
                        }
                    }
                }
                // As sklearn's analyzer gives them: unigrams, then longer n-grams, each in
                // order of first appearance.
                p.singles.flush(&mut p.rows.cells, 0);
                let tag = if lo == 1 { NGRAM } else { 0 };
                p.rows
                    .cells
                    .extend(p.doc_grams.drain(..).map(|(id, c)| (id | tag, c)));
                p.rows.ptr.push(p.rows.cells.len());
            },
        );
        // In parallel, as when each part's keys were finished by its own thread: with lo == 1
        // each part's keys are rebuilt, hundreds of thousands for bigrams.
        let counted: Vec<(Interner, Vec<K>, Rows)> = parts
            .into_par_iter()
            .map(|p| {
                let mut keys = p.keys;
                if lo == 1 {
                    // The part's term ids: its tokens, then the n-grams of `terms` (the
                    // cells marked NGRAM are rewritten to these ids by `chunk_counts`).
                    let n_tokens = p.tokens.len() as u32;
                    keys = (0..n_tokens).map(|i| pack(&[i])).chain(keys).collect();
                }
                (p.tokens, keys, p.rows)
            })
            .collect();
        stop.check()?;
        let (locals, counted): (Vec<Interner>, Vec<Counted<K>>) = counted
            .into_iter()
            .map(|(tokens, keys, rows)| {
                let n_tokens = tokens.len() as u32;
                (tokens, (keys, rows, n_tokens))
            })
            .unzip();
        // Tokens are labelled by their rank in string order. A term is its tokens joined by
        // spaces, so when no token holds a space or a control byte (bytes that sort before
        // every other) distinct n-grams have distinct strings and sort like their tokens'
        // ranks, first token first: the vocabulary is sorted as integers, and strings are
        // built only for the terms kept. Otherwise ("a b" + "c" and "a" + "b c" are one term)
        // the n-grams are counted again by their strings.
        let spaced = |t: &Interner| !t.terms().all(|t| t.bytes().all(|b| b > b' '));
        if !unigrams && locals.par_iter().any(spaced) {
            drop(counted);
            return self.fit_strings(docs, stop);
        }
        let (labels, sorted) = rank_tokens(&locals);
        // The tokens are named by `sorted`: free the chunks' tables.
        drop(locals);
        let chunks: Vec<ChunkCounts<K>> = counted
            .into_par_iter()
            .zip(labels.par_iter())
            .map(|((keys, rows, n_tokens), labels)| {
                let keys = keys.into_iter().map(|k| relabel(k, labels)).collect();
                chunk_counts(keys, rows, binary, n_tokens)
            })
            .collect();
        let merged = if unigrams {
            merge_tokens(&chunks, sorted.len())
        } else {
            merge(&chunks, &hasher, self.config.max_features.is_some())
        };
        let rows = chunks.into_iter().map(|c| c.rows).collect();
        let parts = self.finish_fit(
            docs.len(),
            merged,
            rows,
            |&k: &K| k.first_token_major(),
            // Reversing the token slots twice gives the key back.
            |&order: &K, out: &mut String| {
                let term = |label: u32| sorted.get(label as usize).unwrap_or_default();
                unpack_into(order.first_token_major(), term, out)
            },
        )?;
        // The tokens are named: free them before the output is allocated.
        drop(sorted);
        Ok(self.weigh(parts, false))
    }

    /// Select and sort the vocabulary (the fitted state) and rewrite the chunks' rows to
    /// output columns, for the caller to weigh once it has freed what named the terms. `key`
    /// orders merged terms as their strings do; `name` gives a kept term's string from its
    /// `key`.
    fn finish_fit<K: Sync, O: Ord + Send + Sync>(
        &mut self,
        n_docs: usize,
        merged: Merged<K>,
        rows: Vec<Rows>,
        key: impl Fn(&K) -> O + Sync,
        name: impl Fn(&O, &mut String) + Sync,
    ) -> Result<Vec<Rows>> {
        if merged.keys.is_empty() {
            return Err(Error::value(
                "raw_documents",
                None,
                "empty vocabulary; perhaps the documents only contain stop words",
            ));
        }
        let kept = select_terms(
            &merged,
            |m| key(&merged.keys[m as usize]),
            &self.config,
            n_docs,
        )?;
        // Merged id -> output column (u32::MAX = dropped).
        let mut column = vec![u32::MAX; merged.keys.len()];
        for (col, (_, m)) in kept.iter().enumerate() {
            column[*m as usize] = col as u32;
        }
        let parts: Vec<Rows> = rows
            .into_par_iter()
            .zip(merged.chunk_ids.par_iter())
            .map(|(r, ids)| {
                let local: Vec<u32> = ids.iter().map(|&m| column[m as usize]).collect();
                remap_rows(r, &local)
            })
            .collect();
        let idf_values = self.config.weighting.filter(|w| w.use_idf).map(|w| {
            let df_kept: Vec<u64> = kept.iter().map(|(_, m)| merged.df[*m as usize]).collect();
            idf(&df_kept, n_docs, w.smooth_idf)
        });
        // The terms are written in parallel pieces, then put back to back.
        let piece = kept.len().div_ceil(4 * rayon::current_num_threads()).max(1);
        let pieces: Vec<Strings> = kept
            .par_chunks(piece)
            .map(|part| {
                let mut out = Strings::with_capacity(part.len());
                part.iter().for_each(|(k, _)| out.push_with(|s| name(k, s)));
                out
            })
            .collect();
        drop(kept);
        let mut terms = Strings::with_capacity(pieces.iter().map(Strings::len).sum());
        terms
            .text
            .reserve(pieces.iter().map(|p| p.text.len()).sum());
        pieces.iter().for_each(|p| terms.extend(p));
        drop(merged);
        // The terms are distinct by construction: no need for set_state's checks.
        self.state = Some(FittedState {
            terms,
            idf: idf_values,
            fixed_vocabulary: false,
        });
        self.index = OnceLock::new();
        Ok(parts)
    }

    /// The matrix of `docs` over the learned vocabulary; unknown terms are ignored.
    pub fn transform(&self, docs: &[&str]) -> Result<Csr> {
        self.transform_until(docs, &Interrupt::default())
    }

    /// [`transform`](Self::transform) that gives up with [`Error::Interrupted`] soon after
    /// `stop` is set.
    pub fn transform_until(&self, docs: &[&str], stop: &Interrupt) -> Result<Csr> {
        if self.state.is_none() {
            return Err(Error::NotFitted(
                "this vectorizer is not fitted yet: call fit or fit_transform first".into(),
            ));
        }
        Ok(self.weigh(self.count_known(docs, stop)?, true))
    }

    /// Counts of the vocabulary's terms in each document, by chunk, rows sorted by column.
    fn count_known(&self, docs: &[&str], stop: &Interrupt) -> Result<Vec<Rows>> {
        let index = self.index();
        let parts = docs
            .par_chunks(chunk_len(docs.len()))
            .map(|chunk| {
                let mut scratch = Scratch::default();
                let mut counter = DocCounter::default();
                let mut rows = Rows::new();
                for doc in chunk {
                    if stop.is_set() {
                        break;
                    }
                    self.analyzer.analyze(doc, &mut scratch, |t| {
                        if let Some(c) = index.get(t) {
                            counter.add(c);
                        }
                    });
                    let start = rows.cells.len();
                    counter.flush(&mut rows.cells, 0);
                    rows.cells[start..].sort_unstable_by_key(|&(c, _)| c);
                    rows.ptr.push(rows.cells.len());
                }
                rows
            })
            .collect();
        stop.check()?;
        Ok(parts)
    }

    /// Turn chunks of raw counts into the output matrix: binary, sublinear tf, idf, norm,
    /// dtype.
    fn weigh(&self, parts: Vec<Rows>, sorted_indices: bool) -> Csr {
        let n_cols = self.state.as_ref().map_or(0, |s| s.terms.len());
        let data = match self.config.dtype {
            Dtype::Float32 => Values::F32(self.weigh_as(&parts)),
            Dtype::Float64 => Values::F64(self.weigh_as(&parts)),
            Dtype::Int32 => Values::I32(self.weigh_as(&parts)),
            Dtype::Int64 => Values::I64(self.weigh_as(&parts)),
        };
        let mut indptr = Vec::with_capacity(parts.iter().map(|p| p.ptr.len()).sum());
        indptr.push(0i64);
        let mut base = 0;
        for p in &parts {
            indptr.extend(p.ptr[1..].iter().map(|&x| base + x as i64));
            base += p.cells.len() as i64;
        }
        // Each part fills its own slice, and is freed once written: the cells of the parts
        // still to be written and the output are all the memory held.
        let mut indices = Vec::new();
        extend_par(&mut indices, parts, cell_count, |p, sink| {
            sink.write_mapped(&p.cells, |&(c, _)| c as i32)
        });
        Csr {
            indptr,
            indices,
            data,
            n_cols,
            sorted_indices,
        }
    }

    fn weigh_as<T: Num>(&self, parts: &[Rows]) -> Vec<T> {
        let binary = self.config.binary;
        let tf = move |c: u32| if binary { 1.0 } else { c as f64 };
        let weighting = self.config.weighting;
        let idf = self.state.as_ref().and_then(|s| s.idf.as_deref());
        // Each part writes its own piece of the output: no per-part buffers to concatenate.
        let mut out = Vec::new();
        extend_par(
            &mut out,
            parts.iter().collect(),
            |p| cell_count(p),
            |rows, sink| {
                let Some(w) = weighting else {
                    return sink.write_mapped(&rows.cells, |&(_, c)| T::from_f64(tf(c)));
                };
                // Row by row: a row's values are normalized together.
                let mut vals: Vec<f64> = Vec::new();
                for bounds in rows.ptr.windows(2) {
                    let cells = rows.cells.get(bounds[0]..bounds[1]).unwrap_or_default();
                    vals.clear();
                    vals.extend(cells.iter().map(|&(col, c)| {
                        let mut v = tf(c);
                        if w.sublinear_tf {
                            v = v.ln() + 1.0;
                        }
                        if let Some(idf) = idf {
                            v *= idf[col as usize];
                        }
                        v
                    }));
                    normalize_row(&mut vals, w.norm);
                    sink.write_mapped(&vals, |&v| T::from_f64(v));
                }
            },
        );
        out
    }

    /// Serialize parameters and state as versioned JSON; `params` are the binding's own
    /// parameters, stored verbatim so that loading rebuilds the same estimator.
    pub fn to_json(&self, params: serde_json::Value) -> Result<String> {
        let saved = SavedVectorizer {
            format_version: FORMAT_VERSION,
            config: self.config.clone(),
            params,
            state: self.state.clone(),
        };
        serde_json::to_string(&saved).map_err(|e| Error::Format(e.to_string()))
    }
}

#[derive(Deserialize)]
struct SavedHead {
    format_version: u32,
    #[serde(default)]
    params: serde_json::Value,
}

fn saved_head(json: &str) -> Result<SavedHead> {
    let head: SavedHead = serde_json::from_str(json)
        .map_err(|e| Error::Format(format!("not a saved wirenlp vectorizer: {e}")))?;
    if head.format_version > FORMAT_VERSION {
        return Err(Error::Format(format!(
            "saved with format version {}, this wirenlp reads up to version {FORMAT_VERSION}: \
             upgrade wirenlp",
            head.format_version
        )));
    }
    Ok(head)
}

/// The binding parameters of a saved vectorizer, refusing a newer format version.
pub fn parse_saved_params(json: &str) -> Result<serde_json::Value> {
    Ok(saved_head(json)?.params)
}

/// Parse a saved vectorizer, refusing a newer format version.
pub fn parse_saved(json: &str) -> Result<SavedVectorizer> {
    saved_head(json)?;
    serde_json::from_str(json)
        .map_err(|e| Error::Format(format!("not a saved wirenlp vectorizer: {e}")))
}

/// The number of cells of a part.
fn cell_count(part: &Rows) -> usize {
    part.cells.len()
}

/// Rewrite a chunk's cells to output columns (`u32::MAX` = dropped), in place; each row
/// keeps its order of first appearance.
fn remap_rows(mut rows: Rows, column: &[u32]) -> Rows {
    let mut w = 0;
    let mut read = 0;
    for r in 0..rows.ptr.len() - 1 {
        let end = rows.ptr[r + 1];
        for i in read..end {
            let (l, c) = rows.cells[i];
            let col = column[l as usize];
            if col != u32::MAX {
                rows.cells[w] = (col, c);
                w += 1;
            }
        }
        rows.ptr[r + 1] = w;
        read = end;
    }
    rows.cells.truncate(w);
    rows
}

/// The `n` largest values of each row of a CSR matrix: (row, column, value) triples, rows
/// in order, values descending, equal values by column. Zero values are skipped. Rows are
/// done in parallel on the current rayon pool. An `indptr` that does not start at 0, goes
/// down, or ends past `data`, or `indices` and `data` of different lengths, are errors
/// about `X` (naming the row).
pub fn top_terms(
    indptr: &[i64],
    indices: &[i64],
    data: &[f64],
    n: usize,
) -> Result<(Vec<i64>, Vec<i64>, Vec<f64>)> {
    let bad = |row, message: &str| Err(Error::value("X", row, message));
    if indices.len() != data.len() {
        return bad(None, "indices and data differ in length");
    }
    if indptr.first().is_some_and(|&p| p != 0) {
        return bad(None, "indptr must start at 0");
    }
    if let Some(r) = indptr.windows(2).position(|w| w[1] < w[0]) {
        return bad(Some(r), "indptr goes down at this row");
    }
    if indptr.last().is_some_and(|&p| p as usize > data.len()) {
        return bad(None, "indptr ends past the data");
    }
    let per_row: Vec<Vec<(i64, i64, f64)>> = indptr
        .par_windows(2)
        .enumerate()
        .map(|(r, w)| {
            let (a, b) = (w[0] as usize, w[1] as usize);
            let mut cells: Vec<(i64, f64)> = indices
                .get(a..b)
                .unwrap_or_default()
                .iter()
                .zip(data.get(a..b).unwrap_or_default())
                .filter(|(_, &v)| v != 0.0)
                .map(|(&c, &v)| (c, v))
                .collect();
            cells.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
            cells.truncate(n);
            cells.into_iter().map(|(c, v)| (r as i64, c, v)).collect()
        })
        .collect();
    let mut rows = Vec::new();
    let mut cols = Vec::new();
    let mut vals = Vec::new();
    for (r, c, v) in per_row.into_iter().flatten() {
        rows.push(r);
        cols.push(c);
        vals.push(v);
    }
    Ok((rows, cols, vals))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyzer::AnalyzerKind;

    fn config(weighting: Option<Weighting>) -> VectorizerConfig {
        VectorizerConfig {
            analysis: AnalyzerConfig::default(),
            max_df: DocFreq::Proportion(1.0),
            min_df: DocFreq::Count(1),
            max_features: None,
            binary: false,
            dtype: Dtype::Float64,
            weighting,
        }
    }

    fn vectorizer(c: VectorizerConfig) -> Vectorizer {
        let a = Analyzer::new(c.analysis.clone(), None, None).unwrap();
        Vectorizer::new(c, a).unwrap()
    }

    const DOCS: [&str; 3] = ["the cat sat", "the cat the hat", "a dog"];

    #[test]
    fn doc_counter_counts_each_document_in_order_of_first_appearance() {
        let mut counter = DocCounter::default();
        let mut cells = Vec::new();
        // A document with every id the counter has room for (the first: ids 0 and 1 grow it
        // to two, and its repeats are written past the ids seen), ids that make it grow
        // mid-document, repeats, and empty documents.
        let docs: [&[u32]; 5] = [&[0, 1, 0, 1], &[], &[3, 2, 1, 0, 3, 7], &[7, 7, 7], &[]];
        for (tag, doc) in docs.iter().enumerate() {
            doc.iter().for_each(|&id| counter.add(id));
            counter.flush(&mut cells, tag as u32 * 100);
            cells.push((u32::MAX, 0));
        }
        let mut expected = Vec::new();
        for (tag, doc) in docs.iter().enumerate() {
            let mut order: Vec<u32> = Vec::new();
            for &id in doc.iter() {
                if !order.contains(&id) {
                    order.push(id);
                }
            }
            for id in order {
                let n = doc.iter().filter(|&&x| x == id).count() as u32;
                expected.push((id | (tag as u32 * 100), n));
            }
            expected.push((u32::MAX, 0));
        }
        assert_eq!(cells, expected);
        assert!(counter.counts.iter().all(|&c| c == 0));
    }

    #[test]
    fn strings_list_and_round_trip() {
        let mut a: Strings = ["b", "", "ça va"].into_iter().collect();
        assert_eq!(a.len(), 3);
        assert_eq!(a.iter().collect::<Vec<_>>(), ["b", "", "ça va"]);
        assert_eq!(
            (a.get(1), a.get(2), a.get(3)),
            (Some(""), Some("ça va"), None)
        );
        let b: Strings = ["x y"].into_iter().collect();
        a.extend(&b);
        a.extend(&Strings::default());
        assert_eq!(a.to_vec(), ["b", "", "ça va", "x y"]);
        assert_eq!(format!("{a:?}"), r#"["b", "", "ça va", "x y"]"#);
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, r#"["b","","ça va","x y"]"#);
        assert_eq!(serde_json::from_str::<Strings>(&json).unwrap(), a);
        assert!(Strings::default().is_empty() && Strings::default().get(0).is_none());
    }

    #[test]
    fn counts_and_sorted_vocabulary() {
        let mut v = vectorizer(config(None));
        let x = v.fit_transform(&DOCS).unwrap();
        assert_eq!(
            v.state().unwrap().terms.to_vec(),
            ["cat", "dog", "hat", "sat", "the"]
        );
        assert_eq!(x.indptr, [0, 3, 6, 7]);
        // Each row's columns in the order its terms first appear, like sklearn's fit.
        assert!(!x.sorted_indices);
        assert_eq!(x.indices, [4, 0, 3, 4, 0, 2, 1]);
        assert_eq!(x.data, Values::F64(vec![1., 1., 1., 2., 1., 1., 1.]));
        // transform sorts them, like sklearn's.
        let y = v.transform(&DOCS).unwrap();
        assert!(y.sorted_indices);
        assert_eq!(y.indices, [0, 3, 4, 0, 2, 4, 1]);
        assert_eq!(y.data, Values::F64(vec![1., 1., 1., 1., 1., 2., 1.]));
    }

    #[test]
    fn terms_sharing_their_first_eight_bytes_sort_as_strings() {
        let words = [
            "abcdefghz",
            "abcdefgh",
            "abcdefgha",
            "abcdefgh_",
            "abcdefgh0",
            "abcdefgg",
            "abcdefghij",
            "ac",
            "abzzzzzz",
            "b",
        ];
        let doc = words.join(" ");
        for ngram_range in [(1, 1), (1, 2)] {
            let mut c = config(None);
            c.analysis.ngram_range = ngram_range;
            let mut v = vectorizer(c);
            v.fit_transform(&[doc.as_str(), "zz abcdefgha"]).unwrap();
            let terms = &v.state().unwrap().terms.to_vec();
            let mut sorted = terms.clone();
            sorted.sort();
            assert_eq!(terms, &sorted);
            assert!(words
                .iter()
                .skip(1)
                .all(|w| w.len() < 2 || terms.iter().any(|t| t == w)));
        }
    }

    #[test]
    fn df_limits_and_max_features_ties_by_term() {
        let mut c = config(None);
        c.min_df = DocFreq::Count(2);
        let mut v = vectorizer(c.clone());
        v.fit_transform(&DOCS).unwrap();
        assert_eq!(v.state().unwrap().terms.to_vec(), ["cat", "the"]);
        c.min_df = DocFreq::Count(1);
        c.max_features = Some(3);
        let mut v = vectorizer(c.clone());
        v.fit_transform(&DOCS).unwrap();
        // the=3, cat=2, then dog/hat/sat tie at 1: dog wins by term order.
        assert_eq!(v.state().unwrap().terms.to_vec(), ["cat", "dog", "the"]);
        c.max_df = DocFreq::Count(1);
        c.min_df = DocFreq::Count(2);
        let e = vectorizer(c).fit_transform(&DOCS).err().unwrap();
        assert!(e.to_string().contains("max_df"));
    }

    #[test]
    fn tfidf_formula() {
        let w = Weighting {
            norm: None,
            use_idf: true,
            smooth_idf: false,
            sublinear_tf: true,
        };
        let mut v = vectorizer(config(Some(w)));
        let x = v.fit_transform(&DOCS).unwrap();
        let idf = v.state().unwrap().idf.clone().unwrap();
        assert!((idf[4] - ((3.0f64 / 2.0).ln() + 1.0)).abs() < 1e-15);
        let Values::F64(d) = x.data else { panic!() };
        // Row 1, "the" twice (its first term): (1 + ln 2) * idf(the).
        assert_eq!(x.indices[3], 4);
        assert!((d[3] - (1.0 + 2f64.ln()) * idf[4]).abs() < 1e-15);
    }

    #[test]
    fn idf_of_every_document_frequency_is_the_formula() {
        for n in [1usize, 7, 1023, 1024, 1025, 5000] {
            let df: Vec<u64> = (1..=n as u64).rev().collect();
            for smooth in [false, true] {
                let s = if smooth { 1.0 } else { 0.0 };
                let want: Vec<f64> = df
                    .iter()
                    .map(|&d| ((n as f64 + s) / (d as f64 + s)).ln() + 1.0)
                    .collect();
                // Bit for bit: the table holds the same computation.
                assert_eq!(idf(&df, n, smooth), want, "n = {n}, smooth = {smooth}");
            }
        }
    }

    #[test]
    fn interrupted_work_stops_and_changes_nothing() {
        let stop = Interrupt::default();
        stop.set();
        let interrupted = |r: Result<Csr>| matches!(r, Err(Error::Interrupted));
        // Every fit path: packed unigrams and bigrams, five-grams and characters by string.
        for (analyzer, ngram_range) in [
            (AnalyzerKind::Word, (1, 1)),
            (AnalyzerKind::Word, (1, 2)),
            (AnalyzerKind::Word, (1, 5)),
            (AnalyzerKind::Char, (2, 3)),
        ] {
            let mut c = config(None);
            c.analysis.analyzer = analyzer;
            c.analysis.ngram_range = ngram_range;
            let mut v = vectorizer(c);
            assert!(interrupted(v.fit_transform_until(&DOCS, &stop)));
            assert!(v.state().is_none());
            v.fit_transform(&DOCS).unwrap();
            let fitted = v.state().unwrap().terms.clone();
            assert!(interrupted(v.transform_until(&DOCS, &stop)));
            assert!(interrupted(v.fit_transform_until(&["other words"], &stop)));
            assert_eq!(v.state().unwrap().terms, fitted);
        }
        let mut fixed = vectorizer(config(None));
        fixed.set_vocabulary(vec!["cat".into()]).unwrap();
        assert!(interrupted(fixed.fit_transform_until(&DOCS, &stop)));
    }

    #[test]
    fn empty_inputs_are_errors() {
        assert!(vectorizer(config(None)).fit_transform(&[]).is_err());
        let e = vectorizer(config(None))
            .fit_transform(&["a b", "!"])
            .err()
            .unwrap();
        assert!(e.to_string().contains("empty vocabulary"));
        assert!(vectorizer(config(None)).transform(&["x"]).is_err());
    }

    #[test]
    fn json_round_trip_and_newer_version_refused() {
        let mut v = vectorizer(config(None));
        v.fit_transform(&DOCS).unwrap();
        let json = v.to_json(serde_json::Value::Null).unwrap();
        let saved = parse_saved(&json).unwrap();
        assert_eq!(saved.state.as_ref().unwrap().terms.len(), 5);
        let newer = json.replace("\"format_version\":1", "\"format_version\":99");
        assert!(parse_saved(&newer)
            .unwrap_err()
            .to_string()
            .contains("version 99"));
    }

    #[test]
    fn top_terms_per_row() {
        let (r, c, v) = top_terms(&[0, 3, 3], &[0, 1, 2], &[0.5, 0.9, 0.5], 2).unwrap();
        assert_eq!((r, c, v), (vec![0, 0], vec![1, 0], vec![0.9, 0.5]));
        // A malformed matrix is an error about X (with the row where indptr goes down).
        let err = |p: &[i64], i: &[i64], d: &[f64]| top_terms(p, i, d, 2).unwrap_err();
        assert_eq!(err(&[0, 2, 1], &[0, 1], &[0.5, 0.5]).row(), Some(1));
        assert!(err(&[0, 1, 3], &[0, 1], &[0.5, 0.5])
            .to_string()
            .contains("X"));
        err(&[1, 2], &[0, 1], &[0.5, 0.5]);
        err(&[0, 2], &[0, 1], &[0.5]);
        assert!(top_terms(&[], &[], &[], 2).unwrap().0.is_empty());
    }

    /// Reference: counts of `Analyzer::analyze` terms in a BTreeMap, vocabulary sorted.
    fn naive(docs: &[&str], c: &VectorizerConfig) -> (Vec<String>, Vec<Vec<(i32, i64)>>) {
        use std::collections::BTreeMap;
        let a = Analyzer::new(c.analysis.clone(), None, None).unwrap();
        let per_doc: Vec<BTreeMap<String, i64>> = docs
            .iter()
            .map(|d| {
                let mut m = BTreeMap::new();
                a.analyze(d, &mut Scratch::default(), |t| {
                    *m.entry(t.to_string()).or_insert(0) += 1
                });
                m
            })
            .collect();
        let vocab: Vec<String> = per_doc
            .iter()
            .flat_map(|m| m.keys().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let rows = per_doc
            .iter()
            .map(|m| {
                m.iter()
                    .map(|(t, &n)| (vocab.binary_search(t).unwrap() as i32, n))
                    .collect()
            })
            .collect();
        (vocab, rows)
    }

    proptest::proptest! {
        #[test]
        fn fit_counts_equal_naive_counts(
            docs in proptest::collection::vec("[a-d]{1,2}( [a-d]{1,2}){0,8}", 1..20),
            lo in 1usize..3,
            extra in 0usize..4,
            char_wb in proptest::bool::ANY,
        ) {
            let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
            let mut c = config(None);
            c.dtype = Dtype::Int64;
            c.analysis.ngram_range = (lo, lo + extra);
            if char_wb {
                c.analysis.analyzer = crate::analyzer::AnalyzerKind::CharWb;
            }
            let (vocab, rows) = naive(&refs, &c);
            let mut v = vectorizer(c);
            match v.fit_transform(&refs) {
                Err(_) => proptest::prop_assert!(vocab.is_empty()),
                Ok(x) => {
                    proptest::prop_assert_eq!(&v.state().unwrap().terms.to_vec(), &vocab);
                    let Values::I64(data) = x.data else { panic!() };
                    for (r, row) in rows.iter().enumerate() {
                        let (a, b) = (x.indptr[r] as usize, x.indptr[r + 1] as usize);
                        let mut got: Vec<(i32, i64)> = x.indices[a..b].iter().copied().zip(data[a..b].iter().copied()).collect();
                        got.sort_unstable();
                        proptest::prop_assert_eq!(&got, row);
                    }
                }
            }
        }

        #[test]
        fn parallel_equals_serial(docs in proptest::collection::vec("[a-c ]{0,12}", 1..40)) {
            let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
            let fit = |n| crate::parallel::install(Some(n), || vectorizer(config(None)).fit_transform(&refs).ok()).unwrap();
            proptest::prop_assert_eq!(fit(1), fit(3));
        }
    }
}
