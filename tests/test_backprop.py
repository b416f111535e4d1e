"""Chapter 2's engine: the tiny network's chain of factors, deep gradient norms, costs."""

import math

import numpy as np
import pytest

from gradlab import backprop, chains, gradcheck
from gradlab.network import MLP


@pytest.mark.parametrize(
    "x, y, w1, w2", [(1.5, 1.0, 0.8, -0.5), (-2.0, 0.0, 3.0, 4.0), (0.3, 0.7, -1.2, 0.1)]
)
def test_tiny_chain_gradients_match_finite_differences(x, y, w1, w2):
    c = backprop.tiny_chain(x, y, w1, w2)
    assert c.cost == pytest.approx(backprop.tiny_cost(x, y, w1, w2), abs=1e-15)
    for name, grad in (("w1", c.grad_w1), ("w2", c.grad_w2)):

        def cost_of(v, name=name):
            args = {"w1": w1, "w2": w2, name: v}
            return backprop.tiny_cost(x, y, args["w1"], args["w2"])

        fd = gradcheck.finite_difference(cost_of, {"w1": w1, "w2": w2}[name], 1e-5)
        # Round-off of the difference, eps |J| / (2h) ~ 1e-11, against gradients >= 3e-4.
        assert gradcheck.relative_error([grad], [fd]) < 1e-6


def test_tiny_chain_factors_are_the_textbook_ones():
    c = backprop.tiny_chain(1.5, 1.0, 0.8, -0.5)
    s = 1 / (1 + math.exp(-1.2))
    assert c.z1 == pytest.approx(1.2) and c.a1 == pytest.approx(s)
    assert c.factors["da1/dz1"] == pytest.approx(s * (1 - s))
    assert c.factors["dz2/da1"] == -0.5 and c.factors["dz1/dw1"] == 1.5
    assert c.grad_w1 == pytest.approx(
        c.grad_w2 / c.factors["dz2/dw2"] * c.factors["dz2/da1"] * c.factors["da1/dz1"] * 1.5
    )
    table = c.table()
    assert "sigma'(z1)" in table and table.count("\n") == 6


def test_tiny_chain_validates():
    with pytest.raises(ValueError, match="w1"):
        backprop.tiny_chain(1.0, 0.0, float("nan"), 1.0)
    with pytest.raises(TypeError, match="x"):
        backprop.tiny_cost("1", 0.0, 1.0, 1.0)


def test_backward_probe_is_the_product_of_jacobians():
    rng = np.random.default_rng(0)
    net = MLP([5, 4, 3, 2], "tanh", seed=1)
    X, r = rng.standard_normal((7, 5)), rng.standard_normal((7, 2))
    grads = net.backward(X, r)
    # Explicit product of Jacobians for one example: r W3^T diag(phi'(z2)) W2^T diag(phi'(z1)) W1^T
    net.forward(X[:1])
    z1, z2 = net.pre_activations[0][0], net.pre_activations[1][0]
    d1, d2 = 1 - np.tanh(z1) ** 2, 1 - np.tanh(z2) ** 2
    W1, W2, W3 = net.weights
    expected = r[0] @ W3.T @ np.diag(d2) @ W2.T @ np.diag(d1) @ W1.T
    np.testing.assert_allclose(grads.activation_grads[0][0], expected, rtol=1e-12)
    assert math.isnan(grads.loss)
    with pytest.raises(ValueError, match="grad_output"):
        net.backward(X, r[:, :1])


def test_backward_matches_finite_differences_of_the_probe_cost():
    rng = np.random.default_rng(3)
    net = MLP([3, 4, 2], "sigmoid", seed=2)
    X, r = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    grads = net.backward(X, r)

    def cost(W):
        saved = net.weights[0].copy()
        net.weights[0][...] = W
        value = float(np.sum(r * net.forward(X)))
        net.weights[0][...] = saved
        return value

    assert gradcheck.check_gradient(cost, grads.weight_grads[0], net.weights[0]) < 1e-8


def test_gradient_norms_linear_network_follow_chapter_one():
    # Over many seeds, the mean log-slope of the probe gradient in a linear network is the
    # Lyapunov rate (one vector) or the mean-square rate (a full batch) within a few s.e.
    n, depth, gain = 16, 40, 0.9
    slopes = []
    for seed in range(30):
        g = backprop.gradient_norms_at_init("identity", depth, n, gain, batch=1, seed=seed)
        slopes.append(math.log(g.backward[0] / g.backward[-1]) / (depth - 1))
    lam = chains.lyapunov_exponent(n, gain / math.sqrt(n))
    se = np.std(slopes) / math.sqrt(len(slopes))
    assert abs(np.mean(slopes) - lam) < 4 * se
    g = backprop.gradient_norms_at_init("identity", depth, n, gain, batch=1, seed=0)
    pred = backprop.linear_prediction(g)
    assert pred[-1] == pytest.approx(math.log10(g.backward[-1]))
    assert pred[0] - pred[-1] == pytest.approx((depth - 1) * lam / math.log(10))


def test_gradient_norms_sigmoid_vanishes_tanh_and_relu_less():
    sig = backprop.gradient_norms_at_init("sigmoid", 20, 32, 1.0, seed=0)
    tanh = backprop.gradient_norms_at_init("tanh", 20, 32, 1.0, seed=0)
    # Each sigmoid layer multiplies by at most 1/4 times a gain-1 matrix: > 19 * log10(4) / 2.
    assert sig.decades_lost < -6
    assert tanh.decades_lost > sig.decades_lost + 5
    assert sig.backward.shape == (20,) and sig.weight.shape == (20,)
    mse = backprop.gradient_norms_at_init("sigmoid", 20, 32, 1.0, cost="mse", seed=0)
    assert mse.decades_lost < -6


def test_gradient_norms_validate():
    with pytest.raises(ValueError, match="activation"):
        backprop.gradient_norms_at_init("softmax", 5)
    with pytest.raises(ValueError, match="cost"):
        backprop.gradient_norms_at_init("relu", 5, cost="l1")
    with pytest.raises(ValueError, match="gain"):
        backprop.gradient_norms_at_init("relu", 5, gain=0)
    with pytest.raises(TypeError, match="norms"):
        backprop.linear_prediction([1.0])


def test_flop_counts_backward_is_twice_forward():
    forward, backward = backprop.flop_counts([10, 20, 30], 8)
    assert forward == 2 * 8 * (10 * 20 + 20 * 30)
    assert backward == 2 * forward
    with pytest.raises(TypeError, match="sizes"):
        backprop.flop_counts([10], 8)


def test_time_passes_returns_two_positive_times():
    f, b = backprop.time_passes([32, 32, 32], 16, repeats=3)
    assert f > 0 and b >= 0 and math.isfinite(f + b)


def test_figures_say_what_they_show():
    view = backprop.plot_sigmoid_tanh_derivatives()
    assert "0.0066" in view.alt and "0.00018" in view.alt and view.caption
    view = backprop.plot_gradient_norms(("sigmoid", "relu"), depth=10, width=16, seed=0)
    sig = backprop.gradient_norms_at_init("sigmoid", 10, 16, 1.0, seed=0)
    assert f"sigmoid {sig.decades_lost:+.1f}" in view.alt
    with pytest.raises(ValueError, match="activation_names"):
        backprop.plot_gradient_norms(())


def test_probe_networks_equal_gradient_norms_at_init_at_every_setting():
    probe = backprop.ProbeNetworks(16, 12, batch=8, seed=4)
    for activation, depth, gain in [("tanh", 12, 1.0), ("relu", 3, 1.4), ("tanh", 12, 0.7)]:
        norms, net = probe.measure(activation, depth, gain)
        ref = backprop.gradient_norms_at_init(activation, depth, 16, gain, batch=8, seed=4)
        np.testing.assert_array_equal(norms.backward, ref.backward)
        np.testing.assert_array_equal(norms.weight, ref.weight)
        assert net.depth == depth
    assert probe.measure("tanh", 12, 2.0)[1] is probe.measure("tanh", 12, 1.0)[1]  # reused
    with pytest.raises(ValueError, match="depth"):
        probe.measure("tanh", 13, 1.0)
    with pytest.raises(ValueError, match="activation"):
        probe.measure("softmax", 3, 1.0)


# --- every refusal names its argument; every default and bound is the documented one --------


@pytest.mark.parametrize("k, name", list(enumerate(("x", "y", "w1", "w2"))))
def test_tiny_network_refusals_name_the_argument(k, name):
    args = [1.0, 0.0, 1.0, 1.0]
    args[k] = float("nan")
    with pytest.raises(ValueError, match=rf"^{name} must be finite"):
        backprop.tiny_chain(*args)
    args[k] = "1"
    with pytest.raises(TypeError, match=rf"^{name} must be a real number"):
        backprop.tiny_cost(*args)


def test_tiny_chain_keeps_its_inputs_and_forward_pass():
    x, y, w1, w2 = 1.5, 1.0, 0.8, -0.5
    c = backprop.tiny_chain(x, y, w1, w2)
    a1 = 1 / (1 + math.exp(-w1 * x))
    assert (c.x, c.y, c.w1, c.w2) == (x, y, w1, w2)
    assert c.z1 == pytest.approx(w1 * x) and c.z2 == pytest.approx(w2 * a1)
    assert c.y_hat == pytest.approx(1 / (1 + math.exp(-w2 * a1)))


def test_tiny_chain_table_lists_each_factor_with_its_formula_value_and_gradients():
    x, y, w1, w2 = 1.5, 1.0, 0.8, -0.5
    s1 = 1 / (1 + math.exp(-w1 * x))  # a1
    s2 = 1 / (1 + math.exp(-w2 * s1))  # y_hat
    # (symbol, formula, value, in dJ/dw2, in dJ/dw1), from the chain rule written out.
    rows = [
        ("dJ/dy_hat", "y_hat - y", s2 - y, True, True),
        ("dy_hat/dz2", "sigma'(z2)", s2 * (1 - s2), True, True),
        ("dz2/dw2", "a1", s1, True, False),
        ("dz2/da1", "w2", w2, False, True),
        ("da1/dz1", "sigma'(z1)", s1 * (1 - s1), False, True),
        ("dz1/dw1", "x", x, False, True),
    ]
    lines = backprop.tiny_chain(x, y, w1, w2).table().split("\n")
    assert lines[0].split() == ["factor", "formula", "value", "in", "dJ/dw2", "in", "dJ/dw1"]
    assert len(lines) == 1 + len(rows)
    # Columns: symbol [0, 11), formula [12, 23), value [24, 34), then the two "yes" columns
    # centred under their headings.
    col2, col1 = lines[0].index("in dJ/dw2"), lines[0].index("in dJ/dw1")
    for line, (symbol, formula, value, in2, in1) in zip(lines[1:], rows, strict=True):
        assert line[:11].rstrip() == symbol and line[12:23].rstrip() == formula
        assert float(line[24:34]) == pytest.approx(value, abs=5e-6)
        assert line[col2 : col2 + 9].strip() == ("yes" if in2 else "")
        assert line[col1 : col1 + 9].strip() == ("yes" if in1 else "")
        assert line.strip().endswith(("yes", f"{value:.5f}"))


def test_linear_prediction_refusal_names_what_it_got():
    with pytest.raises(TypeError, match=r"^norms must be a GradientNorms, got list$"):
        backprop.linear_prediction([1.0])


def test_flop_counts_by_hand_and_its_bounds():
    # Two layers of widths 3 -> 4, batch 2: one (2, 3) x (3, 4) product, 2 * 2 * 3 * 4 = 48.
    assert backprop.flop_counts([3, 4], 2) == (48, 96)
    # The smallest widths and batch: 1 -> 4 -> 1, batch 1: 2 * (1 * 4 + 4 * 1) = 16.
    assert backprop.flop_counts((1, 4, 1), 1) == (16, 32)
    with pytest.raises(TypeError, match=r"^sizes must be a list of at least two layer widths$"):
        backprop.flop_counts([3], 2)
    with pytest.raises(ValueError, match=r"^sizes must be >= 1, got 0"):
        backprop.flop_counts([3, 0, 2], 2)
    with pytest.raises(ValueError, match=r"^batch must be >= 1, got 0"):
        backprop.flop_counts([3, 4], 0)


def test_gradient_norms_at_init_defaults_and_bounds():
    g = backprop.gradient_norms_at_init("tanh", 1, batch=1, seed=2)
    assert (g.depth, g.width, g.gain) == (1, 64, 1.0)
    ref = backprop.gradient_norms_at_init("tanh", 1, 64, 1.0, batch=1, seed=2)
    np.testing.assert_array_equal(g.backward, ref.backward)
    one = backprop.gradient_norms_at_init("relu", 2, 1, batch=1, seed=0)  # width 1 is allowed
    assert one.backward.shape == (2,)
    # A generator given as rng is used: the same draws as its seed.
    from_rng = backprop.gradient_norms_at_init("tanh", 2, 4, rng=np.random.default_rng(7))
    from_seed = backprop.gradient_norms_at_init("tanh", 2, 4, seed=7)
    np.testing.assert_array_equal(from_rng.backward, from_seed.backward)
    for kwargs, message in [
        ({"activation": "softmax"}, r"^activation must be one of"),
        ({"depth": 0}, r"^depth must be >= 1, got 0"),
        ({"width": 0}, r"^width must be >= 1, got 0"),
        ({"gain": 0.0}, r"^gain must be > 0"),
        ({"batch": 0}, r"^batch must be >= 1, got 0"),
        ({"cost": "l1"}, r"^cost must be one of"),
    ]:
        args = {"activation": "tanh", "depth": 2, "width": 4, **kwargs}
        with pytest.raises(ValueError, match=message):
            backprop.gradient_norms_at_init(**args)


class _Clock:
    """A fake ``time`` module: each perf_counter call advances by the next step, in turn."""

    def __init__(self, steps):
        self.steps, self.calls, self.now = steps, 0, 100.0

    def perf_counter(self):
        self.now += self.steps[self.calls % len(self.steps)]
        self.calls += 1
        return self.now


def test_time_passes_medians_and_difference(monkeypatch):
    # Each repeat reads the clock three times: t0, t1 (after the forward pass), t2 (after the
    # full pass). With t1 - t0 = 2 and t2 - t1 = 2.5 every time, the medians are 2 and 2.5 and
    # the backward time 2.5 - 2 = 0.5.
    clock = _Clock([7.0, 2.0, 2.5])
    monkeypatch.setattr(backprop, "time", clock)
    f, b = backprop.time_passes([3, 5, 2], 4)
    assert (f, b) == (2.0, 0.5)
    assert clock.calls == 3 * 21  # the default: 21 repeats
    clock = _Clock([7.0, 2.0, 1.5])  # a full pass quicker than the forward one: 0, not < 0
    monkeypatch.setattr(backprop, "time", clock)
    assert backprop.time_passes([3, 5, 2], 4, repeats=3) == (2.0, 0.0)
    with pytest.raises(ValueError, match=r"^repeats must be >= 3, got 2"):
        backprop.time_passes([3, 5, 2], 4, repeats=2)


def test_time_passes_times_the_documented_network(monkeypatch):
    # The timed network is MLP(sizes, activation, "xavier_normal", seed=seed), fed
    # default_rng(seed)'s standard normal inputs and targets; the timed passes reuse the
    # warm-up's gradient buffers (so allocation is not timed).
    calls = []

    class Spy(MLP):
        def forward(self, X):
            calls.append(("forward", X.copy(), None))
            return super().forward(X)

        def loss_and_gradients(self, X, y, loss="mse", *, out=None):
            result = super().loss_and_gradients(X, y, loss, out=out)
            calls.append(("both", out, result))
            return result

    made = []
    monkeypatch.setattr(backprop, "MLP", lambda *a, **k: made.append(Spy(*a, **k)) or made[-1])
    backprop.time_passes([3, 5, 2], 4, repeats=3)
    ref = MLP([3, 5, 2], "tanh", "xavier_normal", seed=0)
    for W, W_ref in zip(made[0].weights, ref.weights, strict=True):
        np.testing.assert_array_equal(W, W_ref)
    X = np.random.default_rng(0).standard_normal((4, 3))
    forwards = [c for c in calls if c[0] == "forward"]
    assert len(forwards) == 3 and all(np.array_equal(c[1], X) for c in forwards)
    warm_up, *timed = [c for c in calls if c[0] == "both"]
    assert len(timed) == 3 and all(c[1] is warm_up[2] for c in timed)


def test_probe_networks_defaults_and_bounds():
    probe = backprop.ProbeNetworks(1, 1)  # the smallest allowed
    rng = np.random.default_rng(0)  # default seed 0, default batch 16
    assert probe.seed == 0 and probe.X.shape == (16, 1)
    np.testing.assert_array_equal(probe.X, rng.standard_normal((16, 1)))
    norms, _ = probe.measure("relu", 1, 1.0)
    assert norms.depth == 1
    assert backprop.ProbeNetworks(2, 1, batch=1).X.shape == (1, 2)
    for args, kwargs, message in [
        ((0, 1), {}, r"^width must be >= 1, got 0"),
        ((1, 0), {}, r"^max_depth must be >= 1, got 0"),
        ((1, 1), {"batch": 0}, r"^batch must be >= 1, got 0"),
        ((1, 1), {"seed": -1}, r"^seed must be >= 0, got -1"),
    ]:
        with pytest.raises(ValueError, match=message):
            backprop.ProbeNetworks(*args, **kwargs)
    for args, message in [
        (("softmax", 1, 1.0), r"^activation must be one of"),
        (("relu", 0, 1.0), r"^depth must be >= 1, got 0"),
        (("relu", 2, 1.0), r"^depth must be <= 1, got 2"),
        (("relu", 1, 0.0), r"^gain must be > 0"),
    ]:
        with pytest.raises(ValueError, match=message):
            probe.measure(*args)


def test_probe_norms_refuses_a_reused_network_of_another_depth():
    # A reused network must have one weight matrix per drawn matrix: a shallower one would
    # leave draws unused and a deeper one would keep stale weights in its last layers, and
    # either would report norms of some other network than W_l = gain / sqrt(n) * units[l].
    X, r, units = backprop._probe_draws(np.random.default_rng(0), 4, 3, 3)
    zeros = [np.zeros(3)] * 3
    for net_depth, units_depth in ((2, 3), (3, 2)):
        net = MLP.from_arrays(list(units[:net_depth]), zeros[:net_depth], "tanh")
        with pytest.raises(ValueError, match=r"^zip\(\) argument 2 is (shorter|longer) than"):
            backprop._probe_norms("tanh", units[:units_depth], X, r, 1.0, "probe", net)
