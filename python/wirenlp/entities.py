"""Named entities: who and where a corpus talks about, one row per real entity.

Mentions of people, places and organisations are found from capitalisation, titles and a
built-in multilingual gazetteer (CLDR, ISO 3166, GeoNames), then merged into one canonical
name per entity across the whole batch and across English and French: ``Sergueï Lavrov``,
``Sergei Lavrov`` and ``Lavrov`` are one person, ``Russie`` and ``Russian Federation`` are
``Russia``. All the work runs in Rust, in parallel, with the GIL released.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from wirenlp import _core
from wirenlp._input import as_texts, default_index, labelled_errors

__all__ = ["EntityExtractor", "demo_entities", "entity_counts", "story_similarity"]

# Type codes of the extension (EntityType as u8).
_TYPES = np.array(["PER", "LOC", "ORG", "MISC"], dtype=object)


def _entity_columns(names: Any, types: Any, ent: Any) -> dict[str, Any]:
    """``entity`` and ``type`` columns for rows whose entity ids are ``ent``."""
    if not len(ent):
        empty = np.array([], dtype=object)
        return {"entity": empty, "type": empty}
    return {"entity": np.asarray(names, dtype=object)[ent], "type": _TYPES[types][ent]}


class EntityExtractor:
    """Find named entities and give each one canonical name across a batch.

    Parameters
    ----------
    lang : {"auto", "en", "fr"}, default="auto"
        Language of the texts; ``"auto"`` detects it per document.
    gazetteer : dict, optional
        Your own names, ``{canonical: {"type": "PER"|"LOC"|"ORG"|"MISC", "aliases": [...]}}``.
        They are matched anywhere in the text, ignoring case and accents, and win over the
        built-in rules.
    merge : bool, default=True
        Merge spelling, accent, transliteration, surname and exonym variants into one
        canonical entity. With ``False`` every spelling is its own entity.
    n_jobs : int, optional
        Threads to use (``None`` or ``-1``: all cores).

    Examples
    --------
    >>> import wirenlp as wn
    >>> texts = ["Sergei Lavrov arrived in Moscow. Lavrov met Abdoulaye Diop.",
    ...          "Sergueï Lavrov est arrivé à Moscou."]
    >>> ex = wn.EntityExtractor()
    >>> ex.counts(texts)
       doc          entity type  count
    0    0  Abdoulaye Diop  PER      1
    1    0          Moscow  LOC      1
    2    0  Sergueï Lavrov  PER      2
    3    1          Moscow  LOC      1
    4    1  Sergueï Lavrov  PER      1
    >>> ex.extract(texts)[["doc", "entity", "mention", "start", "end"]]
       doc          entity         mention  start  end
    0    0  Sergueï Lavrov   Sergei Lavrov      0   13
    1    0          Moscow          Moscow     25   31
    2    0  Sergueï Lavrov          Lavrov     33   39
    3    0  Abdoulaye Diop  Abdoulaye Diop     44   58
    4    1  Sergueï Lavrov  Sergueï Lavrov      0   14
    5    1          Moscow          Moscou     28   34
    """

    def __init__(
        self,
        lang: str = "auto",
        gazetteer: Mapping[str, Mapping[str, Any]] | None = None,
        merge: bool = True,
        n_jobs: int | None = None,
    ) -> None:
        self.lang = lang
        self.gazetteer = gazetteer
        self.merge = merge
        self.n_jobs = n_jobs

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Parameters as a dict (scikit-learn convention)."""
        return {
            "lang": self.lang,
            "gazetteer": self.gazetteer,
            "merge": self.merge,
            "n_jobs": self.n_jobs,
        }

    def set_params(self, **params: Any) -> EntityExtractor:
        """Set parameters (scikit-learn convention); returns ``self``."""
        for key, value in params.items():
            if key not in self.get_params():
                raise ValueError(f"{key}: not a parameter of EntityExtractor")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"EntityExtractor({args})"

    def _kwargs(self) -> dict[str, Any]:
        if not isinstance(self.merge, bool):
            raise TypeError(f"merge: expected a bool, got {type(self.merge).__name__}")
        if not isinstance(self.lang, str):
            raise TypeError(f"lang: expected a str, got {type(self.lang).__name__}")
        return {
            "lang": self.lang,
            "gazetteer": self.gazetteer,
            "merge": self.merge,
            "n_jobs": self.n_jobs,
        }

    def extract(self, texts: Any) -> pd.DataFrame:
        """One row per mention.

        Returns
        -------
        pandas.DataFrame
            Columns ``doc`` (the input's index label), ``entity`` (canonical name), ``type``
            (PER, LOC, ORG or MISC), ``mention`` (the text as written), ``start`` and ``end``
            (Python string offsets: ``text[start:end] == mention``).
        """
        seq, index = as_texts(texts)
        with labelled_errors(index):
            (names, types, doc, ent), start, end, mentions = _core.entity_mentions(
                seq, **self._kwargs()
            )
        labels = default_index(len(seq), index)
        return pd.DataFrame(
            {
                "doc": labels.take(doc),
                **_entity_columns(names, types, ent),
                "mention": np.asarray(mentions, dtype=object),
                "start": start,
                "end": end,
            }
        )

    def _counts(self, texts: Any) -> tuple[Any, pd.Index, int]:
        seq, index = as_texts(texts)
        with labelled_errors(index):
            result = _core.entity_counts(seq, **self._kwargs())
        return result, default_index(len(seq), index), len(seq)

    def counts(self, texts: Any) -> pd.DataFrame:
        """Mentions per document and entity, tidy.

        Returns
        -------
        pandas.DataFrame
            Columns ``doc``, ``entity``, ``type``, ``count``; sorted by document then entity.
        """
        ((names, types, doc, ent), count), labels, _ = self._counts(texts)
        return pd.DataFrame(
            {
                "doc": labels.take(doc),
                **_entity_columns(names, types, ent),
                "count": count,
            }
        )

    def matrix(self, texts: Any) -> tuple[sp.csr_matrix, np.ndarray]:
        """Document × entity count matrix.

        Returns
        -------
        (scipy.sparse.csr_matrix, numpy.ndarray)
            Counts with one row per input text and one column per entity, and the entity
            names of the columns (sorted).
        """
        ((names, _types, doc, ent), count), _, n = self._counts(texts)
        m = sp.csr_matrix((count, (doc, ent)), shape=(n, len(names)), dtype=np.int64)
        return m, np.asarray(names, dtype=object)


def entity_counts(texts: Any, **kwargs: Any) -> pd.DataFrame:
    """``EntityExtractor(**kwargs).counts(texts)``.

    Examples
    --------
    >>> import wirenlp as wn
    >>> wn.entity_counts(["Mali and Russia: Moscou et Bamako."], lang="en")
       doc  entity type  count
    0    0  Bamako  LOC      1
    1    0    Mali  LOC      1
    2    0  Moscow  LOC      1
    3    0  Russia  LOC      1
    """
    return EntityExtractor(**kwargs).counts(texts)


def story_similarity(
    texts: Any,
    lang: str = "auto",
    gazetteer: Mapping[str, Mapping[str, Any]] | None = None,
    text_weight: float = 0.3,
    n_jobs: int | None = None,
) -> np.ndarray:
    """Document similarity that survives translation.

    Cosine similarity of TF-IDF vectors over canonical entities and numbers (years, amounts,
    dates), blended with a TF-IDF over cognate keys (the first letters of long words, which
    carry across English and French: coopération / cooperation).

    Parameters
    ----------
    texts : sequence of str or pandas.Series
    lang, gazetteer, n_jobs
        As in :class:`EntityExtractor`.
    text_weight : float, default=0.3
        Weight of the cognate TF-IDF, between 0 (entities and numbers only) and 1.

    Returns
    -------
    numpy.ndarray
        ``(n, n)`` similarities in [0, 1].

    Examples
    --------
    >>> import wirenlp as wn
    >>> s = wn.story_similarity([
    ...     "Sergei Lavrov met Abdoulaye Diop in Bamako in 2023.",
    ...     "Sergueï Lavrov a rencontré Abdoulaye Diop à Bamako en 2023.",
    ...     "Angela Merkel spoke in Berlin in 2019."])
    >>> bool(s[0, 1] > 0.5 > s[0, 2])
    True
    """
    seq, index = as_texts(texts)
    if isinstance(text_weight, bool) or not isinstance(text_weight, (int, float)):
        raise TypeError(f"text_weight: expected a number, got {type(text_weight).__name__}")
    # Allocated here, so that a matrix too large for memory is numpy's MemoryError (a lone
    # str is refused by the core).
    n = 0 if isinstance(seq, str) else len(seq)
    out = np.zeros((n, n))
    with labelled_errors(index):
        _core.story_similarity(
            seq, out, lang=lang, gazetteer=gazetteer, text_weight=float(text_weight), n_jobs=n_jobs
        )
    return out


def demo_entities(corpus: pd.DataFrame, top: int = 5) -> None:
    """Print the top entities of each document and its nearest story in the corpus.

    Parameters
    ----------
    corpus : pandas.DataFrame
        Columns ``doc_id``, ``text`` and ``lang``.
    top : int, default=5
        Entities shown per document.

    Examples
    --------
    >>> import pandas as pd
    >>> corpus = pd.DataFrame({
    ...     "doc_id": ["a", "b"], "lang": ["en", "fr"],
    ...     "text": ["Sergei Lavrov visited Bamako.", "Sergueï Lavrov a visité Bamako."]})
    >>> demo_entities(corpus)
    a [en]: Bamako (LOC) 1, Sergueï Lavrov (PER) 1
      nearest story: b [fr] (similarity 0.88)
    b [fr]: Bamako (LOC) 1, Sergueï Lavrov (PER) 1
      nearest story: a [en] (similarity 0.88)
    """
    texts = pd.Series(corpus["text"].to_numpy(), index=corpus["doc_id"].to_numpy())
    langs = dict(zip(corpus["doc_id"], corpus["lang"], strict=False))
    counts = EntityExtractor().counts(texts)
    counts = counts[counts["type"] != "MISC"]
    sim = story_similarity(texts)
    np.fill_diagonal(sim, -1.0)
    for i, doc in enumerate(texts.index):
        rows = counts[counts["doc"] == doc].sort_values(
            ["count", "entity"], ascending=[False, True], kind="stable"
        )
        shown = ", ".join(
            f"{r.entity} ({r.type}) {r.count}" for r in rows.head(top).itertuples(index=False)
        )
        print(f"{doc} [{langs.get(doc, '?')}]: {shown}")
        if len(texts) > 1:
            j = int(np.argmax(sim[i]))
            other = texts.index[j]
            print(
                f"  nearest story: {other} [{langs.get(other, '?')}] (similarity {sim[i, j]:.2f})"
            )
