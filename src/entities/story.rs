//! Story similarity that survives translation.
//!
//! Two reports of the same story in different languages share few words but the same
//! canonical entities (Sergueï Lavrov = Sergei Lavrov, Moscou = Moscow), the same numbers
//! (years, amounts, dates: 2022, 1 500 = 1,500) and many cognates (coopération /
//! cooperation, diplomatique / diplomatic). Each document gets two TF-IDF vectors (smoothed
//! idf, sublinear tf, L2 norm, as scikit-learn's `TfidfVectorizer(sublinear_tf=True)`):
//! one over canonical PER/LOC/ORG entities and numbers, one over cognate keys (the first
//! five letters of folded words of six letters or more that are not stop words). The
//! similarity is `(1 - text_weight) * cos(entities) + text_weight * cos(cognates)`.

use rustc_hash::FxHashMap;

use super::canonical::fold;
use super::{EntityType, Extraction, Lang};
use crate::error::{Error, Result};

/// Length of a cognate key.
const COGNATE_PREFIX: usize = 5;

type SparseRow = Vec<(u32, f64)>;

/// Feature ids of one document, with raw counts.
fn count_features(
    feats: impl Iterator<Item = String>,
    vocab: &mut FxHashMap<String, u32>,
) -> FxHashMap<u32, f64> {
    let mut row: FxHashMap<u32, f64> = FxHashMap::default();
    for f in feats {
        let next = vocab.len() as u32;
        let id = *vocab.entry(f).or_insert(next);
        *row.entry(id).or_default() += 1.0;
    }
    row
}

/// Numbers as digit runs: "1,500", "1 500" and "1.500" all give "1" and "500", so the
/// thousands separator of either language does not matter.
fn numbers(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| format!("#{}", s.trim_start_matches('0')))
}

fn cognates(text: &str, stop: &rustc_hash::FxHashSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for w in text.split(|c: char| !c.is_alphabetic()) {
        if w.chars().count() < COGNATE_PREFIX + 1 {
            continue;
        }
        let f = fold(w);
        if stop.contains(&f) {
            continue;
        }
        out.push(f.chars().take(COGNATE_PREFIX).collect());
    }
    out
}

/// TF-IDF rows (sublinear tf, smoothed idf, L2-normalised), sorted by feature id.
fn tfidf(rows: Vec<FxHashMap<u32, f64>>, n_features: usize) -> Vec<SparseRow> {
    let n = rows.len() as f64;
    let mut df = vec![0.0f64; n_features];
    for r in &rows {
        for &f in r.keys() {
            df[f as usize] += 1.0;
        }
    }
    rows.into_iter()
        .map(|r| {
            let mut v: SparseRow = r
                .into_iter()
                .map(|(f, tf)| {
                    let idf = ((1.0 + n) / (1.0 + df[f as usize])).ln() + 1.0;
                    (f, (1.0 + tf.ln()) * idf)
                })
                .collect();
            let norm = v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|(_, w)| *w /= norm);
            }
            v.sort_unstable_by_key(|&(f, _)| f);
            v
        })
        .collect()
}

/// Dense cosine matrix (row-major) of L2-normalised sparse rows, via an inverted index.
fn cosine(rows: &[SparseRow], n_features: usize) -> Vec<f64> {
    let n = rows.len();
    let mut postings: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n_features];
    for (d, r) in rows.iter().enumerate() {
        for &(f, w) in r {
            postings[f as usize].push((d as u32, w));
        }
    }
    let mut out = vec![0.0; n * n];
    for (i, r) in rows.iter().enumerate() {
        let row = &mut out[i * n..(i + 1) * n];
        for &(f, w) in r {
            for &(j, w2) in &postings[f as usize] {
                row[j as usize] += w * w2;
            }
        }
    }
    out
}

/// Document × document similarity of a batch (row-major, `n * n`), from its texts and their
/// entity extraction. `text_weight` in [0, 1] blends in the cognate TF-IDF.
pub fn story_similarity(texts: &[&str], ex: &Extraction, text_weight: f64) -> Result<Vec<f64>> {
    if !(0.0..=1.0).contains(&text_weight) {
        return Err(Error::param(
            "text_weight",
            format!("must be between 0 and 1, got {text_weight}"),
        ));
    }
    let mut ent_vocab = FxHashMap::default();
    let mut cog_vocab = FxHashMap::default();
    let mut ent_rows = Vec::with_capacity(texts.len());
    let mut cog_rows = Vec::with_capacity(texts.len());
    for (d, text) in texts.iter().enumerate() {
        let ents = ex.docs[d].iter().filter_map(|m| {
            let e = &ex.entities[m.entity as usize];
            (e.etype != EntityType::Misc).then(|| format!("{}\t{}", e.etype.as_str(), e.name))
        });
        ent_rows.push(count_features(ents.chain(numbers(text)), &mut ent_vocab));
        let stop = ex.langs.get(d).copied().unwrap_or(Lang::En).stop_words();
        cog_rows.push(count_features(
            cognates(text, stop).into_iter(),
            &mut cog_vocab,
        ));
    }
    let ent = cosine(&tfidf(ent_rows, ent_vocab.len()), ent_vocab.len());
    let cog = cosine(&tfidf(cog_rows, cog_vocab.len()), cog_vocab.len());
    Ok(ent
        .iter()
        .zip(&cog)
        .map(|(a, b)| ((1.0 - text_weight) * a + text_weight * b).min(1.0))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{extract, Options};

    #[test]
    fn translations_are_nearest() {
        let texts = [
            "Sergei Lavrov visited Bamako in February 2023 and met Abdoulaye Diop; 1,500 troops.",
            "Sergueï Lavrov s'est rendu à Bamako en février 2023 et a rencontré Abdoulaye Diop ; 1 500 soldats.",
            "Angela Merkel spoke in Berlin about the economy of Germany in 2019.",
        ];
        let ex = extract(&texts, &Options::default()).unwrap();
        let s = story_similarity(&texts, &ex, 0.3).unwrap();
        assert!(s[1] > 0.5, "{s:?}");
        assert!(s[1] > 3.0 * s[2], "{s:?}");
        assert!((s[0] - 1.0).abs() < 1e-9);
        assert!(story_similarity(&texts, &ex, 1.5).is_err());
    }
}
