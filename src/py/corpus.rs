//! Bindings for `crate::corpus`.

use std::path::PathBuf;

use pyo3::prelude::*;

use super::input::run_batch;
use crate::corpus::{parse_story, read_text};

/// Columns of a read corpus: `(texts, dates, sources)`.
type Stories = (Vec<String>, Vec<Option<String>>, Vec<Option<String>>);

/// Read and parse story files in parallel: `(texts, dates, sources)`.
#[pyfunction]
#[pyo3(signature = (paths, lossy = false, n_jobs = None))]
pub fn read_stories(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    lossy: bool,
    n_jobs: Option<i64>,
) -> PyResult<Stories> {
    let stories = run_batch(py, &paths, n_jobs, |_, p| {
        read_text(p, lossy).map(|raw| parse_story(&raw))
    })?;
    let mut out: Stories = (Vec::new(), Vec::new(), Vec::new());
    for s in stories {
        out.0.push(s.text);
        out.1.push(s.date);
        out.2.push(s.source);
    }
    Ok(out)
}

/// Register this module's functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_stories, m)?)
}
