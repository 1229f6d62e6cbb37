"""The README's main command: python -m wirenlp demo."""

from __future__ import annotations

import subprocess
import sys

from wirenlp.demo import sample_corpus_path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wirenlp", "demo", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_demo_on_sample_corpus():
    out = run()
    assert out.returncode == 0, out.stderr
    for p in sample_corpus_path().glob("*.txt"):
        assert p.stem in out.stdout
    assert " fr " in out.stdout and " en " in out.stdout
    assert "2024-03-12" in out.stdout


def test_demo_on_seeds(seeds_dir):
    out = run(str(seeds_dir))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    line = next(x for x in lines if x.strip().startswith("003_"))
    assert " fr " in line and "2023-02" in line
    # The entity section links the French dispatch and its English original.
    for doc, other in (("000_", "003_"), ("003_", "000_")):
        i = next(i for i, x in enumerate(lines) if x.startswith(doc) and "[" in x)
        assert "Sergei Lavrov (PER)" in lines[i]
        assert lines[i + 1].strip().startswith(f"nearest story: {other}")


def test_demo_on_missing_folder(tmp_path):
    out = run(str(tmp_path / "nope"))
    assert out.returncode == 1
    assert "no such folder" in out.stderr
