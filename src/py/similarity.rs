//! Binding of `similarity` and `minhash`: CSR parts come in as numpy arrays (borrowed, not
//! copied) and go out as numpy arrays that own the Rust vectors; the Python layer builds the
//! scipy matrix. A dense result is written into a numpy array the Python layer allocates.
//! Work runs with the GIL released, in row blocks with a Ctrl-C check between.

use numpy::{Element, IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use super::input::{extract_texts, run_detached, run_sized, with_out_matrix};
use super::CoreResultExt;
use crate::error::Error;
use crate::minhash::{self, Analyzer, Options};
use crate::parallel::install;
use crate::similarity::{Csr, Index, Keep, Real, Similarity};

/// Rows of `X` per block between two Ctrl-C checks.
const BLOCK: usize = 2048;

/// A CSR matrix as the Python layer passes it: `(data, indices, indptr, (n_rows, n_cols))`.
type CsrArg<'py> = (
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    Bound<'py, PyAny>,
    (usize, usize),
);

/// What to compute from the prepared similarity.
enum Output<'py> {
    /// Into this array of zeros, which the Python layer allocates: numpy's zeroed pages
    /// come cheaper than a large Rust allocation's.
    Dense(Bound<'py, PyAny>),
    Sparse {
        k: Option<i64>,
        threshold: Option<f64>,
        exclude_self: bool,
    },
}

/// [`Output`] with its options checked.
enum Job<'py, T> {
    Dense(Bound<'py, PyArray2<T>>),
    Sparse(Keep<T>),
}

type Slices<'a, T, I> = ((usize, usize), &'a [I], &'a [I], &'a [T]);

struct Borrowed<'py, T: Element, I: Element> {
    data: PyReadonlyArray1<'py, T>,
    indices: PyReadonlyArray1<'py, I>,
    indptr: PyReadonlyArray1<'py, I>,
    shape: (usize, usize),
}

impl<'py, T: Element + Real, I: Element + Index> Borrowed<'py, T, I> {
    fn new(arg: &CsrArg<'py>, name: &str) -> PyResult<Self> {
        let wrong = |_| {
            PyTypeError::new_err(format!(
                "{name}: CSR parts must be contiguous 1-d arrays of one float and one index type"
            ))
        };
        Ok(Borrowed {
            data: arg.0.extract().map_err(wrong)?,
            indices: arg.1.extract().map_err(wrong)?,
            indptr: arg.2.extract().map_err(wrong)?,
            shape: arg.3,
        })
    }

    /// The parts as slices, which (unlike the arrays) may cross into GIL-free code.
    fn slices(&self, name: &str) -> PyResult<Slices<'_, T, I>> {
        let contiguous = |_| PyTypeError::new_err(format!("{name}: CSR parts must be contiguous"));
        Ok((
            self.shape,
            self.indptr.as_slice().map_err(contiguous)?,
            self.indices.as_slice().map_err(contiguous)?,
            self.data.as_slice().map_err(contiguous)?,
        ))
    }
}

fn compute<'py, T, I>(
    py: Python<'py>,
    x: &CsrArg<'py>,
    y: &CsrArg<'py>,
    output: Output<'py>,
    n_jobs: Option<i64>,
) -> PyResult<Bound<'py, PyAny>>
where
    T: Element + Real,
    I: Element + Index,
{
    let (xb, yb) = (
        Borrowed::<T, I>::new(x, "X")?,
        Borrowed::<T, I>::new(y, "Y")?,
    );
    let job = match output {
        Output::Dense(out) => Job::Dense(out.cast_into::<PyArray2<T>>().map_err(|_| {
            PyTypeError::new_err("out: must be a 2-d numpy array of X's float type")
        })?),
        Output::Sparse {
            k,
            threshold,
            exclude_self,
        } => Job::Sparse(Keep::<T>::new(k, threshold, exclude_self).py_err()?),
    };
    let (xs, ys) = (xb.slices("X")?, yb.slices("Y")?);
    let sim = run_detached(py, || {
        let xc = Csr::new("X", xs.0, xs.1, xs.2, xs.3)?;
        let yc = Csr::new("Y", ys.0, ys.1, ys.2, ys.3)?;
        install(n_jobs, || Similarity::new(xc, &yc))?
    })?;
    match job {
        Job::Dense(out) => {
            with_out_matrix(&out, sim.shape(), |flat| {
                let mut steps = sim.dense_steps(flat).py_err()?;
                while steps.remaining() > 0 {
                    run_detached(py, || install(n_jobs, || steps.step(BLOCK)))?;
                    py.check_signals()?;
                }
                Ok(())
            })?;
            Ok(out.into_any())
        }
        Job::Sparse(keep) => {
            let mut steps = sim.sparse_steps(keep);
            while steps.remaining() > 0 {
                run_detached(py, || install(n_jobs, || steps.step(BLOCK)))?;
                py.check_signals()?;
            }
            let m = steps.finish();
            let t = (
                m.data.into_pyarray(py),
                m.indices.into_pyarray(py),
                m.indptr.into_pyarray(py),
            );
            Ok(t.into_pyobject(py)?.into_any())
        }
    }
}

fn dispatch<'py>(
    py: Python<'py>,
    x: CsrArg<'py>,
    y: CsrArg<'py>,
    output: Output<'py>,
    n_jobs: Option<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    let f32_data = x.0.cast::<PyArray1<f32>>().is_ok();
    let i32_index = x.1.cast::<PyArray1<i32>>().is_ok();
    match (f32_data, i32_index) {
        (true, true) => compute::<f32, i32>(py, &x, &y, output, n_jobs),
        (true, false) => compute::<f32, i64>(py, &x, &y, output, n_jobs),
        (false, true) => compute::<f64, i32>(py, &x, &y, output, n_jobs),
        (false, false) => compute::<f64, i64>(py, &x, &y, output, n_jobs),
    }
}

/// Dense cosine similarity of the rows of two CSR matrices (same float and index types),
/// written into `out`: a C-contiguous `n_X × n_Y` array of zeros of the same float type.
#[pyfunction]
#[pyo3(signature = (x, y, out, *, n_jobs=None))]
fn cosine_dense<'py>(
    py: Python<'py>,
    x: CsrArg<'py>,
    y: CsrArg<'py>,
    out: Bound<'py, PyAny>,
    n_jobs: Option<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    dispatch(py, x, y, Output::Dense(out), n_jobs)
}

/// Sparse cosine similarity: `(data, indices, indptr)` keeping at most `k` entries per row
/// above `threshold`.
#[pyfunction]
#[pyo3(signature = (x, y, *, k=None, threshold=None, exclude_self=false, n_jobs=None))]
fn cosine_sparse<'py>(
    py: Python<'py>,
    x: CsrArg<'py>,
    y: CsrArg<'py>,
    k: Option<i64>,
    threshold: Option<f64>,
    exclude_self: bool,
    n_jobs: Option<i64>,
) -> PyResult<Bound<'py, PyAny>> {
    let output = Output::Sparse {
        k,
        threshold,
        exclude_self,
    };
    dispatch(py, x, y, output, n_jobs)
}

type Array1Py<'py> = Bound<'py, PyArray1<i64>>;

/// Near-duplicate groups by MinHash LSH: `(positions, group ids)` of the grouped texts.
#[pyfunction]
#[pyo3(signature = (texts, *, threshold=0.8, num_perm=128, shingle=5, analyzer="char", seed=0, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
fn near_duplicate_groups<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    threshold: f64,
    num_perm: i64,
    shingle: i64,
    analyzer: &str,
    seed: i64,
    n_jobs: Option<i64>,
) -> PyResult<(Array1Py<'py>, Array1Py<'py>)> {
    let analyzer = match analyzer {
        "char" => Analyzer::Char,
        "word" => Analyzer::Word,
        other => {
            return Err(Error::param(
                "analyzer",
                format!("must be 'char' or 'word', got {other:?}"),
            )
            .into())
        }
    };
    let count = |v: i64| usize::try_from(v).unwrap_or(0);
    let opts = Options {
        threshold,
        num_perm: count(num_perm),
        shingle: count(shingle),
        analyzer,
        // Any Python int seed is accepted; negative ones wrap.
        seed: seed as u64,
    };
    opts.validate().py_err()?;
    let texts = extract_texts(texts, "texts")?;
    let groups = run_sized(py, &texts, n_jobs, |stop| {
        minhash::near_duplicate_groups_until(&texts, &opts, stop)
    })?;
    let (mut docs, mut ids) = (Vec::new(), Vec::new());
    for (g, members) in groups.iter().enumerate() {
        docs.extend(members.iter().map(|&d| d as i64));
        ids.extend(std::iter::repeat_n(g as i64, members.len()));
    }
    Ok((docs.into_pyarray(py), ids.into_pyarray(py)))
}

/// Register the functions of this module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cosine_dense, m)?)?;
    m.add_function(wrap_pyfunction!(cosine_sparse, m)?)?;
    m.add_function(wrap_pyfunction!(near_duplicate_groups, m)?)?;
    Ok(())
}
