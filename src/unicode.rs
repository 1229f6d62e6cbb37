//! Character classes shared by the tokenizers and analyzers.

use std::borrow::Cow;
use std::ops::ControlFlow;
use std::sync::LazyLock;

use memchr::memmem::Finder;

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

use crate::interner::{low_bytes, pair_words, Key};
use crate::scan::{for_each_run, try_for_each_run, Run};

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
pub fn sklearn_word_spans(text: &str) -> impl Iterator<Item = (usize, usize)> {
    let mut spans = Vec::new();
    sklearn_pieces(text, false, |p| spans.push(p.span()));
    spans.into_iter()
}

/// A token of sklearn's default pattern, as [`sklearn_pieces`] finds it.
#[derive(Clone, Copy)]
enum Piece<'t> {
    /// An ASCII token, left for the caller to lower-case.
    Ascii(AsciiWord<'t>),
    /// A token in its final form, and the span of the text it comes from.
    Done(&'t str, usize, usize),
}

/// `text[start..end]`, all ASCII; `lower`: it has a capital and must be lower-cased.
#[derive(Clone, Copy)]
struct AsciiWord<'t> {
    text: &'t str,
    start: usize,
    end: usize,
    lower: bool,
}

impl<'t> AsciiWord<'t> {
    /// The token, lower-cased into `buf` if it must be.
    #[inline]
    fn as_str<'b>(&self, buf: &'b mut String) -> &'b str
    where
        't: 'b,
    {
        let raw = &self.text[self.start..self.end];
        if self.lower {
            ascii_lower_into(raw, buf)
        } else {
            raw
        }
    }

    /// The token's key, made in a register, when it is short enough to be held inline.
    #[inline]
    fn short_key(&self) -> Option<Key<'static>> {
        short_ascii_key(self.text.as_bytes(), self.start, self.end, self.lower)
    }
}

impl Piece<'_> {
    fn span(&self) -> (usize, usize) {
        match *self {
            Piece::Ascii(w) => (w.start, w.end),
            Piece::Done(_, start, end) => (start, end),
        }
    }
}

/// sklearn's default tokens of `text` after its preprocessing with `lowercase` (Python's
/// `str.lower()`) and no accent stripping, in order.
///
/// Lower-casing maps word characters to word characters and others to others, so splitting
/// first and lower-casing each token gives sklearn's tokens without copying the text; a token
/// whose lower case is not one run is split again. The exception is the capital sigma, whose
/// lower case depends on the characters around it: a text that holds one is lower-cased
/// whole first, and spans then refer to the lower-cased text.
///
/// ASCII runs (most of news) come whole from the block scanner and are left to the caller to
/// lower-case, so that it can do so in a register; a run with other bytes is split character
/// by character.
#[inline(always)]
fn sklearn_pieces(text: &str, lowercase: bool, mut f: impl FnMut(Piece<'_>)) {
    if lowercase && has_capital_sigma(text) {
        return sklearn_pieces(&lower(text), false, f);
    }
    for_each_run(text.as_bytes(), true, |run| {
        pieces_of_run(text, run, lowercase, &mut f)
    });
}

/// The pieces of `run`, one run of [`for_each_run`] in `text`.
#[inline(always)]
fn pieces_of_run<F: FnMut(Piece<'_>)>(text: &str, run: Run, lowercase: bool, f: &mut F) {
    if run.ascii {
        if run.end - run.start >= 2 {
            f(Piece::Ascii(AsciiWord {
                text,
                start: run.start,
                end: run.end,
                lower: lowercase && run.upper,
            }));
        }
        return;
    }
    non_ascii_pieces(text, run.start, run.end, lowercase, f);
}

/// The pieces of `text[start..end]`, a run with non-ASCII bytes, split character by
/// character (out of line: the ASCII path stays small enough to inline).
#[inline(never)]
fn non_ascii_pieces(
    text: &str,
    start: usize,
    end: usize,
    lowercase: bool,
    f: &mut dyn FnMut(Piece<'_>),
) {
    let mut pos = start;
    while let Some((s, e)) = word_run_in(text, &mut pos, end) {
        let raw = &text[s..e];
        match lowercase.then(|| lower(raw)) {
            None | Some(Cow::Borrowed(_)) => f(Piece::Done(raw, s, e)),
            Some(Cow::Owned(low)) => {
                for (x, y) in sklearn_word_spans(&low) {
                    f(Piece::Done(&low[x..y], s, e));
                }
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
/// lower-cased text when it contains a capital sigma, see [`sklearn_pieces`]).
#[inline]
pub fn for_each_sklearn_token<F>(text: &str, lowercase: bool, buf: &mut String, mut f: F)
where
    F: FnMut(&str, usize, usize),
{
    sklearn_pieces(text, lowercase, |p| match p {
        Piece::Ascii(w) => f(w.as_str(buf), w.start, w.end),
        Piece::Done(t, s, e) => f(t, s, e),
    })
}

/// The tokens of [`for_each_sklearn_token`] as lookup keys, for callers that only intern or
/// look them up.
///
/// The hot loop of sklearn-mode tokenizing and counting: an ASCII run of 2 to 8 bytes (most of
/// news) is loaded, lower-cased and hashed as one integer, one of 9 to 16 bytes as two, with
/// no copy, no `Option` and no call; longer runs and runs with other bytes take the
/// out-of-line paths of [`sklearn_pieces`].
///
/// A capital sigma is looked for only in runs with non-ASCII bytes (it is a word character,
/// so it is in one), not in a pass over the whole text first. From the first run that holds
/// one, the keys come from the lower-cased rest of the text: the characters before it lower-case
/// alone, so the rest starts where their lower case ends.
#[inline]
pub fn for_each_sklearn_key<F>(text: &str, lowercase: bool, buf: &mut String, f: F)
where
    F: FnMut(&Key<'_>),
{
    // One loop per case: the flag is then no test per token.
    if lowercase {
        sklearn_keys::<true, F>(text, buf, f)
    } else {
        sklearn_keys::<false, F>(text, buf, f)
    }
}

/// [`for_each_sklearn_key`] with `LOWER` for `lowercase`.
#[inline(always)]
fn sklearn_keys<const LOWER: bool, F>(text: &str, buf: &mut String, mut f: F)
where
    F: FnMut(&Key<'_>),
{
    // The scan calls this closure from three places, and the callers' closures (`f`) are big:
    // left to itself LLVM keeps them out of line, a call or two per token (the unigram fit
    // then runs 19% more instructions). Callers on hot paths mark their `f` the same way.
    let sigma = try_for_each_run(
        text.as_bytes(),
        true,
        #[inline(always)]
        |run| {
            let len = run.end - run.start;
            if !run.ascii || len > 16 {
                // Only the span goes out of line: the run's other flags are not kept for it.
                return keys_of_run(text, run.start, run.end, LOWER, buf, &mut f);
            }
            if len >= 2 {
                // Lower-cased whether or not the run has a capital: a few operations on a
                // register, cheaper than a branch that mispredicts on capitalized words.
                // `f` is called (inlined) in each branch, where its key is in registers.
                let (bytes, (start, end)) = (text.as_bytes(), (run.start, run.end));
                if let Some(word) = ascii_word(bytes, start, end, LOWER) {
                    f(&Key::ascii_word(word, len));
                } else if let Some((first, last)) = ascii_pair(bytes, start, end, LOWER) {
                    f(&Key::ascii_pair(first, last, len));
                } else {
                    f(&ascii_key(text, start, end, LOWER, buf));
                }
            }
            ControlFlow::Continue(())
        },
    );
    if let ControlFlow::Break(at) = sigma {
        keys_after_sigma(text, at, buf, &mut f);
    }
}

/// Whether `text` holds a capital sigma (found by a vectorized search).
#[inline]
fn has_capital_sigma(text: &str) -> bool {
    static SIGMA: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Σ"));
    SIGMA.find(text.as_bytes()).is_some()
}

/// The keys of `text` lower-cased from byte `at` on, where the first capital sigma's run
/// starts (out of line: rare).
#[inline(never)]
fn keys_after_sigma(text: &str, at: usize, buf: &mut String, f: &mut dyn FnMut(&Key<'_>)) {
    let lowered = lower(text);
    let skip = lower(text.get(..at).unwrap_or_default()).len();
    let rest = lowered.get(skip..).unwrap_or_default();
    sklearn_pieces(rest, false, |p| piece_key(p, buf, f));
}

/// The keys of the pieces of the run `text[start..end]` (a maximal run of candidate word
/// bytes that is not short and ASCII; out of line); breaks with `start` instead when
/// lower-casing and the run holds a capital sigma.
#[inline(never)]
fn keys_of_run(
    text: &str,
    start: usize,
    end: usize,
    lowercase: bool,
    buf: &mut String,
    f: &mut dyn FnMut(&Key<'_>),
) -> ControlFlow<usize> {
    let span = text.get(start..end).unwrap_or_default();
    let run = Run {
        start,
        end,
        ascii: span.is_ascii(),
        upper: span.bytes().any(|b| b.is_ascii_uppercase()),
    };
    if lowercase && !run.ascii && has_capital_sigma(span) {
        return ControlFlow::Break(start);
    }
    pieces_of_run(text, run, lowercase, &mut |p| piece_key(p, buf, f));
    ControlFlow::Continue(())
}

/// `f` with the key of the piece `p`.
#[inline]
fn piece_key(p: Piece<'_>, buf: &mut String, f: &mut dyn FnMut(&Key<'_>)) {
    match p {
        Piece::Ascii(w) => match w.short_key() {
            Some(k) => f(&k),
            None => f(&Key::new(w.as_str(buf))),
        },
        Piece::Done(t, _, _) => f(&Key::new(t)),
    }
}

/// The key of `text[start..end]` as it is (no lower-casing), made in a register when the span
/// is short and ASCII.
#[inline]
pub fn span_key(text: &str, start: usize, end: usize) -> Key<'_> {
    short_ascii_key(text.as_bytes(), start, end, false)
        .unwrap_or_else(|| Key::new(text.get(start..end).unwrap_or_default()))
}

/// The key of `text[start..end]`, lower-cased when `lower` (in `buf` if it is long): `None`
/// unless the span is ASCII.
#[inline]
pub fn ascii_span_key<'b>(
    text: &'b str,
    start: usize,
    end: usize,
    lower: bool,
    buf: &'b mut String,
) -> Option<Key<'b>> {
    if let Some(k) = short_ascii_key(text.as_bytes(), start, end, lower) {
        return Some(k);
    }
    let span = text.get(start..end).filter(|s| s.is_ascii())?;
    let upper = span.bytes().any(|b| b.is_ascii_uppercase());
    Some(ascii_key(text, start, end, lower && upper, buf))
}

/// The key of `text[start..end]`, an ASCII span, lower-cased when `lower` (in `buf` if it is
/// long; a short one is made in a register).
#[inline(always)]
pub fn ascii_key<'b>(
    text: &'b str,
    start: usize,
    end: usize,
    lower: bool,
    buf: &'b mut String,
) -> Key<'b> {
    if let Some(word) = ascii_word(text.as_bytes(), start, end, lower) {
        return Key::ascii_word(word, end - start);
    }
    if let Some((first, last)) = ascii_pair(text.as_bytes(), start, end, lower) {
        return Key::ascii_pair(first, last, end - start);
    }
    let span = text.get(start..end).unwrap_or_default();
    Key::new(if lower {
        ascii_lower_into(span, buf)
    } else {
        span
    })
}

/// The key of `bytes[start..end]`, lower-cased when `lower`, made in a register: `None` unless
/// the span is ASCII and at most 8 bytes long.
#[inline]
fn short_ascii_key(bytes: &[u8], start: usize, end: usize, lower: bool) -> Option<Key<'static>> {
    ascii_word(bytes, start, end, lower).and_then(|w| Key::short_ascii(w, end - start))
}

/// The bytes `bytes[start..end]` (at most 8, ASCII) as a zero-padded little-endian integer,
/// lower-cased when `lower`; `None` for a longer span.
#[inline]
fn ascii_word(bytes: &[u8], start: usize, end: usize, lower: bool) -> Option<u64> {
    let len = end.checked_sub(start).filter(|&n| n <= 8)?;
    let word = match bytes.get(start..).and_then(<[u8]>::first_chunk::<8>) {
        // One load, then the bytes past the token are cleared.
        Some(b) => u64::from_le_bytes(*b) & low_bytes(len),
        None => {
            let mut b = [0u8; 8];
            b[..len].copy_from_slice(bytes.get(start..end)?);
            u64::from_le_bytes(b)
        }
    };
    Some(if lower { lower_word(word) } else { word })
}

/// The first and the last eight bytes of `bytes[start..end]` (9 to 16 bytes, ASCII) as
/// little-endian integers, lower-cased when `lower`; `None` for another length.
#[inline]
fn ascii_pair(bytes: &[u8], start: usize, end: usize, lower: bool) -> Option<(u64, u64)> {
    let span = bytes
        .get(start..end)
        .filter(|s| (9..=16).contains(&s.len()))?;
    let (first, last) = pair_words(span);
    Some(if lower {
        (lower_word(first), lower_word(last))
    } else {
        (first, last)
    })
}

/// `word`, eight ASCII bytes, with its capitals lower-cased.
#[inline]
fn lower_word(word: u64) -> u64 {
    // Bytes from 'A' (0x41) to 'Z' (0x5a) get 0x20 added: adding 0x3f sets the top bit of a
    // byte >= 0x41, adding 0x25 that of a byte >= 0x5b. ASCII bytes never carry.
    let from_a = word.wrapping_add(0x3f3f_3f3f_3f3f_3f3f);
    let past_z = word.wrapping_add(0x2525_2525_2525_2525);
    let upper = from_a & !past_z & 0x8080_8080_8080_8080;
    word | upper >> 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interner::Interner;

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

    /// Every token of `text` through the key path and the string path, interned into one
    /// table each: the ids (and so the strings) must be the same.
    fn keys_and_tokens_agree(text: &str, lowercase: bool) {
        let (mut by_key, mut by_str) = (Interner::new(), Interner::new());
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let mut buf = String::new();
        for_each_sklearn_key(text, lowercase, &mut buf, |k| a.push(by_key.intern_key(k)));
        for_each_sklearn_token(text, lowercase, &mut buf, |t, _, _| {
            b.push(by_str.intern(t))
        });
        assert_eq!(a, b, "{text:?} lowercase={lowercase}");
        assert_eq!(
            by_key.terms().collect::<Vec<_>>(),
            by_str.terms().collect::<Vec<_>>(),
            "{text:?}"
        );
    }

    #[test]
    fn keys_are_the_tokens() {
        let texts = [
            "The UN, AU and ECOWAS met in Bamako: Mali's junta (2023-02-08) said 1,500",
            "MiXeD CaSe WORDS ab AB aB Ab ZZ zz @[ `{ A_B __init__ x_ NINECHARS ninechars",
            // Short tokens right at the end of the text (fewer than 8 bytes left to load).
            "end Ab",
            "Zz",
            "a",
            "",
            "Élection à Bangui: l’ambassadeur ÉTAIT là. ΟΔΟΣ Σ Straße İstanbul",
            "EXACTLYEIGHT ABCDEFGH abcdefgh ABCDEFGHI 12345678 123456789",
            // Capital sigmas after other tokens, non-ASCII ones among them, whose lower case
            // depends on characters across a quote or a point (final or not).
            "ÉTÉ à Athènes, ΟΔΟΣ. Then ΑΣ'Β and Σ’Α, ΑΣ. ΣΑΣ ÉLAN Mali",
            // The first sigma starts its run and is final (a modifier letter, a word character
            // that case ignores, follows it), after capitals that lower-case to more bytes
            // and to fewer (the Kelvin sign).
            "İSTANBUL \u{212A}ELVIN ΑΒ'Σʰ x",
        ];
        for t in texts {
            keys_and_tokens_agree(t, true);
            keys_and_tokens_agree(t, false);
        }
        // Every length and mix of case around the inline limit, at every offset in a block.
        let mut long = String::new();
        for n in 1..20 {
            long.push_str(&"Ab".repeat(n));
            long.push(' ');
            long.push_str(&"q".repeat(n));
            long.push_str(if n % 3 == 0 { "É " } else { ". " });
        }
        keys_and_tokens_agree(&long, true);
        keys_and_tokens_agree(&long, false);
        // Raw spans (news surfaces): the same key from a register as from the string.
        let text = "Goïta, Mali's ECOWAS-led talks: abcdefgh abcdefghi É";
        let mut table = Interner::new();
        for (s, e) in [
            (0, 6),
            (0, 4),
            (8, 12),
            (8, 14),
            (15, 21),
            (33, 41),
            (42, 51),
            (52, 54),
        ] {
            let id = table.intern_key(&span_key(text, s, e));
            assert_eq!(table.get(&text[s..e]), Some(id), "{:?}", &text[s..e]);
        }
        assert_eq!(table.len(), 8);
        let sample: Interner = ["bamako", "mali"].into_iter().collect();
        let mut buf = String::new();
        let mut found = Vec::new();
        for_each_sklearn_key("BAMAKO, Mali and Niger", true, &mut buf, |k| {
            found.push(sample.get_key(k))
        });
        assert_eq!(found, [Some(0), Some(1), None, None]);
    }

    #[test]
    fn ascii_span_keys_are_the_lower_cased_spans() {
        let text = "Mali AU ECOWAS-led Ambassadors abcdefgh ABCDEFGHI Goïta é x";
        let mut table = Interner::new();
        let mut buf = String::new();
        for s in 0..text.len() {
            for e in s..=text.len() {
                let Some(span) = text.get(s..e) else { continue };
                for lower in [false, true] {
                    let want = if lower {
                        span.to_ascii_lowercase()
                    } else {
                        span.to_string()
                    };
                    let Some(k) = ascii_span_key(text, s, e, lower, &mut buf) else {
                        assert!(!span.is_ascii(), "{span:?}");
                        continue;
                    };
                    let id = table.intern_key(&k);
                    assert_eq!(table.term(id), want);
                    assert_eq!(table.get(&want), Some(id));
                }
            }
        }
    }

    #[test]
    fn ascii_words_lower_case_in_a_register() {
        let all: Vec<u8> = (0..128u8).collect();
        for chunk in all.chunks(8) {
            let want: Vec<u8> = chunk.iter().map(u8::to_ascii_lowercase).collect();
            let got = ascii_word(chunk, 0, chunk.len(), true)
                .unwrap()
                .to_le_bytes();
            assert_eq!(got.as_slice(), want.as_slice(), "{chunk:?}");
            let raw = ascii_word(chunk, 0, chunk.len(), false)
                .unwrap()
                .to_le_bytes();
            assert_eq!(raw.as_slice(), chunk);
        }
        // Bytes past the span are cleared, whether loaded with it or not.
        assert_eq!(
            ascii_word(b"abcdefghij", 1, 3, false),
            Some(u64::from_le_bytes(*b"bc\0\0\0\0\0\0"))
        );
        assert_eq!(
            ascii_word(b"xyAB", 2, 4, true),
            Some(u64::from_le_bytes(*b"ab\0\0\0\0\0\0"))
        );
        assert_eq!(ascii_word(b"abcdefghij", 0, 9, false), None);
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
