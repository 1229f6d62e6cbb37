//! Named entities: who and where a batch of news texts talks about, with one canonical name
//! per real entity across the whole batch and across English and French.
//!
//! [`extract`] runs the pipeline: per document (in parallel) tokenize ([`detect`]), then
//! batch-wide capitalisation statistics, per document name candidates and user-gazetteer
//! matches, then batch-wide canonicalisation ([`canonical`]) and type voting. [`story`]
//! builds translation-proof document similarities on top.

pub mod canonical;
pub mod detect;
pub mod gazetteer;
mod lexicon;
pub mod story;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::{Error, Result};
use crate::parallel::Interrupt;
use canonical::{display_name, merge_transliterations, UnionFind};
use detect::{CorpusStats, Cues, RawMention, Tok};
use gazetteer::{Builtin, UserGazetteer};

/// Entity types, in the order of [`detect::Cues`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityType {
    /// A person.
    Per = 0,
    /// A place.
    Loc = 1,
    /// An organisation.
    Org = 2,
    /// Anything else with a name (nationalities, events, products).
    Misc = 3,
}

impl EntityType {
    /// `"PER"`, `"LOC"`, `"ORG"` or `"MISC"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Per => "PER",
            EntityType::Loc => "LOC",
            EntityType::Org => "ORG",
            EntityType::Misc => "MISC",
        }
    }

    /// Parse a type name (case-insensitive).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_uppercase().as_str() {
            "PER" => Some(EntityType::Per),
            "LOC" => Some(EntityType::Loc),
            "ORG" => Some(EntityType::Org),
            "MISC" => Some(EntityType::Misc),
            _ => None,
        }
    }

    const ALL: [EntityType; 4] = [
        EntityType::Per,
        EntityType::Loc,
        EntityType::Org,
        EntityType::Misc,
    ];
}

/// Document language as far as detection cares: connectors, stop words and titles differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English and any language without its own rules.
    En,
    /// French.
    Fr,
}

impl Lang {
    /// Parse the `lang` option: `"auto"` → `None` (detect per document), `"en"`, `"fr"`.
    pub fn parse_option(s: &str) -> Result<Option<Lang>> {
        match s {
            "auto" => Ok(None),
            "en" => Ok(Some(Lang::En)),
            "fr" => Ok(Some(Lang::Fr)),
            _ => Err(Error::param(
                "lang",
                format!("must be 'auto', 'en' or 'fr', got {s:?}"),
            )),
        }
    }

    /// Detect the language of a document from its first few kilobytes.
    pub fn detect(text: &str) -> Lang {
        use std::sync::OnceLock;
        // Only French gets its own rules: scoring a few Latin-script languages on the first
        // 256 bytes is enough to tell it apart and keeps detection off the profile.
        static DETECTOR: OnceLock<Option<crate::lang::LanguageDetector>> = OnceLock::new();
        let detector = DETECTOR.get_or_init(|| {
            crate::lang::LanguageDetector::with_allowlist(&[
                "en", "fr", "es", "de", "it", "pt", "nl",
            ])
            .ok()
        });
        let mut end = text.len().min(256);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let sample = &text[..end];
        // Plain ASCII without a single French function word is not French: skip the detector
        // (most English news).
        const FRENCH: [&str; 10] = [
            " le ", " la ", " les ", " des ", " est ", " et ", " du ", " une ", " pour ", " dans ",
        ];
        if sample.is_ascii() && !FRENCH.iter().any(|w| sample.contains(w)) {
            return Lang::En;
        }
        match detector.as_ref().and_then(|d| d.detect(sample)) {
            Some(d) if d.code == "fr" => Lang::Fr,
            _ => Lang::En,
        }
    }

    fn stop_words(self) -> &'static FxHashSet<String> {
        use std::sync::OnceLock;
        static EN: OnceLock<FxHashSet<String>> = OnceLock::new();
        static FR: OnceLock<FxHashSet<String>> = OnceLock::new();
        let build = |codes: &[&str]| {
            codes
                .iter()
                .flat_map(|c| stop_words::get(c).iter())
                .map(|w| canonical::fold(w))
                .collect()
        };
        match self {
            Lang::En => EN.get_or_init(|| build(&["en"])),
            Lang::Fr => FR.get_or_init(|| build(&["fr", "en"])),
        }
    }
}

/// Extraction options.
#[derive(Debug, Clone)]
pub struct Options {
    /// Fixed language, or `None` to detect per document.
    pub lang: Option<Lang>,
    /// Merge variants into canonical entities (`false`: one entity per spelling).
    pub merge: bool,
    /// User gazetteer, matched first.
    pub gazetteer: Option<UserGazetteer>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            lang: None,
            merge: true,
            gazetteer: None,
        }
    }
}

/// One entity of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Canonical name.
    pub name: String,
    /// Type.
    pub etype: EntityType,
}

/// One mention: Python string (code point) offsets into its document and the entity index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mention {
    /// Code point offset of the first character.
    pub start: usize,
    /// Code point offset after the last character.
    pub end: usize,
    /// Index into [`Extraction::entities`].
    pub entity: u32,
    /// Byte offsets of the same span in the UTF-8 text.
    pub bytes: (u32, u32),
}

/// The result of [`extract`]: entities sorted by (name, type), mentions per document sorted
/// by position.
#[derive(Debug, Clone, Default)]
pub struct Extraction {
    /// Entities of the batch.
    pub entities: Vec<Entity>,
    /// Mentions of each document.
    pub docs: Vec<Vec<Mention>>,
    /// Language of each document.
    pub langs: Vec<Lang>,
}

/// Per-document output of the first pass.
pub struct DocTokens {
    lang: Lang,
    toks: Vec<Tok>,
    folded: detect::Folded,
}

/// First pass over one document: language and tokens. Texts longer than 4 GiB are refused.
pub fn tokenize_doc(text: &str, lang: Option<Lang>, row: usize) -> Result<DocTokens> {
    if text.len() > u32::MAX as usize {
        return Err(Error::value(
            "texts",
            Some(row),
            "text is longer than 4 GiB",
        ));
    }
    let lang = lang.unwrap_or_else(|| Lang::detect(text));
    let mut toks = Vec::with_capacity(text.len() / 5);
    detect::tokenize(text, &mut toks);
    let folded = detect::Folded::new(text, &toks);
    Ok(DocTokens { lang, toks, folded })
}

/// A mention before canonicalisation: detected or matched by the user gazetteer.
struct Found {
    raw: RawMention,
    /// User-gazetteer entry.
    user: Option<u32>,
}

/// Run the whole pipeline on a batch (parallel on the current rayon pool).
pub fn extract(texts: &[&str], opts: &Options) -> Result<Extraction> {
    let docs: Vec<DocTokens> = texts
        .par_iter()
        .enumerate()
        .map(|(i, t)| tokenize_doc(t, opts.lang, i))
        .collect::<Result<_>>()?;
    extract_tokenized(texts, &docs, opts, &Interrupt::default())
}

/// The pipeline after [`tokenize_doc`] (split so the binding can check for Ctrl-C between
/// chunks of the first pass); gives up with [`Error::Interrupted`] soon after `stop` is set.
pub fn extract_tokenized(
    texts: &[&str],
    docs: &[DocTokens],
    opts: &Options,
    stop: &Interrupt,
) -> Result<Extraction> {
    let stats = corpus_stats(texts, docs);
    let gaz = Builtin::get();
    let found: Vec<Vec<Found>> = texts
        .par_iter()
        .zip(docs)
        .map(|(text, d)| {
            if stop.is_set() {
                return Vec::new();
            }
            find_doc(text, d, &stats, gaz, opts.gazetteer.as_ref())
        })
        .collect();
    stop.check()?;
    let mut ex = resolve(texts, found, gaz, opts);
    ex.langs = docs.iter().map(|d| d.lang).collect();
    Ok(ex)
}

fn corpus_stats<'a>(texts: &[&str], docs: &'a [DocTokens]) -> CorpusStats<'a> {
    type Sets<'s> = (FxHashSet<&'s str>, FxHashSet<&'s str>);
    let merge = |mut a: Sets<'a>, b: Sets<'a>| -> Sets<'a> {
        a.0.extend(b.0);
        a.1.extend(b.1);
        a
    };
    let (cap_mid, doubtful) = docs
        .par_iter()
        .fold(Sets::default, |mut acc, d| {
            detect::capital_stats(&d.toks, &d.folded, &mut acc.0, &mut acc.1);
            acc
        })
        .reduce(Sets::default, merge);
    // English stop words are never names at the start of a sentence in any language: no
    // need to learn whether they are seen in lower case (the most frequent words).
    let en_stop = Lang::En.stop_words();
    let doubtful: FxHashSet<&str> = doubtful
        .into_iter()
        .filter(|w| !en_stop.contains(*w))
        .collect();
    let filter = detect::Prefilter::new(&doubtful);
    let lower_seen = texts
        .par_iter()
        .zip(docs)
        .fold(FxHashSet::default, |mut acc, (t, d)| {
            detect::lower_stats(t, &d.toks, &doubtful, &filter, &mut acc);
            acc
        })
        .reduce(FxHashSet::default, |mut a, b| {
            a.extend(b);
            a
        });
    CorpusStats {
        cap_mid,
        doubtful,
        lower_seen,
    }
}

fn find_doc(
    text: &str,
    d: &DocTokens,
    stats: &CorpusStats,
    gaz: &Builtin,
    user: Option<&UserGazetteer>,
) -> Vec<Found> {
    let cx = detect::Context {
        lang: d.lang,
        stats,
        gaz,
        stop: d.lang.stop_words(),
    };
    let detected = detect::candidates(text, &d.toks, &d.folded, &cx);
    let Some(user) = user else {
        return detected
            .into_iter()
            .map(|raw| Found { raw, user: None })
            .collect();
    };
    // User matches win over overlapping detected names.
    let hits = user.find(text);
    let mut out: Vec<Found> = hits
        .iter()
        .map(|h| Found {
            raw: RawMention {
                s: h.start as u32,
                e: h.end as u32,
                words: 1,
                key: String::new(),
                cues: Cues::default(),
                gaz: None,
            },
            user: Some(h.entry),
        })
        .collect();
    let mut h = 0;
    for raw in detected {
        while h < hits.len() && hits[h].end as u32 <= raw.s {
            h += 1;
        }
        let overlaps = h < hits.len() && (hits[h].start as u32) < raw.e;
        if !overlaps {
            out.push(Found { raw, user: None });
        }
    }
    out.sort_by_key(|f| f.raw.s);
    out
}

/// Cluster ids: user-gazetteer entries, built-in gazetteer entries and free names share one
/// id space via string keys.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum ClusterKey<'a> {
    User(u32),
    Gaz(u32),
    Name(&'a str),
}

fn resolve(texts: &[&str], found: Vec<Vec<Found>>, gaz: &Builtin, opts: &Options) -> Extraction {
    // 1-2. Initial clusters: gazetteer entry or folded name (or exact spelling if !merge).
    let mut ids: FxHashMap<ClusterKey, u32> = FxHashMap::default();
    let mut keys: Vec<ClusterKey> = Vec::new();
    let mut mention_cluster: Vec<Vec<u32>> = Vec::with_capacity(found.len());
    for (d, doc) in found.iter().enumerate() {
        let mut v = Vec::with_capacity(doc.len());
        for f in doc {
            let k = if let Some(u) = f.user {
                ClusterKey::User(u)
            } else if !opts.merge {
                ClusterKey::Name(&texts[d][f.raw.s as usize..f.raw.e as usize])
            } else if let Some(g) = f.raw.gaz {
                ClusterKey::Gaz(g)
            } else {
                ClusterKey::Name(f.raw.key.as_str())
            };
            let next = keys.len() as u32;
            let id = *ids.entry(k).or_insert_with(|| {
                keys.push(k);
                next
            });
            v.push(id);
        }
        mention_cluster.push(v);
    }
    let n = keys.len();
    let mut uf = UnionFind::new(n);
    if opts.merge {
        // 3. Transliterations of free multi-word names.
        let names: Vec<&str> = keys
            .iter()
            .map(|k| match k {
                ClusterKey::Name(s) => *s,
                _ => "",
            })
            .collect();
        let mergeable: Vec<bool> = names.iter().map(|s| s.contains(' ')).collect();
        merge_transliterations(&names, &mergeable, &mut uf);
        // 3b. Former names stated in the text: "Eswatini (ex-Swaziland)".
        for (d, (doc, ids)) in found.iter().zip(&mention_cluster).enumerate() {
            for (pair, c) in doc.windows(2).zip(ids.windows(2)) {
                let free = matches!(keys[c[1] as usize], ClusterKey::Name(_));
                if free && states_former_name(texts[d], &pair[0].raw, &pair[1].raw) {
                    uf.attach(c[1], c[0]);
                }
            }
        }
    }
    // Type votes per (merged) cluster.
    let mut votes = vec![Cues::default(); n];
    let mut multi = vec![false; n];
    for (doc, ids) in found.iter().zip(&mention_cluster) {
        for (f, &c) in doc.iter().zip(ids) {
            let r = uf.find(c) as usize;
            for (v, c) in votes[r].iter_mut().zip(f.raw.cues) {
                *v += c;
            }
            multi[r] |= f.raw.words > 1;
        }
    }
    let fixed_type = |k: &ClusterKey| match k {
        ClusterKey::User(u) => opts
            .gazetteer
            .as_ref()
            .map(|g| g.entries[*u as usize].etype),
        ClusterKey::Gaz(g) => Some(gaz.entries[*g as usize].etype),
        ClusterKey::Name(_) => None,
    };
    let vote = |c: &Cues, multi: bool| -> EntityType {
        let mut best = if multi {
            EntityType::Per
        } else {
            EntityType::Org
        };
        let mut score = 0.0;
        for t in EntityType::ALL {
            if c[t as usize] > score {
                best = t;
                score = c[t as usize];
            }
        }
        best
    };
    let mut ctype: Vec<EntityType> = (0..n)
        .map(|i| {
            let r = uf.find(i as u32) as usize;
            fixed_type(&keys[r]).unwrap_or_else(|| vote(&votes[r], multi[r]))
        })
        .collect();

    // 4. Surnames: a one-word free name that is the last word of a person's full name.
    if opts.merge {
        let mut by_last: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
        for (i, k) in keys.iter().enumerate() {
            if let ClusterKey::Name(s) = k {
                if let Some((_, last)) = s.rsplit_once(' ') {
                    if ctype[i] == EntityType::Per {
                        by_last.entry(last).or_default().push(uf.find(i as u32));
                    }
                }
            }
        }
        for v in by_last.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        let mut size = vec![0usize; n];
        for ids in &mention_cluster {
            for &c in ids {
                size[uf.find(c) as usize] += 1;
            }
        }
        // The batch-wide full name a surname alone stands for: the only one, or one with at
        // least two thirds of the mentions of all full names with that surname.
        let dominant = |cands: &[u32]| -> Option<u32> {
            let total: usize = cands.iter().map(|&c| size[c as usize]).sum();
            let &best = cands
                .iter()
                .max_by_key(|&&c| (size[c as usize], std::cmp::Reverse(c)))?;
            (3 * size[best as usize] >= 2 * total).then_some(best)
        };
        // stamp[root] == document number + 1: the cluster has a mention in that document.
        let mut stamp = vec![0u32; n];
        for (d, (doc, ids)) in found.iter().zip(mention_cluster.iter_mut()).enumerate() {
            let here = d as u32 + 1;
            for &c in ids.iter() {
                stamp[uf.find(c) as usize] = here;
            }
            for (f, id) in doc.iter().zip(ids.iter_mut()) {
                // A one-word city name can also be a surname (Obama): only a full name in
                // the same document takes it.
                let (s, city) = match &keys[*id as usize] {
                    ClusterKey::Name(s) => (*s, false),
                    ClusterKey::Gaz(g) if gaz.entries[*g as usize].city && f.raw.words == 1 => {
                        (f.raw.key.as_str(), true)
                    }
                    _ => continue,
                };
                if s.contains(' ') || ctype[*id as usize] == EntityType::Misc {
                    continue;
                }
                let Some(cands) = by_last.get(s) else {
                    continue;
                };
                let local: Vec<u32> = cands
                    .iter()
                    .copied()
                    .filter(|&c| stamp[c as usize] == here)
                    .collect();
                let root = uf.find(*id) as usize;
                let place_or_org = votes[root][EntityType::Org as usize] > 0.0
                    || votes[root][EntityType::Loc as usize] > 0.0;
                if local.len() == 1 {
                    *id = local[0];
                } else if local.is_empty() && !place_or_org && !city {
                    if let Some(best) = dominant(cands) {
                        *id = best;
                    }
                }
            }
        }
        for i in 0..n {
            ctype[i] = ctype[uf.find(i as u32) as usize];
        }
    }

    // 5. Display names and final entity table, sorted for determinism.
    // Spellings of free names as (root, spelling) pairs, sorted: each root's spellings are
    // one run, each spelling's count the length of its sub-run.
    let mut spelled: Vec<(u32, &str)> = Vec::new();
    for (d, (doc, ids)) in found.iter().zip(&mention_cluster).enumerate() {
        for (f, &c) in doc.iter().zip(ids) {
            let r = uf.find(c);
            if let ClusterKey::Name(_) = keys[r as usize] {
                spelled.push((r, &texts[d][f.raw.s as usize..f.raw.e as usize]));
            }
        }
    }
    spelled.sort_unstable();
    let mut spellings: Vec<Vec<(&str, usize)>> = vec![Vec::new(); n];
    for run in spelled.chunk_by(|a, b| a == b) {
        spellings[run[0].0 as usize].push((run[0].1, run.len()));
    }
    let mut root_entity: Vec<Option<(String, EntityType)>> = vec![None; n];
    for ids in &mention_cluster {
        for &c in ids {
            let r = uf.find(c);
            root_entity[r as usize].get_or_insert_with(|| {
                let name = match &keys[r as usize] {
                    ClusterKey::User(u) => opts
                        .gazetteer
                        .as_ref()
                        .map_or_else(String::new, |g| g.entries[*u as usize].canonical.clone()),
                    ClusterKey::Gaz(g) => gaz.entries[*g as usize].canonical.clone(),
                    ClusterKey::Name(_) => display_name(spellings[r as usize].iter().copied()),
                };
                (collapse_spaces(&name), ctype[r as usize])
            });
        }
    }
    let mut table: Vec<(String, EntityType)> = root_entity.iter().flatten().cloned().collect();
    table.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    table.dedup();
    let index: FxHashMap<&(String, EntityType), u32> = table
        .iter()
        .enumerate()
        .map(|(i, e)| (e, i as u32))
        .collect();
    let root_index: Vec<u32> = root_entity
        .iter()
        .map(|e| e.as_ref().map_or(u32::MAX, |e| index[e]))
        .collect();
    let docs = found
        .iter()
        .zip(&mention_cluster)
        .enumerate()
        .map(|(d, (doc, ids))| {
            let mut conv = CharOffsets::new(texts[d]);
            doc.iter()
                .zip(ids)
                .map(|(f, &c)| Mention {
                    start: conv.char_of(f.raw.s as usize),
                    end: conv.char_of(f.raw.e as usize),
                    entity: root_index[uf.find(c) as usize],
                    bytes: (f.raw.s, f.raw.e),
                })
                .collect()
        })
        .collect();
    let entities = table
        .into_iter()
        .map(|(name, etype)| Entity { name, etype })
        .collect();
    Extraction {
        entities,
        docs,
        langs: Vec::new(),
    }
}

/// Words that, after an opening parenthesis, introduce a former name of what precedes.
const FORMER_NAME_MARKERS: &[&str] = &[
    "ex-",
    "ex ",
    "formerly ",
    "formerly known as ",
    "former ",
    "previously ",
    "anciennement ",
    "autrefois ",
    "ancien ",
    "ancienne ",
];

/// Whether the text reads `A (ex-B)` / `A (formerly B)` / `A (anciennement B)`: `b` directly
/// follows `a` after such a marker and closes the parenthesis.
fn states_former_name(text: &str, a: &RawMention, b: &RawMention) -> bool {
    let (Some(between), Some(after)) = (
        text.get(a.e as usize..b.s as usize),
        text.get(b.e as usize..),
    ) else {
        return false;
    };
    let Some(inside) = between.trim_start().strip_prefix('(') else {
        return false;
    };
    let inside = inside.trim_start().to_lowercase();
    after.trim_start().starts_with(')')
        && FORMER_NAME_MARKERS
            .iter()
            .any(|m| inside == *m || inside == m.trim_end())
}

fn collapse_spaces(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Byte → code point offsets for increasing byte positions, in one pass over the text.
struct CharOffsets<'a> {
    text: &'a str,
    ascii: bool,
    byte: usize,
    chars: usize,
}

impl<'a> CharOffsets<'a> {
    fn new(text: &'a str) -> Self {
        CharOffsets {
            text,
            ascii: text.is_ascii(),
            byte: 0,
            chars: 0,
        }
    }

    fn char_of(&mut self, b: usize) -> usize {
        if self.ascii {
            return b;
        }
        if b < self.byte {
            // Not increasing (end before a later start): recount from the beginning.
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..b].chars().count();
        self.byte = b;
        self.chars
    }
}

/// Mention counts: `(doc, entity, count)` triples sorted by doc then entity.
pub fn counts(ex: &Extraction) -> Vec<(usize, u32, u32)> {
    let mut out = Vec::new();
    for (d, ms) in ex.docs.iter().enumerate() {
        let mut c: Vec<u32> = ms.iter().map(|m| m.entity).collect();
        c.sort_unstable();
        for chunk in c.chunk_by(|a, b| a == b) {
            out.push((d, chunk[0], chunk.len() as u32));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(texts: &[&str]) -> Vec<Vec<(String, &'static str, String)>> {
        let ex = extract(texts, &Options::default()).unwrap();
        ex.docs
            .iter()
            .zip(texts)
            .map(|(ms, t)| {
                ms.iter()
                    .map(|m| {
                        let e = &ex.entities[m.entity as usize];
                        let mention: String =
                            t.chars().skip(m.start).take(m.end - m.start).collect();
                        (e.name.clone(), e.etype.as_str(), mention)
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn gazetteer_names_with_apostrophes_and_hyphens_stay_whole() {
        let texts = [
            "Il est arrivé en Côte d’Ivoire lundi, puis en Guinée-Bissau.",
            "He flew to Côte d'Ivoire and Guinea-Bissau on Monday.",
        ];
        let ex = extract(&texts, &Options::default()).unwrap();
        let names = |d: usize| -> Vec<&str> {
            ex.docs[d]
                .iter()
                .map(|m| ex.entities[m.entity as usize].name.as_str())
                .collect()
        };
        assert_eq!(names(0), ["Côte d’Ivoire", "Guinea-Bissau"]);
        assert_eq!(names(1), ["Côte d’Ivoire", "Guinea-Bissau"]);
    }

    #[test]
    fn interrupted_extraction_stops() {
        let texts = [
            "Sergei Lavrov arrived in Bamako.",
            "Lavrov met Assimi Goïta.",
        ];
        let docs: Vec<DocTokens> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| tokenize_doc(t, None, i).unwrap())
            .collect();
        let stop = Interrupt::default();
        stop.set();
        let out = extract_tokenized(&texts, &docs, &Options::default(), &stop);
        assert!(matches!(out, Err(Error::Interrupted)));
    }

    #[test]
    fn former_names_stated_in_the_text_merge() {
        let texts = [
            "The tour took him to South Africa, Eswatini (ex-Swaziland), Angola and Eritrea.",
            "Swaziland is a small kingdom. Myanmar (formerly Burma) was next.",
            "Le Burkina Faso (anciennement Haute-Volta) et la Serbie.",
        ];
        let ex = extract(&texts, &Options::default()).unwrap();
        let entity_of = |d: usize, m: &str| {
            let t = texts[d];
            let x = ex.docs[d]
                .iter()
                .find(|x| &t[x.bytes.0 as usize..x.bytes.1 as usize] == m)
                .unwrap_or_else(|| panic!("no mention {m}"));
            ex.entities[x.entity as usize].clone()
        };
        let eswatini = entity_of(0, "Eswatini");
        assert_eq!(entity_of(0, "Swaziland"), eswatini);
        // The merge holds for the whole batch, and the current name is the canonical one.
        assert_eq!(entity_of(1, "Swaziland"), eswatini);
        assert_eq!(eswatini.name, "Eswatini");
        assert_eq!(eswatini.etype, EntityType::Loc);
        assert_eq!(entity_of(1, "Burma"), entity_of(1, "Myanmar"));
        assert_eq!(entity_of(2, "Haute-Volta"), entity_of(2, "Burkina Faso"));
        // A plain list is not an apposition.
        assert_ne!(entity_of(0, "Angola"), entity_of(0, "Eritrea"));
    }

    #[test]
    fn canonical_names_across_languages() {
        let out = run(&[
            "The Minister of Foreign Affairs of the Russian Federation, Sergei Lavrov, arrived in Moscow. Lavrov's visit.",
            "Sergei Lavrov.",
            "Le Ministre des Affaires Etrangères de la Fédération de Russie, Sergueï Lavrov, est à Moscou.",
        ]);
        let names: Vec<Vec<&str>> = out
            .iter()
            .map(|d| d.iter().map(|(n, _, _)| n.as_str()).collect())
            .collect();
        assert_eq!(
            names[0],
            ["Russia", "Sergei Lavrov", "Moscow", "Sergei Lavrov"]
        );
        assert_eq!(names[2], ["Russia", "Sergei Lavrov", "Moscow"]);
        assert_eq!(out[0][3].2, "Lavrov");
        assert_eq!(out[0][1].1, "PER");
        assert_eq!(out[2][2].2, "Moscou");
    }

    #[test]
    fn codes_articles_stop_words_and_city_surnames() {
        let out = run(&[
            "The U.S. and the US Army. READ MORE here. President Barack Obama spoke. Obama left.",
            "Trains run from Obama to Kyoto.",
        ]);
        let got: Vec<(&str, &str)> = out[0].iter().map(|(n, t, _)| (n.as_str(), *t)).collect();
        assert_eq!(
            got,
            [
                ("United States", "LOC"),
                ("US Army", "ORG"),
                ("Barack Obama", "PER"),
                ("Barack Obama", "PER")
            ]
        );
        assert_eq!(out[1][0].0, "Obama");
        assert_eq!(out[1][0].1, "LOC");
    }

    #[test]
    fn a_place_preposition_before_an_article_hints_at_a_place() {
        let out = run(&[
            "Groups warned about tunnelling in the Alps.",
            "Dans la Beauce, les agriculteurs s'inquiètent.",
            "They met the Vortex on Monday.",
            "In Zarvenia, farmers protested.",
        ]);
        let got = |d: usize| -> Vec<(&str, &str)> {
            out[d].iter().map(|(n, t, _)| (n.as_str(), *t)).collect()
        };
        assert_eq!(got(0), [("Alps", "LOC")]);
        assert_eq!(got(1), [("Beauce", "LOC")]);
        // An article alone, after a verb, is no such hint.
        assert_eq!(got(2), [("Vortex", "ORG")]);
        // A preposition opening the sentence counts too.
        assert_eq!(got(3), [("Zarvenia", "LOC")]);
    }

    #[test]
    fn offsets_are_code_points() {
        let text = "Après Goïta, « Maïga » et Diop à Bamako avec Maïga.";
        let ex = extract(&[text], &Options::default()).unwrap();
        let chars: Vec<char> = text.chars().collect();
        let got: Vec<String> = ex.docs[0]
            .iter()
            .map(|m| chars[m.start..m.end].iter().collect())
            .collect();
        assert_eq!(got, ["Goïta", "Maïga", "Diop", "Bamako", "Maïga"]);
    }

    #[test]
    fn empty_inputs() {
        let ex = extract(&[], &Options::default()).unwrap();
        assert!(ex.entities.is_empty());
        let ex = extract(&["", "   ", "lower case only."], &Options::default()).unwrap();
        assert!(ex.docs.iter().all(|d| d.is_empty()));
    }
}
