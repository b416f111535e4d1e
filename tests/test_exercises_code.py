"""Code exercises: check_function and Chapter 1's log_abs_product; never a crash."""

import dis
import functools
import math
import operator
import types
import warnings

import numpy as np
import pytest
from _cells import logic_lines, run_cell

from gradlab.exercises import Attempt, Case, _functions, ch1, check_function, is_stub
from gradlab.exercises._functions import _GENERIC_HINTS

# A toy exercise with an array result: "double every entry".


def double(x):
    return 2.0 * x


DOUBLE_CASES = [
    Case((np.array([1.0, -2.0]),), label="x = [1, -2]"),
    Case((np.array([[1.0, 3.0]]),), label="x = [[1, 3]]"),
    (np.array([np.nan, np.inf, -np.inf]),),  # a plain tuple is a case too
]


def check_double(func, **kw):
    return check_function(func, double, DOUBLE_CASES, name="double", **kw)


# The untouched stub, in every form a starter cell might use.
def stub_ellipsis(x): ...


def stub_pass(x):
    pass


def stub_docstring(x):
    """Double every entry."""
    ...


def stub_return_none(x):
    return None


def stub_raises(x):
    raise NotImplementedError


def stub_raises_message(x):
    """Double every entry."""
    raise NotImplementedError("write this function")


def stub_assigns_ellipsis(x):
    result = ...  # replace ... with your code
    return result


STUBS = [
    stub_ellipsis,
    stub_pass,
    stub_docstring,
    stub_return_none,
    stub_raises,
    stub_raises_message,
    stub_assigns_ellipsis,
    lambda x: ...,
    ...,
    None,
]


def test_reference_and_equivalent_implementations_pass():
    for func in (double, lambda x: x + x, lambda x: x * 2, np.positive and (lambda x: 2 * x)):
        fb = check_double(func)
        assert fb.correct and fb.status == "correct", fb
        assert "3 test cases" in fb.message


@pytest.mark.parametrize("stub", STUBS, ids=lambda s: getattr(s, "__name__", repr(s)))
def test_stubs_are_not_attempted(stub):
    fb = check_double(stub)
    assert fb.status == "not attempted", fb
    assert "Not attempted" in str(fb) and "double" in fb.message


def test_is_stub_reads_the_code_not_the_behaviour():
    for stub in (stub_ellipsis, stub_pass, stub_docstring, stub_return_none, lambda x: None):
        assert is_stub(stub)
    for func in (double, stub_raises, stub_assigns_ellipsis, print, np.sum, 3, None):
        assert not is_stub(func)


def test_a_partly_written_function_is_not_a_stub():
    def partial(x):
        if x.ndim == 1:
            return 2.0 * x
        return ...

    fb = check_double(partial)
    assert fb.status == "incorrect" and "x = [[1, 3]]" in fb.message
    assert fb.hint == _GENERIC_HINTS["ellipsis"]


def test_forgotten_return_is_incorrect_with_its_hint():
    def no_return(x):
        y = 2.0 * x  # noqa: F841

    fb = check_double(no_return)
    assert fb.status == "incorrect" and "returned None" in fb.message
    assert "forget the `return`" in fb.hint


@pytest.mark.parametrize("thing", [3, "double", [double], np.zeros(2)])
def test_non_callables_are_told_a_function_was_expected(thing):
    fb = check_double(thing)
    assert fb.status == "incorrect"
    assert "expected a function double(...)" in fb.message and "def double" in fb.hint


def test_called_instead_of_passed_is_explained():
    fb = check_double(double(np.array([1.0])))  # the learner wrote double(...) by mistake
    assert fb.status == "incorrect" and "no parentheses" in fb.hint


def test_exceptions_are_reported_with_name_and_message():
    def crashes(x):
        raise KeyError("boom")

    def divides(x):
        return x / 0 if x.ndim == 2 else 2.0 * x

    def exits(x):
        raise SystemExit(3)

    fb = check_double(crashes)
    assert fb.status == "incorrect" and "raised KeyError: 'boom'" in fb.message
    assert "x = [1, -2]" in fb.message and fb.hint == _GENERIC_HINTS["error"]
    fb = check_double(divides)  # a NumPy division by zero raises under the check's errstate
    assert "x = [[1, 3]]" in fb.message and "divide by zero" in fb.message
    assert "FloatingPointError" in fb.message and fb.hint == _GENERIC_HINTS["floating"]
    assert "raised SystemExit" in check_double(exits).message


def test_first_failing_case_is_reported_with_input_expected_and_got():
    def wrong_on_second(x):
        return 2.0 * x if x.ndim == 1 else 3.0 * x

    fb = check_double(wrong_on_second, fallback_hint="Multiply by two.")
    assert fb.status == "incorrect" and fb.hint == "Multiply by two."
    assert "x = [[1, 3]]" in fb.message
    assert "entry (0, 0) is 3, expected 2" in fb.message
    # The third case is a plain tuple: described by its arguments.
    fb = check_double(lambda x: np.nan_to_num(2.0 * x) if x.size == 3 else 2.0 * x)
    assert "double(array([ nan,  inf, -inf], shape=(3,)" in fb.message


def test_wrong_shape_is_reported():
    fb = check_double(lambda x: (2.0 * x).ravel())
    assert fb.status == "incorrect" and "x = [[1, 3]]" in fb.message
    assert "shape (2,)" in fb.message and "expected shape (1, 2)" in fb.message
    assert "shape" in fb.hint


def test_wrong_dtype_is_reported_unless_not_checked():
    def single(x):
        return (2.0 * x).astype(np.float32)

    fb = check_double(single)
    assert fb.status == "incorrect" and "dtype float32" in fb.message
    assert "expected dtype float64" in fb.message and "dtype" in fb.hint
    assert check_double(single, check_dtype=False).correct


def test_wrong_type_is_reported():
    fb = check_double(lambda x: list(2.0 * x))
    assert fb.status == "incorrect" and "expected a NumPy array" in fb.message


def test_mutated_input_is_reported_even_when_the_result_is_right():
    def in_place(x):
        x *= 2.0
        return x

    fb = check_double(in_place)
    assert fb.status == "incorrect" and "changed its input in place" in fb.message
    assert fb.hint == _GENERIC_HINTS["mutated"]


def test_the_cases_themselves_are_never_changed():
    def in_place(x):
        x[...] = 0.0
        return 2.0 * x

    before = [np.array(c.args[0] if isinstance(c, Case) else c[0]) for c in DOUBLE_CASES]
    check_double(in_place)
    after = [c.args[0] if isinstance(c, Case) else c[0] for c in DOUBLE_CASES]
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)


def softplus(x):
    return float(np.logaddexp(0.0, x))


SOFTPLUS_CASES = [Case((0.0,)), Case((3.0,)), Case((1000.0,), label="x = 1000"), Case((-1000.0,))]


def test_overflow_is_caught_not_escaped():
    def naive(x):
        return float(np.log(1.0 + np.exp(np.float64(x))))

    def python_naive(x):
        return math.log(1.0 + math.exp(x))

    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        fb = check_function(naive, softplus, SOFTPLUS_CASES, name="softplus")
        fb_py = check_function(python_naive, softplus, SOFTPLUS_CASES, name="softplus")
    assert escaped == []
    assert fb.status == "incorrect" and "x = 1000" in fb.message
    assert "overflow" in fb.message and fb.hint == _GENERIC_HINTS["floating"]
    assert "OverflowError" in fb_py.message and fb_py.hint == _GENERIC_HINTS["floating"]
    assert check_function(softplus, softplus, SOFTPLUS_CASES, name="softplus").correct


def test_runtime_warnings_are_reported_and_others_ignored():
    def warns(x):
        warnings.warn("something numerical", RuntimeWarning, stacklevel=1)
        return softplus(x)

    def deprecated(x):
        warnings.warn("old API", DeprecationWarning, stacklevel=1)
        return softplus(x)

    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        fb = check_function(warns, softplus, SOFTPLUS_CASES, name="softplus")
        ok = check_function(deprecated, softplus, SOFTPLUS_CASES, name="softplus")
    assert escaped == []
    assert fb.status == "incorrect" and "RuntimeWarning: something numerical" in fb.message
    assert fb.hint == _GENERIC_HINTS["warning"]
    assert ok.correct


def test_nan_aware_scalar_comparison_and_tolerances():
    def ref(x):
        return x if math.isfinite(x) else math.nan

    cases = [Case((1.0,)), Case((math.inf,)), Case((2.0,), rtol=0.1)]
    assert check_function(ref, ref, cases, name="f").correct
    assert check_function(
        lambda x: ref(x) * 1.05 if x == 2.0 else ref(x), ref, cases, name="f"
    ).correct
    fb = check_function(lambda x: x, ref, cases, name="f")  # inf where NaN is expected
    assert (
        fb.status == "incorrect" and "returned inf" in fb.message and "expected nan" in fb.message
    )
    fb = check_function(lambda x: math.nan, ref, cases, name="f")
    assert "returned nan" in fb.message and "expected 1" in fb.message
    fb = check_function(lambda x: ref(x) + 1e-6, ref, cases, name="f")
    assert fb.status == "incorrect" and fb.hint == _GENERIC_HINTS["value"]
    assert check_function(lambda x: ref(x) + 1e-6, ref, cases, name="f", rtol=1e-5).correct


def test_tuple_results_are_compared_entry_by_entry():
    def ref(x):
        return x, np.array([x, 2 * x])

    cases = [Case((1.0,))]
    assert check_function(ref, ref, cases, name="f").correct
    fb = check_function(lambda x: (x, np.array([x, 3 * x])), ref, cases, name="f")
    assert fb.status == "incorrect" and "(array 1 of the tuple)" in fb.message
    fb = check_function(lambda x: x, ref, cases, name="f")
    assert "expected a tuple of 2 values" in fb.message


def test_diagnosers_win_over_generic_hints_and_broken_ones_are_skipped():
    def broken(attempt):
        raise RuntimeError("bad diagnoser")

    def tripled(a: Attempt) -> bool:
        return a.problem == "value" and np.allclose(a.got, 1.5 * a.expected, equal_nan=True)

    diagnosers = [
        (broken, "never"),
        (tripled, "You multiplied by three."),
        (lambda a: a.problem == "mutated", "Do not touch x."),
    ]

    def in_place(x):
        x *= 2.0
        return x

    fb = check_double(lambda x: 3.0 * x, diagnosers=diagnosers)
    assert fb.hint == "You multiplied by three."
    assert check_double(in_place, diagnosers=diagnosers).hint == "Do not touch x."


class Weird:
    """A result that defeats every comparison."""

    def __eq__(self, other):
        raise RuntimeError("no comparing")

    def __float__(self):
        raise RuntimeError("no float")

    def __repr__(self):
        raise RuntimeError("no repr")

    __hash__ = None


STRANGE_RESULTS = [
    "2.0",
    [2.0, -4.0],
    {"a": 1},
    Weird(),
    10**400,
    True,
    1 + 2j,
    (x for x in range(2)),
    np.array(["a", "b"]),
    np.array([True, False]),
    object(),
]


@pytest.mark.parametrize("result", STRANGE_RESULTS, ids=lambda r: type(r).__name__)
def test_strange_results_never_raise(result):
    fb = check_double(lambda x: result)
    assert fb.status == "incorrect" and fb.hint
    assert str(fb) and fb._repr_html_()
    fb = check_function(lambda x: result, softplus, SOFTPLUS_CASES, name="softplus")
    assert fb.status == "incorrect" and fb.hint
    assert str(fb) and fb._repr_html_()


def test_huge_int_result_for_a_number_is_a_wrong_value_not_a_crash():
    fb = check_function(lambda x: 10**400, softplus, SOFTPLUS_CASES, name="softplus")
    assert fb.status == "incorrect" and "returned inf" in fb.message


def test_strange_learner_functions_never_raise():
    def recursive(x):
        return recursive(x)

    def wrong_arity():
        return 0.0

    for func in (recursive, wrong_arity, print, functools.partial(operator.mul, 2.0), int):
        fb = check_double(func)
        assert fb.status in {"correct", "incorrect"} and str(fb)
    assert check_double(functools.partial(operator.mul, 2.0)).correct
    assert "RecursionError" in check_double(recursive).message
    assert "TypeError" in check_double(wrong_arity).message


def test_check_function_needs_cases():
    with pytest.raises(ValueError, match="cases"):
        check_function(double, double, [], name="double")


# Chapter 1, Exercise 1.4: log_abs_product ----------------------------------------------------

# The notebook's cells, verbatim (the final report hands them to the chapter).
STARTER_CELL = '''
def log_abs_product(ws):
    """ln|w_1 w_2 ... w_L| for a 1-D array of weights ws."""
    result = ...  # replace ... with your code
    return result


exercises.ch1.log_abs_product(log_abs_product)
'''

SOLUTION_CELL = '''
def log_abs_product(ws):
    """ln|w_1 w_2 ... w_L| for a 1-D array of weights ws."""
    return float(np.sum(np.log(np.abs(ws))))


ws = np.full(2000, 0.5)
print("np.prod(ws)         =", np.prod(ws))
print(f"log_abs_product(ws) = {log_abs_product(ws):.10g}")
print(f"-2000 ln 2          = {-2000 * math.log(2):.10g}")
exercises.ch1.log_abs_product(log_abs_product)
'''


def test_notebook_cells_give_not_attempted_and_correct(capsys):
    assert run_cell(STARTER_CELL).status == "not attempted"
    fb = run_cell(SOLUTION_CELL)
    assert fb.correct, fb
    shown = capsys.readouterr().out
    assert "np.prod(ws)         = 0.0" in shown and "-1386.29" in shown
    assert logic_lines(STARTER_CELL) <= 12 and logic_lines(SOLUTION_CELL) <= 12


def independent_log_abs_product(ws):
    return math.fsum(math.log(abs(w)) for w in ws)


def test_log_abs_product_accepts_correct_implementations():
    for func in (
        independent_log_abs_product,
        lambda ws: np.log(np.abs(ws)).sum(),
        lambda ws: float(np.sum(np.log(np.abs(np.asarray(ws))))),
        lambda ws: sum(math.log(abs(w)) for w in ws),
    ):
        fb = ch1.log_abs_product(func)
        assert fb.correct, fb


def test_log_abs_product_stubs_are_not_attempted():
    def stub(ws):
        """ln|w_1 w_2 ... w_L|."""
        ...

    def raises(ws):
        raise NotImplementedError

    for func in (stub, raises, ..., None):
        assert ch1.log_abs_product(func).status == "not attempted"


def naive_np(ws):
    return float(np.log(np.abs(np.prod(ws))))


def naive_math(ws):
    return math.log(abs(math.prod(ws)))


def naive_only_when_growing(ws):  # reaches the overflowing case (2000 weights of 2)
    if np.all(np.abs(ws) >= 1):
        return float(np.log(np.prod(np.abs(ws))))
    return float(np.sum(np.log(np.abs(ws))))


def naive_math_only_when_growing(ws):  # Python floats overflow to inf without an error
    if np.all(np.abs(ws) >= 1):
        return math.log(math.prod(abs(w) for w in ws))
    return float(np.sum(np.log(np.abs(ws))))


def no_abs_np(ws):
    return float(np.sum(np.log(ws)))


def no_abs_math(ws):
    return math.fsum(math.log(w) for w in ws)


def no_abs_nan(ws):  # np.log would warn: a learner who silenced it gets nan
    with np.errstate(invalid="ignore"):
        return float(np.sum(np.log(ws)))


def mutates(ws):
    np.abs(ws, out=ws)
    return float(np.sum(np.log(ws)))


# Each wrong implementation, the case it fails on, and the hint it must get (by table index).
WRONG = [
    (mutates, "negative weights", 0, "changed the caller's array"),
    (no_abs_np, "negative weights", 1, "take absolute values"),
    (no_abs_math, "negative weights", 1, "take absolute values"),
    (no_abs_nan, "negative weights", 1, "take absolute values"),
    (naive_np, "2000 weights of 0.5", 2, "log scale"),
    (naive_math, "2000 weights of 0.5", 2, "log scale"),
    (naive_only_when_growing, "2000 weights of 2.0", 2, "log scale"),
    (naive_math_only_when_growing, "2000 weights of 2.0", 2, "log scale"),
    (lambda ws: float(np.sum(np.log10(np.abs(ws)))), "ws = [2.0]", 3, "log10"),
    (lambda ws: float(np.sum(np.log2(np.abs(ws)))), "ws = [2.0]", 4, "log2"),
    (lambda ws: float(np.mean(np.log(np.abs(ws)))), "[0.5, 4.0, 3.0]", 5, "not the mean"),
    (lambda ws: np.cumsum(np.log(np.abs(ws))), "ws = [2.0]", 6, "cumulative sum"),
    (lambda ws: chains_log_product(ws), "ws = [2.0]", 6, "cumulative sum"),
    (lambda ws: float(abs(np.prod(ws))), "ws = [2.0]", 7, "natural logarithm"),
]


def chains_log_product(ws):
    from gradlab import chains

    return chains.log_product(ws)  # the running values [0, ln|w_1|, ...]


@pytest.mark.parametrize("func, where, index, words", WRONG, ids=[str(w[2]) for w in WRONG])
def test_log_abs_product_catches_each_mistake_with_its_hint(func, where, index, words):
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        fb = ch1.log_abs_product(func)
    assert escaped == []
    assert fb.status == "incorrect"
    assert where in fb.message, fb.message
    assert fb.hint == ch1.PRODUCT_HINTS[index][1], fb.hint
    assert words in fb.hint


def test_log_abs_product_every_hint_is_exercised():
    assert {w[2] for w in WRONG} == set(range(len(ch1.PRODUCT_HINTS)))


def test_log_abs_product_other_mistakes():
    def empty_fails(ws):
        return functools.reduce(operator.add, np.log(np.abs(ws)))

    fb = ch1.log_abs_product(empty_fails)
    assert "the empty product is 1" in fb.message and "TypeError" in fb.message
    fb = ch1.log_abs_product(lambda ws: float(np.sum(np.log(np.abs(ws)))) + 0.1)
    assert fb.status == "incorrect" and fb.hint == ch1.PRODUCT_FALLBACK
    fb = ch1.log_abs_product(lambda ws: float(np.sum(np.log(np.abs(ws)))) * (1 + 1e-6))
    assert fb.status == "incorrect"  # the tolerance is tight: 1e-9 relative


def _right(ws):
    return math.fsum(math.log(abs(w)) for w in ws)


def _hint_of(func):
    with warnings.catch_warnings(record=True) as escaped:
        warnings.simplefilter("always")
        fb = ch1.log_abs_product(func)
    assert escaped == [] and fb.status == "incorrect"
    return fb.message, fb.hint


HINT = {k: h for k, (_, h) in enumerate(ch1.PRODUCT_HINTS)}


def test_log_abs_product_each_detector_names_only_its_own_mistake():
    # Negative weights met by an error that is not about the log's domain: not "take |w|".
    def refuses_negatives(ws):
        if np.any(np.asarray(ws) < 0):
            raise ValueError("weights must be positive")
        return _right(ws)

    def clips_negatives(ws):  # log(0) under the checker's errstate: "divide by zero"
        return float(np.sum(np.log(np.maximum(ws, 0.0))))

    def zero_for_negatives(ws):  # a finite wrong value on the negative case
        return _right(ws) if np.all(np.asarray(ws) > 0) else 0.0

    for func in (refuses_negatives, clips_negatives):  # an error: read it, not "take |w|"
        message, hint = _hint_of(func)
        assert "negative weights" in message and "raised" in message
        assert hint in _GENERIC_HINTS.values() and hint != HINT[1], hint
    message, hint = _hint_of(zero_for_negatives)
    assert "negative weights" in message and hint == ch1.PRODUCT_FALLBACK

    # A product that left the range as a value (-inf, no error) on a long case; and a finite
    # wrong value there is not "left the range".
    def silent_underflow(ws):
        with np.errstate(all="ignore"):
            return float(np.log(np.prod(np.abs(ws))))

    def one_when_long(ws):
        return 1.0 if len(ws) >= 1000 else _right(ws)

    assert _hint_of(silent_underflow) == (_hint_of(silent_underflow)[0], HINT[2])
    message, hint = _hint_of(one_when_long)
    assert "2000 weights of 0.5" in message and hint == ch1.PRODUCT_FALLBACK

    # 1000 weights count as long (the seed-1 case): an overflow there is "left the range".
    def overflows_at_1000(ws):
        if len(ws) == 1000:
            raise OverflowError("math range error")
        return _right(ws)

    message, hint = _hint_of(overflows_at_1000)
    assert "1000 standard normal weights" in message and hint == HINT[2]


def test_log_abs_product_detector_tolerances_and_the_empty_chain():
    # log10 off by 5e-7 relative is still log10 (the detector's tolerance is 1e-6 relative of
    # 1/ln 10); off by 1.5e-6 it is not.
    def log10_off(r):
        return lambda ws: float(np.sum(np.log10(np.abs(ws)))) * (1 + r)

    assert _hint_of(log10_off(5e-7))[1] == HINT[3]
    assert _hint_of(log10_off(1.5e-6))[1] == ch1.PRODUCT_FALLBACK

    # The size of the product, off by 0.75e-9 relative: still "the product itself" (1e-9);
    # off by 3e-9: not.
    def product_off(r):
        return lambda ws: float(np.prod(np.abs(ws))) * (1 + r)

    assert _hint_of(product_off(0.75e-9))[1] == HINT[7]
    assert _hint_of(product_off(3e-9))[1] == ch1.PRODUCT_FALLBACK
    # Off by 1e-7 on one weight (above the checker's 1e-9, below 1e-6): not "the mean".
    assert _hint_of(lambda ws: _right(ws) * (1 + 1e-7))[1] == ch1.PRODUCT_FALLBACK
    # The empty chain answered with the empty product 1 instead of its log 0 (expected 0:
    # no ratio to take): "the size of the product itself".
    message, hint = _hint_of(lambda ws: _right(ws) if len(ws) else 1.0)
    assert "ws = []" in message and hint == HINT[7]
    # The product itself where it underflows to 0.0 (its log is -1386): "the product itself".
    message, hint = _hint_of(lambda ws: float(np.prod(np.abs(ws))) if len(ws) > 3 else _right(ws))
    assert "2000 weights of 0.5" in message and hint == HINT[7]
    # One number expected: a wrong float is not "running values"; a 2-D array is not either.
    assert _hint_of(lambda ws: _right(ws) + 1.0)[1] == ch1.PRODUCT_FALLBACK
    message, hint = _hint_of(lambda ws: np.array([[_right(ws)]]))
    assert hint != HINT[6]


@pytest.mark.parametrize("offset, accepted", [(0.5e-9, True), (-0.5e-9, True), (5e-9, False)])
def test_log_abs_product_acceptance_boundary(offset, accepted):
    """rtol = 1e-9: a checker ten times looser would accept the 5e-9 relative error."""

    def off(ws):
        return float(np.sum(np.log(np.abs(ws)))) * (1 + offset)

    assert ch1.log_abs_product(off).correct is accepted


# The exact feedback a learner reads ----------------------------------------------------------
# Small references and learner functions; every expected sentence is written out by hand.


def verdict(fb):
    return fb.status, fb.message, fb.hint


def check_f(func, reference, cases, **kw):
    return check_function(func, reference, cases, name="f", **kw)


def test_a_mutated_input_is_reported_word_for_word_and_the_attempt_keeps_what_happened():
    seen = []

    def record(attempt):
        seen.append(attempt)
        return False

    def in_place(x):
        x *= 2.0
        return x

    fb = check_double(in_place, diagnosers=[(record, "never")])
    assert verdict(fb) == (
        "incorrect",
        "double(x = [1, -2]): it changed its input in place.",
        _GENERIC_HINTS["mutated"],
    )
    (a,) = seen
    assert a.index == 0 and a.case is DOUBLE_CASES[0] and a.problem == "mutated"
    np.testing.assert_array_equal(a.got, [2.0, -4.0])  # what it returned
    np.testing.assert_array_equal(a.args[0], [2.0, -4.0])  # its copy, as it left it
    np.testing.assert_array_equal(a.expected, [2.0, -4.0])
    np.testing.assert_array_equal(DOUBLE_CASES[0].args[0], [1.0, -2.0])


def test_the_attempt_shown_to_diagnosers_has_its_index_and_result():
    seen = []

    def wrong_on_second(x):
        return 2.0 * x if x.ndim == 1 else 3.0 * x

    check_double(wrong_on_second, diagnosers=[(lambda a: seen.append(a), "never")])
    (a,) = seen
    assert a.index == 1 and a.problem == "value"
    np.testing.assert_array_equal(a.got, [[3.0, 9.0]])


def test_a_runtime_warning_is_reported_word_for_word_and_keeps_the_result():
    seen = []

    def warns(x):
        warnings.warn("something numerical", RuntimeWarning, stacklevel=1)
        return 7.0

    fb = check_function(
        warns, softplus, SOFTPLUS_CASES, name="softplus", diagnosers=[(seen.append, "never")]
    )
    assert verdict(fb) == (
        "incorrect",
        "softplus(0): RuntimeWarning: something numerical",
        _GENERIC_HINTS["warning"],
    )
    assert seen[0].got == 7.0 and seen[0].problem == "warning"


def test_an_invalid_value_raises_inside_the_check():
    def sqrt(x):
        return float(np.sqrt(np.float64(x)))

    fb = check_f(sqrt, lambda x: math.nan, [Case((-1.0,))])
    assert verdict(fb) == (
        "incorrect",
        "f(-1): floating-point error: invalid value encountered in sqrt (raised "
        "FloatingPointError; in your notebook NumPy would only warn and return inf, -inf or nan, "
        "but the checker treats the warning as an error).",
        _GENERIC_HINTS["floating"],
    )


def test_underflow_to_zero_is_allowed_even_when_the_notebook_raises_on_everything():
    def tiny(x):
        return float(np.float64(x) * 1e-300)  # 1e-600 underflows to 0

    with np.errstate(all="raise"):
        fb = check_f(tiny, lambda x: 0.0, [Case((1e-300,))])
    assert fb.correct, fb


def test_the_comparison_does_not_inherit_the_notebook_error_state():
    with np.errstate(all="raise"):  # |1e308 - (-1e308)| overflows inside np.isclose
        fb = check_f(lambda x: np.array([1e308]), lambda x: np.array([-1e308]), [Case((0.0,))])
    assert fb.status == "incorrect"
    assert fb.message.startswith("f(0): entry 0 is 1e+308, expected -1e+308 (got array(")
    assert fb.hint == _GENERIC_HINTS["value"]


def test_a_case_atol_overrides_the_default():
    cases = [Case((0.0,), atol=0.1)]
    assert check_f(lambda x: x + 0.05, lambda x: x, cases).correct
    fb = check_f(lambda x: x + 0.2, lambda x: x, cases)
    assert verdict(fb) == ("incorrect", "f(0): returned 0.2; expected 0.", _GENERIC_HINTS["value"])


def test_a_result_that_cannot_be_compared_is_a_type_problem():
    fb = check_f(lambda x: Weird(), lambda x: "abc", [Case((1,))])
    assert verdict(fb) == (
        "incorrect",
        "f(1): returned Weird <Weird>, which could not be compared (no comparing).",
        _GENERIC_HINTS["type"],
    )


@pytest.mark.parametrize(
    "length, shown", [(199, "a" * 199), (200, "a" * 200), (201, "a" * 197 + "...")]
)
def test_long_error_messages_are_clipped_to_200_characters(length, shown):
    def raises(x):
        raise ValueError("a" * length)

    fb = check_f(raises, lambda x: x, [Case((0.0,))])
    assert fb.message == f"f(0): raised ValueError: {shown}"


def test_an_error_without_a_message():
    def raises(x):
        raise ValueError

    assert check_f(raises, lambda x: x, [Case((0.0,))]).message == "f(0): raised ValueError."


def test_an_infinite_expected_value_is_matched_only_by_infinity():
    fb = check_f(lambda x: 1e300, lambda x: math.inf, [Case((0.0,))])
    assert verdict(fb) == (
        "incorrect",
        "f(0): returned 1e+300; expected inf.",
        _GENERIC_HINTS["value"],
    )


def test_a_huge_negative_int_is_minus_infinity():
    assert check_f(lambda x: -(10**400), lambda x: -math.inf, [Case((0.0,))]).correct
    assert check_f(lambda x: 10**400, lambda x: math.inf, [Case((0.0,))]).correct
    fb = check_f(lambda x: -(10**400), lambda x: 0.0, [Case((0.0,))])
    assert fb.message == "f(0): returned -inf; expected 0."


def test_a_wrong_entry_of_a_vector_is_named_by_its_index():
    fb = check_double(lambda x: np.abs(2.0 * x))
    assert verdict(fb) == (
        "incorrect",
        "double(x = [1, -2]): entry 1 is 4, expected -4 (got array([2., 4.], shape=(2,), "
        "dtype=float64), expected array([ 2., -4.], shape=(2,), dtype=float64)).",
        _GENERIC_HINTS["value"],
    )


def test_arrays_in_a_wrong_value_message_show_every_digit_that_differs():
    one = np.array([1.0])
    near = np.array([1.0000001])
    fb = check_f(lambda x: near, lambda x: one, [Case((0.0,))], rtol=0.0, atol=0.0)
    assert fb.message == (
        "f(0): entry 0 is 1.0000001, expected 1 (got array([1.0000001], shape=(1,), "
        "dtype=float64), expected array([1.], shape=(1,), dtype=float64))."
    )
    fb = check_f(lambda x: one, lambda x: near, [Case((0.0,))], rtol=0.0, atol=0.0)
    assert fb.message == (
        "f(0): entry 0 is 1, expected 1.0000001 (got array([1.], shape=(1,), "
        "dtype=float64), expected array([1.0000001], shape=(1,), dtype=float64))."
    )


def forgot_return(*args, **kwargs):
    result = args  # noqa: F841


def test_an_array_argument_is_summarised_to_six_digits_and_its_four_edge_entries():
    x = np.array([1.0000001, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0])
    fb = check_f(forgot_return, lambda x: float(x[0]), [Case((x,))])
    assert verdict(fb) == (
        "incorrect",
        "f(array([1., 2., ..., 8., 9.], shape=(9,), dtype=float64)): returned None; "
        "expected 1.0000001.",
        _GENERIC_HINTS["none"],
    )
    eight = np.arange(1.0, 9.0)  # eight entries are shown in full
    fb = check_f(forgot_return, lambda x: 0.0, [Case((eight,))])
    assert fb.message.startswith(
        "f(array([1., 2., 3., 4., 5., 6., 7., 8.], shape=(8,), dtype=float64)): "
    )


def test_arguments_are_described_by_value_and_keyword():
    fb = check_f(forgot_return, lambda x, y: 3, [Case((1,), {"y": 2})])
    assert fb.message == "f(1, y=2): returned None; expected 3."
    fb = check_f(lambda x, flag: 0.0, lambda x, flag: 1.0, [Case((12345678901, True))])
    assert fb.message == "f(12345678901, True): returned 0; expected 1."
    fb = check_f(lambda s: 0.0, lambda s: 1.0, [Case(("abc",))])
    assert fb.message == "f('abc'): returned 0; expected 1."


def test_a_non_number_where_a_number_is_expected():
    fb = check_f(lambda x: "1.0", lambda x: 1.0, [Case((0.0,))])
    assert verdict(fb) == (
        "incorrect",
        "f(0): returned str '1.0'; expected a single number.",
        _GENERIC_HINTS["type"],
    )


def test_a_single_value_where_a_tuple_is_expected():
    fb = check_f(lambda x: x, lambda x: (x, 2 * x), [Case((1.0,))])
    assert verdict(fb) == (
        "incorrect",
        "f(1): returned float 1; expected a tuple of 2 values.",
        _GENERIC_HINTS["type"],
    )


def test_a_tuple_entry_that_is_a_0d_array_is_an_item():
    def ref(x):
        return np.array(x), np.array([x, 2 * x])

    fb = check_f(lambda x: (np.array(2 * x), np.array([x, 2 * x])), ref, [Case((1.0,))])
    assert verdict(fb) == (
        "incorrect",
        "f(1): returned 2 (item 0 of the tuple); expected 1.",
        _GENERIC_HINTS["value"],
    )


def is_value(attempt):
    return attempt.problem == "value"


def test_results_compared_by_equality():
    cases = [Case((0,))]
    assert check_f(lambda x: "abc", lambda x: "abc", cases).correct
    fb = check_f(lambda x: "abd", lambda x: "abc", cases)
    assert verdict(fb) == (
        "incorrect",
        "f(0): returned 'abd'; expected 'abc'.",
        _GENERIC_HINTS["value"],
    )
    fb = check_f(lambda x: "abd", lambda x: "abc", cases, diagnosers=[(is_value, "A value.")])
    assert fb.hint == "A value."


def test_a_list_where_an_array_is_expected():
    fb = check_double(lambda x: list(2.0 * x))
    assert verdict(fb) == (
        "incorrect",
        "double(x = [1, -2]): returned list [np.float64(2.0), np.float64(-4.0)]; "
        "expected a NumPy array of shape (2,).",
        _GENERIC_HINTS["type"],
    )


def test_an_array_of_strings_is_not_numbers_even_without_the_dtype_check():
    fb = check_double(lambda x: np.array(["a", "b"]), check_dtype=False)
    assert verdict(fb) == (
        "incorrect",
        "double(x = [1, -2]): returned an array of dtype <U1; expected numbers.",
        _GENERIC_HINTS["type"],
    )


class Unreadable(np.ndarray):
    """An array whose shape cannot be read."""

    @property
    def shape(self):
        raise RuntimeError("no shape")


def test_an_unreadable_result_is_named_as_such():
    fb = check_f(lambda x: np.zeros(2).view(Unreadable), lambda x: 1.0, [Case((0.0,))])
    assert verdict(fb) == (
        "incorrect",
        "f(0): returned an unreadable object; expected a single number.",
        _GENERIC_HINTS["type"],
    )


def test_a_non_callable_is_named_with_its_value_and_empty_cases_are_refused():
    assert verdict(check_double(3)) == (
        "incorrect",
        "expected a function double(...), got int 3.",
        "Define it with `def double(...):` and pass the function itself, without calling it "
        "(no parentheses after double).",
    )
    with pytest.raises(ValueError, match=r"^cases must hold at least one case$"):
        check_function(double, double, [], name="double")


# Which changes of an input count as "changed in place" (and which inputs are left alone).

MUTATED = "f(the input): it changed its input in place."


def test_keyword_arrays_are_copied_and_checked_too():
    case = Case(kwargs={"x": np.array([1.0, -2.0])}, label="the input")

    def in_place(x):
        x *= 2.0
        return x

    fb = check_f(in_place, lambda x: 2.0 * x, [case])
    assert fb.message == MUTATED
    np.testing.assert_array_equal(case.kwargs["x"], [1.0, -2.0])


def test_a_reference_that_sorts_its_input_never_changes_the_cases():
    def ref(x):
        x.sort()
        return float(x[0])

    cases = [Case((np.array([3.0, 1.0, 2.0]),)), Case(kwargs={"x": np.array([5.0, 4.0])})]
    assert check_f(lambda x: float(np.min(x)), ref, cases).correct
    np.testing.assert_array_equal(cases[0].args[0], [3.0, 1.0, 2.0])
    np.testing.assert_array_equal(cases[1].kwargs["x"], [5.0, 4.0])


def reinterpret(x):
    x.dtype = np.int64  # the same zero bits, read as integers
    return 0.0


def reshape(x):
    x.shape = (2, 1)
    return 0.0


def replace_array(ws):
    ws[0] = [0.0, 0.0]
    return 0.0


def change_first(ws):
    ws[0] = 5.0
    return 0.0


def nan_to_zero(ws):
    ws[0] = 0.0
    return 0.0


def add_key(d):
    d["extra"] = 1
    return 0.0


def change_value(d):
    d["w"] = 0.0
    return 0.0


@pytest.mark.parametrize(
    "func, arg",
    [
        (reinterpret, np.zeros(2)),
        (reshape, np.zeros(2)),
        (replace_array, [np.zeros(2)]),
        (change_first, [1.0, 2.0]),
        (nan_to_zero, [math.nan]),
        (add_key, {"w": 1.0}),
        (change_value, {"w": 1.0}),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_every_kind_of_change_in_place_is_caught(func, arg):
    fb = check_f(func, lambda x: 0.0, [Case((arg,), label="the input")])
    assert verdict(fb) == ("incorrect", MUTATED, _GENERIC_HINTS["mutated"])


@pytest.mark.parametrize(
    "arg",
    [
        np.array([1, 2]),
        np.array([1, "a"], dtype=object),
        np.array([np.nan, 1.0], dtype=np.float32),
        np.array([np.nan, 1.0]),
        math.nan,
        [math.nan, 1.0],
        "abc",
        {"w": math.nan},
    ],
    ids=repr,
)
def test_inputs_left_alone_are_not_reported_as_changed(arg):
    assert check_f(lambda x: 0.0, lambda x: 0.0, [Case((arg,))]).correct


# Stub detection: every do-nothing body is a stub, whatever the compiler wraps around it.


def stub_two_passes(x):
    pass
    pass  # the second pass compiles to a NOP


def closure_stub():
    y = 1

    def stub(x):  # y is a free variable: the code starts with COPY_FREE_VARS
        if False:
            print(y)

    return stub


def stub_dead_closure(x):  # x is captured by a closure: the code starts with MAKE_CELL
    if False:
        return lambda: x


def stub_with_extended_arg():
    """``return None`` with None at index 299 of the constants, loaded through EXTENDED_ARG."""

    def base(x):
        return None

    op = dis.opmap
    body = [op["RESUME"], 0, op["EXTENDED_ARG"], 1, op["LOAD_CONST"], 299 - 256]
    body += [op["RETURN_VALUE"], 0]
    code = base.__code__.replace(co_code=bytes(body), co_consts=(*range(299), None))
    return types.FunctionType(code, {})


DO_NOTHING = [stub_two_passes, closure_stub(), stub_dead_closure, stub_with_extended_arg()]


@pytest.mark.parametrize("stub", DO_NOTHING, ids=lambda s: s.__code__.co_name)
def test_do_nothing_bodies_with_extra_instructions_are_stubs(stub):
    assert stub(1.0) is None
    assert is_stub(stub)
    assert check_double(stub).status == "not attempted"


def test_returning_the_ellipsis_is_a_stub_and_near_misses_are_not():
    assert is_stub(lambda x: ...)
    assert is_stub(stub_docstring) and is_stub(stub_pass)

    def returns_its_input(x):
        return x

    def uses_its_input(x):
        x  # noqa: B018

    for func in (lambda x: 0, lambda x: "...", returns_its_input, uses_its_input):
        assert not is_stub(func)


class FakeCode:
    """Something posing as a function whose ``__code__`` is no code object."""

    __code__ = 42

    def __call__(self, x):
        return 2.0 * x


def test_is_stub_never_raises():
    assert is_stub(FakeCode()) is False


@pytest.mark.parametrize(
    "argval, stub", [(None, True), (Ellipsis, True), (0, False), ("...", False)]
)
def test_python_312_return_const_stubs(monkeypatch, argval, stub):
    """Python >= 3.12 compiles ``return None`` and ``...`` bodies to one RETURN_CONST."""
    ops = [
        types.SimpleNamespace(opname="RESUME", argval=0),
        types.SimpleNamespace(opname="RETURN_CONST", argval=argval),
    ]
    monkeypatch.setattr(_functions.dis, "get_instructions", lambda code: iter(ops))
    assert is_stub(stub_pass) is stub
