# Hand-kept stub of the Rust extension module; checked in CI by `python -m mypy.stubtest`.
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

__all__ = [
    "Tokenizer",
    "__version__",
    "_panic_for_test",
    "detect_languages",
    "entity_counts",
    "entity_mentions",
    "read_stories",
    "story_similarity",
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
    lang: str = "auto",
    gazetteer: _Gazetteer = None,
    text_weight: float = 0.3,
    n_jobs: int | None = None,
) -> npt.NDArray[np.float64]: ...
