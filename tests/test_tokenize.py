"""Tokenizer: news rules on English and French, options, offsets, sklearn parity, bad input."""

from __future__ import annotations

import collections
import gc
import itertools
import pickle
import sys
import unicodedata
import weakref

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wirenlp as wn

# Text without lone surrogates (a Python str that cannot be UTF-8 is a separate test) and
# without characters this Python's Unicode database does not know yet (the Rust tables may be
# a newer Unicode version).
unicode_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs", "Cn"]),
    max_size=200,
)
news_text = st.lists(
    st.sampled_from([*"abcdeéèàçïAZÉ0123456789 ,.-'’%:/«»“”…—\n", "\u202f", "\u00a0", "e\u0301"]),
    max_size=120,
).map("".join)


def tok(text: str, **kw) -> list[str]:
    return wn.Tokenizer(**kw).tokenize(text)


# --- French -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("l’ambassadeur", ["ambassadeur"]),
        ("l'ambassadeur", ["ambassadeur"]),
        ("coopération d’Etat à Etat", ["coopération", "etat", "à", "etat"]),
        ("qu’il", ["il"]),
        ("jusqu’à Bamako", ["à", "bamako"]),
        ("Le Mali s’est rapproché", ["le", "mali", "est", "rapproché"]),
        ("aujourd’hui", ["aujourd'hui"]),
        ("d’aujourd’hui", ["aujourd'hui"]),
        ("l’indépendance en 1960", ["indépendance", "en", "1960"]),
        ("« la France »", ["la", "france"]),
        ("environ 1\u202f200 salariés", ["environ", "1\u202f200", "salariés"]),
    ],
)
def test_french_rules(text, expected):
    assert tok(text) == expected


def test_elision_options():
    assert tok("l’ambassadeur d’Etat", elisions="keep") == ["l'", "ambassadeur", "d'", "etat"]
    assert tok("l’ambassadeur", elisions=False) == ["l'ambassadeur"]
    assert tok("l’ambassadeur", elisions=True) == ["ambassadeur"]


# --- English ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lavrov's visit", ["lavrov", "visit"]),
        ("Goïta’s men", ["goïta", "men"]),
        ("the Russians' aid", ["the", "russians", "aid"]),
        ("between 1,500 and 2,000 men", ["between", "1,500", "and", "2,000", "men"]),
        ("60.64% of this article", ["60.64%", "of", "this", "article"]),
        ("on 2023-02-08.", ["on", "2023-02-08"]),
        ("“give a new impetus”", ["give", "a", "new", "impetus"]),
        ("Bamako — and Nouakchott…", ["bamako", "and", "nouakchott"]),
        ("the U.S. said", ["the", "u.s.", "said"]),
        ("don’t", ["don't"]),
        ("Russo-Malian forty-eight", ["russo", "malian", "forty", "eight"]),
    ],
)
def test_english_rules(text, expected):
    assert tok(text) == expected


def test_options():
    assert tok("Élection à Bamako", lowercase=False) == ["Élection", "à", "Bamako"]
    assert tok("Élection à Bamako", strip_accents="unicode") == ["election", "a", "bamako"]
    assert tok("Élection – « à »", strip_accents="ascii") == ["election", "a"]
    assert tok("Russo-Malian ties", hyphens="keep") == ["russo-malian", "ties"]
    assert tok("a bc def", min_len=2) == ["bc", "def"]
    assert tok("The minister and the envoy", stop_words="en") == ["minister", "envoy"]
    assert tok("Le ministre et la France", stop_words="fr") == ["ministre", "france"]
    assert tok("Mali and MALI and Russia", stop_words=["mali"]) == ["and", "and", "russia"]


def test_stop_words_and_stemming_follow_detected_language():
    t = wn.Tokenizer(stop_words="auto", stem=True)
    en = t.tokenize("The ministers were visiting the capitals of the region")
    fr = t.tokenize("Les ministres ont visité les capitales de la région")
    assert "the" not in en and "les" not in fr
    assert en == ["minist", "visit", "capit", "region"]
    assert fr[:2] == ["ministr", "visit"]
    # A fixed language applies its rules whatever the text.
    assert wn.Tokenizer(lang="fr", stop_words="auto").tokenize("le the") == ["the"]


def test_nfc_normalisation_fixes_nfd_text():
    nfd = unicodedata.normalize("NFD", "Élection présidentielle à Bamako")
    assert tok(nfd) == ["élection", "présidentielle", "à", "bamako"]


# --- offsets ----------------------------------------------------------------------------


def test_offsets_index_the_python_string():
    text = "« L’ambassadeur de Goïta’s » 🙂 est arrivé"
    out = wn.Tokenizer().tokenize_with_offsets(text)
    assert [t for t, _, _ in out] == ["ambassadeur", "de", "goïta", "est", "arrivé"]
    assert [text[s:e] for _, s, e in out] == ["ambassadeur", "de", "Goïta", "est", "arrivé"]


@settings(max_examples=300, deadline=None)
@given(news_text)
def test_offsets_property_news(text):
    t = wn.Tokenizer()
    out = t.tokenize_with_offsets(text)
    assert [x for x, _, _ in out] == t.tokenize(text)
    prev_end = 0
    for token, s, e in out:
        assert prev_end <= s < e <= len(text)
        prev_end = e
        surface = unicodedata.normalize("NFC", text[s:e]).lower().replace("’", "'")
        assert surface == token


@settings(max_examples=300, deadline=None)
@given(unicode_text)
def test_never_fails_on_any_text(text):
    for kw in ({}, {"stop_words": "auto", "stem": True}, {"pattern": "sklearn"}):
        t = wn.Tokenizer(**kw)
        assert t.tokenize_batch([text]) == [t.tokenize(text)]
        for _, s, e in t.tokenize_with_offsets(text):
            assert 0 <= s <= e <= len(text)


# --- sklearn parity ---------------------------------------------------------------------


def _sk_analyzer(**kw):
    text_mod = pytest.importorskip("sklearn.feature_extraction.text")
    return text_mod.CountVectorizer(**kw).build_analyzer()


@settings(max_examples=300, deadline=None)
@given(unicode_text)
def test_sklearn_mode_matches_sklearn_on_any_text(text):
    analyzer = _sk_analyzer()
    assert wn.Tokenizer(pattern="sklearn").tokenize(text) == analyzer(text)


# ASCII-heavy text with long words, so that words cross the scanner's 64-byte blocks, mixed
# with characters whose lower case is longer (İ) or shorter (the Kelvin sign), depends on
# context (Σ, whose context goes across "'" and the modifier letter ʰ) or is not a word (’, —).
_block_pieces = ["é", "Σ", "ʰ", "İ", "\u212a", "ﬁ", "e\u0301", "\u00a0", "x" * 63, "Word" * 9]
block_text = st.lists(
    st.sampled_from([*"abcXYZ_09 ,.'’-—", *_block_pieces]),
    max_size=150,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(block_text, st.booleans())
def test_sklearn_mode_matches_sklearn_across_scanner_blocks(text, lowercase):
    analyzer = _sk_analyzer(lowercase=lowercase)
    tok = wn.Tokenizer(pattern="sklearn", lowercase=lowercase)
    assert tok.tokenize(text) == analyzer(text)
    # token ids take another path (keys made in registers, capital sigmas found in runs)
    first = "mali" if lowercase else "Mali"
    assert _from_ids(tok.token_ids(["Mali", text])) == [[first], analyzer(text)]


@pytest.mark.parametrize("strip", [None, "unicode", "ascii"])
@pytest.mark.parametrize("lowercase", [True, False])
def test_sklearn_mode_matches_sklearn_on_seeds(seeds_dir, strip, lowercase):
    texts = [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]
    analyzer = _sk_analyzer(strip_accents=strip, lowercase=lowercase)
    t = wn.Tokenizer(pattern="sklearn", strip_accents=strip, lowercase=lowercase)
    assert t.tokenize_batch(texts) == [analyzer(x) for x in texts]


def test_sklearn_mode_matches_sklearn_on_news(news):
    analyzer = _sk_analyzer()
    got = wn.Tokenizer(pattern="sklearn").tokenize_batch(news)
    assert got.index.equals(news.index)
    assert got.tolist() == [analyzer(x) for x in news]


def test_sklearn_mode_offsets():
    text = "İstanbul’s ÉLAN, 1,500 men"
    out = wn.Tokenizer(pattern="sklearn").tokenize_with_offsets(text)
    assert [t for t, _, _ in out] == _sk_analyzer()(text)
    for token, s, e in out:
        assert text[s:e].lower().endswith(token[-1])


# --- batches, pandas, pickling ----------------------------------------------------------


def test_batch_keeps_pandas_index_and_matches_single_calls():
    s = pd.Series(["Le Mali.", "Moscou et Bamako", ""], index=["x", "y", "z"], name="body")
    out = wn.Tokenizer().tokenize_batch(s)
    assert isinstance(out, pd.Series)
    assert out.index.tolist() == ["x", "y", "z"] and out.name == "body"
    assert out.tolist() == [["le", "mali"], ["moscou", "et", "bamako"], []]
    assert wn.Tokenizer().tokenize_batch(["Le Mali.", ""], n_jobs=1) == [["le", "mali"], []]
    assert wn.Tokenizer().tokenize_batch(x for x in ["a b"]) == [["a", "b"]]


def test_input_is_not_modified():
    texts = ["Lavrov’s visit", "l’ambassadeur"]
    copy = list(texts)
    wn.Tokenizer().tokenize_batch(texts)
    assert texts == copy


def test_pickle_repr_and_params_round_trip():
    t = wn.Tokenizer(lang="fr", stop_words=["x", "y"], elisions="keep", stem=True, n_jobs=2)
    t2 = pickle.loads(pickle.dumps(t))
    assert type(t2) is wn.Tokenizer and t2 == t
    assert t2.get_params() == t.get_params()
    assert t2.tokenize("l’État") == t.tokenize("l’État")
    assert repr(t).startswith("Tokenizer(lang='fr'")
    assert repr(wn.Tokenizer()) == "Tokenizer()"


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "typename"),
    [(None, "NoneType"), (float("nan"), "float"), (b"bytes", "bytes"), (42, "int")],
)
def test_non_str_in_batch_names_position_and_type(bad, typename):
    with pytest.raises(TypeError, match=rf"texts\[1\]: expected str, got {typename}"):
        wn.Tokenizer().tokenize_batch(["ok", bad, "ok"])


def test_non_str_in_series_names_index_label():
    s = pd.Series(["ok", np.nan], index=["first", "second"])
    with pytest.raises(TypeError, match=r"texts\[1\].*float.*index label 'second'"):
        wn.Tokenizer().tokenize_batch(s)


def test_lone_surrogate_is_value_error():
    with pytest.raises(ValueError, match=r"texts\[0\].*surrogate"):
        wn.Tokenizer().tokenize_batch(["bad \ud800 text"])
    with pytest.raises(ValueError, match=r"text: .*surrogate"):
        wn.Tokenizer().tokenize("bad \udfff")


def test_empty_string_and_single_str_batch():
    assert wn.Tokenizer().tokenize("") == []
    assert wn.Tokenizer().tokenize_with_offsets("") == []
    with pytest.raises(TypeError, match="texts: expected a sequence of str, got a single str"):
        wn.Tokenizer().tokenize_batch("not a list")
    with pytest.raises(TypeError, match="text: expected str, got NoneType"):
        wn.Tokenizer().tokenize(None)


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"lang": "xx"}, "lang"),
        ({"strip_accents": "latin"}, "strip_accents"),
        ({"stop_words": "zz"}, "stop_words"),
        ({"elisions": "maybe"}, "elisions"),
        ({"hyphens": "join"}, "hyphens"),
        ({"pattern": "regex"}, "pattern"),
        ({"n_jobs": 0}, "n_jobs"),
    ],
)
def test_invalid_options_name_the_option(kw, name):
    with pytest.raises(ValueError, match=rf"^{name}:"):
        wn.Tokenizer(**kw)


def test_batch_lists_hold_one_reference_per_slot():
    # The token lists are filled by pointer stores after each str's reference count was
    # raised by its number of uses: every str must be referenced exactly by its slots (plus
    # the references this test holds), else tokens would leak or be freed while in use.
    texts = ["le Mali et le Niger", "", "Bamako, le Mali", "l’ambassadeur " * 300] * 50
    for tok in (wn.Tokenizer(), wn.Tokenizer(pattern="sklearn")):
        out = tok.tokenize_batch(texts, n_jobs=2)
        assert out == [tok.tokenize(t) for t in texts]
        slots = collections.Counter(id(t) for doc in out for t in doc)
        distinct = {id(t): t for doc in out for t in doc}
        assert len(distinct) > 5
        gc.collect()  # the collector walks the new lists: every slot must be a live str

        def refs(held: dict) -> dict[int, int]:
            return {i: sys.getrefcount(t) for i, t in held.items()}

        held = refs(distinct)
        del out
        left = refs(distinct)
        assert all(held[i] - left[i] == n for i, n in slots.items())
        # Left holding nothing but `distinct`, as a str made here held only by a dict.
        control = {0: "".join(["con", "trol"])}
        assert set(left.values()) == set(refs(control).values())
        assert len(set(slots.values())) > 1


def test_token_lists_give_references_back_when_building_fails():
    # Each token's reference count is raised by its uses before the lists are filled; if
    # building then fails (here: code run by the garbage collection the build starts changes
    # one of the new lists), those references must be given back, or the tokens leak.
    out = wn.Tokenizer().token_ids(["le Mali et le Niger", "Bamako, le Mali"] * 300)
    before = [sys.getrefcount(w) for w in out.vocabulary]
    old = {id(o) for o in gc.get_objects()}

    def meddle(phase: str, info: dict) -> None:
        if phase == "start":
            for o in gc.get_objects(0):
                if type(o) is list and not o and id(o) not in old:
                    o.append(None)

    gc.callbacks.append(meddle)
    try:
        with pytest.raises(RuntimeError, match="changed while it was being built"):
            out.tokens()
    finally:
        gc.callbacks.remove(meddle)
    assert [sys.getrefcount(w) for w in out.vocabulary] == before
    assert out.tokens()[1] == ["bamako", "le", "mali"]


def test_batch_lists_and_the_garbage_collector():
    # While the lists are built the collector is paused; when it was running, the young
    # generation is collected once, while the new lists are still empty. The lists stay
    # tracked like any list, and the collector's state is as the caller left it.
    texts = ["le Mali et le Niger", "", "Bamako, le Mali"] * 400
    tok = wn.Tokenizer()
    collections_seen: list[int] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            collections_seen.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        assert gc.isenabled()
        out = tok.tokenize_batch(texts)
        assert gc.isenabled()
        assert collections_seen[:1] == [0] and len(collections_seen) <= 2
        assert all(gc.is_tracked(doc) for doc in out[:5])

        # A cycle through a returned list is collected like any other.
        class Node:
            back: object = None

        node = Node()
        node.back = out[0]
        out[0].append(node)
        alive = weakref.ref(node)
        del out, node
        gc.collect()
        assert alive() is None
        collections_seen.clear()
        gc.disable()
        try:
            out = tok.tokenize_batch(texts)
            assert not gc.isenabled()
            assert collections_seen == []  # the caller's choice is respected
            assert out == [tok.tokenize(t) for t in texts]
        finally:
            gc.enable()
    finally:
        gc.callbacks.remove(seen)


def test_huge_and_pathological_documents():
    big = "Sergueï Lavrov’s l’ambassadeur 1,500 U.S. " * 500_000  # ~21 MB
    out = wn.Tokenizer().tokenize_batch([big])
    assert len(out[0]) == 5 * 500_000
    for patho in ("a’" * 1_000_000, "1," * 1_000_000, "a." * 1_000_000, "l’" * 1_000_000):
        assert isinstance(wn.Tokenizer().tokenize(patho), list)


def test_rust_panic_becomes_python_exception():
    from wirenlp import _core

    with pytest.raises(RuntimeError, match="internal error"):
        _core._panic_for_test()


def test_batches_larger_than_one_chunk_match_single_calls():
    # More documents than one GIL-free step (8,192): token tables are merged across steps.
    texts = [
        f"Doc {i}: Lavrov’s visit n°{i % 97} à Bamako, l’ambassadeur {i % 13}" for i in range(9000)
    ]
    t = wn.Tokenizer(stop_words="auto")
    expected = [t.tokenize(x) for x in texts]
    assert t.tokenize_batch(texts) == expected
    # token ids of one step make their strs alongside the merge; of several steps, after
    for n in (8192, 9000):
        out = t.token_ids(texts[:n])
        assert _from_ids(out) == expected[:n]
        assert len(set(out.vocabulary)) == len(out.vocabulary)


# --- token ids ----------------------------------------------------------------------------


def _from_ids(out) -> list[list[str]]:
    vocab, ids, indptr = out
    return [[vocab[j] for j in ids[a:b]] for a, b in itertools.pairwise(indptr)]


@pytest.mark.parametrize("kw", [{}, {"stop_words": "auto", "stem": True}, {"pattern": "sklearn"}])
def test_token_ids_are_the_batch_tokens(news, kw):
    tok = wn.Tokenizer(**kw)
    texts = news.iloc[:500]
    out = tok.token_ids(texts)
    assert out.ids.dtype == np.uint32 and out.indptr.dtype == np.int64
    assert len(out.indptr) == len(texts) + 1 and out.indptr[-1] == len(out.ids)
    assert len(set(out.vocabulary)) == len(out.vocabulary)
    assert _from_ids(out) == tok.tokenize_batch(texts.tolist())
    assert out.tokens() == _from_ids(out)
    # ids number the tokens in order of first appearance
    first = dict.fromkeys(out.ids.tolist())
    assert list(first) == list(range(len(out.vocabulary)))


def test_token_ids_edge_cases_and_bad_input():
    tok = wn.Tokenizer()
    empty = tok.token_ids([])
    assert empty.vocabulary == [] and len(empty.ids) == 0 and empty.indptr.tolist() == [0]
    assert _from_ids(tok.token_ids(["", "Le Mali", ""])) == [[], ["le", "mali"], []]
    with pytest.raises(TypeError, match=r"texts\[1\]: expected str, got NoneType"):
        tok.token_ids(["a", None])
    with pytest.raises(TypeError, match=r"texts\[1\].*index label 'x'"):
        tok.token_ids(pd.Series(["a", 3], index=["w", "x"]))


def test_vocabulary_strs_are_ordinary_strs():
    # ASCII tokens are built as compact strs by hand: they must compare, hash, slice and
    # encode like strs made by Python, next to one-character and non-ASCII ones.
    words = ["a", "mali", "Été", "ab", "x" * 300, "qu'il", "1,500", "niger"]
    vocab = wn.Tokenizer(pattern="sklearn").token_ids([" ".join(words)]).vocabulary
    expected = ["mali", "été", "ab", "x" * 300, "qu", "il", "500", "niger"]
    assert vocab == expected
    assert {w: i for i, w in enumerate(vocab)} == {w: i for i, w in enumerate(expected)}
    for got, want in zip(vocab, expected, strict=True):
        assert type(got) is str and hash(got) == hash(want) and got.isascii() == want.isascii()
        assert got.encode() == want.encode() and got[1:] == want[1:] and got.upper() == want.upper()


def test_token_ids_tokens_from_hand_built_and_bad_input():
    ids = wn.TokenIds(["mali", "bamako"], np.array([1, 0, 0], dtype=np.int64), np.array([0, 0, 3]))
    assert ids.tokens() == [[], ["bamako", "mali", "mali"]]
    assert wn.TokenIds([], np.array([], dtype=np.uint32), np.array([0])).tokens() == []
    bad = [
        (["a"], [0, 1], [0, 2], r"ids: 1 is not an index into the vocabulary \(1 tokens\)"),
        (["a"], [0, 0], [0, 1], r"indptr: .* end at len\(ids\) = 2"),
        (["a"], [0, 0], [1, 2], r"indptr: must start at 0"),
        (["a"], [0, 0], [0, 2, 1, 2], r"indptr: .*never decrease"),
        (["a"], [0], [], r"indptr"),
    ]
    for vocab, i, p, msg in bad:
        with pytest.raises(ValueError, match=msg):
            wn.TokenIds(vocab, np.array(i), np.array(p, dtype=np.int64)).tokens()
