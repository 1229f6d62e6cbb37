//! Cosine similarity between the rows of two sparse matrices in CSR form.
//!
//! Every function here takes CSR parts (`indptr`, `indices`, `data`) as borrowed slices, so a
//! caller hands over scipy's arrays without copying. Rows are L2-normalised on the fly: the
//! score of rows `x` and `y` is `(x · y) * (1 / |x|) * (1 / |y|)`, and an all-zero row has
//! similarity 0 with everything.
//!
//! The product `X · Yᵀ` is computed row by row from `Yᵀ` (the columns of `Y`, built once by
//! [`Similarity::new`]): for each stored entry `x[k]` of a row of `X`, walk the rows of `Y`
//! that have a term `k` and add `x[k] * y[k]` to a dense accumulator of length `n_Y`. The
//! accumulator is per thread and reset after each row, so [`Similarity::top_k`] needs memory
//! proportional to `n_X · k` (plus `n_Y` per thread) and never builds the `n_X × n_Y` matrix.

use std::cmp::Ordering;
use std::ops::Range;

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
pub trait Real: Float + Send + Sync + std::ops::AddAssign + std::fmt::Debug + 'static {}
impl Real for f32 {}
impl Real for f64 {}

/// A borrowed, validated CSR matrix.
#[derive(Clone, Copy, Debug)]
pub struct Csr<'a, T, I> {
    n_rows: usize,
    n_cols: usize,
    indptr: &'a [I],
    indices: &'a [I],
    data: &'a [T],
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
            indices,
            data,
        })
    }

    /// `(n_rows, n_cols)`.
    pub fn shape(&self) -> (usize, usize) {
        (self.n_rows, self.n_cols)
    }

    /// Column indices and values of row `r`.
    #[inline]
    fn row(&self, r: usize) -> (&'a [I], &'a [T]) {
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

/// `Yᵀ` in CSR form: for each column `k` of `Y`, the rows of `Y` that store it.
struct Postings<T> {
    indptr: Vec<usize>,
    rows: Vec<u32>,
    data: Vec<T>,
}

impl<T: Real> Postings<T> {
    fn new<I: Index>(y: &Csr<'_, T, I>) -> Self {
        let mut counts = vec![0usize; y.n_cols + 1];
        for c in y.indices {
            counts[c.pos() + 1] += 1;
        }
        for k in 0..y.n_cols {
            counts[k + 1] += counts[k];
        }
        let indptr = counts.clone();
        let mut next = counts;
        let nnz = y.data.len();
        let mut rows = vec![0u32; nnz];
        let mut data = vec![T::zero(); nnz];
        for r in 0..y.n_rows {
            let (cols, vals) = y.row(r);
            for (c, &v) in cols.iter().zip(vals) {
                let slot = &mut next[c.pos()];
                rows[*slot] = r as u32;
                data[*slot] = v;
                *slot += 1;
            }
        }
        Postings { indptr, rows, data }
    }

    #[inline]
    fn column(&self, k: usize) -> (&[u32], &[T]) {
        let span = self.indptr[k]..self.indptr[k + 1];
        (&self.rows[span.clone()], &self.data[span])
    }
}

/// Per-thread work space: a dense accumulator over the rows of `Y` and the list of the
/// entries a sparse row touched (so that only those are reset).
struct Scratch<T> {
    acc: Vec<T>,
    seen: Vec<bool>,
    touched: Vec<u32>,
    found: Vec<(u32, T)>,
}

impl<T: Real> Scratch<T> {
    fn new(n: usize) -> Self {
        Scratch {
            acc: vec![T::zero(); n],
            seen: vec![false; n],
            touched: Vec::new(),
            found: Vec::new(),
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

/// Cosine similarity between the rows of `X` and the rows of `Y`, prepared once for many
/// row blocks of `X`.
pub struct Similarity<'a, T, I> {
    x: Csr<'a, T, I>,
    inv_x: Vec<T>,
    inv_y: Vec<T>,
    y_cols: Postings<T>,
    n_y: usize,
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
        Ok(Similarity {
            inv_x: x.inverse_row_norms(),
            inv_y: y.inverse_row_norms(),
            y_cols: Postings::new(y),
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
        let ip = &self.y_cols.indptr;
        self.x
            .row(r)
            .0
            .iter()
            .map(|c| ip[c.pos() + 1] - ip[c.pos()])
            .sum()
    }

    /// Add `x_r · Yᵀ` (unnormalised) into `acc`, which must be zero on entry.
    #[inline]
    fn accumulate(&self, r: usize, acc: &mut [T]) {
        let (cols, vals) = self.x.row(r);
        for (c, &xv) in cols.iter().zip(vals) {
            let (rows, yv) = self.y_cols.column(c.pos());
            for (&j, &v) in rows.iter().zip(yv) {
                acc[j as usize] += xv * v;
            }
        }
    }

    /// Rows `rows` of the dense similarity matrix, written row-major into `out`
    /// (`rows.len() * n_Y` values).
    pub fn dense_rows(&self, rows: Range<usize>, out: &mut [T]) {
        let n_y = self.n_y;
        assert_eq!(
            out.len(),
            rows.len() * n_y,
            "output block has the wrong size"
        );
        if n_y == 0 {
            return;
        }
        out.par_chunks_mut(n_y)
            .zip(rows)
            .with_min_len(8)
            .for_each(|(acc, r)| {
                acc.fill(T::zero());
                self.accumulate(r, acc);
                let ix = self.inv_x[r];
                for (a, &iy) in acc.iter_mut().zip(&self.inv_y) {
                    *a = *a * ix * iy;
                }
            });
    }

    /// Rows `rows` of the similarity matrix as CSR, keeping per row the entries `keep`
    /// selects. Exact zeros are never stored.
    pub fn sparse_rows(&self, rows: Range<usize>, keep: &Keep<T>) -> CsrParts<T> {
        let n_y = self.n_y;
        let kept: Vec<Vec<(u32, T)>> = rows
            .into_par_iter()
            .with_min_len(8)
            .map_init(|| Scratch::new(n_y), |s, r| self.sparse_row(r, keep, s))
            .collect();
        CsrParts::from_rows(kept)
    }

    fn sparse_row(&self, r: usize, keep: &Keep<T>, s: &mut Scratch<T>) -> Vec<(u32, T)> {
        let ix = self.inv_x[r];
        let skip = if keep.exclude_self { r } else { usize::MAX };
        let accept = |j: usize, dot: T| -> Option<(u32, T)> {
            if j == skip {
                return None;
            }
            let score = dot * ix * self.inv_y[j];
            let above = keep.threshold.is_none_or(|t| score > t);
            (score != T::zero() && above).then_some((j as u32, score))
        };
        s.found.clear();
        // A dense scan of the accumulator costs n_Y; it pays when the row touches a good
        // part of it anyway, and saves the bookkeeping of which entries were touched.
        if self.work(r) * 4 >= self.n_y {
            self.accumulate(r, &mut s.acc);
            for (j, a) in s.acc.iter_mut().enumerate() {
                if let Some(e) = accept(j, *a) {
                    s.found.push(e);
                }
                *a = T::zero();
            }
        } else {
            let (cols, vals) = self.x.row(r);
            for (c, &xv) in cols.iter().zip(vals) {
                let (ys, yv) = self.y_cols.column(c.pos());
                for (&j, &v) in ys.iter().zip(yv) {
                    let j = j as usize;
                    if !s.seen[j] {
                        s.seen[j] = true;
                        s.touched.push(j as u32);
                    }
                    s.acc[j] += xv * v;
                }
            }
            for &j in &s.touched {
                let j = j as usize;
                if let Some(e) = accept(j, s.acc[j]) {
                    s.found.push(e);
                }
                s.acc[j] = T::zero();
                s.seen[j] = false;
            }
            s.touched.clear();
        }
        let found = &mut s.found;
        if found.len() > keep.k {
            found.select_nth_unstable_by(keep.k - 1, rank);
            found.truncate(keep.k);
        }
        found.sort_unstable_by_key(|e| e.0);
        found.clone()
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
                        dot * inv(a) * inv(b)
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
