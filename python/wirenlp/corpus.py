"""Reading folders of news stories into a DataFrame."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from wirenlp import _core
from wirenlp.text import detect_language

COLUMNS = ["doc_id", "text", "lang", "date", "source", "path"]


def read_corpus(
    path: str | os.PathLike[str],
    glob: str = "*.txt",
    errors: str = "strict",
    n_jobs: int | None = None,
) -> pd.DataFrame:
    """Read a folder of story files.

    A file may start with a header line `` date YYYY-MM`` or `` date YYYY-MM-DD`` (the rest
    of that line is body text) and may carry a trailer line ``SourceURL: <source>``; neither
    is part of ``text``. Files are read and parsed in parallel in Rust.

    Parameters
    ----------
    path : str or path-like
        A folder.
    glob : str, default "*.txt"
        Which files to read (``pathlib`` glob, e.g. ``"**/*.txt"`` for sub-folders).
    errors : {"strict", "replace"}, default "strict"
        A file that is not UTF-8 raises ``UnicodeDecodeError``-like ``OSError`` naming the
        file with ``"strict"``; ``"replace"`` reads it with U+FFFD for invalid bytes.
    n_jobs : int, optional
        Threads; ``None`` uses all cores.

    Returns
    -------
    pandas.DataFrame
        One row per file, sorted by file name: ``doc_id`` (file stem), ``text``, ``lang``
        (ISO 639-1, detected), ``date`` (datetime; a ``YYYY-MM`` date is the 1st of that
        month; missing → NaT), ``source``, ``path``.

    Examples
    --------
    >>> import wirenlp as wn
    >>> from wirenlp.demo import sample_corpus_path
    >>> df = wn.read_corpus(sample_corpus_path())
    >>> list(df.columns)
    ['doc_id', 'text', 'lang', 'date', 'source', 'path']
    """
    if errors not in ("strict", "replace"):
        raise ValueError(f'errors: expected "strict" or "replace", got {errors!r}')
    folder = Path(path)
    if not folder.exists():
        raise FileNotFoundError(f"path: no such folder: {folder}")
    if not folder.is_dir():
        raise NotADirectoryError(f"path: not a folder: {folder}")
    files = sorted(p for p in folder.glob(glob) if p.is_file())
    texts, dates, sources = _core.read_stories([str(p) for p in files], errors == "replace", n_jobs)
    langs = detect_language(texts, n_jobs=n_jobs)["lang"] if texts else []
    return pd.DataFrame(
        {
            "doc_id": [p.stem for p in files],
            "text": pd.Series(texts, dtype=object),
            "lang": pd.Series(list(langs), dtype=object),
            "date": pd.to_datetime(pd.Series(dates, dtype=object), format="ISO8601"),
            "source": pd.Series(sources, dtype=object),
            "path": [str(p) for p in files],
        },
        columns=COLUMNS,
    )


__all__ = ["read_corpus"]
