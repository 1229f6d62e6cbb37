"""wirenlp: fast text analysis for news corpora."""

from wirenlp._core import __version__
from wirenlp.vectorize import CountVectorizer, HashingVectorizer, TfidfVectorizer

__all__ = [
    "CountVectorizer",
    "HashingVectorizer",
    "TfidfVectorizer",
    "__version__",
]
