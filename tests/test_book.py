"""The committed notebooks: executed, clean, accessible, with working exercises."""

from __future__ import annotations

import re

import pytest
from _cells import logic_lines

from _book import CHAPTERS, NOTEBOOKS, ROOT, load, source, text_of
from gradlab.explore import EXPLORER_KEY
from gradlab.plotting import ALT_KEY, CAPTION_KEY

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


# A float printed with all its digits (Python's repr: 12 or more significant figures) shows
# round-off that another CPU prints differently. Outputs round, or print a bound
# (gradlab.gradcheck.below). The alt text and caption of figures count as outputs.
FULL_PRECISION = re.compile(r"(?<![\w.])\d*\.?\d{12,}(?:e[-+]?\d+)?|\d\.\d{11,}")


def _shown_texts(cell: dict) -> list[str]:
    texts = [text_of(out) for out in cell.get("outputs", [])]
    for out in cell.get("outputs", []):
        meta = out.get("metadata", {}).get("image/png", {})
        texts += [str(meta.get(ALT_KEY, "")), str(meta.get(CAPTION_KEY, ""))]
    return texts


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_no_output_prints_a_float_to_full_precision(path):
    for i, cell in enumerate(load(path)["cells"]):
        for shown in _shown_texts(cell):
            found = FULL_PRECISION.search(shown)
            assert not found, f"{path.name} cell {i} prints {found.group()}: round it or bound it"


def test_the_full_precision_pattern():
    for text in ("3.4658824783938236e-06", "20.38036206767356", "0.30000000000000004"):
        assert FULL_PRECISION.search(text), text
    for text in ("3.46588e-06", "20.3804", "< 1e-7", "WIDGET", "step 1000000", "0.7891"):
        assert not FULL_PRECISION.search(text), text


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
        n = logic_lines(source(cell))
        assert n <= 12, f"{path.name} cell {i} has {n} lines"


def _figure_cells(path):
    for i, cell in enumerate(load(path)["cells"]):
        pngs = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        if pngs:
            yield i, cell, pngs


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_figure_is_captioned_and_named_in_the_book(path):
    """Each figure's caption (set by gradlab) is the cell's mystnb.figure.caption, not stale."""
    names = []
    for i, cell, pngs in _figure_cells(path):
        own = [o.get("metadata", {}).get("image/png", {}).get(CAPTION_KEY) for o in pngs]
        assert all(own), f"{path.name} cell {i}: a figure without a caption (gradlab/caption)"
        figure = cell["metadata"].get("mystnb", {}).get("figure", {})
        assert figure.get("caption") == own[0] and len(own) == 1, (
            f"{path.name} cell {i}: stale or missing mystnb.figure.caption: run `make execute`"
        )
        assert re.fullmatch(r"fig-[a-z0-9-]+", figure.get("name", "")), (
            f"{path.name} cell {i}: the figure needs a label, mystnb.figure.name = 'fig-...'"
        )
        names.append(figure["name"])
    assert names, f"{path.name} has no figures"
    assert len(names) == len(set(names)), f"{path.name}: two figures share a label"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_captions_only_on_figures(path):
    for i, cell in enumerate(load(path)["cells"]):
        has_png = any("image/png" in o.get("data", {}) for o in cell.get("outputs", []))
        caption = cell.get("metadata", {}).get("mystnb", {}).get("figure", {}).get("caption")
        assert has_png or not caption, f"{path.name} cell {i}: a caption without a figure"


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_solutions_are_folded_in_jupyterlab(path):
    """JupyterLab folds a cell's input on jupyter.source_hidden and a code cell's outputs on
    `collapsed` (4.5 does not read jupyter.outputs_hidden; nbformat documents it, so both)."""
    cells = load(path)["cells"]
    inside = False
    n_solutions = 0
    for i, cell in enumerate(cells):
        text, meta = source(cell), cell.get("metadata", {})
        starts = cell["cell_type"] == "markdown" and "{solution-start}" in text
        ends = cell["cell_type"] == "markdown" and "{solution-end}" in text
        in_solution = inside or starts or ends or "exercise-solution" in meta.get("tags", [])
        hidden = meta.get("jupyter", {})
        where = f"{path.name} cell {i}"
        if in_solution:
            assert hidden.get("source_hidden") is True, f"{where}: solution not folded"
            if cell["cell_type"] == "code":
                assert hidden.get("outputs_hidden") is True and meta.get("collapsed") is True, (
                    f"{where}: the solution's output ('Correct: ...') is not folded"
                )
                first = text.lstrip().splitlines()[0]
                # A folded cell still shows its first line: it must not give the answer away.
                assert first.startswith("#"), f"{where}: first line shows when folded: {first!r}"
        else:
            assert not hidden.get("source_hidden") and not meta.get("collapsed"), (
                f"{where}: folded, but not part of a solution"
            )
        if ends:
            # The marker alone (no empty box left unfolded, nothing else folded with it).
            assert re.fullmatch(r"\s*```\{solution-end\}\s*```\s*", text), (
                f"{where}: the {{solution-end}} marker shares its cell: run `make execute`"
            )
        n_solutions += starts
        inside = (inside or starts) and not ends
    assert n_solutions >= 3


def _execute_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "execute_notebooks", ROOT / "tools" / "execute_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _figure_cell(caption: str, name: str | None = None):
    import nbformat

    cell = nbformat.v4.new_code_cell("plot()")
    meta = {"image/png": {ALT_KEY: "A plot of something, in words.", CAPTION_KEY: caption}}
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"}, metadata=meta)
    ]
    if name:
        cell.metadata["mystnb"] = {"figure": {"name": name, "caption": "an old caption"}}
    return cell


def test_execute_copies_captions_and_names_unnamed_figures():
    import nbformat

    tool = _execute_tool()
    named, unnamed = _figure_cell("New caption.", "fig-mine"), _figure_cell("Other caption.")
    nb = nbformat.v4.new_notebook(cells=[named, unnamed])
    named, unnamed = nb.cells
    named.id, unnamed.id = "cell-006", "cell-007"
    tool.sync_captions(nb, "03_made_up")
    assert named.metadata["mystnb"]["figure"] == {"name": "fig-mine", "caption": "New caption."}
    assert unnamed.metadata["mystnb"]["figure"] == {
        "name": "fig-03-cell-007",
        "caption": "Other caption.",
    }
    # A caption that gradlab no longer sets does not linger.
    named.outputs[0]["metadata"]["image/png"].pop(CAPTION_KEY)
    tool.sync_captions(nb, "03_made_up")
    assert named.metadata["mystnb"]["figure"] == {"name": "fig-mine"}
    # Two outputs in a captioned cell would share one label: refused.
    unnamed.outputs.append(unnamed.outputs[0])
    with pytest.raises(ValueError, match="only displayed output"):
        tool.sync_captions(nb, "03_made_up")


def test_execute_folds_solutions_and_splits_their_end_marker():
    import nbformat

    tool = _execute_tool()
    md = nbformat.v4.new_markdown_cell
    solution = nbformat.v4.new_code_cell(
        "# Solution\nx = 42", metadata={"tags": ["exercise-solution"]}
    )
    cells = [
        md("```{exercise} One\n:label: one\n```"),
        md("```{solution-start} one\n:class: dropdown\n```\nWhy."),
        solution,
        md("```{solution-end}\n```\n\n## Next section"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    solution = nb.cells[2]
    for _ in range(2):  # idempotent
        tool.split_solution_ends(nb)
        tool.fold_solutions(nb)
    assert [c.source for c in nb.cells[3:]] == ["```{solution-end}\n```", "## Next section"]
    hidden = [c.metadata.get("jupyter", {}).get("source_hidden", False) for c in nb.cells]
    assert hidden == [False, True, True, True, False]
    assert solution.metadata["collapsed"] is True
    assert solution.metadata["jupyter"]["outputs_hidden"] is True


def _time_estimate():
    import importlib
    import sys

    sys.path.insert(0, str(ROOT / "tools"))
    return importlib.import_module("time_estimate")


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_estimated_times_are_the_tools_estimate(path):
    """Each chapter's "Estimated time" and the intro's table give tools/time_estimate.py's
    number for the chapter as it is now (reading, exercises, explorers, cells)."""
    te = _time_estimate()
    nb = load(path)
    minutes = te.estimate(nb)
    stated = re.findall(r"\*\*Estimated time:\*\* (\d+) minutes", "".join(map(source, nb["cells"])))
    assert stated == [str(minutes)], (path.name, stated, minutes, te.parts(nb))
    intro = (ROOT / "book" / "intro.md").read_text()
    row = re.search(rf"\({path.stem}\.ipynb\) \|[^|]*\| (\d+) min \|", intro)
    assert row and int(row.group(1)) == minutes


def test_time_estimate_counts_what_a_learner_does():
    te = _time_estimate()
    md = {"cell_type": "markdown", "source": "word " * 900 + "$x^2 + y$"}
    solution = {"cell_type": "markdown", "source": "```{solution-start} a\n```\n" + "w " * 500}
    end = {"cell_type": "markdown", "source": "```{solution-end}\n```"}
    starter = {"cell_type": "code", "source": "x = ...", "metadata": {"tags": ["exercise-starter"]}}
    code = {
        "cell_type": "code",
        "source": "def f():\n    ...",
        "metadata": {"tags": ["exercise-starter"]},
    }
    explorer = {"cell_type": "code", "source": "explore.LadderExplorer()", "metadata": {}}
    plain = {"cell_type": "code", "source": "print(1)", "metadata": {}}
    hidden = {
        "cell_type": "code",
        "source": "print(2)",
        "metadata": {"tags": ["exercise-solution"]},
    }
    nb = {"cells": [md, solution, hidden, end, starter, code, explorer, plain]}
    p = te.parts(nb)
    assert p["reading"] == (900 + 1 + 0) / te.WORDS_PER_MINUTE  # "solution-end" is not read
    assert p["exercises"] == te.EXERCISE_MINUTES and p["code exercises"] == te.CODE_EXERCISE_MINUTES
    assert p["explorers"] == te.EXPLORER_MINUTES and p["cells"] == te.CELL_MINUTES
    assert te.estimate(nb) == 5 * -(-sum(p.values()) // 5)
