"""The committed notebooks: executed, clean, accessible, with working exercises."""

from __future__ import annotations

import re

import pytest

from _book import CHAPTERS, NOTEBOOKS, ROOT, load, source, text_of
from gradlab.explore import EXPLORER_KEY
from gradlab.plotting import ALT_KEY

MACHINE_PATH = re.compile(r"/(root|home|tmp|work|Users)/|[A-Z]:\\\\")
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
ids = [p.stem for p in NOTEBOOKS]


def test_the_toc_lists_chapter_one():
    assert any(p.name == "01_exponential_weights.ipynb" for p in NOTEBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_every_code_cell_is_executed_in_order(path):
    cells = [c for c in load(path)["cells"] if c["cell_type"] == "code" and source(c).strip()]
    counts = [c["execution_count"] for c in cells]
    assert None not in counts, "run `make execute`: some cells have no outputs"
    assert counts == list(range(1, len(counts) + 1)), "cells were not run top to bottom once"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_outputs_are_clean(path):
    for i, cell in enumerate(load(path)["cells"]):
        tags = cell.get("metadata", {}).get("tags", [])
        for out in cell.get("outputs", []):
            where = f"{path.name} cell {i}"
            if out["output_type"] == "error":
                assert "raises-exception" in tags, f"{where}: error {out.get('ename')}"
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), (
                f"{where} writes to stderr: {text_of(out)[:200]}"
            )
            shown = text_of(out)
            assert not MACHINE_PATH.search(shown), f"{where} shows a machine path"
            assert not ADDRESS.search(shown), f"{where} shows a memory address"
            assert "Warning" not in shown, f"{where} shows a warning"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_metadata_is_lean(path):
    nb = load(path)
    assert "widgets" not in nb["metadata"], "widget state churns on every run: do not store it"
    for cell in nb["cells"]:
        assert "execution" not in cell.get("metadata", {}), "timing metadata: run `make execute`"
        assert "sys.path" not in source(cell), "notebooks import gradlab; they never touch sys.path"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_every_figure_has_alt_text_in_the_book(path):
    for i, cell in enumerate(load(path)["cells"]):
        pngs = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        if not pngs:
            continue
        alt = cell["metadata"].get("mystnb", {}).get("image", {}).get("alt", "")
        assert len(alt) > 40, f"{path.name} cell {i}: figure without alt text"
        own = [o.get("metadata", {}).get("image/png", {}).get(ALT_KEY) for o in pngs]
        assert alt == " ".join(a for a in own if a), f"{path.name} cell {i}: stale alt text"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_shape(path):
    cells = load(path)["cells"]
    prose = "\n".join(source(c) for c in cells if c["cell_type"] == "markdown")
    assert "Learning objectives" in prose and "Estimated time" in prose
    assert "Key takeaways" in prose
    assert prose.count("{exercise}") >= 3
    assert prose.count("{solution-start}") == prose.count("{exercise}")
    explorers = [
        o for c in cells for o in c.get("outputs", []) if EXPLORER_KEY in o.get("metadata", {})
    ]
    assert explorers, "each chapter has at least one interactive explorer"
    for out in explorers:
        # The saved output shows the default view; the live widget appears when run.
        assert "image/png" in out["data"]
        assert "application/vnd.jupyter.widget-view+json" not in out["data"]


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_exercises_starters_and_solutions(path):
    cells = load(path)["cells"]
    starters = [c for c in cells if "exercise-starter" in c["metadata"].get("tags", [])]
    solutions = [c for c in cells if "exercise-solution" in c["metadata"].get("tags", [])]
    assert len(starters) >= 3 and len(starters) == len(solutions)
    for cell in starters:
        assert re.search(r"=\s*\.\.\.", source(cell)), "a starter leaves `...` for the learner"
        shown = "\n".join(text_of(o) for o in cell["outputs"])
        assert "Not attempted" in shown
    for cell in solutions:
        shown = "\n".join(text_of(o) for o in cell["outputs"])
        assert "Correct" in shown and "Not quite" not in shown


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_cells_stay_thin(path):
    """Logic lives in gradlab: a code cell longer than a dozen lines belongs there."""
    for i, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        lines = [
            ln for ln in source(cell).splitlines() if ln.strip() and not ln.strip().startswith("#")
        ]
        assert len(lines) <= 12, f"{path.name} cell {i} has {len(lines)} lines"


def test_references_cited_exist():
    bib = (ROOT / "book" / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    for path in NOTEBOOKS:
        for cell in load(path)["cells"]:
            for group in re.findall(r"\{cite\w*\}`([^`]+)`", source(cell)):
                for key in group.split(","):
                    assert key.strip() in keys, f"{path.name} cites unknown {key}"
