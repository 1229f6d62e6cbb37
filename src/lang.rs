//! Language detection with whatlang, reported as ISO 639-1 codes.

use std::sync::OnceLock;

use whatlang::{Detector, Lang};

use crate::error::{Error, Result};
use crate::interner::Interner;
use crate::unicode::ascii_key;

/// Texts with fewer letters than this get no language: whatlang's guess on a handful of
/// letters is noise.
pub const MIN_LETTERS: usize = 8;

/// Detection reads at most this many bytes from the start of a text: a few thousand
/// characters decide the language, and a 50 MB document must not cost 50 MB of trigrams.
pub const SAMPLE_BYTES: usize = 4096;

/// One detection result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// ISO 639-1 code where one exists, else ISO 639-3 (whatlang's code).
    pub code: &'static str,
    /// whatlang's confidence in [0, 1].
    pub confidence: f64,
    /// whatlang's reliability verdict.
    pub reliable: bool,
}

/// A detector, optionally restricted to an allowlist of languages.
#[derive(Debug, Clone, Default)]
pub struct LanguageDetector {
    detector: Detector,
}

impl LanguageDetector {
    /// A detector limited to `codes` (ISO 639-1 or 639-3); unknown codes are an error naming
    /// `allowlist`.
    pub fn with_allowlist<S: AsRef<str>>(codes: &[S]) -> Result<Self> {
        if codes.is_empty() {
            return Err(Error::param("allowlist", "must name at least one language"));
        }
        let langs = codes
            .iter()
            .map(|c| {
                lang_from_code(c.as_ref()).ok_or_else(|| {
                    Error::param(
                        "allowlist",
                        format!("unknown or unsupported language code {:?}", c.as_ref()),
                    )
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(LanguageDetector {
            detector: Detector::with_allowlist(langs),
        })
    }

    /// The language to apply language rules with: stop-word evidence when decisive (and the
    /// detector has no allowlist), else whatlang; `None` when neither knows.
    pub fn language_hint(&self, text: &str) -> Option<&'static str> {
        guess_by_stop_words(text).or_else(|| self.detect(text).map(|d| d.code))
    }

    /// Detect the language of `text`; `None` for empty or too-short text.
    pub fn detect(&self, text: &str) -> Option<Detection> {
        let sample = prefix(text, SAMPLE_BYTES);
        if sample
            .chars()
            .filter(|c| c.is_alphabetic())
            .take(MIN_LETTERS)
            .count()
            < MIN_LETTERS
        {
            return None;
        }
        let info = self.detector.detect(sample)?;
        Some(Detection {
            code: iso639_1(info.lang()),
            confidence: info.confidence(),
            reliable: info.is_reliable(),
        })
    }
}

/// Languages a stop-word guess can name: those with an NLTK stop-word list in the
/// `stop-words` crate and a Snowball stemmer, i.e. those the tokenizer has rules for.
const GUESS_LANGS: &[&str] = &[
    "en", "fr", "de", "es", "it", "pt", "nl", "sv", "da", "fi", "no", "hu", "ro", "ru", "tr", "el",
    "ar",
];

/// Words read for a stop-word guess.
const GUESS_WORDS: usize = 120;

// The languages of a stop word are the bits of a `u32`.
const _: () = assert!(GUESS_LANGS.len() <= 32);

/// `SPREAD[b]` has byte `i` set to bit `i` of `b`: adding it to eight byte counters adds each
/// bit of `b` to its counter.
static SPREAD: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut i = 0;
        while i < 8 {
            t[b] |= ((b as u64 >> i) & 1) << (8 * i);
            i += 1;
        }
        b += 1;
    }
    t
};

/// Stop-word hits the best language needs, and its lead over the runner-up: at least
/// `GUESS_LEAD_NUM / GUESS_LEAD_DEN` times as many hits (related languages share words).
const GUESS_MIN_HITS: u32 = 6;
const GUESS_LEAD_NUM: u32 = 3;
const GUESS_LEAD_DEN: u32 = 2;

/// Stop words, and for each (by its id) the bitmask of the [`GUESS_LANGS`] whose list has it.
fn stop_word_index() -> &'static (Interner, Vec<u32>) {
    static INDEX: OnceLock<(Interner, Vec<u32>)> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut words = Interner::new();
        let mut masks: Vec<u32> = Vec::new();
        for (bit, code) in GUESS_LANGS.iter().enumerate() {
            for w in stop_words::lookup(code).unwrap_or_default() {
                let id = words.intern(w) as usize;
                masks.resize(words.len(), 0);
                masks[id] |= 1 << bit;
            }
        }
        (words, masks)
    })
}

/// The language of `text` when stop-word evidence in its first words is decisive.
///
/// Function words identify a language with very little text, and counting them costs one
/// hash lookup per word, where whatlang scores every profile of the script (hundreds of
/// thousands of operations per call, whatever the text length).
pub fn guess_by_stop_words(text: &str) -> Option<&'static str> {
    let (index, masks) = stop_word_index();
    // Stop-word hits of each language, one byte each.
    let mut hits = [0u64; GUESS_LANGS.len().div_ceil(8)];
    let mut buf = String::new();
    alphabetic_words(text, GUESS_WORDS, |start, end, ascii_upper| {
        let id = match ascii_upper {
            Some(upper) => index.get_key(&ascii_key(text, start, end, upper, &mut buf)),
            None => index.get(&crate::unicode::lower(&text[start..end])),
        };
        let mask = id
            .and_then(|id| masks.get(id as usize))
            .copied()
            .unwrap_or(0);
        // Every language's count, eight to a word, moves by its bit of `mask`: the same few
        // operations for a stop word or not, in one list or several (branches on that
        // mispredict: about half the words of a text are stop words).
        for (j, packed) in hits.iter_mut().enumerate() {
            *packed += SPREAD[(mask >> (8 * j)) as usize & 0xff];
        }
    });
    // Counts stay below 256: at most one per word read.
    const _: () = assert!(GUESS_WORDS < 256);
    let hits: [u32; GUESS_LANGS.len()] =
        std::array::from_fn(|i| (hits[i / 8] >> (8 * (i % 8))) as u32 & 0xff);
    let mut order: Vec<usize> = (0..hits.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(hits[i]));
    let (best, second) = (hits[order[0]], hits[order[1]]);
    let decisive = best >= GUESS_MIN_HITS && best * GUESS_LEAD_DEN >= second * GUESS_LEAD_NUM;
    decisive.then(|| GUESS_LANGS[order[0]])
}

/// Call `f(start, end, ascii_upper)` with the byte spans of the first `max` maximal runs of
/// alphabetic characters of `text`; `ascii_upper` is `Some(whether it has a capital)` for an
/// ASCII word. The block scanner finds runs of letters and digits: an ASCII run is split at
/// digits (most have none); a run with other bytes is split character by character (curly
/// quotes, dashes and marks are not alphabetic).
fn alphabetic_words(text: &str, max: usize, mut f: impl FnMut(usize, usize, Option<bool>)) {
    let mut runs = crate::scan::WordRuns::new(text.as_bytes(), false);
    let (mut pos, mut n) = (0, 0);
    while n < max {
        let Some(run) = runs.next_run(pos) else {
            return;
        };
        pos = run.end;
        let Some(word) = text.get(run.start..run.end) else {
            return;
        };
        if run.ascii && !runs.has_digit(&run) {
            f(run.start, run.end, Some(run.upper));
            n += 1;
            continue;
        }
        let mut start = None;
        for (i, c) in word.char_indices().chain([(word.len(), '0')]) {
            let letter = c.is_alphabetic() && i < word.len();
            match (start, letter) {
                (None, true) => start = Some(i),
                (Some(s), false) => {
                    if n == max {
                        return;
                    }
                    let (a, b) = (run.start + s, run.start + i);
                    f(
                        a,
                        b,
                        run.ascii
                            .then(|| text[a..b].bytes().any(|x| x.is_ascii_uppercase())),
                    );
                    n += 1;
                    start = None;
                }
                _ => {}
            }
        }
    }
}

/// The longest prefix of `text` of at most `max` bytes that ends on a char boundary.
fn prefix(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// ISO 639-1 code of a whatlang language where one exists, else its ISO 639-3 code.
pub fn iso639_1(lang: Lang) -> &'static str {
    isolang::Language::from_639_3(lang.code())
        .and_then(|l| l.to_639_1())
        .unwrap_or(lang.code())
}

/// The whatlang language for an ISO 639-1 or 639-3 code (case-insensitive).
pub fn lang_from_code(code: &str) -> Option<Lang> {
    let code = code.trim().to_ascii_lowercase();
    match code.len() {
        2 => isolang::Language::from_639_1(&code).and_then(|l| Lang::from_code(l.to_639_3())),
        3 => Lang::from_code(code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn alphabetic_words_split_like_char_is_alphabetic() {
        use proptest::prelude::*;
        let reference = |t: &str| -> Vec<String> {
            t.split(|c: char| !c.is_alphabetic())
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        };
        proptest!(|(t in "([a-zA-Z0-9_ ,.'’\\-]|é|Ω|\u{301}|\u{2019}|½|٣|x{60}){0,200}")| {
            let mut got: Vec<String> = Vec::new();
            super::alphabetic_words(&t, usize::MAX, |a, b, _| got.push(t[a..b].to_string()));
            prop_assert_eq!(got, reference(&t));
        });
    }

    use super::*;

    #[test]
    fn detects_english_and_french() {
        let d = LanguageDetector::default();
        let en = d
            .detect("The foreign minister arrived in the capital on Monday for talks.")
            .unwrap();
        assert_eq!(en.code, "en");
        let fr = d
            .detect("Le ministre des Affaires étrangères est arrivé lundi dans la capitale.")
            .unwrap();
        assert_eq!(fr.code, "fr");
        assert!(fr.confidence > 0.5);
    }

    #[test]
    fn short_or_empty_text_has_no_language() {
        let d = LanguageDetector::default();
        assert_eq!(d.detect(""), None);
        assert_eq!(d.detect("  ok !! 12 "), None);
    }

    #[test]
    fn allowlist_codes() {
        assert!(LanguageDetector::with_allowlist(&["en", "fra"]).is_ok());
        let err = LanguageDetector::with_allowlist(&["xx"]).unwrap_err();
        assert!(err.to_string().starts_with("allowlist:"));
        assert!(LanguageDetector::with_allowlist::<&str>(&[]).is_err());
        let d = LanguageDetector::with_allowlist(&["en", "fr"]).unwrap();
        let r = d.detect("Der Minister ist am Montag in der Hauptstadt angekommen.");
        assert!(matches!(r.map(|x| x.code), Some("en") | Some("fr")));
    }

    #[test]
    fn stop_word_guess_is_decisive_or_silent() {
        let en = "The minister said that he would travel to the capital of the country on \
                  Monday and that he was going to meet with his counterpart there.";
        let fr = "Le ministre a dit qu’il se rendrait dans la capitale du pays lundi et qu’il \
                  rencontrerait son homologue pour une visite de travail.";
        assert_eq!(guess_by_stop_words(en), Some("en"));
        assert_eq!(guess_by_stop_words(fr), Some("fr"));
        assert_eq!(guess_by_stop_words("Bamako Moscou Lavrov"), None);
        assert_eq!(guess_by_stop_words(""), None);
        let d = LanguageDetector::default();
        assert_eq!(d.language_hint(fr), Some("fr"));
        // Without decisive stop words, whatlang decides.
        let names = "Bamako Moscou Nouakchott Khartoum Diplomatie Coopération Sécurité";
        assert_eq!(guess_by_stop_words(names), None);
        assert_eq!(d.language_hint(names), d.detect(names).map(|x| x.code));
    }

    #[test]
    fn stop_word_guess_counts_like_a_naive_count() {
        use proptest::prelude::*;
        // The decision from plain counts over each language's list.
        let reference = |t: &str| -> Option<&'static str> {
            let words: Vec<String> = t
                .split(|c: char| !c.is_alphabetic())
                .filter(|w| !w.is_empty())
                .take(GUESS_WORDS)
                .map(|w| w.to_lowercase())
                .collect();
            let hits: Vec<u32> = GUESS_LANGS
                .iter()
                .map(|code| {
                    let list = stop_words::lookup(code).unwrap_or_default();
                    words.iter().filter(|w| list.contains(&w.as_str())).count() as u32
                })
                .collect();
            let mut order: Vec<usize> = (0..hits.len()).collect();
            order.sort_by_key(|&i| std::cmp::Reverse(hits[i]));
            let (best, second) = (hits[order[0]], hits[order[1]]);
            (best >= GUESS_MIN_HITS && best * GUESS_LEAD_DEN >= second * GUESS_LEAD_NUM)
                .then(|| GUESS_LANGS[order[0]])
        };
        // Stop words of several languages (some in several lists), other words, digits
        // inside words, capitals and accents, in texts long and short.
        let word = "(the|The|and|of|le|Les|de|des|et|die|und|der|el|los|y|en|que|à|über|\
                    och|att|det|ja|on|és|hogy|și|care|и|не|ve|bir|και|το|في|من|\
                    Bamako|Lavrov|mali|x2y|2023|de3la|Ministre|TALKS)";
        let text = format!("({word}[ ,.’]){{0,160}}");
        proptest!(|(t in text.as_str())| {
            prop_assert_eq!(guess_by_stop_words(&t), reference(&t), "{:?}", t);
        });
    }

    #[test]
    fn prefix_respects_char_boundaries() {
        let s = "é".repeat(3000);
        let p = prefix(&s, SAMPLE_BYTES);
        assert!(p.len() <= SAMPLE_BYTES && p.len() % 2 == 0);
    }

    #[test]
    fn codes_round_trip() {
        assert_eq!(iso639_1(Lang::Fra), "fr");
        assert_eq!(lang_from_code("EN"), Some(Lang::Eng));
        assert_eq!(lang_from_code("zz"), None);
    }
}
