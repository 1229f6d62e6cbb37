"""Shared fixtures: the seed corpus (skips cleanly when absent) and the news corpus."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import newsdata


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    d = newsdata.seeds_dir()
    if d is None:
        pytest.skip("../shared/seeds is not present")
    return d


@pytest.fixture(scope="session")
def news():
    """NewsArticles texts (pandas Series). Required in CI, skipped locally when offline."""
    try:
        return newsdata.news_articles()
    except Exception as exc:  # pragma: no cover - depends on the network
        if os.environ.get("CI"):
            raise
        pytest.skip(f"NewsArticles.csv unavailable: {exc}")
