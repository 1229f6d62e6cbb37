//! The one error type of the core. Every fallible core function returns [`Result`]; the
//! binding layer (`py/errors.rs`) maps each variant to the Python exception a user expects.

use std::path::PathBuf;

/// Errors raised by the wirenlp core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter has a value outside its domain (Python: `ValueError`).
    #[error("{name}: {message}")]
    InvalidParameter {
        /// Parameter name as the user spells it.
        name: String,
        /// What is wrong and what is allowed.
        message: String,
    },
    /// A value inside user data cannot be used (Python: `ValueError`).
    #[error("{}", at(arg, *row, message))]
    InvalidValue {
        /// Argument name, e.g. `texts`.
        arg: String,
        /// Position of the offending item in a batch, if any.
        row: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// User data has the wrong kind of value (Python: `TypeError`).
    #[error("{}", at(arg, *row, message))]
    InvalidType {
        /// Argument name.
        arg: String,
        /// Position of the offending item in a batch, if any.
        row: Option<usize>,
        /// What was expected and what was found.
        message: String,
    },
    /// A file could not be read (Python: `FileNotFoundError` / `OSError`).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A saved model cannot be read (Python: `ValueError`).
    #[error("{0}")]
    Format(String),
    /// A method that needs a fitted model was called before `fit` (Python: `NotFittedError`).
    #[error("{0}")]
    NotFitted(String),
    /// The work was stopped through its [`Interrupt`](crate::parallel::Interrupt) (Python: the
    /// exception of the signal handler that asked for it, `KeyboardInterrupt` on Ctrl-C).
    #[error("interrupted")]
    Interrupted,
}

fn at(arg: &str, row: Option<usize>, message: &str) -> String {
    match row {
        Some(r) => format!("{arg}[{r}]: {message}"),
        None => format!("{arg}: {message}"),
    }
}

impl Error {
    /// Shorthand for [`Error::InvalidParameter`].
    pub fn param(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name: name.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`Error::InvalidValue`].
    pub fn value(arg: impl Into<String>, row: Option<usize>, message: impl Into<String>) -> Self {
        Error::InvalidValue {
            arg: arg.into(),
            row,
            message: message.into(),
        }
    }

    /// The batch position this error points at, if any.
    pub fn row(&self) -> Option<usize> {
        match self {
            Error::InvalidValue { row, .. } | Error::InvalidType { row, .. } => *row,
            _ => None,
        }
    }
}

/// Result alias for the core.
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_argument_and_row() {
        let e = Error::value("texts", Some(3), "lone surrogate");
        assert_eq!(e.to_string(), "texts[3]: lone surrogate");
        assert_eq!(e.row(), Some(3));
        let e = Error::param("min_df", "must be >= 0");
        assert_eq!(e.to_string(), "min_df: must be >= 0");
        assert_eq!(e.row(), None);
    }
}
