"""The quickstart notebook runs: its code cells execute in order without error."""

from __future__ import annotations

import json
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "quickstart.ipynb"


def test_quickstart_notebook_runs_and_has_no_outputs():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert cells and all(not c["outputs"] for c in cells), "commit notebooks with outputs cleared"
    namespace: dict = {}
    for cell in cells:
        exec(compile("".join(cell["source"]), str(NOTEBOOK), "exec"), namespace)
    # The tour's last cell links the French story to its English original.
    sim = namespace["sim"]
    texts = namespace["texts"]
    i = list(texts.index).index("port-strike-fr")
    ranked = sorted(range(len(texts)), key=lambda j: -sim[i][j] if j != i else 1)
    assert texts.index[ranked[0]] in {"port-strike-en", "port-strike-copy"}
