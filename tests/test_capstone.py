"""Chapter 6's ladder: the training loop records what it claims, the cache is what the code
computes, the table, the checklist and the progress bar."""

import math
from dataclasses import replace

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

from gradlab import capstone, data
from gradlab.network import MLP, cross_entropy
from gradlab.progress import WidgetBar
from gradlab.seeds import summarize

TINY = replace(capstone.SETUP, depth=5, width=8, n_samples=64, steps=30, record_every=10)


def test_rungs_are_the_ladder_of_the_chapter():
    assert list(capstone.RUNGS) == [
        "sigmoid_normal",
        "sigmoid_xavier",
        "relu_he",
        "relu_he_spike",
        "relu_he_clip",
        "residual",
        "layer_norm",
    ]
    r = capstone.RUNGS
    assert r["relu_he_spike"].lr == r["relu_he_clip"].lr > r["relu_he"].lr
    assert r["relu_he_clip"].clip is not None and r["relu_he_spike"].clip is None
    assert r["residual"].scale_for(16) == pytest.approx(1 / math.sqrt(14))
    net = capstone.build_network("layer_norm")
    assert net.layer_norm and net.depth == capstone.SETUP.depth == 16
    assert capstone.build_network("residual").residual_layers.count(True) == 14


def test_same_setup_same_numbers():
    a = capstone.train_rung("relu_he", TINY, progress=False)
    b = capstone.train_rung("relu_he", TINY, progress=False)
    for field in ("loss", "grad_norm", "update_ratio", "accuracy", "dead_fraction"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))


def test_first_step_diagnostics_are_what_they_claim():
    run = capstone.train_rung("sigmoid_xavier", TINY, steps=1, progress=False)
    X, y = TINY.dataset()
    net = capstone.build_network("sigmoid_xavier", TINY)
    idx = np.random.default_rng(TINY.shuffle_seed).permutation(len(X))[: TINY.batch_size]
    grads = net.loss_and_gradients(X[idx], y[idx], "cross_entropy")
    assert run.loss[0] == grads.loss
    np.testing.assert_allclose(run.grad_norm[0], [np.linalg.norm(g) for g in grads.weight_grads])
    lr = capstone.RUNGS["sigmoid_xavier"].lr
    after = [W - lr * g for W, g in zip(net.weights, grads.weight_grads, strict=True)]
    want = [
        lr * np.linalg.norm(g) / np.linalg.norm(W)
        for W, g in zip(after, grads.weight_grads, strict=True)
    ]
    np.testing.assert_allclose(run.update_ratio[0], want, rtol=1e-12)
    full_loss, _ = cross_entropy(net.forward(X), y)
    assert run.full_loss[0] == pytest.approx(full_loss, rel=1e-12)
    assert run.accuracy[0] == np.mean(np.argmax(net.forward(X), axis=1) == y)
    d = net.diagnostics(X)
    np.testing.assert_array_equal(run.saturated_fraction[0], d.saturated_fraction[:-1])
    assert list(run.record_steps) == [0, 1]


def test_clipping_acts_above_its_threshold_only():
    run = capstone.train_rung("relu_he_clip", TINY, progress=False)
    threshold = capstone.RUNGS["relu_he_clip"].clip
    np.testing.assert_array_equal(run.clipped, run.global_grad_norm > threshold)


def test_divergence_stops_training_and_is_reported():
    wild = capstone.Rung("wild", "wild", "identity", "he_normal", lr=1e3)  # a linear net blows up
    run = capstone.train_rung(wild, TINY, progress=False)
    assert run.diverged_at is not None and run.diverged_at < TINY.steps
    assert np.all(np.isnan(run.loss[run.diverged_at + 1 :]))
    assert "diverged at" in str(capstone.results_table([run]))


def test_seeds_change_the_draws_not_the_task():
    assert capstone.SETUP.for_seed(0) == capstone.SETUP
    one = capstone.SETUP.for_seed(1)
    assert (one.init_seed, one.shuffle_seed, one.data_seed) == (3, 4, capstone.SETUP.data_seed)
    assert len(capstone.LADDER_SEEDS) >= 5
    a = capstone.build_network("relu_he", capstone.SETUP.for_seed(0)).weights[1]
    b = capstone.build_network("relu_he", capstone.SETUP.for_seed(1)).weights[1]
    assert not np.array_equal(a, b)
    with pytest.raises(ValueError, match="seed"):
        capstone.SETUP.for_seed(-1)
    with pytest.raises(ValueError, match="seed"):
        capstone.load_ladder(seed=len(capstone.LADDER_SEEDS))


def test_cached_ladder_is_what_the_code_computes():
    # The cache's first 40 steps, retrained now, for every rung, depth and seed (cheap subset).
    runs = capstone.load_ladder_seeds()
    steps = 40
    for (name, depth), group in runs.items():
        assert len(group) == len(capstone.LADDER_SEEDS)
        for seed, cached in zip(capstone.LADDER_SEEDS, group, strict=True):
            setup = replace(capstone.SETUP.for_seed(seed), depth=depth)
            fresh = capstone.train_rung(name, setup, steps=steps, progress=False)
            where = f"{name}@{depth}#{seed}"
            # A run that diverges inside the prefix: the same step, the same losses before it.
            assert fresh.diverged_at == (
                cached.diverged_at
                if cached.diverged_at is not None and cached.diverged_at < steps
                else None
            ), where
            n = steps if fresh.diverged_at is None else fresh.diverged_at
            np.testing.assert_allclose(fresh.loss[:n], cached.loss[:n], rtol=1e-5, err_msg=where)
            k = len(fresh.record_steps) - 1  # the last fresh record is after step 40: not cached
            if fresh.diverged_at is None:
                np.testing.assert_allclose(fresh.grad_norm[:k], cached.grad_norm[:k], rtol=1e-5)
                np.testing.assert_allclose(
                    fresh.update_ratio[:k], cached.update_ratio[:k], rtol=1e-5
                )
                np.testing.assert_allclose(fresh.accuracy[:k], cached.accuracy[:k])
            assert len(cached.loss) == capstone.SETUP.steps
    assert capstone.load_ladder(seed=1)[("relu_he", 16)] is runs[("relu_he", 16)][1]


def test_the_ladder_tells_the_chapters_story():
    # What the chapter says of each rung holds over the seeds (in the median, or in every run
    # where the chapter says "every").
    runs = capstone.load_ladder_seeds()
    d = capstone.SETUP.depth

    def final(name):
        return summarize([r.final_accuracy for r in runs[(name, d)]])

    def reached(name):
        return [capstone.steps_to_accuracy(r) for r in runs[(name, d)]]

    assert all(r.accuracy.max() < 0.6 for r in runs[("sigmoid_xavier", d)])  # never learns
    assert final("relu_he").median > 0.9
    for run in runs[("relu_he_spike", d)]:  # lr x 3: the ReLUs die, or the run diverges
        if run.diverged_at is None:
            assert np.mean(run.dead_fraction[-1]) > 0.5 and run.final_accuracy < 0.75
    assert final("relu_he_clip").median > final("relu_he_spike").median + 0.2
    res, he = reached("residual"), reached("relu_he")
    assert all(r is not None for r in res)  # residual: every seed reaches 90%
    assert np.median(res) < np.median([np.inf if r is None else r for r in he])
    assert all(0.69 < r.final_accuracy < 0.71 for r in runs[("layer_norm", d)])


def test_results_table_over_seeds():
    runs = capstone.load_ladder_seeds()
    group = runs[("relu_he_spike", 16)]
    row = capstone.results_table([group]).rows[0]
    finals = summarize([r.final_accuracy for r in group])
    diverged = sum(r.diverged_at is not None for r in group)
    kept = len(group) - diverged
    assert diverged >= 1 and row[2] == f"{finals.format('.3f')} of {kept}, {diverged} diverged"
    he = runs[("relu_he", 16)]
    steps = [capstone.steps_to_accuracy(r) for r in he]
    hits = sorted(s for s in steps if s is not None)
    median = np.median([np.inf if s is None else s for s in steps])
    want = f"{median:.0f} ({hits[0]} to {hits[-1]}), {len(hits)} of {len(he)}"
    assert capstone.results_table([he]).rows[0][3] == want
    assert capstone.results_table([runs[("sigmoid_xavier", 16)]]).rows[0][3] == "0 of 5"
    table = capstone.results_table([he, runs[("residual", 16)]])
    assert "median (smallest to largest) over 5 seeds" in table.caption
    with pytest.raises(ValueError, match="one rung"):
        capstone.results_table([(he[0], runs[("residual", 16)][0])])
    with pytest.raises(TypeError, match="runs"):
        capstone.results_table([(he[0], "run")])


def test_results_table_and_steps_to_target():
    run = capstone.train_rung("relu_he", TINY, progress=False)
    run.accuracy[:] = [0.5, 0.95, 0.97, 0.99]
    assert capstone.steps_to_accuracy(run, 0.9) == 10
    assert capstone.steps_to_accuracy(run, 0.999) is None
    table = capstone.results_table([run], target=0.999)
    assert table.rows[0][3] == "did not reach" and table.rows[0][2] == "0.990"
    md = table._repr_markdown_()
    assert md.splitlines()[2].startswith("| rung | final loss")
    html = capstone.Table(["a", "b"], [["<x>", "1|2"]])._repr_html_()
    assert "&lt;x&gt;" in html and "<table" in html
    # Lines break between words only, never inside a number such as 3.5e-04.
    cell = capstone.Table(["a"], [["3.5e-04 (1e-05 to 2)"]])._repr_html_()
    nowrap = '<span style="white-space:nowrap">'
    assert f"{nowrap}3.5e-04</span> {nowrap}(1e-05</span> {nowrap}to</span>" in cell
    # Every cell is padded, so columns do not run together at phone width.
    assert html.count(f"padding:{capstone.CELL_PADDING}") == 4
    assert table.header[5] == "median update ratio (all layers, last ¼)"
    assert "1\\|2" in capstone.Table(["a", "b"], [["x", "1|2"]])._repr_markdown_()
    with pytest.raises(ValueError, match="rows"):
        capstone.Table(["a"], [["1", "2"]])
    with pytest.raises(TypeError, match="runs"):
        capstone.results_table(["run"])


def test_residual_connections_at_initialization():
    norms = capstone.residual_gradient_norms(depth=30, width=64, seed=0)
    rel = {k: v[0] / v[-1] for k, v in norms.items() if k != "alpha"}
    assert rel["residual"] > 2 ** (29 / 2)  # alpha = 1: at least sqrt(2) per layer
    assert 0.3 < rel["residual_scaled"] < 5 and 0.3 < rel["plain"] < 3
    assert rel["tanh_plain"] < 0.5
    assert float(norms["alpha"]) == pytest.approx(1 / math.sqrt(29))


def test_checklist_is_complete_and_renders():
    assert len(capstone.CHECKLIST) >= 6
    for item in capstone.CHECKLIST:
        assert all(len(getattr(item, f)) > 5 for f in item.__dataclass_fields__)
    assert "clip_grad_norm_" in capstone.CHECKLIST[2].pytorch
    assert "global_clipnorm" in capstone.CHECKLIST[2].keras
    assert "optax.clip_by_global_norm" in capstone.CHECKLIST[2].jax
    # The residual fix keeps its branch scale in every framework.
    assert all("alpha" in f for f in (capstone.CHECKLIST[4].pytorch, capstone.CHECKLIST[4].jax))
    assert "Rescaling(alpha)" in capstone.CHECKLIST[4].keras
    full = capstone.checklist()
    assert full.header[-3:] == ["PyTorch", "Keras", "JAX"]
    assert capstone.checklist(framework="jax").header[-1] == "JAX"
    with pytest.raises(ValueError, match="framework"):
        capstone.checklist(framework="mxnet")


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="rung"):
        capstone.train_rung("relu_xavier", TINY, progress=False)
    with pytest.raises(TypeError, match="setup"):
        capstone.train_rung("relu_he", {"depth": 3}, progress=False)
    with pytest.raises(ValueError, match="steps"):
        capstone.train_rung("relu_he", TINY, steps=0, progress=False)
    with pytest.raises(TypeError, match="progress"):
        capstone.train_rung("relu_he", TINY, progress="yes")


def test_progress_bar_outside_a_kernel_writes_nothing_to_stdout(capsys):
    capstone.train_rung("relu_he", TINY, steps=5, progress=True)
    assert capsys.readouterr().out == ""


def test_progress_bar_in_a_kernel_leaves_only_fixed_text():
    # Run in a real kernel, as `make execute` does: the saved output is the fixed text only
    # (the widget's display is replaced when training ends), with nothing on stderr.
    nb = nbformat.v4.new_notebook()
    code = (
        "from dataclasses import replace\nfrom gradlab import capstone\n"
        "setup = replace(capstone.SETUP, depth=4, width=8, n_samples=64, steps=12)\n"
        "run = capstone.train_rung('relu_he', setup)"
    )
    nb.cells.append(nbformat.v4.new_code_cell(code))
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    outputs = nb.cells[0].outputs
    assert [o["output_type"] for o in outputs] == ["display_data"], outputs
    assert outputs[0]["data"] == {"text/plain": "training relu_he: 12 steps"}


def test_widget_bar_shows_the_same_text_before_and_after(monkeypatch):
    # nbval records the first display (it ignores widget views and display updates): its
    # text/plain must be the text the saved notebook ends with.
    pytest.importorskip("IPython")
    import IPython.display

    shown = []

    class Handle:
        def update(self, obj, raw=False):
            shown.append(("update", obj))

    def display(obj, raw=False, display_id=None):
        shown.append(("display", obj))
        return Handle()

    monkeypatch.setattr(IPython.display, "display", display)
    bar = WidgetBar(3, "training x: 3 steps")
    bar.update(3)
    bar.close()
    (kind0, first), (kind1, last) = shown
    assert (kind0, kind1) == ("display", "update")
    assert first["text/plain"] == last["text/plain"] == "training x: 3 steps"
    assert WidgetBar.WIDGET_VIEW in first and list(last) == ["text/plain"]


def test_data_and_network_are_the_engines():
    X, y = capstone.SETUP.dataset()
    X2, y2 = data.two_spirals(512, noise=0.05, turns=1.5, seed=0)
    np.testing.assert_array_equal(X, X2)
    assert isinstance(capstone.build_network("relu_he"), MLP)


# -- residual scaling: the (1 + 1/B)^B estimate needs the cross term to vanish -----------------


def test_residual_forward_growth_is_its_definition():
    rng = np.random.default_rng(3)
    a0 = rng.standard_normal((32, 16))
    a = a0
    for _ in range(5):
        w = rng.standard_normal((16, 16)) * np.sqrt(2 / 16)
        v = rng.standard_normal((16, 16)) / 4.0
        a = a + 0.5 * np.maximum(a @ w, 0) @ v
    got = capstone.residual_forward_growth(
        5, block="linear_end", alpha=0.5, width=16, batch=32, seeds=(3,)
    )
    assert got.values[0] == pytest.approx(np.mean(a**2) / np.mean(a0**2), rel=1e-12)
    assert capstone.residual_forward_growth(7, alpha=0.0, seeds=(0,)).values[0] == 1.0


def test_the_bound_holds_only_for_a_zero_mean_branch():
    for blocks in (14, 56):
        bound = (1 + 1 / blocks) ** blocks
        linear = capstone.residual_forward_growth(blocks, block="linear_end", seeds=range(20))
        assert linear.median == pytest.approx(bound, rel=0.15)
        relu = capstone.residual_forward_growth(blocks, block="relu_end", seeds=range(20))
        assert relu.low > 5 * bound  # the positive mean: first order in alpha, unbounded
    deeper = capstone.residual_forward_growth(56, seeds=range(5)).median
    assert deeper > 5 * capstone.residual_forward_growth(14, seeds=range(5)).median


def test_residual_forward_growth_validates():
    with pytest.raises(ValueError, match="block"):
        capstone.residual_forward_growth(3, block="post")
    with pytest.raises(ValueError, match="blocks"):
        capstone.residual_forward_growth(0)
    with pytest.raises(ValueError, match="alpha"):
        capstone.residual_forward_growth(3, alpha=-1.0)


def test_describe_early_reads_the_run():
    runs = capstone.load_ladder_seeds()[("relu_he_spike", 16)]
    dying = runs[0]
    k = list(dying.record_steps).index(80)
    text = capstone.describe_early(dying, 80)
    assert f"{np.mean(dying.dead_fraction[k]):.0%} dead" in text
    assert f"({dying.dead_fraction[k][-1]:.0%} of the last layer)" in text
    top = int(np.nanargmax(dying.global_grad_norm))
    assert f"largest |g| {dying.global_grad_norm[top]:.3g} at step {top}" in text
    exploded = next(r for r in runs if r.diverged_at is not None)
    text = capstone.describe_early(exploded, 80)
    last = exploded.global_grad_norm[exploded.diverged_at - 1]
    assert text.endswith(f"diverged at step {exploded.diverged_at}") and f"{last:.2g};" in text
    with pytest.raises(ValueError, match="recorded step"):
        capstone.describe_early(dying, 81)


def test_unit_shares_and_median_update_ratios():
    run = capstone.load_ladder()[("sigmoid_normal", 16)]
    dead, sat = capstone.unit_shares(run, 0)
    assert dead == np.mean(run.dead_fraction[0]) and sat == np.mean(run.saturated_fraction[0])
    assert math.isnan(capstone.unit_shares(capstone.load_ladder()[("relu_he", 16)])[1])
    np.testing.assert_array_equal(
        capstone.median_update_ratios(run), np.nanmedian(run.update_ratio, axis=0)
    )
    exploded = capstone.load_ladder(seed=2)[("relu_he_spike", 16)]
    assert exploded.diverged_at is not None
    assert np.all(np.isnan(capstone.median_update_ratios(exploded)))


def test_the_checklists_numbers_are_the_ladders():
    runs = capstone.load_ladder_seeds()

    def median_steps(depth):
        steps = [capstone.steps_to_accuracy(r) for r in runs[("relu_he", depth)]]
        return np.median([np.inf if s is None else s for s in steps])

    want = "60 at depth 8, 920 at depth 16"
    assert (median_steps(8), median_steps(16)) == (60, 920)
    assert want in capstone.CHECKLIST[4].diagnostic
    spike = [r for r in runs[("relu_he_spike", 16)] if r.diverged_at is None]
    k = list(spike[0].record_steps).index(80)
    last = sorted(r.dead_fraction[k][-1] for r in spike)
    assert f"{last[0]:.0%} to {last[-1]:.0%}" in capstone.CHECKLIST[3].diagnostic
    assert len(spike) == 4 and "four seeds of five" in capstone.CHECKLIST[3].diagnostic
