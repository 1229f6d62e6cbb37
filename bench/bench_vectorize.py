"""wirenlp vs scikit-learn: TfidfVectorizer.fit_transform on NewsArticles (3,788 news stories).

Run: ``python bench/bench_vectorize.py [--repeats 3]`` (build wirenlp with
``maturin develop --release`` first). Each (library, variant) runs in its own subprocess so
that peak memory (RSS high-water mark) is comparable; time is the median of the repeats.
Both libraries must produce the same matrix; the script checks shapes and nnz.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

VARIANTS = {
    "unigrams (defaults)": {},
    "ngram_range=(1, 2), min_df=2": {"ngram_range": [1, 2], "min_df": 2},
    "char_wb (2, 4)": {"analyzer": "char_wb", "ngram_range": [2, 4]},
}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(lib: str, params: dict, repeats: int) -> None:
    import newsdata

    docs = newsdata.news_articles().tolist()
    if lib == "wirenlp":
        from wirenlp import TfidfVectorizer
    else:
        from sklearn.feature_extraction.text import TfidfVectorizer
    if "ngram_range" in params:
        params = {**params, "ngram_range": tuple(params["ngram_range"])}
    base = peak_rss_mb()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        x = TfidfVectorizer(**params).fit_transform(docs)
        times.append(time.perf_counter() - t)
        del x
    x = TfidfVectorizer(**params).fit_transform(docs)
    out = {
        "median_s": statistics.median(times),
        "times": times,
        "peak_mb": peak_rss_mb(),
        "base_mb": base,
        "shape": list(x.shape),
        "nnz": int(x.nnz),
    }
    print(json.dumps(out))


def run(lib: str, params: dict, repeats: int) -> dict:
    cmd = [sys.executable, __file__, "--worker", lib, json.dumps(params), str(repeats)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--worker", nargs=3, help=argparse.SUPPRESS)
    ap.add_argument("--skip-char", action="store_true", help="skip the slow char_wb variant")
    args = ap.parse_args()
    if args.worker:
        lib, params, repeats = args.worker
        worker(lib, json.loads(params), int(repeats))
        return
    import newsdata

    docs = newsdata.news_articles()
    mb = sum(len(d.encode()) for d in docs) / 1e6
    print(f"NewsArticles: {len(docs)} documents, {mb:.1f} MB; median of {args.repeats} runs")
    print(
        f"{'variant':32} {'sklearn s':>10} {'wirenlp s':>10} {'speed-up':>9} "
        f"{'sk peak MB':>11} {'wn peak MB':>11}  (fit_transform extra MB: sk / wn)"
    )
    for name, params in VARIANTS.items():
        if args.skip_char and "char" in name:
            continue
        sk = run("sklearn", params, args.repeats)
        wn = run("wirenlp", params, args.repeats)
        assert sk["shape"] == wn["shape"] and sk["nnz"] == wn["nnz"], (sk, wn)
        ratio = sk["median_s"] / wn["median_s"]
        print(
            f"{name:32} {sk['median_s']:10.3f} {wn['median_s']:10.3f} {ratio:8.1f}x "
            f"{sk['peak_mb']:11.0f} {wn['peak_mb']:11.0f}  "
            f"({sk['peak_mb'] - sk['base_mb']:.0f} / {wn['peak_mb'] - wn['base_mb']:.0f})"
        )


if __name__ == "__main__":
    main()
