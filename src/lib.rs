//! wirenlp: fast text analysis for news corpora.
//!
//! The algorithms live in plain Rust modules with no Python types; the `python` feature adds
//! the PyO3 binding layer in [`py`], which only converts types, releases the GIL and maps
//! errors.

pub mod corpus;
pub mod entities;
pub mod error;
pub mod interner;
pub mod keytable;
pub mod lang;
pub mod minhash;
pub mod parallel;
pub mod scan;
pub mod similarity;
pub mod tokenize;
pub mod unicode;

pub mod analyzer;
pub mod hashing;
pub mod vectorize;

#[cfg(feature = "python")]
mod py;

#[cfg(feature = "python")]
use pyo3::prelude::*;

/// The extension module `wirenlp._core`: registration only.
#[cfg(feature = "python")]
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    py::register(m)
}
