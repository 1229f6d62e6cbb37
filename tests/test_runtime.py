"""Process-level behaviour: fork safety, pickling of every exported class."""

from __future__ import annotations

import inspect
import multiprocessing
import pickle

import pytest

import wirenlp as wn

TEXTS = ["Sergueï Lavrov est arrivé à Bamako.", "Lavrov’s visit to Mali on 2023-02-08."] * 50


def _tokenize_in_child(n_jobs: int | None) -> list[list[str]]:
    return wn.Tokenizer(stop_words="auto").tokenize_batch(TEXTS, n_jobs=n_jobs)


@pytest.mark.parametrize("n_jobs", [None, 2])
def test_batch_work_after_fork(n_jobs):
    # The parent's thread pools exist before the fork; the children must not reuse them.
    expected = wn.Tokenizer(stop_words="auto").tokenize_batch(TEXTS, n_jobs=n_jobs)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        # A child stuck on a dead inherited pool would hang: fail with a timeout instead.
        results = pool.map_async(_tokenize_in_child, [n_jobs] * 4, chunksize=1).get(120)
    assert all(r == expected for r in results)


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
