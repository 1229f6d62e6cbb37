//! Text analysis exactly as scikit-learn's vectorizers do it: preprocessing (lowercase, accent
//! stripping), word tokens from `token_pattern`, stop words, word n-grams, and the `char` /
//! `char_wb` character n-grams. Terms are handed to a callback as `&str` borrowed from a
//! per-thread scratch buffer, so analysing a document allocates no string per term.

use std::borrow::Cow;
use std::sync::Arc;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::interner::{Interner, Key};
use crate::unicode::{
    for_each_sklearn_key, for_each_sklearn_token, lower, sklearn_word_spans, strip_accents_ascii,
    strip_accents_unicode,
};

/// sklearn's default `token_pattern`.
pub const DEFAULT_TOKEN_PATTERN: &str = r"(?u)\b\w\w+\b";

/// Which units become terms (sklearn's `analyzer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnalyzerKind {
    /// Word n-grams from `token_pattern` (or the tokenizer).
    Word,
    /// Character n-grams over the whole (whitespace-normalised) text.
    Char,
    /// Character n-grams inside words, padded with one space on each side.
    CharWb,
}

/// sklearn's `strip_accents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StripAccents {
    /// NFKD, then drop every character that is not ASCII.
    Ascii,
    /// NFKD, then drop every combining character (canonical combining class != 0).
    Unicode,
}

/// The `stop_words` parameter: a list name or the user's own list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StopWordsSpec {
    /// `"english"` (sklearn's list, supplied by the caller), `"en"`, `"fr"` or `"auto"`.
    Named(String),
    /// The user's own words.
    List(Vec<String>),
}

/// Analysis parameters, stored in a fitted vectorizer's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalyzerConfig {
    /// Word or character analysis.
    pub analyzer: AnalyzerKind,
    /// Lowercase before tokenizing.
    pub lowercase: bool,
    /// Accent stripping, if any.
    pub strip_accents: Option<StripAccents>,
    /// Regular expression whose matches (or single capture group) are the tokens.
    pub token_pattern: Option<String>,
    /// Smallest and largest n of the n-grams.
    pub ngram_range: (usize, usize),
    /// Stop words removed before word n-grams are formed (word analyzer only).
    pub stop_words: Option<StopWordsSpec>,
}

impl Default for AnalyzerConfig {
    fn default() -> Self {
        AnalyzerConfig {
            analyzer: AnalyzerKind::Word,
            lowercase: true,
            strip_accents: None,
            token_pattern: Some(DEFAULT_TOKEN_PATTERN.to_string()),
            ngram_range: (1, 1),
            stop_words: None,
        }
    }
}

/// A source of final word tokens that replaces preprocessing and `token_pattern`
/// (wirenlp's language-aware tokenizer).
pub trait TokenSource: Send + Sync {
    /// The tokens of one text.
    fn tokens(&self, text: &str) -> Vec<String>;
}

impl TokenSource for crate::tokenize::Tokenizer {
    fn tokens(&self, text: &str) -> Vec<String> {
        crate::tokenize::Tokenizer::tokens(self, text)
    }
}

enum Pattern {
    /// `(?u)\b\w\w+\b`, scanned by hand with Python's `\w`.
    Default,
    /// Any other pattern; `group` = it has one capture group, whose text is the token.
    Regex { re: Regex, group: bool },
}

enum Stop {
    None,
    Set(Interner),
    /// Per document: the English or French list by detected language.
    Auto {
        en: Interner,
        fr: Interner,
    },
}

/// A ready-to-run analyzer built from an [`AnalyzerConfig`].
pub struct Analyzer {
    config: AnalyzerConfig,
    pattern: Pattern,
    stop: Stop,
    tokenizer: Option<Arc<dyn TokenSource>>,
}

/// Reusable buffers of one worker thread.
#[derive(Default)]
pub struct Scratch {
    text: String,
    gram: String,
    bounds: Vec<usize>,
}

fn builtin_stop_list(code: &str) -> Interner {
    stop_words::lookup(code)
        .unwrap_or_default()
        .iter()
        .collect()
}

/// `pattern` with the class escapes of Python's `re` on `str` rewritten for the `regex` crate,
/// whose classes differ: Python's `\s` also holds the separators U+001C..U+001F, and its `\w`
/// is letters, numbers and `_` (the `regex` crate's also holds marks and connector
/// punctuation). `\s \S \w \W` are rewritten outside and inside brackets; every other
/// escape is kept as written.
fn python_classes(pattern: &str) -> String {
    const SPACE: &str = r"\s\x1C-\x1F";
    const WORD: &str = r"\p{L}\p{N}_";
    let mut out = String::with_capacity(pattern.len() + 16);
    // Depth of nested brackets (the `regex` crate nests classes; Python does not, but a
    // rewritten pattern is only ever given to the `regex` crate).
    let mut depth = 0usize;
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(k @ ('s' | 'S' | 'w' | 'W')) => {
                    let set = if k.eq_ignore_ascii_case(&'s') {
                        SPACE
                    } else {
                        WORD
                    };
                    match (k.is_ascii_lowercase(), depth > 0) {
                        (true, true) => out.push_str(set),
                        (true, false) => out.push_str(&format!("[{set}]")),
                        (false, _) => out.push_str(&format!("[^{set}]")),
                    }
                }
                Some(k) => {
                    out.push('\\');
                    out.push(k);
                }
                None => out.push('\\'),
            },
            '[' => {
                out.push('[');
                depth += 1;
                // A `]` right after `[` or `[^` is a literal in both syntaxes.
                let rest = chars.as_str();
                let skip = if rest.starts_with("^]") {
                    2
                } else {
                    usize::from(rest.starts_with(']'))
                };
                out.push_str(&rest[..skip]);
                chars = rest[skip..].chars();
            }
            ']' if depth > 0 => {
                out.push(']');
                depth -= 1;
            }
            _ => out.push(c),
        }
    }
    out
}

impl Analyzer {
    /// Validate `config` and build the analyzer. `english` is sklearn's `ENGLISH_STOP_WORDS`,
    /// needed only when `stop_words` is `"english"` (the caller takes it from sklearn itself).
    pub fn new(
        config: AnalyzerConfig,
        english: Option<Vec<String>>,
        tokenizer: Option<Arc<dyn TokenSource>>,
    ) -> Result<Analyzer> {
        let (lo, hi) = config.ngram_range;
        if lo < 1 || lo > hi {
            return Err(Error::param(
                "ngram_range",
                format!("expected (min_n, max_n) with 1 <= min_n <= max_n, got ({lo}, {hi})"),
            ));
        }
        let pattern = match config.token_pattern.as_deref() {
            None => Pattern::Default,
            Some(p) if p == DEFAULT_TOKEN_PATTERN || p == r"\b\w\w+\b" => Pattern::Default,
            Some(p) => {
                let re = Regex::new(&python_classes(p)).map_err(|e| {
                    Error::param("token_pattern", format!("cannot compile {p:?}: {e}"))
                })?;
                let groups = re.captures_len() - 1;
                if groups > 1 {
                    return Err(Error::param(
                        "token_pattern",
                        "more than 1 capturing group; only a single group should be captured",
                    ));
                }
                Pattern::Regex {
                    re,
                    group: groups == 1,
                }
            }
        };
        let stop = match &config.stop_words {
            None => Stop::None,
            Some(StopWordsSpec::List(words)) => Stop::Set(words.iter().cloned().collect()),
            Some(StopWordsSpec::Named(name)) => match name.as_str() {
                "english" => Stop::Set(
                    english
                        .ok_or_else(|| {
                            Error::param(
                                "stop_words",
                                "'english' is scikit-learn's list: install scikit-learn, or use 'en'",
                            )
                        })?
                        .into_iter()
                        .collect(),
                ),
                "en" | "fr" => Stop::Set(builtin_stop_list(name)),
                "auto" => Stop::Auto {
                    en: builtin_stop_list("en"),
                    fr: builtin_stop_list("fr"),
                },
                other => {
                    return Err(Error::param(
                        "stop_words",
                        format!(
                            "not a built-in stop list: {other:?} (use 'english', 'en', 'fr', \
                             'auto', a list of words or None)"
                        ),
                    ))
                }
            },
        };
        Ok(Analyzer {
            config,
            pattern,
            stop,
            tokenizer,
        })
    }

    /// The configuration this analyzer was built from.
    pub fn config(&self) -> &AnalyzerConfig {
        &self.config
    }

    /// Lowercasing and accent stripping, as sklearn's preprocessor.
    pub fn preprocess<'a>(&self, doc: &'a str) -> Cow<'a, str> {
        let text = if self.config.lowercase {
            lower(doc)
        } else {
            Cow::Borrowed(doc)
        };
        let stripped = match self.config.strip_accents {
            None => return text,
            Some(StripAccents::Unicode) => strip_accents_unicode(&text),
            Some(StripAccents::Ascii) => strip_accents_ascii(&text),
        };
        match stripped {
            Cow::Borrowed(_) => text,
            Cow::Owned(s) => Cow::Owned(s),
        }
    }

    /// Whether terms are word n-grams (as opposed to character n-grams).
    pub fn is_word(&self) -> bool {
        self.config.analyzer == AnalyzerKind::Word
    }

    /// The stop words that apply to `doc`, if any.
    fn stop_words_for(&self, doc: &str) -> Option<&Interner> {
        match &self.stop {
            Stop::None => None,
            Stop::Set(s) => Some(s),
            Stop::Auto { en, fr } => match whatlang::detect_lang(doc) {
                Some(whatlang::Lang::Eng) => Some(en),
                Some(whatlang::Lang::Fra) => Some(fr),
                _ => None,
            },
        }
    }

    /// Call `f` with each word token of `doc` after stop-word removal, in order: the units
    /// that word n-grams are made of. Meaningful for the word analyzer only. `buf` is scratch
    /// space for lower-cased tokens.
    pub fn for_each_word_token(&self, doc: &str, buf: &mut String, mut f: impl FnMut(&str)) {
        let stop = self.stop_words_for(doc);
        let mut keep = |t: &str| {
            if !stop.is_some_and(|s| s.contains(t)) {
                f(t)
            }
        };
        if let Some(tok) = &self.tokenizer {
            tok.tokens(doc).iter().for_each(|t| keep(t));
            return;
        }
        match &self.pattern {
            // The common case: scanned without copying the text.
            Pattern::Default if self.config.strip_accents.is_none() => {
                for_each_sklearn_token(doc, self.config.lowercase, buf, |t, _, _| keep(t))
            }
            Pattern::Default => {
                let text = self.preprocess(doc);
                sklearn_word_spans(&text).for_each(|(a, b)| keep(&text[a..b]))
            }
            Pattern::Regex { re, group: false } => {
                let text = self.preprocess(doc);
                re.find_iter(&text).for_each(|m| keep(m.as_str()))
            }
            Pattern::Regex { re, group: true } => {
                let text = self.preprocess(doc);
                re.captures_iter(&text)
                    .for_each(|c| keep(c.get(1).map_or("", |m| m.as_str())))
            }
        }
    }

    /// [`for_each_word_token`](Self::for_each_word_token) for callers that only intern or look
    /// the tokens up: sklearn's default pattern then hands out keys made without copying.
    pub fn for_each_word_key(&self, doc: &str, buf: &mut String, mut f: impl FnMut(&Key<'_>)) {
        let default = matches!(self.pattern, Pattern::Default);
        if !default || self.tokenizer.is_some() || self.config.strip_accents.is_some() {
            return self.for_each_word_token(doc, buf, |t| f(&Key::new(t)));
        }
        let stop = self.stop_words_for(doc);
        for_each_sklearn_key(
            doc,
            self.config.lowercase,
            buf,
            #[inline(always)]
            |k| {
                if !stop.is_some_and(|s| s.contains_key(k)) {
                    f(k)
                }
            },
        )
    }

    /// Call `emit` with every term of `doc`, in sklearn's order.
    pub fn analyze<F: FnMut(&str)>(&self, doc: &str, scratch: &mut Scratch, mut emit: F) {
        match self.config.analyzer {
            AnalyzerKind::Word => {
                let (lo, hi) = self.config.ngram_range;
                if (lo, hi) == (1, 1) {
                    return self.for_each_word_token(doc, &mut scratch.gram, emit);
                }
                // The tokens, back to back in `text` with their ends in `bounds`.
                let (text, ends) = (&mut scratch.text, &mut scratch.bounds);
                text.clear();
                ends.clear();
                self.for_each_word_token(doc, &mut scratch.gram, |t| {
                    text.push_str(t);
                    ends.push(text.len());
                });
                let spans: Vec<(usize, usize)> = ends
                    .iter()
                    .scan(0, |start, &end| Some((std::mem::replace(start, end), end)))
                    .collect();
                let gram = &mut scratch.gram;
                for_each_ngram(&spans, lo, hi, |window| {
                    if let [(a, b)] = window {
                        emit(&text[*a..*b]);
                        return;
                    }
                    gram.clear();
                    for (i, (a, b)) in window.iter().enumerate() {
                        if i > 0 {
                            gram.push(' ');
                        }
                        gram.push_str(&text[*a..*b]);
                    }
                    emit(gram);
                });
            }
            AnalyzerKind::Char => {
                let text = self.preprocess(doc);
                normalize_whitespace(&text, &mut scratch.text);
                char_ngrams(
                    &scratch.text,
                    self.config.ngram_range,
                    &mut scratch.bounds,
                    emit,
                );
            }
            AnalyzerKind::CharWb => {
                let text = self.preprocess(doc);
                let (lo, hi) = self.config.ngram_range;
                for word in text.split(is_python_space).filter(|w| !w.is_empty()) {
                    scratch.text.clear();
                    scratch.text.push(' ');
                    scratch.text.push_str(word);
                    scratch.text.push(' ');
                    char_wb_ngrams(&scratch.text, lo, hi, &mut scratch.bounds, &mut emit);
                }
            }
        }
    }
}

/// sklearn's `_word_ngrams` order: all n-grams of the smallest n first, each as the window
/// of tokens it spans (joined by one space to make the term).
pub fn for_each_ngram<T>(tokens: &[T], lo: usize, hi: usize, mut f: impl FnMut(&[T])) {
    for n in lo..=hi.min(tokens.len()) {
        tokens.windows(n).for_each(&mut f);
    }
}

/// Python's `str.isspace()` (and `\s` of `re`): Unicode White_Space plus the four
/// information separators U+001C..U+001F.
#[inline]
pub fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// sklearn's `re.sub(r"\s\s+", " ", text)`: runs of two or more whitespace characters become
/// one space; a single whitespace character is kept as it is.
fn normalize_whitespace(text: &str, out: &mut String) {
    out.clear();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_python_space(c) && chars.peek().is_some_and(|&d| is_python_space(d)) {
            while chars.peek().is_some_and(|&d| is_python_space(d)) {
                chars.next();
            }
            out.push(' ');
        } else {
            out.push(c);
        }
    }
}

/// Byte offsets of every character start of `text`, plus `text.len()`.
fn char_bounds(text: &str, bounds: &mut Vec<usize>) {
    bounds.clear();
    bounds.extend(text.char_indices().map(|(i, _)| i));
    bounds.push(text.len());
}

/// sklearn's `_char_ngrams`: every substring of n characters, n in the range.
fn char_ngrams<F: FnMut(&str)>(
    text: &str,
    (lo, hi): (usize, usize),
    bounds: &mut Vec<usize>,
    mut emit: F,
) {
    char_bounds(text, bounds);
    let len = bounds.len() - 1;
    for n in lo..=hi.min(len) {
        for i in 0..=len - n {
            emit(&text[bounds[i]..bounds[i + n]]);
        }
    }
}

/// sklearn's `_char_wb_ngrams` for one padded word `" w "`: a word shorter than n gives
/// itself once and stops the larger n.
fn char_wb_ngrams<F: FnMut(&str)>(
    padded: &str,
    lo: usize,
    hi: usize,
    bounds: &mut Vec<usize>,
    emit: &mut F,
) {
    char_bounds(padded, bounds);
    let len = bounds.len() - 1;
    let slice = |a: usize, b: usize| &padded[bounds[a]..bounds[b.min(len)]];
    for n in lo..=hi {
        let mut offset = 0;
        emit(slice(0, n));
        while offset + n < len {
            offset += 1;
            emit(slice(offset, offset + n));
        }
        if offset == 0 {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(config: AnalyzerConfig, doc: &str) -> Vec<String> {
        let a = Analyzer::new(config, None, None).unwrap();
        let mut out = Vec::new();
        a.analyze(doc, &mut Scratch::default(), |t| out.push(t.to_string()));
        out
    }

    fn word(ngram_range: (usize, usize)) -> AnalyzerConfig {
        AnalyzerConfig {
            ngram_range,
            ..AnalyzerConfig::default()
        }
    }

    #[test]
    fn word_unigrams_and_bigrams_in_sklearn_order() {
        assert_eq!(
            terms(word((1, 1)), "The cat, the HAT"),
            ["the", "cat", "the", "hat"]
        );
        assert_eq!(
            terms(word((1, 2)), "a bb cc dd"),
            ["bb", "cc", "dd", "bb cc", "cc dd"]
        );
        assert_eq!(terms(word((2, 3)), "bb cc"), ["bb cc"]);
        assert!(terms(word((3, 3)), "bb cc").is_empty());
    }

    #[test]
    fn stop_words_removed_before_ngrams() {
        let c = AnalyzerConfig {
            stop_words: Some(StopWordsSpec::List(vec!["the".into()])),
            ngram_range: (1, 2),
            ..AnalyzerConfig::default()
        };
        assert_eq!(terms(c, "the cat the hat"), ["cat", "hat", "cat hat"]);
    }

    #[test]
    fn builtin_and_unknown_stop_lists() {
        let c = |s: &str| AnalyzerConfig {
            stop_words: Some(StopWordsSpec::Named(s.into())),
            ..AnalyzerConfig::default()
        };
        assert_eq!(terms(c("fr"), "le chat est noir"), ["chat", "noir"]);
        assert!(Analyzer::new(c("english"), None, None).is_err());
        let e = Analyzer::new(c("klingon"), None, None).err().unwrap();
        assert!(e.to_string().starts_with("stop_words:"));
    }

    #[test]
    fn strip_accents_modes() {
        let c = |s| AnalyzerConfig {
            strip_accents: Some(s),
            ..AnalyzerConfig::default()
        };
        assert_eq!(
            terms(c(StripAccents::Unicode), "Élection œuf"),
            ["election", "œuf"]
        );
        assert_eq!(
            terms(c(StripAccents::Ascii), "Élection œuf"),
            ["election", "uf"]
        );
    }

    #[test]
    fn custom_patterns_and_groups() {
        let c = |p: &str| AnalyzerConfig {
            token_pattern: Some(p.into()),
            ..AnalyzerConfig::default()
        };
        assert_eq!(terms(c(r"\S+"), "a b-c"), ["a", "b-c"]);
        assert_eq!(terms(c(r"x(\d)"), "x1 x2"), ["1", "2"]);
        let e = Analyzer::new(c(r"(a)(b)"), None, None).err().unwrap();
        assert!(e.to_string().starts_with("token_pattern:"));
        let e = Analyzer::new(c(r"(?<=a)b"), None, None).err().unwrap();
        assert!(e.to_string().starts_with("token_pattern:"));
    }

    #[test]
    fn custom_patterns_use_python_classes() {
        let c = |p: &str| AnalyzerConfig {
            token_pattern: Some(p.into()),
            lowercase: false,
            ..AnalyzerConfig::default()
        };
        // U+001F is a space for Python; U+0301 (a mark) and U+203F (connector punctuation)
        // are not word characters for Python.
        assert_eq!(terms(c(r"\S+"), "a\u{1f}b c"), ["a", "b", "c"]);
        assert_eq!(terms(c(r"[^\s,]+"), "a\u{1f}b,c"), ["a", "b", "c"]);
        assert_eq!(terms(c(r"[\s]+"), "a\u{1f} b"), ["\u{1f} "]);
        assert_eq!(
            terms(c(r"\w+"), "e\u{301}t\u{203f}é_1½"),
            ["e", "t", "é_1½"]
        );
        assert_eq!(terms(c(r"[\W]+"), "a\u{301}\u{203f}b"), ["\u{301}\u{203f}"]);
        assert_eq!(terms(c(r"[\S]+"), "a\u{1f}b"), ["a", "b"]);
        // Other escapes, escaped backslashes and literal brackets are kept.
        assert_eq!(terms(c(r"\\s|[]s]\d"), r"\s ]1 s2"), [r"\s", "]1", "s2"]);
        assert_eq!(terms(c(r"[^]a]+"), "xa]y"), ["x", "y"]);
        assert_eq!(python_classes(r"\bx\.\w"), r"\bx\.[\p{L}\p{N}_]");
    }

    #[test]
    fn char_ngrams_normalise_whitespace_runs_only() {
        let c = AnalyzerConfig {
            analyzer: AnalyzerKind::Char,
            ngram_range: (2, 2),
            ..AnalyzerConfig::default()
        };
        assert_eq!(terms(c.clone(), "a  b\nc"), ["a ", " b", "b\n", "\nc"]);
        assert_eq!(terms(c, "é"), Vec::<String>::new());
    }

    #[test]
    fn char_wb_pads_words_and_counts_short_words_once() {
        let c = AnalyzerConfig {
            analyzer: AnalyzerKind::CharWb,
            ngram_range: (3, 4),
            ..AnalyzerConfig::default()
        };
        assert_eq!(terms(c.clone(), "ab"), [" ab", "ab ", " ab "]);
        assert_eq!(terms(c, "a"), [" a "]);
    }

    #[test]
    fn bad_ngram_range() {
        assert!(Analyzer::new(word((2, 1)), None, None).is_err());
        assert!(Analyzer::new(word((0, 1)), None, None).is_err());
    }

    #[test]
    fn python_space_includes_separators() {
        assert!(is_python_space('\u{1f}'));
        assert!(is_python_space('\u{a0}'));
        assert!(!is_python_space('\u{200b}'));
    }
}
