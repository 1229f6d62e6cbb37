"""Entities: mentions, canonical names, counts, matrix, story similarity, bad input."""

from __future__ import annotations

import copy
import json
import pickle
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wirenlp as wn
from wirenlp.entities import EntityExtractor, demo_entities

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "seed_entities.json").read_text())
TYPES = {"PER", "LOC", "ORG"}


@pytest.fixture(scope="module")
def seeds(seeds_dir):
    files = sorted(seeds_dir.glob("*.txt"))
    return pd.Series(
        [f.read_text(encoding="utf-8") for f in files], index=[f.name[:3] for f in files]
    )


def gold_name_of(name: str) -> str:
    for gold, variants in FIXTURE["variants"].items():
        if name == gold or name in variants:
            return gold
    return name


def test_seed_count_f1(seeds):
    counts = EntityExtractor().counts(seeds)
    counts = counts[counts["type"].isin(TYPES) & ~counts["entity"].isin(FIXTURE["misc"])]
    tp = n_pred = n_gold = 0
    for doc, gold in FIXTURE["docs"].items():
        g = Counter({name: c for name, (_, c) in gold.items()})
        rows = counts[counts["doc"] == doc]
        p = Counter()
        for name, c in zip(rows["entity"], rows["count"], strict=True):
            p[gold_name_of(name)] += int(c)
        tp += sum((p & g).values())
        n_pred += sum(p.values())
        n_gold += sum(g.values())
    precision, recall = tp / n_pred, tp / n_gold
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.95, (precision, recall, f1)


@pytest.fixture(scope="module")
def seed_mentions(seeds):
    return EntityExtractor().extract(seeds)


@pytest.mark.parametrize("gold", list(FIXTURE["variants"]))
def test_seed_variants_share_one_canonical_name(seed_mentions, gold):
    spellings = [gold, *FIXTURE["variants"][gold]]
    names = set(seed_mentions.loc[seed_mentions["mention"].isin(spellings), "entity"])
    assert len(names) == 1, (gold, names)


def test_seed_one_canonical_name_per_person_and_place(seeds):
    mentions = EntityExtractor().extract(seeds)
    # Every gold person and place is found under one name only, in every document.
    people_places = {
        n for d in FIXTURE["docs"].values() for n, (t, _) in d.items() if t in {"PER", "LOC"}
    }
    for gold in people_places - set(FIXTURE["variants"]):
        spellings = [gold, *FIXTURE["variants"].get(gold, [])]
        names = set(mentions.loc[mentions["mention"].isin(spellings), "entity"])
        assert len(names) <= 1, (gold, names)


def test_seed_stories_link_across_languages(seeds):
    sim = wn.story_similarity(seeds)
    assert sim.shape == (5, 5)
    np.testing.assert_allclose(sim, sim.T, atol=1e-12)
    np.testing.assert_allclose(np.diag(sim), 1.0)
    off = sim - 2 * np.eye(5)
    i, j = list(seeds.index).index("000"), list(seeds.index).index("003")
    assert off[i].argmax() == j and off[j].argmax() == i
    margin = 0.1
    assert sim[i, j] - np.sort(off[i])[-2] >= margin
    assert sim[i, j] - np.sort(off[j])[-2] >= margin


def test_mentions_are_python_slices(seeds):
    texts = [*seeds, "Après Goïta, « Maïga » et l’Afrique 🙂 à Moscou. Lavrov's visit."]
    df = EntityExtractor().extract(texts)
    assert list(df.columns) == ["doc", "entity", "type", "mention", "start", "end"]
    for doc, s, e, m in zip(df["doc"], df["start"], df["end"], df["mention"], strict=True):
        assert texts[doc][s:e] == m
    last = df[df["doc"] == len(texts) - 1]
    assert list(last["mention"]) == ["Goïta", "Maïga", "Afrique", "Moscou", "Lavrov"]
    assert list(last["entity"])[2:4] == ["Africa", "Moscow"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([*"Aa Éé’'.-«»\n,ZxMl/", "Mali", " de ", "M.", "Lavrov's"])).map(
            "".join
        ),
        max_size=4,
    )
)
def test_offsets_property(texts):
    df = EntityExtractor(lang="fr").extract(texts)
    for doc, s, e, m in zip(df["doc"], df["start"], df["end"], df["mention"], strict=True):
        assert texts[doc][s:e] == m
        assert m and m == m.strip()


def test_doc_is_the_index_label_and_counts_match_extract(seeds):
    ex = EntityExtractor()
    mentions = ex.extract(seeds)
    counts = ex.counts(seeds)
    assert set(counts["doc"]) <= set(seeds.index)
    expected = mentions.groupby(["doc", "entity", "type"]).size()
    got = counts.set_index(["doc", "entity", "type"])["count"]
    pd.testing.assert_series_equal(
        got.sort_index(), expected.sort_index().astype(got.dtype), check_names=False
    )
    m, names = ex.matrix(seeds)
    assert m.shape == (5, len(names))
    assert m.sum() == counts["count"].sum()
    assert list(names) == sorted(names)


def test_entity_counts_convenience(seeds):
    pd.testing.assert_frame_equal(
        wn.entity_counts(seeds, merge=False), EntityExtractor(merge=False).counts(seeds)
    )


def test_merge_false_keeps_spellings():
    texts = ["Sergei Lavrov met Diop.", "Sergueï Lavrov à Moscou."]
    names = set(EntityExtractor(merge=False).counts(texts)["entity"])
    assert {"Sergei Lavrov", "Sergueï Lavrov", "Moscou"} <= names
    merged = set(EntityExtractor().counts(texts)["entity"])
    assert len({n for n in merged if "Lavrov" in n}) == 1 and "Moscow" in merged


def test_user_gazetteer_wins_over_heuristics():
    gaz = {
        "Wagner Group": {"type": "ORG", "aliases": ["Wagner", "groupe Wagner"]},
        "Assimi Goïta": {"type": "PER", "aliases": ["le colonel"]},
    }
    texts = ["The WAGNER mercenaries; le groupe wagner and Le Colonel spoke."]
    df = EntityExtractor(gazetteer=gaz).extract(texts)
    assert list(df["entity"]) == ["Wagner Group", "Wagner Group", "Assimi Goïta"]
    assert list(df["mention"]) == ["WAGNER", "groupe wagner", "Le Colonel"]
    assert list(df["type"]) == ["ORG", "ORG", "PER"]


@pytest.mark.parametrize(
    ("gazetteer", "where"),
    [
        (["Wagner"], "gazetteer"),
        ({"Wagner": "ORG"}, "'Wagner'"),
        ({"Wagner": {"aliases": []}}, "'Wagner'"),
        ({"Wagner": {"type": "COMPANY"}}, '"Wagner"'),
        ({"Wagner": {"type": "ORG", "aliases": "Wagner Group"}}, "'Wagner'"),
        ({"Wagner": {"type": "ORG", "aliases": ["ok", 3]}}, "'Wagner'"),
        ({"Wagner": {"type": "ORG", "alias": ["x"]}}, "'Wagner'"),
        ({"Wagner": {"type": "ORG", "aliases": [""]}}, '"Wagner"'),
        ({3: {"type": "ORG"}}, "entry 3"),
    ],
)
def test_bad_gazetteer_is_a_value_error_naming_the_entry(gazetteer, where):
    with pytest.raises(ValueError, match="gazetteer") as info:
        EntityExtractor(gazetteer=gazetteer).counts(["Wagner"])
    assert where.strip("'\"") in str(info.value)


def test_bad_texts():
    ex = EntityExtractor()
    with pytest.raises(TypeError, match="single str"):
        ex.extract("Mali")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        ex.counts(["Mali", 3])
    with pytest.raises(ValueError, match=r"texts\[0\].*surrogate"):
        ex.extract(["\ud800 Mali"])
    with pytest.raises(TypeError, match="index label 'b'"):
        ex.counts(pd.Series(["Mali", None], index=["a", "b"]))
    with pytest.raises(TypeError, match="DataFrame"):
        ex.counts(pd.DataFrame({"text": ["Mali"]}))
    with pytest.raises(TypeError, match="texts"):
        ex.counts(5)


def test_bad_parameters():
    with pytest.raises(ValueError, match="lang"):
        EntityExtractor(lang="de").counts(["Mali"])
    with pytest.raises(TypeError, match="lang"):
        EntityExtractor(lang=None).counts(["Mali"])
    with pytest.raises(ValueError, match="n_jobs"):
        EntityExtractor(n_jobs=0).counts(["Mali"])
    with pytest.raises(TypeError, match="merge"):
        EntityExtractor(merge="yes").counts(["Mali"])
    with pytest.raises(ValueError, match="text_weight"):
        wn.story_similarity(["Mali"], text_weight=1.5)
    with pytest.raises(TypeError, match="text_weight"):
        wn.story_similarity(["Mali"], text_weight="0.5")
    with pytest.raises(ValueError, match="not a parameter"):
        EntityExtractor().set_params(foo=1)
    # a lone str is refused as such (not turned into a len(str) x len(str) matrix)
    with pytest.raises(TypeError, match="texts"):
        wn.story_similarity("Mali " * 100_000)
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        wn.story_similarity(["Mali", None])


def test_story_similarity_core_checks_its_output_array():
    with pytest.raises(ValueError, match=r"out: has shape \(2, 3\), expected \(2, 2\)"):
        wn._core.story_similarity(["Mali", "Bamako"], np.zeros((2, 3)))
    with pytest.raises(TypeError, match="out: must be C-contiguous"):
        wn._core.story_similarity(["Mali", "Bamako"], np.zeros((2, 2), order="F")[:, ::-1])


def test_empty_and_trivial_inputs():
    ex = EntityExtractor()
    assert ex.extract([]).empty
    assert list(ex.counts(["", "no names here."]).columns) == ["doc", "entity", "type", "count"]
    m, names = ex.matrix(["", "x"])
    assert m.shape == (2, 0) and len(names) == 0
    assert wn.story_similarity([]).shape == (0, 0)


def test_input_is_not_modified(seeds):
    texts = list(seeds)
    before = copy.deepcopy(texts)
    gaz = {"Wagner Group": {"type": "ORG", "aliases": ["Wagner"]}}
    gaz_before = copy.deepcopy(gaz)
    EntityExtractor(gazetteer=gaz).extract(texts)
    wn.story_similarity(texts, gazetteer=gaz)
    assert texts == before and gaz == gaz_before


def test_huge_document_is_linear():
    text = ("Sergei Lavrov met Abdoulaye Diop in Bamako, Mali. " * 1_000_000)[: 50 * 2**20]
    counts = EntityExtractor(lang="en").counts([text])
    assert counts.loc[counts["entity"] == "Bamako", "count"].item() > 900_000


def test_n_jobs_does_not_change_results(seeds):
    a = EntityExtractor(n_jobs=1).extract(seeds)
    b = EntityExtractor(n_jobs=2).extract(seeds)
    pd.testing.assert_frame_equal(a, b)


def test_extractor_params_and_pickle():
    ex = EntityExtractor(lang="fr", merge=False)
    assert ex.get_params() == {"lang": "fr", "gazetteer": None, "merge": False, "n_jobs": None}
    assert pickle.loads(pickle.dumps(ex)).get_params() == ex.get_params()
    assert "lang='fr'" in repr(ex)


def test_demo_prints_entities_and_nearest_story(seeds, capsys):
    corpus = pd.DataFrame(
        {"doc_id": list(seeds.index), "text": list(seeds), "lang": ["en", "en", "en", "fr", "en"]}
    )
    demo_entities(corpus)
    out = capsys.readouterr().out
    assert "000 [en]: " in out and "Sergei Lavrov (PER)" in out
    lines = out.splitlines()
    assert lines[lines.index(next(x for x in lines if x.startswith("003 [fr]"))) + 1].startswith(
        "  nearest story: 000 [en]"
    )


def test_conll2003_valid_count_f1():
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    try:
        import conll_entities
    finally:
        sys.path.pop(0)
    try:
        p, r, f1, n = conll_entities.evaluate("valid")
    except Exception as exc:  # pragma: no cover - depends on the network
        import os

        if os.environ.get("CI"):
            raise
        pytest.skip(f"CoNLL-2003 unavailable: {exc}")
    assert n > 200
    assert f1 >= 0.70, (p, r, f1)


def test_translated_manuals_link_through_names_numbers_and_cognates():
    en = [
        "Connect the Zephyr X200 router to the modem with the supplied cable. Press the "
        "reset button for 10 seconds. The firmware version 4.2.1 supports WPA3 security.",
        "The Atlas 3000 coffee machine needs descaling every 250 cups. Use only the "
        "recommended cleaning solution and rinse the water tank twice.",
        "Annual report: revenue in Germany grew by 12 percent in 2022, while operating "
        "costs in Brazil fell. The board proposes a dividend of 1.50 euros.",
    ]
    fr = [
        "Connectez le routeur Zephyr X200 au modem avec le câble fourni. Appuyez sur le "
        "bouton de réinitialisation pendant 10 secondes. La version 4.2.1 du firmware "
        "prend en charge la sécurité WPA3.",
        "La machine à café Atlas 3000 nécessite un détartrage toutes les 250 tasses. "
        "Utilisez uniquement la solution de nettoyage recommandée et rincez le réservoir.",
        "Rapport annuel : le chiffre d'affaires en Allemagne a progressé de 12 % en 2022, "
        "tandis que les coûts opérationnels au Brésil ont baissé. Le conseil propose un "
        "dividende de 1,50 euro.",
    ]
    sim = wn.story_similarity(en + fr)
    for i in range(3):
        row = sim[i, 3:]
        assert row.argmax() == i, sim.round(2)
        assert sim[3 + i, :3].argmax() == i, sim.round(2)


def test_long_capitalised_runs_stay_linear():
    # One unbroken run of 1.5 million capitalised words: names are cut into bounded runs.
    text = "Abdoulaye Diop Of The Bank " * 300_000
    counts = EntityExtractor(lang="en").counts([text])
    assert counts["count"].sum() > 100_000
