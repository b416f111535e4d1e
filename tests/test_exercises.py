"""Numeric exercise checkers: correct, incorrect with the right hint, not attempted; no crash."""

import math
import numbers
import re
from decimal import ROUND_DOWN, Decimal

import numpy as np
import pytest
from _cells import ANSWERS
from hypothesis import given, settings
from scipy.special import digamma

from gradlab import exercises
from gradlab.exercises import Feedback, _page, ch1, ch3
from gradlab.exercises._core import FINITE_HINT, TYPE_HINT, WHOLE_HINT

# Reference solutions, written independently of gradlab's own functions.
REF_DEPTH = next(L for L in range(1, 1000) if 0.9**L < 1e-6)
REF_RATIO = math.log(1e-6) / math.log(0.9)
SIGMA_32 = 1 / math.sqrt(32)
REF_RATE = math.log(SIGMA_32) + 0.5 * (math.log(2) + digamma(16))
REF_GAIN = math.sqrt(8) * math.exp(-0.5 * (math.log(2) + digamma(4)))

CHECKERS = [
    (ch1.depth_to_vanish, REF_DEPTH),
    (ch1.growth_rate, REF_RATE),
    (ch1.critical_gain, REF_GAIN),
]
IDS = ["depth", "rate", "gain"]

# For every hint of every checker: answers that make that mistake, and words the hint must say.
HINT_TRIGGERS = {
    "depth": (
        ch1.DEPTH_HINTS,
        [
            ([REF_DEPTH - 1, float(REF_DEPTH - 1)], "Off by one"),
            ([-REF_DEPTH, -REF_RATIO, -1], "positive"),
            # log10 on top, ln below: 56.95 unrounded (was "round to a whole number"), 57 rounded.
            ([math.log10(1e-6) / math.log(0.9), 56.95, 57], "log10 on top"),
            ([math.log(1e-6) / math.log10(0.9), 302], "ln on top"),
            ([REF_RATIO, round(REF_RATIO, 4)], "ratio ln(1e-6) / ln(0.9) itself"),
        ],
    ),
    "rate": (
        ch1.RATE_HINTS,
        [
            ([0.0, 0], "Jensen"),
            ([math.log(SIGMA_32)], "ln(sigma) alone"),
            ([math.log(SIGMA_32**2) + 0.5 * (math.log(2) + digamma(16))], "ln(sigma^2)"),
            ([-1 / 64, -0.015625], "-1/(2n)"),
            ([math.log(SIGMA_32) + math.log(2) + digamma(16)], "*square root*"),
            ([0.5 * (math.log(2) + digamma(32) - math.log(32))], "at n/2, not n"),
            ([REF_RATE * 1.05, round(REF_RATE, 3), round(REF_RATE, 4)], "Close, but not exact"),
        ],
    ),
    "gain": (
        ch1.GAIN_HINTS,
        [
            ([1.0, 1], "Gain 1"),
            ([math.sqrt(8)], "sigma = 1"),
            ([REF_GAIN / math.sqrt(8)], "sigma* itself"),
            ([math.sqrt(8) / REF_GAIN], "Inverted"),
            ([1 + 1 / 16, 1.0625], "large-width approximation 1 + 1/(2n)"),
            ([1.06, 1.07, 1.0685, 1.066], "explorer"),
        ],
    ),
}
FALLBACKS = {
    "depth": (ch1.depth_to_vanish, ch1.DEPTH_FALLBACK, [200, 1]),
    "rate": (ch1.growth_rate, ch1.RATE_FALLBACK, [1.0, -0.5]),
    "gain": (ch1.critical_gain, ch1.GAIN_FALLBACK, [5.0, 0.1]),
}


@pytest.mark.parametrize("checker, reference", CHECKERS, ids=IDS)
def test_reference_solution_is_correct(checker, reference):
    fb = checker(reference)
    assert fb.status == "correct" and fb.correct and fb.hint == ""
    assert checker(np.float64(reference)).correct
    assert checker(np.array([reference])).correct
    assert checker(np.array(reference)).correct


@pytest.mark.parametrize("checker, reference", CHECKERS, ids=IDS)
def test_untouched_starter_is_not_attempted(checker, reference):
    for blank in (..., None):
        fb = checker(blank)
        assert fb.status == "not attempted" and not fb.correct
        assert "Not attempted" in str(fb) and "Not attempted" in fb._repr_html_()


@pytest.mark.parametrize("key", list(HINT_TRIGGERS))
def test_every_hint_fires_for_its_own_mistake(key):
    hints, triggers = HINT_TRIGGERS[key]
    checker = FALLBACKS[key][0]
    assert len(triggers) == len(hints), "one row of triggers per hint"
    for (answers, words), (_, hint) in zip(triggers, hints, strict=True):
        assert words in hint
        for answer in answers:
            fb = checker(answer)
            assert fb.status == "incorrect", (key, answer)
            assert fb.hint == hint, (key, answer, fb.hint)


@pytest.mark.parametrize("key", list(FALLBACKS))
def test_unrecognised_wrong_answers_get_the_fallback(key):
    checker, fallback, answers = FALLBACKS[key]
    for answer in answers:
        fb = checker(answer)
        assert fb.status == "incorrect" and fb.hint == fallback, (key, answer)


def test_depth_generic_complaints_come_after_specific_hints():
    # Not a whole number, and no specific mistake recognised: the generic complaint.
    fb = ch1.depth_to_vanish(REF_DEPTH + 0.5)
    assert fb.status == "incorrect" and "whole" in fb.message and fb.hint == WHOLE_HINT
    # Not a whole number, but a recognised mistake: the specific hint wins.
    assert ch1.depth_to_vanish(56.95).hint != WHOLE_HINT
    assert ch1.depth_to_vanish(REF_RATIO).hint != WHOLE_HINT


def test_depth_acceptance_is_exact():
    assert ch1.depth_to_vanish(REF_DEPTH).correct
    assert ch1.depth_to_vanish(float(REF_DEPTH)).correct
    assert ch1.depth_to_vanish(np.int64(REF_DEPTH)).correct
    for wrong in (REF_DEPTH - 1, REF_DEPTH + 1, REF_DEPTH - 1e-9, REF_DEPTH + 0.4):
        assert not ch1.depth_to_vanish(wrong).correct, wrong


# Significant figures ------------------------------------------------------------------------


def unit_of(x: float, n: int) -> float:
    """One unit of the n-th significant figure, from the decimal exponent of x."""
    exponent = int(f"{abs(x):e}".split("e")[1])
    return 10.0 ** (exponent - n + 1)


def truncated(x: float, n: int) -> float:
    quantum = Decimal(1).scaleb(int(f"{abs(x):e}".split("e")[1]) - n + 1)
    return float(Decimal(x).quantize(quantum, rounding=ROUND_DOWN))


SIG_FIG_CHECKERS = [(ch1.growth_rate, REF_RATE, 4), (ch1.critical_gain, REF_GAIN, 4)]


@pytest.mark.parametrize("checker, exact, n", SIG_FIG_CHECKERS, ids=["rate", "gain"])
def test_sig_fig_answers_inside_the_boundary_pass(checker, exact, n):
    unit = unit_of(exact, n)
    inside = [
        float(f"{exact:.{n}g}"),  # rounded
        truncated(exact, n),  # truncated
        exact + 0.9 * unit,
        exact - 0.9 * unit,
        float(f"{exact:.{n + 2}g}"),  # more figures
        float(f"{exact:.{n + 5}g}"),
    ]
    for answer in inside:
        assert checker(answer).correct, answer


@pytest.mark.parametrize("checker, exact, n", SIG_FIG_CHECKERS, ids=["rate", "gain"])
def test_sig_fig_answers_outside_the_boundary_fail(checker, exact, n):
    unit = unit_of(exact, n)
    for answer in (exact + 1.1 * unit, exact - 1.1 * unit, float(f"{exact:.{n - 1}g}")):
        fb = checker(answer)
        assert fb.status == "incorrect" and fb.hint, answer


def test_measured_sig_fig_defects_are_fixed():
    assert ch1.critical_gain(1.067).correct  # 1.0672533... to 4 s.f.
    assert ch1.growth_rate(-0.01578).correct  # -0.0157877 truncated to 4 s.f.
    assert ch1.growth_rate(-0.01579).correct  # ... and rounded


@pytest.mark.parametrize(
    "expected, n, tol",
    [
        (1.0672533, 4, 1e-3),
        (-0.0157877, 4, 1e-5),
        (1000.0, 2, 100.0),
        (999.9, 2, 10.0),
        (1e-3, 1, 1e-3),
        (0.000999, 3, 1e-6),
        (123456, 1, 1e5),
        (-7, 3, 0.01),
    ],
)
def test_sig_fig_tolerance(expected, n, tol):
    assert exercises.sig_fig_tolerance(expected, n) == pytest.approx(tol, rel=1e-12)


@pytest.mark.parametrize(
    "expected, n, error",
    [
        (1.0, 0, ValueError),
        (1.0, 1.5, TypeError),
        (1.0, True, TypeError),
        (0.0, 3, ValueError),
        (math.nan, 3, ValueError),
        (math.inf, 3, ValueError),
        ("1.0", 3, TypeError),
    ],
)
def test_sig_fig_tolerance_validates(expected, n, error):
    with pytest.raises(error, match="expected|n must"):
        exercises.sig_fig_tolerance(expected, n)


def test_check_number_sig_figs_overrides_rtol():
    fb = exercises.check_number(1.067, 1.0672533, what="x", rtol=0.0, sig_figs=4)
    assert fb.correct
    assert not exercises.check_number(1.066, 1.0672533, what="x", sig_figs=4).correct


# Hint ordering in check_number --------------------------------------------------------------


def test_check_number_first_matching_hint_wins_and_broken_predicates_are_skipped():
    def broken(v):
        raise RuntimeError("bad predicate")

    hints = [(broken, "never"), (lambda v: v > 5, "too big"), (lambda v: v > 1, "big")]
    fb = exercises.check_number(7.5, 1.0, what="x", integer=True, hints=hints)
    assert fb.hint == "too big"  # specific, even though 7.5 is not whole
    assert exercises.check_number(2.5, 1.0, what="x", integer=True, hints=hints).hint == "big"
    assert exercises.check_number(0.5, 1.0, what="x", integer=True, hints=hints).hint == WHOLE_HINT


def test_check_number_does_not_match_hints_on_non_finite_values():
    hints = [(lambda v: v < 0, "negative")]
    fb = exercises.check_number(-math.inf, 1.0, what="x", hints=hints)
    assert fb.hint == FINITE_HINT and "finite" in fb.message


# Strange answers never raise ----------------------------------------------------------------


class FloatRaises:
    """Claims to be a real number, but cannot be converted."""

    def __float__(self):
        raise ValueError("no float for you")


numbers.Real.register(FloatRaises)


class ItemRaises:
    size = 1

    def item(self):
        raise RuntimeError("no item")


class SizeRaises:
    @property
    def size(self):
        raise RuntimeError("no size")

    def item(self):
        return 1.0


STRANGE = [
    "132",
    b"132",
    [1, 2],
    (REF_DEPTH,),
    {"a": 1},
    np.zeros(3),
    np.zeros((0,)),
    np.array(["x"]),
    np.array([True]),
    float("nan"),
    float("inf"),
    -float("inf"),
    True,
    False,
    np.bool_(True),
    10**400,
    -(10**400),
    1 + 2j,
    np.complex128(1),
    FloatRaises(),
    ItemRaises(),
    SizeRaises(),
    object(),
    print,
]


@pytest.mark.parametrize("checker, reference", CHECKERS, ids=IDS)
def test_strange_answers_never_raise(checker, reference):
    for answer in STRANGE:
        fb = checker(answer)
        assert fb.status == "incorrect", repr(answer)
        assert fb.hint and fb.message
        assert str(fb) and fb._repr_html_()
    assert checker("132").hint == TYPE_HINT
    assert checker(float("nan")).hint == FINITE_HINT


@settings(max_examples=150, deadline=None)
@given(answer=ANSWERS)
def test_checkers_never_raise_property(answer):
    for checker, _ in CHECKERS:
        fb = checker(answer)
        assert fb.status in {"correct", "incorrect", "not attempted"}
        assert str(fb) and fb._repr_html_()


# Feedback ------------------------------------------------------------------------------------


def test_feedback_html_escapes_and_renders():
    fb = exercises.Feedback("incorrect", "a < b", "use <x>")
    html = fb._repr_html_()
    assert "a &lt; b" in html and "&lt;x&gt;" in html
    assert "gradlab-incorrect" in html
    assert str(fb).startswith("❌") and "Hint: use <x>" in str(fb)
    assert not fb.correct and fb.status == "incorrect" and fb.message == "a < b"


def test_feedback_is_backward_compatible():
    fb = exercises.Feedback("correct", "done")
    assert fb.correct and fb.hint == "" and repr(fb) == str(fb) == "✅ Correct: done"


def test_answers_to_fewer_figures_than_asked_are_told_so():
    from gradlab.exercises import ch2
    from gradlab.exercises._core import _fewer_figures, check_number

    assert _fewer_figures(-4.6, -4.5854, 3) and _fewer_figures(-4.5, -4.5854, 3)  # round, trunc
    assert not _fewer_figures(-4.59, -4.5854, 3)  # that one is the answer itself
    assert not _fewer_figures(-4.7, -4.5854, 3) and not _fewer_figures(3.8e-6, 3.466e-6, 2)
    fb = check_number(1.1, 1.06725, what="g*", sig_figs=4, fallback_hint="formula")
    assert fb.status == "incorrect" and "give 4 significant figures" in fb.hint
    fb = check_number(1.2, 1.06725, what="g*", sig_figs=4, fallback_hint="formula")
    assert fb.hint == "formula"
    assert "give 3 significant figures" in ch2.decades_lost(-4.6).hint


def test_a_stressed_word_in_a_hint_shows_in_italics_in_the_notebook():
    fb = exercises.Feedback("incorrect", "Off by <one>.", "The first depth *below* it; 2*x*y.")
    page = fb._repr_html_()
    assert "<em>below</em>" in page and "*below*" not in page
    assert "2*x*y" in page and "&lt;one&gt;" in page  # products and markup stay as written
    assert str(fb).endswith("Hint: The first depth *below* it; 2*x*y.")  # plain text keeps *


# Progress: the chapter summary at the end of a learner notebook ------------------------------


@pytest.fixture
def fresh_results(monkeypatch):
    """The checkers record their verdicts in the module-global _page.RESULTS: a fresh dict for
    each test (monkeypatch puts the shared one back), so no verdict leaks in or out."""
    results = {}
    monkeypatch.setattr(_page, "RESULTS", results)
    return results


def chapter1_rows(*statuses):
    # The book's Chapter 1 has Exercises 1.1 to 1.4, in that order.
    return tuple(zip(("1.1", "1.2", "1.3", "1.4"), statuses, strict=True))


@pytest.mark.parametrize("chapter", range(1, 7))
def test_progress_with_nothing_checked_is_all_not_attempted(fresh_results, chapter):
    # The book numbers a chapter's exercises N.1, N.2, ..., one per checker, in their order.
    k = len(exercises.checkers(chapter))
    numbers = [f"{chapter}.{i}" for i in range(1, k + 1)]
    p = exercises.progress(chapter)
    assert p.chapter == chapter and p.rows == tuple((n, "not attempted") for n in numbers)
    assert p.correct == 0 and p.headline() == f"Chapter {chapter}: 0 of {k} exercises correct"
    listed = ", ".join(f"{n} not attempted" for n in numbers)
    expected = f"Chapter {chapter}: 0 of {k} exercises correct in this session ({listed})."
    assert str(p) == expected and repr(p) == expected


def test_progress_shows_the_latest_verdict_of_each_checker(fresh_results):
    # REF_DEPTH is the independent reference above; 0.0 is the Jensen mistake of Exercise 1.2.
    assert ch1.depth_to_vanish(REF_DEPTH).correct and not ch1.growth_rate(0.0).correct
    p = exercises.progress(1)
    assert p.rows == chapter1_rows("correct", "incorrect", "not attempted", "not attempted")
    assert p.correct == 1 and p.headline() == "Chapter 1: 1 of 4 exercises correct"
    assert (
        str(p)
        == repr(p)
        == (
            "Chapter 1: 1 of 4 exercises correct in this session "
            "(1.1 correct, 1.2 incorrect, 1.3 not attempted, 1.4 not attempted)."
        )
    )
    ch1.growth_rate(REF_RATE)  # a later run replaces the earlier verdict
    ch1.critical_gain(REF_GAIN)
    p = exercises.progress(1)
    assert p.rows == chapter1_rows("correct", "correct", "correct", "not attempted")
    assert p.correct == 3 and p.headline() == "Chapter 1: 3 of 4 exercises correct"
    ch1.depth_to_vanish(REF_DEPTH - 1)  # off by one
    ch1.critical_gain(...)  # back to the untouched starter
    p = exercises.progress(1)
    assert p.rows == chapter1_rows("incorrect", "correct", "not attempted", "not attempted")
    assert p.correct == 1
    assert exercises.progress(2).correct == 0  # other chapters are untouched


def test_progress_of_reads_each_exercises_verdict_by_its_label(fresh_results):
    described = [
        exercises.CodeExercise("x-first", "9.1", "tests"),
        exercises.CodeExercise("x-second", "9.2", "tests"),
        exercises.CodeExercise("x-third", "9.3", "tests"),
    ]
    fresh_results["x-second"] = exercises.Feedback("correct", "")
    fresh_results["x-third"] = exercises.Feedback("incorrect", "no")
    fresh_results["x-other"] = exercises.Feedback("correct", "")  # not in this chapter
    p = _page.progress_of(9, described)
    assert p == exercises.Progress(
        9, (("9.1", "not attempted"), ("9.2", "correct"), ("9.3", "incorrect"))
    )
    assert p.correct == 1 and p.headline() == "Chapter 9: 1 of 3 exercises correct"


def test_progress_html_lists_each_exercise_with_its_status_and_icon(fresh_results):
    ch1.depth_to_vanish(REF_DEPTH)
    ch1.growth_rate(0.0)
    page = exercises.progress(1)._repr_html_()
    # The icons are those of the verdict boxes (_core._STYLE): correct, incorrect, not attempted.
    assert re.findall(r"<li>(.*?)</li>", page) == [
        "✅ Exercise 1.1: correct",
        "❌ Exercise 1.2: incorrect",
        "✏️ Exercise 1.3: not attempted",
        "✏️ Exercise 1.4: not attempted",
    ]
    assert page.count("<li>") == 4 and "<b>Chapter 1: 1 of 4 exercises correct</b>" in page
    assert page.startswith('<div class="gradlab-progress">') and page.endswith("</ul></div>")


def test_progress_html_escapes_numbers_and_headline():
    page = exercises.Progress("<A&B>", (("1<2&3", "correct"),))._repr_html_()
    assert "<li>✅ Exercise 1&lt;2&amp;3: correct</li>" in page
    assert "<b>Chapter &lt;A&amp;B&gt;: 1 of 1 exercises correct</b>" in page
    assert "<A&B>" not in page and "1<2" not in page


# Fields of a page exercise and the notebook's emphasis ----------------------------------------


def test_field_is_found_by_name_and_an_unknown_name_is_a_value_error():
    # Exercise 3.3 asks for an activation (a choice), then the ratio it gives (a number whose
    # rule depends on the choice): ch3.choose_activation(name, ratio).
    described = exercises.describe(ch3.choose_activation)
    name, ratio = described.field("name"), described.field("ratio")
    assert name.name == "name" and name.kind == "choice" and name.depends_on is None
    assert ratio.name == "ratio" and ratio.kind == "number" and ratio.depends_on == "name"
    message = r"ch3-ex-choose-activation: no field named 'answer' \(its fields: name, ratio\)"
    with pytest.raises(ValueError, match=message):
        described.field("answer")


@pytest.mark.parametrize(
    "text, shown",
    [
        # The contract of _core._emphasis: escaped for HTML, *word* in italics, 2*x*y stays.
        ("the *first* layer", "the <em>first</em> layer"),
        ("*two words* here; *b*.", "<em>two words</em> here; <em>b</em>."),
        ("a < b & c > d", "a &lt; b &amp; c &gt; d"),
        ("*<b>*", "<em>&lt;b&gt;</em>"),  # escaped first, so the italics stay markup
        ("2*x*y", "2*x*y"),
        ("w*x* + b", "w*x* + b"),  # a product, not a stressed x: * after a letter
        ("*w*x + b", "*w*x + b"),  # nor * before one
        ("a * b", "a * b"),
        ("* spaced *", "* spaced *"),
        ("**double**", "**double**"),
        ("*across\nlines*", "*across\nlines*"),
        ("", ""),
    ],
)
def test_feedback_html_escapes_and_puts_stressed_words_in_italics(text, shown):
    # what the notebook shows of a verdict's message and hint (Feedback._repr_html_)
    message = Feedback("incorrect", text)._repr_html_()
    assert message.endswith(f"<b>Not quite:</b> {shown}</div>")
    hint = Feedback("incorrect", "No.", hint=text)._repr_html_()
    assert hint.endswith(f"No.<br><b>Hint:</b> {shown}</div>" if text else "No.</div>")
