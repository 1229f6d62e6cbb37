"""Shared input handling for the Python layer: text batches in, pandas index kept."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
import pandas as pd


def as_texts(texts: Any, arg: str = "texts") -> tuple[Any, pd.Index | None]:
    """Return ``(sequence for the core, pandas index or None)``.

    A Series gives its values as a list (one C-level pass) and its index; a single ``str``
    is rejected by the core with a clear message; any other iterable is passed through.
    """
    if isinstance(texts, pd.Series):
        return texts.tolist(), texts.index
    if isinstance(texts, pd.DataFrame):
        raise TypeError(f"{arg}: expected a sequence of str or a pandas Series, got a DataFrame")
    if isinstance(texts, (list, tuple, str)):
        return texts, None
    if isinstance(texts, Iterable):
        return list(texts), None
    raise TypeError(f"{arg}: expected a sequence of str, got {type(texts).__name__}")


@contextlib.contextmanager
def labelled_errors(index: pd.Index | None) -> Iterator[None]:
    """Add the pandas index label to a core error that carries a ``position``."""
    try:
        yield
    except (TypeError, ValueError) as err:
        pos = getattr(err, "position", None)
        if index is None or pos is None or pos >= len(index):
            raise
        label = index[pos]
        if isinstance(label, np.generic):  # show 20, not np.int64(20)
            label = label.item()
        new = type(err)(f"{err} (index label {label!r})")
        new.position = pos  # type: ignore[attr-defined]
        raise new from None


def default_index(n: int, index: pd.Index | None) -> pd.Index:
    """The input's index, or a RangeIndex for plain sequences."""
    return index if index is not None else pd.RangeIndex(n)
