"""Stored runs (gradlab.store, Chapter 5's adding runs): the store is what the code computes.

The adding-problem runs explode and are chaotic, so the book reads them from
``gradlab/_cache/adding_runs.npz`` instead of retraining them on the reader's CPU. Here every
stored run is retrained for a prefix on *this* machine and compared with the stored one.

The tolerance is measured, not guessed: each prefix is also trained with the learning rate
changed by one part in 1e11. That perturbation is about 1000 times a rounding error in one
product, and the run carries it forward exactly as it carries rounding differences; so a step
where the two fresh prefixes differ by ``d`` can differ from the stored run (made on another
CPU) by about ``d / 1000``. The test allows ``1e-10 + 10 d`` (a margin of 100 on top) and
checks only the steps where that tolerance is still below 1e-4, and at least the first three
steps of every run; step 0 (no update yet) must agree to 1e-10.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from gradlab import clipping, store
from gradlab import recurrent_study as rs

PERTURBATION = 1e-11
PREFIX_EPOCHS = 2  # 16 steps


def _relative(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a - b) / np.maximum(np.abs(b), 1e-300)


def _prefix(run: rs.ClippingRun, setup_name: str, lr_factor: float = 1.0) -> rs.ClippingRun:
    base = rs._SETUPS[setup_name]
    setup = base._replace(epochs=PREFIX_EPOCHS, lr=base.lr * lr_factor)
    return rs.run_adding(run.threshold, seed=run.seed, setup=setup)


@pytest.mark.parametrize("setup_name, threshold, seed", rs._stored_plan())
def test_stored_run_is_what_the_code_computes(setup_name, threshold, seed):
    stored = rs.stored_adding(threshold, seed=seed, setup=setup_name)
    fresh = _prefix(stored, setup_name)
    nudged = _prefix(stored, setup_name, lr_factor=1 + PERTURBATION)
    n = len(fresh.history.loss)
    assert n == PREFIX_EPOCHS * 8
    for field in ("loss", "global_grad_norm"):
        got = getattr(fresh.history, field)
        want = getattr(stored.history, field)[:n]
        sensitivity = _relative(getattr(nudged.history, field), got)
        tolerance = 1e-10 + 10 * sensitivity
        steps = np.flatnonzero(np.cumprod(tolerance < 1e-4))  # until the run gets too sensitive
        assert len(steps) >= 3, f"{field}: the run is sensitive from step {len(steps)}"
        bad = _relative(got[steps], want[steps]) > tolerance[steps]
        assert not bad.any(), (
            f"{field} differs from the stored run at steps {steps[bad].tolist()}: "
            f"{_relative(got, want)[steps][bad]} > {tolerance[steps][bad]}"
        )
    np.testing.assert_array_equal(fresh.history.clipped[:3], stored.history.clipped[:3])
    assert _relative(fresh.history.loss[:1], stored.history.loss[:1])[0] <= 1e-10


def test_every_planned_run_is_stored_and_whole():
    plan = rs._stored_plan()
    assert len(plan) == len(rs.STORED_SEEDS) * (len(rs.STORED_THRESHOLDS) + 1 + 2)
    for setup_name, threshold, seed in plan:
        run = rs.stored_adding(threshold, seed=seed, setup=setup_name)
        setup = rs._SETUPS[setup_name]
        steps = setup.epochs * math.ceil(setup.n_samples / setup.batch_size)
        assert len(run.history.loss) == steps and run.history.grad_norms.shape[0] == steps
        assert run.seed == seed and run.history.epochs == setup.epochs
        if threshold is None:
            assert run.threshold is None and not run.history.clipped.any()
        elif threshold != "rule":
            assert run.threshold == threshold
    # the rule's threshold is the rule applied to that seed's stored unclipped run
    for seed in rs.STORED_SEEDS:
        plain = rs.stored_adding(None, seed=seed)
        rule = rs.stored_adding("rule", seed=seed)
        assert rule.threshold == clipping.suggest_threshold(plain.history.global_grad_norm)


def test_stored_runs_are_read_only_copies():
    a = rs.stored_adding(0.1)
    a.history.loss[:] = 0.0
    assert rs.stored_adding(0.1).history.loss[0] > 0


def test_stored_adding_validates():
    with pytest.raises(ValueError, match="threshold"):
        rs.stored_adding(0.5)
    with pytest.raises(ValueError, match="threshold"):
        rs.stored_adding("median")
    with pytest.raises(ValueError, match="threshold"):
        rs.stored_adding("rule", setup="vanishing")
    with pytest.raises(ValueError, match="seed"):
        rs.stored_adding(None, seed=99)
    with pytest.raises(ValueError, match="setup"):
        rs.stored_adding(None, setup="exploded")
    with pytest.raises(TypeError, match="seed"):
        rs.stored_adding(None, seed=1.5)
    # a float that is a stored threshold up to rounding finds it
    assert rs.stored_adding(0.1 * 3).threshold == 0.3


def test_store_round_trip_and_refusals(tmp_path):
    path = store.save(tmp_path / "x.npz", {"a": np.arange(3.0)}, {"v": 1})
    got = store.load(path, {"v": 1})
    np.testing.assert_array_equal(got["a"], [0.0, 1.0, 2.0])
    assert not got["a"].flags.writeable
    with pytest.raises(ValueError, match="another set-up"):
        store.load(path, {"v": 2})
    with pytest.raises(FileNotFoundError, match="make runs"):
        store.load(tmp_path / "none.npz", {"v": 1})
    with pytest.raises(ValueError, match="reserved"):
        store.save(tmp_path / "y.npz", {"__fingerprint__": np.zeros(1)}, {})
    with pytest.raises(TypeError, match="spec"):
        store.fingerprint({"f": object()})
    with pytest.raises(TypeError, match="arrays"):
        store.save(tmp_path / "z.npz", [np.zeros(1)], {})
    assert store.fingerprint({"a": 1, "b": 2}) == store.fingerprint({"b": 2, "a": 1})


def test_fingerprint_is_sixteen_hex_digits_of_the_sorted_json_sha256():
    """The definition, computed independently: the stored files carry it, so it must not drift."""
    import hashlib
    import json

    spec = {"b": [1, 2.5], "a": "x"}
    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    assert store.fingerprint(spec) == digest[:16]
    with np.load(rs.ADDING_CACHE) as npz:
        assert str(npz["__fingerprint__"]) == store.fingerprint(rs._store_spec())


def test_save_makes_missing_folders_and_load_never_unpickles(tmp_path):
    path = store.save(tmp_path / "a" / "b" / "x.npz", {"a": np.arange(2.0)}, {})
    assert path.exists() and store.load(path, {})["a"].tolist() == [0.0, 1.0]
    # An object array is written pickled; loading it must refuse rather than run pickle.
    objects = store.save(tmp_path / "o.npz", {"o": np.array([{"k": 1}], dtype=object)}, {})
    with pytest.raises(ValueError, match="allow_pickle"):
        store.load(objects, {})
    with pytest.raises(TypeError, match="got list"):
        store.save(tmp_path / "z.npz", [np.zeros(1)], {})
