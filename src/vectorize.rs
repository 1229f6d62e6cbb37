//! Count and TF-IDF vectorizers with scikit-learn's semantics.
//!
//! Fitting is one parallel pass over the texts: documents are split into chunks, each chunk
//! counts its terms against a chunk-local vocabulary, the chunk vocabularies are merged in
//! parallel by hash shard, the global vocabulary is filtered (`min_df`, `max_df`,
//! `max_features`) and sorted like sklearn's, and the rows are rewritten into a CSR matrix.

use std::hash::BuildHasher;

use hashbrown::hash_map::EntryRef;
use hashbrown::DefaultHashBuilder;
use hashbrown::HashMap;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analyzer::{Analyzer, AnalyzerConfig, Scratch};
use crate::error::{Error, Result};

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
    /// Terms, column `i` is `terms[i]`.
    pub terms: Vec<String>,
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

/// A CSR matrix as three arrays, with sorted column indices in every row.
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
}

impl Csr {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }
}

/// Per-row (column, raw count) pairs, sorted by column: the shared input of the weighting.
struct Rows {
    /// Row `r` spans `ptr[r]..ptr[r + 1]` of `cells`.
    ptr: Vec<usize>,
    cells: Vec<(u32, u32)>,
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

/// Documents per chunk of the parallel pass.
fn chunk_len(n_docs: usize) -> usize {
    let parts = rayon::current_num_threads() * 4;
    n_docs.div_ceil(parts).clamp(1, 2048)
}

/// Shards of the parallel vocabulary merge.
const SHARDS: usize = 64;

/// One chunk's counts against its own vocabulary.
struct ChunkCounts {
    terms: Vec<Box<str>>,
    rows: Rows,
    df: Vec<u32>,
    tf: Vec<u64>,
    /// Local ids of the chunk's terms, by shard.
    by_shard: Vec<Vec<u32>>,
}

/// Sort `ids` and turn it into (id, count) runs appended to `cells`.
fn push_counts(ids: &mut [u32], cells: &mut Vec<(u32, u32)>) {
    ids.sort_unstable();
    let mut i = 0;
    while i < ids.len() {
        let id = ids[i];
        let mut j = i + 1;
        while j < ids.len() && ids[j] == id {
            j += 1;
        }
        cells.push((id, (j - i) as u32));
        i = j;
    }
}

fn count_chunk(
    analyzer: &Analyzer,
    docs: &[&str],
    binary: bool,
    hasher: &DefaultHashBuilder,
) -> ChunkCounts {
    let mut vocab: HashMap<Box<str>, u32> = HashMap::default();
    let mut scratch = Scratch::default();
    let mut ids: Vec<u32> = Vec::new();
    let mut ptr = Vec::with_capacity(docs.len() + 1);
    let mut cells = Vec::new();
    ptr.push(0);
    for doc in docs {
        ids.clear();
        analyzer.analyze(doc, &mut scratch, |t| {
            let next = vocab.len() as u32;
            let id = match vocab.entry_ref(t) {
                EntryRef::Occupied(e) => *e.get(),
                EntryRef::Vacant(e) => *e.insert(next),
            };
            ids.push(id);
        });
        push_counts(&mut ids, &mut cells);
        ptr.push(cells.len());
    }
    let mut terms: Vec<Box<str>> = vec![Box::from(""); vocab.len()];
    for (t, id) in vocab {
        terms[id as usize] = t;
    }
    let mut df = vec![0u32; terms.len()];
    let mut tf = vec![0u64; terms.len()];
    for &(id, c) in &cells {
        df[id as usize] += 1;
        tf[id as usize] += if binary { 1 } else { c as u64 };
    }
    let mut by_shard = vec![Vec::new(); SHARDS];
    for (id, t) in terms.iter().enumerate() {
        by_shard[(hasher.hash_one(&**t) >> 58) as usize % SHARDS].push(id as u32);
    }
    ChunkCounts {
        terms,
        rows: Rows { ptr, cells },
        df,
        tf,
        by_shard,
    }
}

/// One shard of the merged vocabulary.
struct Shard<'a> {
    terms: Vec<&'a str>,
    df: Vec<u64>,
    tf: Vec<u64>,
    /// For each chunk, the shard index of each of its terms in this shard (same order as
    /// the chunk's `by_shard` list).
    ids: Vec<Vec<u32>>,
}

fn merge_shard<'a>(chunks: &'a [ChunkCounts], s: usize) -> Shard<'a> {
    let mut map: HashMap<&'a str, u32> = HashMap::default();
    let mut shard = Shard {
        terms: Vec::new(),
        df: Vec::new(),
        tf: Vec::new(),
        ids: Vec::with_capacity(chunks.len()),
    };
    for c in chunks {
        let mut ids = Vec::with_capacity(c.by_shard[s].len());
        for &local in &c.by_shard[s] {
            let term: &'a str = &c.terms[local as usize];
            let next = shard.terms.len() as u32;
            let id = *map.entry(term).or_insert(next);
            if id == next {
                shard.terms.push(term);
                shard.df.push(0);
                shard.tf.push(0);
            }
            shard.df[id as usize] += c.df[local as usize] as u64;
            shard.tf[id as usize] += c.tf[local as usize];
            ids.push(id);
        }
        shard.ids.push(ids);
    }
    shard
}

/// Columns kept by `min_df`/`max_df`/`max_features`, sorted by term: returns the kept
/// merged ids in column order.
fn select_terms(
    terms: &[&str],
    df: &[u64],
    tf: &[u64],
    config: &VectorizerConfig,
    n_docs: usize,
) -> Result<Vec<u32>> {
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
    let mut kept: Vec<u32> = (0..terms.len() as u32)
        .filter(|&i| {
            let d = df[i as usize] as f64;
            d <= high && d >= low
        })
        .collect();
    if let Some(limit) = config.max_features {
        if kept.len() > limit {
            // Most frequent first; equal frequencies in term order.
            kept.par_sort_unstable_by(|&a, &b| {
                tf[b as usize]
                    .cmp(&tf[a as usize])
                    .then_with(|| terms[a as usize].cmp(terms[b as usize]))
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
    kept.par_sort_unstable_by(|&a, &b| terms[a as usize].cmp(terms[b as usize]));
    Ok(kept)
}

/// Inverse document frequencies: ln((1 + n) / (1 + df)) + 1 smoothed, ln(n / df) + 1 not.
pub fn idf(df: &[u64], n_docs: usize, smooth: bool) -> Vec<f64> {
    let s = if smooth { 1.0 } else { 0.0 };
    df.iter()
        .map(|&d| ((n_docs as f64 + s) / (d as f64 + s)).ln() + 1.0)
        .collect()
}

/// A fitted (or vocabulary-given) count / TF-IDF vectorizer.
pub struct Vectorizer {
    config: VectorizerConfig,
    analyzer: Analyzer,
    state: Option<FittedState>,
    index: HashMap<Box<str>, u32>,
}

impl Vectorizer {
    /// Validate the parameters and build an unfitted vectorizer.
    pub fn new(config: VectorizerConfig, analyzer: Analyzer) -> Result<Vectorizer> {
        config.validate()?;
        Ok(Vectorizer {
            config,
            analyzer,
            state: None,
            index: HashMap::default(),
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
        let mut index = HashMap::with_capacity(state.terms.len());
        for (i, t) in state.terms.iter().enumerate() {
            if index.insert(Box::from(t.as_str()), i as u32).is_some() {
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
        self.index = index;
        self.state = Some(state);
        Ok(())
    }

    /// Use `terms` as the vocabulary instead of learning one (sklearn's `vocabulary=`).
    pub fn set_vocabulary(&mut self, terms: Vec<String>) -> Result<()> {
        if terms.is_empty() {
            return Err(Error::param("vocabulary", "empty vocabulary passed to fit"));
        }
        self.set_state(FittedState {
            terms,
            idf: None,
            fixed_vocabulary: true,
        })
    }

    /// Learn the vocabulary (and idf) from `docs` and return their matrix. Runs on the
    /// current rayon pool.
    pub fn fit_transform(&mut self, docs: &[&str]) -> Result<Csr> {
        if docs.is_empty() {
            return Err(Error::value(
                "raw_documents",
                None,
                "empty corpus: fit needs at least one document",
            ));
        }
        let fixed = self.state.as_ref().filter(|s| s.fixed_vocabulary).cloned();
        if let Some(mut state) = fixed {
            let rows = self.count_known(docs);
            if let Some(w) = self.config.weighting.filter(|w| w.use_idf) {
                let mut df = vec![0u64; state.terms.len()];
                rows.cells.iter().for_each(|&(c, _)| df[c as usize] += 1);
                state.idf = Some(idf(&df, docs.len(), w.smooth_idf));
            }
            self.set_state(state)?;
            return Ok(self.weigh(&rows));
        }
        let hasher = DefaultHashBuilder::default();
        let size = chunk_len(docs.len());
        let chunks: Vec<ChunkCounts> = docs
            .par_chunks(size)
            .map(|c| count_chunk(&self.analyzer, c, self.config.binary, &hasher))
            .collect();
        if chunks.iter().all(|c| c.terms.is_empty()) {
            return Err(Error::value(
                "raw_documents",
                None,
                "empty vocabulary; perhaps the documents only contain stop words",
            ));
        }
        let shards: Vec<Shard> = (0..SHARDS)
            .into_par_iter()
            .map(|s| merge_shard(&chunks, s))
            .collect();
        let mut offsets = Vec::with_capacity(SHARDS);
        let mut total = 0u32;
        for s in &shards {
            offsets.push(total);
            total += s.terms.len() as u32;
        }
        let terms: Vec<&str> = shards
            .iter()
            .flat_map(|s| s.terms.iter().copied())
            .collect();
        let df: Vec<u64> = shards.iter().flat_map(|s| s.df.iter().copied()).collect();
        let tf: Vec<u64> = shards.iter().flat_map(|s| s.tf.iter().copied()).collect();
        let kept = select_terms(&terms, &df, &tf, &self.config, docs.len())?;
        // Merged id -> output column (u32::MAX = dropped).
        let mut column = vec![u32::MAX; terms.len()];
        for (col, &m) in kept.iter().enumerate() {
            column[m as usize] = col as u32;
        }
        // Rewrite each chunk's cells to output columns, in parallel.
        let parts: Vec<Rows> = chunks
            .par_iter()
            .enumerate()
            .map(|(ci, c)| {
                let mut local = vec![u32::MAX; c.terms.len()];
                for (s, shard) in shards.iter().enumerate() {
                    for (&l, &id) in c.by_shard[s].iter().zip(&shard.ids[ci]) {
                        local[l as usize] = column[(offsets[s] + id) as usize];
                    }
                }
                remap_rows(&c.rows, &local)
            })
            .collect();
        let rows = concat_rows(parts);
        let idf_values = self.config.weighting.filter(|w| w.use_idf).map(|w| {
            let df_kept: Vec<u64> = kept.iter().map(|&m| df[m as usize]).collect();
            idf(&df_kept, docs.len(), w.smooth_idf)
        });
        let state = FittedState {
            terms: kept
                .iter()
                .map(|&m| terms[m as usize].to_string())
                .collect(),
            idf: idf_values,
            fixed_vocabulary: false,
        };
        drop(shards);
        drop(chunks);
        self.set_state(state)?;
        Ok(self.weigh(&rows))
    }

    /// The matrix of `docs` over the learned vocabulary; unknown terms are ignored.
    pub fn transform(&self, docs: &[&str]) -> Result<Csr> {
        if self.state.is_none() {
            return Err(Error::NotFitted(
                "this vectorizer is not fitted yet: call fit or fit_transform first".into(),
            ));
        }
        Ok(self.weigh(&self.count_known(docs)))
    }

    /// Counts of the vocabulary's terms in each document.
    fn count_known(&self, docs: &[&str]) -> Rows {
        let size = chunk_len(docs.len());
        let parts: Vec<Rows> = docs
            .par_chunks(size)
            .map(|chunk| {
                let mut scratch = Scratch::default();
                let mut ids = Vec::new();
                let mut ptr = vec![0];
                let mut cells = Vec::new();
                for doc in chunk {
                    ids.clear();
                    self.analyzer.analyze(doc, &mut scratch, |t| {
                        if let Some(&c) = self.index.get(t) {
                            ids.push(c);
                        }
                    });
                    push_counts(&mut ids, &mut cells);
                    ptr.push(cells.len());
                }
                Rows { ptr, cells }
            })
            .collect();
        concat_rows(parts)
    }

    /// Turn raw counts into the output matrix: binary, sublinear tf, idf, norm, dtype.
    fn weigh(&self, rows: &Rows) -> Csr {
        let n_cols = self.state.as_ref().map_or(0, |s| s.terms.len());
        let data = match self.config.dtype {
            Dtype::Float32 => Values::F32(self.weigh_as(rows)),
            Dtype::Float64 => Values::F64(self.weigh_as(rows)),
            Dtype::Int32 => Values::I32(self.weigh_as(rows)),
            Dtype::Int64 => Values::I64(self.weigh_as(rows)),
        };
        Csr {
            indptr: rows.ptr.iter().map(|&p| p as i64).collect(),
            indices: rows.cells.iter().map(|&(c, _)| c as i32).collect(),
            data,
            n_cols,
        }
    }

    fn weigh_as<T: Num>(&self, rows: &Rows) -> Vec<T> {
        let binary = self.config.binary;
        let tf = move |c: u32| if binary { 1.0 } else { c as f64 };
        let Some(w) = self.config.weighting else {
            return rows
                .cells
                .iter()
                .map(|&(_, c)| T::from_f64(tf(c)))
                .collect();
        };
        let idf = self.state.as_ref().and_then(|s| s.idf.as_deref());
        let n_rows = rows.ptr.len() - 1;
        let mut out: Vec<T> = Vec::with_capacity(rows.cells.len());
        let per_row: Vec<Vec<T>> = (0..n_rows)
            .into_par_iter()
            .with_min_len(64)
            .map(|r| {
                let cells = &rows.cells[rows.ptr[r]..rows.ptr[r + 1]];
                let mut vals: Vec<f64> = cells
                    .iter()
                    .map(|&(col, c)| {
                        let mut v = tf(c);
                        if w.sublinear_tf {
                            v = v.ln() + 1.0;
                        }
                        if let Some(idf) = idf {
                            v *= idf[col as usize];
                        }
                        v
                    })
                    .collect();
                normalize_row(&mut vals, w.norm);
                vals.into_iter().map(T::from_f64).collect()
            })
            .collect();
        per_row.into_iter().for_each(|r| out.extend(r));
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

/// Rewrite a chunk's (local id, count) cells to output columns, drop the removed ones, and
/// sort each row by column.
fn remap_rows(rows: &Rows, local: &[u32]) -> Rows {
    let mut ptr = Vec::with_capacity(rows.ptr.len());
    let mut cells = Vec::with_capacity(rows.cells.len());
    ptr.push(0);
    for r in 0..rows.ptr.len() - 1 {
        let start = cells.len();
        for &(l, c) in &rows.cells[rows.ptr[r]..rows.ptr[r + 1]] {
            let col = local[l as usize];
            if col != u32::MAX {
                cells.push((col, c));
            }
        }
        cells[start..].sort_unstable_by_key(|&(col, _)| col);
        ptr.push(cells.len());
    }
    Rows { ptr, cells }
}

fn concat_rows(parts: Vec<Rows>) -> Rows {
    let n_rows: usize = parts.iter().map(|p| p.ptr.len() - 1).sum();
    let nnz: usize = parts.iter().map(|p| p.cells.len()).sum();
    let mut ptr = Vec::with_capacity(n_rows + 1);
    let mut cells = Vec::with_capacity(nnz);
    ptr.push(0);
    for p in parts {
        let base = cells.len();
        ptr.extend(p.ptr[1..].iter().map(|&x| x + base));
        cells.extend(p.cells);
    }
    Rows { ptr, cells }
}

/// The `n` largest values of each row of a CSR matrix: (row, column, value) triples, rows
/// in order, values descending, equal values by column. Zero values are skipped.
pub fn top_terms(
    indptr: &[i64],
    indices: &[i64],
    data: &[f64],
    n: usize,
) -> (Vec<i64>, Vec<i64>, Vec<f64>) {
    let per_row: Vec<Vec<(i64, i64, f64)>> = (0..indptr.len().saturating_sub(1))
        .into_par_iter()
        .map(|r| {
            let (a, b) = (indptr[r] as usize, indptr[r + 1] as usize);
            let mut cells: Vec<(i64, f64)> = indices[a..b]
                .iter()
                .zip(&data[a..b])
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
    (rows, cols, vals)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn counts_and_sorted_vocabulary() {
        let mut v = vectorizer(config(None));
        let x = v.fit_transform(&DOCS).unwrap();
        assert_eq!(
            v.state().unwrap().terms,
            ["cat", "dog", "hat", "sat", "the"]
        );
        assert_eq!(x.indptr, [0, 3, 6, 7]);
        assert_eq!(x.indices, [0, 3, 4, 0, 2, 4, 1]);
        assert_eq!(x.data, Values::F64(vec![1., 1., 1., 1., 1., 2., 1.]));
    }

    #[test]
    fn df_limits_and_max_features_ties_by_term() {
        let mut c = config(None);
        c.min_df = DocFreq::Count(2);
        let mut v = vectorizer(c.clone());
        v.fit_transform(&DOCS).unwrap();
        assert_eq!(v.state().unwrap().terms, ["cat", "the"]);
        c.min_df = DocFreq::Count(1);
        c.max_features = Some(3);
        let mut v = vectorizer(c.clone());
        v.fit_transform(&DOCS).unwrap();
        // the=3, cat=2, then dog/hat/sat tie at 1: dog wins by term order.
        assert_eq!(v.state().unwrap().terms, ["cat", "dog", "the"]);
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
        // Row 1, "the" twice: (1 + ln 2) * idf(the).
        assert!((d[5] - (1.0 + 2f64.ln()) * idf[4]).abs() < 1e-15);
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
        let (r, c, v) = top_terms(&[0, 3, 3], &[0, 1, 2], &[0.5, 0.9, 0.5], 2);
        assert_eq!((r, c, v), (vec![0, 0], vec![1, 0], vec![0.9, 0.5]));
    }

    proptest::proptest! {
        #[test]
        fn parallel_equals_serial(docs in proptest::collection::vec("[a-c ]{0,12}", 1..40)) {
            let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
            let fit = |n| crate::parallel::install(Some(n), || vectorizer(config(None)).fit_transform(&refs).ok()).unwrap();
            proptest::prop_assert_eq!(fit(1), fit(3));
        }
    }
}
