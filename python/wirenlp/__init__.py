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
from wirenlp.text import TokenIds, Tokenizer, detect_language
from wirenlp.vectorize import CountVectorizer, HashingVectorizer, TfidfVectorizer

__all__ = [
    "CountVectorizer",
    "HashingVectorizer",
    "NotFittedError",
    "TfidfVectorizer",
    "TokenIds",
    "Tokenizer",
    "__version__",
    "cosine_similarity",
    "detect_language",
    "near_duplicates",
    "read_corpus",
    "similar_pairs",
    "top_k_similar",
]

from wirenlp.entities import EntityExtractor, entity_counts, story_similarity

__all__ += ["EntityExtractor", "entity_counts", "story_similarity"]
