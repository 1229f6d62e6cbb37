"""Exceptions raised by wirenlp.

Core errors map to built-in exceptions (``ValueError``, ``TypeError``, ``FileNotFoundError``)
whose message names the argument and the row. The one wirenlp-specific class is
:class:`NotFittedError`. When scikit-learn is installed, the errors wirenlp raises are also
scikit-learn's ``NotFittedError``, so ``except sklearn.exceptions.NotFittedError`` catches
them; scikit-learn is imported only then, when the first such error is raised, never at
``import wirenlp`` (a second of start-up for every user).
"""

from __future__ import annotations

import functools
from typing import Any


class NotFittedError(ValueError, AttributeError):
    """Raised when a method that needs a fitted estimator is called before ``fit``."""


@functools.cache
def _sklearn_flavoured() -> type[NotFittedError] | None:
    """A subclass of both :class:`NotFittedError` and scikit-learn's, or None without sklearn."""
    try:
        from sklearn.exceptions import NotFittedError as SkNotFittedError
    except ImportError:
        return None

    def __reduce__(self: BaseException) -> tuple[Any, ...]:
        # The class is made at run time: pickles rebuild it through not_fitted_error.
        return (not_fitted_error, self.args)

    return type(
        "NotFittedError",
        (NotFittedError, SkNotFittedError),
        {"__module__": __name__, "__doc__": NotFittedError.__doc__, "__reduce__": __reduce__},
    )


def not_fitted_error(*args: Any) -> NotFittedError:
    """The :class:`NotFittedError` to raise: also scikit-learn's when it is installed.

    Examples
    --------
    >>> from wirenlp.exceptions import NotFittedError, not_fitted_error
    >>> isinstance(not_fitted_error("call fit first"), NotFittedError)
    True
    """
    return (_sklearn_flavoured() or NotFittedError)(*args)


__all__ = ["NotFittedError", "not_fitted_error"]
