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
from wirenlp.text import Tokenizer, detect_language
from wirenlp.vectorize import CountVectorizer, HashingVectorizer, TfidfVectorizer

__all__ = [
    "CountVectorizer",
    "HashingVectorizer",
    "NotFittedError",
    "TfidfVectorizer",
    "Tokenizer",
    "__version__",
    "detect_language",
    "read_corpus",
]

from wirenlp.entities import EntityExtractor, entity_counts, story_similarity

__all__ += ["EntityExtractor", "entity_counts", "story_similarity"]
