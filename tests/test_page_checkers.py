"""The page's exercise checker (static/gvx-check.js) agrees with gradlab's, answer for answer.

Every number-or-choice exercise of Chapters 1-6 is a :class:`gradlab.exercises.PageExercise`;
the chapter's checker is built from it and the page evaluates its JSON in JavaScript. Here the
script runs in an embedded V8 (``mini-racer``, the pinned wheel the book's maths already uses;
no Node, no browser) on the same answers as :meth:`PageExercise.check_text`, and every
verdict, message and hint must be identical: the expected value, both sides of every
tolerance boundary (the next double), every hint's region (its ends and its middle), the
values that earn "not fewer figures", every option of every choice, and junk (empty, text,
``1e999``, ``NaN``, a comma decimal, a Unicode minus). The notebook's checker must give the
page's verdict on every number too.
"""

from __future__ import annotations

import json
import math
import pathlib
import random
import struct

import pytest
from _mutation import shared_scope
from py_mini_racer import MiniRacer

from gradlab import exercises
from gradlab.exercises import CodeExercise, PageExercise
from gradlab.exercises._core import _show

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "static" / "gvx-check.js"
JUNK = [
    "", "   ", "abc", "1e999", "-1e999", "NaN", "nan", "inf", "-Infinity", "1,5", "0,25",
    "1,000", ",5", "1 000", "\u22120.5", " 2.5 ", "1/3", "0x10", "1e", ".", "+.5e-3",
    "\u0661", "1_000",
]  # fmt: skip


@pytest.fixture(scope=shared_scope)
def js() -> MiniRacer:
    ctx = MiniRacer()
    ctx.eval(SCRIPT.read_text(encoding="utf-8"))
    return ctx


def page_exercises() -> list[PageExercise]:
    return [d for c in range(1, 7) for d in exercises.catalogue(c) if isinstance(d, PageExercise)]


def _js_verdicts(js: MiniRacer, exercise: PageExercise, answers: list[dict]) -> list[dict]:
    script = (
        f"JSON.stringify({json.dumps(answers)}.map(function (v) {{ return "
        f"GvxCheck.checkExercise({json.dumps(exercise.to_json())}, v); }}))"
    )
    return json.loads(js.eval(script))


def _text(x: float) -> str:
    """A decimal that reads back as exactly ``x`` (Python's repr; JavaScript reads it alike)."""
    return repr(float(x))


def _around(x: float) -> list[float]:
    return [math.nextafter(x, -math.inf), x, math.nextafter(x, math.inf)]


def number_answers(rule) -> list[str]:
    """Texts that exercise every branch of ``rule``."""
    values = [rule.expected, -rule.expected, 0.0, rule.expected * 10, rule.expected / 10]
    values += _around(rule.accept.lo) + _around(rule.accept.hi)
    for condition, _ in rule.hints:
        for part in condition_parts(condition):
            for end in (part.lo, part.hi):
                if math.isfinite(end):
                    values += _around(end)
            if math.isfinite(part.lo) and math.isfinite(part.hi):
                values.append((part.lo + part.hi) / 2)
            elif math.isfinite(part.hi):
                values.append(part.hi - 1.0)
            elif math.isfinite(part.lo):
                values.append(part.lo + 1.0)
    for part in rule.fewer.parts:
        values.append((part.lo + part.hi) / 2)
    values += [rule.expected + 0.5, math.floor(rule.expected) + 0.5]
    return [_text(v) for v in values if math.isfinite(v)] + JUNK


def condition_parts(condition) -> tuple:
    return exercises._core.as_region(condition).parts


def answer_sets(exercise: PageExercise) -> list[dict[str, str]]:
    """Answers for every field: each option of each choice (the others right), each number
    text (the choices right), and all blank."""
    right: dict[str, str] = {}
    for f in exercise.fields:
        if f.options:
            right[f.name] = next(o.value for o in f.options if o.outcome is None)
        else:
            rule = f.rule_for(right)
            right[f.name] = _text(rule.expected)
    sets = [{}, dict(right)]
    for k, f in enumerate(exercise.fields):
        if f.options:
            for o in f.options:
                sets.append({**right, f.name: o.value})
            sets.append({**right, f.name: ""})
            later = {g.name: "" for g in exercise.fields[k + 1 :]}
            sets.append({**right, **later})
        else:
            rule = f.rule_for(right)
            for text in number_answers(rule):
                sets.append({**right, f.name: text})
    return sets


def test_every_numeric_and_choice_exercise_is_answerable_in_the_page():
    kinds = {d.number: type(d).__name__ for c in range(1, 7) for d in exercises.catalogue(c)}
    assert kinds == {
        "1.1": "PageExercise", "1.2": "PageExercise", "1.3": "PageExercise",
        "1.4": "CodeExercise", "2.1": "CodeExercise", "2.2": "CodeExercise",
        "2.3": "PageExercise", "2.4": "PageExercise", "3.1": "CodeExercise",
        "3.2": "PageExercise", "3.3": "PageExercise", "4.1": "CodeExercise",
        "4.2": "PageExercise", "4.3": "PageExercise", "5.1": "CodeExercise",
        "5.2": "PageExercise", "5.3": "PageExercise", "6.1": "CodeExercise",
        "6.2": "PageExercise", "6.3": "PageExercise",
    }  # fmt: skip


@pytest.mark.parametrize("exercise", page_exercises(), ids=lambda e: e.number)
def test_the_page_and_python_give_the_same_verdict_message_and_hint(js, exercise):
    answers = answer_sets(exercise)
    page = _js_verdicts(js, exercise, answers)
    assert len(answers) >= 10
    statuses = set()
    for values, got in zip(answers, page, strict=True):
        want = exercise.check_text(values)
        assert (got["status"], got["message"], got["hint"]) == (
            want.status,
            want.message,
            want.hint,
        ), values
        statuses.add(want.status)
    assert statuses == {"correct", "incorrect", "not attempted"}


@pytest.mark.parametrize("exercise", page_exercises(), ids=lambda e: e.number)
def test_every_hint_is_given_by_some_answer_in_both(js, exercise):
    answers = answer_sets(exercise)
    hints_given = {v["hint"] for v in _js_verdicts(js, exercise, answers)}
    right: dict[str, str] = {}
    for f in exercise.fields:
        if f.options:
            right[f.name] = next(o.value for o in f.options if o.outcome is None)
            wanted = {o.outcome.hint for o in f.options if o.outcome is not None}
        else:
            rule = f.rule_for(right)
            wanted = {h for _, h in rule.hints} | {rule.fallback}
            # "Not fewer figures" is generic: wanted where a short form of the answer is
            # neither accepted (1 figure of 100 is 100) nor a specific mistake.
            short = [(p.lo + p.hi) / 2 for p in rule.fewer.parts]
            if any(not rule.accept(v) and not any(c(v) for c, _ in rule.hints) for v in short):
                wanted.add(exercises._core.fewer_figures_hint(rule.sig_figs))
        assert wanted <= hints_given, wanted - hints_given


@pytest.mark.parametrize("exercise", page_exercises(), ids=lambda e: e.number)
def test_the_notebook_checker_gives_the_pages_verdict_on_every_number(exercise):
    # by number: in a mutation run the memo caches are emptied before each test, so the
    # checker's description is an equal, newly built object
    checker = next(
        f
        for c in range(1, 7)
        for f in exercises.checkers(c)
        if exercises.describe(f).number == exercise.number
    )
    for values in answer_sets(exercise):
        page = exercise.check_text(values)
        parsed: dict[str, object] = {}
        for f in exercise.fields:
            text = values.get(f.name, "")
            if f.options:
                parsed[f.name] = ... if text == "" else _python_choice(text)
            else:
                value = exercises.parse_typed(text)
                if value is None or value is exercises._core.BLANK:
                    break  # text the notebook never sees
                parsed[f.name] = value
        else:
            if page.status == "not attempted":
                continue  # the two say where to type the answer differently
            got = _call(checker, exercise, parsed)
            assert (got.status, got.message, got.hint) == (page.status, page.message, page.hint)


def _python_choice(text: str) -> object:
    return {"True": True, "False": False}.get(text, text)


def _call(checker, exercise: PageExercise, values: dict) -> exercises.Feedback:
    names = [f.name for f in exercise.fields]
    if names == ["answer"]:
        return checker(values["answer"])
    if exercise.label == "ch6-ex-diagnose":
        return checker(values)
    return checker(**values)


def test_numbers_are_shown_as_python_shows_them(js):
    rng = random.Random(20261207)
    values = [0.1, 123456.5, 123457.5, 2.5, 1e-5, 1.23456e-5, 99999.95, 999999.5, -0.0, 5e-324,
              1.7976931348623157e308, 1e15, 1e16, 0.30000000000000004, 1 / 3]  # fmt: skip
    while len(values) < 3000:
        x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if math.isfinite(x):
            values += [x, rng.uniform(-1e6, 1e6), round(rng.uniform(-1e3, 1e3), rng.randint(0, 7))]
    shown = json.loads(js.eval(f"JSON.stringify({json.dumps(values)}.map(GvxCheck.showNumber))"))
    assert shown == [_show(v) for v in values]


def test_typed_text_reads_as_the_same_double_in_both(js):
    texts = [_text(x) for x in (0.1, 1 / 3, 2.0**-1074, 1e308, 123.456e-300)] + JUNK
    texts += ["0.1000000000000000055511151231257827", "9007199254740993", "1E+05"]
    got = json.loads(
        js.eval(
            f"JSON.stringify({json.dumps(texts)}.map(function (t) {{ var v = "
            "GvxCheck.parseTyped(t); if (v === GvxCheck.BLANK) return 'blank'; if (v === null) "
            "return 'junk'; return Number.isNaN(v) ? 'nan' : (v === Infinity ? 'inf' : "
            "(v === -Infinity ? '-inf' : v)); }))"
        )
    )
    for text, page in zip(texts, got, strict=True):
        value = exercises.parse_typed(text)
        if value is exercises._core.BLANK:
            assert page == "blank", text
        elif value is None:
            assert page == "junk", text
        elif math.isnan(value):
            assert page == "nan", text
        elif math.isinf(value):
            assert page == ("inf" if value > 0 else "-inf"), text
        else:
            assert page == value and math.copysign(1, page) == math.copysign(1, value), text


def test_code_exercises_say_what_their_checker_tests():
    code = [d for c in range(1, 7) for d in exercises.catalogue(c) if isinstance(d, CodeExercise)]
    assert len(code) == 7
    for d in code:
        assert d.tests.startswith("The checker ") and d.tests.endswith(".")
        assert any(ch.isdigit() for ch in d.tests), d.tests  # how many cases it runs


def test_page_data_is_plain_json_and_every_label_is_an_exercise_of_its_chapter():
    for chapter in range(1, 7):
        data = exercises.page_data(chapter)
        text = json.dumps(data, allow_nan=False)  # no NaN or Infinity: JSON.parse reads it
        assert json.loads(text) == data
        notebook = next((ROOT / "book").glob(f"{chapter:02d}_*.ipynb")).read_text()
        for e in data["exercises"]:
            assert f":label: {e['label']}" in notebook, e["label"]


def test_page_data_lists_the_catalogue_in_order_with_the_keys_gvx_check_reads():
    # gvx-check.js reads data.exercises[i].kind ("page": a form it builds from the fields;
    # "code": listed by its number in the progress line), .label, .number, and data.styles
    for chapter in range(1, 7):
        data = exercises.page_data(chapter)
        assert set(data) == {"chapter", "exercises", "styles"}
        assert data["chapter"] == chapter and data["styles"] == exercises.styles()
        catalogue = exercises.catalogue(chapter)
        assert [e["label"] for e in data["exercises"]] == [d.label for d in catalogue]
        for e, d in zip(data["exercises"], catalogue, strict=True):
            if isinstance(d, PageExercise):
                assert e == {"kind": "page", **d.to_json()}
            else:
                assert e == {"kind": "code", "label": d.label, "number": d.number, "tests": d.tests}
    kinds = [e["kind"] for c in range(1, 7) for e in exercises.page_data(c)["exercises"]]
    assert kinds.count("code") == 7 and set(kinds) == {"page", "code"}


@pytest.mark.parametrize(
    "chapter, error, message",
    [
        (True, TypeError, "chapter must be an int, got bool"),
        ("1", TypeError, "chapter must be an int, got str"),
        (1.0, TypeError, "chapter must be an int, got float"),
        (0, ValueError, r"chapter must be one of \[1, 2, 3, 4, 5, 6\], got 0"),
        (7, ValueError, r"chapter must be one of \[1, 2, 3, 4, 5, 6\], got 7"),
    ],
)
def test_checkers_refuse_what_is_not_a_chapter(chapter, error, message):
    with pytest.raises(error, match=f"^{message}$"):
        exercises.checkers(chapter)
    assert len(exercises.checkers(6)) >= 1 and len(exercises.checkers(1)) >= 1


def test_each_starter_cell_calls_the_checker_of_the_exercise_above_it():
    import re

    sys_path = str(ROOT / "tools")
    import sys

    if sys_path not in sys.path:
        sys.path.insert(0, sys_path)
    from gvx_exercises import starter_checker

    for chapter in range(1, 7):
        path = next((ROOT / "book").glob(f"{chapter:02d}_*.ipynb"))
        cells = json.loads(path.read_text())["cells"]
        label, seen = None, []
        for cell in cells:
            text = "".join(cell["source"])
            found = re.search(r"```\{exercise\}[^\n]*\n:label: (\S+)", text)
            if found:
                label = found.group(1)
            if "exercise-starter" in cell.get("metadata", {}).get("tags", []):
                checker = starter_checker(text)
                assert checker is not None, text
                assert exercises.describe(checker).label == label, (path.name, label)
                seen.append(label)
        assert seen == [d.label for d in exercises.catalogue(chapter)], path.name


@pytest.mark.parametrize("chapter", range(1, 7))
def test_the_learner_notebook_ends_with_the_chapters_progress(chapter):
    path = next((ROOT / "book" / "learner").glob(f"{chapter:02d}_*_learner.ipynb"))
    last = json.loads(path.read_text())["cells"][-1]
    assert "".join(last["source"]) == f"exercises.progress({chapter})"
    shown = "".join(last["outputs"][0]["data"]["text/plain"])
    total = len(exercises.catalogue(chapter))
    assert shown.startswith(f"Chapter {chapter}: 0 of {total} exercises correct in this session")


def test_the_pages_data_hold_no_round_off():
    """Every number in the pages' data has at most 12 significant figures (Interval rounds its
    ends), so a build on another CPU, whose BLAS or libm rounds the last bit differently,
    writes the same data."""

    def floats(x):
        if isinstance(x, float):
            yield x
        elif isinstance(x, dict):
            for v in x.values():
                yield from floats(v)
        elif isinstance(x, list):
            for v in x:
                yield from floats(v)

    found = [v for c in range(1, 7) for v in floats(exercises.page_data(c))]
    assert len(found) > 200
    assert all(v == float(f"{v:.12g}") for v in found)


def test_a_code_exercise_note_links_the_learner_notebook_as_gvx_book_links_it():
    """The note's link is a learner-notebook download that tools/gvx_book.py recognises, so it
    gets the same "(or open it in JupyterLab on Binder)" link when the repository is known."""
    import sys

    from sphinx import addnodes

    sys.path.insert(0, str(ROOT / "tools"))
    import gvx_book
    import gvx_exercises

    described = exercises.catalogue(1)[-1]
    note = gvx_exercises._code_note(described, "book/01_exponential_weights")
    (link,) = list(note.findall(addnodes.download_reference))
    path = "book/learner/01_exponential_weights_learner.ipynb"
    assert link["gvx_learner"] == path and link["reftarget"] == "/" + path
    assert gvx_book.LEARNER_PATH.search(path) and (ROOT / path).is_file()
    assert note.astext().endswith(described.tests)


def _luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_the_pages_verdict_boxes_look_like_the_notebooks_and_are_readable():
    # gvx-check.js's box() reads style.icon, .title, .background and .colour of each status
    styles = exercises.styles()
    assert set(styles) == {"correct", "incorrect", "not attempted"}
    titles = {"correct": "Correct", "incorrect": "Not quite", "not attempted": "Not attempted yet"}
    for status, style in styles.items():
        assert set(style) == {"icon", "title", "background", "colour"}
        assert style["title"] == titles[status]
        box = exercises.Feedback(status, "m")._repr_html_()
        assert f"background:{style['background']};color:{style['colour']};" in box
        assert f"{style['icon']} <b>{style['title']}:</b> m</div>" in box
        low, high = sorted(map(_luminance, (style["background"], style["colour"])))
        assert (high + 0.05) / (low + 0.05) >= 4.5  # WCAG AA for normal text
    assert [styles[s]["icon"] for s in titles] == ["✅", "❌", "✏️"]
