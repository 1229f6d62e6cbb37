//! Gazetteers: the built-in multilingual one embedded in the binary (generated from CLDR,
//! ISO 3166, GeoNames and a given-name dictionary by `tools/make_gazetteer.py`) and the
//! user's own, matched over the whole text with Aho-Corasick, case- and accent-insensitively.

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};
use rustc_hash::{FxHashMap, FxHashSet};

use super::canonical::{fold, fold_with_map, name_key};
use super::EntityType;
use crate::error::{Error, Result};

const GAZETTEER_TSV: &str = include_str!("data/gazetteer.tsv");
const GIVEN_NAMES: &str = include_str!("data/given_names.txt");
const CALENDAR_WORDS: &str = include_str!("data/calendar_words.txt");

/// Suffixes that turn a country or region name into a nationality word (Russia → Russian,
/// Mali → Malian, China → Chinese, Mali → Malien, Russia → Russo-): `(letters to drop from
/// the name, suffix to add)`. A structural rule, not a list of nationalities.
const DEMONYM_RULES: &[(usize, &str)] = &[
    (0, "n"),
    (0, "an"),
    (0, "ian"),
    (1, "an"),
    (1, "ian"),
    (0, "ese"),
    (1, "ese"),
    (0, "i"),
    (0, "en"),
    (0, "ien"),
    (1, "ien"),
    (0, "ienne"),
    (1, "ienne"),
    (0, "ais"),
    (1, "ais"),
    (1, "o"),
    (2, "o"),
];

/// One place, organisation or nationality word of a gazetteer.
#[derive(Debug, Clone, PartialEq)]
pub struct GazEntry {
    /// The canonical name every alias maps to.
    pub canonical: String,
    /// Entity type.
    pub etype: EntityType,
    /// A city (its one-word names can also be surnames).
    pub city: bool,
}

/// The built-in gazetteer, parsed once on first use.
pub struct Builtin {
    /// Folded alias → entry index.
    aliases: FxHashMap<String, u32>,
    /// ISO 3166 codes (upper case, no dots) → entry index.
    codes: FxHashMap<String, u32>,
    /// Entries.
    pub entries: Vec<GazEntry>,
    given: FxHashSet<String>,
    calendar: FxHashSet<String>,
    demonyms: FxHashSet<String>,
}

impl Builtin {
    /// The shared instance.
    pub fn get() -> &'static Builtin {
        static B: OnceLock<Builtin> = OnceLock::new();
        B.get_or_init(Builtin::parse)
    }

    fn parse() -> Builtin {
        let mut aliases = FxHashMap::default();
        let mut codes = FxHashMap::default();
        let mut entries = Vec::new();
        let mut demonyms = FxHashSet::default();
        for line in GAZETTEER_TSV.lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            let mut parts = line.split('\t');
            let (Some(kind), Some(canonical), alias_field, code_field) = (
                parts.next(),
                parts.next(),
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
            ) else {
                continue;
            };
            let etype = match kind {
                "ORG" => EntityType::Org,
                "MISC" => EntityType::Misc,
                _ => EntityType::Loc,
            };
            let id = entries.len() as u32;
            entries.push(GazEntry {
                canonical: canonical.to_string(),
                etype,
                city: kind == "CITY",
            });
            for code in code_field.split('|').filter(|c| !c.is_empty()) {
                codes.entry(code.to_string()).or_insert(id);
            }
            let names = std::iter::once(canonical).chain(alias_field.split('|'));
            for name in names.filter(|n| !n.is_empty()) {
                let key = fold(name);
                // Earlier rows (countries, larger cities) win a shared alias. Spans of several
                // tokens are looked up by their name key ("Côte d’Ivoire" → "cote d ivoire",
                // "Guinea-Bissau" → "guinea bissau"), single words by their folded form.
                aliases.entry(name_key(name)).or_insert(id);
                aliases.entry(key.clone()).or_insert(id);
                if kind == "LOC" {
                    add_demonyms(&key, &mut demonyms);
                }
            }
        }
        let words = |src: &str| -> FxHashSet<String> {
            src.lines()
                .filter(|l| !l.starts_with('#') && !l.is_empty())
                .map(fold)
                .collect()
        };
        Builtin {
            aliases,
            codes,
            entries,
            given: words(GIVEN_NAMES),
            calendar: words(CALENDAR_WORDS),
            demonyms,
        }
    }

    /// The entry a folded name is an alias of.
    pub fn lookup(&self, folded: &str) -> Option<u32> {
        self.aliases.get(folded).copied()
    }

    /// The entry of a country code written in capitals, with or without full stops (US,
    /// U.S., USA). Codes are not matched in any other case: "us" is a pronoun.
    pub fn lookup_code(&self, word: &str) -> Option<u32> {
        let code: String = word.chars().filter(|&c| c != '.').collect();
        if !(2..=3).contains(&code.len()) || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return None;
        }
        self.codes.get(&code).copied()
    }

    /// Whether a folded word is a known given name.
    pub fn is_given_name(&self, folded: &str) -> bool {
        self.given.contains(folded)
    }

    /// Whether a folded word is a month or weekday name (English or French).
    pub fn is_calendar_word(&self, folded: &str) -> bool {
        self.calendar.contains(folded)
    }

    /// Whether a folded word is a nationality word (Russian, Malians, Russo-) derived from a
    /// country or region name of the gazetteer, or a language name.
    pub fn is_demonym(&self, folded: &str) -> bool {
        if self.demonyms.contains(folded) {
            return true;
        }
        let singular = folded.strip_suffix('s').unwrap_or(folded);
        if self.demonyms.contains(singular) {
            return true;
        }
        matches!(self.lookup(folded).or_else(|| self.lookup(singular)),
            Some(i) if self.entries[i as usize].etype == EntityType::Misc)
    }
}

fn add_demonyms(name: &str, out: &mut FxHashSet<String>) {
    // North Korea → Korean, Latin America → American.
    let name = name.rsplit(' ').next().unwrap_or(name);
    if name.len() < 4 {
        return;
    }
    for &(drop, suffix) in DEMONYM_RULES {
        let chars: Vec<char> = name.chars().collect();
        if chars.len() <= drop + 2 {
            continue;
        }
        let stem: String = chars[..chars.len() - drop].iter().collect();
        out.insert(format!("{stem}{suffix}"));
    }
}

/// A user gazetteer: canonical names with a type and aliases, matched anywhere in the text.
#[derive(Debug, Clone)]
pub struct UserGazetteer {
    /// Entries in the order given.
    pub entries: Vec<GazEntry>,
    /// Pattern index → entry index.
    pattern_entry: Vec<u32>,
    matcher: AhoCorasick,
}

/// A user gazetteer hit: byte span in the original text and the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserMatch {
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset after the last character.
    pub end: usize,
    /// Entry index.
    pub entry: u32,
}

impl UserGazetteer {
    /// Build from `(canonical, type, aliases)` entries; the canonical name is an alias too.
    /// A type outside PER/LOC/ORG/MISC or an empty name is a `ValueError` naming the entry.
    pub fn new(items: Vec<(String, String, Vec<String>)>) -> Result<Self> {
        let mut entries = Vec::with_capacity(items.len());
        let mut patterns = Vec::new();
        let mut pattern_entry = Vec::new();
        let mut seen = FxHashSet::default();
        for (canonical, kind, aliases) in items {
            let bad =
                |msg: String| Error::param("gazetteer", format!("entry {canonical:?}: {msg}"));
            let etype = EntityType::parse(&kind).ok_or_else(|| {
                bad(format!(
                    "type must be one of PER, LOC, ORG, MISC, got {kind:?}"
                ))
            })?;
            if canonical.trim().is_empty() {
                return Err(bad("the canonical name is empty".into()));
            }
            let id = entries.len() as u32;
            for alias in std::iter::once(&canonical).chain(aliases.iter()) {
                let key = fold(alias.trim());
                if key.is_empty() {
                    return Err(bad("an alias is empty".into()));
                }
                // The first entry that claims an alias keeps it.
                if seen.insert(key.clone()) {
                    patterns.push(key);
                    pattern_entry.push(id);
                }
            }
            entries.push(GazEntry {
                canonical,
                etype,
                city: false,
            });
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .map_err(|e| Error::param("gazetteer", format!("cannot build the matcher: {e}")))?;
        Ok(UserGazetteer {
            entries,
            pattern_entry,
            matcher,
        })
    }

    /// Whole-word, case- and accent-insensitive matches in `text`, left to right, not
    /// overlapping.
    pub fn find(&self, text: &str) -> Vec<UserMatch> {
        let (folded, map) = fold_with_map(text);
        let fb = folded.as_bytes();
        let word = |b: Option<&u8>| b.is_some_and(|&c| c.is_ascii_alphanumeric() || c >= 0x80);
        let mut out = Vec::new();
        for m in self.matcher.find_iter(&folded) {
            let (s, e) = (m.start(), m.end());
            let before = if s == 0 { None } else { fb.get(s - 1) };
            if word(before) || word(fb.get(e)) {
                continue;
            }
            out.push(UserMatch {
                start: map[s],
                end: map[e],
                entry: self.pattern_entry[m.pattern().as_usize()],
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_maps_exonyms_to_one_name() {
        let g = Builtin::get();
        let name = |s: &str| {
            g.lookup(&fold(s))
                .map(|i| g.entries[i as usize].canonical.clone())
        };
        for alias in [
            "Russie",
            "Fédération de Russie",
            "Russian Federation",
            "Russia",
        ] {
            assert_eq!(name(alias).as_deref(), Some("Russia"), "{alias}");
        }
        assert_eq!(name("Moscou").as_deref(), Some("Moscow"));
        assert_eq!(name("Afrique").as_deref(), Some("Africa"));
        assert_eq!(name("États-Unis").as_deref(), Some("United States"));
        assert!(g.is_given_name("sergei"));
        assert!(g.is_calendar_word("fevrier"));
        assert!(g.is_calendar_word("monday"));
        for d in ["russian", "malian", "malians", "french", "russo", "chinese"] {
            assert!(g.is_demonym(d), "{d}");
        }
        assert!(!g.is_demonym("lavrov"));
        assert!(g.is_demonym("american"));
        let us = g
            .lookup_code("U.S.")
            .map(|i| g.entries[i as usize].canonical.as_str());
        assert_eq!(us, Some("United States"));
        assert_eq!(g.lookup_code("Us"), None);
        assert_eq!(name("Casablanca").as_deref(), Some("Casablanca"));
        assert_eq!(name("White House"), None);
    }

    #[test]
    fn user_gazetteer_matches_whole_words_ignoring_case_and_accents() {
        let g = UserGazetteer::new(vec![(
            "Wagner Group".into(),
            "ORG".into(),
            vec!["Wagner".into(), "groupe Wagner".into()],
        )])
        .unwrap();
        let t = "Le groupe WAGNER et wagnerian; Wágner.";
        let hits: Vec<&str> = g.find(t).iter().map(|m| &t[m.start..m.end]).collect();
        assert_eq!(hits, ["groupe WAGNER", "Wágner"]);
    }

    #[test]
    fn user_gazetteer_rejects_bad_entries_by_name() {
        let e = UserGazetteer::new(vec![("X".into(), "PERSON".into(), vec![])]).unwrap_err();
        assert!(e.to_string().contains("\"X\""), "{e}");
        let e = UserGazetteer::new(vec![("Y".into(), "PER".into(), vec![" ".into()])]).unwrap_err();
        assert!(e.to_string().contains("\"Y\""), "{e}");
    }
}
