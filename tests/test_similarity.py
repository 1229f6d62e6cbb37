"""Similarity: cosine parity with sklearn, top-k against brute force and sparse_dot_topn,
similar pairs, near-duplicate groups on the news corpus, bad input."""

from __future__ import annotations

import random
import re
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity as sk_cosine

import wirenlp as wn

# --- helpers ------------------------------------------------------------------------------


def random_sparse(n, m, density, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return sp.random(n, m, density=density, format="csr", random_state=rng, dtype=dtype)


def brute_top_k(X, Y, k, threshold, exclude_self):
    """Dense cosine computed like the definition, then each row's best k by (-score, col)."""
    Xd, Yd = X.toarray(), Y.toarray()
    inv = lambda A: np.divide(  # noqa: E731
        1.0, np.sqrt((A * A).sum(1)), out=np.zeros(len(A)), where=(A * A).sum(1) > 0
    )
    # The documented score: the dot product times the product of the inverse norms.
    S = (Xd @ Yd.T) * (inv(Xd)[:, None] * inv(Yd)[None, :])
    rows = []
    for i, row in enumerate(S):
        cand = [
            (j, s)
            for j, s in enumerate(row)
            if s != 0 and (threshold is None or s > threshold) and not (exclude_self and i == j)
        ]
        cand.sort(key=lambda e: (-e[1], e[0]))
        rows.append(sorted(cand[:k]))
    return rows


def rows_of(S):
    S = S.tocsr()
    return [
        list(
            zip(
                S.indices[S.indptr[i] : S.indptr[i + 1]].tolist(),
                S.data[S.indptr[i] : S.indptr[i + 1]],
                strict=True,
            )
        )
        for i in range(S.shape[0])
    ]


# Small integers: exact dot products, many ties and empty rows.
int_matrix = st.integers(1, 8).flatmap(
    lambda n: hnp.arrays(
        np.float64,
        (n, 5),
        elements=st.sampled_from([0.0, 0.0, 0.0, 1.0, 2.0, -1.0, 3.0]),
    )
)


# --- cosine_similarity --------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cosine_equals_sklearn_sparse(dtype):
    X = random_sparse(60, 40, 0.1, 1, dtype)
    Y = random_sparse(30, 40, 0.2, 2, dtype)
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for a, b in [(X, None), (X, Y)]:
        got = wn.cosine_similarity(a, b)
        assert isinstance(got, np.ndarray)
        assert got.dtype == dtype
        np.testing.assert_allclose(got, sk_cosine(a, b), rtol=0, atol=tol)
    got = wn.cosine_similarity(X, Y, dense_output=False)
    assert sp.issparse(got)
    assert got.dtype == dtype
    np.testing.assert_allclose(got.toarray(), sk_cosine(X, Y), rtol=0, atol=tol)


def test_cosine_equals_sklearn_dense_and_mixed():
    X = random_sparse(20, 10, 0.4, 3)
    Y = random_sparse(15, 10, 0.4, 4)
    np.testing.assert_allclose(
        wn.cosine_similarity(X.toarray(), Y.toarray()), sk_cosine(X, Y), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        wn.cosine_similarity(X, Y.toarray()), sk_cosine(X, Y), rtol=0, atol=1e-12
    )
    got = wn.cosine_similarity(X.toarray(), Y, dense_output=False)
    assert isinstance(got, np.ndarray)  # sparse output only when both inputs are sparse


def test_cosine_integer_input_gives_float64():
    X = np.array([[1, 0, 2], [0, 3, 0]])
    got = wn.cosine_similarity(sp.csr_matrix(X))
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, sk_cosine(X), rtol=0, atol=1e-12)


def test_cosine_on_news_tfidf_equals_sklearn(news):
    X = TfidfVectorizer().fit_transform(news.iloc[:800])
    np.testing.assert_allclose(wn.cosine_similarity(X), sk_cosine(X), rtol=0, atol=1e-12)


def test_input_is_not_modified():
    # Duplicate entries (non-canonical CSR) are summed on a copy, never in place.
    X = sp.csr_matrix(
        (np.array([1.0, 2.0, 3.0]), np.array([0, 0, 1]), np.array([0, 2, 3])), shape=(2, 2)
    )
    before = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    got = wn.cosine_similarity(X)
    np.testing.assert_allclose(got, sk_cosine(X.toarray()), atol=1e-12)
    wn.top_k_similar(X, k=1)
    for a, b in zip(before, (X.data, X.indices, X.indptr), strict=True):
        np.testing.assert_array_equal(a, b)


# --- top_k_similar ------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    X=int_matrix,
    Y=st.none() | int_matrix,
    k=st.integers(1, 10),
    threshold=st.none() | st.floats(-1, 1),
    exclude_self=st.booleans(),
)
def test_top_k_equals_brute_force(X, Y, k, threshold, exclude_self):
    Xs = sp.csr_matrix(X)
    Ys = Xs if Y is None else sp.csr_matrix(Y)
    got = wn.top_k_similar(
        Xs, None if Y is None else Ys, k=k, threshold=threshold, exclude_self=exclude_self
    )
    assert got.shape == (X.shape[0], Ys.shape[0])
    want = brute_top_k(Xs, Ys, k, threshold, exclude_self and Y is None)
    for g, w in zip(rows_of(got), want, strict=True):
        assert [j for j, _ in g] == [j for j, _ in w]
        np.testing.assert_allclose([s for _, s in g], [s for _, s in w], rtol=0, atol=1e-12)


# Up to 300 rows (several blocks of 128): two columns stored in most rows, five rarely,
# small integers (exact dot products, many ties), some rows empty.
mixed_matrix = st.integers(1, 300).flatmap(
    lambda n: st.tuples(
        hnp.arrays(np.float64, (n, 2), elements=st.sampled_from([0.0, 1.0, 2.0, -1.0, 3.0])),
        hnp.arrays(np.float64, (n, 5), elements=st.sampled_from([0.0] * 6 + [1.0, 2.0, -1.0])),
        hnp.arrays(np.bool_, (n, 1)),
    ).map(lambda t: np.hstack([t[0], t[1]]) * t[2])
)


def same_bits(a, b):
    """The same sparse matrix to the bit: structure, columns and values."""
    return (
        a.shape == b.shape
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data.view(np.uint64), b.data.view(np.uint64))
    )


@settings(max_examples=60, deadline=None)
@given(
    X=mixed_matrix,
    k=st.integers(1, 12) | st.just(400),
    threshold=st.none() | st.floats(-1, 1),
    exclude_self=st.booleans(),
    n_jobs=st.integers(1, 3),
)
def test_self_join_equals_general_path_and_brute_force(X, k, threshold, exclude_self, n_jobs):
    # Y=None takes the symmetric path (each pair computed once); Y a copy, the general one.
    Xs = sp.csr_matrix(X)
    got = wn.top_k_similar(Xs, k=k, threshold=threshold, exclude_self=exclude_self, n_jobs=n_jobs)
    want = brute_top_k(Xs, Xs, k, threshold, exclude_self)
    for g, w in zip(rows_of(got), want, strict=True):
        assert [j for j, _ in g] == [j for j, _ in w]
        np.testing.assert_allclose([s for _, s in g], [s for _, s in w], rtol=0, atol=1e-12)
    if not exclude_self:
        general = wn.top_k_similar(Xs, Xs.copy(), k=k, threshold=threshold, n_jobs=1)
        assert same_bits(got, general)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_self_join_across_steps_equals_general_path(n_jobs):
    # 5,000 rows: the binding computes them in steps of 2,048 and the symmetric path carries
    # each later row's candidates from step to step.
    rng = np.random.default_rng(8)
    common = sp.random(5000, 3, density=0.6, format="csr", random_state=rng)
    rare = sp.random(5000, 400, density=0.01, format="csr", random_state=rng)
    X = sp.hstack([common, rare], format="csr")
    X.data = np.round(X.data * 4)  # ties
    X.eliminate_zeros()
    for kw in [{"k": 10}, {"k": 3, "threshold": 0.6}, {"k": 5000}]:
        got = wn.top_k_similar(X, exclude_self=False, n_jobs=n_jobs, **kw)
        assert same_bits(got, wn.top_k_similar(X, X.copy(), n_jobs=n_jobs, **kw))


def test_self_join_dense_is_symmetric_and_equals_general_path():
    X = random_sparse(2500, 300, 0.05, 9)
    got = wn.cosine_similarity(X)
    assert np.array_equal(got, got.T)
    assert np.array_equal(got, wn.cosine_similarity(X, X.copy()))
    np.testing.assert_allclose(got, sk_cosine(X), rtol=0, atol=1e-12)


def test_top_k_with_k_at_least_n_keeps_every_nonzero():
    X = random_sparse(30, 12, 0.3, 5)
    S = wn.top_k_similar(X, k=100, exclude_self=False)
    dense = sk_cosine(X)
    np.testing.assert_allclose(S.toarray(), dense, rtol=0, atol=1e-12)
    assert S.nnz == np.count_nonzero(np.abs(dense) > 1e-15)


def test_top_k_ties_go_to_lower_column():
    X = sp.csr_matrix(np.array([[1.0, 0], [1.0, 0], [2.0, 0], [3.0, 0], [0, 1.0]]))
    S = wn.top_k_similar(X, k=2)
    assert rows_of(S)[3] == [(0, 1.0), (1, 1.0)]
    assert rows_of(S)[0] == [(1, 1.0), (2, 1.0)]
    assert rows_of(S)[4] == []


def test_top_k_float32_and_threads():
    X = random_sparse(200, 50, 0.1, 6, np.float32)
    a = wn.top_k_similar(X, k=5, n_jobs=1)
    b = wn.top_k_similar(X, k=5, n_jobs=2)
    assert a.dtype == np.float32
    assert (a != b).nnz == 0


def test_top_k_equals_sparse_dot_topn_on_news(news):
    sdt = pytest.importorskip("sparse_dot_topn")
    X = TfidfVectorizer().fit_transform(news)  # rows are L2-normalised
    want = sdt.sp_matmul_topn(X, X.T, top_n=10, n_threads=2).tocsr()
    got = wn.top_k_similar(X, k=10, exclude_self=False)
    assert got.shape == want.shape
    assert np.array_equal(np.diff(got.indptr), np.diff(want.indptr))
    for g, w in zip(rows_of(got), rows_of(want), strict=True):
        gs, ws = sorted(s for _, s in g), sorted(s for _, s in w)
        np.testing.assert_allclose(gs, ws, rtol=0, atol=1e-12)
        if not gs:
            continue
        # Columns agree except among entries tied (to rounding) with the row's lowest score.
        cut = gs[0] + 1e-12
        assert {j for j, s in g if s > cut} == {j for j, s in w if s > cut}


def test_empty_matrices():
    X = sp.csr_matrix((0, 5))
    assert wn.top_k_similar(X).shape == (0, 0)
    assert wn.cosine_similarity(X).shape == (0, 0)
    Y = sp.csr_matrix((0, 5))
    S = wn.top_k_similar(random_sparse(3, 5, 0.5, 1), Y)
    assert S.shape == (3, 0) and S.nnz == 0
    assert wn.cosine_similarity(random_sparse(3, 5, 0.5, 1), Y).shape == (3, 0)
    assert wn.near_duplicates([]).empty


# --- similar_pairs ------------------------------------------------------------------------


def test_similar_pairs_equal_brute_force():
    X = random_sparse(40, 8, 0.4, 7)
    got = wn.similar_pairs(X, k=40, threshold=0.3)
    S = sk_cosine(X)
    want = sorted(
        ((i, j, S[i, j]) for i in range(40) for j in range(i + 1, 40) if S[i, j] > 0.3),
        key=lambda e: -e[2],
    )
    assert list(got.columns) == ["i", "j", "score"]
    assert (got["i"] < got["j"]).all()
    assert set(zip(got["i"], got["j"], strict=True)) == {(i, j) for i, j, _ in want}
    assert got["score"].is_monotonic_decreasing
    np.testing.assert_allclose(got["score"], [s for *_, s in want], rtol=0, atol=1e-12)


def test_similar_pairs_use_labels_and_each_pair_once():
    X = np.array([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0], [1.0, 0.0]])
    got = wn.similar_pairs(X, k=3, threshold=0.5, labels=pd.Index(["w", "x", "y", "z"]))
    assert sorted(zip(got["i"], got["j"], strict=True)) == [("w", "x"), ("w", "z"), ("x", "z")]
    assert got["score"].iloc[0] == pytest.approx(1.0)
    assert (got["i"].iloc[0], got["j"].iloc[0]) == ("w", "z")


# --- near_duplicates ----------------------------------------------------------------------


def exact_groups(texts: pd.Series) -> list[set]:
    """Groups of identical texts, computed with plain Python."""
    by_text = defaultdict(list)
    for label, text in texts.items():
        by_text[text].append(label)
    return sorted(
        (set(v) for v in by_text.values() if len(v) > 1), key=lambda g: sorted(map(str, g))
    )


def found_groups(df: pd.DataFrame) -> list[set]:
    return sorted(
        (set(g["doc"]) for _, g in df.groupby("group")), key=lambda g: sorted(map(str, g))
    )


def shingle_set(text: str, k: int = 5) -> set[str]:
    t = " ".join(text.lower().split())
    return {t[i : i + k] for i in range(max(1, len(t) - k + 1))} if t else set()


def jaccard(a: str, b: str) -> float:
    A, B = shingle_set(a), shingle_set(b)
    return len(A & B) / len(A | B)


def assert_no_false_positive(df, texts, threshold):
    """Every group is connected by pairs whose exact Jaccard is >= threshold."""
    for members in found_groups(df):
        members = sorted(members, key=str)
        reached, todo = {members[0]}, [members[0]]
        while todo:
            a = todo.pop()
            for b in members:
                if b not in reached and jaccard(texts[a], texts[b]) >= threshold:
                    reached.add(b)
                    todo.append(b)
        assert reached == set(members)


def edit(text: str, rng: random.Random) -> str:
    """A light edit: one word dropped, one changed, whitespace and case changed."""
    words = text.split()
    del words[rng.randrange(len(words))]
    words[rng.randrange(len(words))] = "EDITED"
    return "  ".join(words).upper()


@pytest.fixture(scope="module")
def news_with_copies(news):
    """The news corpus plus 25 lightly edited copies of long articles (labels 'copy-<id>')."""
    rng = random.Random(0)
    long = news[news.str.len().between(2000, 6000)]
    picked = long.sample(25, random_state=0)
    copies = pd.Series([edit(t, rng) for t in picked], index=[f"copy-{i}" for i in picked.index])
    return pd.concat([news, copies]), picked


def test_exact_duplicates_of_news(news):
    # The issue's "42" is pandas' `text.duplicated().sum()` on the raw CSV: 35 repeats of the
    # missing text plus 7 repeats among 12 non-empty texts in 5 groups. Threshold 1.0 finds
    # exactly the groups of identical texts.
    want = exact_groups(news)
    assert sum(len(g) for g in want) == 12 and len(want) == 5
    assert found_groups(wn.near_duplicates(news, threshold=1.0)) == want


def test_near_duplicates_find_copies_and_nothing_else(news_with_copies):
    texts, picked = news_with_copies
    for label, text in picked.items():
        assert jaccard(text, texts[f"copy-{label}"]) >= 0.8  # the edit really is light
    got = wn.near_duplicates(texts, threshold=0.8)
    groups = found_groups(got)
    for g in exact_groups(texts):
        assert any(g <= f for f in groups)
    for label in picked.index:
        assert any({label, f"copy-{label}"} <= f for f in groups)
    assert_no_false_positive(got, texts, 0.8)
    sizes = got.groupby("group")["doc"].transform("size")
    assert (got["size"] == sizes).all()
    assert got["group"].is_monotonic_increasing


def test_near_duplicates_are_deterministic(news_with_copies):
    texts, _ = news_with_copies
    sample = texts.iloc[::3]
    a = wn.near_duplicates(sample, seed=3)
    pd.testing.assert_frame_equal(a, wn.near_duplicates(sample, seed=3))
    assert_no_false_positive(wn.near_duplicates(sample, seed=4, num_perm=64), texts, 0.8)


def test_near_duplicates_tfidf_method(news_with_copies):
    texts, picked = news_with_copies
    got = wn.near_duplicates(texts, threshold=0.9, method="tfidf")
    groups = found_groups(got)
    for label in picked.index:
        assert any({label, f"copy-{label}"} <= f for f in groups)
    for g in exact_groups(texts):
        # A text without any token ("-1") has an all-zero TF-IDF row: similar to nothing.
        if re.search(r"\w\w", texts[next(iter(g))]):
            assert any(g <= f for f in groups)
    # Every group is connected by pairs whose sklearn TF-IDF cosine is >= 0.9.
    docs = sorted({d for g in groups for d in g}, key=str)
    X = TfidfVectorizer().fit(texts).transform(texts[docs])
    S = sk_cosine(X)
    pos = {d: i for i, d in enumerate(docs)}
    for g in groups:
        idx = [pos[d] for d in g]
        adj = S[np.ix_(idx, idx)] >= 0.9 - 1e-9
        n_comp, _ = sp.csgraph.connected_components(sp.csr_matrix(adj))
        assert n_comp == 1


def test_near_duplicates_word_shingles_and_plain_lists():
    base = "the minister arrived in the capital on monday for talks with the junta leaders"
    texts = [base, base.replace("monday", "tuesday"), "completely different words here today"]
    got = wn.near_duplicates(texts, threshold=0.5, analyzer="word", shingle=2)
    assert got["doc"].tolist() == [0, 1]
    assert got["size"].tolist() == [2, 2]
    empty = wn.near_duplicates(["", "  ", "x"])
    assert empty.empty and list(empty.columns) == ["doc", "group", "size"]


def test_large_document_does_not_blow_up():
    rng = random.Random(1)
    words = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9)))
        for _ in range(5000)
    ]
    big = " ".join(rng.choice(words) for _ in range(1_000_000))  # about 6 MB
    got = wn.near_duplicates([big, "short text", big + " tail"], num_perm=32)
    assert found_groups(got) == [{0, 2}]


# --- bad input ----------------------------------------------------------------------------


def test_shape_mismatch_names_y():
    X, Y = random_sparse(3, 4, 0.5, 1), random_sparse(3, 5, 0.5, 2)
    with pytest.raises(ValueError, match=r"^Y: .*columns"):
        wn.cosine_similarity(X, Y)
    with pytest.raises(ValueError, match=r"^Y: .*columns"):
        wn.top_k_similar(X, Y)
    with pytest.raises(ValueError, match=r"^Y: .*columns"):
        wn.cosine_similarity(X.toarray(), Y.toarray())


def test_core_dense_output_array_is_checked():
    from wirenlp import _core
    from wirenlp.similarity import _core_pair

    X = random_sparse(3, 4, 0.5, 1)
    xp, yp, _ = _core_pair(X, X)
    with pytest.raises(ValueError, match=r"^out: has shape \(2, 3\), expected \(3, 3\)"):
        _core.cosine_dense(xp, yp, np.zeros((2, 3)))
    with pytest.raises(TypeError, match=r"^out: must be a 2-d numpy array"):
        _core.cosine_dense(xp, yp, np.zeros((3, 3), dtype=np.float32))
    with pytest.raises(TypeError, match=r"^out: must be C-contiguous"):
        _core.cosine_dense(xp, yp, np.zeros((3, 3), order="F"))
    out = np.zeros((3, 3))
    _core.cosine_dense(xp, yp, out)
    np.testing.assert_allclose(out, sk_cosine(X), rtol=0, atol=1e-12)


def test_not_a_matrix_names_x():
    with pytest.raises(ValueError, match=r"^X: expected a 2-d"):
        wn.cosine_similarity(np.ones(3))
    with pytest.raises(ValueError, match=r"^X: expected numbers"):
        wn.top_k_similar(np.array([["a", "b"]]))


@pytest.mark.parametrize("k", [0, -3])
def test_k_below_one(k):
    with pytest.raises(ValueError, match=r"^k: must be >= 1"):
        wn.top_k_similar(random_sparse(3, 3, 0.5, 1), k=k)
    with pytest.raises(ValueError, match=r"^k: must be >= 1"):
        wn.similar_pairs(random_sparse(3, 3, 0.5, 1), k=k)


@pytest.mark.parametrize("threshold", [1.5, -1.01, float("nan")])
def test_threshold_outside_range(threshold):
    with pytest.raises(ValueError, match=r"^threshold: must be within \[-1, 1\]"):
        wn.top_k_similar(random_sparse(3, 3, 0.5, 1), threshold=threshold)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_dense_input(bad):
    X = np.ones((3, 2))
    X[1, 0] = bad
    with pytest.raises(ValueError, match=r"^X: contains NaN or infinity"):
        wn.cosine_similarity(X)
    with pytest.raises(ValueError, match=r"^Y: contains NaN or infinity"):
        wn.top_k_similar(np.ones((2, 2)), X)


def test_nan_in_sparse_input_names_row():
    X = sp.csr_matrix(np.array([[1.0, 0.0], [0.0, np.nan]]))
    with pytest.raises(ValueError, match=r"^X\[1\]: contains NaN or infinity"):
        wn.top_k_similar(X)


def test_labels_of_wrong_length():
    with pytest.raises(ValueError, match=r"^labels: has 2 entries but X has 3 rows"):
        wn.similar_pairs(np.eye(3), labels=["a", "b"])


def test_near_duplicates_bad_texts():
    with pytest.raises(TypeError, match=r"texts\[1\]: expected str.*index label 'b'"):
        wn.near_duplicates(pd.Series(["x", 3], index=["a", "b"]))
    with pytest.raises(TypeError, match=r"^texts: .*single str"):
        wn.near_duplicates("just one text")
    with pytest.raises(TypeError, match=r"texts\[0\]: expected str"):
        wn.near_duplicates([None], method="tfidf")


@pytest.mark.parametrize(
    ("kw", "name"),
    [
        ({"threshold": 0}, "threshold"),
        ({"threshold": 1.2}, "threshold"),
        ({"method": "cosine"}, "method"),
        ({"num_perm": 0}, "num_perm"),
        ({"shingle": 0}, "shingle"),
        ({"analyzer": "line"}, "analyzer"),
    ],
)
def test_near_duplicates_bad_parameters(kw, name):
    with pytest.raises(ValueError, match=rf"^{name}: "):
        wn.near_duplicates(["a b c", "a b c"], **kw)


def test_demo_section_prints_pairs_and_groups(capsys):
    text = (
        "Lavrov arrived in Bamako on Monday for talks with the junta about security. "
        "The visit follows months of negotiations over military cooperation and grain. "
        "Officials said the talks would continue in Moscow later this year."
    )
    corpus = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "text": [text, text.replace("Monday", "Tuesday"), "Rain over Paris all week."],
            "lang": ["en", "en", "en"],
        }
    )
    wn.similarity.demo_similarity(corpus)
    out = capsys.readouterr().out
    assert re.search(r"^\s*a\s+b\s+0\.\d+", out, re.M)
    assert re.search(r"^\s*a\s+0\s+2\s+en", out, re.M)
