//! Bindings for `crate::entities`: convert inputs, release the GIL, hand back numpy arrays.

use numpy::{IntoPyArray, PyArray1, PyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use super::input::{extract_texts, run_batch, run_sized, with_out_matrix};
use super::CoreResultExt;
use crate::entities::{self, gazetteer::UserGazetteer, Extraction, Lang, Options};

/// Parse `{canonical: {"type": ..., "aliases": [...]}}`; a wrong shape is a `ValueError`
/// naming the entry.
fn parse_gazetteer(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<UserGazetteer>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    let dict = obj.cast::<PyDict>().map_err(|_| {
        PyValueError::new_err(
            "gazetteer: expected a dict {canonical: {\"type\": ..., \"aliases\": [...]}}",
        )
    })?;
    let mut items = Vec::with_capacity(dict.len());
    for (key, value) in dict.iter() {
        let name: String = key
            .cast::<PyString>()
            .map_err(|_| {
                PyValueError::new_err(format!("gazetteer: entry {key}: the name must be a str"))
            })?
            .to_string();
        let bad = |msg: &str| PyValueError::new_err(format!("gazetteer: entry {name:?}: {msg}"));
        let spec = value
            .cast::<PyDict>()
            .map_err(|_| bad("expected a dict with 'type' and 'aliases'"))?;
        for k in spec.keys() {
            let k = k.extract::<String>().unwrap_or_default();
            if k != "type" && k != "aliases" {
                return Err(bad(&format!(
                    "unknown key {k:?} (expected 'type' and 'aliases')"
                )));
            }
        }
        let kind: String = spec
            .get_item("type")?
            .ok_or_else(|| bad("missing 'type'"))?
            .extract()
            .map_err(|_| bad("'type' must be a str"))?;
        let aliases: Vec<String> = match spec.get_item("aliases")? {
            None => Vec::new(),
            Some(a) if a.is_instance_of::<PyString>() => {
                return Err(bad("'aliases' must be a list of str, not a str"))
            }
            Some(a) if a.is_instance_of::<PyList>() || a.is_instance_of::<PyTuple>() => a
                .extract()
                .map_err(|_| bad("'aliases' must be a list of str"))?,
            Some(_) => return Err(bad("'aliases' must be a list of str")),
        };
        items.push((name, kind, aliases));
    }
    UserGazetteer::new(items).py_err().map(Some)
}

fn run_extract(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    lang: &str,
    gazetteer: Option<&Bound<'_, PyAny>>,
    merge: bool,
    n_jobs: Option<i64>,
) -> PyResult<(Vec<pyo3::pybacked::PyBackedStr>, Extraction)> {
    let lang = Lang::parse_option(lang).py_err()?;
    crate::parallel::resolve_n_jobs(n_jobs).py_err()?;
    let opts = Options {
        lang,
        merge,
        gazetteer: parse_gazetteer(gazetteer)?,
    };
    let owned = extract_texts(texts, "texts")?;
    let strs: Vec<&str> = owned.iter().map(|s| &**s).collect();
    let docs = run_batch(py, &strs, n_jobs, |i, t| entities::tokenize_doc(t, lang, i))?;
    let ex = run_sized(py, &strs, n_jobs, |stop| {
        entities::extract_tokenized(&strs, &docs, &opts, stop)
    })?;
    Ok((owned, ex))
}

type Table<'py> = (
    Vec<String>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
);

/// Entity names and type codes (0 PER, 1 LOC, 2 ORG, 3 MISC: `EntityType as u8`).
fn entity_table<'py>(py: Python<'py>, ex: &Extraction) -> (Vec<String>, Bound<'py, PyArray1<u8>>) {
    let (names, types): (Vec<String>, Vec<u8>) = ex
        .entities
        .iter()
        .map(|e| (e.name.clone(), e.etype as u8))
        .unzip();
    (names, types.into_pyarray(py))
}

/// One row per mention: `(names, types, doc, entity, start, end, mentions)`.
#[pyfunction]
#[pyo3(signature = (texts, lang="auto", gazetteer=None, merge=true, n_jobs=None))]
#[allow(clippy::type_complexity)]
pub fn entity_mentions<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    lang: &str,
    gazetteer: Option<&Bound<'py, PyAny>>,
    merge: bool,
    n_jobs: Option<i64>,
) -> PyResult<(
    Table<'py>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Vec<String>,
)> {
    let (owned, ex) = run_extract(py, texts, lang, gazetteer, merge, n_jobs)?;
    let (names, types) = entity_table(py, &ex);
    let total: usize = ex.docs.iter().map(Vec::len).sum();
    let (mut doc, mut ent, mut start, mut end) = (
        Vec::with_capacity(total),
        Vec::with_capacity(total),
        Vec::with_capacity(total),
        Vec::with_capacity(total),
    );
    let mut mentions = Vec::with_capacity(total);
    for (d, ms) in ex.docs.iter().enumerate() {
        let text: &str = &owned[d];
        for m in ms {
            mentions.push(text[m.bytes.0 as usize..m.bytes.1 as usize].to_string());
            doc.push(d as i64);
            ent.push(i64::from(m.entity));
            start.push(m.start as i64);
            end.push(m.end as i64);
        }
    }
    Ok((
        (names, types, doc.into_pyarray(py), ent.into_pyarray(py)),
        start.into_pyarray(py),
        end.into_pyarray(py),
        mentions,
    ))
}

/// Mention counts: `(names, types, doc, entity, count)`.
#[pyfunction]
#[pyo3(signature = (texts, lang="auto", gazetteer=None, merge=true, n_jobs=None))]
pub fn entity_counts<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    lang: &str,
    gazetteer: Option<&Bound<'py, PyAny>>,
    merge: bool,
    n_jobs: Option<i64>,
) -> PyResult<(Table<'py>, Bound<'py, PyArray1<i64>>)> {
    let (_owned, ex) = run_extract(py, texts, lang, gazetteer, merge, n_jobs)?;
    let (names, types) = entity_table(py, &ex);
    let c = entities::counts(&ex);
    let doc: Vec<i64> = c.iter().map(|x| x.0 as i64).collect();
    let ent: Vec<i64> = c.iter().map(|x| i64::from(x.1)).collect();
    let cnt: Vec<i64> = c.iter().map(|x| i64::from(x.2)).collect();
    Ok((
        (names, types, doc.into_pyarray(py), ent.into_pyarray(py)),
        cnt.into_pyarray(py),
    ))
}

/// Document × document story similarity (see `crate::entities::story`), written into
/// `out`: a C-contiguous float64 array of shape `(n, n)` for `n` texts, allocated by the
/// caller (so that a matrix too large for memory is numpy's `MemoryError`).
#[pyfunction]
#[pyo3(signature = (texts, out, lang="auto", gazetteer=None, text_weight=0.3, n_jobs=None))]
pub fn story_similarity<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    out: &Bound<'py, PyArray2<f64>>,
    lang: &str,
    gazetteer: Option<&Bound<'py, PyAny>>,
    text_weight: f64,
    n_jobs: Option<i64>,
) -> PyResult<()> {
    if !(0.0..=1.0).contains(&text_weight) {
        return Err(PyValueError::new_err(format!(
            "text_weight: must be between 0 and 1, got {text_weight}"
        )));
    }
    let (owned, ex) = run_extract(py, texts, lang, gazetteer, true, n_jobs)?;
    let strs: Vec<&str> = owned.iter().map(|s| &**s).collect();
    let n = strs.len();
    with_out_matrix(out, (n, n), |flat| {
        run_sized(py, &strs, n_jobs, |stop| {
            entities::story::story_similarity_into(&strs, &ex, text_weight, flat, stop)
        })
    })
}

/// Register the functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(entity_mentions, m)?)?;
    m.add_function(wrap_pyfunction!(entity_counts, m)?)?;
    m.add_function(wrap_pyfunction!(story_similarity, m)?)?;
    Ok(())
}
