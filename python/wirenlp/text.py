"""Tokenization and language detection for English and French news."""

from __future__ import annotations

import inspect
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from wirenlp import _core
from wirenlp._input import as_texts, labelled_errors


class TokenIds(NamedTuple):
    """Tokens of many documents as integer ids (see :meth:`Tokenizer.token_ids`)."""

    vocabulary: list[str]
    """Distinct tokens, in order of first appearance."""
    ids: np.ndarray
    """Token ids (``uint32``) of all documents, back to back."""
    indptr: np.ndarray
    """Document ``i``'s ids are ``ids[indptr[i]:indptr[i + 1]]`` (``int64``)."""

    def tokens(self) -> list[list[str]]:
        """The tokens of each document as strings (what :meth:`Tokenizer.tokenize_batch` gives).

        Examples
        --------
        >>> import wirenlp as wn
        >>> wn.Tokenizer().token_ids(["Le Mali.", "", "Bamako"]).tokens()
        [['le', 'mali'], [], ['bamako']]
        """
        return _core._token_lists(
            list(self.vocabulary),
            np.ascontiguousarray(self.ids, dtype=np.uint32),
            np.ascontiguousarray(self.indptr, dtype=np.int64),
        )


class Tokenizer(_core.Tokenizer):
    """Tokenizer for English and French news.

    Text is NFC-normalised; words are runs of letters, digits and combining marks. French
    elided clitics (``l’``, ``d’``, ``qu’``, ``jusqu’``, ``s’``…) are split off, English
    possessives (``Lavrov’s``) are stripped, numbers keep their separators (``1,500``,
    ``60.64%``, ``2023-02-08``), dotted acronyms stay whole (``U.S.``), and curly quotes,
    guillemets, dashes and ellipses are punctuation. Batch work runs in Rust on all cores
    with the GIL released.

    Parameters
    ----------
    lang : str, default "auto"
        ``"auto"`` detects the language of each document, or an ISO 639-1 code. The language
        chooses the stop-word list (``stop_words="auto"``) and the stemmer. Detection reads
        stop words among the first 120 words (one hash lookup per word) and takes their
        language when the evidence is decisive; otherwise whatlang decides (as
        :func:`detect_language` does). ``language_of(text)`` tells which language applies.
    lowercase : bool, default True
        Lower-case tokens.
    strip_accents : {None, "unicode", "ascii"}, default None
        Remove accents after everything else (as scikit-learn does).
    stop_words : None, "auto", language code, or iterable of str, default None
        Remove stop words: the document language's list (``"auto"``), one language's list
        (NLTK lists, ISO lists for other languages), or your own words (case-insensitive).
    elisions : True, False or "keep", default True
        ``True`` drops elided clitics (``l’ambassadeur`` → ``ambassadeur``), ``"keep"`` keeps
        them as tokens (``l'``), ``False`` leaves ``l'ambassadeur`` whole.
    hyphens : {"split", "keep"}, default "split"
        Split hyphenated words or keep them whole (numbers such as dates always stay whole).
    stem : bool, default False
        Snowball stemming in the document's language. Tokens over 256 bytes (no word is
        that long) are left unstemmed: some stemmers take time quadratic in a word's length.
    min_len : int, default 1
        Drop tokens shorter than this many characters.
    pattern : {"news", "sklearn"}, default "news"
        ``"sklearn"`` gives exactly scikit-learn's default tokens (``(?u)\\b\\w\\w+\\b`` after
        its lower-casing and accent stripping); ``elisions``, ``hyphens``, ``stem`` and
        ``min_len`` then do not apply.
    n_jobs : int, optional
        Threads for batch work; ``None`` or ``-1`` uses all cores.

    Examples
    --------
    >>> import wirenlp as wn
    >>> tok = wn.Tokenizer()
    >>> tok.tokenize("L’ambassadeur de Russie s’est rendu à Bamako aujourd’hui.")
    ['ambassadeur', 'de', 'russie', 'est', 'rendu', 'à', 'bamako', "aujourd'hui"]
    >>> tok.tokenize("Lavrov’s visit: 1,500 men, 60.64% of “the article”…")
    ['lavrov', 'visit', '1,500', 'men', '60.64%', 'of', 'the', 'article']
    >>> wn.Tokenizer(pattern="sklearn").tokenize("Lavrov’s visit: 1,500 men")
    ['lavrov', 'visit', '500', 'men']
    >>> wn.Tokenizer(stop_words="auto", stem=True).tokenize("Les ministres sont arrivés")
    ['ministr', 'arriv']
    """

    def tokenize_batch(self, texts: Any, n_jobs: int | None = None) -> Any:
        """Tokenize many texts in parallel.

        Parameters
        ----------
        texts : sequence of str or pandas.Series
        n_jobs : int, optional
            Overrides the tokenizer's ``n_jobs`` for this call.

        Returns
        -------
        list of list of str, or a pandas.Series of lists with the input's index.

        Examples
        --------
        >>> import pandas as pd, wirenlp as wn
        >>> s = pd.Series(["Le Mali.", "Moscou et Bamako"], index=["a", "b"])
        >>> wn.Tokenizer().tokenize_batch(s)
        a           [le, mali]
        b    [moscou, et, bamako]
        dtype: object
        """
        values, index = as_texts(texts)
        with labelled_errors(index):
            out = self._tokenize_batch(values, n_jobs)
        if index is None:
            return out
        return pd.Series(out, index=index, dtype=object, name=getattr(texts, "name", None))

    def token_ids(self, texts: Any, n_jobs: int | None = None) -> TokenIds:
        """Tokenize many texts into integer ids: no Python object per token.

        The same tokens as :meth:`tokenize_batch`, in the layout of a CSR matrix's ``indices``
        and ``indptr`` (ready for ``numpy``, ``scipy.sparse`` or a model's input), built
        several times faster than lists of strings.

        Parameters
        ----------
        texts : sequence of str or pandas.Series
        n_jobs : int, optional
            Overrides the tokenizer's ``n_jobs`` for this call.

        Returns
        -------
        TokenIds
            ``(vocabulary, ids, indptr)``: document ``i``'s tokens are
            ``[vocabulary[j] for j in ids[indptr[i]:indptr[i + 1]]]``.

        Examples
        --------
        >>> import wirenlp as wn
        >>> vocab, ids, indptr = wn.Tokenizer().token_ids(["Le Mali.", "Le Niger et le Mali"])
        >>> vocab
        ['le', 'mali', 'niger', 'et']
        >>> ids.tolist(), indptr.tolist()
        ([0, 1, 0, 2, 3, 0, 1], [0, 2, 7])
        """
        values, index = as_texts(texts)
        with labelled_errors(index):
            vocabulary, ids, indptr = self._token_ids(values, n_jobs)
        return TokenIds(vocabulary, ids, indptr)

    def __repr__(self) -> str:
        # Defaults come from the Rust constructor's signature; `elisions=None` there means True.
        defaults = {k: p.default for k, p in inspect.signature(_core.Tokenizer).parameters.items()}
        defaults["elisions"] = True
        args = ", ".join(
            f"{k}={v!r}" for k, v in self.get_params().items() if defaults.get(k, object()) != v
        )
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Tokenizer):
            return NotImplemented
        return self.get_params() == other.get_params()

    def __hash__(self) -> int:
        return hash(repr(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.get_params()))


def _rebuild(cls: type, params: dict[str, Any]) -> Any:
    return cls(**params)


def detect_language(
    texts: Any, allowlist: list[str] | None = None, n_jobs: int | None = None
) -> pd.DataFrame:
    """Detect the language of every text (whatlang).

    Parameters
    ----------
    texts : sequence of str or pandas.Series
    allowlist : list of str, optional
        Restrict detection to these languages (ISO 639-1 or 639-3 codes).
    n_jobs : int, optional
        Threads; ``None`` uses all cores.

    Returns
    -------
    pandas.DataFrame
        Index aligned with the input; columns ``lang`` (ISO 639-1 code where one exists,
        missing for empty or too-short text), ``confidence`` (0 to 1) and ``reliable``.

    Examples
    --------
    >>> import wirenlp as wn
    >>> df = wn.detect_language([
    ...     "The minister arrived in the capital on Monday for talks.",
    ...     "Le ministre est arrivé lundi dans la capitale pour deux jours de discussions.",
    ...     "",
    ... ])
    >>> df["lang"].tolist()
    ['en', 'fr', None]
    >>> df["reliable"].tolist()
    [True, True, False]
    """
    values, index = as_texts(texts)
    with labelled_errors(index):
        codes, confidence, reliable = _core.detect_languages(values, allowlist, n_jobs)
    return pd.DataFrame(
        {
            "lang": pd.Series(codes, dtype=object),
            "confidence": np.asarray(confidence),
            "reliable": np.asarray(reliable),
        }
    ).set_axis(index if index is not None else pd.RangeIndex(len(codes)))


__all__ = ["Tokenizer", "detect_language"]
