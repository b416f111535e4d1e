import numpy as np
import pytest

from gradlab import data

CLASSIFIERS = [data.two_spirals, data.moons, data.xor]


@pytest.mark.parametrize("make", CLASSIFIERS)
def test_classification_sets_are_deterministic_and_balanced(make):
    X, y = make(101, seed=3)
    X2, y2 = make(101, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, make(101, seed=4).X)
    assert X.shape == (101, 2) and X.dtype == np.float64 and y.shape == (101,)
    assert set(np.unique(y)) == {0, 1}
    assert np.issubdtype(y.dtype, np.integer)
    if make is not data.xor:
        assert abs(np.sum(y == 0) - np.sum(y == 1)) <= 1


def test_noiseless_geometry():
    X, y = data.moons(200, noise=0.0, seed=0)
    r0 = np.hypot(X[y == 0, 0], X[y == 0, 1])
    r1 = np.hypot(X[y == 1, 0] - 1.0, X[y == 1, 1] - 0.5)
    np.testing.assert_allclose(r0, 1.0)
    np.testing.assert_allclose(r1, 1.0)
    X, y = data.xor(200, noise=0.0, seed=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    X, y = data.two_spirals(200, noise=0.0, seed=0)
    assert np.all(np.hypot(X[:, 0], X[:, 1]) <= 1.0 + 1e-12)
    # The two classes are the same spiral rotated by pi: class 1 = -class 0 in distribution.
    assert abs(X[y == 0].mean(axis=0) + X[y == 1].mean(axis=0)).max() < 0.2


def test_adding_problem_targets_are_the_sum_of_the_marked_values():
    X, y = data.adding_problem(64, 20, seed=1)
    assert X.shape == (64, 20, 2) and y.shape == (64, 1)
    values, markers = X[:, :, 0], X[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :10].sum(axis=1) == 1) and np.all(markers[:, 10:].sum(axis=1) == 1)
    np.testing.assert_allclose(y[:, 0], (values * markers).sum(axis=1))
    assert np.all((values >= 0) & (values <= 1))
    np.testing.assert_array_equal(X, data.adding_problem(64, 20, seed=1).X)


def test_adding_problem_baseline_is_one_sixth():
    # Predicting 1 (the mean of a sum of two U(0,1)) gives MSE Var = 2/12.
    _, y = data.adding_problem(20000, 10, seed=0)
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, rel=0.03)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: data.moons(1, seed=0), ValueError, "n_samples"),
        (lambda: data.moons(10.5, seed=0), TypeError, "n_samples"),
        (lambda: data.xor(10, noise=-0.1, seed=0), ValueError, "noise"),
        (lambda: data.two_spirals(10, turns=0, seed=0), ValueError, "turns"),
        (lambda: data.two_spirals(10), ValueError, "rng"),
        (lambda: data.adding_problem(10, 1, seed=0), ValueError, "length"),
        (lambda: data.adding_problem(0, 5, seed=0), ValueError, "n_samples"),
        (lambda: data.adding_problem(5, 5, rng="x"), TypeError, "rng"),
    ],
)
def test_bad_input_names_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
