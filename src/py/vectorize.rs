//! Bindings of the count / TF-IDF / hashing vectorizers: configuration in as JSON, texts in
//! as borrowed `str`, CSR parts out as numpy arrays moved from Rust vectors.

use std::sync::Arc;

use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use super::input::{extract_texts, run_detached, run_sized};
use super::tokenize::PyTokenizer;
use super::CoreResultExt;
use crate::analyzer::{Analyzer, AnalyzerConfig, TokenSource};
use crate::error::Error;
use crate::hashing::{hash_transform, HashingConfig};
use crate::parallel::{install, Interrupt};
use crate::vectorize::{self, Csr, Values, Vectorizer, VectorizerConfig};

type CsrParts<'py> = (
    Bound<'py, PyAny>,
    Bound<'py, PyArray1<i32>>,
    Bound<'py, PyArray1<i64>>,
    (usize, usize),
    bool,
);

fn csr_parts(py: Python<'_>, csr: Csr) -> CsrParts<'_> {
    let shape = (csr.n_rows(), csr.n_cols);
    let sorted = csr.sorted_indices;
    let data = match csr.data {
        Values::F32(v) => v.into_pyarray(py).into_any(),
        Values::F64(v) => v.into_pyarray(py).into_any(),
        Values::I32(v) => v.into_pyarray(py).into_any(),
        Values::I64(v) => v.into_pyarray(py).into_any(),
    };
    (
        data,
        csr.indices.into_pyarray(py),
        csr.indptr.into_pyarray(py),
        shape,
        sorted,
    )
}

fn parse<T: serde::de::DeserializeOwned>(json: &str) -> PyResult<T> {
    serde_json::from_str(json)
        .map_err(|e| Error::Format(format!("invalid vectorizer configuration: {e}")))
        .py_err()
}

fn token_source(tokenizer: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Arc<dyn TokenSource>>> {
    let Some(t) = tokenizer.filter(|t| !t.is_none()) else {
        return Ok(None);
    };
    match t.cast::<PyTokenizer>() {
        Ok(tok) => Ok(Some(Arc::new(tok.get().inner.clone()))),
        Err(_) => Err(Error::param(
            "tokenizer",
            format!("expected a wirenlp.Tokenizer, got {}", t.get_type().name()?),
        )
        .into()),
    }
}

/// Run `f(texts, stop)` with the GIL released on the pool sized by `n_jobs`; on a large batch
/// Ctrl-C sets `stop` and raises `KeyboardInterrupt`.
fn with_texts<T: Send>(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    n_jobs: Option<i64>,
    f: impl FnOnce(&[&str], &Interrupt) -> crate::error::Result<T> + Send,
) -> PyResult<T> {
    let owned = extract_texts(texts, "raw_documents")?;
    let refs: Vec<&str> = owned.iter().map(|s| &**s).collect();
    run_sized(py, &refs, n_jobs, |stop| f(&refs, stop))
}

/// Core of `CountVectorizer` / `TfidfVectorizer`.
#[pyclass(name = "_Vectorizer", module = "wirenlp._core")]
pub struct PyVectorizer {
    inner: Vectorizer,
}

#[pymethods]
impl PyVectorizer {
    /// Build from a JSON `VectorizerConfig`; `english` is sklearn's stop list when needed,
    /// `vocabulary` a fixed vocabulary in column order.
    #[new]
    #[pyo3(signature = (config, english=None, tokenizer=None, vocabulary=None))]
    fn new(
        config: &str,
        english: Option<Vec<String>>,
        tokenizer: Option<&Bound<'_, PyAny>>,
        vocabulary: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let config: VectorizerConfig = parse(config)?;
        let analyzer =
            Analyzer::new(config.analysis.clone(), english, token_source(tokenizer)?).py_err()?;
        let mut inner = Vectorizer::new(config, analyzer).py_err()?;
        if let Some(v) = vocabulary {
            inner.set_vocabulary(v).py_err()?;
        }
        Ok(PyVectorizer { inner })
    }

    /// Rebuild from `save` output.
    #[staticmethod]
    #[pyo3(signature = (json, english=None, tokenizer=None))]
    fn from_json(
        json: &str,
        english: Option<Vec<String>>,
        tokenizer: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let saved = vectorize::parse_saved(json).py_err()?;
        let analyzer = Analyzer::new(
            saved.config.analysis.clone(),
            english,
            token_source(tokenizer)?,
        )
        .py_err()?;
        let mut inner = Vectorizer::new(saved.config, analyzer).py_err()?;
        if let Some(state) = saved.state {
            inner.set_state(state).py_err()?;
        }
        Ok(PyVectorizer { inner })
    }

    /// The binding parameters stored in a saved file (JSON text).
    #[staticmethod]
    fn saved_params(json: &str) -> PyResult<String> {
        Ok(vectorize::parse_saved_params(json).py_err()?.to_string())
    }

    /// Learn the vocabulary and return `(data, indices, indptr, shape, sorted_indices)`.
    #[pyo3(signature = (texts, n_jobs=None))]
    fn fit_transform<'py>(
        &mut self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<CsrParts<'py>> {
        let inner = &mut self.inner;
        let csr = with_texts(py, texts, n_jobs, |t, stop| {
            inner.fit_transform_until(t, stop)
        })?;
        Ok(csr_parts(py, csr))
    }

    /// `(data, indices, indptr, shape, sorted_indices)` of `texts` over the learned vocabulary.
    #[pyo3(signature = (texts, n_jobs=None))]
    fn transform<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<CsrParts<'py>> {
        let inner = &self.inner;
        let csr = with_texts(py, texts, n_jobs, |t, stop| inner.transform_until(t, stop))?;
        Ok(csr_parts(py, csr))
    }

    /// Whether a vocabulary is learned or given.
    fn is_fitted(&self) -> bool {
        self.inner.state().is_some()
    }

    /// Terms in column order.
    fn terms(&self) -> Vec<String> {
        self.inner
            .state()
            .map(|s| s.terms.to_vec())
            .unwrap_or_default()
    }

    /// `{term: column}`.
    fn vocabulary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        if let Some(s) = self.inner.state() {
            for (i, t) in s.terms.iter().enumerate() {
                d.set_item(t, i)?;
            }
        }
        Ok(d)
    }

    /// The idf vector, if learned.
    fn idf<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyArray1<f64>>> {
        let idf = self.inner.state()?.idf.clone()?;
        Some(idf.into_pyarray(py))
    }

    /// Versioned JSON of configuration, `params` (JSON text) and state.
    fn to_json(&self, params: &str) -> PyResult<String> {
        let params: serde_json::Value = parse(params)?;
        self.inner.to_json(params).py_err()
    }
}

/// `HashingVectorizer.transform`: `(data, indices, indptr, shape, sorted_indices)`.
#[pyfunction]
#[pyo3(signature = (config, texts, english=None, tokenizer=None, n_jobs=None))]
fn hashing_transform<'py>(
    py: Python<'py>,
    config: &str,
    texts: &Bound<'py, PyAny>,
    english: Option<Vec<String>>,
    tokenizer: Option<&Bound<'py, PyAny>>,
    n_jobs: Option<i64>,
) -> PyResult<CsrParts<'py>> {
    let config: HashingConfig = parse(config)?;
    let analyzer =
        Analyzer::new(config.analysis.clone(), english, token_source(tokenizer)?).py_err()?;
    let csr = with_texts(py, texts, n_jobs, |t, stop| {
        hash_transform(&analyzer, &config, t, stop)
    })?;
    Ok(csr_parts(py, csr))
}

/// Check an analysis configuration (JSON) without running it; errors name the parameter.
#[pyfunction]
#[pyo3(signature = (config, english=None))]
fn check_analysis(config: &str, english: Option<Vec<String>>) -> PyResult<()> {
    let config: AnalyzerConfig = parse(config)?;
    Analyzer::new(config, english, None).py_err()?;
    Ok(())
}

type TopTerms<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f64>>,
);

/// `n` largest values per row of a CSR matrix: `(rows, columns, values)`, rows in parallel on
/// `n_jobs` threads.
#[pyfunction]
#[pyo3(signature = (indptr, indices, data, n, n_jobs = None))]
fn top_terms<'py>(
    py: Python<'py>,
    indptr: PyReadonlyArray1<'py, i64>,
    indices: PyReadonlyArray1<'py, i64>,
    data: PyReadonlyArray1<'py, f64>,
    n: usize,
    n_jobs: Option<i64>,
) -> PyResult<TopTerms<'py>> {
    let (p, i, d) = (indptr.as_slice()?, indices.as_slice()?, data.as_slice()?);
    if p.is_empty() {
        return Err(Error::value("X", None, "not a valid CSR matrix").into());
    }
    let (r, c, v) = run_detached(py, || install(n_jobs, || vectorize::top_terms(p, i, d, n))?)?;
    Ok((r.into_pyarray(py), c.into_pyarray(py), v.into_pyarray(py)))
}

/// Register the vectorizer classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyVectorizer>()?;
    m.add_function(wrap_pyfunction!(hashing_transform, m)?)?;
    m.add_function(wrap_pyfunction!(check_analysis, m)?)?;
    m.add_function(wrap_pyfunction!(top_terms, m)?)?;
    Ok(())
}
