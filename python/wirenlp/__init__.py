"""wirenlp: fast text analysis for news corpora."""

from wirenlp._core import __version__

__all__ = ["__version__"]
