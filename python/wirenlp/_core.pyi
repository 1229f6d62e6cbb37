# Hand-kept stub of the Rust extension module; checked in CI by `python -m mypy.stubtest`.
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

__all__ = [
    "Tokenizer",
    "__version__",
    "_panic_for_test",
    "cosine_dense",
    "cosine_sparse",
    "detect_languages",
    "near_duplicate_groups",
    "read_stories",
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
    def get_params(self) -> dict[str, Any]: ...

def detect_languages(
    texts: Sequence[str], allowlist: Sequence[str] | None = None, n_jobs: int | None = None
) -> tuple[list[str | None], npt.NDArray[np.float64], npt.NDArray[np.bool_]]: ...
def read_stories(
    paths: Sequence[str], lossy: bool = False, n_jobs: int | None = None
) -> tuple[list[str], list[str | None], list[str | None]]: ...
def _panic_for_test() -> None: ...

# similarity: CSR parts are (data, indices, indptr, (n_rows, n_cols)).
_Csr = tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any], tuple[int, int]]

def cosine_dense(x: _Csr, y: _Csr, *, n_jobs: int | None = None) -> npt.NDArray[Any]: ...
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
