"""Every decimal number in a chapter's prose is one of that chapter's printed outputs.

Numbers in Markdown drift from the outputs they describe when a chapter is re-executed with
other runs or settings. So every decimal number in a chapter's Markdown (outside headings,
code, display maths, link targets and references such as "§5.1" or "Exercise 4.2") must be,
at the figures it is written with, a number that one of the chapter's outputs prints (its
stream text, its displayed values, a figure's alt text or caption), or one of the chapter's
exact constants below, each with its reason. ``a \\times 10^{b}`` counts as one number.
"""

from __future__ import annotations

import math
import re

import pytest

from _book import CHAPTERS, load, source, text_of

#: Numbers the prose states that are exact constants or definitions, not measurements.
CONSTANTS: dict[str, dict[str, str]] = {
    "02_backpropagation": {
        "1.41": "sqrt(2)",
        "0.6": "log10(4), the sigmoid's factor 1/4 in decades",
        "0.15": "log10(sqrt(2)), ReLU's halving of the mean square in decades",
        "2.2e-16": "2^-52, float64's machine epsilon",
        "36.7": "ln(2^53): above it sigma(z) rounds to 1 in float64",
        "1.2e-07": "2^-23, float32's machine epsilon",
    },
    "03_activations": {
        "0.99": "the saturation rule: a sigmoid output within 1% of a bound",
        "4.6": "ln(99), where the sigmoid reaches 0.99",
        "0.0099": "sigma'(4.6) = 0.99 * 0.01",
        "0.98": "the saturation rule for tanh: within 1% of +-1 on its range [-1, 1]",
        "2.3": "atanh(0.98)",
        "0.045": "sigma'(-3)",
        "0.044715": "the constant of GELU's tanh approximation (Hendrycks and Gimpel 2016)",
        "0.752": "where GELU' = 0",
        "1.278": "where SiLU' = 0",
        "0.75": "where GELU' = 0, rounded",
        "1.28": "where SiLU' = 0, rounded",
        "1.41": "sqrt(2)",
    },
    "05_clipping": {
        "0.75": "a slider position of the explorer (gamma sigma_max)",
        "2.75": "a slider position of the explorer (gamma sigma_max)",
        "1.25": "a slider position of the explorer (gamma sigma_max)",
    },
    "06_capstone": {"0.01": "the leaky slope's default in the frameworks"},
}

_HEADING = re.compile(r"^#+ .*$", re.M)
_FENCE = re.compile(r"```.*?```", re.S)
_DISPLAY = re.compile(r"\$\$.*?\$\$", re.S)
_LINK = re.compile(r"\]\([^)]*\)")
_REF = re.compile(
    r"(?:§|Exercises? |Figures? |[Ss]ections? |Chapters? )\d+\.\d+(?:,? (?:and )?\d+\.\d+)*"
)
_NUMBER = re.compile(r"(?<![\w.^{_§-])(\d+\.\d+)(?:\s*\\times\s*10\^\{?(-?\d+)\}?)?(?![\w.])")
_PRINTED = re.compile(r"[-+]?\d+\.?\d*(?:[eE][-+]?\d+)?")


def _prose_numbers(markdown: str) -> list[tuple[str, float, int]]:
    """(as written, value, significant figures) of every decimal number in the prose."""
    text = _DISPLAY.sub(" ", _FENCE.sub(" ", _HEADING.sub(" ", markdown)))
    text = _REF.sub(" ", _LINK.sub("]", text))
    found = []
    for m in _NUMBER.finditer(text):
        digits, power = m.group(1), m.group(2)
        figures = len(digits.replace(".", "").lstrip("0"))
        value = float(digits) * (10.0 ** int(power) if power else 1.0)
        found.append((m.group(0), value, max(figures, 1)))
    return found


def _printed_numbers(nb: dict) -> list[float]:
    values = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            texts = [text_of(out)]
            meta = out.get("metadata", {}).get("image/png", {})
            texts += [str(v) for v in meta.values()]
            for t in texts:
                for m in _PRINTED.findall(t.replace("−", "-")):
                    try:
                        values.append(abs(float(m)))
                    except ValueError:
                        continue
    return values


def _round(x: float, figures: int) -> float:
    return float(f"{x:.{figures}g}") if x else 0.0


def _matches(value: float, figures: int, printed: list[float]) -> bool:
    want = _round(value, figures)
    return any(_round(y, figures) == want or _round(100 * y, figures) == want for y in printed)


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_every_prose_number_is_printed_or_a_constant(path):
    nb = load(path)
    printed = _printed_numbers(nb)
    constants = CONSTANTS.get(path.stem, {})
    missing = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        if "remove-cell" in cell["metadata"].get("tags", []):
            continue  # not prose: the generated terms and sources (tools/chapter_terms.py)
        for written, value, figures in _prose_numbers(source(cell)):
            if written in constants or f"{value:g}" in constants:
                continue
            if not _matches(value, figures, printed):
                missing.append(written)
    assert not missing, f"{path.name}: prose numbers no output prints: {missing}"


def test_the_rule_reads_numbers_as_written():
    found = _prose_numbers(
        "## 5.1 Heading 2.5\nloses 5.52 decades (§5.6, Exercise 4.2, Figures 5.1 and 5.2), "
        "$4.9 \\times 10^{-4}$ [x](a.ipynb#b-1.5)\n```\n3.25\n```\n$$1.75$$"
    )
    assert [(w, f) for w, _, f in found] == [("5.52", 3), ("4.9 \\times 10^{-4}", 2)]
    assert math.isclose(found[1][1], 4.9e-4)
    assert _matches(5.52, 3, [5.5213]) and not _matches(5.52, 3, [5.53])
    assert _matches(4.9e-4, 2, [0.0004883]) and _matches(82, 2, [0.82])
