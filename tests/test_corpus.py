"""Corpus reader."""

from __future__ import annotations

import pandas as pd
import pytest

import wirenlp as wn
from wirenlp.demo import sample_corpus_path


def test_reads_the_seeds(seeds_dir):
    df = wn.read_corpus(seeds_dir)
    assert list(df.columns) == ["doc_id", "text", "lang", "date", "source", "path"]
    assert len(df) == 5
    by_id = df.set_index(df["doc_id"].str[:3])
    assert by_id["lang"].tolist() == ["en", "en", "en", "fr", "en"]
    assert by_id.loc["003", "date"] == pd.Timestamp("2023-02-01")
    assert by_id.loc["003", "source"] == "journaldebangui"
    assert by_id.loc["004", "date"] == pd.Timestamp("2023-02-08")
    assert pd.isna(by_id.loc["000", "date"]) and pd.isna(by_id.loc["000", "source"])
    # Header and trailer lines are not body text; the header line's remainder is.
    assert by_id.loc["003", "text"].startswith("Mali : Sergueï Lavrov attendu")
    assert by_id.loc["004", "text"].startswith("Russian Foreign Minister Sergei Lavrov")
    assert not df["text"].str.contains("SourceURL").any()
    assert not df["text"].str.contains(r"^\s*date \d", regex=True).any()
    assert by_id.loc["003", "text"].endswith("APA")
    raw = (seeds_dir / f"{by_id.loc['000', 'doc_id']}.txt").read_text(encoding="utf-8")
    assert by_id.loc["000", "text"] == raw.strip()


def test_reads_the_sample_corpus():
    df = wn.read_corpus(sample_corpus_path())
    assert len(df) >= 6
    assert set(df["lang"]) == {"en", "fr"}
    assert df["doc_id"].is_monotonic_increasing


def test_header_trailer_and_glob(tmp_path):
    (tmp_path / "a.txt").write_text(" date 2024-01-31 First line.\nSecond.\nSourceURL: wire\n")
    (tmp_path / "b.txt").write_text("No header here, just a plain English sentence.")
    (tmp_path / "skip.md").write_text("not read")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "c.txt").write_text(" date 2024-13 Bad month stays text.")
    df = wn.read_corpus(tmp_path)
    assert df["doc_id"].tolist() == ["a", "b"]
    assert df["text"].tolist()[0] == "First line.\nSecond."
    assert df["source"].tolist()[0] == "wire"
    assert df["date"].tolist()[0] == pd.Timestamp("2024-01-31")
    deep = wn.read_corpus(tmp_path, glob="**/*.txt")
    c = deep.set_index("doc_id").loc["c"]
    assert pd.isna(c["date"]) and c["text"] == " date 2024-13 Bad month stays text."


def test_empty_folder_gives_empty_frame(tmp_path):
    df = wn.read_corpus(tmp_path)
    assert df.empty and list(df.columns) == ["doc_id", "text", "lang", "date", "source", "path"]


def test_non_utf8_file_names_the_file(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("Élection à Bamako".encode("latin-1"))
    with pytest.raises(OSError, match=r"latin1\.txt.*not valid UTF-8 at byte 0"):
        wn.read_corpus(tmp_path)
    df = wn.read_corpus(tmp_path, errors="replace")
    assert df["text"].iloc[0] == "\ufffdlection \ufffd Bamako"


def test_bad_arguments(tmp_path):
    with pytest.raises(FileNotFoundError, match="path: no such folder"):
        wn.read_corpus(tmp_path / "missing")
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(NotADirectoryError, match="path: not a folder"):
        wn.read_corpus(f)
    with pytest.raises(ValueError, match="errors: "):
        wn.read_corpus(tmp_path, errors="ignore")


def test_unreadable_file_names_it(tmp_path):
    # A file that disappears between listing and reading (root can read mode-000 files, so
    # a missing file is the unreadable case every user can reproduce).
    from wirenlp import _core

    with pytest.raises(FileNotFoundError, match=r"gone\.txt"):
        _core.read_stories([str(tmp_path / "gone.txt")])
    (tmp_path / "dir.txt").mkdir()
    with pytest.raises(OSError, match=r"dir\.txt"):
        _core.read_stories([str(tmp_path / "dir.txt")])
