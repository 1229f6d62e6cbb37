"""Process-level behaviour: fork safety, Ctrl-C, pickling of every exported class."""

from __future__ import annotations

import inspect
import multiprocessing
import os
import pickle
import random
import signal
import threading

import numpy as np
import pytest

import wirenlp as wn

TEXTS = ["Sergueï Lavrov est arrivé à Bamako.", "Lavrov’s visit to Mali on 2023-02-08."] * 50


def _batch_work(n_jobs: int | None) -> tuple:
    """Batch calls with parallel steps: tokenizing, token ids of more texts than one step of
    the batch takes (8,192: the steps' results are merged in parallel), top terms."""
    tok = wn.Tokenizer(stop_words="auto")
    vocab, ids, indptr = tok.token_ids(TEXTS * 100, n_jobs=n_jobs)
    tv = wn.TfidfVectorizer(n_jobs=n_jobs)
    top = tv.top_terms(tv.fit_transform(TEXTS), n=3)
    return (
        tok.tokenize_batch(TEXTS, n_jobs=n_jobs),
        (vocab, ids.tolist(), indptr.tolist()),
        top.to_dict("list"),
    )


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_batch_work_after_fork(n_jobs):
    # The parent's thread pools exist before the fork (rayon's global one too, were any work
    # to run outside wirenlp's pools); the children must not reuse them.
    expected = _batch_work(n_jobs)
    assert len(expected[1][2]) == len(TEXTS) * 100 + 1
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        # A child stuck on a dead inherited pool would hang: fail with a timeout instead.
        results = pool.map_async(_batch_work, [n_jobs] * 4, chunksize=1).get(120)
    assert all(r == expected for r in results)


class _Interrupted(Exception):
    """What the test's SIGINT handler raises (a stray KeyboardInterrupt would end pytest)."""


def _interrupt_after(seconds: float, call):
    """Run `call()` with SIGINT sent to this process `seconds` after it starts."""

    def handler(signum, frame):
        raise _Interrupted

    previous = signal.signal(signal.SIGINT, handler)
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGINT))
    try:
        timer.start()
        call()
    finally:
        timer.cancel()
        timer.join()
        signal.signal(signal.SIGINT, previous)


def test_ctrl_c_stops_a_long_fit():
    # ~28 MB of text: a char_wb (2, 5) fit of it takes about a second here (on 2 cores); the
    # signal comes at 0.2 s.
    rng = random.Random(0)
    words = [f"w{i}" for i in range(50_000)]
    docs = [" ".join(rng.choices(words, k=1200)) for _ in range(4000)]
    core, _ = wn.TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))._build()
    with pytest.raises(_Interrupted):
        # The handler's own exception comes out of the core call...
        _interrupt_after(0.2, lambda: core.fit_transform(docs, None))
    # ...which stopped: had it run to the end and raised afterwards, it would be fitted.
    assert not core.is_fitted()
    # The same vectorizer still fits a small batch afterwards.
    core.fit_transform(docs[:3], None)
    assert core.is_fitted()


def test_ctrl_c_stops_story_similarity_between_rows():
    # 3,000 documents of 400 numbers each (6 MB) share most features: the n x n matrix takes
    # over a second here, the signal comes at 0.3 s.
    rng = random.Random(0)
    docs = [" ".join(str(rng.randrange(1000, 2000)) for _ in range(400)) for _ in range(3000)]
    out = np.zeros((len(docs), len(docs)))
    with pytest.raises(_Interrupted):
        _interrupt_after(0.3, lambda: wn._core.story_similarity(docs, out))
    # Every document has features, so every finished row has its diagonal entry; the rows
    # not reached are still zero.
    assert out.diagonal().min() == 0.0
    wn._core.story_similarity(docs[:50], small := np.zeros((50, 50)))
    assert small.diagonal().min() > 0.5


def _exported_classes() -> list[type]:
    return [
        obj
        for name in wn.__all__
        if inspect.isclass(obj := getattr(wn, name)) and not issubclass(obj, BaseException)
    ]


# Classes whose instances come from a call rather than a bare constructor.
EXAMPLES = {wn.TokenIds: lambda: wn.Tokenizer().token_ids(["Le Mali", "Bamako"])}


@pytest.mark.parametrize("cls", _exported_classes(), ids=lambda c: c.__name__)
def test_every_class_the_module_exports_can_be_pickled(cls):
    obj = EXAMPLES.get(cls, cls)()
    clone = pickle.loads(pickle.dumps(obj))
    assert type(clone) is cls
    if isinstance(obj, wn.TokenIds):
        assert clone.tokens() == obj.tokens() == [["le", "mali"], ["bamako"]]
    if hasattr(obj, "get_params"):
        assert clone.get_params() == obj.get_params()
