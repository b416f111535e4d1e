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
        losses[clip] = h.loss
        assert h.global_grad_norm.max() > 10.0  # the raw gradients explode either way
    # Clipped, the loss stays at the level it started from (the exact trajectory is chaotic
    # and differs between BLAS builds, so no finer claim); unclipped it explodes.
    clipped, unclipped = losses["global_norm"], losses[None]
    assert np.all(np.isfinite(clipped)) and clipped[-8:].max() < 1.5 * clipped[0]
    assert unclipped[-1] > 1e6 * unclipped[0]


@pytest.mark.parametrize("clip", ["value", "norm"])
def test_rnn_training_with_value_and_norm_clipping(clip):
    X, y = data.adding_problem(64, 20, seed=0)
    net = RNN(2, 16, 1, "tanh", recurrent_scale=2.0, seed=0)
    before = [p.copy() for p in net.get_params()]
    raw = net.loss_and_gradients(X, y).as_list()
    h = train(
        net,
        X,
        y,
        epochs=1,
        batch_size=64,
        lr=0.5,
        clip=clip,
        clip_threshold=0.05,
        seed=0,
        progress=False,
    )
    assert h.clipped[0] and len(h.loss) == 1
    np.testing.assert_allclose(h.grad_norms[0], [np.linalg.norm(g) for g in raw], rtol=1e-12)
    for a, b, g in zip(net.get_params(), before, raw, strict=True):
        step = b - a  # = lr * clipped gradient (one step, no momentum)
        if clip == "value":
            np.testing.assert_allclose(step, 0.5 * np.clip(g, -0.05, 0.05), rtol=1e-12)
        else:
            assert np.linalg.norm(step) <= 0.5 * 0.05 * (1 + 1e-9)
            scale = min(1.0, 0.05 / (np.linalg.norm(g) + 1e-6))
            np.testing.assert_allclose(step, 0.5 * scale * g, rtol=1e-9, atol=1e-300)
    # Later epochs keep training (and clipping) without diverging.
    h = train(net, X, y, epochs=5, batch_size=16, lr=0.1, clip=clip, seed=0, progress=False)
    assert not h.diverged and np.all(np.isfinite(h.loss))


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
    # The report names exactly the tensors whose gradient is non-finite at the last step.
    bad = [n for n, g in zip(h.param_names, h.grad_norms[-1], strict=True) if not np.isfinite(g)]
    if bad:
        assert f"non-finite gradient in {', '.join(bad)} ({len(bad)} of 6 tensors)" in h.divergence
    else:
        assert "all gradients finite" in h.divergence and not np.isfinite(h.loss[-1])
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
    with pytest.raises(ValueError, match="X"):
        train(MLP([2, 3, 2], seed=0), np.ones((0, 2)), np.ones(0), seed=0, progress=False)
    ragged = [[0.0, 1.0], [1.0]] * 8
    for loss in ("mse", "cross_entropy"):
        with pytest.raises(TypeError, match="y"):
            train(MLP([2, 3, 2], seed=0), X, ragged, loss=loss, seed=0, progress=False)
    with pytest.raises(ValueError, match="y"):
        train(MLP([2, 3, 2], seed=0), X, y + 0.5, loss="cross_entropy", seed=0, progress=False)


def test_accuracy_needs_integer_labels():
    X, y = data.xor(16, seed=0)
    net = MLP([2, 3, 2], seed=0)
    assert accuracy(net, X, y.astype(float)) == accuracy(net, X, y)  # whole numbers are fine
    with pytest.raises(ValueError, match="y"):
        accuracy(net, X, np.full(16, 0.5))
    with pytest.raises(ValueError, match="y"):
        accuracy(net, X, np.full(16, 2))  # only classes 0 and 1
    with pytest.raises(ValueError, match="y"):
        accuracy(net, X, y[:5])
    with pytest.raises(TypeError, match="model"):
        accuracy("net", X, y)


# --- documented defaults and conditions, each pinned -----------------------------------------


def _histories_equal(a, b):
    np.testing.assert_array_equal(a.loss, b.loss)
    np.testing.assert_array_equal(a.grad_norms, b.grad_norms)
    np.testing.assert_array_equal(a.clipped, b.clipped)


def test_defaults_are_mse_10_epochs_batch_32_lr_01_no_momentum_no_clipping():
    X, y = data.moons(100, seed=0)  # 100 rows: 4 steps per epoch with batches of 32
    nets = [MLP([2, 8, 1], seed=0) for _ in range(2)]
    default = train(nets[0], X, y, seed=3, progress=False)
    explicit = train(
        nets[1],
        X,
        y,
        loss="mse",
        epochs=10,
        batch_size=32,
        lr=0.1,
        momentum=0.0,
        clip=None,
        seed=3,
        progress=False,
    )
    assert default.loss.shape == (40,) and default.epochs == 10
    _histories_equal(default, explicit)
    assert not default.clipped.any()
    for a, b in zip(nets[0].get_params(), nets[1].get_params(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_default_clip_threshold_is_one():
    X, y = data.moons(64, seed=0)
    runs = []
    for threshold in (None, 1.0):
        net = MLP([2, 8, 1], seed=0)
        extra = {} if threshold is None else {"clip_threshold": threshold}
        runs.append(
            train(net, X, 100.0 * y, epochs=2, clip="global_norm", seed=0, progress=False, **extra)
        )
    assert runs[0].clipped.all() and runs[0].global_grad_norm.min() > 10.0
    _histories_equal(*runs)


def test_rows_are_shuffled_with_the_seed():
    # Step 0 is the loss of the untrained network on the rows permutation(n)[:batch_size]
    # of numpy.random.default_rng(seed).
    X, y = data.moons(100, seed=0)
    for seed in (3, 4):
        net = MLP([2, 8, 1], seed=0)
        rows = np.random.default_rng(seed).permutation(100)[:32]
        expected = net.loss_and_gradients(X[rows], y[rows]).loss
        h = train(net, X, y, epochs=1, seed=seed, progress=False)
        assert h.loss[0] == expected
    assert h.loss[0] != MLP([2, 8, 1], seed=0).loss_and_gradients(X[:32], y[:32]).loss


def test_norm_clipping_is_flagged_when_any_tensor_is_clipped():
    X, y = data.moons(32, seed=0)
    net = MLP([2, 8, 1], seed=0)
    norms = [np.linalg.norm(g) for g in net.loss_and_gradients(X, y).as_list()]
    between = (min(norms) + max(norms)) / 2
    for threshold, flagged in ((between, True), (1.01 * max(norms), False)):
        h = train(
            net.copy(),
            X,
            y,
            epochs=1,
            batch_size=32,
            clip="norm",
            clip_threshold=threshold,
            seed=0,
            progress=False,
        )
        assert h.clipped[0] == flagged


def test_value_clipping_is_flagged_for_large_negative_entries():
    # A linear unit with output 0 and target 10: every gradient entry is -20.
    net = MLP.from_arrays([np.zeros((1, 1))], [np.zeros(1)])
    h = train(
        net, np.ones((1, 1)), np.full(1, 10.0), epochs=1, clip="value", seed=0, progress=False
    )
    assert h.grad_norms[0].tolist() == [20.0, 20.0]
    assert h.clipped[0]
    assert net.weights[0][0, 0] == pytest.approx(0.1) and net.biases[0][0] == pytest.approx(0.1)


# --- train against its definition: plain SGD with momentum and clipping, written out here -----


def _reference(net, X, y, *, loss, epochs, batch_size, lr, momentum, clip, threshold, seed):
    """Minibatch SGD as the docstring defines it, with NumPy alone (no gradlab.clipping)."""
    rng = np.random.default_rng(seed)
    params = net.get_params()
    velocity = [np.zeros_like(p) for p in params]
    losses, norms, globals_, flags = [], [], [], []
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            idx = order[start : start + batch_size]
            result = net.loss_and_gradients(X[idx], y[idx], loss)
            grads = [g.copy() for g in result.as_list()]
            each = [float(np.sqrt(np.sum(g**2))) for g in grads]
            total = float(np.sqrt(sum(n**2 for n in each)))
            losses.append(result.loss)
            norms.append(each)
            globals_.append(total)
            if clip == "global_norm":
                flags.append(total > threshold)
                scale = threshold / (total + 1e-6) if total > threshold else 1.0
                grads = [g * scale for g in grads]
            elif clip == "norm":
                flags.append(any(n > threshold for n in each))
                scales = [threshold / (n + 1e-6) if n > threshold else 1.0 for n in each]
                grads = [g * c for g, c in zip(grads, scales, strict=True)]
            elif clip == "value":
                flags.append(any(np.max(np.abs(g)) > threshold for g in grads))
                grads = [np.clip(g, -threshold, threshold) for g in grads]
            else:
                flags.append(False)
            for p, v, g in zip(params, velocity, grads, strict=True):
                v[...] = momentum * v + g
                p -= lr * v
    return np.array(losses), np.array(norms), np.array(globals_), np.array(flags)


@pytest.mark.parametrize(
    ("loss", "clip", "threshold"),
    [
        ("mse", None, 1.0),
        ("cross_entropy", "global_norm", 0.5),
        ("mse", "norm", 0.7),
        ("cross_entropy", "value", 0.2),
    ],
)
def test_train_is_minibatch_sgd_with_momentum_as_defined(loss, clip, threshold):
    X, y = data.moons(13, seed=3)  # 13 rows, batches of 5: the last batch of an epoch has 3
    if loss == "mse":
        y = y[:, None].astype(float)
        sizes = [2, 5, 1]
    else:
        sizes = [2, 5, 2]
    kwargs = dict(epochs=3, batch_size=5, lr=0.3, momentum=0.6, seed=11)
    net, ref = MLP(sizes, "tanh", seed=2), MLP(sizes, "tanh", seed=2)
    h = train(net, X, y, loss=loss, clip=clip, clip_threshold=threshold, progress=False, **kwargs)
    want = _reference(ref, X, y, loss=loss, clip=clip, threshold=threshold, **kwargs)
    np.testing.assert_allclose(h.loss, want[0], rtol=1e-10)
    np.testing.assert_allclose(h.grad_norms, want[1], rtol=1e-10)
    np.testing.assert_allclose(h.global_grad_norm, want[2], rtol=1e-10)
    np.testing.assert_array_equal(h.clipped, want[3])
    if clip is not None:
        assert 0 < h.clipped.sum() < len(h.clipped)  # the threshold is met on some steps only
    for p, q in zip(net.get_params(), ref.get_params(), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-9, atol=1e-12)
    assert len(h.loss) == 3 * 3 and h.epochs == 3 and not h.diverged
    assert h.diverged_at is None and h.divergence is None
    assert h.param_names == ["W1", "b1", "W2", "b2"]
    np.testing.assert_array_equal(h.weight_grad_norms, h.grad_norms[:, [0, 2]])


def test_accuracy_is_the_share_of_rows_whose_largest_score_is_the_label():
    X, y = data.xor(21, seed=1)
    net = MLP([2, 4, 3], seed=5)
    scores = net.forward(X)
    want = sum(int(np.argmax(s) == label) for s, label in zip(scores, y, strict=True)) / 21
    assert accuracy(net, X, y) == want
    assert 0 < want < 1


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"momentum": 1.0}, ValueError, "momentum must be < 1, got 1.0"),
        ({"progress": "no"}, TypeError, "progress must be True or False, got 'no'"),
        ({"lr": 0.0}, ValueError, "lr must be > 0.0, got 0.0"),
        ({"momentum": -0.5}, ValueError, "momentum must be >= 0.0, got -0.5"),
        ({"epochs": 0}, ValueError, "epochs must be >= 1, got 0"),
        ({"batch_size": 0}, ValueError, "batch_size must be >= 1, got 0"),
        ({"clip_threshold": 0.0}, ValueError, "clip_threshold must be > 0.0, got 0.0"),
        ({"clip": 1}, TypeError, "clip must be a string, one of"),
        ({"loss": "l1"}, ValueError, "loss must be one of ['mse', 'cross_entropy'], got 'l1'"),
    ],
)
def test_train_refusals_are_worded_exactly(kwargs, error, message):
    X, y = data.xor(16, seed=0)
    kwargs = {"seed": 0, "progress": False, **kwargs}
    with pytest.raises(error) as caught:
        train(MLP([2, 3, 2], seed=0), X, y, **kwargs)
    assert str(caught.value).startswith(message)


def test_train_and_accuracy_refusals_name_what_was_given():
    X, y = data.xor(16, seed=0)
    net = MLP([2, 3, 2], seed=0)
    with pytest.raises(TypeError) as caught:
        train("net", X, y, seed=0, progress=False)
    assert str(caught.value) == "model must be a gradlab MLP or RNN, got str"
    with pytest.raises(ValueError) as caught:
        train(net, np.ones((0, 2)), np.ones(0), seed=0, progress=False)
    assert str(caught.value) == "X must have at least one row, got an empty array"
    with pytest.raises(ValueError) as caught:
        train(net, X, y[:5], seed=0, progress=False)
    assert str(caught.value) == "y must have one row per row of X (16), got shape (5,)"
    with pytest.raises(TypeError) as caught:
        accuracy("net", X, y)
    assert str(caught.value) == "model must be a gradlab MLP, got str"


def test_momentum_just_below_one_and_zero_are_allowed():
    X, y = data.xor(8, seed=0)
    for momentum in (0.0, float(np.nextafter(1.0, 0.0))):
        net = MLP([2, 3, 2], seed=0)
        h = train(
            net, X, y, loss="cross_entropy", momentum=momentum, epochs=1, seed=0, progress=False
        )
        assert len(h.loss) == 1


def test_a_loss_that_overflows_with_finite_gradients_is_reported_as_such():
    X, y = data.xor(8, seed=0)
    net = MLP([2, 1], seed=0)  # no hidden layer: the gradients are X^T d and d, finite
    net.get_params()[1][...] = 1e160  # the bias: every output 1e160, its square overflows
    h = train(net, X, y[:, None].astype(float), epochs=3, seed=0, progress=False)
    assert h.diverged_at == 0 and h.epochs == 0 and len(h.loss) == 1
    assert h.loss[0] == np.inf and np.all(np.isfinite(h.grad_norms[0]))
    assert h.divergence == "training diverged at step 0 (epoch 0): loss = inf; all gradients finite"


def test_the_progress_bar_counts_every_step(capsys):
    X, y = data.xor(40, seed=0)  # batches of 16: 3 steps an epoch, 6 in all
    h = train(MLP([2, 3, 2], seed=0), X, y, loss="cross_entropy", epochs=2, batch_size=16, seed=0)
    assert len(h.loss) == 6
    assert "6/6" in capsys.readouterr().err


def test_a_generator_is_used_as_given_and_matches_its_seed():
    X, y = data.xor(20, seed=0)
    kwargs = dict(loss="cross_entropy", epochs=2, batch_size=8, progress=False)
    a = train(MLP([2, 3, 2], seed=0), X, y, seed=4, **kwargs)
    b = train(MLP([2, 3, 2], seed=0), X, y, rng=np.random.default_rng(4), **kwargs)
    _histories_equal(a, b)
    assert a.clipped.dtype == bool and a.loss.shape == (6,)


def test_shapes_of_x_and_y_are_refused_in_words():
    X, y = data.xor(16, seed=0)
    net = MLP([2, 3, 2], seed=0)
    cases = [
        (dict(X=X[:, 0], y=y), "X must have 2 or 3 dimension(s), got shape (16,)"),
        (
            dict(X=X, y=y[:, None], loss="cross_entropy"),
            "y must have 1 dimension(s), got shape (16, 1)",
        ),
        (dict(X=X, y=y + 0.5, loss="cross_entropy"), "y must hold integer class labels, got 0.5"),
        (dict(X=X, y=y[:, None, None]), "y must have 1 or 2 dimension(s), got shape (16, 1, 1)"),
    ]
    for kwargs, message in cases:
        with pytest.raises(ValueError) as caught:
            train(net, seed=0, progress=False, **kwargs)
        assert str(caught.value) == message
    with pytest.raises(ValueError) as caught:
        accuracy(net, X, np.full(16, 2))
    assert str(caught.value) == "y must hold class labels in 0..1, got 2"


def test_the_bar_shows_its_name_unit_count_and_last_loss(capsys):
    import re

    X, y = data.xor(40, seed=0)  # batches of 16: 3 steps an epoch, 6 in all
    h = train(MLP([2, 3, 2], seed=0), X, y, loss="cross_entropy", epochs=2, batch_size=16, seed=0)
    err = capsys.readouterr().err
    assert re.search(r"(^|[\r\n])train: ", err)
    assert "step/s" in err or "s/step" in err
    counts = [int(c) for c in re.findall(r"\| (\d+)/6 ", err)]
    assert counts and counts[-1] == 6 and max(counts) == 6
    assert not re.search(r"\d+step ", err)  # no count past the total (tqdm drops "/6" there)
    assert f"loss={h.loss[-1]:.4g}" in err and f"loss={h.loss[2]:.4g}" in err


def test_the_divergence_report_is_printed_when_the_bar_is_shown(capsys):
    X, y = data.xor(8, seed=0)
    net = MLP([2, 1], seed=0)
    net.get_params()[1][...] = 1e160
    h = train(net, X, y[:, None].astype(float), epochs=1, seed=0)
    out = capsys.readouterr()
    assert h.divergence in out.out + out.err


def test_an_update_that_overflows_is_reported_without_a_warning():
    X, y = data.xor(8, seed=0)
    net = MLP([2, 1], seed=0)
    net.get_params()[1][...] = 1e153  # loss 1e306 is finite; lr * gradient overflows
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train(net, X, y[:, None].astype(float), lr=1e160, epochs=2, seed=0, progress=False)
    assert h.diverged_at == 1 and np.isfinite(h.loss[0])


def test_an_rnn_is_trained_on_the_loss_asked_for():
    X, _ = data.adding_problem(8, 4, seed=0)
    labels = np.zeros(8, dtype=int)  # class labels pass train's own check; the RNN refuses
    with pytest.raises(ValueError, match="^loss must be one of \\['mse'\\]"):
        train(RNN(2, 3, seed=0), X, labels, loss="cross_entropy", seed=0, progress=False)


@pytest.mark.parametrize("clip", ["value", "norm", "global_norm"])
def test_a_gradient_exactly_at_the_threshold_is_not_flagged(clip):
    """The flag means 'clipping changed the gradient': at exactly the threshold it does not."""
    X, y = data.xor(12, seed=0)
    kwargs = dict(loss="cross_entropy", epochs=1, batch_size=12, seed=0, progress=False)
    free = train(MLP([2, 3, 2], seed=0), X, y, **kwargs)
    rows = np.random.default_rng(0).permutation(12)
    grads = MLP([2, 3, 2], seed=0).loss_and_gradients(X[rows], y[rows], "cross_entropy")
    at = {
        "value": max(float(np.max(np.abs(g))) for g in grads.as_list()),
        "norm": float(np.max(free.grad_norms[0])),
        "global_norm": float(free.global_grad_norm[0]),
    }[clip]
    h = train(MLP([2, 3, 2], seed=0), X, y, clip=clip, clip_threshold=at, **kwargs)
    assert not h.clipped[0]
    h = train(MLP([2, 3, 2], seed=0), X, y, clip=clip, clip_threshold=at * (1 - 1e-12), **kwargs)
    assert h.clipped[0]


def test_a_scalar_target_is_refused_before_any_step():
    X, _ = data.xor(16, seed=0)
    net = MLP([2, 3, 2], seed=0)
    for loss, message in [
        ("mse", "y must have 1 or 2 dimension(s), got shape ()"),
        ("cross_entropy", "y must have 1 dimension(s), got shape ()"),
    ]:
        with pytest.raises(ValueError) as caught:
            train(net, X, 1.0, loss=loss, seed=0, progress=False)
        assert str(caught.value) == message
