# Hand-kept stub of the Rust extension module; checked in CI by `python -m mypy.stubtest`.
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__version__: str

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
