//! Near-duplicate documents: shingles, MinHash signatures, LSH banding and exact verification.
//!
//! 1. Each text is normalised (lowercase, runs of whitespace collapsed to one space, trimmed)
//!    and cut into shingles: `shingle` consecutive characters, or `shingle` consecutive words.
//!    Each shingle is hashed to 64 bits with xxh3 (seeded).
//! 2. The MinHash signature keeps, for each of `num_perm` permutations `h -> a*h + b` of
//!    32 bits of the shingle hash (odd `a`, arithmetic mod 2^32, so each is a bijection:
//!    datasketch's `affine32` scheme), the smallest permuted value. 32-bit lanes let the
//!    update run 8 permutations per AVX2 instruction. The signature streams over the
//!    shingles, so a 50 MB document needs no set of its shingles at this stage.
//! 3. LSH: the signature is cut into `b` bands of `r` values, with `(b, r)` minimising the
//!    weighted false-positive and false-negative probabilities at the threshold (the
//!    criterion of datasketch's `MinHashLSH`, with misses weighted higher since every
//!    candidate is verified); two documents sharing a band are candidates.
//! 4. Every candidate pair is verified by the exact Jaccard similarity of the two sets of
//!    shingle hashes, so a reported pair is never a false positive (up to a 64-bit hash
//!    collision). Groups are the connected components of the verified pairs (union-find).
//!
//! Everything is seeded; the same input and seed give the same groups.

use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64_with_seed;

use crate::error::{Error, Result};
use crate::parallel::Interrupt;

/// What a shingle is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Analyzer {
    /// `shingle` consecutive characters of the normalised text.
    Char,
    /// `shingle` consecutive words (whitespace-separated) of the normalised text.
    Word,
}

/// Settings of [`near_duplicate_groups`].
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Minimum Jaccard similarity of two shingle sets, in `(0, 1]`.
    pub threshold: f64,
    /// Number of hash permutations (signature length).
    pub num_perm: usize,
    /// Shingle length in characters or words.
    pub shingle: usize,
    /// Characters or words.
    pub analyzer: Analyzer,
    /// Seed of every hash function.
    pub seed: u64,
}

impl Options {
    /// Check every setting; errors name the parameter.
    pub fn validate(&self) -> Result<()> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(Error::param(
                "threshold",
                format!("must be within (0, 1], got {}", self.threshold),
            ));
        }
        if self.num_perm < 1 {
            return Err(Error::param("num_perm", "must be >= 1"));
        }
        if self.shingle < 1 {
            return Err(Error::param("shingle", "must be >= 1"));
        }
        Ok(())
    }
}

/// Lowercase `text`, collapse every run of whitespace to one space and trim both ends.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Call `f` on every shingle of the normalised text `norm`, in order (repeats included). A
/// non-empty text shorter than one shingle is one shingle; an empty text has none.
pub fn for_each_shingle(norm: &str, shingle: usize, analyzer: Analyzer, mut f: impl FnMut(&str)) {
    if norm.is_empty() {
        return;
    }
    // Spans of the last `shingle` units, as a ring buffer.
    let mut ring = vec![(0usize, 0usize); shingle];
    let mut seen = 0usize;
    let mut push = |span: (usize, usize)| {
        ring[seen % shingle] = span;
        seen += 1;
        if seen >= shingle {
            let first = ring[seen % shingle].0;
            f(&norm[first..span.1]);
        }
    };
    match analyzer {
        Analyzer::Char => {
            for (i, c) in norm.char_indices() {
                push((i, i + c.len_utf8()));
            }
        }
        Analyzer::Word => {
            let mut start = 0;
            for w in norm.split(' ') {
                push((start, start + w.len()));
                start += w.len() + 1;
            }
        }
    }
    if seen > 0 && seen < shingle {
        f(norm);
    }
}

/// The permutations `h -> a*h + b (mod 2^32)` with odd `a`, drawn from `seed`.
#[derive(Clone, Debug)]
pub struct MinHasher {
    a: Vec<u32>,
    b: Vec<u32>,
    shingle_seed: u64,
    shingle: usize,
    analyzer: Analyzer,
}

/// SplitMix64: a small, well-mixed stream of seeded 64-bit values.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl MinHasher {
    /// `num_perm` permutations and the shingle hash, all derived from `seed`.
    pub fn new(num_perm: usize, shingle: usize, analyzer: Analyzer, seed: u64) -> Self {
        let mut state = seed;
        let shingle_seed = splitmix64(&mut state);
        let (a, b) = (0..num_perm)
            .map(|_| {
                let (a, b) = (splitmix64(&mut state), splitmix64(&mut state));
                ((a >> 32) as u32 | 1, (b >> 32) as u32)
            })
            .unzip();
        MinHasher {
            a,
            b,
            shingle_seed,
            shingle,
            analyzer,
        }
    }

    fn each_hash(&self, text: &str, mut f: impl FnMut(u64)) {
        let norm = normalise(text);
        for_each_shingle(&norm, self.shingle, self.analyzer, |s| {
            f(xxh3_64_with_seed(s.as_bytes(), self.shingle_seed))
        });
    }

    /// The MinHash signature of `text`: `num_perm` values, or `None` for a text without
    /// shingles.
    pub fn signature(&self, text: &str) -> Option<Vec<u32>> {
        let mut sig = vec![u32::MAX; self.a.len()];
        let mut buf = Vec::with_capacity(HASH_BATCH);
        let mut any = false;
        self.each_hash(text, |h| {
            buf.push((h >> 32) as u32);
            if buf.len() == HASH_BATCH {
                self.update(&mut sig, &buf);
                buf.clear();
                any = true;
            }
        });
        if !buf.is_empty() {
            self.update(&mut sig, &buf);
            any = true;
        }
        any.then_some(sig)
    }

    /// Lower `sig` by the permuted values of `hashes`, with AVX2 when the CPU has it.
    fn update(&self, sig: &mut [u32], hashes: &[u32]) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2 (checked just above).
            unsafe { update_avx2(sig, &self.a, &self.b, hashes) };
            return;
        }
        update_portable(sig, &self.a, &self.b, hashes);
    }

    /// The sorted, deduplicated shingle hashes of `text`.
    pub fn shingle_set(&self, text: &str) -> Vec<u64> {
        // Repeats are squeezed out whenever the buffer doubles, so a long text with many
        // repeated shingles never holds all its shingles at once.
        const FIRST_SQUEEZE: usize = 1 << 20;
        let mut set = Vec::new();
        let mut squeeze_at = FIRST_SQUEEZE;
        self.each_hash(text, |h| {
            set.push(h);
            if set.len() >= squeeze_at {
                set.sort_unstable();
                set.dedup();
                squeeze_at = (set.len() * 2).max(FIRST_SQUEEZE);
            }
        });
        set.sort_unstable();
        set.dedup();
        set.shrink_to_fit();
        set
    }
}

/// Shingle hashes buffered per signature update.
const HASH_BATCH: usize = 256;

/// `sig[p] = min(sig[p], a[p] * h + b[p])` over every `h`: a loop the compiler vectorises.
#[inline(always)]
fn update_portable(sig: &mut [u32], a: &[u32], b: &[u32], hashes: &[u32]) {
    for &h in hashes {
        for ((s, &a), &b) in sig.iter_mut().zip(a).zip(b) {
            *s = (*s).min(a.wrapping_mul(h).wrapping_add(b));
        }
    }
}

/// [`update_portable`] compiled for AVX2 (8 lanes of 32-bit multiply and minimum).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn update_avx2(sig: &mut [u32], a: &[u32], b: &[u32], hashes: &[u32]) {
    update_portable(sig, a, b, hashes);
}

/// Jaccard similarity `|A ∩ B| / |A ∪ B|` of two sorted, deduplicated sets (0 when both are
/// empty).
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    if union == 0 {
        0.0
    } else {
        common as f64 / union as f64
    }
}

/// `∫_lo^hi f(s) ds` by composite Simpson's rule (the integrands are smooth polynomials).
fn integrate(f: impl Fn(f64) -> f64, lo: f64, hi: f64) -> f64 {
    const N: usize = 256;
    let h = (hi - lo) / N as f64;
    let inner: f64 = (1..N)
        .map(|i| f(lo + i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    (f(lo) + inner + f(hi)) * h / 3.0
}

/// Weights of a false positive and a false negative when choosing the banding. Every
/// candidate is verified exactly, so a false positive costs only a verification while a
/// false negative is a missed duplicate: misses weigh 99 times more. At threshold 0.8 and
/// 128 permutations this gives 18 bands of 7 rows: a pair right at the threshold is found
/// with probability 0.986 (0.40 with datasketch's equal weights), for about 28 candidate
/// pairs on the 3,788 NewsArticles instead of 17.
const LSH_WEIGHTS: (f64, f64) = (0.01, 0.99);

/// LSH banding `(bands, rows)` with `bands * rows <= num_perm` that minimises
/// `weights.0 * P(false positive) + weights.1 * P(false negative)`: pairs below `threshold`
/// sharing a band, pairs above it sharing none, for Jaccard similarity spread uniformly
/// (the criterion of datasketch's `MinHashLSH`).
pub fn lsh_params(threshold: f64, num_perm: usize, weights: (f64, f64)) -> (usize, usize) {
    let mut best = (f64::INFINITY, (1, num_perm.max(1)));
    for b in 1..=num_perm {
        for r in 1..=num_perm / b {
            let collide = |s: f64| 1.0 - (1.0 - s.powi(r as i32)).powi(b as i32);
            let fp = integrate(collide, 0.0, threshold);
            let fnr = integrate(|s| 1.0 - collide(s), threshold, 1.0);
            let err = weights.0 * fp + weights.1 * fnr;
            if err < best.0 {
                best = (err, (b, r));
            }
        }
    }
    best.1
}

/// Disjoint sets over `0..n` (path halving, union by smaller root index so that a group's
/// root is its first member).
struct UnionFind(Vec<u32>);

impl UnionFind {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let up = self.0[self.0[x as usize] as usize];
            self.0[x as usize] = up;
            x = up;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        let (lo, hi) = (ra.min(rb), ra.max(rb));
        self.0[hi as usize] = lo;
    }
}

/// Largest LSH bucket whose members are all paired; a larger bucket (many copies of one
/// text) pairs each member with the previous one and the first one, so candidates grow
/// linearly instead of quadratically.
const FULL_BUCKET: usize = 64;

/// Candidate pairs `(i, j)`, `i < j`, sorted and deduplicated: documents sharing a band.
fn candidate_pairs(
    sigs: &[Option<Vec<u32>>],
    bands: usize,
    rows: usize,
    seed: u64,
) -> Vec<(u32, u32)> {
    let mut pairs: Vec<(u32, u32)> = (0..bands)
        .into_par_iter()
        .flat_map_iter(|band| {
            let span = band * rows..(band + 1) * rows;
            let band_seed = seed ^ (band as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let mut keys: Vec<(u64, u32)> = sigs
                .iter()
                .enumerate()
                .filter_map(|(d, s)| s.as_ref().map(|s| (d, s)))
                .map(|(d, s)| {
                    let bytes: Vec<u8> = s[span.clone()]
                        .iter()
                        .flat_map(|v| v.to_le_bytes())
                        .collect();
                    (xxh3_64_with_seed(&bytes, band_seed), d as u32)
                })
                .collect();
            keys.sort_unstable();
            let mut out = Vec::new();
            for bucket in keys.chunk_by(|x, y| x.0 == y.0).filter(|b| b.len() > 1) {
                let docs: Vec<u32> = bucket.iter().map(|e| e.1).collect();
                if docs.len() <= FULL_BUCKET {
                    for (i, &a) in docs.iter().enumerate() {
                        out.extend(docs[i + 1..].iter().map(|&b| (a, b)));
                    }
                } else {
                    out.extend(docs[1..].iter().map(|&b| (docs[0], b)));
                    out.extend(docs.windows(2).skip(1).map(|w| (w[0], w[1])));
                }
            }
            out
        })
        .collect();
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Candidate pairs verified per round: each round skips the pairs an earlier round already
/// joined, computes the missing shingle sets in parallel, then joins the verified pairs.
const ROUND: usize = 8192;

/// Groups of near-duplicate texts: each group lists its members (positions in `texts`,
/// ascending), groups ordered by their first member; texts without a near duplicate are in
/// no group. Two texts are near duplicates when the Jaccard similarity of their shingle sets
/// is at least `threshold` and LSH made them a candidate pair; groups join near duplicates
/// transitively. Texts without shingles (empty after normalisation) are never grouped.
pub fn near_duplicate_groups<S: AsRef<str> + Sync>(
    texts: &[S],
    opts: &Options,
) -> Result<Vec<Vec<usize>>> {
    near_duplicate_groups_until(texts, opts, &Interrupt::default())
}

/// [`near_duplicate_groups`] that gives up with [`Error::Interrupted`] soon after `stop` is
/// set.
pub fn near_duplicate_groups_until<S: AsRef<str> + Sync>(
    texts: &[S],
    opts: &Options,
    stop: &Interrupt,
) -> Result<Vec<Vec<usize>>> {
    opts.validate()?;
    if texts.len() > u32::MAX as usize {
        return Err(Error::param("texts", "more than 2^32 - 1 documents"));
    }
    let hasher = MinHasher::new(opts.num_perm, opts.shingle, opts.analyzer, opts.seed);
    let sigs: Vec<Option<Vec<u32>>> = texts
        .par_iter()
        .with_min_len(4)
        .map(|t| {
            (!stop.is_set())
                .then(|| hasher.signature(t.as_ref()))
                .flatten()
        })
        .collect();
    stop.check()?;
    let (bands, rows) = lsh_params(opts.threshold, opts.num_perm, LSH_WEIGHTS);
    let pairs = candidate_pairs(&sigs, bands, rows, opts.seed);
    drop(sigs);

    // Last candidate pair needing each document's set: sets are freed after that round.
    let mut last_use = vec![0usize; texts.len()];
    for (p, &(a, b)) in pairs.iter().enumerate() {
        last_use[a as usize] = p;
        last_use[b as usize] = p;
    }
    let mut sets: Vec<Option<Vec<u64>>> = vec![None; texts.len()];
    let mut uf = UnionFind((0..texts.len() as u32).collect());
    for (round, chunk) in pairs.chunks(ROUND).enumerate() {
        stop.check()?;
        let todo: Vec<(u32, u32)> = chunk
            .iter()
            .copied()
            .filter(|&(a, b)| uf.find(a) != uf.find(b))
            .collect();
        let mut need: Vec<u32> = todo.iter().flat_map(|&(a, b)| [a, b]).collect();
        need.sort_unstable();
        need.dedup();
        need.retain(|&d| sets[d as usize].is_none());
        let built: Vec<(u32, Vec<u64>)> = need
            .par_iter()
            .map(|&d| (d, hasher.shingle_set(texts[d as usize].as_ref())))
            .collect();
        for (d, s) in built {
            sets[d as usize] = Some(s);
        }
        let verified: Vec<bool> = todo
            .par_iter()
            .map(|&(a, b)| {
                let (sa, sb) = (sets[a as usize].as_deref(), sets[b as usize].as_deref());
                jaccard(sa.unwrap_or_default(), sb.unwrap_or_default()) >= opts.threshold
            })
            .collect();
        for (&(a, b), ok) in todo.iter().zip(verified) {
            if ok {
                uf.union(a, b);
            }
        }
        let done = (round + 1) * ROUND;
        for &(a, b) in chunk {
            for d in [a, b] {
                if last_use[d as usize] < done {
                    sets[d as usize] = None;
                }
            }
        }
    }

    let mut members: Vec<Vec<usize>> = vec![Vec::new(); texts.len()];
    for d in 0..texts.len() {
        let root = uf.find(d as u32) as usize;
        members[root].push(d);
    }
    Ok(members.into_iter().filter(|m| m.len() > 1).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn shingles(text: &str, k: usize, analyzer: Analyzer) -> Vec<String> {
        let mut out = Vec::new();
        for_each_shingle(&normalise(text), k, analyzer, |s| out.push(s.to_string()));
        out
    }

    #[test]
    fn normalise_collapses_whitespace_and_case() {
        assert_eq!(normalise("  The\tCAT \n\n sat  "), "the cat sat");
        assert_eq!(normalise(" \n "), "");
        assert_eq!(normalise("ÉTÉ À Paris"), "été à paris");
    }

    #[test]
    fn shingles_of_characters_and_words() {
        assert_eq!(shingles("Abcd", 3, Analyzer::Char), ["abc", "bcd"]);
        assert_eq!(shingles("ab", 3, Analyzer::Char), ["ab"]);
        assert_eq!(shingles("été", 2, Analyzer::Char), ["ét", "té"]);
        assert_eq!(
            shingles("the  cat sat down", 2, Analyzer::Word),
            ["the cat", "cat sat", "sat down"]
        );
        assert_eq!(shingles("one", 2, Analyzer::Word), ["one"]);
        assert!(shingles("   ", 2, Analyzer::Word).is_empty());
        assert!(shingles("", 2, Analyzer::Char).is_empty());
    }

    #[test]
    fn lsh_params_match_datasketch() {
        // Values of datasketch.lsh._optimal_param(t, n, fp_weight, fn_weight) (2.0.0).
        assert_eq!(lsh_params(0.8, 128, (0.5, 0.5)), (9, 13));
        assert_eq!(lsh_params(0.5, 128, (0.5, 0.5)), (25, 5));
        assert_eq!(lsh_params(0.9, 64, (0.5, 0.5)), (3, 21));
        assert_eq!(lsh_params(1.0, 128, (0.5, 0.5)), (1, 128));
        assert_eq!(lsh_params(0.8, 128, (0.1, 0.9)), (14, 9));
        assert_eq!(lsh_params(0.5, 64, (0.1, 0.9)), (21, 3));
        assert_eq!(lsh_params(0.9, 256, (0.1, 0.9)), (13, 19));
        assert_eq!(lsh_params(0.8, 128, LSH_WEIGHTS), (18, 7));
        assert_eq!(lsh_params(0.5, 64, LSH_WEIGHTS), (19, 2));
        assert_eq!(lsh_params(0.9, 256, LSH_WEIGHTS), (17, 15));
    }

    #[test]
    fn long_texts_squeeze_repeats_to_the_same_set() {
        let words = ["dispatch ", "minister ", "bamako ", "lavrov ", "talks "];
        let text: String = (0..400_000).map(|i| words[(i * 7 + i / 3) % 5]).collect();
        let h = MinHasher::new(4, 5, Analyzer::Char, 3);
        let mut naive = Vec::new();
        h.each_hash(&text, |x| naive.push(x));
        naive.sort_unstable();
        naive.dedup();
        assert_eq!(h.shingle_set(&text), naive);
    }

    #[test]
    fn jaccard_of_sorted_sets() {
        assert_eq!(jaccard(&[1, 2, 3], &[2, 3, 4]), 0.5);
        assert_eq!(jaccard(&[], &[]), 0.0);
        assert_eq!(jaccard(&[1], &[1]), 1.0);
    }

    #[test]
    fn bad_options_name_the_parameter() {
        let ok = Options {
            threshold: 0.8,
            num_perm: 128,
            shingle: 5,
            analyzer: Analyzer::Char,
            seed: 0,
        };
        assert!(ok.validate().is_ok());
        let e = |o: Options| o.validate().unwrap_err().to_string();
        assert!(e(Options {
            threshold: 0.0,
            ..ok
        })
        .starts_with("threshold:"));
        assert!(e(Options {
            threshold: 1.5,
            ..ok
        })
        .starts_with("threshold:"));
        assert!(e(Options { num_perm: 0, ..ok }).starts_with("num_perm:"));
        assert!(e(Options { shingle: 0, ..ok }).starts_with("shingle:"));
    }

    fn brute_groups(texts: &[String], opts: &Options) -> Vec<Vec<usize>> {
        let h = MinHasher::new(opts.num_perm, opts.shingle, opts.analyzer, opts.seed);
        let sets: Vec<Vec<u64>> = texts.iter().map(|t| h.shingle_set(t)).collect();
        let mut uf = UnionFind((0..texts.len() as u32).collect());
        for i in 0..texts.len() {
            for j in i + 1..texts.len() {
                if jaccard(&sets[i], &sets[j]) >= opts.threshold {
                    uf.union(i as u32, j as u32);
                }
            }
        }
        let mut m: Vec<Vec<usize>> = vec![vec![]; texts.len()];
        for d in 0..texts.len() {
            m[uf.find(d as u32) as usize].push(d);
        }
        m.into_iter().filter(|g| g.len() > 1).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        // Texts drawn from a tiny alphabet: many exact and near duplicates. With threshold
        // 1.0 LSH cannot miss (equal sets have equal signatures), so the groups must be the
        // brute-force ones exactly; lower thresholds may only miss pairs, never add one.
        #[test]
        fn groups_are_exact_at_one_and_never_false(
            texts in proptest::collection::vec("[ab ]{0,12}", 0..24),
            threshold in 0.3f64..1.0,
        ) {
            let mut opts = Options { threshold: 1.0, num_perm: 32, shingle: 2,
                analyzer: Analyzer::Char, seed: 7 };
            prop_assert_eq!(near_duplicate_groups(&texts, &opts).unwrap(),
                brute_groups(&texts, &opts));
            opts.threshold = threshold;
            let want = brute_groups(&texts, &opts);
            for g in near_duplicate_groups(&texts, &opts).unwrap() {
                prop_assert!(want.iter().any(|w| g.iter().all(|d| w.contains(d))));
            }
        }
    }

    #[test]
    fn large_buckets_stay_linear_and_complete() {
        let texts: Vec<String> = (0..5000).map(|_| "the same dispatch".to_string()).collect();
        let opts = Options {
            threshold: 0.9,
            num_perm: 64,
            shingle: 3,
            analyzer: Analyzer::Char,
            seed: 1,
        };
        let groups = near_duplicate_groups(&texts, &opts).unwrap();
        assert_eq!(groups, vec![(0..5000).collect::<Vec<_>>()]);
        let stop = Interrupt::default();
        stop.set();
        let stopped = near_duplicate_groups_until(&texts, &opts, &stop);
        assert!(matches!(stopped, Err(Error::Interrupted)));
    }
}
