"""gradlab.seeds: median and range over seeds, the course's way of reporting random results."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradlab import seeds


def test_summary_is_median_and_range_computed_independently():
    values = [3.0, -1.0, 10.0, 2.0, 2.5]
    s = seeds.summarize(values)
    assert s.median == sorted(values)[2] == 2.5
    assert (s.low, s.high) == (-1.0, 10.0)
    assert s.n == 5 and s.seeds == (0, 1, 2, 3, 4)
    assert s.format(".2g") == "2.5 (-1 to 10)"
    assert s.format(".2f", sign=True) == "+2.50 (-1.00 to +10.00)"
    assert str(s) == "2.5 (-1 to 10) over 5 seeds"
    assert s.count(lambda v: v > 2.2) == 3


def test_even_count_median_and_missing_values():
    s = seeds.summarize([1.0, math.nan, 3.0, 4.0], seeds=(0, 1, 2, 3))
    assert s.median == 3.0  # median of the three finite values
    assert (s.low, s.high) == (1.0, 4.0)
    assert s.count(lambda v: True) == 3
    assert seeds.summarize([1.0, 2.0], seeds=(5, 9)).median == 1.5
    empty = seeds.summarize([math.nan], seeds=(0,))
    assert math.isnan(empty.median) and math.isnan(empty.low) and math.isnan(empty.high)


def test_over_seeds_runs_the_experiment_once_per_seed():
    calls = []

    def experiment(seed):
        calls.append(seed)
        return np.random.default_rng(seed).normal()

    s = seeds.over_seeds(experiment, seeds=(3, 1, 4))
    assert calls == [3, 1, 4] and s.seeds == (3, 1, 4)
    assert s.values[0] == np.random.default_rng(3).normal()
    assert not s.values.flags.writeable
    assert seeds.over_seeds(float).seeds == seeds.SEEDS


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="one number per seed"):
        seeds.summarize([1.0, 2.0])
    with pytest.raises(ValueError, match="seeds"):
        seeds.summarize([], seeds=())
    with pytest.raises(TypeError, match="values"):
        seeds.summarize(["a"] * 5)
    with pytest.raises(TypeError, match="experiment"):
        seeds.over_seeds(3)
    with pytest.raises(ValueError, match="seeds"):
        seeds.summarize([1.0], seeds=(-1,))
    with pytest.raises(TypeError, match="spec"):
        seeds.summarize([1.0] * 5).format(3)


def test_format_spec_in_f_strings():
    s = seeds.summarize([0.5, -0.25, 2.0], seeds=(0, 1, 2))
    assert f"{s:+.2f}" == "+0.50 (-0.25 to +2.00)"
    assert f"{s}" == str(s) == "0.5 (-0.25 to 2) over 3 seeds"


def test_error_messages_name_the_argument_and_the_type_given():
    """Each refusal says what was wrong with what (mutation testing: the messages matter)."""
    with pytest.raises(TypeError, match="experiment must be callable, got int"):
        seeds.over_seeds(3)
    with pytest.raises(ValueError, match="^seeds must not be empty$"):
        seeds.summarize([], seeds=())
    with pytest.raises(TypeError, match="^values must be real numbers, one per seed$"):
        seeds.summarize(["a"] * 5)
    with pytest.raises(ValueError, match="^seeds"):
        seeds.summarize([1.0], seeds=(-1,))
    with pytest.raises(TypeError, match="spec must be a format string, got int"):
        seeds.summarize([1.0] * 5).format(3)


def test_default_format_is_three_significant_digits_in_lower_case():
    """The documented default ``.3g``: exponents print as ``e-05`` (not ``E-05``)."""
    s = seeds.summarize([1.2345e-5, 2.5e-5, 3e-7], seeds=(0, 1, 2))
    assert s.format() == f"{1.2345e-5:.3g} ({3e-7:.3g} to {2.5e-5:.3g})"
    assert s.format() == "1.23e-05 (3e-07 to 2.5e-05)"


def test_sign_is_not_doubled_when_the_spec_already_has_one():
    s = seeds.summarize([0.5, -0.25, 2.0], seeds=(0, 1, 2))
    assert s.format("+.2f", sign=True) == s.format(".2f", sign=True) == "+0.50 (-0.25 to +2.00)"
