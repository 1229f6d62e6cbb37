"""Cosine similarity, nearest neighbours, similar pairs and near-duplicate groups.

The heavy work runs in Rust on all cores with the GIL released; scipy sparse matrices go in
and come out without copies through Python lists.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.csgraph

from wirenlp import _core
from wirenlp._input import as_texts, default_index, labelled_errors

_METHODS = ("minhash", "tfidf")


def _float_dtype(*arrays: Any) -> np.dtype:
    """float32 when every input is float32, else float64 (scikit-learn's rule)."""
    if all(a.dtype == np.float32 for a in arrays):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def _check_matrix(X: Any, arg: str) -> Any:
    """A 2-d numpy array or a scipy sparse matrix, numeric, checked; never modified."""
    if sp.issparse(X):
        if X.ndim != 2:
            raise ValueError(f"{arg}: expected a 2-d matrix, got shape {X.shape}")
        if X.dtype.kind not in "biuf":
            raise ValueError(f"{arg}: expected numbers, got dtype {X.dtype}")
        return X
    try:
        A = np.asarray(X)
    except Exception as exc:
        raise ValueError(f"{arg}: cannot be read as a matrix ({exc})") from None
    if A.ndim != 2:
        raise ValueError(f"{arg}: expected a 2-d array, got shape {A.shape}")
    if A.dtype.kind not in "biuf":
        raise ValueError(f"{arg}: expected numbers, got dtype {A.dtype}")
    if A.dtype.kind == "f" and not np.isfinite(A).all():
        raise ValueError(f"{arg}: contains NaN or infinity")
    return A


def _pair(X: Any, Y: Any) -> tuple[Any, Any]:
    X = _check_matrix(X, "X")
    Y = X if Y is None else _check_matrix(Y, "Y")
    if X.shape[1] != Y.shape[1]:
        raise ValueError(
            f"Y: has {Y.shape[1]} columns but X has {X.shape[1]}: both must share one feature "
            "space (shape mismatch)"
        )
    return X, Y


def _csr_parts(M: Any, dtype: np.dtype, index: np.dtype) -> tuple[Any, ...]:
    """(data, indices, indptr, shape) of M as CSR, copying only when needed.

    Unsorted rows and duplicate entries go to the core as they are: it needs no order and
    sums duplicates itself, on a copy. scikit-learn's TF-IDF rows are unsorted, and sorting
    them here took a fifth of a top-10 self-join.
    """
    C = M.tocsr(copy=False) if sp.issparse(M) else sp.csr_array(M)
    return (
        np.ascontiguousarray(C.data, dtype=dtype),
        np.ascontiguousarray(C.indices, dtype=index),
        np.ascontiguousarray(C.indptr, dtype=index),
        C.shape,
    )


def _core_pair(X: Any, Y: Any) -> tuple[tuple[Any, ...], tuple[Any, ...], np.dtype]:
    """CSR parts of X and Y with one float type and one index type."""
    dtype = _float_dtype(X, Y)
    index = np.dtype(np.int32)
    for M in (X, Y):
        big = max(M.shape[1], M.nnz if sp.issparse(M) else M.size)
        if big >= np.iinfo(np.int32).max:
            index = np.dtype(np.int64)
    xp = _csr_parts(X, dtype, index)
    yp = xp if Y is X else _csr_parts(Y, dtype, index)
    return xp, yp, dtype


def cosine_similarity(
    X: Any, Y: Any = None, dense_output: bool = True, *, n_jobs: int | None = None
) -> Any:
    """Cosine similarity between the rows of ``X`` and the rows of ``Y``.

    The same numbers as :func:`sklearn.metrics.pairwise.cosine_similarity` (to 1e-12), from
    sparse inputs several times faster: rows are L2-normalised on the fly and the product
    runs in Rust on all cores. An all-zero row has similarity 0 with everything.

    Parameters
    ----------
    X : scipy sparse matrix or array-like of shape (n_X, n_features)
    Y : scipy sparse matrix or array-like of shape (n_Y, n_features), optional
        Defaults to ``X``.
    dense_output : bool, default True
        Return a dense array even for sparse inputs. ``False`` returns a
        ``scipy.sparse.csr_matrix`` when both inputs are sparse.
    n_jobs : int, optional
        Threads; ``None`` or ``-1`` uses all cores.

    Returns
    -------
    numpy.ndarray or scipy.sparse.csr_matrix of shape (n_X, n_Y)
        float32 when the inputs are float32, else float64.

    Raises
    ------
    ValueError
        When the numbers of columns differ, an input is not 2-d, or a dense input holds NaN
        or infinity.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp, wirenlp as wn
    >>> X = sp.csr_matrix(np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]))
    >>> wn.cosine_similarity(X).round(3)
    array([[1.   , 0.707, 0.   ],
           [0.707, 1.   , 0.   ],
           [0.   , 0.   , 0.   ]])
    """
    X, Y = _pair(X, Y)
    if not sp.issparse(X) and not sp.issparse(Y):
        dtype = _float_dtype(X, Y)
        Xn = _normalised(X.astype(dtype, copy=False))
        Yn = Xn if Y is X else _normalised(Y.astype(dtype, copy=False))
        return Xn @ Yn.T
    xp, yp, dtype = _core_pair(X, Y)
    shape = (X.shape[0], Y.shape[0])
    if dense_output or not (sp.issparse(X) and sp.issparse(Y)):
        # numpy's zeroed pages (huge pages where the system allows) cost less than Rust's.
        out = np.zeros(shape, dtype=dtype)
        _core.cosine_dense(xp, yp, out, n_jobs=n_jobs)
        return out
    data, indices, indptr = _core.cosine_sparse(xp, yp, n_jobs=n_jobs)
    return sp.csr_matrix((data, indices, indptr), shape=shape)


def _normalised(A: np.ndarray) -> np.ndarray:
    norms = np.sqrt(np.einsum("ij,ij->i", A, A))
    norms[norms == 0] = 1
    return A / norms[:, None]


def top_k_similar(
    X: Any,
    Y: Any = None,
    k: int = 10,
    threshold: float | None = None,
    exclude_self: bool = True,
    n_jobs: int | None = None,
) -> sp.csr_matrix:
    """The ``k`` most cosine-similar rows of ``Y`` for every row of ``X``, as a sparse matrix.

    Rows are L2-normalised internally, so the values are cosine similarities whatever the
    scaling of the input. The full ``n_X × n_Y`` matrix is never built: memory grows with
    ``n_X · k``, so 100,000 documents fit easily.

    Parameters
    ----------
    X : scipy sparse matrix or array-like of shape (n_X, n_features)
    Y : scipy sparse matrix or array-like of shape (n_Y, n_features), optional
        Defaults to ``X`` (a self-join).
    k : int, default 10
        At most this many entries per row: the highest similarities, ties going to the lower
        column index.
    threshold : float in [-1, 1], optional
        Keep only similarities strictly above this value.
    exclude_self : bool, default True
        In a self-join (``Y`` is None), leave out each row's match with itself.
    n_jobs : int, optional
        Threads; ``None`` or ``-1`` uses all cores.

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_X, n_Y)
        Sorted column indices per row. Zero similarities are never stored.

    Raises
    ------
    ValueError
        When the numbers of columns differ, ``k < 1``, ``threshold`` is outside [-1, 1], or a
        dense input holds NaN or infinity.

    Examples
    --------
    >>> import numpy as np, wirenlp as wn
    >>> X = np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 1.0]])
    >>> S = wn.top_k_similar(X, k=1)
    >>> S.toarray().round(3)
    array([[0.   , 0.994, 0.   ],
           [0.994, 0.   , 0.   ],
           [0.   , 0.078, 0.   ]])
    >>> wn.top_k_similar(X, k=1, threshold=0.5).nnz
    2
    """
    self_join = Y is None
    X, Y = _pair(X, Y)
    xp, yp, _ = _core_pair(X, Y)
    data, indices, indptr = _core.cosine_sparse(
        xp,
        yp,
        k=k,
        threshold=threshold,
        exclude_self=bool(exclude_self and self_join),
        n_jobs=n_jobs,
    )
    return sp.csr_matrix((data, indices, indptr), shape=(X.shape[0], Y.shape[0]))


def similar_pairs(
    X: Any,
    k: int = 10,
    threshold: float | None = 0.5,
    labels: Any = None,
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Pairs of similar rows of ``X`` (a self-join), each pair once, most similar first.

    Each row contributes its ``k`` nearest neighbours above ``threshold`` (see
    :func:`top_k_similar`); a pair found from both sides is listed once with ``i < j``.

    Parameters
    ----------
    X : scipy sparse matrix or array-like of shape (n, n_features)
    k : int, default 10
        Neighbours kept per row.
    threshold : float in [-1, 1], optional, default 0.5
        Keep only cosine similarities strictly above this value.
    labels : pandas.Index or sequence of length n, optional
        Report these labels (e.g. a document id index) instead of row positions.
    n_jobs : int, optional
        Threads; ``None`` or ``-1`` uses all cores.

    Returns
    -------
    pandas.DataFrame
        Columns ``i``, ``j`` (row positions, or labels when given) and ``score``, sorted by
        score, highest first; ties keep the order of ``(i, j)``.

    Examples
    --------
    >>> import numpy as np, wirenlp as wn
    >>> X = np.array([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0], [0.1, 1.0]])
    >>> wn.similar_pairs(X, labels=["a", "b", "c", "d"]).round(3)
       i  j  score
    0  a  b  0.995
    1  c  d  0.995
    """
    n = _check_matrix(X, "X").shape[0]
    if labels is not None:
        labels = pd.Index(labels)
        if len(labels) != n:
            raise ValueError(f"labels: has {len(labels)} entries but X has {n} rows")
    S = top_k_similar(X, k=k, threshold=threshold, n_jobs=n_jobs).tocoo()
    row, col, score = S.row.astype(np.int64), S.col.astype(np.int64), S.data
    lo, hi = np.minimum(row, col), np.maximum(row, col)
    # A pair seen from both rows keeps the value computed from its lower row.
    order = np.lexsort((row > col, hi, lo))
    lo, hi, score = lo[order], hi[order], score[order]
    first = np.ones(len(lo), dtype=bool)
    first[1:] = (lo[1:] != lo[:-1]) | (hi[1:] != hi[:-1])
    lo, hi, score = lo[first], hi[first], score[first]
    by_score = np.argsort(-score, kind="stable")
    i, j = lo[by_score], hi[by_score]
    return pd.DataFrame(
        {
            "i": labels[i] if labels is not None else i,
            "j": labels[j] if labels is not None else j,
            "score": score[by_score],
        }
    )


def _tfidf(texts: Any) -> sp.csr_matrix:
    """TF-IDF of ``texts`` with scikit-learn's defaults (``wn.TfidfVectorizer``)."""
    from wirenlp.vectorize import TfidfVectorizer

    return TfidfVectorizer().fit_transform(texts)


def _groups_frame(docs: np.ndarray, groups: np.ndarray, index: pd.Index) -> pd.DataFrame:
    sizes = np.bincount(groups)[groups] if len(groups) else np.zeros(0, dtype=np.int64)
    return pd.DataFrame(
        {
            "doc": index[docs],
            "group": groups.astype(np.int64),
            "size": sizes.astype(np.int64),
        }
    )


def _tfidf_groups(values: Any, threshold: float, n_jobs: int | None) -> tuple[Any, Any]:
    """Groups of documents joined by TF-IDF cosine >= threshold (union of k-NN edges)."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    try:
        X = _tfidf(values)
    except (TypeError, ValueError) as err:
        # The vectorizer names its argument raw_documents; here the user's is texts.
        msg = str(err)
        if not msg.startswith("raw_documents"):
            raise
        new = type(err)("texts" + msg[len("raw_documents") :])
        new.position = getattr(err, "position", None)  # type: ignore[attr-defined]
        raise new from None
    # Rounding can put identical documents a hair below 1.0.
    S = top_k_similar(X, k=32, threshold=max(threshold - 1e-9, -1.0), n_jobs=n_jobs)
    _, labels = scipy.sparse.csgraph.connected_components(S, directed=False)
    sizes = np.bincount(labels)
    grouped = np.flatnonzero(sizes[labels] > 1)
    # Number groups by their first member: np.unique returns first positions in order.
    _, first, inverse = np.unique(labels[grouped], return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return grouped, rank[inverse]


def near_duplicates(
    texts: Any,
    threshold: float = 0.8,
    method: str = "minhash",
    num_perm: int = 128,
    shingle: int = 5,
    seed: int = 0,
    *,
    analyzer: str = "char",
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Groups of near-duplicate texts: copies, lightly edited copies, re-sent dispatches.

    With ``method="minhash"`` each text is lower-cased, its whitespace collapsed, and cut into
    shingles (``shingle`` characters, or words with ``analyzer="word"``). MinHash signatures
    and LSH banding tuned to ``threshold`` propose candidate pairs; every candidate is then
    verified by the exact Jaccard similarity of the two shingle sets, so no reported pair is a
    false positive. ``method="tfidf"`` joins texts whose TF-IDF cosine similarity is at least
    ``threshold`` (via :func:`top_k_similar`, 32 neighbours per text). Groups are the
    connected components of the verified pairs. The result depends only on the input and
    ``seed``.

    Parameters
    ----------
    texts : sequence of str or pandas.Series
    threshold : float in (0, 1], default 0.8
        Minimum Jaccard similarity (minhash) or cosine similarity (tfidf).
    method : {"minhash", "tfidf"}, default "minhash"
    num_perm : int, default 128
        MinHash signature length: more is slower but misses fewer pairs near the threshold.
    shingle : int, default 5
        Shingle length in characters (or words).
    seed : int, default 0
        Seed of the hash functions.
    analyzer : {"char", "word"}, default "char"
        Character or word shingles.
    n_jobs : int, optional
        Threads; ``None`` or ``-1`` uses all cores.

    Returns
    -------
    pandas.DataFrame
        One row per text that has a near duplicate: ``doc`` (the input's index label, or
        position), ``group`` (numbered from 0 in order of first member) and ``size`` (members
        in the group). Texts empty after normalisation are never grouped.

    Raises
    ------
    TypeError, ValueError
        For an item that is not a str (naming its position and index label) and for
        parameters out of range.

    Examples
    --------
    >>> import pandas as pd, wirenlp as wn
    >>> s = pd.Series([
    ...     "Lavrov arrived in Bamako on Monday for talks with the junta.",
    ...     "Rain is expected over Paris all week.",
    ...     "Lavrov arrived in Bamako on Monday for talks with the junta!",
    ... ], index=["a", "b", "c"])
    >>> wn.near_duplicates(s)
      doc  group  size
    0   a      0     2
    1   c      0     2
    """
    if method not in _METHODS:
        raise ValueError(f"method: must be one of {_METHODS}, got {method!r}")
    if not isinstance(threshold, (int, float)) or not 0 < threshold <= 1:
        raise ValueError(f"threshold: must be within (0, 1], got {threshold!r}")
    values, index = as_texts(texts)
    with labelled_errors(index):
        if method == "minhash":
            docs, groups = _core.near_duplicate_groups(
                values,
                threshold=threshold,
                num_perm=num_perm,
                shingle=shingle,
                analyzer=analyzer,
                seed=seed,
                n_jobs=n_jobs,
            )
        else:
            docs, groups = _tfidf_groups(values, threshold, n_jobs)
    return _groups_frame(np.asarray(docs), np.asarray(groups), default_index(len(values), index))


def demo_similarity(corpus: pd.DataFrame) -> None:
    """Print the most similar document pairs and the near-duplicate groups of ``corpus``.

    ``corpus`` has the columns ``doc_id``, ``text`` and ``lang`` (as from
    :func:`wirenlp.read_corpus`); a section of ``python -m wirenlp demo``.
    """
    texts = pd.Series(corpus["text"].to_numpy(), index=pd.Index(corpus["doc_id"], name="doc"))
    print("Most similar pairs (TF-IDF cosine):")
    pairs = similar_pairs(_tfidf(texts), k=5, threshold=0.2, labels=texts.index)
    if pairs.empty:
        print("  (none above 0.2)")
    else:
        print(pairs.head(10).round(3).to_string(index=False))
    print()
    print("Near-duplicate groups (MinHash, Jaccard >= 0.8 on 5-character shingles):")
    groups = near_duplicates(texts)
    if groups.empty:
        print("  (none)")
        return
    langs = corpus.set_index("doc_id")["lang"]
    groups = groups.assign(lang=langs.reindex(groups["doc"]).to_numpy())
    print(groups.to_string(index=False, na_rep="-"))


__all__ = [
    "cosine_similarity",
    "demo_similarity",
    "near_duplicates",
    "similar_pairs",
    "top_k_similar",
]
