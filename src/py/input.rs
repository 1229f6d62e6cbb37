//! Taking text batches from Python and running core work with the GIL released.

use std::panic::{catch_unwind, AssertUnwindSafe};

use numpy::{Element, PyArray2, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyList, PyString, PyTuple};

use crate::error::Result as CoreResult;
use crate::parallel::Interrupt;

/// Run `f` on `out`, a 2-d numpy array the caller allocated for a result of `shape`, as one
/// row-major slice. A wrong shape is a `ValueError`; a read-only, already borrowed or not
/// C-contiguous array a `TypeError`; each names `out`.
pub fn with_out_matrix<T: Element, R>(
    out: &Bound<'_, PyArray2<T>>,
    shape: (usize, usize),
    f: impl FnOnce(&mut [T]) -> PyResult<R>,
) -> PyResult<R> {
    if out.shape() != [shape.0, shape.1] {
        let dims: Vec<String> = out.shape().iter().map(|d| d.to_string()).collect();
        return Err(PyValueError::new_err(format!(
            "out: has shape ({}), expected {shape:?}",
            dims.join(", ")
        )));
    }
    let mut rw = out
        .try_readwrite()
        .map_err(|e| PyTypeError::new_err(format!("out: cannot be written ({e})")))?;
    // A Fortran-ordered array is contiguous too, but not row-major.
    let c_order = || PyTypeError::new_err("out: must be C-contiguous");
    if !rw.is_c_contiguous() {
        return Err(c_order());
    }
    f(rw.as_slice_mut().map_err(|_| c_order())?)
}

/// A Python `str` of `s`. An ASCII string of two or more bytes (nearly every token) is made
/// as a new compact ASCII str and its bytes copied in, skipping the UTF-8 decoding of
/// `PyUnicode_FromStringAndSize` (a vocabulary is tens of thousands of strs); others go
/// through PyO3 (which keeps CPython's cached one-character strs).
pub fn new_str<'py>(py: Python<'py>, s: &str) -> Bound<'py, PyString> {
    use pyo3::ffi;
    if s.len() >= 2 && s.is_ascii() {
        if let Ok(n) = ffi::Py_ssize_t::try_from(s.len()) {
            // SAFETY: the GIL is held. PyUnicode_New(n, 127) returns a new reference to a
            // compact ASCII str with room for n one-byte characters (PyUnicode_DATA), or NULL
            // with an exception set; all n bytes written are ASCII, as such a str must hold.
            unsafe {
                let ptr = ffi::PyUnicode_New(n, 127);
                if !ptr.is_null() {
                    let data = ffi::PyUnicode_DATA(ptr).cast::<u8>();
                    std::ptr::copy_nonoverlapping(s.as_ptr(), data, s.len());
                    return Bound::from_owned_ptr(py, ptr).cast_into_unchecked();
                }
                // Out of memory: drop the exception, PyO3's path below raises its own.
                ffi::PyErr_Clear();
            }
        }
    }
    PyString::new(py, s)
}

/// Borrow every item of `obj` (a list, tuple or other sequence of `str`) as UTF-8 without
/// copying. A non-`str` item is a `TypeError`, a lone surrogate a `ValueError`; both name
/// `arg`, the position, and carry it as `.position`.
pub fn extract_texts(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<Vec<PyBackedStr>> {
    if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{arg}: expected a sequence of str, got a single str (wrap it in a list)"
        )));
    }
    let one = |i: usize, item: Bound<'_, PyAny>| -> PyResult<PyBackedStr> {
        text_item(&item, arg, Some(i))
    };
    if let Ok(list) = obj.cast::<PyList>() {
        list.iter().enumerate().map(|(i, x)| one(i, x)).collect()
    } else if let Ok(tuple) = obj.cast::<PyTuple>() {
        tuple.iter().enumerate().map(|(i, x)| one(i, x)).collect()
    } else {
        let iter = obj.try_iter().map_err(|_| {
            PyTypeError::new_err(format!(
                "{arg}: expected a sequence of str, got {}",
                type_name(obj)
            ))
        })?;
        iter.enumerate()
            .map(|(i, x)| x.and_then(|x| one(i, x)))
            .collect()
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Borrow one `str` argument as UTF-8 (same rules as [`extract_texts`], without a position).
pub fn extract_text(obj: &Bound<'_, PyAny>, arg: &str) -> PyResult<PyBackedStr> {
    text_item(obj, arg, None)
}

fn text_item(item: &Bound<'_, PyAny>, arg: &str, row: Option<usize>) -> PyResult<PyBackedStr> {
    // Formatted only on error: this runs for every text of a batch.
    let place = || match row {
        Some(i) => format!("{arg}[{i}]"),
        None => arg.to_string(),
    };
    let err = |e: PyErr| {
        if let Some(i) = row {
            let _ = e.value(item.py()).setattr("position", i);
        }
        e
    };
    let s = item.cast::<PyString>().map_err(|_| {
        err(PyTypeError::new_err(format!(
            "{}: expected str, got {}",
            place(),
            type_name(item)
        )))
    })?;
    s.extract::<PyBackedStr>().map_err(|_| {
        err(PyValueError::new_err(format!(
            "{}: text is not valid Unicode (it contains a lone surrogate)",
            place()
        )))
    })
}

/// Run `f` with the GIL released. A Rust panic becomes a `RuntimeError` instead of crossing
/// into Python; core errors map to their Python exceptions.
pub fn run_detached<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> CoreResult<T> + Send,
{
    match py.detach(|| catch_unwind(AssertUnwindSafe(f))) {
        Ok(r) => r.map_err(PyErr::from),
        Err(panic) => Err(panic_error(panic)),
    }
}

/// How often a thread waiting on [`run_interruptible`] work runs Python's signal handlers.
const SIGNAL_POLL: std::time::Duration = std::time::Duration::from_millis(50);

/// [`run_detached`] for work that can stop early: `f` runs on a worker thread while this
/// thread (with the GIL released) wakes every [`SIGNAL_POLL`] to run Python's signal handlers.
/// When one raises (`KeyboardInterrupt` on Ctrl-C), `f`'s [`Interrupt`] is set, and once `f`
/// has returned the handler's exception is raised. Only the main thread runs handlers, as in
/// Python itself; elsewhere this is [`run_detached`] on another thread.
pub fn run_interruptible<T, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&Interrupt) -> CoreResult<T> + Send,
{
    use std::sync::mpsc::{channel, RecvTimeoutError};
    let stop = Interrupt::default();
    let (done, result) = channel();
    std::thread::scope(|scope| {
        let stop = &stop;
        scope.spawn(move || {
            let _ = done.send(catch_unwind(AssertUnwindSafe(|| f(stop))));
        });
        let mut raised: Option<PyErr> = None;
        let mut result = result;
        loop {
            // The receiver goes into the GIL-free closure and comes back (it is not `Sync`).
            let (got, back) = py.detach(move || (result.recv_timeout(SIGNAL_POLL), result));
            result = back;
            match got {
                Ok(outcome) => {
                    return match (raised, outcome) {
                        (Some(err), _) => Err(err),
                        (None, Ok(r)) => r.map_err(PyErr::from),
                        (None, Err(panic)) => Err(panic_error(panic)),
                    };
                }
                Err(RecvTimeoutError::Timeout) => {
                    if raised.is_none() {
                        if let Err(err) = py.check_signals() {
                            stop.set();
                            raised = Some(err);
                        }
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(PyRuntimeError::new_err(
                        "wirenlp internal error (please report it): worker thread vanished",
                    ));
                }
            }
        }
    })
}

/// Inputs of this many bytes or more are worked on with Ctrl-C watched for: smaller ones take
/// milliseconds, less than starting the watch.
const INTERRUPTIBLE_BYTES: usize = 1 << 20;

/// Run `f` on the thread pool sized by `n_jobs`, with the GIL released: through
/// [`run_interruptible`] when `texts` are large enough for Ctrl-C to matter, else
/// [`run_detached`].
pub fn run_sized<S, T, F>(py: Python<'_>, texts: &[S], n_jobs: Option<i64>, f: F) -> PyResult<T>
where
    S: AsRef<str>,
    T: Send,
    F: FnOnce(&Interrupt) -> CoreResult<T> + Send,
{
    let on_pool = |stop: &Interrupt| crate::parallel::install(n_jobs, || f(stop))?;
    if texts.iter().map(|t| t.as_ref().len()).sum::<usize>() >= INTERRUPTIBLE_BYTES {
        run_interruptible(py, on_pool)
    } else {
        run_detached(py, || on_pool(&Interrupt::default()))
    }
}

fn panic_error(panic: Box<dyn std::any::Any + Send>) -> PyErr {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    PyRuntimeError::new_err(format!("wirenlp internal error (please report it): {what}"))
}

/// Documents per chunk between two checks for Ctrl-C.
const CHUNK: usize = 4096;

/// Apply `f` to every item on the rayon pool sized by `n_jobs`, with the GIL released, in
/// chunks so that Ctrl-C (a pending Python signal) stops the work between chunks.
pub fn run_batch<I, R, F>(
    py: Python<'_>,
    items: &[I],
    n_jobs: Option<i64>,
    f: F,
) -> PyResult<Vec<R>>
where
    I: Sync,
    R: Send,
    F: Fn(usize, &I) -> CoreResult<R> + Sync,
{
    use rayon::prelude::*;
    let mut out = Vec::with_capacity(items.len());
    for (c, chunk) in items.chunks(CHUNK).enumerate() {
        let base = c * CHUNK;
        let part = run_detached(py, || {
            crate::parallel::install(n_jobs, || {
                chunk
                    .par_iter()
                    .enumerate()
                    .map(|(i, x)| f(base + i, x))
                    .collect::<CoreResult<Vec<R>>>()
            })?
        })?;
        out.extend(part);
        py.check_signals()?;
    }
    Ok(out)
}

/// Panics inside the detached, pooled path, so tests can check that a Rust panic reaches
/// Python as an exception instead of aborting the interpreter.
#[pyfunction]
pub fn _panic_for_test(py: Python<'_>) -> PyResult<()> {
    run_batch(py, &[0u8], Some(1), |_, _| -> CoreResult<()> {
        panic!("deliberate test panic")
    })?;
    Ok(())
}
