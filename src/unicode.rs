//! Character classes shared by the tokenizers and analyzers.

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

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
    fn python_word_char_classes() {
        assert!(is_python_word_char('é'));
        assert!(is_python_word_char('½'));
        assert!(!is_python_word_char('\u{93e}')); // Devanagari vowel sign AA (Mc)
        assert!(!is_python_word_char('Ⓐ'));
        assert!(!is_python_word_char('’'));
    }
}
