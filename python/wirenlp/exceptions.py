"""Exceptions raised by wirenlp.

Core errors map to built-in exceptions (``ValueError``, ``TypeError``, ``FileNotFoundError``)
whose message names the argument and the row. The one wirenlp-specific class is
:class:`NotFittedError`, which is also scikit-learn's ``NotFittedError`` when scikit-learn is
installed, so ``except sklearn.exceptions.NotFittedError`` catches it.
"""

from __future__ import annotations

try:  # scikit-learn is optional: subclass its exception only when it is there.
    from sklearn.exceptions import NotFittedError as _SkNotFitted

    _bases: tuple[type, ...] = (_SkNotFitted,)
except ImportError:  # pragma: no cover - exercised in environments without sklearn
    _bases = (ValueError, AttributeError)


class NotFittedError(*_bases):  # type: ignore[misc]
    """Raised when a method that needs a fitted estimator is called before ``fit``."""


__all__ = ["NotFittedError"]
