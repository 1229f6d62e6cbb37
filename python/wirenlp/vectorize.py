"""Count, TF-IDF and hashing vectorizers: scikit-learn's interface and numbers, computed in Rust.

:class:`CountVectorizer`, :class:`TfidfVectorizer` and :class:`HashingVectorizer` take the
parameters of their scikit-learn namesakes (same names, defaults and semantics) and return the
same ``scipy.sparse.csr_matrix``: same vocabulary, same column order, same values. The texts
are analysed, counted and weighted in one parallel pass with the GIL released. Fitted
vectorizers save to versioned JSON (:meth:`TfidfVectorizer.save` / ``load``) and pickle to
the same bytes.

scikit-learn is not imported when wirenlp is; it is only needed for ``stop_words="english"``
(its list is read from scikit-learn itself) and to use the estimators in its pipelines.
"""

from __future__ import annotations

import inspect
import json
import numbers
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wirenlp import _core
from wirenlp._input import as_texts, default_index, labelled_errors
from wirenlp.exceptions import not_fitted_error

__all__ = ["CountVectorizer", "HashingVectorizer", "TfidfVectorizer", "demo_top_terms"]

DEFAULT_TOKEN_PATTERN = r"(?u)\b\w\w+\b"
_INT32_MAX = np.iinfo(np.int32).max


def _english_stop_words() -> list[str]:
    try:
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
    except ImportError as exc:  # pragma: no cover - sklearn is a test dependency
        raise ValueError(
            "stop_words: 'english' is scikit-learn's list and scikit-learn is not installed; "
            "use stop_words='en' (wirenlp's own English list)"
        ) from exc
    return sorted(ENGLISH_STOP_WORDS)


def _csr(parts: tuple[Any, Any, Any, tuple[int, int], bool]) -> sp.csr_matrix:
    """A csr_matrix over the arrays Rust returned, with sklearn's int32 indices when they fit.

    The rows of a ``fit_transform`` keep their columns in order of appearance, as sklearn's do
    (``has_sorted_indices`` is False); ``transform`` sorts them, as sklearn does.
    """
    data, indices, indptr, shape, sorted_indices = parts
    if indptr[-1] <= _INT32_MAX:
        indptr = indptr.astype(np.int32)
    else:
        indices = indices.astype(np.int64)
    x = sp.csr_matrix((data, indices, indptr), shape=shape, copy=False)
    x.has_sorted_indices = sorted_indices
    return x


def _remember_index(x: sp.csr_matrix, index: pd.Index | None) -> None:
    """Keep the input Series' index on the matrix, for the row labels of ``top_terms``."""
    if index is not None:
        x._wirenlp_index = index


class _Params:
    """Validation of the constructor parameters at fit; each error names its parameter."""

    def __init__(self, est: Any) -> None:
        self.est = est
        self.cls = type(est).__name__

    def fail(self, name: str, expected: str) -> ValueError:
        value = getattr(self.est, name)
        return ValueError(f"The {name!r} parameter of {self.cls} must be {expected}, got {value!r}")

    def bool(self, name: str) -> bool:
        v = getattr(self.est, name)
        if not isinstance(v, (bool, np.bool_)):
            raise self.fail(name, "a bool")
        return bool(v)

    def choice(self, name: str, options: tuple[Any, ...]) -> Any:
        v = getattr(self.est, name)
        if not any(v is o or (isinstance(o, str) and v == o) for o in options):
            raise self.fail(name, "one of " + ", ".join(map(repr, options)))
        return v

    def int(self, name: str, *, optional: bool = False) -> int | None:
        v = getattr(self.est, name)
        if v is None and optional:
            return None
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
            raise self.fail(name, "an int" + (" or None" if optional else ""))
        return int(v)

    def doc_freq(self, name: str) -> int | float:
        v = getattr(self.est, name)
        if (
            isinstance(v, (bool, np.bool_))
            or not isinstance(v, numbers.Real)
            or (isinstance(v, numbers.Integral) and v < 1)
        ):
            raise self.fail(name, "an int >= 1 (documents) or a float in [0.0, 1.0] (proportion)")
        return int(v) if isinstance(v, numbers.Integral) else float(v)

    def analysis(self) -> tuple[dict[str, Any], list[str] | None, Any]:
        """(analysis config, sklearn's English stop list if needed, tokenizer core)."""
        est = self.est
        ngram = est.ngram_range
        if (
            not isinstance(ngram, (tuple, list))
            or len(ngram) != 2
            or not all(
                isinstance(n, numbers.Integral) and not isinstance(n, (bool, np.bool_))
                for n in ngram
            )
        ):
            raise self.fail("ngram_range", "a tuple (min_n, max_n) of two ints")
        stop = est.stop_words
        english = None
        if stop is None:
            stop_cfg: Any = None
        elif isinstance(stop, str):
            stop_cfg = stop
            if stop == "english":
                english = _english_stop_words()
        elif isinstance(stop, Iterable) and all(isinstance(w, str) for w in stop):
            stop_cfg = sorted(set(stop))
        else:
            raise self.fail("stop_words", "'english', 'en', 'fr', 'auto', a list of str or None")
        pattern = est.token_pattern
        if pattern is not None and not isinstance(pattern, str):
            raise self.fail("token_pattern", "a str or None")
        tokenizer = est.tokenizer
        if tokenizer is not None and not isinstance(tokenizer, _core.Tokenizer):
            raise self.fail("tokenizer", "a wirenlp.Tokenizer or None")
        config = {
            "analyzer": self.choice("analyzer", ("word", "char", "char_wb")),
            "lowercase": self.bool("lowercase"),
            "strip_accents": self.choice("strip_accents", (None, "ascii", "unicode")),
            "token_pattern": pattern,
            "ngram_range": [int(ngram[0]), int(ngram[1])],
            "stop_words": stop_cfg,
        }
        return config, english, tokenizer

    def n_jobs(self) -> int | None:
        return self.int("n_jobs", optional=True)


class _Estimator:
    """sklearn estimator conventions without importing sklearn: parameters are the
    ``__init__`` arguments, stored verbatim."""

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return sorted(p for p in sig.parameters if p != "self")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters of this estimator (sklearn convention)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Any:
        """Set parameters (sklearn convention); returns ``self``."""
        valid = self._param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {valid!r}."
                )
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        defaults = inspect.signature(type(self).__init__).parameters
        changed = [
            f"{k}={v!r}" for k, v in self.get_params().items() if not _same(v, defaults[k].default)
        ]
        return f"{type(self).__name__}({', '.join(changed)})"

    def __sklearn_tags__(self) -> Any:
        from sklearn.utils import InputTags, Tags, TargetTags, TransformerTags

        return Tags(
            estimator_type=None,
            target_tags=TargetTags(required=False),
            transformer_tags=TransformerTags(),
            input_tags=InputTags(string=True, two_d_array=False),
            requires_fit=not isinstance(self, HashingVectorizer),
        )


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a is b or a == b)
    except Exception:
        return False


def _json_params(est: _Estimator) -> str:
    """Constructor parameters as JSON (dtype by name; tokenizer by its saved form)."""
    out: dict[str, Any] = {}
    for k, v in est.get_params().items():
        if k == "dtype":
            v = np.dtype(v).name
        elif k == "tokenizer" and v is not None:
            v = {"__tokenizer__": v.get_params()}
        elif k == "ngram_range":
            v = list(v)
        elif k == "vocabulary" and v is not None:
            v = dict(v) if isinstance(v, Mapping) else list(v)
        elif k == "stop_words" and v is not None and not isinstance(v, str):
            v = sorted(v) if isinstance(v, (set, frozenset)) else list(v)
        elif isinstance(v, np.generic):
            v = v.item()
        out[k] = v
    return json.dumps(out, ensure_ascii=False, sort_keys=True)


def _params_from_json(text: str) -> dict[str, Any]:
    params = json.loads(text)
    params["dtype"] = np.dtype(params["dtype"]).type
    params["ngram_range"] = tuple(params["ngram_range"])
    tok = params.get("tokenizer")
    if isinstance(tok, dict) and "__tokenizer__" in tok:
        from wirenlp.text import Tokenizer

        params["tokenizer"] = Tokenizer(**tok["__tokenizer__"])
    return params


class CountVectorizer(_Estimator):
    """Convert texts to a matrix of term counts (scikit-learn's ``CountVectorizer``).

    Parameters
    ----------
    strip_accents : {"ascii", "unicode"} or None, default=None
        Remove accents after lowercasing ("unicode": NFKD and drop combining marks).
    lowercase : bool, default=True
        Lowercase before tokenizing.
    tokenizer : wirenlp.Tokenizer or None, default=None
        Language-aware tokenizer replacing lowercasing, accents and ``token_pattern``.
    stop_words : {"english", "en", "fr", "auto"}, list of str or None, default=None
        Words removed before n-grams are formed. "english" is scikit-learn's list; "en" and
        "fr" are wirenlp's lists; "auto" picks the English or French list per document by
        detected language. Word analyzer only.
    token_pattern : str or None, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression of a token; with one capture group, the group is the token.
    ngram_range : tuple (min_n, max_n), default=(1, 1)
        Sizes of the n-grams.
    analyzer : {"word", "char", "char_wb"}, default="word"
        Word n-grams, character n-grams, or character n-grams inside padded words.
    max_df, min_df : float in [0.0, 1.0] or int, default=1.0 and 1
        Drop terms in more / fewer documents than this (int: documents; float: proportion).
    max_features : int or None, default=None
        Keep the most frequent terms over the corpus; ties go to the term that sorts first.
    vocabulary : mapping or iterable of str, default=None
        A fixed vocabulary (term -> column, or terms in column order; a set is sorted).
    binary : bool, default=False
        Counts become 0/1.
    dtype : numpy dtype, default=numpy.int64
        Element type of the matrix.
    n_jobs : int or None, default=None
        Threads (None or -1: all cores).

    Attributes
    ----------
    vocabulary_ : dict
        Term -> column.

    Examples
    --------
    >>> import wirenlp as wn
    >>> cv = wn.CountVectorizer()
    >>> X = cv.fit_transform(["The cat sat.", "The cat saw the hat."])
    >>> cv.get_feature_names_out().tolist()
    ['cat', 'hat', 'sat', 'saw', 'the']
    >>> X.toarray()
    array([[1, 0, 1, 0, 1],
           [1, 1, 0, 1, 2]])
    """

    _weighted: ClassVar[bool] = False

    def __init__(
        self,
        *,
        strip_accents: str | None = None,
        lowercase: bool = True,
        tokenizer: Any = None,
        stop_words: str | Iterable[str] | None = None,
        token_pattern: str | None = DEFAULT_TOKEN_PATTERN,
        ngram_range: tuple[int, int] = (1, 1),
        analyzer: str = "word",
        max_df: float | int = 1.0,
        min_df: float | int = 1,
        max_features: int | None = None,
        vocabulary: Mapping[str, int] | Iterable[str] | None = None,
        binary: bool = False,
        dtype: Any = np.int64,
        n_jobs: int | None = None,
    ) -> None:
        self.strip_accents = strip_accents
        self.lowercase = lowercase
        self.tokenizer = tokenizer
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.max_df = max_df
        self.min_df = min_df
        self.max_features = max_features
        self.vocabulary = vocabulary
        self.binary = binary
        self.dtype = dtype
        self.n_jobs = n_jobs

    # -- configuration -------------------------------------------------------------------

    def _dtype(self, p: _Params) -> tuple[str, np.dtype]:
        """(dtype computed in Rust, dtype of the result)."""
        try:
            dt = np.dtype(self.dtype)
        except TypeError:
            raise p.fail("dtype", "a numpy dtype") from None
        if dt.name in ("float32", "float64", "int32", "int64"):
            return dt.name, dt
        if dt.kind in "iub":
            return "int64", dt
        if dt.kind == "f":
            return "float64", dt
        raise p.fail("dtype", "a numeric numpy dtype")

    def _weighting(self, p: _Params) -> dict[str, Any] | None:
        return None

    def _fixed_vocabulary(self, p: _Params) -> list[str] | None:
        v = self.vocabulary
        if v is None:
            return None
        if isinstance(v, Mapping):
            terms = [None] * len(v)
            for term, i in v.items():
                bad = not isinstance(i, numbers.Integral) or not 0 <= i < len(v)
                if bad or terms[i] is not None:
                    raise ValueError(
                        f"vocabulary: indices must be 0..{len(v) - 1}, each once; "
                        f"bad index {i!r} for {term!r}"
                    )
                terms[i] = term
            return terms  # type: ignore[return-value]
        if isinstance(v, (set, frozenset)):
            return sorted(v)
        if isinstance(v, str) or not isinstance(v, Iterable):
            raise p.fail("vocabulary", "a mapping, an iterable of str or None")
        return list(v)

    def _build(self) -> tuple[Any, np.dtype]:
        p = _Params(self)
        analysis, english, tokenizer = p.analysis()
        core_dtype, out_dtype = self._dtype(p)
        config = {
            "analysis": analysis,
            "max_df": p.doc_freq("max_df"),
            "min_df": p.doc_freq("min_df"),
            "max_features": p.int("max_features", optional=True),
            "binary": p.bool("binary"),
            "dtype": core_dtype,
            "weighting": self._weighting(p),
        }
        if config["max_features"] is not None and config["max_features"] < 1:
            raise p.fail("max_features", "an int >= 1 or None")
        p.n_jobs()
        core = _core._Vectorizer(json.dumps(config), english, tokenizer, self._fixed_vocabulary(p))
        return core, out_dtype

    # -- fitting -------------------------------------------------------------------------

    def _run(self, method: str, raw_documents: Any) -> sp.csr_matrix:
        texts, index = as_texts(raw_documents, "raw_documents")
        with labelled_errors(index):
            x = _csr(getattr(self._core, method)(texts, self.n_jobs))
        if x.dtype != self._out_dtype:
            x = x.astype(self._out_dtype)
        _remember_index(x, index)
        return x

    def fit(self, raw_documents: Any, y: Any = None) -> Any:
        """Learn the vocabulary (and idf) of ``raw_documents``; returns ``self``."""
        self.fit_transform(raw_documents)
        return self

    def fit_transform(self, raw_documents: Any, y: Any = None) -> sp.csr_matrix:
        """Learn the vocabulary and return the document-term matrix.

        As with sklearn, each row keeps its columns in the order its terms first appear
        (``has_sorted_indices`` is False); call ``.sort_indices()`` if you need them sorted.
        ``transform`` returns sorted rows.
        """
        if isinstance(raw_documents, str):
            raise ValueError(
                "raw_documents: iterable over raw text documents expected, str received"
            )
        self._core, self._out_dtype = self._build()
        try:
            return self._run("fit_transform", raw_documents)
        except BaseException:
            del self._core
            raise

    def transform(self, raw_documents: Any) -> sp.csr_matrix:
        """Document-term matrix of ``raw_documents`` over the learned vocabulary."""
        if isinstance(raw_documents, str):
            raise ValueError(
                "raw_documents: iterable over raw text documents expected, str received"
            )
        if not self._fitted():
            # sklearn: a CountVectorizer with a given vocabulary needs no fit.
            if self.vocabulary is None or self._weighted:
                self._not_fitted()
            self._core, self._out_dtype = self._build()
        return self._run("transform", raw_documents)

    def _fitted(self) -> bool:
        core = self.__dict__.get("_core")
        return core is not None and core.is_fitted()

    def _not_fitted(self) -> None:
        raise not_fitted_error(
            f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
            "appropriate arguments before using this estimator."
        )

    def _check_fitted(self) -> Any:
        if not self._fitted():
            self._not_fitted()
        return self._core

    @property
    def vocabulary_(self) -> dict[str, int]:
        """Term -> column of the fitted vocabulary."""
        return self._check_fitted().vocabulary()

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Terms in column order (object array of str, as sklearn)."""
        return np.asarray(self._check_fitted().terms(), dtype=object)

    def top_terms(self, X: Any, n: int = 10, index: Any = None) -> pd.DataFrame:
        """The ``n`` highest-weighted terms of each row of ``X``.

        Parameters
        ----------
        X : sparse matrix
            Output of :meth:`transform` / :meth:`fit_transform`.
        n : int, default=10
            Terms per document.
        index : pandas.Index or sequence, optional
            Labels of the rows; by default the index of the Series that ``X`` was made from
            (0..n-1 for a plain list or a matrix built otherwise).

        Returns
        -------
        pandas.DataFrame
            Columns ``doc`` (row label), ``term``, ``weight``; rows in document order and
            decreasing weight (ties by column).

        Examples
        --------
        >>> import pandas as pd
        >>> import wirenlp as wn
        >>> docs = pd.Series(["red apples", "green apples, green pears"], index=["a", "b"])
        >>> tv = wn.TfidfVectorizer()
        >>> tv.top_terms(tv.fit_transform(docs), n=1)
          doc   term    weight
        0   a    red  0.814802
        1   b  green  0.852319
        """
        terms = self.get_feature_names_out()
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"n: must be an int >= 1, got {n!r}")
        x = sp.csr_matrix(X)
        if x.shape[1] != len(terms):
            raise ValueError(f"X: has {x.shape[1]} columns, the vocabulary has {len(terms)} terms")
        if not x.has_sorted_indices:
            x = x.sorted_indices()
        rows, cols, vals = _core.top_terms(
            x.indptr.astype(np.int64),
            x.indices.astype(np.int64),
            x.data.astype(np.float64),
            int(n),
            self.n_jobs,
        )
        if index is None:
            index = getattr(X, "_wirenlp_index", None)
        labels = default_index(x.shape[0], None if index is None else pd.Index(index))
        if len(labels) != x.shape[0]:
            raise ValueError(f"index: has {len(labels)} labels for {x.shape[0]} rows of X")
        return pd.DataFrame({"doc": labels.take(rows), "term": terms[cols], "weight": vals})

    # -- persistence ---------------------------------------------------------------------

    def _saved_json(self) -> str:
        return self._check_fitted().to_json(_json_params(self))

    def save(self, path: str | Path) -> None:
        """Write the fitted vectorizer to ``path`` as versioned JSON (UTF-8)."""
        Path(path).write_text(self._saved_json(), encoding="utf-8")

    @classmethod
    def _from_json(cls, text: str) -> Any:
        params = _params_from_json(_core._Vectorizer.saved_params(text))
        est = cls(**params)
        p = _Params(est)
        _, english, tokenizer = p.analysis()
        est._core = _core._Vectorizer.from_json(text, english, tokenizer)
        est._out_dtype = est._dtype(p)[1]
        return est

    @classmethod
    def load(cls, path: str | Path) -> Any:
        """Read a vectorizer written by :meth:`save`.

        A file written by a newer wirenlp (format version) raises ``ValueError``.
        """
        return cls._from_json(Path(path).read_text(encoding="utf-8"))

    def __getstate__(self) -> Any:
        # Fitted: exactly the bytes of save(); unfitted: the parameters as they are.
        if self._fitted():
            return self._saved_json().encode("utf-8")
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, bytes):
            self.__dict__.update(self._from_json(state.decode("utf-8")).__dict__)
        else:
            self.__dict__.update(state)


class TfidfVectorizer(CountVectorizer):
    """Convert texts to a matrix of TF-IDF weights (scikit-learn's ``TfidfVectorizer``).

    Takes every parameter of :class:`CountVectorizer` (``dtype`` defaults to float64 and
    must be float32 or float64), plus:

    Parameters
    ----------
    norm : {"l1", "l2"} or None, default="l2"
        Row normalisation.
    use_idf : bool, default=True
        Weight by inverse document frequency, ``ln((1 + n) / (1 + df)) + 1`` with
        ``smooth_idf``, ``ln(n / df) + 1`` without.
    smooth_idf : bool, default=True
        Add one to document frequencies.
    sublinear_tf : bool, default=False
        Use ``1 + ln(tf)`` instead of ``tf``.

    Attributes
    ----------
    vocabulary_ : dict
        Term -> column.
    idf_ : numpy.ndarray
        Inverse document frequencies (with ``use_idf``).

    Examples
    --------
    >>> import wirenlp as wn
    >>> tv = wn.TfidfVectorizer()
    >>> X = tv.fit_transform(["The cat sat.", "The cat saw the hat."])
    >>> tv.get_feature_names_out().tolist()
    ['cat', 'hat', 'sat', 'saw', 'the']
    >>> tv.idf_.round(3)
    array([1.   , 1.405, 1.405, 1.405, 1.   ])
    >>> X.shape, X.dtype
    ((2, 5), dtype('float64'))
    """

    _weighted = True

    def __init__(
        self,
        *,
        strip_accents: str | None = None,
        lowercase: bool = True,
        tokenizer: Any = None,
        stop_words: str | Iterable[str] | None = None,
        token_pattern: str | None = DEFAULT_TOKEN_PATTERN,
        ngram_range: tuple[int, int] = (1, 1),
        analyzer: str = "word",
        max_df: float | int = 1.0,
        min_df: float | int = 1,
        max_features: int | None = None,
        vocabulary: Mapping[str, int] | Iterable[str] | None = None,
        binary: bool = False,
        dtype: Any = np.float64,
        norm: str | None = "l2",
        use_idf: bool = True,
        smooth_idf: bool = True,
        sublinear_tf: bool = False,
        n_jobs: int | None = None,
    ) -> None:
        super().__init__(
            strip_accents=strip_accents,
            lowercase=lowercase,
            tokenizer=tokenizer,
            stop_words=stop_words,
            token_pattern=token_pattern,
            ngram_range=ngram_range,
            analyzer=analyzer,
            max_df=max_df,
            min_df=min_df,
            max_features=max_features,
            vocabulary=vocabulary,
            binary=binary,
            dtype=dtype,
            n_jobs=n_jobs,
        )
        self.norm = norm
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf

    def _dtype(self, p: _Params) -> tuple[str, np.dtype]:
        try:
            dt = np.dtype(self.dtype)
        except TypeError:
            raise p.fail("dtype", "float32 or float64") from None
        if dt.name not in ("float32", "float64"):
            warnings.warn(
                f"TfidfVectorizer: only float32 and float64 dtypes are supported; "
                f"{dt.name} is converted to float64",
                UserWarning,
                stacklevel=4,
            )
            dt = np.dtype(np.float64)
        return dt.name, dt

    def _weighting(self, p: _Params) -> dict[str, Any] | None:
        return {
            "norm": p.choice("norm", (None, "l1", "l2")),
            "use_idf": p.bool("use_idf"),
            "smooth_idf": p.bool("smooth_idf"),
            "sublinear_tf": p.bool("sublinear_tf"),
        }

    @property
    def idf_(self) -> np.ndarray:
        """Inverse document frequency of each column (dtype of the matrix)."""
        idf = self._check_fitted().idf()
        if idf is None:
            raise AttributeError("idf_ is only defined when use_idf=True")
        return idf.astype(self._out_dtype, copy=False)


class HashingVectorizer(_Estimator):
    """Hash texts' terms to a fixed number of columns (scikit-learn's ``HashingVectorizer``).

    Each term goes to column ``|h| mod n_features`` where ``h`` is the signed 32-bit
    MurmurHash3 of its UTF-8 bytes, so the output equals scikit-learn's. Nothing is learned;
    ``fit`` only checks the parameters.

    Parameters
    ----------
    strip_accents, lowercase, tokenizer, stop_words, token_pattern, ngram_range, analyzer
        As :class:`CountVectorizer`.
    n_features : int, default=2**20
        Number of columns.
    binary : bool, default=False
        Non-zero values become 1.
    norm : {"l1", "l2"} or None, default="l2"
        Row normalisation.
    alternate_sign : bool, default=True
        Sign each term by its hash's sign, so collisions tend to cancel.
    dtype : numpy dtype, default=numpy.float64
        float32 or float64.
    n_jobs : int or None, default=None
        Threads (None or -1: all cores).

    Examples
    --------
    >>> import wirenlp as wn
    >>> X = wn.HashingVectorizer(n_features=16).transform(["the cat", "the hat"])
    >>> X.shape, X.nnz
    ((2, 16), 4)
    """

    def __init__(
        self,
        *,
        strip_accents: str | None = None,
        lowercase: bool = True,
        tokenizer: Any = None,
        stop_words: str | Iterable[str] | None = None,
        token_pattern: str | None = DEFAULT_TOKEN_PATTERN,
        ngram_range: tuple[int, int] = (1, 1),
        analyzer: str = "word",
        n_features: int = 2**20,
        binary: bool = False,
        norm: str | None = "l2",
        alternate_sign: bool = True,
        dtype: Any = np.float64,
        n_jobs: int | None = None,
    ) -> None:
        self.strip_accents = strip_accents
        self.lowercase = lowercase
        self.tokenizer = tokenizer
        self.stop_words = stop_words
        self.token_pattern = token_pattern
        self.ngram_range = ngram_range
        self.analyzer = analyzer
        self.n_features = n_features
        self.binary = binary
        self.norm = norm
        self.alternate_sign = alternate_sign
        self.dtype = dtype
        self.n_jobs = n_jobs

    def _config(self) -> tuple[str, list[str] | None, Any, np.dtype]:
        p = _Params(self)
        analysis, english, tokenizer = p.analysis()
        n = p.int("n_features")
        assert n is not None
        if not 1 <= n < 2**31 - 1:
            raise p.fail("n_features", "an int in [1, 2**31 - 1)")
        dt = np.dtype(self.dtype)
        if dt.name not in ("float32", "float64"):
            raise p.fail("dtype", "float32 or float64")
        config = {
            "analysis": analysis,
            "n_features": n,
            "alternate_sign": p.bool("alternate_sign"),
            "binary": p.bool("binary"),
            "norm": p.choice("norm", (None, "l1", "l2")),
            "float32": dt.name == "float32",
        }
        p.n_jobs()
        return json.dumps(config), english, tokenizer, dt

    def fit(self, X: Any = None, y: Any = None) -> HashingVectorizer:
        """Check the parameters; returns ``self``."""
        if isinstance(X, str):
            raise ValueError("X: iterable over raw text documents expected, str received")
        config, english, _, _ = self._config()
        _core.check_analysis(json.dumps(json.loads(config)["analysis"]), english)
        return self

    partial_fit = fit

    def transform(self, X: Any) -> sp.csr_matrix:
        """Hash the documents of ``X`` into a ``(n_documents, n_features)`` matrix."""
        if isinstance(X, str):
            raise ValueError("X: iterable over raw text documents expected, str received")
        config, english, tokenizer, _ = self._config()
        texts, index = as_texts(X, "X")
        with labelled_errors(index):
            x = _csr(_core.hashing_transform(config, texts, english, tokenizer, self.n_jobs))
        _remember_index(x, index)
        return x

    def fit_transform(self, X: Any, y: Any = None) -> sp.csr_matrix:
        """Same as :meth:`transform`."""
        return self.fit(X).transform(X)


def demo_top_terms(corpus: pd.DataFrame) -> None:
    """Print the top 5 TF-IDF terms of each document of ``corpus`` (columns doc_id, text).

    Examples
    --------
    >>> import pandas as pd
    >>> from wirenlp.vectorize import demo_top_terms
    >>> demo_top_terms(pd.DataFrame({"doc_id": ["a", "b"], "text": ["red fox", "blue fox"],
    ...                              "lang": ["en", "en"]}))
    Top TF-IDF terms per document
      a: red (0.81), fox (0.58)
      b: blue (0.81), fox (0.58)
    """
    texts = pd.Series(corpus["text"].to_numpy(), index=corpus["doc_id"].to_numpy())
    tv = TfidfVectorizer(stop_words="auto")
    top = tv.top_terms(tv.fit_transform(texts), n=5)
    print("Top TF-IDF terms per document")
    for doc, rows in top.groupby("doc", sort=False):
        terms = ", ".join(
            f"{t} ({w:.2f})" for t, w in zip(rows["term"], rows["weight"], strict=True)
        )
        print(f"  {doc}: {terms}")
