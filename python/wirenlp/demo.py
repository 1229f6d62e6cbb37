"""The ``python -m wirenlp demo`` command: a tour of wirenlp on a small corpus.

With no folder it runs on a sample corpus shipped inside the package (short original
English and French news-style stories, including a story and its translation and a
near-duplicate pair); with a folder it runs on its ``.txt`` files.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from wirenlp.corpus import read_corpus
from wirenlp.text import Tokenizer, detect_language

# Later capabilities add sections here as "module:function" names; each takes the corpus
# DataFrame (doc_id, text, lang, date, source, path) and prints its part.
SECTIONS: list[str] = [
    "wirenlp.vectorize:demo_top_terms",
    "wirenlp.similarity:demo_similarity",
    "wirenlp.entities:demo_entities",
]


def sample_corpus_path() -> Path:
    """Folder of the sample corpus shipped with the package."""
    return Path(__file__).resolve().parent / "data" / "sample"


def overview(corpus: pd.DataFrame) -> pd.DataFrame:
    """Per document: id, language and confidence, date, token count."""
    langs = detect_language(corpus["text"])
    tokens = Tokenizer().tokenize_batch(corpus["text"])
    return pd.DataFrame(
        {
            "doc_id": corpus["doc_id"],
            "lang": langs["lang"],
            "confidence": langs["confidence"].round(2),
            "date": corpus["date"].dt.strftime("%Y-%m-%d"),
            "tokens": tokens.map(len),
        }
    )


def _section(name: str) -> Callable[[pd.DataFrame], None]:
    module, func = name.split(":")
    return getattr(importlib.import_module(module), func)


def run(folder: str | None = None) -> pd.DataFrame:
    """Print the demo report for ``folder`` (default: the sample corpus)."""
    path = Path(folder) if folder else sample_corpus_path()
    corpus = read_corpus(path)
    print(f"wirenlp demo: {len(corpus)} documents from {path}\n")
    if corpus.empty:
        print("(no .txt files found)")
        return corpus
    with pd.option_context("display.width", 120, "display.max_colwidth", 60):
        print(overview(corpus).to_string(index=False, na_rep="-"))
        for name in SECTIONS:
            print()
            _section(name)(corpus)
    return corpus
