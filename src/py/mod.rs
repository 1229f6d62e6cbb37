//! PyO3 binding layer: one file per core module, plus the shared helpers below.
//! Nothing here implements an algorithm.

mod entities;
mod errors;
mod input;

pub use errors::CoreResultExt;
pub use input::{extract_texts, run_batch, run_detached};

use pyo3::prelude::*;

/// Register every class and function of the extension module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    entities::register(m)?;
    Ok(())
}
