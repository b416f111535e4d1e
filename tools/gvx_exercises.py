"""Exercises answerable in the HTML book: the page checks a number or a choice, no server.

Loaded by Jupyter Book through ``sphinx: local_extensions`` in ``_config.yml``. In each chapter
(``book/NN_name``) it

- replaces the output of every exercise's starter cell (tag ``exercise-starter``; in the
  notebook, the checker's *not attempted* box) with a slot
  ``<div class="gvx-check" data-label="ch1-ex-depth">`` where ``static/gvx-check.js`` builds
  the answer form (inputs, Check, the verdict in an ``aria-live`` region) when the exercise is
  a number or a choice (:class:`gradlab.exercises.PageExercise`), or with a note saying where
  to do it, with a download link to the learner notebook (and Binder, added by
  ``gvx_book``) and the sentence on what its checker tests, when it is code
  (:class:`gradlab.exercises.CodeExercise`);
- puts a progress line at the top of the section *Exercises* ("2 of 3 correct", shown by the
  script) and the chapter's exercises as data at its end
  (``<script type="application/json" id="gvx-check-data">``:
  :func:`gradlab.exercises.page_data`, the same description the chapter's checkers are built
  from);

and on the intro page it writes each chapter's page-checkable exercises
(``id="gvx-check-index"``) for the chapter table's progress column, with a note that answers
stay in the browser. A starter cell whose checker is not an exercise checker, or a
description whose label is not an exercise of the page, fails the build.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from gvx_book import learner_download
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform

CHAPTER = re.compile(r"(?:^|/)(\d\d)_[\w-]+$")
CHECKER_CALL = re.compile(r"\bexercises\.ch(\d)\.(\w+)\(")
SCRIPT = "gvx-check.js"
STYLE = "gvx-check.css"


def _json_html(ident: str, data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = text.replace("</", "<\\/")  # never closes the script element early
    return f'<script type="application/json" id="{ident}">{text}</script>'


def starter_checker(code: str) -> Any | None:
    """The exercise checker a starter cell calls (the last ``exercises.chN.name(`` call whose
    function is one), or None."""
    from gradlab import exercises

    found = None
    for chapter, name in CHECKER_CALL.findall(code):
        func = getattr(getattr(exercises, f"ch{chapter}", None), name, None)
        if func is not None and hasattr(func, "exercise"):
            found = func
    return found


def _learner_path(docname: str) -> str:
    folder, _, name = docname.rpartition("/")
    return f"{folder + '/' if folder else ''}learner/{name}_learner.ipynb"


def _code_note(described: Any, docname: str) -> nodes.container:
    path = _learner_path(docname)
    link = learner_download(path, docname, "this chapter's learner notebook")
    para = nodes.paragraph()
    para += nodes.strong("", "A code exercise: do it in a notebook.")
    para += nodes.Text(" This page cannot run your code. Download ")
    para += link
    para += nodes.Text(", run its starter cell after writing your function, and read the verdict. ")
    para += nodes.Text(described.tests)
    return nodes.container("", para, classes=["gvx-code-exercise"])


def _slot(described: Any) -> nodes.raw:
    label = html.escape(described.label)
    text = (
        f'<div class="gvx-check" data-label="{label}"><p class="gvx-check-noscript">'
        "Checking your answer on this page needs JavaScript. Without it, run the starter "
        "cell in the learner notebook.</p></div>"
    )
    return nodes.raw("", text, format="html")


def _progress() -> nodes.raw:
    text = (
        '<div class="gvx-progress" hidden><p><strong>Check your answers here.</strong> Under '
        "each exercise whose answer is a number or a choice, enter it and press Check (or "
        "Enter): this page's checker gives the same verdict and hint as the notebook's. "
        '<strong>Your answers on this page:</strong> <span class="gvx-progress-count"></span>'
        '<span class="gvx-progress-note"></span> They are kept in this browser only.</p></div>'
    )
    return nodes.raw("", text, format="html")


#: The checker's untouched verdict, as the starter cell's saved output shows it.
NOT_ATTEMPTED = "gradlab-not-attempted"


def _replace_verdict(cell: nodes.Element, new: nodes.Element, docname: str) -> None:
    """Put ``new`` where the starter cell's saved *not attempted* verdict is; the cell's other
    outputs (the data an exercise prints) stay."""
    outputs = [c for c in cell.children if c.get("nb_element") == "cell_code_output"]
    for output in outputs:
        for child in list(output.children):
            if any(NOT_ATTEMPTED in raw.astext() for raw in child.findall(nodes.raw)):
                child.replace_self(new)
                return
    raise ExtensionError(f"{docname}: a starter cell without its 'not attempted' output")


class ExerciseSlots(SphinxTransform):
    """Chapter pages: answer forms, code-exercise notes, progress and data (see module doc)."""

    default_priority = 210

    def apply(self, **kwargs: Any) -> None:
        docname = self.env.docname
        match = CHAPTER.search(docname)
        if match:
            self._chapter(docname, int(match.group(1)))
        elif docname.rpartition("/")[2] == "intro":
            self._intro()

    def _chapter(self, docname: str, chapter: int) -> None:
        from gradlab import exercises

        catalogue = exercises.catalogue(chapter)
        wanted = {d.label: d for d in catalogue}
        seen = []
        for cell in list(self.document.findall(nodes.container)):
            if "tag_exercise-starter" not in cell.get("classes", []):
                continue
            code = "".join(b.astext() for b in cell.findall(nodes.literal_block))
            checker = starter_checker(code)
            if checker is None:
                raise ExtensionError(f"{docname}: a starter cell calls no exercise checker")
            described = exercises.describe(checker)
            if described.label not in wanted:
                raise ExtensionError(f"{docname}: {described.label} is not in Chapter {chapter}")
            seen.append(described.label)
            new = (
                _slot(described)
                if isinstance(described, exercises.PageExercise)
                else _code_note(described, docname)
            )
            _replace_verdict(cell, new, docname)
        if sorted(seen) != sorted(wanted):
            raise ExtensionError(
                f"{docname}: starter cells check {sorted(seen)}, the chapter has {sorted(wanted)}"
            )
        section = next(
            (s for s in self.document.findall(nodes.section) if "exercises" in s["ids"]), None
        )
        if section is None:
            raise ExtensionError(f"{docname}: no section 'Exercises'")
        section.insert(1, _progress())
        section += nodes.raw(
            "", _json_html("gvx-check-data", exercises.page_data(chapter)), format="html"
        )
        self.env.metadata[docname]["gvx_exercises"] = True

    def _intro(self) -> None:
        from gradlab import exercises

        chapters: dict[str, Any] = {}
        srcdir = Path(self.env.srcdir)
        for path in sorted((srcdir / "book").glob("[0-9][0-9]_*.ipynb")):
            chapter = int(path.name[:2])
            chapters[path.stem] = {
                "labels": [
                    d.label
                    for d in exercises.catalogue(chapter)
                    if isinstance(d, exercises.PageExercise)
                ]
            }
        table = next(iter(self.document.findall(nodes.table)), None)
        if table is None:
            raise ExtensionError("intro: no chapter table for the exercise progress")
        note = (
            '<p class="gvx-progress-index" hidden>The last column counts the exercises you '
            "answered correctly in the chapters' pages, out of those a page can check (code "
            "exercises are checked in the learner notebooks). Your answers are kept in this "
            "browser only; nothing is sent anywhere. </p>"
        )
        index = _json_html("gvx-check-index", {"chapters": chapters})
        table.parent.insert(
            table.parent.index(table) + 1, nodes.raw("", note + index, format="html")
        )
        self.env.metadata[self.env.docname]["gvx_exercises"] = True


def _on_page_context(app: Sphinx, pagename: str, *args: Any) -> None:
    if app.env.metadata.get(pagename, {}).get("gvx_exercises"):
        app.add_css_file(STYLE)
        app.add_js_file(SCRIPT, loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_transform(ExerciseSlots)
    app.connect("html-page-context", _on_page_context)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
