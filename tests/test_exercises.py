"""Exercise checkers: correct, incorrect with a hint, not attempted; never a crash."""

import math

import numpy as np
import pytest
from scipy.special import digamma

from gradlab import exercises
from gradlab.exercises import ch1

# Reference solutions, written independently of gradlab's own functions.
REF_DEPTH = next(L for L in range(1, 1000) if 0.9**L < 1e-6)
REF_RATE = math.log(1 / math.sqrt(32)) + 0.5 * (math.log(2) + digamma(16))
REF_GAIN = math.sqrt(8) * math.exp(-0.5 * (math.log(2) + digamma(4)))
SIGMA_32 = 1 / math.sqrt(32)

CASES = [
    # checker, reference, wrong answers (each must get a specific hint)
    (ch1.depth_to_vanish, REF_DEPTH, [REF_DEPTH - 1, -REF_DEPTH, 57]),
    (
        ch1.growth_rate,
        REF_RATE,
        [
            0.0,
            math.log(SIGMA_32),
            math.log(SIGMA_32) + math.log(2) + digamma(16),
            math.log(SIGMA_32**2) + 0.5 * (math.log(2) + digamma(16)),
            -1 / 64,
            round(REF_RATE, 3),
        ],
    ),
    (ch1.critical_gain, REF_GAIN, [1.0, math.sqrt(8), REF_GAIN / math.sqrt(8), 1.07]),
]


@pytest.mark.parametrize("checker, reference, wrong", CASES)
def test_reference_solution_is_correct(checker, reference, wrong):
    fb = checker(reference)
    assert fb.status == "correct" and fb.correct
    assert checker(np.float64(reference)).correct
    assert checker(np.array([reference])).correct


@pytest.mark.parametrize("checker, reference, wrong", CASES)
def test_untouched_starter_is_not_attempted(checker, reference, wrong):
    for blank in (..., None):
        fb = checker(blank)
        assert fb.status == "not attempted"
        assert "Not attempted" in str(fb) and "Not attempted" in fb._repr_html_()


@pytest.mark.parametrize("checker, reference, wrong", CASES)
def test_plausible_wrong_answers_get_a_hint(checker, reference, wrong):
    hints = set()
    for answer in wrong:
        fb = checker(answer)
        assert fb.status == "incorrect", answer
        assert fb.hint, answer
        hints.add(fb.hint)
    assert len(hints) == len(wrong)  # each mistake has its own hint


@pytest.mark.parametrize("checker, reference, wrong", CASES)
def test_strange_answers_never_raise(checker, reference, wrong):
    for answer in ["132", [1, 2], np.zeros(3), float("nan"), float("inf"), True, {"a": 1}]:
        fb = checker(answer)
        assert fb.status == "incorrect"


def test_depth_must_be_whole():
    fb = ch1.depth_to_vanish(REF_DEPTH + 0.5)
    assert fb.status == "incorrect" and "whole" in fb.message


def test_growth_rate_tolerance_rejects_simulation_estimates():
    assert ch1.growth_rate(REF_RATE * (1 + 1e-6)).correct
    fb = ch1.growth_rate(REF_RATE * 1.05)
    assert fb.status == "incorrect" and "simulation" in fb.hint


def test_critical_gain_read_off_the_slider_gets_a_precision_hint():
    for answer in (1.06, 1.07):
        fb = ch1.critical_gain(answer)
        assert fb.status == "incorrect" and "slider" in fb.hint


def test_feedback_html_escapes_and_renders():
    fb = exercises.Feedback("incorrect", "a < b", "use <x>")
    html = fb._repr_html_()
    assert "a &lt; b" in html and "&lt;x&gt;" in html
    assert "gradlab-incorrect" in html
    assert str(fb).startswith("❌")
