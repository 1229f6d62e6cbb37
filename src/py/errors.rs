//! The one conversion from core errors to Python exceptions: each core error kind becomes the
//! exception a Python user expects, with the message naming the argument and the row.

use pyo3::exceptions::{
    PyFileNotFoundError, PyKeyboardInterrupt, PyOSError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;

use crate::error::Error;

impl From<Error> for PyErr {
    fn from(err: Error) -> PyErr {
        let row = err.row();
        let msg = err.to_string();
        let py_err = match &err {
            Error::InvalidParameter { .. } | Error::InvalidValue { .. } | Error::Format(_) => {
                PyValueError::new_err(msg)
            }
            Error::InvalidType { .. } => PyTypeError::new_err(msg),
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                PyFileNotFoundError::new_err(msg)
            }
            Error::Io { .. } => PyOSError::new_err(msg),
            Error::NotFitted(_) => not_fitted(msg),
            // `run_interruptible` raises the signal handler's own exception instead; this is
            // for work stopped some other way.
            Error::Interrupted => PyKeyboardInterrupt::new_err(msg),
        };
        if let Some(row) = row {
            // The Python layer reads `.position` to add the pandas index label to the message.
            Python::attach(|py| {
                let _ = py_err.value(py).setattr("position", row);
            });
        }
        py_err
    }
}

/// `wirenlp.exceptions.not_fitted_error(msg)`: a `NotFittedError` that is also sklearn's when
/// sklearn is installed.
fn not_fitted(msg: String) -> PyErr {
    Python::attach(|py| {
        match py
            .import("wirenlp.exceptions")
            .and_then(|m| m.call_method1("not_fitted_error", (msg,)))
        {
            Ok(exc) => PyErr::from_value(exc),
            Err(e) => e,
        }
    })
}

/// `.py_err()` on a core result: convert the error to a Python exception.
pub trait CoreResultExt<T> {
    /// Map the core error to its Python exception.
    fn py_err(self) -> PyResult<T>;
}

impl<T> CoreResultExt<T> for crate::error::Result<T> {
    fn py_err(self) -> PyResult<T> {
        self.map_err(PyErr::from)
    }
}
