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


# The shared machinery (_core): refusals, the type in "got ...", tolerances by hand ------------

from gradlab.exercises._core import (  # noqa: E402
    Interval,
    Region,
    fewer_figures,
    number_rule,
    parse_typed,
    sig_fig_tolerance,
)


class _Unreadable:
    """An answer whose shape cannot even be read."""

    @property
    def shape(self):
        raise RuntimeError("no shape")


@pytest.mark.parametrize(
    "answer, got",
    [
        ("1.5", "str"),
        ([1.0, 2.0], "list"),
        (np.array([1.0, 2.0]), "ndarray of shape (2,)"),
        (np.zeros((2, 3)), "ndarray of shape (2, 3)"),
        (_Unreadable(), "an unreadable object"),
    ],
)
def test_a_non_number_is_refused_naming_its_type(answer, got):
    fb = number_rule(2.0, what="the gain").check(answer)
    assert (fb.status, fb.message, fb.hint) == (
        "incorrect",
        f"expected the gain as a single number, got {got}.",
        TYPE_HINT,
    )


class _SizedFloat(float):
    size = 1  # a size but no .item(): a plain float all the same


class _FloatWithItem(float):
    def item(self):  # an .item() but no size: not a NumPy object, read as the float
        return 0.0


def test_only_a_one_element_numpy_like_answer_is_unwrapped():
    rule = number_rule(2.0, what="x")
    assert rule.check(_SizedFloat(2.0)).correct
    assert rule.check(_FloatWithItem(2.0)).correct
    assert rule.check(np.array([2.0])).correct and rule.check(np.float32(2.0)).correct


@pytest.mark.parametrize("answer, shown", [(10**400, "inf"), (-(10**400), "-inf")])
def test_an_int_too_large_for_a_float_is_an_infinity_of_its_sign(answer, shown):
    fb = number_rule(1.0, what="x").check(answer)
    assert fb.message == f"x must be a finite number, got {shown}." and fb.hint == FINITE_HINT


def test_number_rule_default_tolerance_is_one_part_in_a_million():
    # expected 1, rtol 1e-6, atol 0: accepted [0.999999, 1.000001]
    rule = number_rule(1.0, what="x")
    for check in (rule.check, lambda v: exercises.check_number(v, 1.0, what="x")):
        assert check(1.0000009).correct and check(0.9999991).correct
        assert not check(1.0000011).correct and not check(0.9999989).correct
    # atol defaults to 0: zero accepts only zero
    assert exercises.check_number(0.0, 0.0, what="x").correct
    assert not exercises.check_number(1e-300, 0.0, what="x").correct
    assert not number_rule(0.0, what="x").accept(1e-300)


def test_check_number_passes_its_tolerances_and_name_on():
    # expected 100, rtol 1 %: tol = 0.01 * 100 = 1, accepted [99, 101]
    assert exercises.check_number(100.9, 100.0, what="x", rtol=0.01).correct
    assert exercises.check_number(99.1, 100.0, what="x", rtol=0.01).correct
    assert not exercises.check_number(101.1, 100.0, what="x", rtol=0.01).correct
    assert not exercises.check_number(98.9, 100.0, what="x", rtol=0.01).correct
    # atol 0.5 around 0
    assert exercises.check_number(0.4, 0.0, what="x", atol=0.5).correct
    assert not exercises.check_number(0.6, 0.0, what="x", atol=0.5).correct
    fb = exercises.check_number(7.0, 1.0, what="the depth L")
    assert (fb.message, fb.hint) == ("7 is not the depth L.", "")  # no fallback: no hint


def test_number_rule_accepts_expected_plus_or_minus_atol_plus_rtol_times_expected():
    rule = number_rule(100, what="x", rtol=0.01, atol=0.5)  # tol = 0.5 + 1 = 1.5
    assert rule.expected == 100.0 and isinstance(rule.expected, float)
    assert (rule.accept.lo, rule.accept.hi) == (98.5, 101.5)
    assert rule.fallback == "" and rule.to_json()["fallback"] == ""
    assert rule.to_json()["fewerHint"] == ""  # no sig_figs: no "not fewer" hint


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"expected": "1"}, TypeError, r"expected must be a real number, got str"),
        ({"expected": True}, TypeError, r"expected must be a real number, got bool"),
        ({"expected": math.inf}, ValueError, r"expected must be finite, got inf"),
        ({"expected": math.nan}, ValueError, r"expected must be finite, got nan"),
        (
            {"expected": 1.0, "rtol": -1.0},
            ValueError,
            r"rtol and atol must be >= 0, got rtol=-1.0, atol=0.0",
        ),
        (
            {"expected": 1.0, "atol": -0.5},
            ValueError,
            r"rtol and atol must be >= 0, got rtol=1e-06, atol=-0.5",
        ),
    ],
)
def test_number_rule_refuses_what_it_cannot_judge_by(kwargs, error, message):
    with pytest.raises(error, match=f"^{re.escape(message)}$"):
        number_rule(what="x", **kwargs)
    assert number_rule(1.0, what="x", rtol=0.0, atol=0.0).accept(1.0)  # 0 is allowed


def test_a_hint_condition_must_be_data_for_the_page():
    rule = number_rule(1.0, what="x", hints=[(lambda v: v > 2, "too big")])
    assert rule.check(3.0).hint == "too big"  # the notebook can use a predicate
    message = (
        "a hint's condition must be an Interval or a Region (data the page can read), got function"
    )
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        rule.to_json()


def test_parse_typed_refuses_what_is_not_text():
    with pytest.raises(TypeError, match=r"^text must be a str, got int$"):
        parse_typed(3)
    assert parse_typed(" 3 ") == 3.0


def test_sig_fig_tolerance_names_the_type_of_a_bad_n():
    with pytest.raises(TypeError, match=r"^n must be an integer, got float 1\.5$"):
        sig_fig_tolerance(1.0, 1.5)


def test_sig_fig_tolerance_just_below_a_power_of_ten():
    # 999.9999999999999 (the double below 1000) has its first figure in the hundreds, although
    # log10 of it rounds to 3.0: one unit of the 1st figure is 100, of the 4th 0.1.
    x = math.nextafter(1000.0, 0.0)
    assert math.log10(x) == 3.0  # the rounding the function must correct
    assert sig_fig_tolerance(x, 1) == 100.0
    assert sig_fig_tolerance(-x, 4) == pytest.approx(0.1, rel=1e-12)


def test_sig_fig_tolerance_survives_a_log10_that_rounds_down(monkeypatch):
    # A libm whose log10(1000) is 2.9999999999999996: 1000 still has its figure in the thousands.
    real = math.log10
    monkeypatch.setattr(math, "log10", lambda v: math.nextafter(real(v), -math.inf))
    assert sig_fig_tolerance(1000.0, 1) == 1000.0
    assert sig_fig_tolerance(1000.0, 3) == 10.0
    assert sig_fig_tolerance(0.01, 2) == pytest.approx(0.001, rel=1e-12)


def test_fewer_figures_is_empty_where_there_are_no_figures():
    assert fewer_figures(0.0, 3) == Region()
    assert fewer_figures(math.inf, 3) == Region() and fewer_figures(math.nan, 3) == Region()
    assert fewer_figures(2.5, 1) == Region()
    # 1 to 2 figures is 1 (rounded and truncated): right but short
    assert fewer_figures(1.0, 3)(1.0) and fewer_figures(1.04, 2)(1.0)


@pytest.mark.parametrize("name", ["lo", "hi"])
def test_interval_refuses_a_non_number_or_nan_end_by_its_name(name):
    with pytest.raises(TypeError, match=f"^{name} must be a real number, got str$"):
        Interval(**{name: "1"})
    with pytest.raises(TypeError, match=f"^{name} must be a real number, got bool$"):
        Interval(**{name: True})
    with pytest.raises(ValueError, match=f"^{name} must not be NaN$"):
        Interval(**{name: math.nan})


def test_interval_ends_must_be_in_order():
    with pytest.raises(ValueError, match=r"^lo must be <= hi, got lo=2\.0, hi=1\.0$"):
        Interval(2, 1)
    point = Interval(1, 1)  # equal ends: the one value
    assert point(1.0) and not point(math.nextafter(1.0, 2.0))


def test_region_refuses_parts_that_are_not_intervals():
    with pytest.raises(TypeError, match=r"^parts must be Intervals, got float$"):
        Region((Interval(0, 1), 1.0))


def test_blank_message_default_and_given():
    rule = number_rule(1.0, what="the rate")
    assert rule.check(...).message == "replace ... with the rate and run the cell again."
    assert rule.check(None, "fill it in").message == "fill it in"
    assert rule.check_text("", "type it").message == "type it"


def test_feedback_html_class_names_the_status_with_hyphens():
    page = Feedback("not attempted", "m")._repr_html_()
    assert page.startswith('<div class="gradlab-feedback gradlab-not-attempted" ')


# Page exercises (_page): the notebook's verdict, the fields, the JSON the page reads ----------


def _choice(name="act", normalise=None):
    return _page.Field(
        name,
        "Activation",
        blank="choose one in the notebook",
        blank_page="choose one in the page",
        options=(
            _page.Option("relu", "ReLU"),
            _page.Option("tanh", "tanh", Feedback("incorrect", "tanh saturates.", "Look again.")),
        ),
        normalise=normalise,
    )


def _number(name, expected, blank="fill in the notebook", blank_page="fill in the page"):
    rule = exercises._core.number_rule(expected, what=f"the {name}", rtol=0.0)
    return _page.Field(name, name.title(), blank=blank, blank_page=blank_page, rule=rule)


def test_field_refuses_neither_or_both_kinds_naming_the_field():
    rule = exercises._core.number_rule(1.0, what="x")
    with pytest.raises(ValueError, match=r"^field 'x' must have either options or a rule$"):
        _page.Field("x", "X", "b", "bp")
    with pytest.raises(ValueError, match=r"^field 'x' must have either options or a rule$"):
        _page.Field("x", "X", "b", "bp", rule=rule, options=(_page.Option("a", "A"),))
    with pytest.raises(ValueError, match=r"^field 'x': rules and depends_on go together$"):
        _page.Field("x", "X", "b", "bp", rules={"a": rule})
    with pytest.raises(ValueError, match=r"^field 'x': rules and depends_on go together$"):
        _page.Field("x", "X", "b", "bp", rule=rule, depends_on="act")


def test_page_exercise_refuses_no_fields_or_a_repeated_name():
    with pytest.raises(ValueError, match=r"^ex-a: fields must be distinct and at least one$"):
        _page.PageExercise("ex-a", "9.1", ())
    with pytest.raises(ValueError, match=r"^ex-a: fields must be distinct and at least one$"):
        _page.PageExercise("ex-a", "9.1", (_number("n", 3.0), _number("n", 4.0)))


def test_a_choice_that_is_no_option_is_refused_and_option_lookup_misses_quietly():
    ex = _page.PageExercise("ex-c", "9.2", (_choice(),))
    assert ex.fields[0].option("sigmoid") is None and ex.fields[0].option("relu").label == "ReLU"
    with pytest.raises(ValueError, match=r"^ex-c: 'sigmoid' is not an option of act$"):
        ex.check({"act": "sigmoid"})
    # A one-element array of the right word is not the word: no normalise, so refused.
    with pytest.raises(ValueError, match=r"^ex-c: array\(\['relu'\]"):
        ex.check({"act": np.array(["relu"])})


def test_a_missing_answer_in_the_notebook_is_not_attempted_with_the_fields_message():
    ex = _page.PageExercise("ex-c", "9.2", (_choice(), _number("n", 3.0)))
    fb = ex.check({})
    assert (fb.status, fb.message) == ("not attempted", "choose one in the notebook")
    fb = ex.check({"act": "relu"})
    assert (fb.status, fb.message) == ("not attempted", "fill in the notebook")
    assert ex.check_text({"act": "relu"}).message == "fill in the page"


def test_all_choices_right_and_no_correct_message_is_a_plain_correct():
    fb = _page.PageExercise("ex-c", "9.2", (_choice(),)).check({"act": "relu"})
    assert isinstance(fb, Feedback) and (fb.status, fb.message) == ("correct", "")


def test_the_first_wrong_number_decides_and_correct_overrides_the_last_message():
    fields = (_number("a", 3.0), _number("b", 4.0))
    ex = _page.PageExercise("ex-n", "9.3", fields)
    fb = ex.check({"a": 5.0, "b": 4.0})
    assert (fb.status, fb.message) == ("incorrect", "5 is not the a.")
    assert ex.check({"a": 3.0, "b": 4.0}).message == "the b = 4."  # the last number's
    done = _page.PageExercise("ex-n", "9.3", fields, correct="Both right.")
    assert done.check({"a": 3.0, "b": 4.0}) == Feedback("correct", "Both right.")
    assert done.check_text({"a": "3", "b": "4"}) == Feedback("correct", "Both right.")


def test_single_number_builds_one_answer_field_with_its_blank_messages():
    rule = exercises._core.number_rule(59, what="the depth L", integer=True)
    ex = _page.single_number("ex-d", "9.4", rule, "Depth L")
    assert ex.note == "" and ex.correct == "" and [f.name for f in ex.fields] == ["answer"]
    (f,) = ex.fields
    assert f.label == "Depth L" and f.rule == rule
    assert f.blank == "replace ... with the depth L and run the cell again."
    assert f.blank_page == "type the depth L in the box, then press Check."
    noted = _page.single_number("ex-d", "9.4", rule, "Depth L", note="Needs Python.")
    assert noted.note == "Needs Python." and noted.to_json()["note"] == "Needs Python."


def test_page_exercise_json_has_the_keys_gvx_check_reads():
    ex = _page.PageExercise("ex-c", "9.2", (_choice(),), correct="Yes.", note="A note.")
    assert ex.to_json() == {
        "label": "ex-c",
        "number": "9.2",
        "fields": [
            {
                "name": "act",
                "label": "Activation",
                "kind": "choice",
                "blank": "choose one in the page",
                "options": [
                    {"value": "relu", "label": "ReLU", "outcome": None},
                    {
                        "value": "tanh",
                        "label": "tanh",
                        "outcome": {
                            "status": "incorrect",
                            "message": "tanh saturates.",
                            "hint": "Look again.",
                        },
                    },
                ],
            }
        ],
        "correct": "Yes.",
        "note": "A note.",
    }


def test_describe_refuses_a_function_that_is_no_checker_by_its_name():
    def plain():
        return None

    with pytest.raises(TypeError, match=r"^'plain' is not an exercise checker$"):
        _page.describe(plain)
    with pytest.raises(TypeError, match=r"^3 is not an exercise checker$"):
        _page.describe(3)
    assert _page.describe(ch1.depth_to_vanish).number == "1.1"


def test_progress_html_lists_the_rows_one_after_the_other():
    page = exercises.Progress(9, (("9.1", "correct"), ("9.2", "incorrect")))._repr_html_()
    assert '<ul style="margin:0.3em 0"><li>✅ Exercise 9.1: correct</li><li>❌ Exercise 9.2' in page
