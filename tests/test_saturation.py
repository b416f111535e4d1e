"""Chapter 3's engine: saturation over training and at initialization, dead ReLUs, gradient flow."""

import numpy as np
import pytest
from _mutation import shared_scope

from gradlab import activations, backprop, data, plotting, saturation
from gradlab.network import MLP
from gradlab.train import train


@pytest.fixture(scope=shared_scope)
def sigmoid_run():
    return saturation.saturation_over_training("sigmoid", seed=0)


# --- saturation over training (Glorot and Bengio 2010, Figure 2) ----------------------------


def test_top_sigmoid_layer_is_driven_to_zero_then_slowly_recovers(sigmoid_run):
    run = sigmoid_run
    assert run.mean.shape == run.std.shape == run.p02.shape == (len(run.steps), 4)
    assert run.steps[0] == 0 and run.steps[-1] == 4000 and np.all(np.diff(run.steps) == 50)
    assert np.all(np.abs(run.mean[0] - 0.5) < 0.03)  # every layer starts near 0.5
    step, low = run.top_layer_minimum()
    assert low < 0.08 and step <= 3000  # the top layer saturates at 0 ...
    early = run.steps <= 500
    assert run.mean[early, -1].min() < 0.15  # ... early in training
    assert run.mean[-1, -1] > low + 0.08  # and leaves saturation slowly
    lower = run.mean[:, :3]
    assert lower.min() > 0.4 and lower.max() < 0.8  # lower layers stay near 0.5
    at_min = run.steps == step
    assert run.p98[at_min, -1][0] < 0.1  # nearly every output is close to 0, not just the mean
    assert np.all(run.p02 <= run.mean) and np.all(run.mean <= run.p98)
    assert run.loss[-1] < run.loss[0]


@pytest.mark.parametrize("seed", [1, 2])
def test_top_layer_saturation_is_robust_across_seeds(seed):
    run = saturation.saturation_over_training("sigmoid", steps=800, record_every=100, seed=seed)
    assert run.mean[:, -1].min() < 0.12
    assert run.mean[:, :3].min() > 0.4 and run.mean[:, :3].max() < 0.8


def test_tanh_has_no_push_to_a_saturated_zero():
    run = saturation.saturation_over_training("tanh", steps=1000, record_every=100, seed=0)
    assert np.all(np.abs(run.mean) < 0.1)  # tanh's 0 is its centre, where tanh' = 1
    assert np.all(run.saturated_fraction[:, -1] < 0.2)


def test_saturation_run_is_deterministic_and_validated():
    a = saturation.saturation_over_training(steps=30, record_every=7, seed=3)
    b = saturation.saturation_over_training(steps=30, record_every=7, seed=3)
    np.testing.assert_array_equal(a.mean, b.mean)
    np.testing.assert_array_equal(a.steps, [0, 7, 14, 21, 28, 30])  # the last step is recorded
    assert a.activation == "sigmoid" and a.init == "uniform_fan_in" and a.depth == 4
    for kwargs, error, match in [
        ({"activation": "softsign"}, ValueError, "activation"),
        ({"depth": 0}, ValueError, "depth"),
        ({"lr": 0.0}, ValueError, "lr"),
        ({"init": "he"}, ValueError, "init"),
        ({"record_every": 1.5}, TypeError, "record_every"),
        ({"seed": -1}, ValueError, "seed"),
    ]:
        with pytest.raises(error, match=match):
            saturation.saturation_over_training(**kwargs)


def test_saturation_defaults_are_the_documented_ones():
    import inspect

    params = inspect.signature(saturation.saturation_over_training).parameters
    defaults = {k: p.default for k, p in params.items()}
    assert defaults["activation"] == "sigmoid" and defaults["init"] == "uniform_fan_in"
    assert (defaults["depth"], defaults["width"], defaults["batch_size"]) == (4, 64, 10)
    assert (defaults["steps"], defaults["record_every"], defaults["lr"]) == (4000, 50, 0.3)


# --- saturation at initialization -----------------------------------------------------------


def test_saturation_at_init_grows_with_the_gain():
    tanh = saturation.saturation_at_init("tanh", (0.5, 1.0, 2.0, 4.0, 8.0), depth=6, width=50)
    assert tanh.fraction.shape == (5, 6)
    assert np.all(tanh.fraction[0] == 0.0)  # small weights: the linear regime
    assert np.all(np.diff(tanh.fraction, axis=0) >= 0)
    assert tanh.fraction[-1].min() > 0.6
    sig = saturation.saturation_at_init("sigmoid", (1.0, 8.0), depth=6, width=50)
    assert np.all(sig.fraction[0] == 0.0) and sig.fraction[1, 0] > 0.3
    with pytest.raises(ValueError, match="activation"):
        saturation.saturation_at_init("relu")
    with pytest.raises(ValueError, match="gains"):
        saturation.saturation_at_init("tanh", (1.0, -2.0))


# --- dead ReLUs -----------------------------------------------------------------------------


def test_dead_fraction_at_init_zero_bias_vs_negative_bias():
    zero = saturation.dead_fraction_at_init(depth=6, seed=0)
    negative = saturation.dead_fraction_at_init(depth=6, bias=-1.0, seed=0)
    assert zero.shape == (6,) and zero[0] == 0.0 and zero.max() < 0.1
    assert negative[-1] == 1.0 and np.all(negative >= zero)
    # The definition: relu'(z) = 0 on every example of the batch.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((500, 100))
    net = MLP([100] + [100] * 6 + [1], "relu", "he_normal", rng=rng)
    for b in net.biases[:-1]:
        b[...] = -1.0
    net.forward(X)
    manual = [np.mean(np.all(z <= 0, axis=0)) for z in net.pre_activations[:-1]]
    np.testing.assert_array_equal(negative, manual)


def test_one_step_with_too_large_a_learning_rate_kills_units():
    before, after = saturation.dead_after_one_step(0.01)
    assert np.all(np.abs(after - before) <= 0.02)
    before, big = saturation.dead_after_one_step(1.0)
    np.testing.assert_array_equal(before, saturation.dead_after_one_step(0.01)[0])
    assert big.max() >= 0.3 and big.sum() > 5 * before.sum()
    with pytest.raises(ValueError, match="lr"):
        saturation.dead_after_one_step(-1.0)


def test_a_dead_unit_gets_exactly_zero_gradient_and_never_comes_back():
    # A first-layer unit with a huge negative bias is dead on every input; train around it.
    X, _ = data.two_spirals(200, seed=1)
    y = np.sin(3 * X[:, :1])
    net = MLP([2, 16, 16, 1], "relu", "he_normal", seed=2)
    net.biases[0][5] = -100.0
    W_col, b_before = net.weights[0][:, 5].copy(), net.biases[0].copy()
    grads = net.loss_and_gradients(X, y)
    assert np.all(grads.weight_grads[0][:, 5] == 0.0) and grads.bias_grads[0][5] == 0.0
    assert np.any(grads.weight_grads[0][:, 4] != 0.0)  # a live unit does get gradient
    train(net, X, y, epochs=5, batch_size=20, lr=0.1, seed=0, progress=False)
    np.testing.assert_array_equal(net.weights[0][:, 5], W_col)  # not changed, bit for bit
    assert net.biases[0][5] == -100.0 and np.any(net.biases[0] != b_before)
    assert 5 in saturation.dead_units(net, X)[0]


def test_tracking_dead_units_through_training():
    run = saturation.track_dead_units(bias=-1.0, seed=0)
    assert run.diverged_at is None and run.dead_fraction.shape == (len(run.steps), 4)
    first = [set(d[0].tolist()) for d in run.dead]
    assert len(first[0]) > 0  # the check below is not vacuous
    assert all(a <= b for a, b in zip(first[:-1], first[1:], strict=True))  # never revive
    assert np.all(run.dead_grad_max == 0.0)  # exactly zero, not small
    np.testing.assert_array_equal(run.dead_fraction[:, 0], [len(s) / 64 for s in first])
    # A whole dead top layer blocks every gradient below it: the loss barely moves.
    assert run.dead_fraction[0, -1] == 1.0 and run.loss[-1] > 0.8 * run.loss[0]


def test_tracking_stops_at_divergence():
    run = saturation.track_dead_units(lr=0.5, seed=1)
    assert run.diverged_at is not None and run.steps[-1] <= run.diverged_at
    assert np.all(np.isfinite(run.loss))


def test_dead_units_checks_its_network():
    with pytest.raises(TypeError, match="net"):
        saturation.dead_units("net", np.zeros((2, 2)))


# --- gradient flow --------------------------------------------------------------------------


def test_gradient_flow_uses_the_same_weights_for_every_activation():
    flows = saturation.gradient_flow(depth=24, width=64, seed=0)
    assert list(flows) == list(saturation.FLOW_ACTIVATIONS)
    for name, f in flows.items():
        ref = backprop.gradient_norms_at_init(name, 24, 64, 1.0, batch=128, seed=0)
        np.testing.assert_array_equal(f.backward, ref.backward)
    ratios = saturation.gradient_ratios(flows)
    decades = {n: np.log10(r) for n, r in ratios.items()}
    assert decades["sigmoid"] < -10  # sigma' <= 1/4 at every layer
    assert -2 < decades["tanh"] < 0
    assert decades["sigmoid"] < decades["gelu"] < decades["relu"] < decades["tanh"]
    weight = saturation.gradient_ratios(flows, "weight")
    assert weight["sigmoid"] < 1e-10 and 0.5 < weight["relu"] < 3
    table = saturation.gradient_ratio_table(flows)
    assert all(n in table for n in flows) and f"{np.log10(ratios['sigmoid']):+8.1f}" in table
    with pytest.raises(ValueError, match="kind"):
        saturation.gradient_ratios(flows, "forward")
    with pytest.raises(TypeError, match="flows"):
        saturation.gradient_ratios({})


def test_activation_samples_come_from_the_gradient_flow_network():
    samples = saturation.activation_samples(("relu", "tanh"), depth=8, width=32, batch=16)
    assert list(samples["relu"]) == [1, 4, 7]
    assert samples["relu"][1].shape == (16 * 32,)
    assert samples["relu"][1].min() == 0.0 and np.abs(samples["tanh"][7]).max() < 1
    # Same draws as gradient_norms_at_init: the batch, the probe, then the weights.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((16, 32))
    rng.standard_normal((16, 32))
    W1 = rng.standard_normal((8, 32, 32))[0] / np.sqrt(32)
    np.testing.assert_allclose(samples["relu"][1], activations.relu(X @ W1).ravel())
    with pytest.raises(ValueError, match="layers"):
        saturation.activation_samples(("relu",), layers=(8,), depth=8)
    with pytest.raises(ValueError, match="names"):
        saturation.activation_samples(("softsign",))


# --- data -----------------------------------------------------------------------------------


def test_gaussian_clusters():
    X, y = data.gaussian_clusters(500, seed=0)
    assert X.shape == (500, 32) and y.shape == (500,) and set(y.tolist()) == set(range(10))
    X2, y2 = data.gaussian_clusters(500, seed=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    # Points scatter with unit variance around their class centre.
    centres = np.array([X[y == c].mean(axis=0) for c in range(10)])
    assert np.std(X - centres[y]) == pytest.approx(1.0, abs=0.05)
    with pytest.raises(ValueError, match="n_classes"):
        data.gaussian_clusters(10, n_classes=1, seed=0)
    with pytest.raises(ValueError, match="separation"):
        data.gaussian_clusters(10, separation=-1.0, seed=0)


# --- figures show their data ----------------------------------------------------------------


def _capture(monkeypatch, make):
    figures = []
    show = plotting.show
    monkeypatch.setattr(
        plotting,
        "show",
        lambda fig, alt, caption="", label="": (
            figures.append(fig) or show(fig, alt, caption, label)
        ),
    )
    view = make()
    return figures[0], view


def test_figures_draw_their_data(monkeypatch, sigmoid_run):
    fig, view = _capture(monkeypatch, lambda: saturation.plot_saturation_over_training(sigmoid_run))
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    for i in range(4):
        np.testing.assert_array_equal(lines[f"layer {i + 1}"].get_ydata(), sigmoid_run.mean[:, i])
    step, low = sigmoid_run.top_layer_minimum()
    assert f"{low:.2f}, at step {step}" in view.alt and view.caption

    flows = saturation.gradient_flow(depth=10, width=16)
    fig, view = _capture(monkeypatch, lambda: saturation.plot_gradient_flow(flows))
    for line, f in zip(fig.axes[0].get_lines(), flows.values(), strict=True):
        np.testing.assert_array_equal(line.get_ydata(), f.backward)
    assert "sigmoid" in view.alt and view.caption

    fig, view = _capture(monkeypatch, lambda: saturation.plot_activation_family())
    left = fig.axes[0].get_lines()
    z = left[0].get_xdata()
    leaky = left[saturation.FAMILY.index("leaky_relu")].get_ydata()
    np.testing.assert_array_equal(leaky, activations.leaky_relu(z, 0.01))  # the real slope
    assert "0.01" in view.caption

    run = saturation.track_dead_units(steps=20, record_every=10)
    fig, view = _capture(monkeypatch, lambda: saturation.plot_dead_units(run))
    np.testing.assert_array_equal(fig.axes[0].get_lines()[1].get_ydata(), run.dead_fraction[:, 1])
    assert "is 0." in view.alt


def test_facts_are_read_off_the_run(sigmoid_run):
    run = sigmoid_run
    facts = run.facts()
    step, low = run.top_layer_minimum()
    i = int(np.flatnonzero(run.steps == step)[0])
    assert facts["top lowest"] == low == run.mean[:, -1].min()
    assert facts["lowest at step"] == step
    assert facts["top start"] == run.mean[0, 3] and facts["top end"] == run.mean[-1, 3]
    assert facts["saturated at lowest"] == run.saturated_fraction[i, 3]
    assert facts["saturated at end"] == run.saturated_fraction[-1, 3]
    assert facts["largest |mean|"] == max(abs(run.mean.min()), run.mean.max())
    assert facts["largest saturated share"] == run.saturated_fraction.max()


def test_saturation_over_seeds_is_one_run_per_seed(capsys):
    runs = saturation.saturation_over_seeds("tanh", seeds=[3, 1], steps=100, progress_bar=False)
    for run, seed in zip(runs, [3, 1], strict=True):
        alone = saturation.saturation_over_training("tanh", steps=100, seed=seed)
        np.testing.assert_array_equal(run.mean, alone.mean)
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="seeds"):
        saturation.saturation_over_seeds("tanh", seeds=[])
    with pytest.raises(TypeError, match="progress_bar"):
        saturation.saturation_over_seeds("tanh", seeds=[0], progress_bar="yes")
