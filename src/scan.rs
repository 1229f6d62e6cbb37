//! Runs of candidate word bytes, found 64 bytes at a time.
//!
//! Tokenizers spend most of their time deciding, byte after byte, whether a word goes on; a
//! branch per byte mispredicts at every word boundary. [`WordRuns`] classifies a whole 64-byte
//! block into one bit mask (SSE2 on x86-64, a table elsewhere) and jumps from boundary to
//! boundary with bit scans. A byte is a *candidate* when it is an ASCII letter or digit, `_`
//! if the caller counts it as a word byte (Python's `\w` does, news words do not), or any
//! non-ASCII byte: a run that contains non-ASCII bytes must be split again at character level
//! by the caller (a curly quote or a dash is not a word character), while an ASCII-only run is
//! exactly a run of word characters.

use std::ops::ControlFlow;

/// The masks of a 64-byte block: bit `i` set when byte `i` is an ASCII letter or digit or a
/// non-ASCII byte; a non-ASCII byte; an ASCII capital; an ASCII digit; `_`.
#[cfg(target_arch = "x86_64")]
fn block_mask(block: &[u8; 64]) -> Masks {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_cmplt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    let mut out = Masks::default();
    for (i, lane) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86-64 baseline, and `lane` holds the 16 bytes read
        // (an unaligned load).
        let (bits, hi, up, dg, us) = unsafe {
            let v = _mm_loadu_si128(lane.as_ptr().cast::<__m128i>());
            let between = |x: __m128i, lo: u8, hi: u8| {
                // Signed compares: non-ASCII bytes are negative and never in an ASCII range.
                _mm_and_si128(
                    _mm_cmpgt_epi8(x, _mm_set1_epi8(lo as i8 - 1)),
                    _mm_cmplt_epi8(x, _mm_set1_epi8(hi as i8 + 1)),
                )
            };
            let folded = _mm_or_si128(v, _mm_set1_epi8(0x20));
            let digits = between(v, b'0', b'9');
            let alnum = _mm_or_si128(between(folded, b'a', b'z'), digits);
            let mask = |x: __m128i| _mm_movemask_epi8(x) as u32 & 0xffff;
            // The sign bit of each byte is set for non-ASCII bytes.
            let hi = mask(v);
            let up = mask(between(v, b'A', b'Z'));
            let us = mask(_mm_cmpeq_epi8(v, _mm_set1_epi8(b'_' as i8)));
            (mask(alnum) | hi, hi, up, mask(digits), us)
        };
        out.word |= u64::from(bits) << (16 * i);
        out.high |= u64::from(hi) << (16 * i);
        out.upper |= u64::from(up) << (16 * i);
        out.digit |= u64::from(dg) << (16 * i);
        out.underscore |= u64::from(us) << (16 * i);
    }
    out
}

/// The masks of a 64-byte block: bit `i` set when byte `i` is an ASCII letter or digit or a
/// non-ASCII byte; a non-ASCII byte; an ASCII capital; an ASCII digit; `_`.
#[cfg(not(target_arch = "x86_64"))]
fn block_mask(block: &[u8; 64]) -> Masks {
    let mut out = Masks::default();
    for (i, &b) in block.iter().enumerate() {
        out.word |= u64::from(b >= 0x80 || b.is_ascii_alphanumeric()) << i;
        out.high |= u64::from(b >= 0x80) << i;
        out.upper |= u64::from(b.is_ascii_uppercase()) << i;
        out.digit |= u64::from(b.is_ascii_digit()) << i;
        out.underscore |= u64::from(b == b'_') << i;
    }
    out
}

/// Bit masks of one 64-byte block.
#[derive(Clone, Copy, Default)]
struct Masks {
    word: u64,
    high: u64,
    upper: u64,
    digit: u64,
    underscore: u64,
}

/// Whether `b` is a candidate word byte: non-ASCII, an ASCII letter or digit, or `_` when
/// `underscore` counts.
#[inline]
pub fn is_candidate(b: u8, underscore: bool) -> bool {
    b >= 0x80 || b.is_ascii_alphanumeric() || (underscore && b == b'_')
}

/// The masks of the block of `bytes` starting at `base`; bytes past the end are in none.
#[inline(always)]
fn masks_at(bytes: &[u8], base: usize, underscore: bool) -> Masks {
    let mut m = match bytes.get(base..base + 64) {
        Some(full) => block_mask(full.try_into().unwrap_or(&[0; 64])),
        None => {
            let mut tail = [0u8; 64];
            let rest = bytes.get(base..).unwrap_or_default();
            tail[..rest.len()].copy_from_slice(rest);
            block_mask(&tail)
        }
    };
    if underscore {
        m.word |= m.underscore;
    }
    m
}

/// Call `f` with every maximal run of candidate word bytes of `bytes`, in order
/// (`underscore`: whether `_` is a word byte).
///
/// The fast form of [`WordRuns`] for callers that take every run: each block's runs come
/// from its start and end bit masks (a run starts where a candidate byte follows a
/// non-candidate, and ends where the reverse happens), a couple of bit operations per run.
#[inline(always)]
pub fn for_each_run(bytes: &[u8], underscore: bool, mut f: impl FnMut(Run)) {
    let _: ControlFlow<()> = try_for_each_run(bytes, underscore, |run| {
        f(run);
        ControlFlow::Continue(())
    });
}

/// [`for_each_run`] until `f` breaks; returns what it broke with.
#[inline(always)]
pub fn try_for_each_run<B>(
    bytes: &[u8],
    underscore: bool,
    mut f: impl FnMut(Run) -> ControlFlow<B>,
) -> ControlFlow<B> {
    // The run still open at the end of the previous block, if any.
    let mut open: Option<Run> = None;
    let mut base = 0;
    while base < bytes.len() {
        let m = masks_at(bytes, base, underscore);
        let carried = u64::from(open.is_some());
        let after_word = m.word << 1 | carried;
        let mut starts = m.word & !after_word;
        let mut ends = !m.word & after_word;
        if let Some(run) = open.as_mut() {
            if ends == 0 {
                run.ascii &= m.high == 0;
                run.upper |= m.upper != 0;
                base += 64;
                continue;
            }
            let e = ends.trailing_zeros();
            let below = !(u64::MAX << e);
            run.end = base + e as usize;
            run.ascii &= m.high & below == 0;
            run.upper |= m.upper & below != 0;
            f(*run)?;
            open = None;
            ends &= ends - 1;
        }
        while starts != 0 {
            let s = starts.trailing_zeros();
            starts &= starts - 1;
            let from = u64::MAX << s;
            // Runs alternate with gaps: the next end bit closes this run, if it is here.
            let span = if ends == 0 {
                from
            } else {
                from & !(u64::MAX << ends.trailing_zeros())
            };
            let run = Run {
                start: base + s as usize,
                end: base + (ends.trailing_zeros() as usize).min(64),
                ascii: m.high & span == 0,
                upper: m.upper & span != 0,
            };
            if ends == 0 {
                open = Some(run);
                break;
            }
            ends &= ends - 1;
            f(run)?;
        }
        base += 64;
    }
    if let Some(mut run) = open {
        run.end = bytes.len();
        f(run)?;
    }
    ControlFlow::Continue(())
}

/// A maximal run of candidate word bytes: `start..end`, whether all its bytes are ASCII, and
/// whether it has an ASCII capital.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub start: usize,
    pub end: usize,
    pub ascii: bool,
    pub upper: bool,
}

/// Maximal runs of candidate word bytes of a text, found block by block.
pub struct WordRuns<'a> {
    bytes: &'a [u8],
    /// Whether `_` is a word byte.
    underscore: bool,
    /// Start of the block whose masks are cached (`usize::MAX`: none yet).
    block: usize,
    masks: Masks,
}

impl<'a> WordRuns<'a> {
    /// Runs of `bytes`; `underscore`: whether `_` is a word byte.
    pub fn new(bytes: &'a [u8], underscore: bool) -> Self {
        WordRuns {
            bytes,
            underscore,
            block: usize::MAX,
            masks: Masks::default(),
        }
    }

    /// The masks of the block starting at `base` (bytes past the end are in none), with `_`
    /// among the word bytes when it counts.
    #[inline]
    fn masks(&mut self, base: usize) -> Masks {
        if base != self.block {
            self.block = base;
            self.masks = masks_at(self.bytes, base, self.underscore);
        }
        self.masks
    }

    /// The first run of candidate bytes starting at or after `pos`.
    #[inline]
    pub fn next_run(&mut self, mut pos: usize) -> Option<Run> {
        let len = self.bytes.len();
        let start = loop {
            if pos >= len {
                return None;
            }
            let base = pos & !63;
            let m = self.masks(base).word & (u64::MAX << (pos - base));
            if m != 0 {
                break base + m.trailing_zeros() as usize;
            }
            pos = base + 64;
        };
        // Bytes past the end are not candidates, so the end is always found in a block.
        let mut pos = start;
        let (mut high, mut upper) = (0, 0);
        loop {
            let base = pos & !63;
            let m = self.masks(base);
            let from = u64::MAX << (pos - base);
            let stop = !m.word & from;
            let span = if stop != 0 {
                from & !(u64::MAX << stop.trailing_zeros())
            } else {
                from
            };
            high |= m.high & span;
            upper |= m.upper & span;
            if stop != 0 {
                let end = (base + stop.trailing_zeros() as usize).min(len);
                return Some(Run {
                    start,
                    end,
                    ascii: high == 0,
                    upper: upper != 0,
                });
            }
            pos = base + 64;
        }
    }

    /// Whether `run`, the run [`next_run`](Self::next_run) just gave, holds an ASCII digit:
    /// read off the block's masks (no branch per byte) when the run lies in one block.
    #[inline]
    pub fn has_digit(&mut self, run: &Run) -> bool {
        let base = run.start & !63;
        if run.end > base + 64 {
            let bytes = self.bytes.get(run.start..run.end).unwrap_or_default();
            return bytes.iter().any(u8::is_ascii_digit);
        }
        let span = (u64::MAX << (run.start - base)) & (u64::MAX >> (base + 64 - run.end));
        self.masks(base).digit & span != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runs as a byte-by-byte scan finds them (`_` a word byte).
    fn naive(bytes: &[u8]) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if is_candidate(bytes[i], true) {
                let s = i;
                while i < bytes.len() && is_candidate(bytes[i], true) {
                    i += 1;
                }
                out.push((s, i));
            } else {
                i += 1;
            }
        }
        out
    }

    fn runs(bytes: &[u8]) -> Vec<(usize, usize)> {
        let mut all = Vec::new();
        for_each_run(bytes, true, |run| all.push(run));
        let mut r = WordRuns::new(bytes, true);
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(found) = r.next_run(pos) {
            let Run {
                start,
                end,
                ascii,
                upper,
            } = found;
            let run = &bytes[start..end];
            assert_eq!(ascii, run.is_ascii());
            assert_eq!(upper, run.iter().any(u8::is_ascii_uppercase));
            assert_eq!(r.has_digit(&found), run.iter().any(u8::is_ascii_digit));
            out.push((start, end));
            pos = end;
        }
        let fast: Vec<(usize, usize)> = all.iter().map(|r| (r.start, r.end)).collect();
        assert_eq!(fast, out, "for_each_run and WordRuns differ");
        for run in all {
            let bytes = &bytes[run.start..run.end];
            assert_eq!(run.ascii, bytes.is_ascii());
            assert_eq!(run.upper, bytes.iter().any(u8::is_ascii_uppercase));
        }
        out
    }

    #[test]
    fn every_byte_value_is_classified_like_the_table() {
        let all: Vec<u8> = (0..=255u8).collect();
        for chunk in all.chunks(64) {
            let block: &[u8; 64] = chunk.try_into().unwrap();
            let m = block_mask(block);
            for (i, &b) in block.iter().enumerate() {
                assert_eq!(m.word >> i & 1 == 1, is_candidate(b, false), "byte {b:#x}");
                assert_eq!(m.underscore >> i & 1 == 1, b == b'_', "byte {b:#x}");
                assert_eq!(m.high >> i & 1 == 1, b >= 0x80, "byte {b:#x}");
                assert_eq!(m.upper >> i & 1 == 1, b.is_ascii_uppercase(), "byte {b:#x}");
                assert_eq!(m.digit >> i & 1 == 1, b.is_ascii_digit(), "byte {b:#x}");
            }
        }
    }

    #[test]
    fn runs_across_block_boundaries_and_at_the_ends() {
        let mut text = "a".repeat(63);
        text.push(' ');
        // A digit in the part of a run that continues into the next blocks.
        text.push_str(&format!("{}7{}", "b".repeat(70), "b".repeat(59)));
        text.push_str(", c");
        assert_eq!(runs(text.as_bytes()), naive(text.as_bytes()));
        for len in [0, 1, 63, 64, 65, 127, 128, 129] {
            let word = "x".repeat(len);
            assert_eq!(runs(word.as_bytes()), naive(word.as_bytes()), "len {len}");
            let spaced = format!(" {word} ");
            assert_eq!(
                runs(spaced.as_bytes()),
                naive(spaced.as_bytes()),
                "len {len}"
            );
        }
    }

    #[test]
    fn underscore_splits_runs_only_when_it_is_not_a_word_byte() {
        let text = b"snake_case x_";
        let mut news = WordRuns::new(text, false);
        assert_eq!(news.next_run(0).map(|r| (r.start, r.end)), Some((0, 5)));
        assert_eq!(news.next_run(5).map(|r| (r.start, r.end)), Some((6, 10)));
        assert_eq!(news.next_run(10).map(|r| (r.start, r.end)), Some((11, 12)));
        assert_eq!(news.next_run(12), None);
        assert_eq!(runs(text), [(0, 10), (11, 13)]);
    }

    #[test]
    fn pseudo_random_bytes_match_the_naive_scan() {
        let alphabet = b"abQ Z_9.,\xc3\xa9\xe2\x80\x99-\n";
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for len in [1usize, 5, 64, 100, 300, 1000] {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            assert_eq!(runs(&bytes), naive(&bytes), "len {len}");
        }
    }
}
