//! Character classes shared by the tokenizers and analyzers.

use std::borrow::Cow;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

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
    if s.is_ascii() {
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(s.to_ascii_lowercase())
        } else {
            Cow::Borrowed(s)
        }
    } else if s.chars().any(changes_when_lowercased) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
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

/// Byte spans of sklearn's default token pattern `(?u)\b\w\w+\b`: maximal runs of Python word
/// characters that are at least two characters long.
pub fn sklearn_word_spans(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || loop {
        // Skip to the next word character.
        let (start, _) = loop {
            let (i, c) = chars.next()?;
            if is_python_word_char(c) {
                break (i, c);
            }
        };
        let mut n = 1;
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if !is_python_word_char(c) {
                end = i;
                break;
            }
            n += 1;
            chars.next();
        }
        if n >= 2 {
            return Some((start, end));
        }
    })
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
