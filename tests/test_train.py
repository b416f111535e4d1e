import warnings

import numpy as np
import pytest

from gradlab import data
from gradlab.network import MLP
from gradlab.rnn import RNN
from gradlab.train import accuracy, train


def test_same_seed_same_numbers():
    X, y = data.moons(100, seed=0)
    runs = []
    for _ in range(2):
        net = MLP([2, 16, 2], "tanh", seed=1)
        h = train(
            net,
            X,
            y,
            loss="cross_entropy",
            epochs=3,
            batch_size=16,
            momentum=0.9,
            seed=5,
            progress=False,
        )
        runs.append((h, net))
    np.testing.assert_array_equal(runs[0][0].loss, runs[1][0].loss)
    np.testing.assert_array_equal(runs[0][0].grad_norms, runs[1][0].grad_norms)
    np.testing.assert_array_equal(runs[0][1].weights[0], runs[1][1].weights[0])


def test_history_shapes_and_learning():
    X, y = data.xor(200, seed=0)
    net = MLP([2, 16, 2], "tanh", seed=0)
    start = accuracy(net, X, y)
    h = train(
        net, X, y, loss="cross_entropy", epochs=30, batch_size=32, lr=0.2, seed=0, progress=False
    )
    assert h.loss.shape == (30 * 7,) and h.grad_norms.shape == (30 * 7, 4)
    assert h.weight_grad_norms.shape == (30 * 7, 2) and h.param_names == ["W1", "b1", "W2", "b2"]
    assert h.epochs == 30 and h.diverged_at is None and not h.diverged
    assert h.loss[-7:].mean() < 0.5 * h.loss[:7].mean()
    assert accuracy(net, X, y) > max(start, 0.9)


def test_momentum_update_matches_manual_sgd():
    X, y = data.moons(40, seed=2)
    net = MLP([2, 5, 1], "tanh", seed=0)
    manual = net.copy()
    train(net, X, y, epochs=3, batch_size=40, lr=0.05, momentum=0.8, seed=0, progress=False)
    velocity = [np.zeros_like(p) for p in manual.get_params()]
    for _ in range(3):  # full batch: shuffling only permutes the rows
        grads = manual.loss_and_gradients(X, y).as_list()
        for p, v, g in zip(manual.get_params(), velocity, grads, strict=True):
            v[:] = 0.8 * v + g
            p -= 0.05 * v
    for a, b in zip(net.get_params(), manual.get_params(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_global_clipping_bounds_the_step():
    X, y = data.moons(64, seed=0)
    net = MLP([2, 32, 1], "relu", "standard_normal", init_options={"std": 3.0}, seed=0)
    before = [p.copy() for p in net.get_params()]
    h = train(
        net,
        X,
        y * 100.0,
        epochs=1,
        batch_size=64,
        lr=0.1,
        clip="global_norm",
        clip_threshold=0.5,
        seed=0,
        progress=False,
    )
    assert h.global_grad_norm[0] > 0.5 and h.clipped[0]
    step = np.sqrt(sum(np.sum((a - b) ** 2) for a, b in zip(net.get_params(), before, strict=True)))
    assert step <= 0.1 * 0.5 * (1 + 1e-9)


@pytest.mark.parametrize("clip", ["value", "norm"])
def test_other_clipping_modes_bound_the_step(clip):
    X, y = data.moons(64, seed=0)
    net = MLP([2, 8, 1], "tanh", "standard_normal", init_options={"std": 3.0}, seed=0)
    before = [p.copy() for p in net.get_params()]
    h = train(
        net,
        X,
        y * 100.0,
        epochs=1,
        batch_size=64,
        lr=1.0,
        clip=clip,
        clip_threshold=0.1,
        seed=0,
        progress=False,
    )
    assert h.clipped[0]
    for a, b in zip(net.get_params(), before, strict=True):
        if clip == "value":
            assert np.abs(a - b).max() <= 0.1 * (1 + 1e-12)
        else:
            assert np.linalg.norm(a - b) <= 0.1 * (1 + 1e-9)


def test_clipping_rescues_an_exploding_rnn():
    X, y = data.adding_problem(128, 30, seed=0)
    losses = {}
    for clip in (None, "global_norm"):
        net = RNN(2, 32, 1, "tanh", recurrent_scale=2.0, seed=0)
        h = train(
            net,
            X,
            y,
            epochs=10,
            batch_size=32,
            lr=0.1,
            clip=clip,
            clip_threshold=1.0,
            seed=0,
            progress=False,
        )
        losses[clip] = h.loss[-4:].mean()
        assert h.global_grad_norm.max() > 10.0  # the raw gradients explode either way
    assert losses["global_norm"] < 1.0 < losses[None]


def test_divergence_stops_with_a_report_and_no_warnings():
    X, y = data.moons(64, seed=0)
    net = MLP([2, 16, 16, 1], "relu", "he_normal", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train(
            net, X, y, epochs=200, batch_size=16, lr=5.0, momentum=0.9, seed=0, progress=False
        )
    assert h.diverged and h.diverged_at == len(h.loss) - 1
    assert not np.isfinite(h.loss[-1]) or not np.all(np.isfinite(h.grad_norms[-1]))
    assert np.all(np.isfinite(h.loss[:-1]))
    assert f"step {h.diverged_at}" in h.divergence
    assert "W" in h.divergence or "loss" in h.divergence
    assert h.epochs < 200


def test_progress_bar_can_be_turned_off(capsys):
    X, y = data.xor(32, seed=0)
    train(MLP([2, 4, 2], seed=0), X, y, loss="cross_entropy", epochs=2, seed=0, progress=False)
    assert capsys.readouterr().err == ""
    train(MLP([2, 4, 2], seed=0), X, y, loss="cross_entropy", epochs=2, seed=0, progress=True)
    assert "train" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lr": 0.0}, ValueError, "lr"),
        ({"momentum": 1.0}, ValueError, "momentum"),
        ({"clip": "l2"}, ValueError, "clip"),
        ({"clip": "norm", "clip_threshold": 0}, ValueError, "clip_threshold"),
        ({"epochs": 0}, ValueError, "epochs"),
        ({"batch_size": 0}, ValueError, "batch_size"),
        ({"loss": "hinge"}, ValueError, "loss"),
        ({"progress": "no"}, TypeError, "progress"),
        ({"seed": None}, ValueError, "rng"),
    ],
)
def test_bad_input_names_the_argument(kwargs, error, match):
    X, y = data.xor(16, seed=0)
    kwargs = {"seed": 0, "progress": False, **kwargs}
    with pytest.raises(error, match=match):
        train(MLP([2, 3, 2], seed=0), X, y, **kwargs)


def test_bad_model_and_data():
    X, y = data.xor(16, seed=0)
    with pytest.raises(TypeError, match="model"):
        train("net", X, y, seed=0, progress=False)
    with pytest.raises(ValueError, match="y"):
        train(MLP([2, 3, 2], seed=0), X, y[:5], seed=0, progress=False)
    with pytest.raises(ValueError, match="X"):
        train(MLP([2, 3, 2], seed=0), np.full((16, 2), np.nan), y, seed=0, progress=False)
