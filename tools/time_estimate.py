"""How long a chapter takes a learner: the estimate each chapter and the intro print.

The estimate is a sum of what a learner does, measured on the chapter notebook:

- reading the prose (Markdown outside solutions; a formula counts as one word) at
  ``WORDS_PER_MINUTE`` = 90, a studying pace for technical text with maths (general reading
  runs at 200-250 words a minute). The pace is calibrated on the two chapters learners timed:
  Chapter 2 took them 90-120 minutes and Chapter 4 95-110, and the estimate must land inside
  both ranges;
- ``EXERCISE_MINUTES`` = 8 for an exercise whose answer is a number, a choice or a short set
  of values, ``CODE_EXERCISE_MINUTES`` = 20 for one whose answer is a function;
- ``EXPLORER_MINUTES`` = 5 to try an explorer's suggestions;
- ``CELL_MINUTES`` = 0.5 to run and read each other code cell;

rounded up to 5 minutes. ``tests/test_book.py`` checks that each chapter's "Estimated time"
and the intro's table give this number.

Usage: ``python tools/time_estimate.py`` prints the table; ``--write`` also writes each
estimate into its chapter's "Estimated time" and the intro's table.
"""

from __future__ import annotations

import json
import math
import pathlib
import re
import sys

WORDS_PER_MINUTE = 90
EXERCISE_MINUTES = 8
CODE_EXERCISE_MINUTES = 20
EXPLORER_MINUTES = 5
CELL_MINUTES = 0.5

_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]*\$", re.S)
_WORD = re.compile(r"[A-Za-z]+(?:['’-][A-Za-z]+)*")


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def parts(nb: dict) -> dict[str, float]:
    """The minutes of each activity for the notebook ``nb`` (a parsed .ipynb)."""
    words = exercises = code_exercises = explorers = cells = 0
    in_solution = False
    for cell in nb["cells"]:
        src = _source(cell)
        tags = cell.get("metadata", {}).get("tags", [])
        if "remove-cell" in tags:  # not in the HTML book (e.g. tools/chapter_terms.py's cell)
            continue
        if cell["cell_type"] == "markdown":
            if "{solution-start}" in src:
                in_solution = True
            if not in_solution:
                words += len(_WORD.findall(_MATH.sub(" x ", src)))
            if "{solution-end}" in src:
                in_solution = False
            continue
        if "exercise-solution" in tags or in_solution:
            continue
        if "exercise-starter" in tags:
            if re.search(r"^def ", src, re.M):
                code_exercises += 1
            else:
                exercises += 1
        elif "Explorer(" in src:
            explorers += 1
        else:
            cells += 1
    return {
        "reading": words / WORDS_PER_MINUTE,
        "exercises": exercises * EXERCISE_MINUTES,
        "code exercises": code_exercises * CODE_EXERCISE_MINUTES,
        "explorers": explorers * EXPLORER_MINUTES,
        "cells": cells * CELL_MINUTES,
    }


def estimate(nb: dict) -> int:
    """The chapter's time in minutes: the sum of :func:`parts`, rounded up to 5."""
    return 5 * math.ceil(sum(parts(nb).values()) / 5)


def write(root: pathlib.Path) -> None:
    """Write each chapter's estimate into its "Estimated time" line and the intro's table."""
    intro = root / "intro.md"
    text = intro.read_text()
    for path in sorted(root.glob("0*.ipynb")):
        nb = json.loads(path.read_text())
        minutes = estimate(nb)
        for cell in nb["cells"]:
            src = _source(cell)
            if "**Estimated time:**" in src:
                src = re.sub(
                    r"\*\*Estimated time:\*\* \d+ minutes",
                    f"**Estimated time:** {minutes} minutes",
                    src,
                )
                cell["source"] = src.splitlines(keepends=True)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
        text = re.sub(
            rf"(\({path.stem}\.ipynb\) \| [^|]*\| )\d+ min \|", rf"\g<1>{minutes} min |", text
        )
    intro.write_text(text)


def main() -> int:
    root = pathlib.Path(__file__).resolve().parents[1] / "book"
    if "--write" in sys.argv[1:]:
        write(root)
    print(f"{'chapter':26s} reading exercises code explorers cells  total")
    for path in sorted(root.glob("0*.ipynb")):
        nb = json.loads(path.read_text())
        p = parts(nb)
        print(
            f"{path.stem:26s} {p['reading']:7.0f} {p['exercises']:9.0f} {p['code exercises']:4.0f}"
            f" {p['explorers']:9.0f} {p['cells']:5.1f} {estimate(nb):6d}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
