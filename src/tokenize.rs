//! Tokenizers for English and French news.
//!
//! Two modes share one configuration:
//! - [`Pattern::News`] (default): words are maximal runs of letters, digits and combining marks;
//!   apostrophes and (optionally) hyphens join words; numbers keep their separators
//!   (`1,500`, `60.64%`, `2023-02-08`); dotted acronyms stay whole (`U.S.`); French elided
//!   clitics (`l’`, `d’`, `qu’`, `jusqu’`…) are split off; English possessives (`Lavrov’s`)
//!   are stripped; stop words and Snowball stemming follow the document's language.
//!   Curly quotes, guillemets, dashes and ellipses are punctuation.
//! - [`Pattern::Sklearn`]: exactly scikit-learn's default analyzer tokens
//!   (`(?u)\b\w\w+\b` after its lower-casing and accent stripping).
//!
//! Offsets are character (Unicode code point) indices into the original text, i.e. indices
//! into the Python `str`. Scanning is a single forward pass with bounded look-ahead, so time is
//! linear in the text length.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::error::{Error, Result};
use crate::interner::{Interner, Key, Terms};
use crate::lang::{lang_from_code, LanguageDetector};
use crate::parallel::contiguous_parts;
use crate::scan::for_each_run;
use crate::unicode::{
    ascii_key, ascii_lower_into, ascii_span_key, for_each_sklearn_key, for_each_sklearn_token,
    lower, nfc, sklearn_word_spans, span_key, strip_accents_ascii, strip_accents_unicode,
};

/// Which token rules to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Pattern {
    /// Language-aware rules for news text.
    #[default]
    News,
    /// scikit-learn's default `(?u)\b\w\w+\b`.
    Sklearn,
}

/// Accent stripping, as scikit-learn's `strip_accents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StripAccents {
    /// NFKD and drop combining characters.
    Unicode,
    /// NFKD and keep ASCII only.
    Ascii,
}

/// What to do with elided clitics (`l’`, `d’`, `qu’`…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Elisions {
    /// Split the clitic off and drop it: `l’ambassadeur` → `ambassadeur`.
    #[default]
    Drop,
    /// Split the clitic off and keep it as a token: `l'`, `ambassadeur`.
    Keep,
    /// No elision rule: `l'ambassadeur` is one token.
    Off,
}

/// Hyphenated words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Hyphens {
    /// `Russo-Malian` → `russo`, `malian` (numbers such as dates stay whole).
    #[default]
    Split,
    /// `Russo-Malian` → `russo-malian`.
    Keep,
}

/// Stop-word removal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum StopWords {
    /// Keep every token.
    #[default]
    None,
    /// The list of the document's language (fixed or detected).
    Auto,
    /// The list of one language (ISO 639-1 code), from the `stop-words` crate.
    Lang(String),
    /// A user list (compared with lower-cased tokens in news mode, exact tokens in sklearn mode).
    Custom(Vec<String>),
}

/// Tokenizer options; the serialisable description of a [`Tokenizer`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TokenizerConfig {
    /// Token rules.
    pub pattern: Pattern,
    /// `"auto"` (detect per document) or an ISO 639-1 code.
    pub lang: String,
    /// Lower-case tokens.
    pub lowercase: bool,
    /// Accent stripping, if any.
    pub strip_accents: Option<StripAccents>,
    /// Stop-word removal.
    pub stop_words: StopWords,
    /// Elided clitics (news mode).
    pub elisions: Elisions,
    /// Hyphenated words (news mode).
    pub hyphens: Hyphens,
    /// Snowball stemming in the document's language (news mode).
    pub stem: bool,
    /// Minimum token length in characters (news mode).
    pub min_len: usize,
}

impl Default for TokenizerConfig {
    fn default() -> Self {
        TokenizerConfig {
            pattern: Pattern::News,
            lang: "auto".into(),
            lowercase: true,
            strip_accents: None,
            stop_words: StopWords::None,
            elisions: Elisions::Drop,
            hyphens: Hyphens::Split,
            stem: false,
            min_len: 1,
        }
    }
}

/// A token with its character offsets in the original text (`text[start..end]` in Python).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The normalised token.
    pub text: String,
    /// Start, in characters.
    pub start: usize,
    /// End (exclusive), in characters.
    pub end: usize,
}

pub use crate::interner::TokenIds;

/// Per-language resources, built once per process and shared.
struct LangResources {
    stop: Interner,
    stemmer: Option<Stemmer>,
}

fn resources(code: &str) -> &'static LangResources {
    static CACHE: OnceLock<Mutex<HashMap<String, &'static LangResources>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(r) = map.get(code) {
        return r;
    }
    let stop = stop_words::lookup(code)
        .map(|w| w.iter().collect())
        .unwrap_or_default();
    let stemmer = stemmer_algorithm(code).map(Stemmer::create);
    // Bounded by the number of languages: leaking gives `'static` sharing across threads.
    let r: &'static LangResources = Box::leak(Box::new(LangResources { stop, stemmer }));
    map.insert(code.to_string(), r);
    r
}

fn stemmer_algorithm(code: &str) -> Option<Algorithm> {
    Some(match code {
        "ar" => Algorithm::Arabic,
        "da" => Algorithm::Danish,
        "nl" => Algorithm::Dutch,
        "en" => Algorithm::English,
        "fi" => Algorithm::Finnish,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "el" => Algorithm::Greek,
        "hu" => Algorithm::Hungarian,
        "it" => Algorithm::Italian,
        "no" | "nb" | "nn" => Algorithm::Norwegian,
        "pt" => Algorithm::Portuguese,
        "ro" => Algorithm::Romanian,
        "ru" => Algorithm::Russian,
        "es" => Algorithm::Spanish,
        "sv" => Algorithm::Swedish,
        "ta" => Algorithm::Tamil,
        "tr" => Algorithm::Turkish,
        _ => return None,
    })
}

/// Elided clitics that are split off before an apostrophe (French, Italian, Catalan).
const CLITICS: &[&str] = &[
    "l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu", "presqu",
    "quelqu", "dell", "all", "dall", "nell", "sull", "un",
];

/// The longest of [`CLITICS`], in bytes.
const MAX_CLITIC_BYTES: usize = 6;

/// Words with an internal apostrophe that are one word, not clitic + word.
const APOSTROPHE_WORDS: &[&str] = &[
    "aujourd'hui",
    "prud'homme",
    "prud'hommes",
    "quelqu'un",
    "quelqu'une",
    "presqu'île",
    "presqu'îles",
    "entr'acte",
];

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{02BC}')
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// Separators allowed between digits of one number: `1,500`, `60.64`, `2023-02-08`, `12:30`.
fn is_number_joiner(c: char) -> bool {
    matches!(c, '.' | ',' | ':' | '/') || is_hyphen(c)
}

/// Word characters of news mode: letters, digits and combining marks (so NFD text stays whole).
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric()
        || matches!(
            c.general_category(),
            GeneralCategory::NonspacingMark
                | GeneralCategory::SpacingMark
                | GeneralCategory::EnclosingMark
        )
}

/// The character at byte `pos`, if any.
#[inline]
fn char_at(text: &str, pos: usize) -> Option<char> {
    let b = *text.as_bytes().get(pos)?;
    if b < 128 {
        return Some(b as char);
    }
    text.get(pos..).and_then(|s| s.chars().next())
}

/// Stop words for one document.
enum StopSet<'a> {
    Empty,
    Words(&'a Interner),
}

impl StopSet<'_> {
    #[inline]
    fn contains(&self, w: &str) -> bool {
        match self {
            StopSet::Empty => false,
            StopSet::Words(s) => s.contains(w),
        }
    }

    #[inline]
    fn contains_key(&self, k: &Key<'_>) -> bool {
        match self {
            StopSet::Empty => false,
            StopSet::Words(s) => s.contains_key(k),
        }
    }
}

/// A compiled tokenizer: configuration plus resolved language resources.
#[derive(Clone)]
pub struct Tokenizer {
    config: TokenizerConfig,
    detector: LanguageDetector,
    fixed_lang: Option<String>,
    custom_stop: Option<Interner>,
}

impl std::fmt::Debug for Tokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokenizer")
            .field("config", &self.config)
            .finish()
    }
}

/// Stop words and stemmer of one news-mode document, and the language they are for.
struct NewsRules<'a> {
    lang: Option<String>,
    stop: StopSet<'a>,
    stemmer: Option<&'a Stemmer>,
}

/// Per chunk of a batch: the token id of each distinct surface form, per language.
struct SurfaceCache {
    surfaces: Interner,
    langs: Vec<Option<String>>,
    /// `tokens[l][surface id]`: token id, [`DROPPED`], or [`UNSEEN`].
    tokens: Vec<Vec<u32>>,
}

impl SurfaceCache {
    fn new() -> Self {
        SurfaceCache {
            // Distinct surface forms of a chunk run to tens of thousands.
            surfaces: Interner::with_capacity(16_384),
            langs: Vec::new(),
            tokens: Vec::new(),
        }
    }
}

/// One news-mode document being turned into ids: its rules and the chunk's tables.
struct NewsDoc<'t, 'c> {
    text: &'t str,
    rules: NewsRules<'c>,
    table: &'c mut Interner,
    surfaces: &'c mut Interner,
    /// The surface cache's token ids for the document's language.
    known: &'c mut Vec<u32>,
    buf: String,
}

/// Longer tokens are not stemmed. No word of a language is this long (a token that is has to
/// be a run of junk, a URL or the like), and the Spanish, Italian and Dutch Snowball stemmers
/// take time quadratic in a word's length: a megabyte-long "word" would take hours.
const STEM_MAX_BYTES: usize = 256;

const UNSEEN: u32 = u32::MAX;
const DROPPED: u32 = u32::MAX - 1;

/// A span of the original text (byte offsets) that becomes one token.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    /// An elided clitic (`l'`): normalised with its apostrophe.
    clitic: bool,
    /// What the block scanner saw of an ASCII word taken as it is: `Some(whether it has a
    /// capital)`; `None` for spans from the general rules.
    ascii_upper: Option<bool>,
}

impl Span {
    /// A span found by the general rules.
    fn new(start: usize, end: usize, clitic: bool) -> Span {
        Span {
            start,
            end,
            clitic,
            ascii_upper: None,
        }
    }
}

impl Tokenizer {
    /// Validate `config` and build the tokenizer. Errors name the offending option.
    pub fn new(config: TokenizerConfig) -> Result<Self> {
        let fixed_lang = match config.lang.trim().to_ascii_lowercase().as_str() {
            "auto" => None,
            code => {
                if lang_from_code(code).is_none() && stop_words::lookup(code).is_none() {
                    return Err(Error::param(
                        "lang",
                        format!(
                            "expected \"auto\" or an ISO 639-1 code, got {:?}",
                            config.lang
                        ),
                    ));
                }
                Some(code.to_string())
            }
        };
        if let StopWords::Lang(code) = &config.stop_words {
            if stop_words::lookup(code).is_none() {
                return Err(Error::param(
                    "stop_words",
                    format!("no stop-word list for language {code:?}"),
                ));
            }
        }
        let custom_stop = match &config.stop_words {
            StopWords::Custom(words) => Some(match config.pattern {
                Pattern::News => words.iter().map(|w| lower(&nfc(w)).into_owned()).collect(),
                Pattern::Sklearn => words.iter().collect(),
            }),
            _ => None,
        };
        Ok(Tokenizer {
            config,
            detector: LanguageDetector::default(),
            fixed_lang,
            custom_stop,
        })
    }

    /// The configuration this tokenizer was built from.
    pub fn config(&self) -> &TokenizerConfig {
        &self.config
    }

    /// The language used for `text`: the fixed one, or the detected one (None if unknown).
    pub fn language_of(&self, text: &str) -> Option<String> {
        match &self.fixed_lang {
            Some(l) => Some(l.clone()),
            None => self.detector.language_hint(text).map(str::to_string),
        }
    }

    /// Whether tokenization depends on the document's language.
    fn needs_language(&self) -> bool {
        self.config.pattern == Pattern::News
            && (self.config.stem || self.config.stop_words == StopWords::Auto)
    }

    /// The stop words in force for a document whose language resources are `res`.
    fn stop_set(&self, res: Option<&'static LangResources>) -> StopSet<'_> {
        match (&self.config.stop_words, &self.custom_stop) {
            (StopWords::Custom(_), Some(set)) => StopSet::Words(set),
            (StopWords::Lang(code), _) => StopSet::Words(&resources(code).stop),
            (StopWords::Auto, _) => res.map_or(StopSet::Empty, |r| StopSet::Words(&r.stop)),
            _ => StopSet::Empty,
        }
    }

    /// Tokens of `text`.
    pub fn tokens(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        self.for_each_token(text, |t, _, _| out.push(t.into_owned()));
        out
    }

    /// Tokens of every text as ids into one [`Interner`], in parallel on the current rayon
    /// pool. Documents are processed in contiguous parts with a table each (see
    /// [`contiguous_parts`]: one part per thread unless a thread falls behind), then merged.
    pub fn tokenize_ids<S: AsRef<str> + Sync>(&self, texts: &[S]) -> (Interner, TokenIds) {
        let mut table = Interner::new();
        let mut out = TokenIds::default();
        table.merge_all(self.id_parts(texts), &mut out);
        (table, out)
    }

    /// [`tokenize_ids`](Self::tokenize_ids), calling `alongside` with copies of the strings
    /// while the parts are merged (see [`Interner::merge_all_with`]): those of the first part,
    /// then those the other parts add, the first ids of the result and the rest. Work that
    /// needs them, such as making them into Python objects, is done on another thread in the
    /// meantime.
    pub fn tokenize_ids_with<S, R>(
        &self,
        texts: &[S],
        alongside: impl Fn(&Terms) -> R + Sync,
    ) -> (Interner, TokenIds, (R, R))
    where
        S: AsRef<str> + Sync,
        R: Send,
    {
        let mut table = Interner::new();
        let mut out = TokenIds::default();
        let made = table.merge_all_with(self.id_parts(texts), &mut out, alongside);
        (table, out, made)
    }

    /// The token ids of `texts` in contiguous parts, each against its own table.
    fn id_parts<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<(Interner, TokenIds)> {
        let lens: Vec<usize> = texts.iter().map(|t| t.as_ref().len()).collect();
        // Only news mode looks surface forms up; sklearn tokens are their surface.
        let news = self.config.pattern == Pattern::News;
        let total: usize = lens.iter().sum();
        let parts = contiguous_parts(
            &lens,
            |first, bytes| {
                // A table sized for the part's text, and room for its ids (news averages about
                // six bytes per token; room that is never used costs no memory, as pages are
                // only backed once written). The first part's ids become the output, which
                // the merge extends with the other parts' ids: room for all of them.
                let table = Interner::for_text(bytes);
                let room = if first == 0 { total } else { bytes };
                (
                    table,
                    TokenIds::with_capacity(room / 4),
                    news.then(SurfaceCache::new),
                )
            },
            |(table, rows, cache), i| {
                let (t, ids) = (texts[i].as_ref(), &mut rows.ids);
                match cache.as_mut() {
                    Some(cache) => self.news_ids(t, table, cache, ids),
                    None => self.sklearn_ids(t, table, ids),
                }
                rows.end_doc();
            },
        );
        parts
            .into_iter()
            .map(|(table, rows, _)| (table, rows))
            .collect()
    }

    /// Tokens of `text` with character offsets into `text`.
    pub fn tokens_with_offsets(&self, text: &str) -> Vec<Token> {
        let mut out = Vec::new();
        match self.config.pattern {
            Pattern::News => {
                let mut cursor = CharCursor::default();
                self.for_each_token(text, |t, s, e| {
                    let start = cursor.advance(text, s);
                    let end = cursor.advance(text, e);
                    out.push(Token {
                        text: t.into_owned(),
                        start,
                        end,
                    });
                });
            }
            Pattern::Sklearn => {
                let (pre, origin) = self.sklearn_preprocess_with_origin(text);
                let mut cursor = CharCursor::default();
                self.for_each_sklearn_token(&pre, |t, s, e| {
                    let cs = cursor.advance(&pre, s);
                    let ce = cursor.advance(&pre, e);
                    let start = origin.get(cs).copied().unwrap_or(0);
                    let end = ce
                        .checked_sub(1)
                        .and_then(|i| origin.get(i))
                        .map_or(start, |&o| o + 1);
                    out.push(Token {
                        text: t.to_string(),
                        start,
                        end,
                    });
                });
            }
        }
        out
    }

    /// Call `f(token, byte_start, byte_end)` for every token. In sklearn mode the offsets refer
    /// to the preprocessed text, so callers needing offsets use [`Self::tokens_with_offsets`].
    pub fn for_each_token<F>(&self, text: &str, mut f: F)
    where
        F: FnMut(Cow<'_, str>, usize, usize),
    {
        match self.config.pattern {
            Pattern::Sklearn if self.config.strip_accents.is_none() => {
                let stop = self.sklearn_stop_set(text);
                let mut buf = String::new();
                for_each_sklearn_token(text, self.config.lowercase, &mut buf, |t, s, e| {
                    if !stop.contains(t) {
                        f(Cow::Borrowed(t), s, e);
                    }
                });
            }
            Pattern::Sklearn => {
                let pre = self.sklearn_preprocess(text);
                self.for_each_sklearn_token(&pre, |t, s, e| f(Cow::Borrowed(t), s, e));
            }
            Pattern::News => {
                let rules = self.news_rules(text);
                let mut buf = String::new();
                scan_news(text, &self.config, |span| {
                    let tok = self.finish_news_token(text, span, &rules, &mut buf);
                    if let Some(tok) = tok {
                        f(tok, span.start, span.end);
                    }
                });
            }
        }
    }

    /// The language-dependent rules for one news-mode document.
    fn news_rules(&self, text: &str) -> NewsRules<'_> {
        let lang = if self.needs_language() {
            self.language_of(text)
        } else {
            self.fixed_lang.clone()
        };
        let res = lang.as_deref().map(resources);
        NewsRules {
            stop: self.stop_set(res),
            stemmer: if self.config.stem {
                res.and_then(|r| r.stemmer.as_ref())
            } else {
                None
            },
            lang,
        }
    }

    /// News-mode token ids of one document into `table`. An ASCII word whose token is its
    /// lower-cased surface is keyed straight into the table; any other surface form's token
    /// (or its removal) is worked out once per chunk and language, then looked up in the
    /// surface cache: most of a corpus's words are repeats.
    fn news_ids(
        &self,
        text: &str,
        table: &mut Interner,
        cache: &mut SurfaceCache,
        ids: &mut Vec<u32>,
    ) {
        let rules = self.news_rules(text);
        let slot = match cache.langs.iter().position(|l| *l == rules.lang) {
            Some(i) => i,
            None => {
                cache.langs.push(rules.lang.clone());
                cache.tokens.push(Vec::new());
                cache.langs.len() - 1
            }
        };
        let mut doc = NewsDoc {
            text,
            rules,
            table,
            surfaces: &mut cache.surfaces,
            known: &mut cache.tokens[slot],
            buf: String::new(),
        };
        // With no stemming, accent stripping or length limit, an ASCII word's token is its
        // surface, lower-cased: keyed straight into the table (after a look into the small
        // stop-word table, which needs the lower-cased key), with no cache.
        let c = &self.config;
        let direct = doc.rules.stemmer.is_none()
            && c.strip_accents.is_none()
            && c.min_len <= 1
            && (c.lowercase || matches!(doc.rules.stop, StopSet::Empty));
        let mut lowered = String::new();
        scan_news(text, c, |span| {
            if direct && !span.clitic && span.start < span.end {
                let key = match span.ascii_upper {
                    Some(upper) => Some(ascii_key(
                        text,
                        span.start,
                        span.end,
                        c.lowercase && upper,
                        &mut lowered,
                    )),
                    None => ascii_span_key(text, span.start, span.end, c.lowercase, &mut lowered),
                };
                if let Some(k) = key {
                    if !doc.rules.stop.contains_key(&k) {
                        ids.push(doc.table.intern_key(&k));
                    }
                    return;
                }
            }
            if let Some(id) = self.cached_token_id(&mut doc, span) {
                ids.push(id);
            }
        });
    }

    /// The token id of `span` through the surface cache (`None`: the token is dropped).
    /// Out of line, so that the direct path of [`Self::news_ids`] stays small.
    #[inline(never)]
    fn cached_token_id(&self, doc: &mut NewsDoc<'_, '_>, span: Span) -> Option<u32> {
        let text = doc.text;
        if span.clitic {
            // Clitics are rare and their token depends on more than the surface.
            let tok = self.finish_news_token(text, span, &doc.rules, &mut doc.buf)?;
            return Some(doc.table.intern(&tok));
        }
        let sid = doc
            .surfaces
            .intern_key(&span_key(text, span.start, span.end)) as usize;
        if sid >= doc.known.len() {
            doc.known.resize(sid + 1, UNSEEN);
        }
        let id = match doc.known[sid] {
            UNSEEN => {
                let id = self
                    .finish_news_token(text, span, &doc.rules, &mut doc.buf)
                    .map_or(DROPPED, |tok| doc.table.intern(&tok));
                doc.known[sid] = id;
                id
            }
            id => id,
        };
        (id != DROPPED).then_some(id)
    }

    fn finish_news_token<'t>(
        &self,
        text: &'t str,
        span: Span,
        rules: &NewsRules<'_>,
        buf: &'t mut String,
    ) -> Option<Cow<'t, str>> {
        let (stop, stemmer) = (&rules.stop, rules.stemmer);
        let surface = &text[span.start..span.end];
        let ascii = surface.is_ascii();
        let mut tok: Cow<'t, str> = if ascii {
            Cow::Borrowed(surface)
        } else {
            nfc(surface)
        };
        if !ascii && tok.contains(['\u{2019}', '\u{02BC}']) {
            tok = Cow::Owned(tok.replace(['\u{2019}', '\u{02BC}'], "'"));
        }
        if span.clitic && !tok.ends_with('\'') {
            tok.to_mut().push('\'');
        }
        // Most tokens stay borrowed from `text` (or `buf`) through every step below.
        let lowered = match &tok {
            Cow::Borrowed(b) if ascii => {
                if b.bytes().any(|x| x.is_ascii_uppercase()) {
                    Cow::Borrowed(ascii_lower_into(b, buf))
                } else {
                    Cow::Borrowed(*b)
                }
            }
            Cow::Borrowed(b) => lower(b),
            Cow::Owned(o) => Cow::Owned(lower(o).into_owned()),
        };
        if !matches!(stop, StopSet::Empty) {
            let key = lowered.trim_end_matches('\'');
            if stop.contains(key) || (key.len() != lowered.len() && stop.contains(&lowered)) {
                return None;
            }
        }
        let mut tok = if self.config.lowercase || stemmer.is_some() {
            lowered
        } else {
            tok
        };
        let stem = stemmer.filter(|_| !span.clitic && tok.len() <= STEM_MAX_BYTES);
        if let Some(st) = stem {
            if let Cow::Owned(stemmed) = st.stem(&tok) {
                tok = Cow::Owned(stemmed);
            }
        }
        let tok = match (self.config.strip_accents, tok) {
            (None, t) => t,
            (Some(StripAccents::Unicode), Cow::Borrowed(b)) => strip_accents_unicode(b),
            (Some(StripAccents::Ascii), Cow::Borrowed(b)) => strip_accents_ascii(b),
            (Some(StripAccents::Unicode), Cow::Owned(o)) => {
                Cow::Owned(strip_accents_unicode(&o).into_owned())
            }
            (Some(StripAccents::Ascii), Cow::Owned(o)) => {
                Cow::Owned(strip_accents_ascii(&o).into_owned())
            }
        };
        let too_short = self.config.min_len > 1 && tok.chars().count() < self.config.min_len;
        if tok.is_empty() || too_short {
            return None;
        }
        Some(tok)
    }

    /// sklearn's preprocessing: lower-case, then strip accents.
    fn sklearn_preprocess<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let t = if self.config.lowercase {
            lower(text)
        } else {
            Cow::Borrowed(text)
        };
        match self.config.strip_accents {
            None => t,
            Some(StripAccents::Unicode) => Cow::Owned(strip_accents_unicode(&t).into_owned()),
            Some(StripAccents::Ascii) => Cow::Owned(strip_accents_ascii(&t).into_owned()),
        }
    }

    /// The preprocessed text plus, for each of its characters, the index of the original
    /// character it came from (lower-casing and NFKD may change lengths).
    fn sklearn_preprocess_with_origin<'t>(&self, text: &'t str) -> (Cow<'t, str>, Vec<usize>) {
        let pre = self.sklearn_preprocess(text);
        let mut origin = Vec::with_capacity(pre.len());
        let mut buf = String::new();
        for (k, c) in text.chars().enumerate() {
            buf.clear();
            buf.push(c);
            let n = self.sklearn_preprocess(&buf).chars().count();
            origin.extend(std::iter::repeat_n(k, n));
        }
        // Context rules (final sigma) never change lengths; guard anyway so offsets stay in range.
        let total = pre.chars().count();
        let last = text.chars().count().saturating_sub(1);
        origin.resize(total, last);
        (pre, origin)
    }

    /// Sklearn-mode token ids of `text` into `table`.
    fn sklearn_ids(&self, text: &str, table: &mut Interner, ids: &mut Vec<u32>) {
        if self.config.strip_accents.is_some() {
            return self.for_each_token(text, |tok, _, _| ids.push(table.intern(&tok)));
        }
        let stop = self.sklearn_stop_set(text);
        let mut buf = String::new();
        for_each_sklearn_key(
            text,
            self.config.lowercase,
            &mut buf,
            #[inline(always)]
            |k| {
                if !stop.contains_key(k) {
                    ids.push(table.intern_key(k));
                }
            },
        );
    }

    fn sklearn_stop_set(&self, text: &str) -> StopSet<'_> {
        let res = match self.config.stop_words {
            StopWords::Auto => self.language_of(text).map(|l| resources(&l)),
            _ => None,
        };
        self.stop_set(res)
    }

    fn for_each_sklearn_token<'p, F>(&self, pre: &'p str, mut f: F)
    where
        F: FnMut(&'p str, usize, usize),
    {
        let stop = self.sklearn_stop_set(pre);
        for (s, e) in sklearn_word_spans(pre) {
            let t = &pre[s..e];
            if !stop.contains(t) {
                f(t, s, e);
            }
        }
    }
}

/// Converts increasing byte offsets into character offsets in one forward pass.
#[derive(Default)]
struct CharCursor {
    byte: usize,
    chars: usize,
}

impl CharCursor {
    fn advance(&mut self, text: &str, byte: usize) -> usize {
        if byte >= self.byte {
            self.chars += text.get(self.byte..byte).map_or(0, |s| s.chars().count());
        } else {
            self.chars -= text.get(byte..self.byte).map_or(0, |s| s.chars().count());
        }
        self.byte = byte;
        self.chars
    }
}

/// Scan `text` once and emit the spans of news-mode tokens (before normalisation).
///
/// The block scanner finds runs of letters and digits; an ASCII run that nothing after it can
/// join (no apostrophe, no number separator after a digit, no acronym dot) is a word as it
/// is. Any other run goes through the general rules character by character, up to its end
/// or the end of the word it starts, so every byte is looked at a bounded number of times.
fn scan_news<F: FnMut(Span)>(text: &str, cfg: &TokenizerConfig, emit: F) {
    scan_news_with(text, cfg, true, emit)
}

/// [`scan_news`], with the ASCII-run shortcut on or off (the tests check that it changes
/// nothing).
fn scan_news_with<F: FnMut(Span)>(text: &str, cfg: &TokenizerConfig, fast: bool, mut emit: F) {
    let bytes = text.as_bytes();
    // Where the text is consumed up to: the general rules may take a word past its run.
    let mut pos = 0;
    for_each_run(bytes, false, |run| {
        if run.end <= pos {
            return;
        }
        if fast && run.ascii && run.start >= pos {
            let last_digit = bytes.get(run.end - 1).is_some_and(u8::is_ascii_digit);
            let single = run.end - run.start == 1;
            let joins = bytes
                .get(run.end)
                .is_some_and(|&n| ascii_may_join(n, last_digit, single, cfg.hyphens));
            if !joins {
                emit(Span {
                    ascii_upper: Some(run.upper),
                    ..Span::new(run.start, run.end, false)
                });
                pos = run.end;
                return;
            }
        }
        pos = pos.max(run.start);
        general_rules(text, cfg, &mut pos, run.end, &mut emit);
    });
}

/// The words starting in `text[*pos..end]`, character by character; `*pos` ends past the last
/// one, which may end past `end`.
///
/// Out of line and through a `dyn` callback: the ASCII shortcut is then the only direct caller
/// of a scan's callback, which the compiler can inline there.
#[inline(never)]
fn general_rules(
    text: &str,
    cfg: &TokenizerConfig,
    pos: &mut usize,
    end: usize,
    emit: &mut dyn FnMut(Span),
) {
    let bytes = text.as_bytes();
    while *pos < end {
        let Some(c) = char_at(text, *pos) else {
            *pos = text.len();
            return;
        };
        if !is_word_char(c) {
            *pos += c.len_utf8();
            continue;
        }
        let dotted = bytes.get(*pos + c.len_utf8()) == Some(&b'.');
        if let Some(word) = dotted.then(|| acronym_end(text, *pos)).flatten() {
            emit(Span::new(*pos, word, false));
            *pos = word;
            continue;
        }
        let word = word_end(text, *pos, cfg.hyphens);
        split_word(text, *pos, word, cfg.elisions, emit);
        *pos = word;
    }
}

/// Whether the ASCII byte `next`, right after a run of ASCII letters and digits, may extend
/// the word (`last_digit`: the run ends with a digit) or, after a single letter, make it an
/// acronym. Errs on the side of `true`: the general rules then decide.
///
/// A table lookup rather than a `match`: the byte after a word (a space, a comma, a period...)
/// is data, and a branch on it mispredicts.
#[inline]
fn ascii_may_join(next: u8, last_digit: bool, single: bool, hyphens: Hyphens) -> bool {
    let holds = JOIN_ALWAYS
        | (u8::from(last_digit) * JOIN_AFTER_DIGIT)
        | (u8::from(single) * JOIN_AFTER_SINGLE)
        | (u8::from(hyphens == Hyphens::Keep) * JOIN_IF_HYPHENS_KEPT);
    JOINS[usize::from(next)] & holds != 0
}

/// The conditions under which each byte may extend an ASCII word (see [`ascii_may_join`]).
const JOIN_ALWAYS: u8 = 1;
const JOIN_AFTER_DIGIT: u8 = 2;
const JOIN_AFTER_SINGLE: u8 = 4;
const JOIN_IF_HYPHENS_KEPT: u8 = 8;
static JOINS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'\'' as usize] = JOIN_ALWAYS;
    t[b'.' as usize] = JOIN_AFTER_DIGIT | JOIN_AFTER_SINGLE;
    t[b',' as usize] = JOIN_AFTER_DIGIT;
    t[b':' as usize] = JOIN_AFTER_DIGIT;
    t[b'/' as usize] = JOIN_AFTER_DIGIT;
    t[b'%' as usize] = JOIN_AFTER_DIGIT;
    t[b'-' as usize] = JOIN_AFTER_DIGIT | JOIN_IF_HYPHENS_KEPT;
    t
};

/// Longest dotted acronym considered; bounding it keeps scanning linear on `a.a.a.a…`.
const MAX_ACRONYM_LETTERS: usize = 8;

/// `U.S.`, `U.N.`: two or more single letters each followed by a period.
fn acronym_end(text: &str, start: usize) -> Option<usize> {
    let mut pos = start;
    let mut letters = 0;
    while letters < MAX_ACRONYM_LETTERS {
        let c = char_at(text, pos)?;
        if !c.is_alphabetic() {
            break;
        }
        let dot = pos + c.len_utf8();
        if char_at(text, dot) != Some('.') {
            break;
        }
        letters += 1;
        pos = dot + 1;
    }
    if letters >= 2 && !char_at(text, pos).is_some_and(is_word_char) {
        Some(pos)
    } else {
        None
    }
}

/// End (byte) of the word starting at `start`, following joiners.
fn word_end(text: &str, start: usize, hyphens: Hyphens) -> usize {
    let bytes = text.as_bytes();
    let mut pos = start;
    let mut last: Option<char> = None;
    loop {
        // Tight loop over ASCII letters and digits, the bulk of most words.
        let run = pos;
        while pos < bytes.len() && bytes[pos].is_ascii_alphanumeric() {
            pos += 1;
        }
        if pos > run {
            last = Some(bytes[pos - 1] as char);
        }
        let Some(c) = char_at(text, pos) else { break };
        if is_word_char(c) {
            last = Some(c);
            pos += c.len_utf8();
            continue;
        }
        let next = char_at(text, pos + c.len_utf8());
        let prev_digit = last.is_some_and(|l| l.is_ascii_digit() || l.is_numeric());
        let joins = if is_apostrophe(c) {
            next.is_some_and(char::is_alphabetic) && last.is_some_and(char::is_alphabetic)
        } else if prev_digit && is_number_joiner(c) {
            next.is_some_and(|n| n.is_numeric())
        } else if prev_digit && matches!(c, '\u{a0}' | '\u{202f}') {
            // French digit groups: « 1 200 » with a (narrow) no-break space.
            digit_group_follows(text, pos + c.len_utf8())
        } else if is_hyphen(c) && hyphens == Hyphens::Keep {
            next.is_some_and(is_word_char)
        } else if prev_digit && c == '%' {
            pos += 1;
            break;
        } else {
            false
        };
        if !joins {
            break;
        }
        pos += c.len_utf8();
        last = Some(c);
    }
    pos
}

/// Exactly three digits start at byte `pos` and are not followed by another digit.
fn digit_group_follows(text: &str, pos: usize) -> bool {
    let mut it = text.get(pos..).unwrap_or("").chars();
    (0..3).all(|_| it.next().is_some_and(|c| c.is_ascii_digit()))
        && !it.next().is_some_and(|c| c.is_ascii_digit())
}

/// Split a word at elided clitics and strip an English possessive.
fn split_word<F: FnMut(Span) + ?Sized>(
    text: &str,
    start: usize,
    end: usize,
    el: Elisions,
    emit: &mut F,
) {
    let word = &text[start..end];
    // Apostrophes are ' (ASCII), or ’ / ʼ whose UTF-8 encodings contain no ASCII byte; a word
    // without either needs no clitic or possessive handling.
    if word.is_ascii() && !word.contains('\'') {
        emit(Span::new(start, end, false));
        return;
    }
    let mut seg = start;
    if el != Elisions::Off {
        while let Some((apos, alen)) = first_apostrophe(&text[seg..end]) {
            let rest = &text[seg..end];
            if !is_clitic(&rest[..apos]) {
                break;
            }
            // Exceptions are short words; checking only short rests keeps long runs linear.
            if rest.len() <= 32 && is_apostrophe_word(rest) {
                break;
            }
            if el == Elisions::Keep {
                emit(Span::new(seg, seg + apos + alen, true));
            }
            seg += apos + alen;
        }
    }
    let mut seg_end = end;
    let word = &text[seg..end];
    if let Some(stem) = possessive_stem(word) {
        seg_end = seg + stem;
    }
    if seg < seg_end {
        emit(Span::new(seg, seg_end, false));
    }
}

fn first_apostrophe(s: &str) -> Option<(usize, usize)> {
    s.char_indices()
        .find(|&(_, c)| is_apostrophe(c))
        .map(|(i, c)| (i, c.len_utf8()))
}

/// Whether `prefix`, the text before an apostrophe, is an elided clitic (in any case). Every
/// clitic is ASCII, and no other character lower-cases to an ASCII letter of one.
fn is_clitic(prefix: &str) -> bool {
    prefix.len() <= MAX_CLITIC_BYTES && CLITICS.iter().any(|c| c.eq_ignore_ascii_case(prefix))
}

/// Whether `s` (lower-cased, any apostrophe as `'`) is one of [`APOSTROPHE_WORDS`].
fn is_apostrophe_word(s: &str) -> bool {
    let norm = || {
        s.chars()
            .flat_map(char::to_lowercase)
            .map(|c| if is_apostrophe(c) { '\'' } else { c })
    };
    APOSTROPHE_WORDS.iter().any(|w| norm().eq(w.chars()))
}

/// Byte length of `word` without a trailing `'s` / `’s`, when it has one.
fn possessive_stem(word: &str) -> Option<usize> {
    let mut it = word.char_indices().rev();
    let (_, s) = it.next()?;
    let (ai, a) = it.next()?;
    if matches!(s, 's' | 'S') && is_apostrophe(a) && ai > 0 {
        Some(ai)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(cfg: TokenizerConfig, text: &str) -> Vec<String> {
        Tokenizer::new(cfg).unwrap().tokens(text)
    }

    fn news(text: &str) -> Vec<String> {
        tok(TokenizerConfig::default(), text)
    }

    #[test]
    fn ascii_shortcut_gives_the_general_rules_spans() {
        let pieces = [
            "a",
            "Mali",
            "U",
            ".",
            "S",
            ",",
            "1",
            "500",
            "'",
            "’",
            "-",
            "%",
            ":",
            "/",
            "_",
            " ",
            "\n",
            "\u{a0}",
            "200",
            "é",
            "l",
            "s",
            "«",
            "—",
            "x".repeat(70).leak(),
            "2023",
            "e\u{301}",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for hyphens in [Hyphens::Split, Hyphens::Keep] {
            let cfg = TokenizerConfig {
                hyphens,
                ..TokenizerConfig::default()
            };
            for _ in 0..3000 {
                let n = (next() % 40) as usize;
                let text: String = (0..n)
                    .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                    .collect();
                let spans = |fast| {
                    let mut out = Vec::new();
                    scan_news_with(&text, &cfg, fast, |s| out.push((s.start, s.end, s.clitic)));
                    out
                };
                assert_eq!(spans(true), spans(false), "{text:?}");
            }
        }
    }

    #[test]
    fn ascii_join_table_follows_the_rules() {
        // The rules, as a `match`: apostrophes always; periods after a digit or a single
        // letter; `,:/%` after a digit; hyphens after a digit or when hyphens are kept.
        let rule = |next: u8, last_digit: bool, single: bool, hyphens: Hyphens| match next {
            b'\'' => true,
            b'.' => last_digit || single,
            b',' | b':' | b'/' | b'%' => last_digit,
            b'-' => last_digit || hyphens == Hyphens::Keep,
            _ => false,
        };
        for next in 0..=255u8 {
            for (last_digit, single) in [(false, false), (true, false), (false, true), (true, true)]
            {
                for hyphens in [Hyphens::Split, Hyphens::Keep] {
                    assert_eq!(
                        ascii_may_join(next, last_digit, single, hyphens),
                        rule(next, last_digit, single, hyphens),
                        "{next:#x} {last_digit} {single} {hyphens:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn french_elisions() {
        assert_eq!(
            news("l’ambassadeur d’Etat qu’il jusqu’à s’est aujourd’hui"),
            ["ambassadeur", "etat", "il", "à", "est", "aujourd'hui"]
        );
        let keep = TokenizerConfig {
            elisions: Elisions::Keep,
            ..Default::default()
        };
        assert_eq!(tok(keep, "l’ambassadeur"), ["l'", "ambassadeur"]);
        let off = TokenizerConfig {
            elisions: Elisions::Off,
            ..Default::default()
        };
        assert_eq!(tok(off, "l’ambassadeur"), ["l'ambassadeur"]);
        // Clitics and apostrophe words in any case; a long or accented prefix is no clitic.
        assert_eq!(
            news("L’Etat QU’il Aujourd’hui QUELQU’UN presqu'Île lorsqu’elle Jusqu’ici"),
            [
                "etat",
                "il",
                "aujourd'hui",
                "quelqu'un",
                "presqu'île",
                "elle",
                "ici"
            ]
        );
        assert_eq!(
            news("quelqu’une d'Lorsqu'on puisqu'à là’bas"),
            ["quelqu'une", "on", "à", "là'bas"]
        );
        assert_eq!(
            MAX_CLITIC_BYTES,
            CLITICS.iter().map(|c| c.len()).max().unwrap()
        );
    }

    #[test]
    fn english_possessives_and_contractions() {
        assert_eq!(
            news("Lavrov's visit, Goïta’s men"),
            ["lavrov", "visit", "goïta", "men"]
        );
        assert_eq!(news("don’t O'Brien"), ["don't", "o'brien"]);
        assert_eq!(news("the Russians' aid"), ["the", "russians", "aid"]);
    }

    #[test]
    fn numbers_stay_whole() {
        assert_eq!(
            news("between 1,500 and 2,000 men; 60.64% left on 2023-02-08."),
            [
                "between",
                "1,500",
                "and",
                "2,000",
                "men",
                "60.64%",
                "left",
                "on",
                "2023-02-08"
            ]
        );
    }

    #[test]
    fn punctuation_and_quotes() {
        assert_eq!(
            news("« Mali » — “give a new impetus”… ‘yes’"),
            ["mali", "give", "a", "new", "impetus", "yes"]
        );
    }

    #[test]
    fn hyphens_and_acronyms() {
        assert_eq!(
            news("Russo-Malian forty-eight"),
            ["russo", "malian", "forty", "eight"]
        );
        let keep = TokenizerConfig {
            hyphens: Hyphens::Keep,
            ..Default::default()
        };
        assert_eq!(tok(keep, "Russo-Malian ties"), ["russo-malian", "ties"]);
        assert_eq!(
            news("the U.S. and U.N. said"),
            ["the", "u.s.", "and", "u.n.", "said"]
        );
    }

    #[test]
    fn nfc_and_accents() {
        assert_eq!(news("E\u{301}lection"), ["élection"]);
        let strip = TokenizerConfig {
            strip_accents: Some(StripAccents::Unicode),
            ..Default::default()
        };
        assert_eq!(tok(strip, "Élection à Bamako"), ["election", "a", "bamako"]);
    }

    #[test]
    fn stop_words_and_stemming_follow_language() {
        let cfg = TokenizerConfig {
            stop_words: StopWords::Auto,
            stem: true,
            ..Default::default()
        };
        let t = Tokenizer::new(cfg).unwrap();
        assert_eq!(
            t.tokens("The ministers were visiting the capitals of the region"),
            ["minist", "visit", "capit", "region"]
        );
        assert_eq!(
            t.tokens("Les ministres ont visité les capitales de la région du Sahel"),
            ["ministr", "visit", "capital", "région", "sahel"]
        );
    }

    #[test]
    fn overlong_tokens_are_not_stemmed() {
        for (lang, word, stem) in [("es", "canciones", "cancion"), ("it", "canzoni", "canzon")] {
            let cfg = TokenizerConfig {
                lang: lang.into(),
                stem: true,
                ..Default::default()
            };
            let t = Tokenizer::new(cfg).unwrap();
            assert_eq!(t.tokens(word), [stem]);
            // Just under and just over the limit (letters with accents, which those
            // stemmers rewrite throughout the word).
            let pad = |n: usize| "é".repeat(n / 2) + &"a".repeat(n % 2) + word;
            let under = pad(STEM_MAX_BYTES - word.len());
            assert_eq!(under.len(), STEM_MAX_BYTES);
            assert_ne!(
                t.tokens(&under),
                [under.as_str()],
                "{lang}: stemmed up to the limit"
            );
            let over = pad(STEM_MAX_BYTES - word.len() + 2);
            assert_eq!(
                t.tokens(&over),
                [over.as_str()],
                "{lang}: not stemmed past it"
            );
        }
    }

    #[test]
    fn custom_stop_words_and_min_len() {
        let cfg = TokenizerConfig {
            stop_words: StopWords::Custom(vec!["Mali".into()]),
            min_len: 3,
            ..Default::default()
        };
        assert_eq!(
            tok(cfg, "In Mali, Lavrov met Diop"),
            ["lavrov", "met", "diop"]
        );
    }

    #[test]
    fn offsets_index_characters() {
        let text = "« L’ambassadeur de Goïta’s »";
        let t = Tokenizer::new(TokenizerConfig::default()).unwrap();
        let toks = t.tokens_with_offsets(text);
        let chars: Vec<char> = text.chars().collect();
        let surfaces: Vec<String> = toks
            .iter()
            .map(|t| chars[t.start..t.end].iter().collect())
            .collect();
        assert_eq!(surfaces, ["ambassadeur", "de", "Goïta"]);
    }

    #[test]
    fn sklearn_mode() {
        let cfg = TokenizerConfig {
            pattern: Pattern::Sklearn,
            ..Default::default()
        };
        let t = Tokenizer::new(cfg).unwrap();
        assert_eq!(
            t.tokens("L’ambassadeur, 1,500 men: a Lavrov's"),
            ["ambassadeur", "500", "men", "lavrov"]
        );
        let toks = t.tokens_with_offsets("İstanbul Élan");
        let chars: Vec<char> = "İstanbul Élan".chars().collect();
        for tk in &toks {
            let s: String = chars[tk.start..tk.end].iter().collect();
            assert_eq!(s.to_lowercase(), tk.text);
        }
    }

    #[test]
    fn batch_ids_match_single_calls() {
        // English and French documents in one chunk, so the same surface form ("la", "est",
        // "visit") meets different stop lists and stemmers.
        let texts: Vec<String> = (0..500)
            .map(|i| match i % 3 {
                0 => format!(
                    "Doc {i}: Lavrov’s visit to Bamako, the ambassador est {}",
                    i % 7
                ),
                1 => format!(
                    "La visite de Lavrov à Bamako : l’ambassadeur est là, {}",
                    i % 5
                ),
                _ => format!(
                    "SIGNS of the U.S. visit; la LA est EST Est {i} l'est AMBASSADORS \
                     Ambassador’s d’ÉTAT Ça Élysée"
                ),
            })
            .collect();
        let configs = [
            TokenizerConfig::default(),
            TokenizerConfig {
                stop_words: StopWords::Auto,
                stem: true,
                ..Default::default()
            },
            TokenizerConfig {
                elisions: Elisions::Keep,
                lowercase: false,
                stop_words: StopWords::Custom(vec!["Visit".into(), "est".into()]),
                ..Default::default()
            },
            TokenizerConfig {
                lowercase: false,
                ..Default::default()
            },
            TokenizerConfig {
                stop_words: StopWords::Auto,
                ..Default::default()
            },
            TokenizerConfig {
                stop_words: StopWords::Lang("fr".into()),
                lowercase: false,
                ..Default::default()
            },
            TokenizerConfig {
                min_len: 3,
                ..Default::default()
            },
            TokenizerConfig {
                strip_accents: Some(StripAccents::Ascii),
                elisions: Elisions::Keep,
                ..Default::default()
            },
            TokenizerConfig {
                pattern: Pattern::Sklearn,
                ..Default::default()
            },
        ];
        for cfg in configs {
            let t = Tokenizer::new(cfg).unwrap();
            let (table, ids) =
                crate::parallel::install(Some(3), || t.tokenize_ids(&texts)).unwrap();
            assert_eq!(ids.len(), texts.len());
            for (text, doc) in texts.iter().zip(ids.docs()) {
                let got: Vec<&str> = doc.iter().map(|&i| table.term(i)).collect();
                assert_eq!(got, t.tokens(text), "{:?}", t.config());
            }
            let distinct: rustc_hash::FxHashSet<&str> = table.terms().collect();
            assert_eq!(distinct.len(), table.len());
            // With work alongside the merge: the same result, and the strings handed to it are
            // the merged table's: first the first part's (a proper prefix here, as three
            // threads make more than one part), then the rest.
            let (table2, ids2, (first, rest)) = crate::parallel::install(Some(3), || {
                t.tokenize_ids_with(&texts, |terms| {
                    terms.iter().map(str::to_string).collect::<Vec<_>>()
                })
            })
            .unwrap();
            assert_eq!(ids2, ids);
            assert!(table2.terms().eq(table.terms()));
            assert!(!first.is_empty() && !rest.is_empty());
            assert!(first
                .iter()
                .chain(&rest)
                .map(String::as_str)
                .eq(table.terms()));
        }
        // No texts: nothing to hand over.
        let t = Tokenizer::new(TokenizerConfig::default()).unwrap();
        let (table, ids, made) = t.tokenize_ids_with(&[] as &[&str], |terms| terms.iter().len());
        assert_eq!((table.len(), ids.len(), made), (0, 0, (0, 0)));
    }

    #[test]
    fn bad_config() {
        let e = Tokenizer::new(TokenizerConfig {
            lang: "zz".into(),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.to_string().starts_with("lang:"));
        let e = Tokenizer::new(TokenizerConfig {
            stop_words: StopWords::Lang("zz".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert!(e.to_string().starts_with("stop_words:"));
    }

    #[test]
    fn empty_and_pathological_inputs() {
        assert!(news("").is_empty());
        assert!(news("''''----....").is_empty());
        // Long runs of joiners and apostrophes stay linear and do not panic.
        let long = "a'".repeat(100_000);
        assert_eq!(news(&long).len(), 1);
        let digits = "1,".repeat(100_000);
        assert_eq!(news(&digits).len(), 1);
    }
}
