# Hand-kept stub of the Rust extension module; checked in CI by `python -m mypy.stubtest`.
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, final

import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

__all__ = [
    "Tokenizer",
    "_Vectorizer",
    "__version__",
    "_panic_for_test",
    "_token_lists",
    "check_analysis",
    "cosine_dense",
    "cosine_sparse",
    "detect_languages",
    "entity_counts",
    "entity_mentions",
    "hashing_transform",
    "near_duplicate_groups",
    "read_stories",
    "story_similarity",
    "top_terms",
]
__version__: str

@disjoint_base
class Tokenizer:
    def __new__(
        cls,
        lang: str = "auto",
        *,
        lowercase: bool = True,
        strip_accents: str | None = None,
        stop_words: str | Iterable[str] | None = None,
        elisions: bool | str | None = None,
        hyphens: str = "split",
        stem: bool = False,
        min_len: int = 1,
        pattern: str = "news",
        n_jobs: int | None = None,
    ) -> Tokenizer: ...
    def tokenize(self, text: str) -> list[str]: ...
    def language_of(self, text: str) -> str | None: ...
    def tokenize_with_offsets(self, text: str) -> list[tuple[str, int, int]]: ...
    def _tokenize_batch(
        self, texts: Sequence[str], n_jobs: int | None = None
    ) -> list[list[str]]: ...
    def _token_ids(
        self, texts: Sequence[str], n_jobs: int | None = None
    ) -> tuple[list[str], npt.NDArray[np.uint32], npt.NDArray[np.int64]]: ...
    def get_params(self) -> dict[str, Any]: ...

def detect_languages(
    texts: Sequence[str], allowlist: Sequence[str] | None = None, n_jobs: int | None = None
) -> tuple[list[str | None], npt.NDArray[np.float64], npt.NDArray[np.bool_]]: ...
def _token_lists(
    vocabulary: list[Any], ids: npt.NDArray[np.uint32], indptr: npt.NDArray[np.int64]
) -> list[list[Any]]: ...
def read_stories(
    paths: Sequence[str], lossy: bool = False, n_jobs: int | None = None
) -> tuple[list[str], list[str | None], list[str | None]]: ...
def _panic_for_test() -> None: ...

# entities
_Gazetteer = Mapping[str, Mapping[str, Any]] | None
_EntityTable = tuple[list[str], npt.NDArray[np.uint8], npt.NDArray[np.int64], npt.NDArray[np.int64]]

def entity_mentions(
    texts: Sequence[str],
    lang: str = "auto",
    gazetteer: _Gazetteer = None,
    merge: bool = True,
    n_jobs: int | None = None,
) -> tuple[_EntityTable, npt.NDArray[np.int64], npt.NDArray[np.int64], list[str]]: ...
def entity_counts(
    texts: Sequence[str],
    lang: str = "auto",
    gazetteer: _Gazetteer = None,
    merge: bool = True,
    n_jobs: int | None = None,
) -> tuple[_EntityTable, npt.NDArray[np.int64]]: ...
def story_similarity(
    texts: Sequence[str],
    out: npt.NDArray[np.float64],
    lang: str = "auto",
    gazetteer: _Gazetteer = None,
    text_weight: float = 0.3,
    n_jobs: int | None = None,
) -> None: ...

# -- vectorizers (wirenlp.vectorize) --------------------------------------------------------
_CsrParts = tuple[
    npt.NDArray[Any], npt.NDArray[np.int32], npt.NDArray[np.int64], tuple[int, int], bool
]

@final
class _Vectorizer:
    def __new__(
        cls,
        config: str,
        english: Sequence[str] | None = None,
        tokenizer: Tokenizer | None = None,
        vocabulary: Sequence[str] | None = None,
    ) -> _Vectorizer: ...
    @staticmethod
    def from_json(
        json: str, english: Sequence[str] | None = None, tokenizer: Tokenizer | None = None
    ) -> _Vectorizer: ...
    @staticmethod
    def saved_params(json: str) -> str: ...
    def fit_transform(self, texts: Sequence[str], n_jobs: int | None = None) -> _CsrParts: ...
    def transform(self, texts: Sequence[str], n_jobs: int | None = None) -> _CsrParts: ...
    def is_fitted(self) -> bool: ...
    def terms(self) -> list[str]: ...
    def vocabulary(self) -> dict[str, int]: ...
    def idf(self) -> npt.NDArray[np.float64] | None: ...
    def to_json(self, params: str) -> str: ...

def hashing_transform(
    config: str,
    texts: Sequence[str],
    english: Sequence[str] | None = None,
    tokenizer: Tokenizer | None = None,
    n_jobs: int | None = None,
) -> _CsrParts: ...
def check_analysis(config: str, english: Sequence[str] | None = None) -> None: ...
def top_terms(
    indptr: npt.NDArray[np.int64],
    indices: npt.NDArray[np.int64],
    data: npt.NDArray[np.float64],
    n: int,
    n_jobs: int | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...

# similarity: CSR parts are (data, indices, indptr, (n_rows, n_cols)).
_Csr = tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any], tuple[int, int]]

def cosine_dense(
    x: _Csr, y: _Csr, out: npt.NDArray[Any], *, n_jobs: int | None = None
) -> npt.NDArray[Any]:
    """Write cos(x, y) into ``out``: C-contiguous zeros of shape (n_x, n_y), x's float type."""

def cosine_sparse(
    x: _Csr,
    y: _Csr,
    *,
    k: int | None = None,
    threshold: float | None = None,
    exclude_self: bool = False,
    n_jobs: int | None = None,
) -> tuple[npt.NDArray[Any], npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
def near_duplicate_groups(
    texts: Sequence[str],
    *,
    threshold: float = 0.8,
    num_perm: int = 128,
    shingle: int = 5,
    analyzer: str = "char",
    seed: int = 0,
    n_jobs: int | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]: ...
