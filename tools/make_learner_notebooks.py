"""Generate the learner notebooks: each chapter without its solutions.

Usage: python tools/make_learner_notebooks.py [--out DIR] [CHAPTER.ipynb ...]
(default: every chapter notebook ``NN_*.ipynb`` in ``_toc.yml``, written to ``book/learner/``)

A chapter ``book/NN_name.ipynb`` becomes ``book/learner/NN_name_learner.ipynb``, derived from the
*executed* chapter (run ``make execute`` first; it runs this script at the end). Never edit a
learner notebook by hand: the next ``make execute`` overwrites it.

* Removed: every solution, that is the markdown cell that opens it (```` ```{solution-start} ````
  with the solution's prose), every cell up to and including the cell that closes it
  (```` ```{solution-end} ````), and every cell tagged ``exercise-solution``. If the closing cell
  carries more than the marker (the next exercise's statement), that part is kept.
* Kept, with their saved outputs: everything else (explanations, figures, explorers, the
  exercises' statements and starter cells). A starter's saved output must say *not attempted*.
* Added: a note at the top saying this is the learner version and where the solutions are,
  and at the end a cell that prints the chapter's progress in this session
  (``exercises.progress(N)``: the latest verdict of each exercise's checker), saved as it
  reads when no answer has been given yet.
* Code cells are renumbered 1..k, so the notebook looks as if run top to bottom, and nbval can
  re-execute it to the same outputs.

The script fails loudly if a kept cell uses a name that only a solution cell defines (the learner
notebook would raise ``NameError`` there), if a solution is not closed, or if a starter's saved
output is not *not attempted*. The output depends only on the chapter file: regenerating changes
no byte (``tests/test_learner.py`` checks it).
"""

from __future__ import annotations

import argparse
import ast
import builtins
import copy
import pathlib
import re
import sys

import nbformat
from IPython.core.inputtransformer2 import TransformerManager

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from toc_notebooks import ROOT, chapter_notebooks, learner_path  # noqa: E402

SOLUTION_TAG = "exercise-solution"
STARTER_TAG = "exercise-starter"
NOT_ATTEMPTED = "Not attempted"

# A gated solution opens with ```{solution-start} LABEL (or :::) and closes with an argument-free
# ```{solution-end}``` block, which may be followed, in the same cell, by unrelated markdown.
_START = re.compile(r"\A\s*(`{3,}|:{3,})\{solution-start\}")
_END = re.compile(r"\A\s*(`{3,}|:{3,})\{solution-end\}[ \t]*\n[ \t]*\1[ \t]*(?:\n|\Z)")


class LearnerError(RuntimeError):
    """The chapter cannot be turned into a learner notebook as it stands."""


def source_of(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def is_solution_start(cell: dict) -> bool:
    return cell.get("cell_type") == "markdown" and bool(_START.match(source_of(cell)))


def split_solution_end(cell: dict) -> tuple[str, str] | None:
    """``(marker, rest)`` if ``cell`` closes a solution, else ``None``.

    ``marker`` is the ```` ```{solution-end} ```` block, ``rest`` whatever markdown follows it
    in the same cell (stripped of the blank lines between them; empty if nothing follows).
    """
    if cell.get("cell_type") != "markdown":
        return None
    match = _END.match(source_of(cell))
    if not match:
        return None
    src = source_of(cell)
    return src[: match.end()].strip(), src[match.end() :].strip("\n")


def solution_cells(cells: list) -> list[bool]:
    """For each cell, whether it belongs to a solution (markers included).

    A closing cell counts as part of the solution even if it also carries the next exercise's
    statement; :func:`split_solution_end` separates the two.
    """
    inside, flags = False, []
    for i, cell in enumerate(cells):
        if is_solution_start(cell):
            if inside:
                raise LearnerError(f"cell {i}: a solution starts inside another solution")
            inside = True
            flags.append(True)
        elif split_solution_end(cell) is not None:
            if not inside:
                raise LearnerError(f"cell {i}: {{solution-end}} without {{solution-start}}")
            inside = False
            flags.append(True)
        else:
            tagged = SOLUTION_TAG in cell.get("metadata", {}).get("tags", [])
            flags.append(inside or tagged)
    if inside:
        raise LearnerError("a {solution-start} is never closed by {solution-end}")
    return flags


def _names(code: str) -> tuple[set[str], set[str]]:
    """Names a cell reads and names it binds (module level and nested, a safe over-estimate)."""
    tree = ast.parse(TransformerManager().transform_cell(code))
    loads, stores = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loads if isinstance(node.ctx, ast.Load) else stores).add(node.id)
        elif isinstance(node, ast.alias):
            stores.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            stores.add(node.name)
        elif isinstance(node, ast.arg):
            stores.add(node.arg)
    return loads, stores


def check_no_solution_dependencies(cells: list, drop: list[bool]) -> None:
    """Fail if a kept code cell reads a name that only a removed (solution) cell binds."""
    defined = set(dir(builtins))
    only_in_solutions: dict[str, int] = {}
    for i, (cell, dropped) in enumerate(zip(cells, drop, strict=True)):
        if cell.get("cell_type") != "code":
            continue
        loads, stores = _names(source_of(cell))
        if dropped:
            for name in stores - defined:
                only_in_solutions.setdefault(name, i)
            continue
        for name in sorted(loads - defined):
            if name in only_in_solutions:
                raise LearnerError(
                    f"cell {i} uses {name!r}, which only the solution in cell "
                    f"{only_in_solutions[name]} defines: the learner notebook would fail there. "
                    "Define it outside the solution (e.g. in the starter cell)."
                )
        defined |= stores


def note_cell(chapter: pathlib.Path) -> nbformat.NotebookNode:
    text = (
        "**Learner version.** This is the chapter without its worked solutions, for you to try "
        "the exercises: fill in your answers here, it is your copy. (The course regenerates this "
        "file from the full chapter, "
        f"[`{chapter.name}`](../{chapter.name}) in the repository, with "
        "`tools/make_learner_notebooks.py`; that never touches a copy you downloaded or saved "
        "elsewhere.)\n"
        "\n"
        "**Keep your work.** On Binder, your changes live only as long as the session: before "
        "you leave, save the notebook to your computer (*File → Download*).\n"
        "\n"
        "It needs the course's Python environment: open it on Binder from the book, or locally "
        "with `make lab` (see the repository's `README.md`). "
        "Run the cells from the top. In each exercise, replace `...` with your answer and run the "
        "cell: a checker says whether you are right and gives a hint if not. The solutions are in "
        "the book (the *Solution* dropdowns of the chapter's page) and, folded, in the full "
        "chapter notebook."
    )
    cell = nbformat.v4.new_markdown_cell(text)
    cell.id = "learner-note"
    return cell


#: The chapter's box pointing to its learner notebook: pointless inside the learner notebook.
LEARNER_BOX = re.compile(
    r":::\{admonition\} Do the exercises in your own notebook\n.*?\n:::\n*", re.S
)
#: A Markdown link to a relative path (not a URL, not an in-page anchor).
RELATIVE_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#|/)([^)\s]+)\)")


def adapt_markdown(text: str) -> str:
    """The chapter's Markdown as it reads from ``book/learner/``.

    Relative links (the maths page, the bibliography, other chapters) gain a ``../``, since
    the learner notebook lives one folder down; the box that links the learner notebook goes.
    """
    text = LEARNER_BOX.sub("", text)
    return RELATIVE_LINK.sub(lambda m: f"](../{m.group(1)})", text)


def learner_notebook(chapter: pathlib.Path) -> nbformat.NotebookNode:
    """The learner version of the executed chapter notebook ``chapter``."""
    nb = nbformat.read(chapter, as_version=4)
    try:
        drop = solution_cells(nb.cells)
        check_no_solution_dependencies(nb.cells, drop)
    except LearnerError as err:
        raise LearnerError(f"{chapter.name}: {err}") from None

    cells = [note_cell(chapter)]
    count = 0
    for i, (cell, dropped) in enumerate(zip(nb.cells, drop, strict=True)):
        end = split_solution_end(cell)
        if end is not None and end[1].strip():
            # The closing marker goes; the next exercise's statement after it stays.
            kept = copy.deepcopy(cell)
            kept.source = adapt_markdown(end[1])
            kept.metadata.pop("jupyter", None)
            cells.append(kept)
            continue
        if dropped:
            continue
        cell = copy.deepcopy(cell)
        if cell.cell_type == "markdown":
            cell.source = adapt_markdown(source_of(cell))
        if cell.cell_type == "code":
            tags = cell.metadata.get("tags", [])
            if STARTER_TAG in tags:
                shown = "\n".join(_text(o) for o in cell.outputs)
                if NOT_ATTEMPTED not in shown:
                    raise LearnerError(
                        f"{chapter.name} cell {i}: a starter's saved output must say "
                        f"{NOT_ATTEMPTED!r}; run `make execute`"
                    )
            if source_of(cell).strip():
                if cell.execution_count is None:
                    raise LearnerError(
                        f"{chapter.name} cell {i} was never run: run `make execute` first"
                    )
                count += 1
                cell.execution_count = count
                for out in cell.outputs:
                    if out.get("output_type") == "execute_result":
                        out["execution_count"] = count
        cells.append(cell)
    closing = progress_cells(chapter)
    for cell in closing:
        if cell.cell_type == "code":
            count += 1
            cell.execution_count = count
            cell.outputs[0]["execution_count"] = count
    nb.cells = cells + closing
    return nb


def progress_cells(chapter: pathlib.Path) -> list[nbformat.NotebookNode]:
    """The closing cells: a heading and ``exercises.progress(N)``, with the output it gives
    before any answer (nbval re-runs it: an exercise checked elsewhere in the notebook would
    show)."""
    from gradlab import exercises

    number = int(chapter.name[:2])
    if number not in exercises.CHAPTERS:  # a chapter gradlab has no checkers for (tests)
        return []
    title = nbformat.v4.new_markdown_cell(
        "## Your progress\n\n"
        "Run this cell whenever you like: it lists the latest verdict of each exercise's checker "
        "in this session. Restarting the kernel forgets the verdicts, not your answers: run "
        "the exercise cells again."
    )
    title.id = "learner-progress-title"
    shown = exercises.Progress(
        number, tuple((d.number, "not attempted") for d in exercises.catalogue(number))
    )
    code = nbformat.v4.new_code_cell(f"exercises.progress({number})")
    code.id = "learner-progress"
    code.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={"text/plain": str(shown), "text/html": shown._repr_html_()},
            execution_count=None,
        )
    ]
    return [title, code]


def _text(output: dict) -> str:
    if output.get("output_type") == "stream":
        return source_of({"source": output.get("text", "")})
    return source_of({"source": output.get("data", {}).get("text/plain", "")})


def write_learner(chapter: pathlib.Path, out_dir: pathlib.Path | None = None) -> pathlib.Path:
    """Write the learner version of ``chapter``; return its path."""
    target = learner_path(chapter)
    if out_dir is not None:
        target = out_dir / target.name
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(learner_notebook(chapter), target)
    return target


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=pathlib.Path)
    parser.add_argument("--out", type=pathlib.Path, help="directory (default: book/learner)")
    args = parser.parse_args(argv)
    chapters = [p.resolve() for p in args.chapters] or chapter_notebooks()
    for chapter in chapters:
        try:
            target = write_learner(chapter, args.out)
        except LearnerError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        try:
            shown = target.relative_to(ROOT)
        except ValueError:
            shown = target
        print(f"wrote {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
