//! PyO3 binding layer: one file per core module, plus the shared helpers below.
//! Nothing here implements an algorithm.

mod corpus;
mod entities;
mod errors;
mod input;
mod similarity;
mod tokenize;
mod vectorize;

pub use errors::CoreResultExt;

use pyo3::prelude::*;

/// Register every class and function of the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    // Load numpy's C API now: loaded lazily, it runs Python code on the first array a call
    // returns, where a Ctrl-C handler raising made rust-numpy panic instead of letting the
    // KeyboardInterrupt through.
    numpy::PyArray1::<f64>::zeros(m.py(), 0, false);
    tokenize::register(m)?;
    corpus::register(m)?;
    vectorize::register(m)?;
    m.add_function(wrap_pyfunction!(input::_panic_for_test, m)?)?;
    entities::register(m)?;
    similarity::register(m)?;
    Ok(())
}
