"""Vectorizers: parity with scikit-learn itself, persistence, estimator conventions, bad input."""

from __future__ import annotations

import pickle
import subprocess
import sys
from itertools import pairwise

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import wirenlp as wn
from wirenlp.exceptions import NotFittedError

sk_text = pytest.importorskip("sklearn.feature_extraction.text")


@pytest.fixture(scope="module")
def seeds(seeds_dir) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))]


@pytest.fixture(scope="module")
def news_small(news) -> pd.Series:
    return news.iloc[:300]


def assert_same_matrix(ours: sp.spmatrix, ref: sp.spmatrix, tol: float) -> None:
    assert isinstance(ours, sp.csr_matrix)
    assert ours.shape == ref.shape
    assert ours.dtype == ref.dtype
    # The sorted-indices flag is never claimed falsely (scipy trusts it); a fit leaves
    # each row in order of appearance, as sklearn does.
    if ours.has_sorted_indices:
        assert all(np.all(np.diff(ours.indices[a:b]) > 0) for a, b in pairwise(ours.indptr))
    ours = ours.sorted_indices()
    ref = sp.csr_matrix(ref)
    ref.sort_indices()
    np.testing.assert_array_equal(ours.indptr, ref.indptr)
    np.testing.assert_array_equal(ours.indices, ref.indices)
    np.testing.assert_allclose(ours.data, ref.data, rtol=0, atol=tol)


def assert_parity(cls_name: str, docs, **params) -> None:
    ref = getattr(sk_text, cls_name)(**params)
    ours = getattr(wn, cls_name)(**params)
    x_ref = ref.fit_transform(docs)
    x_ours = ours.fit_transform(docs)
    assert list(ours.get_feature_names_out()) == list(ref.get_feature_names_out())
    assert ours.vocabulary_ == ref.vocabulary_
    tol = 1e-6 if np.dtype(params.get("dtype", np.float64)) == np.float32 else 1e-12
    assert_same_matrix(x_ours, x_ref, tol)
    if cls_name == "TfidfVectorizer" and ref.use_idf:
        assert ours.idf_.dtype == ref.idf_.dtype
        np.testing.assert_allclose(ours.idf_, ref.idf_, rtol=0, atol=tol)
    # transform of the training texts gives the fit_transform matrix
    assert_same_matrix(ours.transform(docs), x_ref, tol)


def both_refuse_empty_vocabulary(docs, **params) -> bool:
    """Whether sklearn's CountVectorizer refuses ``docs`` (empty vocabulary), checking that
    ours refuses them too."""
    try:
        sk_text.CountVectorizer(**params).fit(docs)
    except ValueError:
        with pytest.raises(ValueError):
            wn.CountVectorizer(**params).fit(docs)
        return True
    return False


# Words that cross the tokenizer's 64-byte scanner blocks, capitals, and characters whose
# lower case is longer (İ) or depends on context (Σ), in documents of a small corpus.
block_docs = st.lists(
    st.lists(
        st.sampled_from([*"abcXYZ_09 ,.’-", "é", "Σ", "İ", "the", "x" * 63, "Word" * 9]),
        min_size=1,
        max_size=60,
    ).map("".join),
    min_size=1,
    max_size=6,
)


@settings(max_examples=100, deadline=None)
@given(
    block_docs,
    st.sampled_from([(1, 1), (1, 2), (2, 2), (2, 4), (3, 5)]),
    st.sampled_from([None, ["the", "xyz"]]),
)
def test_parity_on_generated_text(docs, ngram_range, stop_words):
    params = {"ngram_range": ngram_range, "stop_words": stop_words}
    if both_refuse_empty_vocabulary(docs, **params):
        return
    assert_parity("CountVectorizer", docs, **params)


@pytest.mark.parametrize("cls", ["CountVectorizer", "TfidfVectorizer"])
def test_fit_leaves_columns_unsorted_like_sklearn_and_says_so(cls):
    docs = ["zeta alpha zeta mu", "beta zeta"]
    x = getattr(wn, cls)().fit_transform(docs)
    # each row lists its columns in the order its terms first appear in the document
    # (sklearn's rows are not sorted either), and the matrix does not claim otherwise
    assert x.indices.tolist() == [3, 0, 2, 1, 3]
    assert not x.has_sorted_indices
    assert not sk_text.CountVectorizer().fit_transform(docs).has_sorted_indices
    y = getattr(wn, cls)().fit(docs).transform(docs)
    assert y.has_sorted_indices and y.indices.tolist() == [0, 2, 3, 1, 3]


# Tokens that hold spaces, tabs or punctuation: "a b" must sort before "a c" (and so before
# the bigram "a c" of the tokens "a" and "c"), which a vocabulary sorted by token ranks
# would get wrong; word n-gram vocabularies fall back to sorting strings for such tokens.
@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([*"ab c\t!,", "\x1f", "a b"]), max_size=30).map("".join),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from([r"[^,]+", r"[^,\t]+", r"\S+", r"[a-c!]+"]),
    st.sampled_from([(1, 2), (2, 3), (1, 4)]),
    st.sampled_from([None, 4]),
)
def test_parity_with_tokens_holding_spaces(docs, pattern, ngram_range, max_features):
    params = {"token_pattern": pattern, "ngram_range": ngram_range, "lowercase": False}
    if both_refuse_empty_vocabulary(docs, **params):
        return
    if max_features is None:
        assert_parity("CountVectorizer", docs, **params)
    else:
        # sklearn breaks frequency ties in no set order; ours are broken by term
        ours = wn.CountVectorizer(max_features=max_features, **params).fit(docs)
        expected = reference_top_features(docs, max_features, **params)
        assert list(ours.get_feature_names_out()) == expected


# Every parameter alone; each is also run with ngram_range (word (1, 2), char (2, 4)).
SINGLE = [
    {},
    {"lowercase": False},
    {"strip_accents": "ascii"},
    {"strip_accents": "unicode"},
    {"stop_words": "english"},
    {"stop_words": ["the", "of", "and", "la", "le"]},
    {"token_pattern": r"\S+"},
    {"token_pattern": r"(?u)\b([a-z]+)\d*\b"},
    {"analyzer": "char"},
    {"analyzer": "char_wb"},
    {"max_df": 0.5},
    {"max_df": 3},
    {"min_df": 2},
    {"min_df": 0.3},
    {"binary": True},
    {"norm": "l1"},
    {"norm": None},
    {"use_idf": False},
    {"smooth_idf": False},
    {"sublinear_tf": True},
    {"dtype": np.float32},
]


def with_ngrams(p: dict) -> dict:
    grams = (2, 4) if p.get("analyzer") in ("char", "char_wb") else (1, 2)
    return {**p, "ngram_range": grams}


@pytest.mark.parametrize("params", SINGLE + [with_ngrams(p) for p in SINGLE], ids=repr)
def test_tfidf_parity_on_seeds(seeds, params):
    assert_parity("TfidfVectorizer", seeds, **params)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"binary": True},
        {"min_df": 2, "ngram_range": (1, 3)},
        {"analyzer": "char_wb", "ngram_range": (1, 3)},
        {"dtype": np.float32},
        {"dtype": np.int32, "stop_words": "english"},
    ],
    ids=repr,
)
def test_count_parity_on_seeds(seeds, params):
    assert_parity("CountVectorizer", seeds, **params)


@pytest.mark.parametrize(
    "params",
    [
        {"strip_accents": "unicode", "stop_words": "english", "ngram_range": (1, 2)},
        {"analyzer": "char_wb", "ngram_range": (2, 4), "sublinear_tf": True},
        {"max_df": 0.2, "min_df": 3, "binary": True, "norm": "l1"},
        {"dtype": np.float32, "ngram_range": (1, 2), "smooth_idf": False},
    ],
    ids=repr,
)
def test_tfidf_parity_on_news_sample(news_small, params):
    assert_parity("TfidfVectorizer", news_small, **params)


@pytest.mark.parametrize(
    "params", [{}, {"ngram_range": (1, 2), "min_df": 2}], ids=["defaults", "bigrams-min_df"]
)
def test_tfidf_parity_on_news(news, params):
    assert_parity("TfidfVectorizer", news, **params)


def reference_top_features(docs, limit: int, **params) -> list[str]:
    """Most frequent terms by sklearn's counts, ties broken by term (the documented rule)."""
    cv = sk_text.CountVectorizer(**params)
    tf = np.asarray(cv.fit_transform(docs).sum(axis=0)).ravel()
    terms = cv.get_feature_names_out()
    order = sorted(range(len(terms)), key=lambda i: (-tf[i], terms[i]))[:limit]
    return sorted(terms[i] for i in order)


@pytest.mark.parametrize("params", [{}, {"ngram_range": (1, 2), "binary": True}], ids=repr)
@pytest.mark.parametrize("limit", [1, 40, 500])
def test_max_features_top_by_frequency_ties_by_term(news_small, params, limit):
    expected = reference_top_features(news_small, limit, **params)
    ours = wn.TfidfVectorizer(max_features=limit, **params)
    x = ours.fit_transform(news_small)
    assert list(ours.get_feature_names_out()) == expected
    # values are sklearn's with that vocabulary
    ref = sk_text.TfidfVectorizer(vocabulary=expected, **params)
    assert_same_matrix(x, ref.fit_transform(news_small), 1e-12)


def test_fixed_vocabulary_parity(seeds):
    vocab = {"mali": 0, "russia": 1, "lavrov": 2, "absent": 3}
    assert_parity("TfidfVectorizer", seeds, vocabulary=vocab)
    assert_parity("CountVectorizer", seeds, vocabulary=["mali", "france", "bamako"])
    assert_parity("CountVectorizer", seeds, vocabulary={"zz", "mali", "aa"})
    # a CountVectorizer with a vocabulary transforms without fit, as sklearn's
    ref = sk_text.CountVectorizer(vocabulary=["mali"]).transform(seeds)
    assert_same_matrix(wn.CountVectorizer(vocabulary=["mali"]).transform(seeds), ref, 0)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"alternate_sign": False},
        {"n_features": 2**6, "binary": True},
        {"n_features": 2**8, "norm": "l1", "ngram_range": (1, 2)},
        {"norm": None, "analyzer": "char_wb", "ngram_range": (2, 3)},
        {"dtype": np.float32, "stop_words": "english", "strip_accents": "unicode"},
    ],
    ids=repr,
)
def test_hashing_parity(seeds, news_small, params):
    for docs in (seeds, news_small):
        ref = sk_text.HashingVectorizer(**params).fit_transform(docs)
        tol = 1e-6 if params.get("dtype") is np.float32 else 1e-12
        assert_same_matrix(wn.HashingVectorizer(**params).fit_transform(docs), ref, tol)


def test_hashing_collisions_keep_zero_sums_like_sklearn():
    # With 1 column every term collides; opposite signs can sum to an explicit zero.
    docs = ["alpha beta gamma delta", "one two three four five six"]
    for binary in (False, True):
        kw = {"n_features": 1, "norm": None, "binary": binary}
        ref = sk_text.HashingVectorizer(**kw).fit_transform(docs)
        assert_same_matrix(wn.HashingVectorizer(**kw).transform(docs), ref, 0)


# -- persistence ----------------------------------------------------------------------------


def arrays(x: sp.csr_matrix) -> tuple[bytes, bytes, bytes]:
    return x.data.tobytes(), x.indices.tobytes(), x.indptr.tobytes()


@pytest.mark.parametrize(
    "cls,params",
    [
        (wn.TfidfVectorizer, {"ngram_range": (1, 2), "stop_words": "english", "dtype": np.float32}),
        (wn.TfidfVectorizer, {"analyzer": "char_wb", "min_df": 2, "sublinear_tf": True}),
        (wn.CountVectorizer, {"stop_words": ["the", "of"], "max_features": 30, "binary": True}),
    ],
)
def test_save_load_and_pickle_round_trip(seeds, tmp_path, cls, params):
    v = cls(**params).fit(seeds)
    path = tmp_path / "vec.json"
    v.save(path)
    loaded = cls.load(path)
    unpickled = pickle.loads(pickle.dumps(v))
    assert v.__getstate__() == path.read_bytes()
    expected = arrays(v.transform(seeds))
    for w in (loaded, unpickled):
        assert w.get_params() == v.get_params()
        assert arrays(w.transform(seeds)) == expected
        assert w.vocabulary_ == v.vocabulary_


def test_saved_file_has_version_and_no_builtin_stop_words(seeds, tmp_path):
    v = wn.TfidfVectorizer(stop_words="english").fit(seeds)
    v.save(tmp_path / "v.json")
    text = (tmp_path / "v.json").read_text(encoding="utf-8")
    assert '"format_version":1' in text
    assert "yourselves" not in text  # a word of sklearn's English list, not in the seeds


def test_newer_format_version_is_refused(seeds, tmp_path):
    v = wn.TfidfVectorizer().fit(seeds)
    path = tmp_path / "v.json"
    v.save(path)
    path.write_text(path.read_text().replace('"format_version":1', '"format_version":7'))
    with pytest.raises(ValueError, match="format version 7"):
        wn.TfidfVectorizer.load(path)


def test_unfitted_pickles_with_params():
    v = wn.TfidfVectorizer(min_df=2, ngram_range=(1, 3))
    w = pickle.loads(pickle.dumps(v))
    assert w.get_params() == v.get_params()
    with pytest.raises(NotFittedError):
        w.transform(["a b"])


# -- estimator conventions ------------------------------------------------------------------


def test_clone_get_set_params():
    from sklearn.base import clone

    v = wn.TfidfVectorizer(min_df=2, stop_words=["x"], dtype=np.float32)
    c = clone(v)
    assert c is not v and c.get_params() == v.get_params()
    assert c.set_params(min_df=3) is c and c.min_df == 3
    with pytest.raises(ValueError, match="Invalid parameter 'mindf'"):
        c.set_params(mindf=1)
    assert "min_df=2" in repr(v)


def test_pipeline_grid_search_matches_sklearn(news_small):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import Pipeline

    docs = news_small.iloc[:200]
    y = docs.str.contains("Trump").to_numpy()
    grid = {"vec__min_df": [1, 3], "vec__ngram_range": [(1, 1), (1, 2)]}

    def search(vec):
        pipe = Pipeline([("vec", vec), ("clf", LogisticRegression(max_iter=200))])
        return GridSearchCV(pipe, grid, cv=3).fit(docs, y)

    ours, ref = search(wn.TfidfVectorizer()), search(sk_text.TfidfVectorizer())
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], atol=1e-12
    )
    assert ours.best_params_ == ref.best_params_


def test_not_fitted_is_sklearns_error():
    from sklearn.exceptions import NotFittedError as SkNotFitted

    for v in (wn.TfidfVectorizer(), wn.CountVectorizer()):
        with pytest.raises(SkNotFitted):
            v.transform(["text"])
        with pytest.raises(NotFittedError):
            v.get_feature_names_out()
    with pytest.raises(NotFittedError):
        wn.TfidfVectorizer(vocabulary=["a"]).transform(["a"])
    # The core's own check (reached when the core is used directly) raises the same error.
    core, _ = wn.TfidfVectorizer()._build()
    with pytest.raises(SkNotFitted, match="not fitted"):
        core.transform(["text"], None)
    # Exceptions cross process boundaries (multiprocessing, Dask) pickled.
    with pytest.raises(NotFittedError) as info:
        wn.TfidfVectorizer().transform(["text"])
    again = pickle.loads(pickle.dumps(info.value))
    assert isinstance(again, SkNotFitted) and isinstance(again, NotFittedError)
    assert again.args == info.value.args
    assert type(again).__name__ == "NotFittedError"


def test_import_does_not_import_sklearn():
    # sklearn (a second to import) is optional: wirenlp must not load it at import.
    code = "import sys, wirenlp; print('sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- top terms ------------------------------------------------------------------------------


def test_top_terms_uses_index_labels_and_sklearn_weights(seeds):
    docs = pd.Series(seeds, index=[f"s{i}" for i in range(len(seeds))])
    tv = wn.TfidfVectorizer(stop_words="english")
    top = tv.top_terms(tv.fit_transform(docs), n=3)
    assert list(top.columns) == ["doc", "term", "weight"]
    ref = sk_text.TfidfVectorizer(stop_words="english")
    x = ref.fit_transform(seeds).toarray()
    terms = ref.get_feature_names_out()
    for i, label in enumerate(docs.index):
        order = sorted(range(x.shape[1]), key=lambda j: (-x[i, j], j))[:3]
        rows = top[top["doc"] == label]
        assert list(rows["term"]) == [terms[j] for j in order]
        np.testing.assert_allclose(rows["weight"], x[i, order], atol=1e-12)


def test_top_terms_rows_without_terms_and_plain_lists():
    tv = wn.TfidfVectorizer()
    x = tv.fit_transform(["red apples", "!!", "green pears"])
    top = tv.top_terms(x, n=5)
    assert set(top["doc"]) == {0, 2}
    with pytest.raises(ValueError, match="n:"):
        tv.top_terms(x, n=0)


# -- bad input -------------------------------------------------------------------------------


def test_empty_corpus():
    for v in (wn.TfidfVectorizer(), wn.CountVectorizer()):
        with pytest.raises(ValueError, match="empty corpus"):
            v.fit([])


def test_empty_vocabulary_after_stop_words():
    with pytest.raises(ValueError, match="empty vocabulary"):
        wn.TfidfVectorizer(stop_words="english").fit(["the and of", "a an"])


def test_nothing_left_after_pruning(seeds):
    with pytest.raises(ValueError, match="no terms remain"):
        wn.TfidfVectorizer(min_df=0.99, max_df=1.0, stop_words="english").fit([*seeds, "zz"])


def test_min_df_above_max_df(seeds):
    with pytest.raises(ValueError, match=r"max_df.*min_df"):
        wn.TfidfVectorizer(min_df=3, max_df=2).fit(seeds)
    with pytest.raises(ValueError, match=r"max_df.*min_df"):
        wn.CountVectorizer(min_df=0.8, max_df=0.2).fit(seeds)


@pytest.mark.parametrize(
    "name,value",
    [
        ("lowercase", "yes"),
        ("strip_accents", "greek"),
        ("analyzer", "sentence"),
        ("ngram_range", (2, 1)),
        ("ngram_range", (0, 1)),
        ("ngram_range", "1,2"),
        ("min_df", -1),
        ("min_df", 1.5),
        ("max_df", 0),
        ("max_df", "all"),
        ("max_features", 0),
        ("norm", "l3"),
        ("token_pattern", r"(a)(b)"),
        ("token_pattern", r"(?<=a)b"),
        ("stop_words", "klingon"),
        ("stop_words", 5),
        ("dtype", "not a dtype"),
        ("n_jobs", 0),
        ("use_idf", "no"),
        ("sublinear_tf", None),
        ("vocabulary", {"a": 0, "b": 0}),
        ("vocabulary", ["a", "a"]),
        ("tokenizer", str.split),
    ],
)
def test_invalid_parameter_named_at_fit(name, value):
    v = wn.TfidfVectorizer(**{name: value})  # accepted verbatim at construction
    assert v.get_params()[name] is value
    with pytest.raises(ValueError, match=name):
        v.fit(["some text here", "more text"])


@pytest.mark.parametrize(
    "name,value", [("n_features", 0), ("n_features", 2**31), ("alternate_sign", 1), ("norm", "x")]
)
def test_hashing_invalid_parameter_named(name, value):
    with pytest.raises(ValueError, match=name):
        wn.HashingVectorizer(**{name: value}).fit(["a text"])


@pytest.mark.parametrize("bad", [None, float("nan"), b"bytes", 3])
def test_non_text_document_names_position(bad):
    docs = ["fine text", "also fine", bad]
    for v in (wn.TfidfVectorizer(), wn.HashingVectorizer()):
        with pytest.raises(TypeError, match=r"\[2\]"):
            v.fit_transform(docs)


def test_non_text_document_in_series_names_label():
    docs = pd.Series(["fine text", np.nan], index=["ok", "broken"])
    with pytest.raises(TypeError, match="'broken'"):
        wn.TfidfVectorizer().fit(docs)
    tv = wn.TfidfVectorizer().fit(["fine text"])
    with pytest.raises(TypeError, match="'broken'"):
        tv.transform(docs)


def test_single_string_is_refused():
    with pytest.raises(ValueError, match="str"):
        wn.TfidfVectorizer().fit("one text")


def test_input_is_not_modified(seeds):
    docs = list(seeds)
    series = pd.Series(seeds)
    wn.TfidfVectorizer(strip_accents="unicode").fit_transform(docs)
    wn.CountVectorizer().fit_transform(series)
    assert docs == seeds
    assert series.tolist() == seeds


def test_n_jobs_gives_identical_output(news_small):
    one = wn.TfidfVectorizer(ngram_range=(1, 2), n_jobs=1).fit_transform(news_small)
    two = wn.TfidfVectorizer(ngram_range=(1, 2), n_jobs=2).fit_transform(news_small)
    assert arrays(one) == arrays(two)


# -- wirenlp tokenizer -------------------------------------------------------------------------


def test_tokenizer_replaces_token_pattern_and_ngrams_still_apply(seeds):
    tok = wn.Tokenizer(lang="fr", stop_words="fr")
    docs = ["L’ambassadeur s’est rendu à Bamako.", "L’ambassadeur est parti."]
    cv = wn.CountVectorizer(tokenizer=tok, ngram_range=(1, 2))
    x = cv.fit_transform(docs)
    # reference: the tokenizer's own tokens, n-grams and counts built by sklearn
    ref = sk_text.CountVectorizer(
        analyzer=lambda d: [
            *tok.tokenize(d),
            *map(" ".join, zip(tok.tokenize(d), tok.tokenize(d)[1:], strict=False)),
        ]
    )
    x_ref = ref.fit_transform(docs)
    assert list(cv.get_feature_names_out()) == list(ref.get_feature_names_out())
    assert_same_matrix(x, x_ref, 0)
    assert "ambassadeur" in cv.vocabulary_


def test_tokenizer_vectorizer_saves_and_pickles(seeds, tmp_path):
    tv = wn.TfidfVectorizer(tokenizer=wn.Tokenizer(stem=True), min_df=2).fit(seeds)
    tv.save(tmp_path / "t.json")
    for w in (wn.TfidfVectorizer.load(tmp_path / "t.json"), pickle.loads(pickle.dumps(tv))):
        assert w.tokenizer == tv.tokenizer
        assert arrays(w.transform(seeds)) == arrays(tv.transform(seeds))


def test_hashing_vectorizer_pickles_and_clones(seeds):
    from sklearn.base import clone

    hv = wn.HashingVectorizer(n_features=2**10, ngram_range=(1, 2))
    for other in (pickle.loads(pickle.dumps(hv)), clone(hv)):
        assert other.get_params() == hv.get_params()
        assert arrays(other.transform(seeds)) == arrays(hv.transform(seeds))


def test_wirenlp_stop_lists_by_language():
    en = "The minister said the talks with the army would resume in the capital."
    fr = "Le ministre a dit que les discussions avec l'armée reprendront dans la capitale."
    vocab = wn.CountVectorizer(stop_words="auto").fit([en, fr]).vocabulary_
    assert {"minister", "ministre", "capitale"} <= set(vocab)
    assert not {"the", "with", "le", "les", "dans"} & set(vocab)
    only_fr = wn.CountVectorizer(stop_words="fr").fit([en, fr]).vocabulary_
    assert "the" in only_fr and "les" not in only_fr


def _fit_in_child(docs: list[str]) -> bytes:
    return wn.TfidfVectorizer(ngram_range=(1, 2)).fit_transform(docs).data.tobytes()


def test_fit_in_forked_children(seeds):
    import multiprocessing

    expected = _fit_in_child(seeds)  # the parent's thread pool exists before the fork
    with multiprocessing.get_context("fork").Pool(2) as pool:
        results = pool.map_async(_fit_in_child, [seeds] * 2).get(120)
    assert results == [expected, expected]


def test_int64_index_path_gives_the_same_matrix(seeds, monkeypatch):
    # Above 2**31 - 1 stored values the Rust int64 index arrays go to scipy as they are (scipy
    # keeps int64 when the values need it); lower the limit to take that path on a small corpus.
    expected = wn.TfidfVectorizer().fit_transform(seeds)
    assert expected.indices.dtype == expected.indptr.dtype == np.int32
    monkeypatch.setattr("wirenlp.vectorize._INT32_MAX", expected.nnz - 1)
    x = wn.TfidfVectorizer().fit_transform(seeds)
    assert_same_matrix(x, expected, 0.0)
    np.testing.assert_allclose((x @ x.T).toarray(), (expected @ expected.T).toarray())
