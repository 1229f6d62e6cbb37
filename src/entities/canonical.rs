//! Canonical names: folding (case, accents, apostrophes, hyphens), transliteration keys and
//! the batch-wide clustering of mentions into entities.
//!
//! Rules, in order (each mention ends in exactly one entity, the same for the whole batch):
//! 1. a gazetteer alias (user gazetteer first, then the built-in one) maps to its canonical
//!    name: Russie / Fédération de Russie / Russian Federation → Russia, Moscou → Moscow;
//! 2. names equal after folding merge: Goïta / Goita / GOÏTA;
//! 3. multi-word names with the same folded last word whose other words (middle initials
//!    aside) have the same transliteration key and differ by at most two edits merge:
//!    Sergueï Lavrov = Sergei Lavrov, Donald J. Trump = Donald Trump. The key is the folded word's consonant skeleton (first letter kept, vowels and
//!    `h`/`w`/`y` dropped, `ou`→`u`, `gu`→`g`, doubled letters collapsed): romanisations of
//!    the same Cyrillic or Arabic name differ in how they write vowels and glides (ei/eï/ey,
//!    u/ou, kh/h) far more than in their consonants, and the edit bound keeps distinct names
//!    with the same consonants (Mali/Mila) apart. The rule only applies next to an exactly
//!    shared surname, which is what makes it safe;
//! 4. a one-word name that is the last word of a person's full name merges into it: first the
//!    full name in the same document, else the batch's only such full name, or the one with
//!    at least two thirds of the mentions of all such full names (Trump → Donald Trump);
//! 5. the display name of a cluster is the gazetteer's canonical name, else its fullest
//!    spelling (most words: Sergei Lavrov, not Lavrov), then the most frequent one (ties: more
//!    accented letters, then alphabetical).

use rustc_hash::FxHashMap;
use unicode_normalization::char::decompose_canonical;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Fold one character into `out`: lower case, accents dropped, typographic apostrophes and
/// dashes to ASCII, ligatures spelled out. Returns nothing; appends 0 or more chars.
#[inline]
fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{00B4}' | '`' => out.push('\''),
        '\u{2010}'..='\u{2015}' => out.push('-'),
        'ß' => out.push_str("ss"),
        'œ' | 'Œ' => out.push_str("oe"),
        'æ' | 'Æ' => out.push_str("ae"),
        '\u{00A0}' | '\u{202F}' => out.push(' '),
        _ => decompose_canonical(c, |d| {
            if d.general_category() != GeneralCategory::NonspacingMark {
                out.extend(d.to_lowercase());
            }
        }),
    }
}

/// Case- and accent-folded form of `s` (see [`fold_char`]); used for every comparison of names.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    out
}

/// [`fold`] into a reused buffer (cleared first).
pub fn fold_into(s: &str, out: &mut String) {
    out.clear();
    if s.is_ascii() {
        out.push_str(s);
        out.make_ascii_lowercase();
        return;
    }
    for c in s.chars() {
        fold_char(c, out);
    }
}

/// [`fold`] plus, for every byte offset of the folded string (and its end), the byte offset
/// of the original character it came from.
pub fn fold_with_map(s: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len() + 1);
    for (i, c) in s.char_indices() {
        let before = out.len();
        fold_char(c, &mut out);
        map.resize(map.len() + (out.len() - before), i);
    }
    map.push(s.len());
    (out, map)
}

/// Key under which names are compared: folded, hyphens and apostrophes as spaces, spaces
/// collapsed.
pub fn name_key(s: &str) -> String {
    let f = fold(s);
    if !f.contains([' ', '-', '\'', '.']) && !f.contains(char::is_whitespace) {
        return f;
    }
    let mut out = String::with_capacity(f.len());
    for w in f.split([' ', '-', '\'', '.']) {
        if !w.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        }
    }
    out
}

/// Transliteration key of one folded word (see the module documentation).
pub fn skeleton(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut last = '\0';
    let mut prev = '\0';
    for (i, c) in word.chars().enumerate() {
        // "ou" → "u", "gu" → "g": the u after o or g is dropped (it is a vowel anyway unless
        // it opens the word).
        let glide = c == 'u' && matches!(prev, 'o' | 'g');
        prev = c;
        if glide {
            continue;
        }
        let keep = i == 0 || !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'h' | 'w' | 'y');
        if keep && c != last {
            out.push(c);
        }
        last = c;
    }
    out
}

/// Levenshtein distance, bounded: returns `max + 1` as soon as the distance exceeds `max`.
pub fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..=b.len() {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            cur[j] = sub.min(prev[j] + 1).min(cur[j - 1] + 1);
            row_min = row_min.min(cur[j]);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(max + 1)
}

/// Union-find over cluster ids, smaller id as root so results do not depend on merge order.
pub struct UnionFind(Vec<u32>);

impl UnionFind {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        UnionFind((0..n as u32).collect())
    }
    /// Root of `x`.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let p = self.0[x as usize];
            self.0[x as usize] = self.0[p as usize];
            x = p;
        }
        x
    }
    /// Merge the set of `child` into the set of `parent`, whose root stays the root.
    pub fn attach(&mut self, child: u32, parent: u32) {
        let (rc, rp) = (self.find(child), self.find(parent));
        if rc != rp {
            self.0[rc as usize] = rp;
        }
    }

    /// Merge the sets of `a` and `b`.
    pub fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.0[hi as usize] = lo;
        }
    }
}

/// Merge multi-word name keys that are transliteration variants of each other (rule 3).
/// `keys[i]` is a name key; merges are applied to `uf`.
pub fn merge_transliterations(keys: &[&str], mergeable: &[bool], uf: &mut UnionFind) {
    // Bucket by (last word, skeleton of the other words): only candidates in one bucket are
    // compared, so the work stays near-linear.
    let mut buckets: FxHashMap<(String, String), Vec<u32>> = FxHashMap::default();
    for (i, k) in keys.iter().enumerate() {
        if !mergeable[i] {
            continue;
        }
        let Some((head, last)) = k.rsplit_once(' ') else {
            continue;
        };
        // Middle initials do not count (Donald J. Trump = Donald Trump).
        let skel: Vec<String> = head
            .split(' ')
            .filter(|w| w.chars().count() > 1)
            .map(skeleton)
            .collect();
        buckets
            .entry((last.to_string(), skel.join(" ")))
            .or_default()
            .push(i as u32);
    }
    let mut groups: Vec<_> = buckets.into_values().filter(|v| v.len() > 1).collect();
    groups.sort_unstable();
    for ids in groups {
        for (n, &a) in ids.iter().enumerate() {
            for &b in &ids[n + 1..] {
                if edit_distance(keys[a as usize], keys[b as usize], 2) <= 2 {
                    uf.union(a, b);
                }
            }
        }
    }
}

/// The display name among spellings with their counts (rule 5).
pub fn display_name<'a>(spellings: impl Iterator<Item = (&'a str, usize)>) -> String {
    let accented = |s: &str| s.chars().filter(|c| !c.is_ascii()).count();
    spellings
        .max_by(|(a, na), (b, nb)| {
            let words = |s: &str| s.split_whitespace().count();
            words(a)
                .cmp(&words(b))
                .then_with(|| na.cmp(nb))
                .then_with(|| accented(a).cmp(&accented(b)))
                .then_with(|| b.cmp(a))
        })
        .map(|(s, _)| s.to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn folding() {
        assert_eq!(fold("Goïta’s"), "goita's");
        assert_eq!(fold("MAÏGA"), "maiga");
        assert_eq!(fold("Œuvre Straße"), "oeuvre strasse");
        assert_eq!(name_key("Fédération  de-Russie"), "federation de russie");
        let (f, map) = fold_with_map("aÉb");
        assert_eq!(f, "aeb");
        assert_eq!(map, vec![0, 1, 3, 4]);
    }

    #[test]
    fn transliteration_keys() {
        assert_eq!(skeleton("serguei"), skeleton("sergei"));
        assert_eq!(skeleton("sergey"), skeleton("sergei"));
        assert_ne!(skeleton("sergei"), skeleton("boris"));
        assert_eq!(edit_distance("serguei lavrov", "sergei lavrov", 2), 1);
        assert_eq!(edit_distance("abc", "xyzuvw", 2), 3);
    }

    #[test]
    fn transliterations_merge_only_next_to_a_shared_surname() {
        let keys = [
            "serguei lavrov",
            "sergei lavrov",
            "sergei ivanov",
            "mali",
            "mila",
            "sergei v lavrov",
        ];
        let mut uf = UnionFind::new(keys.len());
        merge_transliterations(&keys, &[true; 6], &mut uf);
        assert_eq!(uf.find(1), 0);
        assert_eq!(uf.find(5), 0);
        assert_eq!(uf.find(2), 2);
        assert_eq!(uf.find(4), 4);
    }

    #[test]
    fn display_prefers_frequent_then_accented() {
        assert_eq!(
            display_name([("Maiga", 1), ("Maïga", 1)].into_iter()),
            "Maïga"
        );
        assert_eq!(
            display_name([("Sergei", 3), ("Sergueï", 1)].into_iter()),
            "Sergei"
        );
        assert_eq!(
            display_name([("Lavrov", 9), ("Sergei Lavrov", 1)].into_iter()),
            "Sergei Lavrov"
        );
    }

    proptest! {
        #[test]
        fn fold_map_points_at_char_starts(s in "\\PC{0,40}") {
            let (f, map) = fold_with_map(&s);
            prop_assert_eq!(map.len(), f.len() + 1);
            for &i in &map {
                prop_assert!(s.is_char_boundary(i));
            }
            prop_assert_eq!(f, fold(&s));
        }
    }
}
