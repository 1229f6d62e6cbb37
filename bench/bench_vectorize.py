"""wirenlp vs scikit-learn: TfidfVectorizer.fit_transform on NewsArticles (3,788 news stories).

Run: ``python bench/bench_vectorize.py [--repeats 5]`` (build wirenlp with
``maturin develop --release`` first).
Memory: each (library, variant) runs once in its own subprocess, measured as the RSS
high-water mark (``VmHWM``, reset through ``/proc/self/clear_refs`` just before the call) minus
the RSS before it, so it counts everything the call allocates, in Rust or Python, including the
result. Both libraries must produce the same matrix shape and number of stored values.
Time: medians over rounds that run sklearn then wirenlp, in one process, wall clock and CPU
(all threads): taking turns, a noisy spell on a shared machine falls on both alike. In a round
each runs as many calls in a row as fill 0.2 s (sklearn's one call already does), and the
time per call is the total divided by the calls (see ``timing.interleaved``).
"""

from __future__ import annotations

import argparse
import gc
import json
import subprocess
import sys
from pathlib import Path

from timing import interleaved

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

VARIANTS = {
    "unigrams (defaults)": {},
    "ngram_range=(1, 2), min_df=2": {"ngram_range": [1, 2], "min_df": 2},
    "char_wb (2, 4)": {"analyzer": "char_wb", "ngram_range": [2, 4]},
}


def status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(field)


def fit_peak_mb(fit) -> tuple[object, float]:
    """(result of fit(), peak MB above the RSS before the call)."""
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    base = status_mb("VmRSS")
    out = fit()
    return out, status_mb("VmHWM") - base


def fit(lib: str, params: dict, docs: list[str]):
    """A function that fits `lib`'s TfidfVectorizer with `params` on `docs`."""
    if lib == "wirenlp":
        from wirenlp import TfidfVectorizer
    else:
        from sklearn.feature_extraction.text import TfidfVectorizer
    if "ngram_range" in params:
        params = {**params, "ngram_range": tuple(params["ngram_range"])}
    return lambda: TfidfVectorizer(**params).fit_transform(docs)


def worker(lib: str, params: dict) -> None:
    import newsdata

    x, peak = fit_peak_mb(fit(lib, params, newsdata.news_articles().tolist()))
    print(json.dumps({"peak_mb": peak, "shape": list(x.shape), "nnz": int(x.nnz)}))


def memory(lib: str, params: dict) -> dict:
    cmd = [sys.executable, __file__, "--worker", lib, json.dumps(params)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--skip-char", action="store_true", help="skip the slow char_wb variant")
    args = ap.parse_args()
    if args.worker:
        lib, params = args.worker
        worker(lib, json.loads(params))
        return
    import newsdata

    docs = newsdata.news_articles().tolist()
    mb = sum(len(d.encode()) for d in docs) / 1e6
    print(f"NewsArticles: {len(docs)} documents, {mb:.1f} MB; median of {args.repeats} runs")
    print(
        f"{'variant':30} {'sklearn s':>9} {'wirenlp s':>9} {'speed-up':>8} {'CPU s sk/wn':>13} "
        f"{'CPU ratio':>9} {'sklearn MB':>10} {'wirenlp MB':>10} {'memory':>7}"
    )
    for name, params in VARIANTS.items():
        if args.skip_char and "char" in name:
            continue
        sk = memory("sklearn", params)
        wn = memory("wirenlp", params)
        assert sk["shape"] == wn["shape"] and sk["nnz"] == wn["nnz"], (sk, wn)
        fns = {lib: fit(lib, params, docs) for lib in ("sklearn", "wirenlp")}
        for f in fns.values():
            f()  # warm up: imports, thread pool
        times = interleaved(fns, args.repeats)
        (sk_s, sk_cpu, _), (wn_s, wn_cpu, _) = times["sklearn"], times["wirenlp"]
        cpu = f"{sk_cpu:.2f}/{wn_cpu:.2f}"
        print(
            f"{name:30} {sk_s:9.3f} {wn_s:9.3f} {sk_s / wn_s:7.1f}x {cpu:>13} "
            f"{sk_cpu / wn_cpu:8.1f}x {sk['peak_mb']:10.0f} {wn['peak_mb']:10.0f} "
            f"{wn['peak_mb'] / sk['peak_mb']:6.2f}x"
        )


if __name__ == "__main__":
    main()
