"""Similarity speed: wirenlp vs scikit-learn, sparse_dot_topn and datasketch on NewsArticles.

All in one run, medians of several repeats, ratios printed:
1. dense cosine similarity of the TF-IDF matrix (3,788 × 3,788) vs
   ``sklearn.metrics.pairwise.cosine_similarity`` (checked equal to 1e-12);
2. top-10 self-join vs ``sparse_dot_topn.sp_matmul_topn`` on the L2-normalised TF-IDF, same
   thread count (checked identical up to ties at the 10th place);
3. near-duplicate groups vs ``datasketch`` MinHash + MinHashLSH (same threshold 0.8,
   num_perm 128, 5-character shingles of the same normalised text), build + query; recall
   against the exact duplicates and against all pairs whose exact Jaccard is >= 0.8;
4. scaling: 10k / 50k / 100k documents (the corpus repeated, each copy lightly edited), time
   and peak RSS of near_duplicates and top_k_similar, each size in a fresh process.

The TF-IDF input is scikit-learn's ``TfidfVectorizer()`` (defaults).

Usage: python bench/bench_similarity.py [--repeats N] [--sizes 10000,50000,100000]
       [--top-k-sizes ...]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import newsdata
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity as sk_cosine

import wirenlp as wn

THREADS = os.cpu_count() or 1
THRESHOLD, NUM_PERM, SHINGLE = 0.8, 128, 5


def median_seconds(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def row(name: str, t: float, ref: float | None) -> None:
    ratio = f"{ref / t:6.2f}x" if ref else "       "
    print(f"  {name:<46} {t * 1000:9.1f} ms  {ratio}")


def same_top_k(a: sp.csr_matrix, b: sp.csr_matrix) -> bool:
    """Equal scores per row (1e-12) and equal columns except ties at the row's lowest score."""
    if a.shape != b.shape or not np.array_equal(np.diff(a.indptr), np.diff(b.indptr)):
        return False
    for i in range(a.shape[0]):
        sa, sb = slice(a.indptr[i], a.indptr[i + 1]), slice(b.indptr[i], b.indptr[i + 1])
        va, vb = np.sort(a.data[sa]), np.sort(b.data[sb])
        if not np.allclose(va, vb, rtol=0, atol=1e-12):
            return False
        if len(va):
            cut = va[0] + 1e-12
            if set(a.indices[sa][a.data[sa] > cut]) != set(b.indices[sb][b.data[sb] > cut]):
                return False
    return True


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def shingles(text: str) -> set[bytes]:
    t = normalise(text)
    return (
        {t[i : i + SHINGLE].encode() for i in range(max(1, len(t) - SHINGLE + 1))} if t else set()
    )


def datasketch_groups(texts: list[str]) -> list[set[int]]:
    """What a datasketch user writes: MinHash per text, LSH index, query every text."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    hashes = []
    for i, t in enumerate(texts):
        m = MinHash(num_perm=NUM_PERM, seed=1)
        m.update_batch(shingles(t))
        hashes.append(m)
        lsh.insert(i, m)
    rows, cols = [], []
    for i, m in enumerate(hashes):
        for j in lsh.query(m):
            if j != i:
                rows.append(i)
                cols.append(j)
    return groups_of(len(texts), rows, cols)


def groups_of(n: int, rows, cols) -> list[set[int]]:
    g = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(g, directed=False)
    by = {}
    for d, lab in enumerate(labels):
        by.setdefault(lab, set()).add(d)
    return [s for s in by.values() if len(s) > 1]


def pairs_in(groups: list[set[int]]) -> set[tuple[int, int]]:
    return {(a, b) for g in groups for a in g for b in g if a < b}


def exact_jaccard_pairs(texts: list[str]) -> set[tuple[int, int]]:
    """All pairs with exact Jaccard >= THRESHOLD, by a sparse product of shingle indicators."""
    vocab: dict[bytes, int] = {}
    rows, cols = [], []
    for i, t in enumerate(texts):
        for s in shingles(t):
            rows.append(i)
            cols.append(vocab.setdefault(s, len(vocab)))
    M = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(texts), len(vocab)))
    inter = (M @ M.T).tocoo()
    size = np.asarray(M.sum(axis=1)).ravel()
    keep = inter.row < inter.col
    r, c, v = inter.row[keep], inter.col[keep], inter.data[keep]
    jac = v / (size[r] + size[c] - v)
    return {(int(a), int(b)) for a, b in zip(r[jac >= THRESHOLD], c[jac >= THRESHOLD], strict=True)}


def edited_corpus(n: int, seed: int = 0) -> list[str]:
    """The corpus repeated to n texts; every copy after the first gets a small random edit."""
    base = newsdata.news_articles().tolist()
    rng = random.Random(seed)
    out = []
    for i in range(n):
        t = base[i % len(base)]
        if i >= len(base):
            words = t.split()
            if len(words) > 2:
                del words[rng.randrange(len(words))]
                words[rng.randrange(len(words))] = f"edit{rng.randrange(1000)}"
            t = " ".join(words)
        out.append(t)
    return out


def child(n: int, what: str) -> None:
    """One scaling measurement in a fresh process: prints a JSON line."""
    texts = edited_corpus(n)
    if what == "top_k":
        # Without the most common terms (max_df): every pair of news articles shares "the",
        # and an all-pairs product over them costs n^2 whatever the library.
        X = TfidfVectorizer(max_df=0.05).fit_transform(texts)
    if what == "big":
        # One 50 MB document (the corpus joined, repeated), a copy with a tail, a short text.
        one = " ".join(texts)
        big = (one * (50 * 2**20 // len(one) + 1))[: 50 * 2**20]
        texts = [big, big + " tail", "short"]
    rss0 = status_mb("VmRSS")
    # Reset this process's peak RSS (VmHWM) so the peak below is the call's own.
    Path("/proc/self/clear_refs").write_text("5")
    t0 = time.perf_counter()
    if what in ("near_duplicates", "big"):
        out = wn.near_duplicates(texts, threshold=THRESHOLD, num_perm=NUM_PERM)
        extra = {"grouped": len(out), "groups": int(out["group"].nunique())}
    else:
        out = wn.top_k_similar(X, k=10)
        extra = {"nnz": int(out.nnz)}
    t = time.perf_counter() - t0
    rss1 = status_mb("VmHWM")
    print(json.dumps({"n": n, "seconds": t, "peak_rss_mb": rss1, "rss_before_mb": rss0, **extra}))


def status_mb(field: str) -> float:
    """A memory figure of /proc/self/status (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--sizes", default="10000,50000,100000")
    ap.add_argument("--top-k-sizes", help="sizes for top_k_similar (default: --sizes)")
    ap.add_argument("--child", nargs=2, metavar=("N", "WHAT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(int(args.child[0]), args.child[1])
        return

    news = newsdata.news_articles()
    texts = news.tolist()
    X = TfidfVectorizer().fit_transform(texts)
    print(
        f"NewsArticles: {len(texts)} articles, TF-IDF {X.shape[0]} x {X.shape[1]} "
        f"({X.nnz} stored), {THREADS} threads, median of {args.repeats}"
    )

    print("\n1. Dense cosine similarity")
    wn.cosine_similarity(X[:10])  # warm the thread pool
    t_sk, ref = median_seconds(lambda: sk_cosine(X), args.repeats)
    t_wn, got = median_seconds(lambda: wn.cosine_similarity(X), args.repeats)
    assert np.abs(got - ref).max() < 1e-12, "cosine differs from sklearn"
    row("sklearn cosine_similarity", t_sk, None)
    row("wn.cosine_similarity", t_wn, t_sk)

    print(f"\n2. Top-10 self-join ({THREADS} threads each)")
    from sparse_dot_topn import sp_matmul_topn

    t_sdt, ref = median_seconds(
        lambda: sp_matmul_topn(X, X.T, top_n=10, n_threads=THREADS), args.repeats
    )
    t_wn, got = median_seconds(
        lambda: wn.top_k_similar(X, k=10, exclude_self=False, n_jobs=THREADS), args.repeats
    )
    assert same_top_k(got, ref.tocsr()), "top-k differs from sparse_dot_topn"
    row("sparse_dot_topn.sp_matmul_topn", t_sdt, None)
    row("wn.top_k_similar (identical result)", t_wn, t_sdt)

    print(
        f"\n3. Near-duplicate groups (Jaccard >= {THRESHOLD}, num_perm={NUM_PERM}, build + query)"
    )
    ds_repeats = max(1, min(args.repeats, 3))
    t_ds, ds = median_seconds(lambda: datasketch_groups(texts), ds_repeats)
    t_wn, df = median_seconds(
        lambda: wn.near_duplicates(texts, threshold=THRESHOLD, num_perm=NUM_PERM, shingle=SHINGLE),
        args.repeats,
    )
    wn_groups = [set(g) for _, g in df.groupby("group")["doc"]]  # doc = position here
    row("datasketch MinHash + MinHashLSH", t_ds, None)
    row("wn.near_duplicates", t_wn, t_ds)
    exact = {}
    for i, t in enumerate(texts):
        exact.setdefault(t, []).append(i)
    dup_pairs = pairs_in([set(v) for v in exact.values() if len(v) > 1])
    jac_pairs = exact_jaccard_pairs(texts)
    for name, groups in [("datasketch", ds), ("wirenlp", wn_groups)]:
        found = pairs_in(groups)
        print(
            f"  {name:<11} recall: exact duplicates {len(dup_pairs & found)}/{len(dup_pairs)}, "
            f"Jaccard>={THRESHOLD} pairs {len(jac_pairs & found)}/{len(jac_pairs)}; "
            f"pairs below the threshold reported: {len(found - jac_pairs)}"
        )

    print("\n4. Scaling (corpus repeated with small edits; fresh process per size)")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    top_k_sizes = [int(s) for s in (args.top_k_sizes or args.sizes).split(",") if s]
    for what, ns in [
        ("near_duplicates", sizes),
        ("top_k", top_k_sizes),
        ("big", [len(texts)]),
    ]:
        label = {
            "top_k": "top_k_similar(k=10), TF-IDF with max_df=0.05",
            "big": "near_duplicates of one 50 MB document, its copy and a short text",
        }.get(what, what)
        print(f"  {label}:")
        for n in ns:
            out = (
                subprocess.run(
                    [sys.executable, __file__, "--child", str(n), what],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                .stdout.strip()
                .splitlines()[-1]
            )
            r = json.loads(out)
            grown = r["peak_rss_mb"] - r["rss_before_mb"]
            print(
                f"    n={n:>7}: {r['seconds']:7.2f} s, RSS before {r['rss_before_mb']:6.0f} MB, "
                f"peak during the call {r['peak_rss_mb']:6.0f} MB "
                f"(+{grown:5.0f} MB, {grown * 1024 / n:5.1f} KB/doc)"
            )


if __name__ == "__main__":
    main()
