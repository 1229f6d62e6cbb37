"""Tokenization speed: wirenlp vs scikit-learn's analyzer on NewsArticles (3,788 articles).

Prints MB/s of each and the ratio, medians of several rounds in one process, taken in turns
(each round runs every contender; see ``timing.interleaved``):
- sklearn ``TfidfVectorizer().build_analyzer()`` over every article (a Python loop, as users do);
- ``wn.Tokenizer(pattern="sklearn").tokenize_batch`` (checked token-for-token identical);
- ``wn.Tokenizer(pattern="sklearn").token_ids``: the same tokens as integer ids (numpy arrays,
  no Python object per token; checked identical too);
- ``wn.Tokenizer(stop_words="auto")``: language-aware (whatlang per document, stop words);
- ``wn.Tokenizer()``: the default news tokenizer.

Throughput is timed as timeit does: in each round a contender runs as many calls in a row as
fill ``--min-time`` seconds (sklearn's one call already does), time per call = total / calls.
The first call of each round, right after the other contenders ran, is printed too: on a
shared 2-core machine a short parallel call after other work (or idle time) is slowed by the
machine waking up, and that is what a single call in a notebook sees.

Usage: python bench/bench_tokenize.py [--repeats N] [--min-time SECONDS]
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import newsdata
from sklearn.feature_extraction.text import TfidfVectorizer
from timing import interleaved

import wirenlp as wn


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--min-time", type=float, default=0.2)
    args = ap.parse_args()

    texts = newsdata.news_articles().tolist()
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"NewsArticles: {len(texts)} articles, {mb:.1f} MB, repeats={args.repeats} (median)")

    analyzer = TfidfVectorizer().build_analyzer()
    sk_mode = wn.Tokenizer(pattern="sklearn")
    expected = [analyzer(t) for t in texts]
    assert sk_mode.tokenize_batch(texts) == expected, "sklearn mode differs from sklearn"
    vocab, ids, indptr = sk_mode.token_ids(texts)
    as_ids = [[vocab[j] for j in ids[a:b]] for a, b in itertools.pairwise(indptr)]
    assert as_ids == expected, "token_ids differ from sklearn"

    reference = "sklearn build_analyzer()"
    fns = {
        reference: lambda: [analyzer(t) for t in texts],
        'wn.Tokenizer(pattern="sklearn") ids': lambda: sk_mode.token_ids(texts),
    }
    for name, tok in [
        ('wn.Tokenizer(pattern="sklearn")', sk_mode),
        ('wn.Tokenizer(stop_words="auto")', wn.Tokenizer(stop_words="auto")),
        ("wn.Tokenizer()", wn.Tokenizer()),
    ]:
        tok.tokenize_batch(texts[:10])  # warm the thread pool and per-language tables
        fns[name] = lambda tok=tok: tok.tokenize_batch(texts)
    times = interleaved(fns, args.repeats, args.min_time)
    sk = times[reference]
    print(
        f"{'':38} {'s/call':>8} {'MB/s':>8} {'vs sklearn':>11}   "
        f"{'first call s':>12} {'vs sklearn':>11}"
    )
    for name, t in times.items():
        print(
            f"{name:38} {t.wall:8.3f} {mb / t.wall:8.1f} {sk.wall / t.wall:10.1f}x   "
            f"{t.first:12.3f} {sk.first / t.first:10.1f}x"
        )


if __name__ == "__main__":
    main()
