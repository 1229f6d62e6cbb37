//! The hashing trick as scikit-learn's `HashingVectorizer`: each term goes to column
//! `|h| mod n_features` where `h` is the signed 32-bit MurmurHash3 (seed 0) of its UTF-8
//! bytes, with sign `sign(h)` when `alternate_sign` is on. No vocabulary is learned.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::analyzer::{Analyzer, AnalyzerConfig, Scratch};
use crate::error::{Error, Result};
use crate::parallel::Interrupt;
use crate::vectorize::{normalize_row, Csr, Norm, Values};

/// Parameters of a hashing vectorizer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HashingConfig {
    /// How texts become terms.
    pub analysis: AnalyzerConfig,
    /// Number of columns.
    pub n_features: usize,
    /// Sign each term by the sign of its hash, so that collisions tend to cancel.
    pub alternate_sign: bool,
    /// Values become 1 (after collisions are summed).
    pub binary: bool,
    /// Row normalisation.
    pub norm: Option<Norm>,
    /// Output as float32 instead of float64.
    pub float32: bool,
}

/// sklearn's `murmurhash3_32(term, seed=0, positive=False)`.
#[inline]
pub fn murmurhash3_32_signed(term: &str) -> i32 {
    let mut bytes = term.as_bytes();
    // Reading from a byte slice cannot fail.
    murmur3::murmur3_32(&mut bytes, 0).unwrap_or(0) as i32
}

/// Column and sign of `term`, exactly as sklearn's `FeatureHasher`.
#[inline]
pub fn bucket(term: &str, n_features: usize, alternate_sign: bool) -> (u32, f64) {
    let h = murmurhash3_32_signed(term);
    let n = n_features as i64;
    let col = if h == i32::MIN {
        (i32::MAX as i64 - (n - 1)) % n
    } else {
        (h as i64).abs() % n
    };
    let sign = if alternate_sign && h < 0 { -1.0 } else { 1.0 };
    (col as u32, sign)
}

/// Hash every document into a CSR matrix with `n_features` columns; gives up with
/// [`Error::Interrupted`] soon after `stop` is set.
pub fn hash_transform(
    analyzer: &Analyzer,
    config: &HashingConfig,
    docs: &[&str],
    stop: &Interrupt,
) -> Result<Csr> {
    if config.n_features < 1 || config.n_features > i32::MAX as usize {
        return Err(Error::param(
            "n_features",
            format!("must be in [1, 2**31 - 1), got {}", config.n_features),
        ));
    }
    let rows: Vec<(Vec<i32>, Vec<f64>)> = docs
        .par_iter()
        .with_min_len(16)
        .map_init(Scratch::default, |scratch, doc| {
            let mut cells: Vec<(u32, f64)> = Vec::new();
            if stop.is_set() {
                return (Vec::new(), Vec::new());
            }
            analyzer.analyze(doc, scratch, |t| {
                cells.push(bucket(t, config.n_features, config.alternate_sign))
            });
            cells.sort_unstable_by_key(|&(c, _)| c);
            // Sum collisions; like scipy's sum_duplicates, a zero sum stays stored.
            let mut cols = Vec::new();
            let mut vals: Vec<f64> = Vec::new();
            for (c, v) in cells {
                if cols.last() == Some(&(c as i32)) {
                    *vals.last_mut().expect("same length") += v;
                } else {
                    cols.push(c as i32);
                    vals.push(v);
                }
            }
            if config.binary {
                vals.iter_mut().for_each(|v| *v = 1.0);
            }
            normalize_row(&mut vals, config.norm);
            (cols, vals)
        })
        .collect();
    stop.check()?;
    let mut indptr = Vec::with_capacity(rows.len() + 1);
    indptr.push(0i64);
    let nnz: usize = rows.iter().map(|r| r.0.len()).sum();
    let mut indices = Vec::with_capacity(nnz);
    let mut data = Vec::with_capacity(nnz);
    for (c, v) in rows {
        indices.extend(c);
        data.extend(v);
        indptr.push(indices.len() as i64);
    }
    let data = if config.float32 {
        Values::F32(data.into_iter().map(|v| v as f32).collect())
    } else {
        Values::F64(data)
    };
    Ok(Csr {
        indptr,
        indices,
        data,
        n_cols: config.n_features,
        sorted_indices: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn murmur_matches_reference_vectors() {
        // Values from sklearn's own tests (sklearn/utils/tests/test_murmurhash.py).
        assert_eq!(murmurhash3_32_signed("foo"), -156908512);
        assert_eq!(murmurhash3_32_signed(""), 0);
    }

    #[test]
    fn collisions_sum_and_rows_normalise() {
        let cfg = HashingConfig {
            analysis: AnalyzerConfig::default(),
            n_features: 1,
            alternate_sign: false,
            binary: false,
            norm: Some(Norm::L1),
            float32: false,
        };
        let a = Analyzer::new(cfg.analysis.clone(), None, None).unwrap();
        let x = hash_transform(&a, &cfg, &["aa bb cc", ""], &Interrupt::default()).unwrap();
        assert_eq!(x.indptr, [0, 1, 1]);
        assert_eq!(x.data, Values::F64(vec![1.0]));
        let bad = HashingConfig {
            n_features: 0,
            ..cfg
        };
        assert!(hash_transform(&a, &bad, &["x"], &Interrupt::default()).is_err());
    }
}
