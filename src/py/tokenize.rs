//! Bindings for `crate::tokenize` and `crate::lang`.

use numpy::IntoPyArray;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyList, PyString};

use super::input::{extract_text, extract_texts, new_str, run_batch, run_detached};
use super::CoreResultExt;
use crate::interner::{Interner, Terms};
use crate::lang::LanguageDetector;
use crate::tokenize::{
    Elisions, Hyphens, Pattern, StopWords, StripAccents, TokenIds, Tokenizer, TokenizerConfig,
};

/// Documents per GIL-free step of a batch; Ctrl-C is checked between steps.
const BATCH_CHUNK: usize = 8192;

/// Tokenizer for English and French news (see `wirenlp.Tokenizer` for the documentation).
#[pyclass(name = "Tokenizer", module = "wirenlp._core", subclass, frozen)]
pub struct PyTokenizer {
    /// The core tokenizer, shared with other bindings (e.g. vectorizers).
    pub inner: Tokenizer,
    /// Threads for batch work (`None`: all cores).
    pub n_jobs: Option<i64>,
}

fn parse_choice<'a>(arg: &str, value: &'a str, allowed: &[&str]) -> PyResult<&'a str> {
    if allowed.contains(&value) {
        Ok(value)
    } else {
        Err(PyValueError::new_err(format!(
            "{arg}: expected one of {allowed:?}, got {value:?}"
        )))
    }
}

fn parse_elisions(obj: &Bound<'_, PyAny>) -> PyResult<Elisions> {
    if let Ok(b) = obj.extract::<bool>() {
        return Ok(if b { Elisions::Drop } else { Elisions::Off });
    }
    match obj.extract::<String>().ok().as_deref() {
        Some("keep") => Ok(Elisions::Keep),
        Some("drop") => Ok(Elisions::Drop),
        _ => Err(PyValueError::new_err(format!(
            "elisions: expected True, False, \"drop\" or \"keep\", got {}",
            obj.repr()?
        ))),
    }
}

fn parse_stop_words(obj: Option<&Bound<'_, PyAny>>) -> PyResult<StopWords> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(StopWords::None);
    };
    if let Ok(s) = obj.cast::<PyString>() {
        let s = s.to_cow()?;
        return Ok(match s.as_ref() {
            "auto" => StopWords::Auto,
            code => StopWords::Lang(code.to_ascii_lowercase()),
        });
    }
    let words = extract_texts(obj, "stop_words").map_err(|_| {
        PyTypeError::new_err(
            "stop_words: expected None, \"auto\", a language code or an iterable of str",
        )
    })?;
    Ok(StopWords::Custom(
        words.iter().map(|w| w.to_string()).collect(),
    ))
}

#[pymethods]
impl PyTokenizer {
    #[new]
    #[pyo3(signature = (
        lang = "auto", *, lowercase = true, strip_accents = None, stop_words = None,
        elisions = None, hyphens = "split", stem = false, min_len = 1, pattern = "news",
        n_jobs = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        lang: &str,
        lowercase: bool,
        strip_accents: Option<&str>,
        stop_words: Option<&Bound<'_, PyAny>>,
        elisions: Option<&Bound<'_, PyAny>>,
        hyphens: &str,
        stem: bool,
        min_len: usize,
        pattern: &str,
        n_jobs: Option<i64>,
    ) -> PyResult<Self> {
        let strip_accents = match strip_accents {
            None => None,
            Some(s) => match parse_choice("strip_accents", s, &["unicode", "ascii"])? {
                "unicode" => Some(StripAccents::Unicode),
                _ => Some(StripAccents::Ascii),
            },
        };
        let config = TokenizerConfig {
            pattern: match parse_choice("pattern", pattern, &["news", "sklearn"])? {
                "news" => Pattern::News,
                _ => Pattern::Sklearn,
            },
            lang: lang.to_string(),
            lowercase,
            strip_accents,
            stop_words: parse_stop_words(stop_words)?,
            elisions: elisions
                .map(parse_elisions)
                .transpose()?
                .unwrap_or_default(),
            hyphens: match parse_choice("hyphens", hyphens, &["split", "keep"])? {
                "split" => Hyphens::Split,
                _ => Hyphens::Keep,
            },
            stem,
            min_len,
        };
        crate::parallel::resolve_n_jobs(n_jobs).py_err()?;
        Ok(PyTokenizer {
            inner: Tokenizer::new(config).py_err()?,
            n_jobs,
        })
    }

    /// Tokens of one text.
    fn tokenize(&self, text: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        let text = extract_text(text, "text")?;
        Ok(self.inner.tokens(&text))
    }

    /// The language whose rules (stop words, stemmer) apply to `text`.
    fn language_of(&self, text: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
        let text = extract_text(text, "text")?;
        Ok(self.inner.language_of(&text))
    }

    /// Tokens with character offsets into the text: `[(token, start, end), ...]`.
    fn tokenize_with_offsets(
        &self,
        text: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<(String, usize, usize)>> {
        let text = extract_text(text, "text")?;
        Ok(self
            .inner
            .tokens_with_offsets(&text)
            .into_iter()
            .map(|t| (t.text, t.start, t.end))
            .collect())
    }

    /// Tokens of every text, in parallel with the GIL released.
    #[pyo3(signature = (texts, n_jobs = None))]
    fn _tokenize_batch<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<Bound<'py, PyList>> {
        let texts = extract_texts(texts, "texts")?;
        let n_jobs = n_jobs.or(self.n_jobs);
        let (table, docs) = self.batch_ids(py, texts, n_jobs)?;
        // One Python str per distinct token; lists hold references to them.
        let rows: Vec<&[u32]> = docs.docs().collect();
        let str_of = |id: usize| Ok(new_str(py, table.term(id as u32)).into_any());
        lists_of(py, table.len(), str_of, &rows, n_jobs)
    }

    /// Token ids of every text: `(vocabulary, ids, indptr)`, document `i`'s tokens being
    /// `ids[indptr[i]..indptr[i + 1]]` into `vocabulary` (in order of first appearance).
    #[pyo3(signature = (texts, n_jobs = None))]
    #[allow(clippy::type_complexity)]
    fn _token_ids<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyAny>,
        n_jobs: Option<i64>,
    ) -> PyResult<(
        Bound<'py, PyList>,
        Bound<'py, numpy::PyArray1<u32>>,
        Bound<'py, numpy::PyArray1<i64>>,
    )> {
        let texts = extract_texts(texts, "texts")?;
        let n_jobs = n_jobs.or(self.n_jobs);
        let (docs, vocabulary) = if texts.len() <= BATCH_CHUNK {
            // One step: the strs are made on a pool thread (taking the GIL this thread
            // released) while the parts are merged.
            let tokenizer = &self.inner;
            let strs = |terms: &Terms| {
                Python::attach(|py| terms.iter().map(|t| new_str(py, t).unbind()).collect())
            };
            let (_, docs, (first, rest)): (_, _, (Vec<Py<PyString>>, Vec<_>)) =
                run_detached(py, || {
                    crate::parallel::install(n_jobs, || tokenizer.tokenize_ids_with(&texts, strs))
                })?;
            py.check_signals()?;
            let made: Vec<_> = first
                .into_iter()
                .chain(rest)
                .map(|s| s.into_bound(py))
                .collect();
            (docs, made)
        } else {
            let (table, docs) = self.batch_ids(py, texts, n_jobs)?;
            (docs, table.terms().map(|t| new_str(py, t)).collect())
        };
        let vocabulary = PyList::new(py, vocabulary)?;
        let indptr: Vec<i64> = docs.indptr.iter().map(|&p| p as i64).collect();
        Ok((
            vocabulary,
            docs.ids.into_pyarray(py),
            indptr.into_pyarray(py),
        ))
    }

    /// Constructor arguments (for `get_params`, `repr` and pickling).
    fn get_params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = self.inner.config();
        let d = PyDict::new(py);
        d.set_item("lang", &c.lang)?;
        d.set_item("lowercase", c.lowercase)?;
        d.set_item(
            "strip_accents",
            c.strip_accents.map(|s| match s {
                StripAccents::Unicode => "unicode",
                StripAccents::Ascii => "ascii",
            }),
        )?;
        match &c.stop_words {
            StopWords::None => d.set_item("stop_words", py.None())?,
            StopWords::Auto => d.set_item("stop_words", "auto")?,
            StopWords::Lang(code) => d.set_item("stop_words", code)?,
            StopWords::Custom(words) => d.set_item("stop_words", words.clone())?,
        }
        match c.elisions {
            Elisions::Drop => d.set_item("elisions", true)?,
            Elisions::Off => d.set_item("elisions", false)?,
            Elisions::Keep => d.set_item("elisions", "keep")?,
        }
        d.set_item(
            "hyphens",
            match c.hyphens {
                Hyphens::Split => "split",
                Hyphens::Keep => "keep",
            },
        )?;
        d.set_item("stem", c.stem)?;
        d.set_item("min_len", c.min_len)?;
        d.set_item(
            "pattern",
            match c.pattern {
                Pattern::News => "news",
                Pattern::Sklearn => "sklearn",
            },
        )?;
        d.set_item("n_jobs", self.n_jobs)?;
        Ok(d)
    }
}

impl PyTokenizer {
    /// Token ids of every text against one table, in steps of [`BATCH_CHUNK`] documents with
    /// the GIL released and a Ctrl-C check between steps.
    fn batch_ids(
        &self,
        py: Python<'_>,
        texts: Vec<PyBackedStr>,
        n_jobs: Option<i64>,
    ) -> PyResult<(Interner, TokenIds)> {
        let tokenizer = &self.inner;
        let mut table = Interner::new();
        let mut docs = TokenIds::default();
        for chunk in texts.chunks(BATCH_CHUNK) {
            // The merge too runs in the pool (its re-numbering is parallel), with the GIL
            // released.
            run_detached(py, || {
                crate::parallel::install(n_jobs, || {
                    let (local, ids) = tokenizer.tokenize_ids(chunk);
                    table.merge(local, ids, &mut docs);
                })
            })?;
            py.check_signals()?;
        }
        Ok((table, docs))
    }
}

/// The token lists of `(vocabulary, ids, indptr)` (see `TokenIds.tokens`): row `i` holds
/// `vocabulary[j]` for each `j` of `ids[indptr[i]..indptr[i + 1]]`.
#[pyfunction]
pub fn _token_lists<'py>(
    py: Python<'py>,
    vocabulary: &Bound<'py, PyList>,
    ids: numpy::PyReadonlyArray1<'py, u32>,
    indptr: numpy::PyReadonlyArray1<'py, i64>,
) -> PyResult<Bound<'py, PyList>> {
    let ids = ids.as_slice()?;
    let indptr = indptr.as_slice()?;
    let bad_ptr = || {
        PyValueError::new_err(format!(
            "indptr: must start at 0, never decrease, and end at len(ids) = {}",
            ids.len()
        ))
    };
    if indptr.first().is_some_and(|&p| p != 0)
        || indptr.windows(2).any(|w| w[0] > w[1])
        || indptr
            .last()
            .map_or(!ids.is_empty(), |&p| p as usize != ids.len())
    {
        return Err(bad_ptr());
    }
    let rows: Vec<&[u32]> = indptr
        .windows(2)
        .map(|w| ids.get(w[0] as usize..w[1] as usize).ok_or_else(bad_ptr))
        .collect::<PyResult<_>>()?;
    lists_of(
        py,
        vocabulary.len(),
        |i| vocabulary.get_item(i),
        &rows,
        None,
    )
}

/// A new Python list (itself in a list) per row of `rows`, holding item `id` for each id of
/// the row, where `item(i)` gives item `i` of `n_items`.
///
/// Filled one `Py_INCREF` after another, two million slots wait on a cache miss each time an
/// item is rare. Instead, the items' uses are counted first, each item's reference count is
/// raised by its number of uses in one go as soon as it is made (while it is in the cache: a
/// pass over tens of thousands of items afterwards misses on each), and the slots of the
/// (brand new, still private) lists are then filled in parallel:
/// plain pointer stores by rayon workers, while this thread holds the GIL, so that no Python
/// code runs or sees a list before it is whole.
///
/// Python's cyclic garbage collector is paused meanwhile (it would otherwise walk the growing
/// lists again and again), and when it was running, the young generation is collected once
/// while the new lists are still empty: they then move on to the next generation at the cost
/// of an empty list each, where otherwise the first collection after this call would walk
/// their millions of slots (about 7 ns each) only to find strs.
fn lists_of<'py>(
    py: Python<'py>,
    n_items: usize,
    item: impl FnMut(usize) -> PyResult<Bound<'py, PyAny>>,
    rows: &[&[u32]],
    n_jobs: Option<i64>,
) -> PyResult<Bound<'py, PyList>> {
    without_gc(py, |gc_was_enabled| {
        let lists = filled_lists(py, n_items, item, rows, n_jobs, gc_was_enabled)?;
        PyList::new(py, lists)
    })
}

/// The lists of [`lists_of`].
fn filled_lists<'py>(
    py: Python<'py>,
    n_items: usize,
    mut item: impl FnMut(usize) -> PyResult<Bound<'py, PyAny>>,
    rows: &[&[u32]],
    n_jobs: Option<i64>,
    collect_young: bool,
) -> PyResult<Vec<Bound<'py, PyList>>> {
    use pyo3::ffi;
    use rayon::prelude::*;

    let uses = crate::parallel::install(n_jobs, || {
        // One count array per thread (not per rayon split: each is as long as `items`).
        let per_thread = rows.len().div_ceil(rayon::current_num_threads()).max(1);
        rows.par_chunks(per_thread)
            .map(|chunk| {
                let mut acc = vec![0usize; n_items];
                for &id in chunk.iter().copied().flatten() {
                    *acc.get_mut(id as usize).ok_or(id)? += 1;
                }
                Ok(acc)
            })
            .reduce(
                || Ok(vec![0usize; n_items]),
                |a, b| {
                    let (mut a, b) = (a?, b?);
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    Ok(a)
                },
            )
    })
    .py_err()?
    // Every id must name an item before a slot is filled.
    .map_err(|id: u32| {
        PyValueError::new_err(format!(
            "ids: {id} is not an index into the vocabulary ({n_items} tokens)"
        ))
    })?;
    // Each item, its count raised by its uses while it is fresh in the cache.
    let mut items = Vec::with_capacity(n_items);
    for (i, &n) in uses.iter().enumerate() {
        let it = item(i)?;
        for _ in 0..n {
            // SAFETY: the GIL is held and the item is alive (`it` holds a reference).
            unsafe { ffi::Py_INCREF(it.as_ptr()) };
        }
        items.push(it);
    }
    let filled = lists_of_counted(py, &items, &uses, rows, n_jobs, collect_young);
    if filled.is_err() {
        // Nothing holds the references counted for the lists: give them back.
        for (it, &n) in items.iter().zip(&uses) {
            for _ in 0..n {
                // SAFETY: the GIL is held; `it` keeps the item alive past these.
                unsafe { ffi::Py_DECREF(it.as_ptr()) };
            }
        }
    }
    filled
}

/// The lists of [`filled_lists`], given its items with their counts already raised by
/// `uses`.
fn lists_of_counted<'py>(
    py: Python<'py>,
    items: &[Bound<'py, PyAny>],
    uses: &[usize],
    rows: &[&[u32]],
    n_jobs: Option<i64>,
    collect_young: bool,
) -> PyResult<Vec<Bound<'py, PyList>>> {
    use pyo3::ffi;
    use rayon::prelude::*;

    /// A pointer the rayon workers may hold.
    #[derive(Clone, Copy)]
    struct Shared<T>(*mut T);
    // SAFETY: the workers only store item pointers into list slots no one else can reach
    // (see `lists_of`), while the thread that waits for them holds the GIL.
    unsafe impl<T> Send for Shared<T> {}
    unsafe impl<T> Sync for Shared<T> {}

    debug_assert_eq!(items.len(), uses.len());
    let ptrs: Vec<Shared<ffi::PyObject>> = items.iter().map(|s| Shared(s.as_ptr())).collect();
    let lists = rows
        .iter()
        .map(|_| {
            // SAFETY: PyList_New returns a new reference, or NULL with an exception set.
            let list = unsafe { Bound::from_owned_ptr_or_err(py, ffi::PyList_New(0)) }?;
            Ok(list.cast_into::<PyList>()?)
        })
        .collect::<PyResult<Vec<_>>>()?;
    if collect_young {
        py.import("gc")?.call_method1("collect", (0,))?;
    }
    // Each list gets room for its row; its length stays 0 until every slot is written, so
    // that a list dropped on an error in between frees the room without reading a slot.
    for (list, row) in lists.iter().zip(rows) {
        // Code run by the collection (a finalizer) could have reached a list through
        // `gc.get_objects()`: each must still be as PyList_New(0) made it.
        // SAFETY: a list (a checked cast above), i.e. a PyListObject.
        let untouched = unsafe {
            let l = list.as_ptr().cast::<ffi::PyListObject>();
            (*l).ob_item.is_null() && (*l).ob_base.ob_size == 0
        };
        if !untouched {
            return Err(PyRuntimeError::new_err(
                "a token list was changed while it was being built",
            ));
        }
        if row.is_empty() {
            continue;
        }
        let room = row
            .len()
            .checked_mul(std::mem::size_of::<*mut ffi::PyObject>())
            .ok_or_else(|| PyRuntimeError::new_err("a document has too many tokens"))?;
        let n = ffi::Py_ssize_t::try_from(row.len())
            .map_err(|_| PyRuntimeError::new_err("a document has too many tokens"))?;
        // SAFETY: the GIL is held; a NULL result is checked.
        let slots = unsafe { ffi::PyMem_Malloc(room) }.cast::<*mut ffi::PyObject>();
        if slots.is_null() {
            return Err(pyo3::exceptions::PyMemoryError::new_err(
                "no memory for the token lists",
            ));
        }
        // SAFETY: an untouched list (checked above): no item array, length 0.
        unsafe {
            let l = list.as_ptr().cast::<ffi::PyListObject>();
            (*l).ob_item = slots;
            (*l).allocated = n;
        }
    }
    let slots: Vec<Shared<*mut ffi::PyObject>> = lists
        .iter()
        // SAFETY: each is a list (a checked cast above), i.e. a PyListObject.
        .map(|l| Shared(unsafe { (*l.as_ptr().cast::<ffi::PyListObject>()).ob_item }))
        .collect();
    crate::parallel::install(n_jobs, || {
        rows.par_iter().zip(&slots).for_each(|(row, slot)| {
            for (i, &id) in row.iter().enumerate() {
                // SAFETY: slot `i` is within the room allocated for the row, written once
                // here; the reference it takes was added above; every id was checked in
                // range.
                unsafe { *slot.0.add(i) = ptrs[id as usize].0 };
            }
        })
    })
    .py_err()?;
    for (list, row) in lists.iter().zip(rows) {
        // SAFETY: every slot of the row is written; the lengths fit (checked above).
        unsafe {
            (*list.as_ptr().cast::<ffi::PyVarObject>()).ob_size = row.len() as ffi::Py_ssize_t
        };
    }
    Ok(lists)
}

/// Run `f(was_enabled)` with Python's cyclic garbage collector paused. Building many lists of
/// strs (which cannot form cycles) otherwise triggers a collection every few hundred lists.
fn without_gc<T>(_py: Python<'_>, f: impl FnOnce(bool) -> T) -> T {
    // SAFETY: the GIL is held (`_py`); PyGC_Disable/Enable only flip the collector's flag.
    let was_enabled = unsafe { pyo3::ffi::PyGC_Disable() } == 1;
    let out = f(was_enabled);
    if was_enabled {
        unsafe { pyo3::ffi::PyGC_Enable() };
    }
    out
}

/// Detect the language of every text: `(codes, confidence, reliable)`.
#[pyfunction]
#[pyo3(signature = (texts, allowlist = None, n_jobs = None))]
#[allow(clippy::type_complexity)]
pub fn detect_languages<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    allowlist: Option<Vec<String>>,
    n_jobs: Option<i64>,
) -> PyResult<(
    Vec<Option<&'static str>>,
    Bound<'py, numpy::PyArray1<f64>>,
    Bound<'py, numpy::PyArray1<bool>>,
)> {
    let detector = match allowlist {
        Some(codes) => LanguageDetector::with_allowlist(&codes).py_err()?,
        None => LanguageDetector::default(),
    };
    let texts = extract_texts(texts, "texts")?;
    let found = run_batch(py, &texts, n_jobs, |_, t| Ok(detector.detect(t)))?;
    let codes = found.iter().map(|d| d.map(|d| d.code)).collect();
    let conf: Vec<f64> = found
        .iter()
        .map(|d| d.map_or(0.0, |d| d.confidence))
        .collect();
    let reliable: Vec<bool> = found
        .iter()
        .map(|d| d.is_some_and(|d| d.reliable))
        .collect();
    Ok((codes, conf.into_pyarray(py), reliable.into_pyarray(py)))
}

/// Register this module's classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTokenizer>()?;
    m.add_function(wrap_pyfunction!(detect_languages, m)?)?;
    m.add_function(wrap_pyfunction!(_token_lists, m)?)?;
    Ok(())
}
