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


# --- documented defaults and conditions, each pinned -----------------------------------------


@pytest.mark.parametrize(
    ("make", "explicit"),
    [
        (data.two_spirals, {"n_samples": 400, "noise": 0.05, "turns": 1.5}),
        (data.moons, {"n_samples": 400, "noise": 0.1}),
        (data.xor, {"n_samples": 400, "noise": 0.1}),
        (data.adding_problem, {"n_samples": 256, "length": 50}),
    ],
)
def test_default_sizes_and_noise(make, explicit):
    default = make(seed=5)
    same = make(seed=5, **explicit)
    np.testing.assert_array_equal(default.X, same.X)
    np.testing.assert_array_equal(default.y, same.y)
    assert default.X.shape[0] == explicit["n_samples"]
    if "length" in explicit:
        assert default.X.shape == (256, 50, 2) and default.y.shape == (256, 1)


def test_labels_alternate_so_the_classes_are_balanced():
    for make in (data.two_spirals, data.moons):
        _, y = make(10, seed=0)
        np.testing.assert_array_equal(y, [0, 1] * 5)


def test_moons_are_the_upper_and_the_lower_half_circle():
    X, y = data.moons(400, noise=0.0, seed=0)
    upper, lower = X[y == 0], X[y == 1]
    assert np.all(upper[:, 1] >= 0.0) and np.all(upper[:, 0] <= 1.0 + 1e-12)
    assert np.all(lower[:, 1] <= 0.5) and np.all(lower[:, 0] >= -1e-12)  # (1 - cos t, 0.5 - sin t)


def test_spiral_points_lie_on_their_spiral_evenly_spread():
    turns = 1.5
    X, y = data.two_spirals(4000, noise=0.0, turns=turns, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    # Radius r = theta / (2 pi turns) and angle theta + pi * class (mod 2 pi).
    theta = 2 * np.pi * turns * r
    off = np.angle(np.exp(1j * (np.arctan2(X[:, 1], X[:, 0]) - theta - np.pi * y)))
    np.testing.assert_allclose(off, 0.0, atol=1e-9)
    # Even along the spiral (arc length ~ theta^2): r^2 is uniform, so P(r < 1/2) = 1/4.
    assert np.mean(r < 0.5) == pytest.approx(0.25, abs=0.03)


def test_adding_problem_marks_every_step_of_each_half():
    X, _ = data.adding_problem(3000, 10, seed=0)
    markers = X[:, :, 1]
    first = np.argmax(markers[:, :5], axis=1)
    second = 5 + np.argmax(markers[:, 5:], axis=1)
    assert set(first) == set(range(5)) and set(second) == set(range(5, 10))


# --- each generator against its documented definition, computed from the same draws ----------


def _draws(seed):
    return np.random.default_rng(seed)


def test_two_spirals_is_its_formula_from_the_same_draws():
    n, noise, turns = 9, 0.3, 2.25
    X, y = data.two_spirals(n, noise=noise, turns=turns, seed=4)
    rng = _draws(4)
    theta = np.sqrt(rng.uniform(0.0, 1.0, n)) * 2 * np.pi * turns
    c = np.arange(n) % 2
    r = theta / (2 * np.pi * turns)
    want = np.column_stack([r * np.cos(theta + np.pi * c), r * np.sin(theta + np.pi * c)])
    want = want + rng.normal(0.0, noise, size=(n, 2))
    np.testing.assert_allclose(X, want, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(y, c)


def test_moons_is_its_formula_from_the_same_draws():
    n, noise = 8, 0.2
    X, y = data.moons(n, noise=noise, seed=5)
    rng = _draws(5)
    t = rng.uniform(0.0, np.pi, n)
    c = np.arange(n) % 2
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    want = np.where(c[:, None] == 0, upper, lower) + rng.normal(0.0, noise, size=(n, 2))
    np.testing.assert_allclose(X, want, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(y, c)


def test_xor_is_its_formula_from_the_same_draws():
    n, noise = 12, 0.25
    X, y = data.xor(n, noise=noise, seed=6)
    rng = _draws(6)
    corners = rng.choice([-1.0, 1.0], size=(n, 2))
    want = corners + rng.normal(0.0, noise, size=(n, 2))
    np.testing.assert_allclose(X, want, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(y, (np.sign(corners[:, 0]) != np.sign(corners[:, 1])))
    assert y.dtype == np.int64 and set(y.tolist()) == {0, 1}


def test_adding_problem_is_its_definition_from_the_same_draws():
    n, T = 7, 6
    X, y = data.adding_problem(n, T, seed=7)
    rng = _draws(7)
    values = rng.uniform(0.0, 1.0, size=(n, T))
    first = rng.integers(0, T // 2, size=n)
    second = rng.integers(T // 2, T, size=n)
    assert X.shape == (n, T, 2) and y.shape == (n, 1)
    np.testing.assert_array_equal(X[:, :, 0], values)
    for i in range(n):
        marked = [t for t in range(T) if X[i, t, 1] == 1.0]
        assert marked == [first[i], second[i]] and X[i, :, 1].sum() == 2.0
        assert y[i, 0] == values[i, first[i]] + values[i, second[i]]


def test_gaussian_clusters_is_its_definition_from_the_same_draws():
    n, k, d, sep = 11, 3, 4, 1.5
    X, y = data.gaussian_clusters(n, n_classes=k, dim=d, separation=sep, seed=8)
    rng = _draws(8)
    centres = rng.normal(0.0, sep, size=(k, d))
    labels = rng.integers(0, k, size=n)
    np.testing.assert_array_equal(y, labels)
    np.testing.assert_allclose(X, centres[labels] + rng.standard_normal((n, d)), rtol=1e-14)
    assert X.shape == (n, d)


def test_gaussian_clusters_defaults_are_the_documented_ones():
    X, y = data.gaussian_clusters(seed=0)
    X2, y2 = data.gaussian_clusters(2000, n_classes=10, dim=32, separation=2.0, seed=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)


@pytest.mark.parametrize(
    "call",
    [
        lambda: data.two_spirals(2, noise=0.0, turns=1e-3, seed=0),
        lambda: data.moons(2, noise=0.0, seed=0),
        lambda: data.xor(2, noise=0.0, seed=0),
        lambda: data.adding_problem(1, 2, seed=0),
        lambda: data.gaussian_clusters(2, n_classes=2, dim=1, separation=0.0, seed=0),
    ],
)
def test_the_smallest_allowed_sizes_are_accepted(call):
    X, y = call()
    assert len(X) == len(y) >= 1


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: data.two_spirals(1, seed=0), ValueError, "^n_samples must be >= 2, got 1$"),
        (lambda: data.moons(4, noise=-1e-9, seed=0), ValueError, "^noise must be >= 0"),
        (lambda: data.two_spirals(4, turns=0.0, seed=0), ValueError, "^turns must be > 0"),
        (lambda: data.adding_problem(0, 5, seed=0), ValueError, "^n_samples must be >= 1"),
        (lambda: data.adding_problem(3, 1, seed=0), ValueError, "^length must be >= 2"),
        (lambda: data.gaussian_clusters(1, seed=0), ValueError, "^n_samples must be >= 2"),
        (lambda: data.gaussian_clusters(4, n_classes=1, seed=0), ValueError, "^n_classes must"),
        (lambda: data.gaussian_clusters(4, dim=0, seed=0), ValueError, "^dim must be >= 1"),
        (
            lambda: data.gaussian_clusters(4, separation=-1.0, seed=0),
            ValueError,
            "^separation must be >= 0",
        ),
        (lambda: data.gaussian_clusters(4), ValueError, "rng"),
    ],
)
def test_each_refusal_names_its_argument_and_bound(call, error, match):
    with pytest.raises(error, match=match):
        call()
