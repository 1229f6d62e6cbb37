"""wirenlp: fast text analysis for news corpora.

Tokenization for English and French news, language detection, and more, in Rust.

Examples
--------
>>> import wirenlp as wn
>>> wn.Tokenizer().tokenize("Sergueï Lavrov est arrivé à Bamako.")
['sergueï', 'lavrov', 'est', 'arrivé', 'à', 'bamako']
"""

from wirenlp._core import __version__
from wirenlp.corpus import read_corpus
from wirenlp.exceptions import NotFittedError
from wirenlp.similarity import (
    cosine_similarity,
    near_duplicates,
    similar_pairs,
    top_k_similar,
)
from wirenlp.text import Tokenizer, detect_language

__all__ = [
    "NotFittedError",
    "Tokenizer",
    "__version__",
    "cosine_similarity",
    "detect_language",
    "near_duplicates",
    "read_corpus",
    "similar_pairs",
    "top_k_similar",
]
