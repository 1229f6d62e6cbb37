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

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::canonical::fold;
use super::{EntityType, Extraction, Lang, Mention};
use crate::error::{Error, Result};
use crate::parallel::Interrupt;

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

/// A document's features: canonical PER/LOC/ORG entities and numbers; cognate keys.
fn doc_features(
    text: &str,
    mentions: &[Mention],
    lang: Option<Lang>,
    ex: &Extraction,
) -> (Vec<String>, Vec<String>) {
    let ents = mentions.iter().filter_map(|m| {
        let e = ex.entities.get(m.entity as usize)?;
        (e.etype != EntityType::Misc).then(|| format!("{}\t{}", e.etype.as_str(), e.name))
    });
    let stop_words = lang.unwrap_or(Lang::En).stop_words();
    (
        ents.chain(numbers(text)).collect(),
        cognates(text, stop_words),
    )
}

/// For each feature, the (document, weight) pairs of the rows that have it.
fn postings(rows: &[SparseRow], n_features: usize) -> Vec<Vec<(u32, f64)>> {
    let mut postings: Vec<Vec<(u32, f64)>> = vec![Vec::new(); n_features];
    for (d, r) in rows.iter().enumerate() {
        for &(f, w) in r {
            postings[f as usize].push((d as u32, w));
        }
    }
    postings
}

/// `out` (all zeros) set to the cosine similarities of `row` against every row: rows are
/// L2-normalised, so the cosine is the dot product, summed over the postings of its features.
fn cosine_row(out: &mut [f64], row: &SparseRow, postings: &[Vec<(u32, f64)>]) {
    for &(f, w) in row {
        for &(j, w2) in &postings[f as usize] {
            out[j as usize] += w * w2;
        }
    }
}

/// Document × document similarity of a batch into `out` (row-major, `n * n`, for `n` texts),
/// from the texts and their entity extraction. `text_weight` in [0, 1] blends in the cognate
/// TF-IDF. Rows are computed in parallel on the current rayon pool; `stop` is polled between
/// rows (on [`Error::Interrupted`], `out` is partly written).
pub fn story_similarity_into(
    texts: &[&str],
    ex: &Extraction,
    text_weight: f64,
    out: &mut [f64],
    stop: &Interrupt,
) -> Result<()> {
    if !(0.0..=1.0).contains(&text_weight) {
        return Err(Error::param(
            "text_weight",
            format!("must be between 0 and 1, got {text_weight}"),
        ));
    }
    let n = texts.len();
    if n.checked_mul(n) != Some(out.len()) || ex.docs.len() != n {
        return Err(Error::param(
            "out",
            format!(
                "has {} values and the extraction {} documents, for {n} texts",
                out.len(),
                ex.docs.len()
            ),
        ));
    }
    // The features of each document, in parallel; then numbered in document order.
    let feats: Vec<(Vec<String>, Vec<String>)> = texts
        .par_iter()
        .zip(&ex.docs)
        .enumerate()
        .map(|(d, (text, mentions))| doc_features(text, mentions, ex.langs.get(d).copied(), ex))
        .collect();
    stop.check()?;
    let mut ent_vocab = FxHashMap::default();
    let mut cog_vocab = FxHashMap::default();
    let (ent_rows, cog_rows): (Vec<_>, Vec<_>) = feats
        .into_iter()
        .map(|(ents, cogs)| {
            (
                count_features(ents.into_iter(), &mut ent_vocab),
                count_features(cogs.into_iter(), &mut cog_vocab),
            )
        })
        .unzip();
    let ent = tfidf(ent_rows, ent_vocab.len());
    let cog = tfidf(cog_rows, cog_vocab.len());
    let (ent_post, cog_post) = (
        postings(&ent, ent_vocab.len()),
        postings(&cog, cog_vocab.len()),
    );
    out.par_chunks_mut(n.max(1))
        .zip(ent.par_iter().zip(&cog))
        .for_each_init(
            || vec![0.0; n],
            |cos, (row, (e, c))| {
                if stop.is_set() {
                    return;
                }
                row.fill(0.0);
                cosine_row(row, e, &ent_post);
                cos.fill(0.0);
                cosine_row(cos, c, &cog_post);
                for (v, &b) in row.iter_mut().zip(cos.iter()) {
                    *v = ((1.0 - text_weight) * *v + text_weight * b).min(1.0);
                }
            },
        );
    stop.check()
}

/// [`story_similarity_into`] a new matrix.
pub fn story_similarity(texts: &[&str], ex: &Extraction, text_weight: f64) -> Result<Vec<f64>> {
    let mut out = vec![0.0; texts.len() * texts.len()];
    story_similarity_into(texts, ex, text_weight, &mut out, &Interrupt::default())?;
    Ok(out)
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

    /// The matrix as one serial pass computes it: every pair's dot product over the two
    /// TF-IDF rows, blended.
    fn serial(texts: &[&str], ex: &Extraction, w: f64) -> Vec<f64> {
        let mut ent_vocab = FxHashMap::default();
        let mut cog_vocab = FxHashMap::default();
        let (mut ent, mut cog) = (Vec::new(), Vec::new());
        for (d, text) in texts.iter().enumerate() {
            let (ents, cogs) = doc_features(text, &ex.docs[d], Some(ex.langs[d]), ex);
            ent.push(count_features(ents.into_iter(), &mut ent_vocab));
            cog.push(count_features(cogs.into_iter(), &mut cog_vocab));
        }
        let (ent, cog) = (tfidf(ent, ent_vocab.len()), tfidf(cog, cog_vocab.len()));
        let dot = |a: &SparseRow, b: &SparseRow| -> f64 {
            a.iter()
                .map(|&(f, x)| b.iter().find(|e| e.0 == f).map_or(0.0, |e| x * e.1))
                .sum()
        };
        let n = texts.len();
        (0..n * n)
            .map(|k| {
                let (i, j) = (k / n, k % n);
                ((1.0 - w) * dot(&ent[i], &ent[j]) + w * dot(&cog[i], &cog[j])).min(1.0)
            })
            .collect()
    }

    #[test]
    fn parallel_rows_equal_the_serial_matrix() {
        let texts = [
            "Sergei Lavrov visited Bamako in February 2023 and met Abdoulaye Diop; 1,500 troops.",
            "Sergueï Lavrov s'est rendu à Bamako en février 2023 et a rencontré Abdoulaye Diop.",
            "Angela Merkel spoke in Berlin about the economy of Germany in 2019.",
            "",
            "Diplomatic cooperation between Moscow and Bamako, said Lavrov in 2023.",
        ];
        let ex = extract(&texts, &Options::default()).unwrap();
        for w in [0.0, 0.3, 1.0] {
            let got = story_similarity(&texts, &ex, w).unwrap();
            let want = serial(&texts, &ex, w);
            assert_eq!(got.len(), want.len());
            for (g, e) in got.iter().zip(&want) {
                assert!((g - e).abs() < 1e-12, "{got:?} vs {want:?}");
            }
        }
    }

    #[test]
    fn stops_when_asked_and_checks_the_output_size() {
        let texts = ["Lavrov in Bamako.", "Diop in Bamako."];
        let ex = extract(&texts, &Options::default()).unwrap();
        let stop = Interrupt::default();
        stop.set();
        let mut out = vec![0.0; 4];
        assert!(matches!(
            story_similarity_into(&texts, &ex, 0.3, &mut out, &stop),
            Err(Error::Interrupted)
        ));
        let mut short = vec![0.0; 3];
        let err = story_similarity_into(&texts, &ex, 0.3, &mut short, &Interrupt::default());
        assert!(err.unwrap_err().to_string().starts_with("out: "));
    }
}
