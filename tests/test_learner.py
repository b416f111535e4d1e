"""The learner notebooks: each chapter without its solutions, generated, never hand-edited."""

from __future__ import annotations

import importlib.util
import re

import nbformat
import pytest

from _book import CHAPTERS, LEARNERS, ROOT, load, source, text_of
from gradlab.explore import EXPLORER_KEY
from gradlab.plotting import ALT_KEY

_spec = importlib.util.spec_from_file_location(
    "make_learner_notebooks", ROOT / "tools" / "make_learner_notebooks.py"
)
make_learner = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(make_learner)

ids = [p.stem for p in CHAPTERS]
SOLUTION = "exercise-solution"
STARTER = "exercise-starter"


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def solution_parts(chapter: dict) -> tuple[list[str], list[str]]:
    """The solutions' code lines and prose lines (markers left out), read from the chapter."""
    code, prose = [], []
    inside = False
    for cell in chapter["cells"]:
        text = source(cell)
        if cell["cell_type"] == "markdown" and "{solution-start}" in text:
            inside = True
            prose += text.split("```", 2)[-1].splitlines()  # after the directive's fence
        elif cell["cell_type"] == "markdown" and "{solution-end}" in text:
            inside = False
        elif SOLUTION in tags(cell):
            code += text.splitlines()
        elif inside:
            (code if cell["cell_type"] == "code" else prose).extend(text.splitlines())
    # Distinctive lines only: not short, and not also in a cell outside the solutions (the
    # starter and the solution both end with the same checker call).
    flags = make_learner.solution_cells(chapter["cells"])
    outside = {
        ln.strip()
        for cell, in_solution in zip(chapter["cells"], flags, strict=True)
        if not in_solution
        for ln in source(cell).splitlines()
    }

    def distinctive(lines: list[str]) -> list[str]:
        return [ln.strip() for ln in lines if len(ln.strip()) > 15 and ln.strip() not in outside]

    return distinctive(code), distinctive(prose)


def test_every_chapter_has_one_learner_notebook():
    assert CHAPTERS
    learner_dir = ROOT / "book" / "learner"
    assert sorted(learner_dir.glob("*.ipynb")) == sorted(LEARNERS.values()), (
        "one learner notebook per chapter, none for anything else: run `make execute`"
    )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids)
def test_learner_has_no_solutions(chapter):
    full, learner = load(chapter), load(LEARNERS[chapter])
    code, prose = solution_parts(full)
    assert code and prose, "the chapter's solutions were not found: is this test out of date?"
    everything = "\n".join(source(c) for c in learner["cells"])
    for cell in learner["cells"]:
        assert SOLUTION not in tags(cell)
        assert "{solution-start}" not in source(cell) and "{solution-end}" not in source(cell)
        assert not cell.get("metadata", {}).get("jupyter", {}).get("source_hidden")
    for line in code + prose:
        assert line not in everything, f"solution text in the learner notebook: {line!r}"
    outputs = "\n".join(text_of(o) for c in learner["cells"] for o in c.get("outputs", []))
    assert "Correct" not in outputs and "Not quite" not in outputs


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids)
def test_learner_keeps_the_exercises_unattempted(chapter):
    full, learner = load(chapter), load(LEARNERS[chapter])
    prose = "\n".join(source(c) for c in learner["cells"] if c["cell_type"] == "markdown")
    n_exercises = "\n".join(source(c) for c in full["cells"]).count("{exercise}")
    assert prose.count("{exercise}") == n_exercises >= 3, "an exercise statement was lost"
    for label in re.findall(r":label: (\S+)", "\n".join(source(c) for c in full["cells"])):
        assert f":label: {label}" in prose
    starters = [c for c in learner["cells"] if STARTER in tags(c)]
    assert len(starters) == n_exercises
    for cell in starters:
        shown = "\n".join(text_of(o) for o in cell["outputs"])
        assert "Not attempted" in shown, "every starter says *not attempted*"
    assert "Learner version" in source(learner["cells"][0])
    assert chapter.name in source(learner["cells"][0]), "the note names the full chapter"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids)
def test_learner_keeps_everything_else(chapter):
    full, learner = load(chapter), load(LEARNERS[chapter])
    kept = {c["id"]: c for c in learner["cells"]}
    # Explanations, figures, explorers: every non-solution cell is there, outputs and all.
    flags = make_learner.solution_cells(full["cells"])
    for cell, in_solution in zip(full["cells"], flags, strict=True):
        if in_solution:
            continue
        assert cell["id"] in kept, f"cell {cell['id']} was dropped"
        copy = kept[cell["id"]]
        if cell["cell_type"] == "markdown":  # the same text, read from book/learner/
            assert source(copy) == make_learner.adapt_markdown(source(cell))
        else:
            assert source(copy) == source(cell)
        if cell["cell_type"] == "code":
            assert [o.get("data") for o in copy["outputs"]] == [
                o.get("data") for o in cell["outputs"]
            ]
    explorers = [
        o
        for c in learner["cells"]
        for o in c.get("outputs", [])
        if EXPLORER_KEY in o.get("metadata", {})
    ]
    assert explorers and all("image/png" in o["data"] for o in explorers)
    figures = [
        o
        for c in learner["cells"]
        for o in c.get("outputs", [])
        if "image/png" in o.get("data", {})
    ]
    full_figures = [
        o for c in full["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert len(figures) == len(full_figures) > 0
    assert all(o["metadata"]["image/png"].get(ALT_KEY) for o in figures)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids)
def test_learner_is_numbered_as_if_run_top_to_bottom(chapter):
    cells = [c for c in load(LEARNERS[chapter])["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in cells if source(c).strip()]
    assert counts == list(range(1, len(counts) + 1))
    for cell in cells:
        for out in cell["outputs"]:
            if out["output_type"] == "execute_result":
                assert out["execution_count"] == cell["execution_count"]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids)
def test_learner_notebook_is_generated_not_edited(chapter, tmp_path):
    """Regenerating gives the committed file byte for byte (so: run `make execute`)."""
    target = make_learner.write_learner(chapter, tmp_path)
    assert target.read_bytes() == LEARNERS[chapter].read_bytes(), (
        f"{LEARNERS[chapter].name} is stale or hand-edited: run `make execute`"
    )
    nbformat.validate(nbformat.read(target, as_version=4))


# The generator on small made-up chapters: it removes what it must and fails loudly.


def _chapter(tmp_path, cells) -> object:
    nb = nbformat.v4.new_notebook(cells=cells)
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i}"
        if cell.cell_type == "code":
            cell.execution_count = i
    path = tmp_path / "07_made_up.ipynb"
    nbformat.write(nb, path)
    return path


def _starter(code="x = ...  # answer\ncheck(x)"):
    cell = nbformat.v4.new_code_cell(code, metadata={"tags": [STARTER]})
    cell.outputs = [nbformat.v4.new_output("stream", text="Not attempted yet\n")]
    return cell


def _solution(code="x = 42\ncheck(x)"):
    return nbformat.v4.new_code_cell(code, metadata={"tags": [SOLUTION]})


def test_generator_keeps_what_follows_a_solution_end(tmp_path):
    md = nbformat.v4.new_markdown_cell
    path = _chapter(
        tmp_path,
        [
            md("```{exercise} One\n:label: one\nFirst.\n```"),
            _starter(),
            md("```{solution-start} one\n:class: dropdown\n```\n\nSecret reasoning."),
            _solution(),
            md("```{solution-end}\n```\n\n```{exercise} Two\n:label: two\nSecond.\n```"),
            _starter("y = ...\ncheck(y)"),
        ],
    )
    nb = make_learner.learner_notebook(path)
    text = "\n".join(c.source for c in nb.cells)
    assert "Secret reasoning" not in text and "x = 42" not in text and "solution-" not in text
    assert "```{exercise} Two" in text and "```{exercise} One" in text
    assert [c.execution_count for c in nb.cells if c.cell_type == "code"] == [1, 2]


def test_generator_fails_if_a_later_cell_needs_a_solution(tmp_path):
    md = nbformat.v4.new_markdown_cell
    path = _chapter(
        tmp_path,
        [
            _starter(),
            md("```{solution-start} one\n```\nWhy."),
            _solution("answer = 42\ncheck(answer)"),
            md("```{solution-end}\n```"),
            nbformat.v4.new_code_cell("print(answer + 1)"),
        ],
    )
    with pytest.raises(make_learner.LearnerError, match="'answer'"):
        make_learner.learner_notebook(path)


def test_generator_fails_on_an_unclosed_solution_or_attempted_starter(tmp_path):
    md = nbformat.v4.new_markdown_cell
    unclosed = _chapter(tmp_path, [_starter(), md("```{solution-start} one\n```"), _solution()])
    with pytest.raises(make_learner.LearnerError, match="never closed"):
        make_learner.learner_notebook(unclosed)
    attempted = _starter()
    attempted.outputs = [nbformat.v4.new_output("stream", text="Correct: 42\n")]
    path = _chapter(tmp_path, [attempted])
    with pytest.raises(make_learner.LearnerError, match="not attempted|Not attempted"):
        make_learner.learner_notebook(path)


@pytest.mark.parametrize("path", list(LEARNERS.values()), ids=[p.stem for p in LEARNERS])
def test_learner_links_resolve_from_the_learner_folder(path):
    """Relative links were written for book/; the learner notebook lives in book/learner/."""
    text = "\n".join(source(c) for c in load(path)["cells"] if c["cell_type"] == "markdown")
    targets = re.findall(r"\]\((?![a-z][a-z0-9+.-]*:|#|/)([^)\s#]+)(?:#[^)\s]*)?\)", text)
    assert targets, "expected links to the chapter, the maths page and the bibliography"
    for target in targets:
        assert (path.parent / target).exists(), f"{path.name}: broken link {target}"
    assert "Do the exercises in your own notebook" not in text
