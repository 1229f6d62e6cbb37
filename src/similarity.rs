//! Cosine similarity between the rows of two sparse matrices in CSR form.
//!
//! Every function here takes CSR parts (`indptr`, `indices`, `data`) as borrowed slices, so a
//! caller hands over scipy's arrays without copying. Rows are L2-normalised on the fly: the
//! score of rows `x` and `y` is `(x · y) * ((1 / |x|) * (1 / |y|))`, and an all-zero row has
//! similarity 0 with everything.
//!
//! The product `X · Yᵀ` is computed for blocks of rows of `X` from `Yᵀ` (the columns of `Y`,
//! built once by [`Similarity::new`]): the columns stored in most rows of both sides go
//! through a dense matrix product, and for each other stored entry `x[k]` the rows of `Y`
//! that have a term `k` add `x[k] * y[k]` to per-thread accumulators. [`SparseSteps`] keeps
//! only each row's best entries, so it needs memory proportional to `n_X · k` and never
//! builds the `n_X × n_Y` matrix.
//!
//! In a self-join (`Y` is `X`, the same memory) the matrix is symmetric: each block of rows
//! computes only the columns from its own first row on, and offers each score to both rows.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::ops::Range;

use ndarray::ShapeBuilder;
use num_traits::Float;
use rayon::prelude::*;

use crate::error::{Error, Result};

/// Integer types scipy uses for `indptr` and `indices`.
pub trait Index: Copy + Send + Sync + 'static {
    /// The value as a position; negative values map to `usize::MAX` so that range checks
    /// reject them.
    fn pos(self) -> usize;
}

impl Index for i32 {
    #[inline]
    fn pos(self) -> usize {
        usize::try_from(self).unwrap_or(usize::MAX)
    }
}

impl Index for i64 {
    #[inline]
    fn pos(self) -> usize {
        usize::try_from(self).unwrap_or(usize::MAX)
    }
}

impl Index for u32 {
    #[inline]
    fn pos(self) -> usize {
        self as usize
    }
}

/// Floating-point element types (`f32`, `f64`).
pub trait Real:
    Float + Send + Sync + std::ops::AddAssign + std::fmt::Debug + ndarray::LinalgScalar + 'static
{
}
impl Real for f32 {}
impl Real for f64 {}

/// A validated CSR matrix: borrowed, or with its duplicate columns summed by
/// [`Csr::into_canonical`].
#[derive(Clone, Debug)]
pub struct Csr<'a, T: Clone, I: Clone> {
    n_rows: usize,
    n_cols: usize,
    indptr: &'a [I],
    indices: Cow<'a, [I]>,
    data: Cow<'a, [T]>,
}

impl<'a, T: Real, I: Index> Csr<'a, T, I> {
    /// Check the CSR invariants (indptr non-decreasing from 0 to `nnz`, column indices in
    /// range, finite values) and borrow the parts. `arg` names the matrix in error messages.
    pub fn new(
        arg: &str,
        shape: (usize, usize),
        indptr: &'a [I],
        indices: &'a [I],
        data: &'a [T],
    ) -> Result<Self> {
        let (n_rows, n_cols) = shape;
        let bad = |msg: String| Err(Error::value(arg, None, msg));
        if indptr.len() != n_rows + 1 {
            return bad(format!(
                "indptr has {} entries, expected n_rows + 1 = {}",
                indptr.len(),
                n_rows + 1
            ));
        }
        if indices.len() != data.len() {
            return bad(format!(
                "indices ({}) and data ({}) differ in length",
                indices.len(),
                data.len()
            ));
        }
        if indptr[0].pos() != 0 || indptr[n_rows].pos() != data.len() {
            return bad("indptr must start at 0 and end at the number of stored values".into());
        }
        for (r, w) in indptr.windows(2).enumerate() {
            if w[0].pos() > w[1].pos() {
                return Err(Error::value(arg, Some(r), "indptr decreases"));
            }
        }
        for r in 0..n_rows {
            let span = indptr[r].pos()..indptr[r + 1].pos();
            if let Some(c) = indices[span.clone()].iter().find(|c| c.pos() >= n_cols) {
                return Err(Error::value(
                    arg,
                    Some(r),
                    format!("column index {} outside 0..{n_cols}", c.pos() as isize),
                ));
            }
            if data[span].iter().any(|v| !v.is_finite()) {
                return Err(Error::value(arg, Some(r), "contains NaN or infinity"));
            }
        }
        Ok(Csr {
            n_rows,
            n_cols,
            indptr,
            indices: Cow::Borrowed(indices),
            data: Cow::Borrowed(data),
        })
    }

    /// Whether `other` is this matrix, by its memory.
    fn same_memory(&self, other: &Csr<'_, T, I>) -> bool {
        std::ptr::eq(self.indptr, other.indptr)
            && std::ptr::eq(&*self.indices, &*other.indices)
            && std::ptr::eq(&*self.data, &*other.data)
    }

    /// The same matrix with no column stored twice in a row with two nonzero values: the
    /// sum of a column's values goes to its first place and the others become explicit
    /// zeros (so `indptr` and `indices` stay). Every product then adds one term per column
    /// pair, whatever the order of the stored entries. Borrowed as it is when there is
    /// nothing to sum (always for scipy's canonical format).
    pub fn into_canonical(self) -> Self {
        let pieces = pieces(self.n_rows);
        // `mark[k]`: (row + 1, place) of column k's first nonzero value in the row.
        let scan = |rows: Range<usize>, mark: &mut Vec<(usize, usize)>, vals: Option<&mut [T]>| {
            let base = self.indptr[rows.start].pos();
            let mut vals = vals;
            let mut repeated = Vec::new();
            for r in rows {
                let span = self.indptr[r].pos()..self.indptr[r + 1].pos();
                for t in span {
                    let (k, v) = (self.indices[t].pos(), self.data[t]);
                    if v == T::zero() {
                        continue;
                    }
                    if mark[k].0 != r + 1 {
                        mark[k] = (r + 1, t);
                    } else if let Some(vals) = vals.as_deref_mut() {
                        vals[mark[k].1 - base] += v;
                        vals[t - base] = T::zero();
                    } else if repeated.last() != Some(&r) {
                        repeated.push(r);
                    }
                }
            }
            repeated
        };
        let new_mark = || vec![(0usize, 0usize); self.n_cols];
        let repeated: Vec<usize> = pieces
            .par_iter()
            .flat_map_iter(|rows| scan(rows.clone(), &mut new_mark(), None))
            .collect();
        if repeated.is_empty() {
            return self;
        }
        let mut data = self.data.to_vec();
        let mut mark = new_mark();
        for r in repeated {
            let rows = r..r + 1;
            let span = self.indptr[r].pos()..self.indptr[r + 1].pos();
            scan(rows, &mut mark, Some(&mut data[span]));
        }
        Csr {
            data: Cow::Owned(data),
            ..self
        }
    }

    /// `(n_rows, n_cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.n_rows, self.n_cols)
    }

    /// Column indices and values of row `r`.
    #[inline]
    fn row(&self, r: usize) -> (&[I], &[T]) {
        let span = self.indptr[r].pos()..self.indptr[r + 1].pos();
        (&self.indices[span.clone()], &self.data[span])
    }

    /// `1 / |row|` for every row (0 for an all-zero row).
    pub fn inverse_row_norms(&self) -> Vec<T> {
        (0..self.n_rows)
            .into_par_iter()
            .map(|r| {
                let sq = self.row(r).1.iter().fold(T::zero(), |s, &v| s + v * v);
                if sq > T::zero() {
                    T::one() / sq.sqrt()
                } else {
                    T::zero()
                }
            })
            .collect()
    }
}

/// An owned CSR matrix: the output of the sparse functions.
#[derive(Clone, Debug, PartialEq)]
pub struct CsrParts<T> {
    /// Row pointers, `n_rows + 1` entries.
    pub indptr: Vec<i64>,
    /// Column indices, sorted within each row.
    pub indices: Vec<i64>,
    /// Values.
    pub data: Vec<T>,
}

impl<T: Copy> CsrParts<T> {
    fn from_rows(rows: Vec<Vec<(u32, T)>>) -> Self {
        let nnz = rows.iter().map(Vec::len).sum();
        let mut out = CsrParts {
            indptr: Vec::with_capacity(rows.len() + 1),
            indices: Vec::with_capacity(nnz),
            data: Vec::with_capacity(nnz),
        };
        out.indptr.push(0);
        for row in rows {
            for (c, v) in row {
                out.indices.push(i64::from(c));
                out.data.push(v);
            }
            out.indptr.push(out.indices.len() as i64);
        }
        out
    }

    /// Stack row blocks computed separately (e.g. between two Ctrl-C checks).
    pub fn vstack(blocks: Vec<CsrParts<T>>) -> Self {
        let mut out = CsrParts {
            indptr: vec![0],
            indices: Vec::new(),
            data: Vec::new(),
        };
        for b in blocks {
            let base = out.indices.len() as i64;
            out.indptr.extend(b.indptr[1..].iter().map(|p| p + base));
            out.indices.extend(b.indices);
            out.data.extend(b.data);
        }
        out
    }
}

/// Which entries of a row of `X · Yᵀ` to keep in a sparse result.
#[derive(Clone, Copy, Debug)]
pub struct Keep<T> {
    /// At most this many entries per row (the highest scores; ties go to the lower column).
    pub k: usize,
    /// Keep only scores strictly above this value.
    pub threshold: Option<T>,
    /// Drop the diagonal entry (row `i`, column `i`): for a self-join.
    pub exclude_self: bool,
}

impl<T: Real> Keep<T> {
    /// Validated options: `k >= 1` (`None`: no limit), `threshold` within `[-1, 1]`.
    pub fn new(k: Option<i64>, threshold: Option<f64>, exclude_self: bool) -> Result<Self> {
        let k = match k {
            None => usize::MAX,
            Some(k) if k >= 1 => usize::try_from(k).unwrap_or(usize::MAX),
            Some(k) => return Err(Error::param("k", format!("must be >= 1, got {k}"))),
        };
        if let Some(t) = threshold {
            if !(-1.0..=1.0).contains(&t) {
                return Err(Error::param(
                    "threshold",
                    format!("must be within [-1, 1], got {t}"),
                ));
            }
        }
        Ok(Keep {
            k,
            threshold: threshold.map(|t| T::from(t).expect("threshold fits the float type")),
            exclude_self,
        })
    }

    /// Every nonzero entry: the full sparse product.
    pub fn all() -> Self {
        Keep {
            k: usize::MAX,
            threshold: None,
            exclude_self: false,
        }
    }
}

/// `Yᵀ` in CSR form, cut into chunks of consecutive rows of `Y`: for each chunk and each
/// column `k`, the rows of the chunk (numbered from the chunk's first row) that store `k`.
/// A block of `X` rows then accumulates into a scratch of `block × chunk` values that stays
/// in cache, and the postings of a column are read once per block instead of once per row.
struct Postings<T> {
    /// First row of `Y` of each chunk, and `n_Y` at the end.
    starts: Vec<usize>,
    /// `offsets[k * (n_chunks + 1) + c]`: where chunk `c`'s postings of column `k` begin.
    offsets: Vec<usize>,
    rows: Vec<u32>,
    data: Vec<T>,
}

/// Rows of `Y` per chunk when memory allows (with [`X_BLOCK`] rows of `X`, the scratch is
/// 4 MB of `f64`).
const Y_CHUNK: usize = 4096;
/// Rows of `X` accumulated together.
const X_BLOCK: usize = 128;
/// Marks a column kept in the postings (not in the dense part).
const NOT_DENSE: u32 = u32::MAX;
/// A column whose density in `X` times its density in `Y` reaches this goes to the dense
/// part: a matrix product (SIMD, cache-blocked) then costs less than scattering its
/// postings, although it multiplies zeros too.
const DENSE_PRODUCT: f64 = 0.1;

/// The columns stored in a large fraction of the rows of both `X` and `Y` (stop words in
/// TF-IDF) do most of the work of `X · Yᵀ`; they are multiplied as dense matrices.
struct DenseColumns<T> {
    /// For each column, its slot in the dense part or [`NOT_DENSE`].
    slot: Vec<u32>,
    /// Number of dense columns.
    width: usize,
    /// `Y` restricted to the dense columns, `n_Y × width`, row-major.
    y: ndarray::Array2<T>,
}

impl<T: Real> DenseColumns<T> {
    /// `dfs`: the number of rows of `X` and of `Y` storing each column.
    fn new<I: Index>(x: &Csr<'_, T, I>, y: &Csr<'_, T, I>, dfs: (&[usize], &[usize])) -> Self {
        let (dx, dy) = dfs;
        let n_cols = x.n_cols;
        let mut cand: Vec<(f64, usize)> = (0..n_cols)
            .map(|k| {
                let p =
                    dx[k] as f64 / x.n_rows.max(1) as f64 * dy[k] as f64 / y.n_rows.max(1) as f64;
                (p, k)
            })
            .filter(|&(p, _)| p >= DENSE_PRODUCT)
            .collect();
        cand.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        // The dense copy of Y costs no more memory than Y itself.
        let budget = y.data.len() / y.n_rows.max(1);
        cand.truncate(budget.min(1024));
        let mut slot = vec![NOT_DENSE; n_cols];
        for (s, &(_, k)) in cand.iter().enumerate() {
            slot[k] = s as u32;
        }
        let width = cand.len();
        let mut yd = ndarray::Array2::<T>::zeros((y.n_rows, width));
        if width > 0 {
            let flat = yd.as_slice_mut().expect("a new array is contiguous");
            flat.par_chunks_mut(width).enumerate().for_each(|(r, out)| {
                let (cols, vals) = y.row(r);
                for (c, &v) in cols.iter().zip(vals) {
                    let s = slot[c.pos()];
                    if s != NOT_DENSE {
                        out[s as usize] += v;
                    }
                }
            });
        }
        DenseColumns { slot, width, y: yd }
    }
}

/// The number of rows storing each column (a column stored twice in a row counts twice).
fn column_counts<T: Real, I: Index>(m: &Csr<'_, T, I>) -> Vec<usize> {
    m.indices
        .par_chunks(1 << 16)
        .fold(
            || vec![0usize; m.n_cols],
            |mut d, cols| {
                for c in cols {
                    d[c.pos()] += 1;
                }
                d
            },
        )
        .reduce_with(|mut a, b| {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
            a
        })
        .unwrap_or_else(|| vec![0; m.n_cols])
}

/// Ranges splitting `0..n` (rows or columns) into pieces of work for the threads.
fn pieces(n: usize) -> Vec<Range<usize>> {
    let count = (rayon::current_num_threads() * 2).clamp(1, n.max(1));
    let size = n.div_ceil(count).max(1);
    (0..n).step_by(size).map(|k| k..(k + size).min(n)).collect()
}

impl<T: Real> Postings<T> {
    /// Postings of the columns of `y` that `dense` does not mark.
    fn new<I: Index>(y: &Csr<'_, T, I>, dense: &[u32]) -> Self {
        let (n_y, n_cols) = (y.n_rows, y.n_cols);
        // The offsets table has n_cols * n_chunks entries: keep it within the size of Y.
        let max_chunks = (y.data.len() / n_cols.max(1)).max(1);
        let chunk = Y_CHUNK.max(n_y.div_ceil(max_chunks)).max(1);
        let starts: Vec<usize> = (0..n_y).step_by(chunk).chain([n_y]).collect();
        let n_chunks = starts.len() - 1;
        let width = n_chunks + 1;
        // Counting sort by (column, row): rows ascend within a column, so each chunk's
        // postings of a column are contiguous.
        let mut counts = vec![0usize; n_cols * width + 1];
        for c in 0..n_chunks {
            for r in starts[c]..starts[c + 1] {
                for k in y.row(r).0.iter().filter(|k| dense[k.pos()] == NOT_DENSE) {
                    counts[k.pos() * width + c + 1] += 1;
                }
            }
        }
        for i in 0..n_cols * width {
            counts[i + 1] += counts[i];
        }
        let offsets = counts;
        let mut next = offsets.clone();
        let nnz = offsets[n_cols * width];
        let mut rows = vec![0u32; nnz];
        let mut data = vec![T::zero(); nnz];
        for c in 0..n_chunks {
            for r in starts[c]..starts[c + 1] {
                let (cols, vals) = y.row(r);
                for (k, &v) in cols.iter().zip(vals) {
                    if dense[k.pos()] != NOT_DENSE {
                        continue;
                    }
                    let slot = &mut next[k.pos() * width + c];
                    rows[*slot] = (r - starts[c]) as u32;
                    data[*slot] = v;
                    *slot += 1;
                }
            }
        }
        Postings {
            starts,
            offsets,
            rows,
            data,
        }
    }

    fn n_chunks(&self) -> usize {
        self.starts.len() - 1
    }

    fn chunk_len(&self, c: usize) -> usize {
        self.starts[c + 1] - self.starts[c]
    }

    /// Rows of chunk `c` (local numbering) storing column `k`, with their values.
    #[inline]
    fn column(&self, k: usize, c: usize) -> (&[u32], &[T]) {
        let at = k * (self.n_chunks() + 1) + c;
        let span = self.offsets[at]..self.offsets[at + 1];
        (&self.rows[span.clone()], &self.data[span])
    }

    /// Number of stored values of column `k` over all chunks.
    fn df(&self, k: usize) -> usize {
        let w = self.n_chunks() + 1;
        self.offsets[k * w + w - 1] - self.offsets[k * w]
    }
}

/// Per-thread work space for the products of a block of rows with one chunk of `Y`:
/// accumulators, and marks of the touched entries (for rows that touch few).
struct Scratch<T> {
    acc: Vec<T>,
    seen: Vec<bool>,
    touched: Vec<u32>,
}

impl<T: Real> Scratch<T> {
    fn new(chunk: usize) -> Self {
        Scratch {
            acc: vec![T::zero(); X_BLOCK * chunk],
            seen: vec![false; chunk],
            touched: Vec::new(),
        }
    }
}

/// Higher score first, then lower column: the order in which entries are kept.
#[inline]
fn rank<T: Real>(a: &(u32, T), b: &(u32, T)) -> Ordering {
    b.1.partial_cmp(&a.1)
        .unwrap_or(Ordering::Equal)
        .then(a.0.cmp(&b.0))
}

/// How many entries a row keeps (`k`), and how many candidates a [`Best`] gathers before it
/// cuts them back to `k`.
#[derive(Clone, Copy, Debug)]
struct Limit {
    k: usize,
    cap: usize,
}

impl Limit {
    /// At least `2k` candidates between two cuts, so a cut costs O(1) per offer.
    fn new(k: usize, min_cap: usize) -> Self {
        Limit {
            k,
            cap: k.saturating_mul(2).max(min_cap),
        }
    }
}

/// The running selection of a row's best `k` entries: candidates gather in a buffer that is
/// cut back to the best `k` when it fills; after a cut, anything below the `k`-th score
/// cannot enter. What is kept in the end is the best `k` by [`rank`] (a total order, columns
/// being distinct) whatever the order of the offers, so selections made apart (by several
/// threads) merge into the same result.
#[derive(Clone, Debug)]
struct Best<T> {
    found: Vec<(u32, T)>,
    floor: Option<T>,
}

impl<T> Default for Best<T> {
    fn default() -> Self {
        Best {
            found: Vec::new(),
            floor: None,
        }
    }
}

impl<T: Real> Best<T> {
    #[inline]
    fn offer(&mut self, e: (u32, T), limit: Limit) {
        if self.floor.is_some_and(|f| e.1 < f) {
            return;
        }
        if self.found.capacity() == 0 {
            // Exactly the buffer a small k needs: a self-join keeps one per row and thread.
            self.found.reserve_exact(limit.cap.min(64));
        }
        self.found.push(e);
        if self.found.len() >= limit.cap {
            trim(&mut self.found, limit.k);
            self.floor = self.found.iter().map(|e| e.1).reduce(T::min);
        }
    }

    /// Move `other`'s candidates in (a selection of the same row made elsewhere).
    fn absorb(&mut self, other: &mut Best<T>) {
        let found = std::mem::take(&mut other.found);
        other.floor = None;
        if self.found.is_empty() {
            self.found = found;
        } else {
            self.found.extend(found);
        }
    }

    /// The kept entries sorted by column; the selection is left empty.
    fn take_sorted(&mut self, k: usize) -> Vec<(u32, T)> {
        let mut found = std::mem::take(&mut self.found);
        self.floor = None;
        trim(&mut found, k);
        found.sort_unstable_by_key(|e| e.0);
        found
    }
}

/// Keep the best `k` entries of `found` (in any order).
fn trim<T: Real>(found: &mut Vec<(u32, T)>, k: usize) {
    if found.len() > k {
        found.select_nth_unstable_by(k - 1, rank);
        found.truncate(k);
    }
}

/// Sort `terms` by their first field, below `n_cols`, keeping the order of equal ones: a
/// least-significant-digit radix sort, 11 bits a pass (two passes up to 4 million columns).
fn sort_by_column<T: Copy>(terms: &mut Vec<(u32, u32, T)>, n_cols: usize) {
    const BITS: u32 = 11;
    const MASK: u32 = (1 << BITS) - 1;
    let bits = usize::BITS - n_cols.saturating_sub(1).leading_zeros();
    let mut out = terms.clone();
    let mut shift = 0;
    while shift < bits {
        let digit = |t: &(u32, u32, T)| ((t.0 >> shift) & MASK) as usize;
        let mut next = [0usize; 1 << BITS];
        for t in terms.iter() {
            next[digit(t)] += 1;
        }
        let mut at = 0;
        for n in next.iter_mut() {
            (*n, at) = (at, at + *n);
        }
        for t in terms.iter() {
            let slot = &mut next[digit(t)];
            out[*slot] = *t;
            *slot += 1;
        }
        std::mem::swap(terms, &mut out);
        shift += BITS;
    }
}

/// Cosine similarity between the rows of `X` and the rows of `Y`, prepared once for many
/// row blocks of `X`.
pub struct Similarity<'a, T: Clone, I: Clone> {
    x: Csr<'a, T, I>,
    inv_x: Vec<T>,
    inv_y: Vec<T>,
    y_cols: Postings<T>,
    dense: DenseColumns<T>,
    n_y: usize,
    /// `Y` is `X` itself (the same memory): the products form a symmetric matrix, and each
    /// block of rows computes only the columns from its own first row on.
    symmetric: bool,
}

impl<'a, T: Real, I: Index> Similarity<'a, T, I> {
    /// Prepare `cos(X, Y)`: row norms of both sides and the columns of `Y`. Fails when the
    /// numbers of columns differ.
    pub fn new(x: Csr<'a, T, I>, y: &Csr<'_, T, I>) -> Result<Self> {
        if x.n_cols != y.n_cols {
            return Err(Error::param(
                "Y",
                format!(
                    "has {} columns but X has {}: both must share one feature space",
                    y.n_cols, x.n_cols
                ),
            ));
        }
        if y.n_rows > u32::MAX as usize {
            return Err(Error::param("Y", "more than 2^32 - 1 rows"));
        }
        // Equal parts mean equal matrices; a copy of X takes the general path.
        let symmetric = x.same_memory(y);
        let x = x.into_canonical();
        let y_own;
        let y = if symmetric {
            &x
        } else {
            y_own = y.clone().into_canonical();
            &y_own
        };
        let dx = column_counts(&x);
        let dy_own;
        let dy = if symmetric {
            &dx
        } else {
            dy_own = column_counts(y);
            &dy_own
        };
        let dense = DenseColumns::new(&x, y, (&dx, dy));
        let inv_x = x.inverse_row_norms();
        Ok(Similarity {
            symmetric,
            inv_y: if symmetric {
                inv_x.clone()
            } else {
                y.inverse_row_norms()
            },
            inv_x,
            y_cols: Postings::new(y, &dense.slot),
            dense,
            n_y: y.n_rows,
            x,
        })
    }

    /// `(n_X, n_Y)`: the shape of the result.
    pub fn shape(&self) -> (usize, usize) {
        (self.x.n_rows, self.n_y)
    }

    /// Number of multiply-adds row `r` of `X` costs.
    fn work(&self, r: usize) -> usize {
        let mut work = 0usize;
        for c in self.x.row(r).0 {
            match self.dense.slot[c.pos()] {
                NOT_DENSE => work = work.saturating_add(self.y_cols.df(c.pos())),
                // A dense column touches all of Y: it needs the dense path, whatever the
                // rest costs.
                _ => return usize::MAX / (X_BLOCK * 8),
            }
        }
        work
    }

    /// The stored entries of rows `rows` of `X` as `(column, row in block, value)`, sorted
    /// by column: rows sharing a column then share one pass over its postings.
    fn block_terms(&self, rows: Range<usize>) -> Vec<(u32, u32, T)> {
        let mut terms = Vec::new();
        for (b, r) in rows.enumerate() {
            let (cols, vals) = self.x.row(r);
            terms.extend(
                cols.iter()
                    .zip(vals)
                    .filter(|(c, _)| self.dense.slot[c.pos()] == NOT_DENSE)
                    .map(|(c, &v)| (c.pos() as u32, b as u32, v)),
            );
        }
        // Generated row after row: a stable sort by column orders them by (column, row).
        sort_by_column(&mut terms, self.x.n_cols);
        terms
    }

    /// The block's rows restricted to the dense columns.
    fn block_dense(&self, rows: Range<usize>) -> ndarray::Array2<T> {
        let mut xd = ndarray::Array2::<T>::zeros((rows.len(), self.dense.width));
        if self.dense.width > 0 {
            for (mut out, r) in xd.outer_iter_mut().zip(rows) {
                let (cols, vals) = self.x.row(r);
                for (c, &v) in cols.iter().zip(vals) {
                    let s = self.dense.slot[c.pos()];
                    if s != NOT_DENSE {
                        out[s as usize] += v;
                    }
                }
            }
        }
        xd
    }

    /// Add the unnormalised products of the block's rows with the rows `lo..` of chunk `c`
    /// (numbered within the chunk) into `acc`, where block row `b` accumulates at
    /// `acc[b * stride..]`, the chunk's row `lo` first.
    ///
    /// `xd` is the block restricted to the dense columns (`rows × width`); their product
    /// with the chunk's dense part overwrites the accumulators first.
    #[inline]
    fn scatter_block(
        &self,
        terms: &[(u32, u32, T)],
        xd: &ndarray::Array2<T>,
        c: usize,
        lo: usize,
        acc: &mut [T],
        stride: usize,
    ) {
        let (start, len) = (self.y_cols.starts[c], self.y_cols.chunk_len(c));
        let width = len.saturating_sub(lo);
        if width == 0 || xd.nrows() == 0 {
            return;
        }
        if self.dense.width > 0 {
            let yd = self.dense.y.slice(ndarray::s![start + lo..start + len, ..]);
            let rows = xd.nrows();
            let span = (rows - 1) * stride + width;
            let mut out = ndarray::ArrayViewMut2::from_shape(
                (rows, width).strides((stride, 1)),
                &mut acc[..span],
            )
            .expect("accumulator block fits");
            ndarray::linalg::general_mat_mul(T::one(), xd, &yd.t(), T::one(), &mut out);
        }
        for run in terms.chunk_by(|a, b| a.0 == b.0) {
            let (ys, yv) = self.y_cols.column(run[0].0 as usize, c);
            // Rows ascend within a column: skip those before `lo`.
            let from = ys.partition_point(|&j| (j as usize) < lo);
            let (ys, yv) = (&ys[from..], &yv[from..]);
            if ys.is_empty() {
                continue;
            }
            let single = |acc: &mut [T], b: u32, xv: T| {
                let a = &mut acc[b as usize * stride..];
                for (&j, &v) in ys.iter().zip(yv) {
                    a[j as usize - lo] += xv * v;
                }
            };
            // Two rows per pass over the postings: half the loads, twice the independent
            // updates. Each accumulator still adds its terms in column order.
            let mut pairs = run.chunks_exact(2);
            for p in &mut pairs {
                let ((_, b1, x1), (_, b2, x2)) = (p[0], p[1]);
                if b1 == b2 {
                    // A column stored twice in a row (the second an explicit zero).
                    single(acc, b1, x1);
                    single(acc, b2, x2);
                    continue;
                }
                let (head, a2) = acc.split_at_mut(b2 as usize * stride);
                let a1 = &mut head[b1 as usize * stride..];
                for (&j, &v) in ys.iter().zip(yv) {
                    let j = j as usize - lo;
                    a1[j] += x1 * v;
                    a2[j] += x2 * v;
                }
            }
            for &(_, b, xv) in pairs.remainder() {
                single(acc, b, xv);
            }
        }
    }

    /// The unnormalised products of the rows `block` of `X` with the rows `from..` of `Y`:
    /// `f(i, j, dot)` for row `i` of `X` and row `j` of `Y`. Entries with no term in common
    /// may be left out; `dot` may be zero.
    fn products(
        &self,
        block: Range<usize>,
        from: usize,
        s: &mut Scratch<T>,
        mut f: impl FnMut(usize, usize, T),
    ) {
        let work = block
            .clone()
            .map(|r| self.work(r))
            .fold(0usize, usize::saturating_add);
        // A dense scan of the accumulators costs n_Y per row; it pays when the rows touch a
        // good part of Y anyway, and saves the bookkeeping of which entries were touched.
        let dense = work.saturating_mul(4) >= block.len() * self.n_y;
        let (terms, xd) = if dense {
            (
                self.block_terms(block.clone()),
                self.block_dense(block.clone()),
            )
        } else {
            (Vec::new(), ndarray::Array2::zeros((0, 0)))
        };
        // Each row's terms in column order: a product then adds up in the same order from
        // either side, however the rows were stored.
        let mut by_row: Vec<(u32, T)> = Vec::new();
        let mut row_starts = vec![0];
        if !dense {
            for i in block.clone() {
                let (cols, vals) = self.x.row(i);
                let from = by_row.len();
                by_row.extend(
                    cols.iter()
                        .map(|k| k.pos() as u32)
                        .zip(vals.iter().copied()),
                );
                by_row[from..].sort_unstable_by_key(|e| e.0);
                row_starts.push(by_row.len());
            }
        }
        for c in 0..self.y_cols.n_chunks() {
            let (start, len) = (self.y_cols.starts[c], self.y_cols.chunk_len(c));
            if start + len <= from {
                continue;
            }
            let lo = from.saturating_sub(start);
            let width = len - lo;
            if dense {
                self.scatter_block(&terms, &xd, c, lo, &mut s.acc, width);
                for (b, i) in block.clone().enumerate() {
                    let acc = &mut s.acc[b * width..(b + 1) * width];
                    for (t, a) in acc.iter_mut().enumerate() {
                        f(i, start + lo + t, *a);
                        *a = T::zero();
                    }
                }
            } else {
                for (b, i) in block.clone().enumerate() {
                    let row = &by_row[row_starts[b]..row_starts[b + 1]];
                    self.sparse_row_chunk(i, row, c, lo, s, &mut f);
                }
            }
        }
    }

    /// Row `i` (its terms `row`) against the rows `lo..` of chunk `c`, tracking the touched
    /// entries: for rows sharing little.
    fn sparse_row_chunk(
        &self,
        i: usize,
        row: &[(u32, T)],
        c: usize,
        lo: usize,
        s: &mut Scratch<T>,
        f: &mut impl FnMut(usize, usize, T),
    ) {
        let first = self.y_cols.starts[c] + lo;
        for &(k, xv) in row {
            let (ys, yv) = self.y_cols.column(k as usize, c);
            let from = ys.partition_point(|&j| (j as usize) < lo);
            for (&j, &v) in ys[from..].iter().zip(&yv[from..]) {
                let j = j as usize - lo;
                if !s.seen[j] {
                    s.seen[j] = true;
                    s.touched.push(j as u32);
                }
                s.acc[j] += xv * v;
            }
        }
        for &j in &s.touched {
            let j = j as usize;
            f(i, first + j, s.acc[j]);
            s.acc[j] = T::zero();
            s.seen[j] = false;
        }
        s.touched.clear();
    }

    /// The score of row `i` of `X` and row `j` of `Y`. The two norms are multiplied first,
    /// so that in a self-join the score of `(i, j)` and of `(j, i)` are the same number.
    #[inline]
    fn score(&self, i: usize, j: usize, dot: T) -> T {
        dot * (self.inv_x[i] * self.inv_y[j])
    }

    /// The entry `(j, score)` of row `r` if `keep` admits it.
    #[inline]
    fn accept(&self, r: usize, j: usize, dot: T, keep: &Keep<T>) -> Option<(u32, T)> {
        if dot == T::zero() || (keep.exclude_self && j == r) {
            return None;
        }
        let score = self.score(r, j, dot);
        let above = keep.threshold.is_none_or(|t| score > t);
        (score != T::zero() && above).then_some((j as u32, score))
    }

    /// The largest chunk of `Y`: the size of a [`Scratch`].
    fn max_chunk(&self) -> usize {
        (0..self.y_cols.n_chunks())
            .map(|c| self.y_cols.chunk_len(c))
            .max()
            .unwrap_or(0)
    }

    /// Blocks of at most [`X_BLOCK`] consecutive rows covering `rows`.
    fn blocks(rows: Range<usize>) -> Vec<Range<usize>> {
        rows.clone()
            .step_by(X_BLOCK)
            .map(|r| r..(r + X_BLOCK).min(rows.end))
            .collect()
    }

    /// The dense similarity matrix, computed into `out` in steps of rows (see
    /// [`DenseSteps`]). `out` holds `n_X × n_Y` zeros, row-major: the caller allocates it
    /// (numpy's zeroed pages come cheaper than a large `Vec`'s), and entries of rows that
    /// share nothing are never written. Fails when `out` has another length.
    pub fn dense_steps<'o>(&self, out: &'o mut [T]) -> Result<DenseSteps<'_, 'a, 'o, T, I>> {
        let (n_x, n_y) = self.shape();
        if n_x.checked_mul(n_y) != Some(out.len()) {
            return Err(Error::param(
                "out",
                format!("has {} values, expected {n_x} x {n_y}", out.len()),
            ));
        }
        Ok(DenseSteps {
            sim: self,
            next: 0,
            out,
        })
    }

    /// The sparse similarity matrix keeping per row the entries `keep` selects, computed in
    /// steps of rows (see [`SparseSteps`]).
    pub fn sparse_steps(&self, keep: Keep<T>) -> SparseSteps<'_, 'a, T, I> {
        SparseSteps {
            sim: self,
            keep,
            next: 0,
            carry: Vec::new(),
            parts: Vec::new(),
        }
    }

    /// Rows `rows` of the dense similarity matrix, written row-major into `out`
    /// (`rows.len() * n_Y` values, zero on entry), every column computed.
    fn dense_rows(&self, rows: Range<usize>, out: &mut [T]) {
        self.dense_rows_from(rows, false, out);
    }

    /// Like [`Self::dense_rows`], but with `upper` each block of rows computes only the
    /// columns from its own first row on (the rest comes from the mirror image).
    fn dense_rows_from(&self, rows: Range<usize>, upper: bool, out: &mut [T]) {
        let n_y = self.n_y;
        if n_y == 0 || rows.is_empty() {
            return;
        }
        let chunk = self.max_chunk();
        let first = rows.start;
        out.par_chunks_mut(X_BLOCK * n_y).enumerate().for_each_init(
            || Scratch::new(chunk),
            |s, (blk, dst)| {
                let r0 = first + blk * X_BLOCK;
                let block = r0..r0 + dst.len() / n_y;
                let from = if upper { r0 } else { 0 };
                self.products(block, from, s, |i, j, dot| {
                    dst[(i - r0) * n_y + j] = self.score(i, j, dot);
                });
            },
        );
    }

    /// Rows `rows` of the similarity matrix as CSR, keeping per row the entries `keep`
    /// selects, every column computed. Exact zeros are never stored.
    fn sparse_rows(&self, rows: Range<usize>, keep: &Keep<T>) -> CsrParts<T> {
        let chunk = self.max_chunk();
        let limit = Limit::new(keep.k, 64);
        let kept: Vec<Vec<Vec<(u32, T)>>> = Self::blocks(rows)
            .into_par_iter()
            .map_init(
                || (Scratch::new(chunk), Vec::new()),
                |(s, best), block| {
                    let r0 = block.start;
                    best.resize_with(block.len(), Best::default);
                    self.products(block.clone(), 0, s, |i, j, dot| {
                        if let Some(e) = self.accept(i, j, dot, keep) {
                            best[i - r0].offer(e, limit);
                        }
                    });
                    best.iter_mut().map(|b| b.take_sorted(limit.k)).collect()
                },
            )
            .collect();
        CsrParts::from_rows(kept.into_iter().flatten().collect())
    }

    /// A block of a self-join: the block's rows against the columns from the block's first
    /// row on. Each score goes to its row's selection and, for a column past the block, to
    /// that column's row as well (the mirror image, computed by no later block).
    fn self_join_block(
        &self,
        block: Range<usize>,
        keep: &Keep<T>,
        limit: Limit,
        s: &mut Scratch<T>,
        sel: &mut [Best<T>],
    ) {
        let end = block.end;
        self.products(block.clone(), block.start, s, |i, j, dot| {
            if let Some(e) = self.accept(i, j, dot, keep) {
                sel[i].offer(e, limit);
                // accept(j, i) would give the same: exclude_self only concerns i == j.
                if j >= end {
                    sel[j].offer((i as u32, e.1), limit);
                }
            }
        });
    }
}

/// The dense similarity matrix, computed in steps of consecutive rows so that a caller can
/// check for Ctrl-C in between. In a self-join each step computes its rows from their
/// block's diagonal on and copies the rest from the rows above, which are complete by then.
pub struct DenseSteps<'s, 'a, 'o, T: Clone, I: Clone> {
    sim: &'s Similarity<'a, T, I>,
    next: usize,
    out: &'o mut [T],
}

impl<T: Real, I: Index> DenseSteps<'_, '_, '_, T, I> {
    /// Rows not computed yet.
    pub fn remaining(&self) -> usize {
        self.sim.x.n_rows - self.next
    }

    /// Compute the next `max_rows` rows (at least one, fewer at the end).
    pub fn step(&mut self, max_rows: usize) {
        let n_y = self.sim.n_y;
        let rows = self.next..(self.next.saturating_add(max_rows.max(1))).min(self.sim.x.n_rows);
        self.next = rows.end;
        let (a, b) = (rows.start, rows.end);
        if !self.sim.symmetric {
            self.sim.dense_rows(rows, &mut self.out[a * n_y..b * n_y]);
            return;
        }
        self.sim
            .dense_rows_from(rows.clone(), true, &mut self.out[a * n_y..b * n_y]);
        // The columns before each block's first row: the transpose of rows computed
        // already (earlier steps, and earlier blocks of this step), block after block.
        for block in Similarity::<T, I>::blocks(rows) {
            let (done, rest) = self.out.split_at_mut(block.start * n_y);
            let done: &[T] = done;
            rest[..block.len() * n_y]
                .par_chunks_mut(MIRROR_ROWS * n_y)
                .enumerate()
                .for_each(|(g, dst)| {
                    let i0 = block.start + g * MIRROR_ROWS;
                    let h = dst.len() / n_y;
                    for j in 0..block.start {
                        let src = &done[j * n_y + i0..j * n_y + i0 + h];
                        for (t, &v) in src.iter().enumerate() {
                            dst[t * n_y + j] = v;
                        }
                    }
                });
        }
    }

    /// Compute the rows not computed yet.
    pub fn finish(mut self) {
        while self.remaining() > 0 {
            self.step(usize::MAX);
        }
    }
}

/// Rows copied together by the mirror step: reading one cache line of a row above serves
/// this many rows.
const MIRROR_ROWS: usize = 16;

/// The sparse similarity matrix, computed in steps of consecutive rows so that a caller can
/// check for Ctrl-C in between.
///
/// In a self-join a step also offers the scores of its rows to the selections of the later
/// rows (their mirror image), which it carries to the later steps: one selection per row
/// and worker thread, merged when the row's step comes. The result is the same as the
/// general path's, to the bit: a score is one number whichever side computes it, and a
/// selection keeps the best `k` by a total order.
pub struct SparseSteps<'s, 'a, T: Clone, I: Clone> {
    sim: &'s Similarity<'a, T, I>,
    keep: Keep<T>,
    next: usize,
    /// Self-join only: each worker's selections, indexed by row.
    carry: Vec<Vec<Best<T>>>,
    parts: Vec<CsrParts<T>>,
}

impl<T: Real, I: Index> SparseSteps<'_, '_, T, I> {
    /// Rows not computed yet.
    pub fn remaining(&self) -> usize {
        self.sim.x.n_rows - self.next
    }

    /// Compute the next `max_rows` rows (at least one, fewer at the end).
    pub fn step(&mut self, max_rows: usize) {
        let n_x = self.sim.x.n_rows;
        let rows = self.next..(self.next.saturating_add(max_rows.max(1))).min(n_x);
        self.next = rows.end;
        let part = if self.sim.symmetric {
            self.self_join_rows(rows)
        } else {
            self.sim.sparse_rows(rows, &self.keep)
        };
        self.parts.push(part);
    }

    fn self_join_rows(&mut self, rows: Range<usize>) -> CsrParts<T> {
        let (sim, keep) = (self.sim, &self.keep);
        let n = sim.x.n_rows;
        let workers = rayon::current_num_threads().max(1);
        while self.carry.len() < workers {
            self.carry
                .push(std::iter::repeat_with(Best::default).take(n).collect());
        }
        // A small buffer per row and worker: these selections live until the row's step.
        let limit = Limit::new(keep.k, 16);
        let chunk = sim.max_chunk();
        let blocks = Similarity::<T, I>::blocks(rows.clone());
        // Blocks go to whichever worker is free, first block first: the early blocks have
        // the most columns to compute.
        let next_block = std::sync::atomic::AtomicUsize::new(0);
        self.carry.par_iter_mut().for_each(|sel| {
            let mut scratch = None;
            while let Some(block) =
                blocks.get(next_block.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
            {
                let s = scratch.get_or_insert_with(|| Scratch::new(chunk));
                sim.self_join_block(block.clone(), keep, limit, s, sel);
            }
        });
        let mut merged: Vec<Best<T>> = rows
            .map(|r| {
                let mut all = Best::default();
                for sel in &mut self.carry {
                    all.absorb(&mut sel[r]);
                }
                all
            })
            .collect();
        let kept = merged
            .par_iter_mut()
            .map(|b| b.take_sorted(limit.k))
            .collect();
        CsrParts::from_rows(kept)
    }

    /// The sparse matrix, computing the rows not computed yet.
    pub fn finish(mut self) -> CsrParts<T> {
        while self.remaining() > 0 {
            self.step(usize::MAX);
        }
        CsrParts::vstack(self.parts)
    }
}

/// Row `r`'s column indices of a [`CsrParts`] block: convenience for tests and callers.
impl<T> CsrParts<T> {
    /// `(indices, data)` of row `r`.
    pub fn row(&self, r: usize) -> (&[i64], &[T]) {
        let span = self.indptr[r] as usize..self.indptr[r + 1] as usize;
        (&self.indices[span.clone()], &self.data[span])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A dense matrix as CSR parts (exact zeros left out).
    fn csr_of(m: &[Vec<f64>]) -> (Vec<i64>, Vec<i64>, Vec<f64>) {
        let mut indptr = vec![0i64];
        let (mut ind, mut dat) = (vec![], vec![]);
        for row in m {
            for (c, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    ind.push(c as i64);
                    dat.push(v);
                }
            }
            indptr.push(ind.len() as i64);
        }
        (indptr, ind, dat)
    }

    fn brute(x: &[Vec<f64>], y: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let inv = |r: &Vec<f64>| {
            let n = r.iter().map(|v| v * v).sum::<f64>();
            if n > 0.0 {
                1.0 / n.sqrt()
            } else {
                0.0
            }
        };
        x.iter()
            .map(|a| {
                y.iter()
                    .map(|b| {
                        let dot: f64 = a.iter().zip(b).map(|(p, q)| p * q).sum();
                        // The norms multiplied first: the documented score.
                        dot * (inv(a) * inv(b))
                    })
                    .collect()
            })
            .collect()
    }

    fn matrix(rows: usize, cols: usize) -> impl Strategy<Value = Vec<Vec<f64>>> {
        // Small integers: exact dot products, and many ties.
        proptest::collection::vec(
            proptest::collection::vec(prop_oneof![3 => Just(0i32), 1 => -2i32..4], cols)
                .prop_map(|r| r.into_iter().map(f64::from).collect()),
            rows,
        )
        .prop_map(|m: Vec<Vec<f64>>| m)
    }

    fn sim<'a>(
        x: &'a (Vec<i64>, Vec<i64>, Vec<f64>),
        y: &'a (Vec<i64>, Vec<i64>, Vec<f64>),
        cols: usize,
    ) -> Similarity<'a, f64, i64> {
        let shape = |p: &(Vec<i64>, Vec<i64>, Vec<f64>)| (p.0.len() - 1, cols);
        let xc = Csr::new("X", shape(x), &x.0, &x.1, &x.2).unwrap();
        let yc = Csr::new("Y", shape(y), &y.0, &y.1, &y.2).unwrap();
        Similarity::new(xc, &yc).unwrap()
    }

    proptest! {
        #[test]
        fn dense_matches_brute_force(x in matrix(5, 6), y in matrix(7, 6)) {
            let (xp, yp) = (csr_of(&x), csr_of(&y));
            let s = sim(&xp, &yp, 6);
            let mut out = vec![0.0; 5 * 7];
            s.dense_rows(0..5, &mut out);
            let want = brute(&x, &y);
            for i in 0..5 {
                for j in 0..7 {
                    prop_assert!((out[i * 7 + j] - want[i][j]).abs() < 1e-12);
                }
            }
        }

        #[test]
        fn top_k_matches_sorted_brute_force(
            x in matrix(6, 5),
            k in 1usize..9,
            t in proptest::option::of(-1.0f64..1.0),
            exclude_self: bool,
        ) {
            let xp = csr_of(&x);
            let s = sim(&xp, &xp, 5);
            let keep = Keep::new(Some(k as i64), t, exclude_self).unwrap();
            let got = s.sparse_rows(0..6, &keep);
            let want = brute(&x, &x);
            for (i, row) in want.iter().enumerate() {
                let mut cand: Vec<(u32, f64)> = (0..6)
                    .filter(|&j| !(exclude_self && j == i))
                    .map(|j| (j as u32, row[j]))
                    .filter(|e| e.1 != 0.0 && t.is_none_or(|t| e.1 > t))
                    .collect();
                cand.sort_by(rank);
                cand.truncate(k);
                cand.sort_by_key(|e| e.0);
                let (ind, dat) = got.row(i);
                let cols: Vec<i64> = cand.iter().map(|e| i64::from(e.0)).collect();
                prop_assert_eq!(ind, &cols[..]);
                for (a, b) in dat.iter().zip(&cand) {
                    prop_assert!((a - b.1).abs() < 1e-12);
                }
            }
        }

        #[test]
        fn blocks_stack_to_the_whole(x in matrix(9, 4)) {
            let xp = csr_of(&x);
            let s = sim(&xp, &xp, 4);
            let all = s.sparse_rows(0..9, &Keep::all());
            let parts = CsrParts::vstack(vec![
                s.sparse_rows(0..4, &Keep::all()),
                s.sparse_rows(4..9, &Keep::all()),
            ]);
            prop_assert_eq!(all, parts);
        }
    }

    #[test]
    fn many_chunks_and_both_paths_match_brute_force() {
        // 9,000 rows of Y: several chunks. Columns 0-1 are common (dense path), columns 2-5
        // rarer (a block of X rows using only those takes the touched-entries path).
        let mut state = 1u64;
        let mut next = move |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let mut row = |common: bool| -> Vec<f64> {
            (0..6)
                .map(|c| {
                    let p = if c < 2 {
                        if common {
                            2
                        } else {
                            0
                        }
                    } else {
                        7
                    };
                    if p > 0 && next(p) == 0 || (c < 2 && common && next(3) > 0) {
                        (next(4) + 1) as f64
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        let y: Vec<Vec<f64>> = (0..9000).map(|i| row(i % 3 == 0)).collect();
        // Rows 0-31 (one block) share common columns, rows 32-63 only rare ones.
        let x: Vec<Vec<f64>> = (0..64).map(|i| row(i < 32)).collect();
        let (xp, yp) = (csr_of(&x), csr_of(&y));
        let s = sim(&xp, &yp, 6);
        assert!(s.y_cols.n_chunks() > 1);
        let want = brute(&x, &y);
        let mut dense = vec![0.0; 64 * 9000];
        s.dense_rows(0..64, &mut dense);
        for (i, w) in want.iter().enumerate() {
            for (j, v) in w.iter().enumerate() {
                assert!((dense[i * 9000 + j] - v).abs() < 1e-12);
            }
        }
        let keep = Keep::new(Some(7), None, false).unwrap();
        let got = s.sparse_rows(0..64, &keep);
        for (i, w) in want.iter().enumerate() {
            let mut cand: Vec<(u32, f64)> = w
                .iter()
                .enumerate()
                .filter(|e| *e.1 != 0.0)
                .map(|(j, &v)| (j as u32, v))
                .collect();
            cand.sort_by(rank);
            cand.truncate(7);
            cand.sort_by_key(|e| e.0);
            let cols: Vec<i64> = cand.iter().map(|e| i64::from(e.0)).collect();
            assert_eq!(got.row(i).0, &cols[..], "row {i}");
        }
    }

    /// Rows whose first `dense_cols` columns are stored in most rows (the dense product
    /// path) and the others rarely; every eighth row (on average) is empty. Small integers:
    /// exact dot products and many ties.
    fn mixed_matrix(
        rows: std::ops::Range<usize>,
        cols: usize,
        dense_cols: usize,
    ) -> impl Strategy<Value = Vec<Vec<f64>>> {
        proptest::collection::vec(
            (
                0u8..8,
                proptest::collection::vec((0u8..100, -2i32..4), cols),
            ),
            rows,
        )
        .prop_map(move |m| {
            m.into_iter()
                .map(|(empty, row)| {
                    row.into_iter()
                        .enumerate()
                        .map(|(c, (p, v))| {
                            let stored = empty > 0 && p < if c < dense_cols { 70 } else { 15 };
                            if stored {
                                f64::from(v)
                            } else {
                                0.0
                            }
                        })
                        .collect()
                })
                .collect()
        })
    }

    /// Each row's best `k` by (score descending, column ascending), sorted by column.
    fn brute_top_k(
        s: &[Vec<f64>],
        k: Option<usize>,
        t: Option<f64>,
        exclude_self: bool,
    ) -> Vec<Vec<(u32, f64)>> {
        s.iter()
            .enumerate()
            .map(|(i, row)| {
                let mut cand: Vec<(u32, f64)> = row
                    .iter()
                    .enumerate()
                    .filter(|&(j, &v)| !(exclude_self && j == i) && v != 0.0)
                    .filter(|&(_, &v)| t.is_none_or(|t| v > t))
                    .map(|(j, &v)| (j as u32, v))
                    .collect();
                cand.sort_by(rank);
                cand.truncate(k.unwrap_or(usize::MAX));
                cand.sort_by_key(|e| e.0);
                cand
            })
            .collect()
    }

    fn in_pool<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(f)
    }

    /// The sparse result computed in steps of `step` rows.
    fn sparse_in_steps(
        s: &Similarity<'_, f64, i64>,
        keep: Keep<f64>,
        step: usize,
    ) -> CsrParts<f64> {
        let mut steps = s.sparse_steps(keep);
        while steps.remaining() > 0 {
            steps.step(step);
        }
        steps.finish()
    }

    fn dense_in_steps(s: &Similarity<'_, f64, i64>, step: usize) -> ndarray::Array2<f64> {
        let mut out = ndarray::Array2::zeros(s.shape());
        let mut steps = s.dense_steps(out.as_slice_mut().unwrap()).unwrap();
        while steps.remaining() > 0 {
            steps.step(step);
        }
        steps.finish();
        out
    }

    /// Same columns, and the same values to the bit.
    fn assert_identical(a: &CsrParts<f64>, b: &CsrParts<f64>) {
        assert_eq!(a.indptr, b.indptr);
        assert_eq!(a.indices, b.indices);
        let bits = |d: &[f64]| d.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&a.data), bits(&b.data));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn self_join_equals_the_general_path_and_brute_force(
            x in mixed_matrix(0..300, 7, 2),
            k in proptest::option::weighted(0.8, 1usize..12),
            t in proptest::option::of(-1.0f64..1.0),
            exclude_self: bool,
            step in 1usize..400,
            threads in 1usize..4,
        ) {
            let n = x.len();
            let xp = csr_of(&x);
            let copy = xp.clone();
            let symmetric = sim(&xp, &xp, 7);
            let general = sim(&xp, &copy, 7);
            prop_assert!(symmetric.symmetric && !general.symmetric);
            let keep = Keep::new(k.map(|k| k as i64), t, exclude_self).unwrap();
            let got = in_pool(threads, || sparse_in_steps(&symmetric, keep, step));
            let want = in_pool(1, || sparse_in_steps(&general, keep, 2048));
            assert_identical(&got, &want);
            prop_assert_eq!(got.indptr.len(), n + 1);
            let brute_rows = brute_top_k(&brute(&x, &x), k, t, exclude_self);
            for (i, w) in brute_rows.iter().enumerate() {
                let (ind, dat) = got.row(i);
                let cols: Vec<i64> = w.iter().map(|e| i64::from(e.0)).collect();
                prop_assert_eq!(ind, &cols[..], "row {}", i);
                for (a, b) in dat.iter().zip(w) {
                    prop_assert!((a - b.1).abs() < 1e-12);
                }
            }
        }

        #[test]
        fn self_join_dense_equals_the_general_path_and_brute_force(
            x in mixed_matrix(0..300, 7, 2),
            step in 1usize..400,
            threads in 1usize..4,
        ) {
            let n = x.len();
            let xp = csr_of(&x);
            let copy = xp.clone();
            let got = in_pool(threads, || dense_in_steps(&sim(&xp, &xp, 7), step));
            let want = in_pool(threads, || dense_in_steps(&sim(&xp, &copy, 7), 2048));
            prop_assert_eq!(got.dim(), (n, n));
            let b = brute(&x, &x);
            for i in 0..n {
                for j in 0..n {
                    prop_assert_eq!(got[(i, j)].to_bits(), want[(i, j)].to_bits());
                    prop_assert_eq!(got[(i, j)].to_bits(), got[(j, i)].to_bits());
                    prop_assert!((got[(i, j)] - b[i][j]).abs() < 1e-12);
                }
            }
        }
    }

    #[test]
    fn self_join_over_several_chunks_equals_the_general_path() {
        // 4,500 rows: two chunks of Y, so a block's first column falls inside the second.
        let mut state = 7u64;
        let mut next = move |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let x: Vec<Vec<f64>> = (0..4500)
            .map(|i| {
                (0..6)
                    .map(|c| {
                        // Rows 1000-1999 only use the rare columns (the touched-entries path).
                        let common = c < 2 && !(1000..2000).contains(&i);
                        let p = if common { 2 } else { 9 };
                        if next(p) == 0 {
                            (next(4) + 1) as f64
                        } else {
                            0.0
                        }
                    })
                    .collect()
            })
            .collect();
        let xp = csr_of(&x);
        let copy = xp.clone();
        let (symmetric, general) = (sim(&xp, &xp, 6), sim(&xp, &copy, 6));
        assert!(symmetric.y_cols.n_chunks() > 1 && symmetric.dense.width > 0);
        for keep in [
            Keep::new(Some(5), None, true).unwrap(),
            Keep::new(Some(1), Some(0.5), false).unwrap(),
        ] {
            let got = in_pool(2, || sparse_in_steps(&symmetric, keep, 2048));
            let want = in_pool(2, || sparse_in_steps(&general, keep, 2048));
            assert_identical(&got, &want);
        }
    }

    /// CSR parts of `m` with each row's entries shuffled and some values split into two
    /// entries of the same column (small integers: the sums stay exact).
    fn messy_csr_of(m: &[Vec<f64>], seed: u64) -> (Vec<i64>, Vec<i64>, Vec<f64>) {
        let mut state = seed;
        let mut next = move |n: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let mut indptr = vec![0i64];
        let (mut ind, mut dat) = (vec![], vec![]);
        for row in m {
            let mut entries = vec![];
            for (c, &v) in row.iter().enumerate() {
                if v == 0.0 {
                    continue;
                }
                if next(3) == 0 {
                    let a = next(5) as f64 - 2.0;
                    entries.push((c as i64, a));
                    entries.push((c as i64, v - a));
                } else {
                    entries.push((c as i64, v));
                }
            }
            for t in (1..entries.len()).rev() {
                entries.swap(t, next(t as u64 + 1) as usize);
            }
            for (c, v) in entries {
                ind.push(c);
                dat.push(v);
            }
            indptr.push(ind.len() as i64);
        }
        (indptr, ind, dat)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn unsorted_rows_and_duplicates_give_the_canonical_result(
            x in (0usize..3).prop_flat_map(|d| mixed_matrix(0..200, 7, d)),
            seed: u64,
            step in 1usize..300,
        ) {
            let clean = csr_of(&x);
            let messy = messy_csr_of(&x, seed);
            let copy = messy.clone();
            let keep = Keep::new(Some(4), None, false).unwrap();
            let want = in_pool(2, || sparse_in_steps(&sim(&clean, &clean, 7), keep, step));
            for got in [
                in_pool(2, || sparse_in_steps(&sim(&messy, &messy, 7), keep, step)),
                in_pool(2, || sparse_in_steps(&sim(&messy, &copy, 7), keep, step)),
            ] {
                assert_identical(&got, &want);
            }
            let want = in_pool(2, || dense_in_steps(&sim(&clean, &clean, 7), step));
            let got = in_pool(2, || dense_in_steps(&sim(&messy, &messy, 7), step));
            prop_assert_eq!(got, want);
        }

        #[test]
        fn unsorted_rows_give_one_score_from_both_sides(
            x in (0usize..3).prop_flat_map(|d| mixed_matrix(0..200, 7, d)),
            seed: u64,
        ) {
            // Values that are not small integers: sums in another order would round
            // otherwise, so the symmetric path equals the general one only if every
            // product adds up in one order.
            let scale = |v: f64| v * (1.0 + (seed % 997) as f64 / 1013.0) / 3.0;
            let x: Vec<Vec<f64>> = x
                .iter()
                .enumerate()
                .map(|(i, r)| r.iter().map(|&v| scale(v) + v * i as f64 / 7.0).collect())
                .collect();
            let messy = messy_csr_of(&x, seed);
            let copy = messy.clone();
            let keep = Keep::new(Some(5), None, false).unwrap();
            let got = in_pool(2, || sparse_in_steps(&sim(&messy, &messy, 7), keep, 64));
            let want = in_pool(2, || sparse_in_steps(&sim(&messy, &copy, 7), keep, 64));
            assert_identical(&got, &want);
        }
    }

    #[test]
    fn unsorted_sparse_rows_give_one_score_from_both_sides() {
        // Clusters of 8 rows sharing 6 columns of their own: each row touches few others
        // (the touched-entries path), and shares several columns with them, with values
        // whose sums round differently in another order.
        let mut state = 3u64;
        let mut next = move |m: u64| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let (n, cols) = (800, 600);
        let x: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                let mut row = vec![0.0; cols];
                for t in 0..6 {
                    if next(4) > 0 {
                        row[(i / 8) * 6 + t] = (next(1 << 20) + 1) as f64 / 9973.0;
                    }
                }
                row
            })
            .collect();
        let messy = messy_csr_of(&x, 11);
        let copy = messy.clone();
        let symmetric = sim(&messy, &messy, cols);
        assert!((0..n).all(|r| symmetric.work(r) * 4 < n));
        let keep = Keep::new(Some(3), None, false).unwrap();
        let got = in_pool(2, || sparse_in_steps(&symmetric, keep, 100));
        let want = in_pool(2, || sparse_in_steps(&sim(&messy, &copy, cols), keep, 100));
        assert_identical(&got, &want);
    }

    #[test]
    fn canonical_rows_sum_duplicates_in_place() {
        let indptr = vec![0i64, 4, 4, 6];
        let ind = vec![3i64, 1, 3, 0, 2, 2];
        let dat = vec![1.0, 2.0, 4.0, 5.0, 0.0, 7.0];
        let m = Csr::new("X", (3, 4), &indptr, &ind, &dat)
            .unwrap()
            .into_canonical();
        assert_eq!(&*m.indices, &ind[..]);
        // Column 3 of row 0 sums at its first place; an explicit zero is no duplicate.
        assert_eq!(&*m.data, &[5.0, 2.0, 0.0, 5.0, 0.0, 7.0]);
        assert!(matches!(m.data, Cow::Owned(_)));
        // Nothing to sum: borrowed, not copied.
        let m = Csr::new("X", (3, 4), &indptr, &ind, &m.data)
            .unwrap()
            .into_canonical();
        assert!(matches!(m.data, Cow::Borrowed(_)));
    }

    proptest! {
        #[test]
        fn radix_sort_orders_by_column_and_keeps_ties_in_place(
            cols in proptest::collection::vec(0u32..5000, 0..300),
            n_extra in 0usize..3,
        ) {
            let n_cols = [5000usize, 1 << 22, 1 << 31][n_extra];
            let mut terms: Vec<(u32, u32, f64)> =
                cols.iter().enumerate().map(|(b, &c)| (c, b as u32, 0.0)).collect();
            let mut want = terms.clone();
            want.sort_by_key(|t| t.0);
            sort_by_column(&mut terms, n_cols);
            prop_assert_eq!(terms, want);
        }
    }

    #[test]
    fn invalid_parts_name_the_argument() {
        let e = Csr::<f64, i64>::new("X", (1, 2), &[0, 1], &[5], &[1.0]).unwrap_err();
        assert_eq!(e.to_string(), "X[0]: column index 5 outside 0..2");
        let e = Csr::<f64, i64>::new("Y", (1, 2), &[0, 1], &[0], &[f64::NAN]).unwrap_err();
        assert_eq!(e.to_string(), "Y[0]: contains NaN or infinity");
        let e = Csr::<f64, i64>::new("X", (2, 2), &[0, 1], &[0], &[1.0]).unwrap_err();
        assert!(e.to_string().starts_with("X: indptr has 2 entries"));
    }

    #[test]
    fn keep_rejects_bad_options() {
        assert_eq!(
            Keep::<f64>::new(Some(0), None, true)
                .unwrap_err()
                .to_string(),
            "k: must be >= 1, got 0"
        );
        assert!(Keep::<f64>::new(Some(1), Some(1.5), true)
            .unwrap_err()
            .to_string()
            .starts_with("threshold: must be within [-1, 1]"));
        assert!(Keep::<f32>::new(None, Some(-1.0), true).is_ok());
    }

    #[test]
    fn shape_mismatch_is_an_error() {
        let x = Csr::<f64, i64>::new("X", (1, 2), &[0, 0], &[], &[]).unwrap();
        let y = Csr::<f64, i64>::new("Y", (1, 3), &[0, 0], &[], &[]).unwrap();
        let e = Similarity::new(x, &y).err().unwrap();
        assert!(e.to_string().starts_with("Y: has 3 columns but X has 2"));
    }
}
