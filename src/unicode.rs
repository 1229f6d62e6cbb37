//! Character classes shared by the tokenizers and analyzers.

use std::borrow::Cow;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::scan::WordRuns;

/// sklearn's `strip_accents_unicode`: NFKD, then drop every character with a non-zero
/// canonical combining class. ASCII text is returned as is.
pub fn strip_accents_unicode(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.nfkd()
            .filter(|&c| canonical_combining_class(c) == 0)
            .collect(),
    )
}

/// sklearn's `strip_accents_ascii`: NFKD, then keep only ASCII characters.
pub fn strip_accents_ascii(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.nfkd().filter(char::is_ascii).collect())
}

/// NFC form of `s`, borrowed when `s` is already NFC (the common case).
pub fn nfc(s: &str) -> Cow<'_, str> {
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.nfc().collect())
    }
}

/// Lower-case `s` like Python's `str.lower()` (full Unicode mapping, final sigma),
/// borrowed when nothing changes.
pub fn lower(s: &str) -> Cow<'_, str> {
    for (i, &b) in s.as_bytes().iter().enumerate() {
        if b.is_ascii_uppercase() {
            return Cow::Owned(s.to_lowercase());
        }
        if b >= 0x80 {
            return if s[i..].chars().any(changes_when_lowercased) {
                Cow::Owned(s.to_lowercase())
            } else {
                Cow::Borrowed(s)
            };
        }
    }
    Cow::Borrowed(s)
}

/// `s` lower-cased (ASCII letters only) into `buf`, which is reused from token to token.
#[inline]
pub fn ascii_lower_into<'b>(s: &str, buf: &'b mut String) -> &'b str {
    buf.clear();
    buf.push_str(s);
    buf.make_ascii_lowercase();
    buf
}

fn changes_when_lowercased(c: char) -> bool {
    let mut l = c.to_lowercase();
    !(l.next() == Some(c) && l.next().is_none())
}

/// Python's `re` `\w` for `str` patterns: `str.isalnum()` or `_`, i.e. a letter (general category
/// L*), or a character with a numeric value (N*). Rust's `char::is_alphanumeric` differs: it also
/// accepts `Other_Alphabetic` marks and symbols (Devanagari vowel signs, circled letters).
#[inline]
pub fn is_python_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    matches!(
        c.general_category(),
        GeneralCategory::UppercaseLetter
            | GeneralCategory::LowercaseLetter
            | GeneralCategory::TitlecaseLetter
            | GeneralCategory::ModifierLetter
            | GeneralCategory::OtherLetter
            | GeneralCategory::DecimalNumber
            | GeneralCategory::LetterNumber
            | GeneralCategory::OtherNumber
    )
}

/// Python word characters among ASCII bytes: `[0-9A-Za-z_]`.
const ASCII_WORD: [bool; 128] = {
    let mut t = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    t
};

/// Whether the character starting at byte `pos` is a Python word character, and its length.
#[inline]
fn word_char_at(text: &str, pos: usize) -> (bool, usize) {
    let b = text.as_bytes()[pos];
    if b < 128 {
        return (ASCII_WORD[b as usize], 1);
    }
    match text.get(pos..).and_then(|s| s.chars().next()) {
        Some(c) => (is_python_word_char(c), c.len_utf8()),
        None => (false, 1),
    }
}

/// Byte spans of sklearn's default token pattern `(?u)\b\w\w+\b`: maximal runs of Python word
/// characters that are at least two characters long.
pub fn sklearn_word_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    sklearn_words(text).map(|w| (w.start, w.end))
}

/// A token of sklearn's default pattern: its byte span and, when the block scanner saw it
/// whole as ASCII, whether it has a capital (`None`: split character by character).
#[derive(Clone, Copy, Debug)]
pub struct SklearnWord {
    pub start: usize,
    pub end: usize,
    pub ascii_upper: Option<bool>,
}

/// The tokens of sklearn's default pattern (see [`sklearn_word_spans`]).
pub fn sklearn_words(text: &str) -> SklearnWords<'_> {
    SklearnWords {
        text,
        runs: WordRuns::new(text.as_bytes(), true),
        pos: 0,
        slow_end: 0,
    }
}

/// Iterator of [`sklearn_words`]: ASCII runs come whole from the block scanner; a run with
/// non-ASCII bytes is split character by character.
pub struct SklearnWords<'a> {
    text: &'a str,
    runs: WordRuns<'a>,
    pos: usize,
    /// End of the run being split character by character (`pos < slow_end` while splitting).
    slow_end: usize,
}

impl Iterator for SklearnWords<'_> {
    type Item = SklearnWord;

    #[inline]
    fn next(&mut self) -> Option<SklearnWord> {
        loop {
            if self.pos < self.slow_end {
                match word_run_in(self.text, &mut self.pos, self.slow_end) {
                    Some((start, end)) => {
                        return Some(SklearnWord {
                            start,
                            end,
                            ascii_upper: None,
                        })
                    }
                    None => continue,
                }
            }
            let run = self.runs.next_run(self.pos)?;
            if run.ascii {
                self.pos = run.end;
                if run.end - run.start >= 2 {
                    return Some(SklearnWord {
                        start: run.start,
                        end: run.end,
                        ascii_upper: Some(run.upper),
                    });
                }
            } else {
                self.pos = run.start;
                self.slow_end = run.end;
            }
        }
    }
}

/// The next run of at least two Python word characters in `text[*pos..end]`, character by
/// character; `*pos` moves past it (to `end` when there is none).
fn word_run_in(text: &str, pos: &mut usize, end: usize) -> Option<(usize, usize)> {
    loop {
        let start = loop {
            if *pos >= end {
                return None;
            }
            let (word, n) = word_char_at(text, *pos);
            if word {
                break *pos;
            }
            *pos += n;
        };
        let mut chars = 0;
        while *pos < end {
            let (word, n) = word_char_at(text, *pos);
            if !word {
                break;
            }
            *pos += n;
            chars += 1;
        }
        if chars >= 2 {
            return Some((start, *pos));
        }
    }
}

/// sklearn's default tokens of `text` after its preprocessing with `lowercase` (Python's
/// `str.lower()`) and no accent stripping: `f(token, start, end)`, the span in `text` (in the
/// lower-cased text when it contains a capital sigma, whose lower case depends on context).
///
/// Lower-casing maps word characters to word characters and others to others, so splitting
/// first and lower-casing each token gives sklearn's tokens without copying the text; a token
/// whose lower case is not one run is split again.
pub fn for_each_sklearn_token<F>(text: &str, lowercase: bool, buf: &mut String, mut f: F)
where
    F: FnMut(&str, usize, usize),
{
    if lowercase && text.contains('Σ') {
        let low = lower(text);
        for (s, e) in sklearn_word_spans(&low) {
            f(&low[s..e], s, e);
        }
        return;
    }
    for w in sklearn_words(text) {
        let (s, e) = (w.start, w.end);
        let raw = &text[s..e];
        match (lowercase, w.ascii_upper) {
            (false, _) | (true, Some(false)) => f(raw, s, e),
            (true, Some(true)) => f(ascii_lower_into(raw, buf), s, e),
            (true, None) => match lower(raw) {
                Cow::Borrowed(t) => f(t, s, e),
                Cow::Owned(t) => {
                    for (x, y) in sklearn_word_spans(&t) {
                        f(&t[x..y], s, e);
                    }
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(t: &str) -> Vec<&str> {
        sklearn_word_spans(t).map(|(a, b)| &t[a..b]).collect()
    }

    #[test]
    fn sklearn_pattern_runs() {
        assert_eq!(
            words("a bc d_e 1,500 élection"),
            ["bc", "d_e", "500", "élection"]
        );
        assert_eq!(words(""), Vec::<&str>::new());
        assert_eq!(words("x"), Vec::<&str>::new());
        assert_eq!(words("l’ambassadeur"), ["ambassadeur"]);
        // A combining accent (NFD) is not a word character for Python's re.
        assert_eq!(words("e\u{301}lection"), ["lection"]);
    }

    #[test]
    fn accents_like_sklearn() {
        assert_eq!(
            strip_accents_unicode("Élection à Goïta"),
            "Election a Goita"
        );
        assert_eq!(strip_accents_ascii("ﬁancé – Ω"), "fiance  ");
        assert_eq!(strip_accents_unicode("plain"), "plain");
        assert_eq!(nfc("e\u{301}lection"), "élection");
        assert!(matches!(nfc("élection"), Cow::Borrowed(_)));
        assert_eq!(lower("ΟΔΟΣ Ⅻ İ"), "οδος ⅻ i\u{307}");
        assert!(matches!(lower("already lower é"), Cow::Borrowed(_)));
    }

    #[test]
    fn python_word_char_classes() {
        assert!(is_python_word_char('é'));
        assert!(is_python_word_char('½'));
        assert!(!is_python_word_char('\u{93e}')); // Devanagari vowel sign AA (Mc)
        assert!(!is_python_word_char('Ⓐ'));
        assert!(!is_python_word_char('’'));
    }
}
