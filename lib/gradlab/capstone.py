"""Chapter 6, the capstone: diagnose and fix a deep network.

**The ladder.** One deep MLP (16 layers of 32 units by default) learns the two spirals of
:func:`gradlab.data.two_spirals` under a sequence of set-ups, each one remedy away from the
last (:data:`RUNGS`): sigmoid with standard-normal weights; sigmoid with Xavier weights; ReLU
with He weights; the same with a learning rate so large that gradients spike, without and with
clipping by global norm; residual connections; layer normalization. Every rung uses the same
data, the same initial random draws, the same order of minibatches and the same budget of steps
(:class:`Setup`). Training is minibatch SGD with momentum, ``v <- mu v + g``, ``theta <- theta
- lr v`` (PyTorch's ``torch.optim.SGD(lr, momentum)``), on the softmax cross-entropy.

**The diagnostics** (:class:`Run`), recorded while training:

* the minibatch loss and the global gradient norm at every step (before clipping);
* every ``record_every`` steps: the loss and accuracy on the whole data set, the norm of each
  layer's weight gradient ``||dLoss/dW_l||``, the *update-to-weight ratio*
  ``||lr v_l|| / ||W_l||`` of each layer (practitioners expect about ``1e-3``: far below, the
  layer barely learns; far above, it is unstable; CS231n notes, Karpathy's *makemore*
  lectures), and the dead and saturated fractions of each hidden layer on the whole data set
  (as :class:`gradlab.network.Diagnostics` defines them).

:func:`results_table` turns runs into one table (final loss, accuracy, steps to reach a target
accuracy or "did not reach"). :func:`checklist` is a practitioner's checklist.

**Time.** Training the whole ladder takes longer than a chapter may take to execute, so the
runs are cached: :func:`precompute` trains every rung (and the explorer's other depths) and
writes ``gradlab/_cache/capstone_ladder.npz``; :func:`load_ladder` reads it. The cache stores a
fingerprint of :data:`RUNGS` and :class:`Setup`, so a changed set-up refuses the stale cache
instead of showing it. ``tests/test_capstone.py`` retrains the first steps of every cached run
and compares. Regenerate with ``python -m gradlab.capstone``.

References
----------
He, K., Zhang, X., Ren, S., Sun, J. (2016). Deep residual learning for image recognition. CVPR.
Ba, J. L., Kiros, J. R., Hinton, G. E. (2016). Layer normalization. arXiv:1607.06450.
Pascanu, R., Mikolov, T., Bengio, Y. (2013). On the difficulty of training recurrent neural
networks. ICML.
"""

from __future__ import annotations

import hashlib
import html
import json
import math
import pathlib
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace

import numpy as np

from . import clipping, data, plotting
from ._validation import check_choice, check_int, check_real
from .network import MLP
from .progress import bar as progress_bar
from .seeds import SEEDS, SeedSummary, summarize

__all__ = [
    "Rung",
    "Setup",
    "SETUP",
    "RUNGS",
    "DEPTHS",
    "Run",
    "build_network",
    "train_rung",
    "precompute",
    "load_ladder",
    "load_ladder_seeds",
    "LADDER_SEEDS",
    "CACHE_PATH",
    "Table",
    "results_table",
    "steps_to_accuracy",
    "unit_shares",
    "describe_early",
    "median_update_ratios",
    "residual_gradient_norms",
    "RESIDUAL_BLOCKS",
    "residual_forward_growth",
    "ChecklistItem",
    "CHECKLIST",
    "checklist",
    "UPDATE_RATIO_RULE",
    "LOOKS",
    "plot_ladder_curves",
    "plot_layer_gradients",
    "plot_update_ratios",
    "plot_unit_health",
    "plot_residual_at_init",
]

#: The rule of thumb for ``||lr * update|| / ||W||`` per layer (CS231n; Karpathy).
UPDATE_RATIO_RULE = 1e-3

#: Where :func:`precompute` writes the ladder and :func:`load_ladder` reads it.
CACHE_PATH = pathlib.Path(__file__).resolve().parent / "_cache" / "capstone_ladder.npz"


@dataclass(frozen=True)
class Setup:
    """What every rung shares: data, network shape, seeds and budget.

    Attributes
    ----------
    depth, width
        Layers (weight matrices) and hidden width: ``[2] + [width] * (depth - 1) + [2]``.
    n_samples, noise, turns
        The two-spirals data set (:func:`gradlab.data.two_spirals`).
    steps, batch_size, momentum
        The budget of SGD steps, rows per minibatch, momentum ``mu``.
    record_every
        Steps between recordings of the per-layer diagnostics.
    target_accuracy
        The accuracy :func:`results_table` counts the steps to.
    data_seed, init_seed, shuffle_seed
        Seeds of the data, the initial weights and the order of the minibatches.
    """

    depth: int = 16
    width: int = 32
    n_samples: int = 512
    noise: float = 0.05
    turns: float = 1.5
    steps: int = 2000
    batch_size: int = 64
    momentum: float = 0.9
    record_every: int = 20
    target_accuracy: float = 0.9
    data_seed: int = 0
    init_seed: int = 1
    shuffle_seed: int = 2

    def dataset(self) -> data.Dataset:
        """The two spirals every rung learns."""
        return data.two_spirals(
            self.n_samples, noise=self.noise, turns=self.turns, seed=self.data_seed
        )

    def for_seed(self, seed: int) -> Setup:
        """The same set-up with the ``seed``-th draw of the weights and order of minibatches.

        ``init_seed = 1 + 2 seed`` and ``shuffle_seed = 2 + 2 seed``, so seed 0 is
        :data:`SETUP`'s own draws; the data (``data_seed``) are the same for every seed: the
        task stays fixed, the luck of the draw changes.
        """
        seed = check_int(seed, "seed", minimum=0)
        return replace(self, init_seed=1 + 2 * seed, shuffle_seed=2 + 2 * seed)


#: The chapter's set-up.
SETUP = Setup()

#: The depths the explorer offers (the ladder itself uses ``SETUP.depth``).
DEPTHS = (8, 16)

#: The seeds every rung is trained with (:meth:`Setup.for_seed`): the course reports the
#: ladder as the median and range over them (:mod:`gradlab.seeds`).
LADDER_SEEDS = SEEDS


@dataclass(frozen=True)
class Rung:
    """One set-up of the ladder.

    Attributes
    ----------
    name
        Short key (``"relu_he"``).
    label
        What it is, for tables and legends.
    activation, init, lr
        Hidden activation, weight initializer, learning rate.
    clip
        Threshold of clipping by global norm (:func:`gradlab.clipping.clip_by_global_norm`),
        or ``None``.
    residual, residual_scale, layer_norm
        Structure, as :class:`gradlab.network.MLP` takes it. A ``residual_scale`` of 0
        means ``1 / sqrt(number of residual layers)`` for the network at hand.
    """

    name: str
    label: str
    activation: str
    init: str
    lr: float
    clip: float | None = None
    residual: bool = False
    residual_scale: float = 1.0
    layer_norm: bool = False

    def scale_for(self, depth: int) -> float:
        """The residual branch's scale ``alpha`` in a network of ``depth`` layers."""
        if not self.residual or self.residual_scale > 0:
            return self.residual_scale
        return 1.0 / math.sqrt(max(depth - 2, 1))  # the hidden n -> n layers


#: The ladder, in the chapter's order.
RUNGS: dict[str, Rung] = {
    r.name: r
    for r in (
        Rung("sigmoid_normal", "sigmoid, N(0, 1) weights", "sigmoid", "standard_normal", 0.05),
        Rung("sigmoid_xavier", "sigmoid, Xavier", "sigmoid", "xavier_normal", 0.05),
        Rung("relu_he", "ReLU, He", "relu", "he_normal", 0.05),
        Rung("relu_he_spike", "ReLU, He, lr × 3", "relu", "he_normal", 0.15),
        Rung("relu_he_clip", "ReLU, He, lr × 3, clipped", "relu", "he_normal", 0.15, clip=2.0),
        Rung(
            "residual",
            "ReLU, He, residual",
            "relu",
            "he_normal",
            0.05,
            residual=True,
            residual_scale=0.0,
        ),
        Rung("layer_norm", "ReLU, He, layer norm", "relu", "he_normal", 0.05, layer_norm=True),
    )
}


def _rung(rung: str | Rung) -> Rung:
    if isinstance(rung, Rung):
        return rung
    return RUNGS[check_choice(rung, "rung", tuple(RUNGS))]


def _setup(setup: object) -> Setup:
    if not isinstance(setup, Setup):
        raise TypeError(f"setup must be a capstone.Setup, got {type(setup).__name__}")
    return setup


def build_network(rung: str | Rung, setup: Setup = SETUP) -> MLP:
    """The rung's network at initialization (seeded by ``setup.init_seed``)."""
    rung, setup = _rung(rung), _setup(setup)
    sizes = [2] + [setup.width] * (setup.depth - 1) + [2]
    return MLP(
        sizes,
        rung.activation,
        rung.init,
        seed=setup.init_seed,
        residual=rung.residual,
        residual_scale=rung.scale_for(setup.depth),
        layer_norm=rung.layer_norm,
    )


def _nan_stat(func, x: np.ndarray, axis: int | None = None):
    """``numpy.nanmean``/``nanmedian``/``nanmax`` without the warning on all-nan slices (the
    rows after a divergence): those give nan."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return func(x, axis=axis)


def _norm(x: np.ndarray) -> float:
    """:func:`gradlab.clipping.frobenius_norm` without its argument checks (hot loop)."""
    squares = float(np.vdot(x, x))
    if 1e-280 < squares < math.inf:
        return math.sqrt(squares)
    return clipping.frobenius_norm(x)


# --- a run and its diagnostics ----------------------------------------------------------------


@dataclass
class Run:
    """One rung trained: its diagnostics (see the module docstring).

    Attributes
    ----------
    rung
        The rung's name.
    depth
        The network's depth.
    loss, global_grad_norm, clipped
        Per step: minibatch loss, global gradient norm before clipping, whether clipping acted
        (``nan``/``False`` after a divergence).
    record_steps
        The steps at which the rest was recorded: ``0, record_every, ...`` and the end
        (diagnostics *before* that step's update; the last one after the final update).
    full_loss, accuracy
        Loss and accuracy on the whole data set.
    grad_norm
        ``(records, depth)``: ``||dLoss/dW_l||`` of that step's minibatch.
    update_ratio
        ``(records, depth)``: ``||lr v_l|| / ||W_l||`` of that step's update.
    dead_fraction, saturated_fraction
        ``(records, depth - 1)``, per hidden layer, on the whole data set.
    diverged_at
        The step whose loss or gradient was not finite (training stopped), or ``None``.
    """

    rung: str
    depth: int
    loss: np.ndarray
    global_grad_norm: np.ndarray
    clipped: np.ndarray
    record_steps: np.ndarray
    full_loss: np.ndarray
    accuracy: np.ndarray
    grad_norm: np.ndarray
    update_ratio: np.ndarray
    dead_fraction: np.ndarray
    saturated_fraction: np.ndarray
    diverged_at: int | None = None

    @property
    def label(self) -> str:
        return RUNGS[self.rung].label if self.rung in RUNGS else self.rung

    @property
    def final_accuracy(self) -> float:
        return float(self.accuracy[-1])

    @property
    def final_loss(self) -> float:
        return float(self.full_loss[-1])


_ARRAYS = [f.name for f in fields(Run) if f.name not in ("rung", "depth", "diverged_at")]


def train_rung(
    rung: str | Rung,
    setup: Setup = SETUP,
    *,
    steps: int | None = None,
    progress: bool = True,
) -> Run:
    """Train one rung of the ladder and record its diagnostics.

    Parameters
    ----------
    rung
        A name from :data:`RUNGS` (or a :class:`Rung`).
    setup
        The shared set-up (default :data:`SETUP`).
    steps
        Stop after this many steps (default ``setup.steps``): the first steps of a run are
        exactly those of the full run.
    progress
        Show a progress bar (a widget in JupyterLab; see :func:`gradlab.progress.bar`).

    Returns
    -------
    Run
    """
    rung, setup = _rung(rung), _setup(setup)
    total = setup.steps if steps is None else check_int(steps, "steps", minimum=1)
    if not isinstance(progress, bool):
        raise TypeError(f"progress must be True or False, got {progress!r}")
    X, y = setup.dataset()
    net = build_network(rung, setup)
    L = net.depth
    params = net.get_params()
    is_weight = [name.startswith("W") for name in net.param_names()]
    velocity = [np.zeros_like(p) for p in params]
    rng = np.random.default_rng(setup.shuffle_seed)
    n = X.shape[0]
    records = list(range(0, total, setup.record_every)) + [total]
    R = len(records)
    out = {
        "loss": np.full(total, np.nan),
        "global_grad_norm": np.full(total, np.nan),
        "clipped": np.zeros(total, dtype=bool),
        "record_steps": np.array(records),
        "full_loss": np.full(R, np.nan),
        "accuracy": np.full(R, np.nan),
        "grad_norm": np.full((R, L), np.nan),
        "update_ratio": np.full((R, L), np.nan),
        "dead_fraction": np.full((R, L - 1), np.nan),
        "saturated_fraction": np.full((R, L - 1), np.nan),
    }

    def evaluate(r: int) -> None:
        d = net.diagnostics(X)  # forward pass on the whole data set
        logits = net.activations[-1]
        with np.errstate(all="ignore"):
            shifted = logits - logits.max(axis=1, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            out["full_loss"][r] = -float(log_p[np.arange(n), y].mean())
        out["accuracy"][r] = float(np.mean(np.argmax(logits, axis=1) == y))
        out["dead_fraction"][r] = d.dead_fraction[:-1]
        out["saturated_fraction"][r] = d.saturated_fraction[:-1]

    grads_out, order, pos, r, diverged_at = None, rng.permutation(n), 0, 0, None
    bar = progress_bar(total, f"training {rung.name}: {total} steps", progress)
    try:
        with np.errstate(all="ignore"):
            for step in range(total):
                if pos + setup.batch_size > n:  # a new epoch: reshuffle
                    order, pos = rng.permutation(n), 0
                idx = order[pos : pos + setup.batch_size]
                pos += setup.batch_size
                recording = step == records[r]
                if recording:
                    evaluate(r)
                grads_out = net.loss_and_gradients(X[idx], y[idx], "cross_entropy", out=grads_out)
                grads = grads_out.as_list()
                norms = [_norm(g) for g in grads]
                out["loss"][step] = grads_out.loss
                total_norm = clipping.frobenius_norm(np.array(norms))
                out["global_grad_norm"][step] = total_norm
                if not (math.isfinite(grads_out.loss) and math.isfinite(total_norm)):
                    diverged_at = step
                    break
                if rung.clip is not None and total_norm > rung.clip:
                    grads, _ = clipping.clip_by_global_norm(grads, rung.clip)
                    out["clipped"][step] = True
                for p, v, g in zip(params, velocity, grads, strict=True):
                    v *= setup.momentum  # v = mu v + g
                    v += g
                    p -= rung.lr * v  # theta = theta - lr v
                if recording:
                    w_norms = [norms[i] for i in range(len(params)) if is_weight[i]]
                    out["grad_norm"][r] = w_norms
                    out["update_ratio"][r] = [
                        rung.lr * _norm(v) / _norm(p)
                        for p, v, w in zip(params, velocity, is_weight, strict=True)
                        if w
                    ]
                    r += 1
                bar.update(1)
            if diverged_at is None:
                evaluate(R - 1)
    finally:
        bar.close()
    return Run(rung=rung.name, depth=L, diverged_at=diverged_at, **out)


def steps_to_accuracy(run: Run, target: float = SETUP.target_accuracy) -> int | None:
    """The first recorded step at which the whole-data accuracy reached ``target``, or None."""
    hit = np.flatnonzero(run.accuracy >= target)
    return int(run.record_steps[hit[0]]) if hit.size else None


# --- the cache --------------------------------------------------------------------------------


def _fingerprint(setup: Setup, depths: Sequence[int], seeds: Sequence[int]) -> str:
    spec = {
        "setup": asdict(setup),
        "rungs": [asdict(r) for r in RUNGS.values()],
        "depths": list(depths),
        "seeds": list(seeds),
    }
    return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()[:16]


def _key(name: str, depth: int, seed: int) -> str:
    return f"{name}@{depth}#{seed}"


def _storable(value: np.ndarray) -> np.ndarray:
    """float32 for the cache, unless a finite value would overflow it (a diverging run's
    gradient norm of 1e238 stays float64, so the cache keeps it finite)."""
    if value.dtype.kind != "f":
        return value
    finite = np.abs(value[np.isfinite(value)])
    if finite.size and finite.max() > np.finfo(np.float32).max:
        return value
    return value.astype(np.float32)


def precompute(
    path: str | pathlib.Path = CACHE_PATH,
    *,
    setup: Setup = SETUP,
    depths: Sequence[int] = DEPTHS,
    seeds: Sequence[int] = LADDER_SEEDS,
    progress: bool = True,
) -> pathlib.Path:
    """Train every rung at every depth in ``depths`` for every seed in ``seeds``
    (:meth:`Setup.for_seed`) and write the runs to ``path`` (.npz).

    Deterministic on a given CPU: the same code and set-up give the same numbers. Arrays are
    stored as float32 (steps as integers; float64 where float32 would overflow), compressed.
    ``make ladder`` runs this (``python -m gradlab.capstone``) under the ``haswell`` profile
    of ``tools/cpu_profile.py``.
    """
    setup = _setup(setup)
    depths = tuple(check_int(d, "depths", minimum=3) for d in depths)
    seeds = tuple(check_int(s, "seeds", minimum=0) for s in seeds)
    arrays: dict[str, np.ndarray] = {}
    for seed in seeds:
        for depth in depths:
            for name in RUNGS:
                run = train_rung(
                    name, replace(setup.for_seed(seed), depth=depth), progress=progress
                )
                key = _key(name, depth, seed)
                for field in _ARRAYS:
                    arrays[f"{key}/{field}"] = _storable(getattr(run, field))
                arrays[f"{key}/diverged_at"] = np.array(
                    -1 if run.diverged_at is None else run.diverged_at
                )
    arrays["fingerprint"] = np.array(_fingerprint(setup, depths, seeds))
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        np.savez_compressed(f, **arrays)
    return path


_LOADED: dict[tuple[str, str], dict[tuple[str, int, int], Run]] = {}


def _load_all(
    path: str | pathlib.Path, setup: Setup, depths: Sequence[int], seeds: Sequence[int]
) -> dict[tuple[str, int, int], Run]:
    path = pathlib.Path(path)
    depths, seeds = tuple(depths), tuple(seeds)
    want = _fingerprint(_setup(setup), depths, seeds)
    key = (str(path), want)
    if key in _LOADED:
        return _LOADED[key]
    if not path.exists():
        raise FileNotFoundError(
            f"no cached ladder at {path.name}: run gradlab.capstone.precompute()"
        )
    with np.load(path) as npz:
        if str(npz["fingerprint"]) != want:
            raise ValueError(
                "the cached ladder was made from another set-up: regenerate it with "
                "gradlab.capstone.precompute() (make ladder)"
            )
        runs = {}
        for seed in seeds:
            for depth in depths:
                for name in RUNGS:
                    prefix = _key(name, depth, seed) + "/"
                    values = {}
                    for field in _ARRAYS:
                        value = npz[prefix + field]
                        kind = value.dtype.kind
                        values[field] = value.astype(np.float64) if kind == "f" else value
                    div = int(npz[prefix + "diverged_at"])
                    runs[(name, depth, seed)] = Run(
                        rung=name, depth=depth, diverged_at=None if div < 0 else div, **values
                    )
    _LOADED[key] = runs
    return runs


def load_ladder(
    path: str | pathlib.Path = CACHE_PATH,
    *,
    setup: Setup = SETUP,
    depths: Sequence[int] = DEPTHS,
    seed: int = 0,
) -> dict[tuple[str, int], Run]:
    """The cached runs of one seed, keyed by ``(rung name, depth)`` (read once, then kept).

    Raises
    ------
    FileNotFoundError
        No cache: run :func:`precompute`.
    ValueError
        The cache was made from another set-up or ladder (its fingerprint differs), or
        ``seed`` is not one of :data:`LADDER_SEEDS`.
    """
    seed = check_int(seed, "seed", minimum=0)
    if seed not in LADDER_SEEDS:
        raise ValueError(f"seed must be one of LADDER_SEEDS {LADDER_SEEDS}, got {seed}")
    runs = _load_all(path, setup, depths, LADDER_SEEDS)
    return {(n, d): run for (n, d, s), run in runs.items() if s == seed}


def load_ladder_seeds(
    path: str | pathlib.Path = CACHE_PATH,
    *,
    setup: Setup = SETUP,
    depths: Sequence[int] = DEPTHS,
) -> dict[tuple[str, int], tuple[Run, ...]]:
    """The cached runs of every seed of :data:`LADDER_SEEDS`, keyed by ``(rung name, depth)``:
    one :class:`Run` per seed, in the order of the seeds.

    Raises
    ------
    FileNotFoundError, ValueError
        As :func:`load_ladder`.
    """
    runs = _load_all(path, setup, depths, LADDER_SEEDS)
    return {(n, d): tuple(runs[(n, d, s)] for s in LADDER_SEEDS) for n in RUNGS for d in depths}


# --- tables -----------------------------------------------------------------------------------


#: The padding of every cell of a :class:`Table` in HTML (CSS shorthand: vertical horizontal).
CELL_PADDING = "0.15em 0.5em"


class Table:
    """A small table that shows itself as HTML in a notebook, Markdown or plain text elsewhere.

    Parameters
    ----------
    header
        Column titles.
    rows
        One sequence of cell texts per row.
    caption
        Shown above the table (optional).
    align
        One of ``"l"``/``"r"`` per column (default: first left, others right).
    """

    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        caption: str = "",
        align: str | None = None,
    ) -> None:
        self.header = [str(h) for h in header]
        self.rows = [[str(c) for c in row] for row in rows]
        if any(len(row) != len(self.header) for row in self.rows):
            raise ValueError("rows must have one cell per column of header")
        self.caption = str(caption)
        self.align = align or "l" + "r" * (len(self.header) - 1)
        if len(self.align) != len(self.header) or set(self.align) - {"l", "r"}:
            raise ValueError(f"align must be one 'l' or 'r' per column, got {align!r}")

    def __str__(self) -> str:
        widths = [max(len(x) for x in col) for col in zip(self.header, *self.rows, strict=True)]

        def line(cells: Sequence[str]) -> str:
            return "  ".join(
                c.ljust(w) if a == "l" else c.rjust(w)
                for c, w, a in zip(cells, widths, self.align, strict=True)
            ).rstrip()

        lines = ([self.caption] if self.caption else []) + [line(self.header)]
        lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines + [line(r) for r in self.rows])

    __repr__ = __str__

    def _repr_markdown_(self) -> str:
        def esc(text: str) -> str:
            return text.replace("|", "\\|")

        marks = {"l": ":---", "r": "---:"}
        lines = [f"**{esc(self.caption)}**", ""] if self.caption else []
        lines.append("| " + " | ".join(esc(h) for h in self.header) + " |")
        lines.append("|" + "|".join(marks[a] for a in self.align) + "|")
        lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in self.rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        # Padding of its own: some themes give table cells none, and at phone width the
        # columns would run together ("not2.72e+03").
        style = {
            "l": f"text-align:left;padding:{CELL_PADDING}",
            "r": f"text-align:right;padding:{CELL_PADDING}",
        }

        def text(cell: str) -> str:
            # A line may break between words, never inside one ("3.5e-" / "04").
            words = cell.split(" ")
            if len(words) == 1:
                return f'<span style="white-space:nowrap">{html.escape(cell)}</span>'
            return " ".join(text(w) for w in words)

        def cells(tag: str, row: Sequence[str]) -> str:
            return "".join(
                f'<{tag} style="{style[a]}">{text(c)}</{tag}>'
                for c, a in zip(row, self.align, strict=True)
            )

        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        body = "".join(f"<tr>{cells('td', r)}</tr>" for r in self.rows)
        return (
            f'<table class="gradlab-table">{caption}<thead><tr>{cells("th", self.header)}'
            f"</tr></thead><tbody>{body}</tbody></table>"
        )


def _fmt(x: float, spec: str = ".3g") -> str:
    return "–" if not math.isfinite(x) else format(x, spec)


RunGroup = tuple[Run, ...]


def _groups(runs: object) -> list[RunGroup]:
    """The rows of a ladder table or figure: each item of ``runs`` is a :class:`Run`, or the
    runs of one rung over several seeds (a sequence of :class:`Run` of the same rung)."""
    if isinstance(runs, Run) or not isinstance(runs, Sequence) or not runs:
        raise TypeError(
            "runs must be a non-empty list of capstone.Run results (or of tuples of them, "
            "one per seed)"
        )
    groups = []
    for item in runs:
        group = (item,) if isinstance(item, Run) else item
        if not isinstance(group, Sequence) or not group:
            raise TypeError(f"runs must hold capstone.Run results, got {type(item).__name__}")
        for run in group:
            if not isinstance(run, Run):
                raise TypeError(f"runs must hold capstone.Run results, got {type(run).__name__}")
        if len({run.rung for run in group}) > 1:
            raise ValueError("each tuple of runs must hold one rung's runs (over seeds)")
        groups.append(tuple(group))
    return groups


def _cell(values: Sequence[float], spec: str) -> str:
    """One value as ``spec``; several (one per seed) as ``median (low to high)``."""
    if len(values) == 1:
        return _fmt(float(values[0]), spec)
    summary = summarize(values, tuple(range(len(values))))
    return "–" if math.isnan(summary.median) else summary.format(spec)


def _steps_cell(group: RunGroup, target: float) -> str:
    reached = [steps_to_accuracy(run, target) for run in group]
    if len(group) == 1:
        if group[0].diverged_at is not None:
            return f"diverged at {group[0].diverged_at}"
        return "did not reach" if reached[0] is None else str(reached[0])
    hits = [r for r in reached if r is not None]
    got = f"{len(hits)} of {len(group)}"
    if not hits:
        return got
    # A run that never reached the target counts as later than any that did.
    median = float(np.median([math.inf if r is None else r for r in reached]))
    spread = str(hits[0]) if len(hits) == 1 else f"{min(hits)} to {max(hits)}"
    if math.isinf(median):  # most runs never got there: no median step
        return f"{got}, at {spread}"
    return f"{median:.0f} ({spread}), {got}"


def _late_ratio(run: Run) -> float:
    """The median update ratio over layers and the last quarter of training (none after a
    divergence: its last steps are not training)."""
    if run.diverged_at is not None:
        return math.nan
    recorded = run.update_ratio[np.isfinite(run.update_ratio).any(axis=1)]
    late = recorded[int(0.75 * len(recorded)) :]
    return float(_nan_stat(np.nanmedian, late)) if late.size else math.nan


def unit_shares(run: Run, row: int = -1) -> tuple[float, float]:
    """The dead and saturated shares of hidden units at record ``row`` (default: the last
    evaluation), each the mean over the hidden layers (as :class:`gradlab.network.Diagnostics`
    defines them); ``nan`` where the run has none (saturation of a ReLU network, or any share
    after a divergence)."""
    row = check_int(row, "row", minimum=-len(run.record_steps))
    with np.errstate(all="ignore"):
        dead_row, sat_row = run.dead_fraction[row], run.saturated_fraction[row]
        dead = float(_nan_stat(np.nanmean, dead_row)) if np.isfinite(dead_row).any() else math.nan
        sat = float(_nan_stat(np.nanmean, sat_row)) if np.isfinite(sat_row).any() else math.nan
    return dead, sat


def describe_early(run: Run, step: int = 80) -> str:
    """Two lines on how a run is doing at ``step``: the dead share of hidden units (all, and
    the last hidden layer's), the accuracy, and the largest global gradient norm of the whole
    run and its step. For a run that diverged before ``step``: its global gradient norms at the
    last four steps before it diverged.

    ``step`` must be a recorded step (a multiple of ``record_every``).
    """
    steps = list(run.record_steps)
    if step not in steps:
        raise ValueError(f"step must be a recorded step (every {steps[1]}), got {step!r}")
    if run.diverged_at is not None and run.diverged_at <= step:
        first = max(run.diverged_at - 4, 0)
        norms = ", ".join(f"{x:.2g}" for x in run.global_grad_norm[first : run.diverged_at])
        end = run.diverged_at
        return f"|g| at steps {first}-{end - 1}: {norms};\n  diverged at step {end}"
    k = steps.index(step)
    dead, last = float(np.mean(run.dead_fraction[k])), float(run.dead_fraction[k][-1])
    top = int(np.nanargmax(run.global_grad_norm))
    return (
        f"step {step}: {dead:.0%} dead ({last:.0%} of the last layer),\n  accuracy "
        f"{run.accuracy[k]:.2f}; largest |g| {run.global_grad_norm[top]:.3g} at step {top}"
    )


def results_table(
    runs: Sequence[Run] | Sequence[Sequence[Run]],
    target: float = SETUP.target_accuracy,
    budget: int | None = None,
) -> Table:
    """One row per rung: final loss and accuracy on the whole data set, steps to ``target``
    accuracy, the largest global gradient norm, the median update-to-weight ratio of the last
    quarter of training (over layers), and the dead and saturated shares of hidden units at
    the end.

    Each item of ``runs`` is one :class:`Run` (its numbers are shown) or one rung's runs over
    seeds (each number is shown as ``median (low to high)`` over the seeds,
    :mod:`gradlab.seeds`). Over seeds, "steps to" is the median counting a run that never
    reached the target as later than any that did, the range of those that did, and how many
    did; a run that diverged has no final loss, accuracy or units (the cell says how many
    diverged).
    """
    groups = _groups(runs)
    rows = []
    for group in groups:
        diverged = sum(run.diverged_at is not None for run in group)
        units = [unit_shares(run) for run in group]
        accuracy = _cell([run.final_accuracy for run in group], ".3f")
        if diverged and len(group) > 1:  # the median is of the runs that did not diverge
            accuracy += f" of {len(group) - diverged}, {diverged} diverged"
        saturated = [u[1] for u in units]
        rows.append(
            [
                group[0].label,
                _cell([run.final_loss for run in group], ".3f"),
                accuracy,
                _steps_cell(group, target),
                _cell([float(_nan_stat(np.nanmax, run.global_grad_norm)) for run in group], ".3g"),
                _cell([_late_ratio(run) for run in group], ".1e"),
                _cell([u[0] for u in units], ".2f"),
                "–" if all(math.isnan(x) for x in saturated) else _cell(saturated, ".2f"),
            ]
        )
    seeds = max(len(g) for g in groups)
    header = [
        "rung",
        "final loss",
        "accuracy",
        f"steps to {target:.0%}" + (", runs that got there" if seeds > 1 else ""),
        "max ‖g‖",
        "median update ratio (all layers, last ¼)",
        "dead",
        "saturated",
    ]
    n = budget if budget is not None else len(groups[0][0].loss)
    if seeds > 1:
        caption = (
            f"The ladder after {n} steps: median (smallest to largest) over {seeds} seeds "
            "of the weights and minibatch order, same data and budget"
        )
    else:
        caption = f"The ladder after {n} steps (same data, seeds and budget)"
    return Table(header, rows, caption, align="lrrrrrrr")


# --- residual connections at initialization ---------------------------------------------------


def residual_gradient_norms(
    depth: int = 30,
    width: int = 64,
    *,
    batch: int = 16,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """Per-layer gradient norms at initialization with and without residual connections.

    A ReLU network with He weights, ``[width] * (depth + 1)``, a random probe gradient at the
    output backpropagated (:meth:`gradlab.network.MLP.backward`), ``||dJ/da_{l-1}||`` for
    ``l = 1..depth``. Four variants, the same draws:

    * ``"plain"``: each layer's Jacobian ``W_l diag(phi')`` keeps the mean square of the
      gradient (He), so the norms wander like the Chapter-1 product of random factors;
    * ``"residual"``: ``I + W_l diag(phi')`` per layer. The branch alone doubles the mean
      square per layer (``2^(depth/2)`` in norm), and the skip and the branch are positively
      correlated (the ReLU branches' outputs are never negative: the stream builds a positive
      mean, a first-order cross term), so it grows faster still: the product of
      ``I + something`` factors explodes when the something is not small;
    * ``"residual_scaled"``: ``I + alpha W_l diag(phi')`` with ``alpha = 1/sqrt(B)`` over the
      ``B`` residual layers: without the cross term the branches would add ``(1 + 1/B)^B < e``
      to the mean square; with it, a little more (:func:`residual_forward_growth`), and the
      measured norm stays within a small factor of the top layer's at this depth;
    * ``"tanh_plain"`` for contrast: tanh with Xavier weights, shrinking.

    Returns
    -------
    dict
        Name -> array of ``depth`` norms (first layer first), plus ``"alpha"``.
    """
    depth = check_int(depth, "depth", minimum=2)
    width = check_int(width, "width", minimum=2)
    batch = check_int(batch, "batch", minimum=1)
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch, width))
    probe = rng.standard_normal((batch, width)) / batch
    sizes = [width] * (depth + 1)
    blocks = depth - 1  # every layer but the linear last one is n -> n
    alpha = 1.0 / math.sqrt(blocks)
    variants = {
        "plain": ("relu", "he_normal", False, 1.0),
        "residual": ("relu", "he_normal", True, 1.0),
        "residual_scaled": ("relu", "he_normal", True, alpha),
        "tanh_plain": ("tanh", "xavier_normal", False, 1.0),
    }
    result: dict[str, np.ndarray] = {}
    for name, (act, init, residual, scale) in variants.items():
        net = MLP(sizes, act, init, seed=seed, residual=residual, residual_scale=scale)
        grads = net.backward(X, probe).activation_grads
        result[name] = np.array([clipping.frobenius_norm(g) for g in grads])
    result["alpha"] = np.array(alpha)
    return result


#: The two residual branches :func:`residual_forward_growth` compares.
RESIDUAL_BLOCKS = ("relu_end", "linear_end")


def residual_forward_growth(
    blocks: int,
    *,
    block: str = "relu_end",
    alpha: float | None = None,
    width: int = 64,
    batch: int = 256,
    seeds: Sequence[int] = SEEDS,
) -> SeedSummary:
    r"""How much ``B`` residual blocks multiply the mean square of the stream at initialization.

    The stream starts at standard-normal inputs ``a_0`` (``batch`` rows of ``width``) and
    passes ``B = blocks`` blocks, each with its own draws, no biases:

    * ``"relu_end"``, this chapter's block: ``a <- a + alpha relu(a W)``, ``W ~ N(0, 2/n)`` (He);
    * ``"linear_end"``, a branch that ends in a zero-mean linear map (the shape of He et al.'s
      pre-activation block): ``a <- a + alpha relu(a W) V``, ``V ~ N(0, 1/n)``.

    With He weights the branch alone keeps the mean square, so

    .. math:: E[a_\ell^2] = (1 + \alpha^2)\, E[a_{\ell-1}^2]
              + 2\alpha\, E[a_{\ell-1} \cdot \mathrm{branch}],

    and ``alpha = 1/sqrt(B)`` gives ``(1 + 1/B)^B < e`` **if the cross term vanishes**. It does
    for ``"linear_end"`` (``V`` has mean zero, independent of the stream); it does not for
    ``"relu_end"``, whose branch output is never negative: the stream builds a positive mean,
    the cross term is first order in ``alpha``, and the growth is unbounded in depth (Hanin and
    Rolnick 2018 state their condition on the sum of the scales, ``sum alpha``, not of their
    squares).

    Returns
    -------
    SeedSummary
        ``mean(a_B^2) / mean(a_0^2)`` per seed (median and range).

    References
    ----------
    He, K., Zhang, X., Ren, S., Sun, J. (2016). Identity mappings in deep residual networks.
    *ECCV*. Hanin, B., Rolnick, D. (2018). How to start training: the effect of initialization
    and architecture. *NeurIPS*.
    """
    blocks = check_int(blocks, "blocks", minimum=1)
    block = check_choice(block, "block", RESIDUAL_BLOCKS)
    width = check_int(width, "width", minimum=2)
    batch = check_int(batch, "batch", minimum=1)
    scale = 1.0 / math.sqrt(blocks) if alpha is None else check_real(alpha, "alpha", minimum=0.0)
    seeds = tuple(check_int(s, "seeds", minimum=0) for s in seeds)
    growth = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        a0 = rng.standard_normal((batch, width))
        a = a0
        for _ in range(blocks):
            branch = np.maximum(a @ (rng.standard_normal((width, width)) * math.sqrt(2 / width)), 0)
            if block == "linear_end":
                branch = branch @ (rng.standard_normal((width, width)) / math.sqrt(width))
            a = a + scale * branch
        growth.append(float(np.mean(a**2) / np.mean(a0**2)))
    return summarize(growth, seeds)


# --- figures ----------------------------------------------------------------------------------

#: How each rung is drawn: (colour key of :data:`gradlab.plotting.COLORS`, line style).
LOOKS: dict[str, tuple[str, str]] = {
    "sigmoid_normal": ("grey", "-"),
    "sigmoid_xavier": ("purple", "--"),
    "relu_he": ("blue", "-"),
    "relu_he_spike": ("red", ":"),
    "relu_he_clip": ("orange", "-."),
    "residual": ("green", "-"),
    "layer_norm": ("sky", "--"),
}


def _look(run: Run) -> dict[str, object]:
    colour, ls = LOOKS.get(run.rung, ("black", "-"))
    return {"color": plotting.COLORS[colour], "ls": ls, "lw": 1.8}


def _legend_below(fig, ax, groups: Sequence[RunGroup], ncol: int = 2) -> None:
    handles = [ax.plot([], [], **_look(g[0]))[0] for g in groups]
    fig.legend(
        handles,
        [g[0].label for g in groups],
        loc="outside lower center",
        ncol=ncol,
        handlelength=2.2,
        columnspacing=1.0,
    )


def _over_seeds(rows: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Median, smallest and largest over seeds (axis 0), ignoring nan (a run after it
    diverged); nan where no seed has a value."""
    stack = np.asarray(rows, dtype=float)
    with np.errstate(all="ignore"):
        return (
            _nan_stat(np.nanmedian, stack, axis=0),
            _nan_stat(np.nanmin, stack, axis=0),
            _nan_stat(np.nanmax, stack, axis=0),
        )


def _seeds_note(groups: Sequence[RunGroup]) -> str:
    n = max(len(g) for g in groups)
    return f" (median over {n} seeds)" if n > 1 else ""


def _log10(x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.where(x > 0, np.log10(np.where(x > 0, x, 1.0)), np.nan)


#: The lowest log10 the ladder's figures show: one dead run's ratios of 1e-33 would otherwise
#: stretch the axis over twenty empty decades. Values below it are marked on the edge.
LOG_FLOOR = -12.0


def _y_range(values: Sequence[np.ndarray]) -> tuple[float, float]:
    """The y range (log10) of a ladder figure: whole decades around the finite values, the
    bottom no lower than :data:`LOG_FLOOR`."""
    finite = np.concatenate([np.ravel(v) for v in values])
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return (-1.3, 1.3)
    low = max(math.floor(finite.min()), LOG_FLOOR)
    return (low - 0.3, math.ceil(finite.max()) + 0.3)


def _mark_below(ax, x: np.ndarray, y: np.ndarray, bottom: float, color: str) -> int:
    """Triangles on the bottom edge where ``y`` lies below it; return how many."""
    below = np.isfinite(y) & (y < bottom)
    if below.any():
        ax.plot(x[below], np.full(int(below.sum()), bottom), "v", color=color, ms=7, clip_on=False)
    return int(below.sum())


def plot_ladder_curves(runs: Sequence[Run] | Sequence[Sequence[Run]]) -> plotting.FigureView:
    """Figure: accuracy on the whole data set against the step, one small panel per rung:
    one thin line per seed and the median over seeds in bold (items of ``runs`` as
    :func:`results_table` takes them)."""
    groups = _groups(runs)
    nrows = math.ceil(len(groups) / 2)
    with plotting.style():
        fig, axes = plotting.new_figure(
            plotting.FIGURE_WIDTH, 1.75 * nrows + 0.9, nrows=nrows, ncols=2, sharex=True
        )
        axes = np.atleast_1d(axes).ravel()
        parts = []
        for ax, group in zip(axes, groups, strict=False):
            look = _look(group[0])
            steps = group[0].record_steps
            for run in group if len(group) > 1 else ():
                ax.plot(run.record_steps, run.accuracy, color=look["color"], lw=0.8, alpha=0.55)
            median, _, _ = _over_seeds([run.accuracy for run in group])
            ax.plot(steps, median, color=look["color"], lw=2.2)
            ax.axhline(SETUP.target_accuracy, color=plotting.COLORS["grey"], lw=0.8, ls=":")
            ax.set_title(group[0].label, fontsize=11)
            ax.set_ylim(0.4, 1.03)
            ax.set_yticks([0.5, 0.75, 1.0])
            finals = [run.final_accuracy for run in group]
            diverged = sum(run.diverged_at is not None for run in group)
            text = f"{group[0].label}: {_cell(finals, '.2f')}"
            if diverged:
                text += f", {diverged} of {len(group)} diverged"
            parts.append(text)
        for ax in axes[len(groups) :]:
            ax.set_axis_off()
        fig.supxlabel("training step", fontsize=12)
        fig.supylabel("accuracy", fontsize=12)
    n = max(len(g) for g in groups)
    lines = f"one thin line per seed ({n} seeds) and their median in bold" if n > 1 else "one run"
    alt = (
        "Small panels, one per rung of the ladder, of the accuracy on the whole data set "
        f"against the training step: {lines}; a dotted line marks the target "
        f"{SETUP.target_accuracy:.0%}. Final accuracy"
        + (", median (smallest to largest)" if n > 1 else "")
        + ": "
        + "; ".join(parts)
        + "."
    )
    caption = (
        "The ladder's learning curves: the same network, data and budget of steps; each rung "
        "changes one thing"
        + (
            f". Thin lines: {n} seeds of the weights and minibatch order; bold: their median."
            if n > 1
            else "."
        )
    )
    return plotting.show(fig, alt, caption, label="fig-ladder-curves")


def plot_layer_gradients(
    runs: Sequence[Run] | Sequence[Sequence[Run]],
) -> plotting.FigureView:
    """Figure: per-layer weight-gradient norms (log10) at the start, middle and end of training,
    one small panel per rung (same axes). Over seeds: the median line and a shaded range."""
    groups = _groups(runs)
    shades = [plotting.COLORS["sky"], plotting.COLORS["blue"], plotting.COLORS["black"]]
    styles = [":", "--", "-"]
    nrows = math.ceil((len(groups) + 1) / 2)
    # Per group, per moment: log10 norms of every seed (a zero norm is -inf, not drawn).
    logs = [[np.array([_moment(run, k) for run in g]) for k in range(3)] for g in groups]
    # A moment whose median is a zero norm at every layer has no line to draw.
    zeros = [[bool(np.all(_over_seeds(x)[0] == -np.inf)) for x in g] for g in logs]
    with plotting.style():
        fig, axes = plotting.new_figure(
            plotting.FIGURE_WIDTH, 2.0 * nrows + 0.6, nrows=nrows, ncols=2
        )
        axes = np.atleast_1d(axes).ravel()
        ylim = _y_range([x[np.isfinite(x)] for g in logs for x in g])
        summary, off = [], 0
        for ax, group, log, zero in zip(axes, groups, logs, zeros, strict=False):
            depth = group[0].depth
            layers = np.arange(1, depth + 1)
            for k in range(3):
                median, low, high = _over_seeds(log[k])  # a zero norm sorts lowest
                if len(group) > 1:
                    low = np.maximum(low, ylim[0])
                    ax.fill_between(layers, low, high, color=shades[k], alpha=0.18, lw=0)
                drawn = np.where(np.isfinite(median), median, np.nan)
                ax.plot(layers, drawn, color=shades[k], ls=styles[k], lw=1.6)
                off += _mark_below(ax, layers, median, ylim[0], shades[k])
            ax.set_title(group[0].label, fontsize=11)
            ax.set_ylim(*ylim)
            start = [float(10.0 ** np.median(log[0][:, i])) for i in (0, -1)]
            text = (
                f"{group[0].label}: at step 0 from {start[0]:.1e} (layer 1) to {start[1]:.1e} "
                f"(layer {depth})"
            )
            gone = [("step 0", "middle", "end")[k] for k in range(3) if zero[k]]
            if gone:
                where = short = ""
                if len(group) > 1:
                    zero_runs = {int(np.all(x == -np.inf, axis=1).sum()) for x in log[1:]}
                    counts = " or ".join(map(str, sorted(zero_runs)))
                    where, short = f" in {counts} of {len(group)} seeds", f" in {counts} seeds"
                label = f"{', '.join(gone)}: 0{short}"
                ax.text(0.97, 0.05, label, transform=ax.transAxes, ha="right")
                text += f"; every weight gradient is exactly 0 at the {' and '.join(gone)}{where}"
            summary.append(text)
        for ax in axes[len(groups) :]:
            ax.set_axis_off()
        for ax in axes[: len(groups)]:
            ax.set_xticks([1, groups[0][0].depth // 2, groups[0][0].depth])
        fig.supxlabel("layer ℓ", fontsize=12)
        fig.supylabel("log10 ‖∂L/∂W‖", fontsize=12)
        key = axes[len(groups)] if len(groups) < len(axes) else axes[-1]
        handles = [
            key.plot([], [], color=c, ls=st, lw=1.6)[0]
            for c, st in zip(shades, styles, strict=True)
        ]
        key.legend(handles, ["step 0", "middle", "end"], loc="center", title="when")
    n = max(len(g) for g in groups)
    alt = (
        "Small panels, one per rung, of the log10 norm of each layer's weight gradient against "
        "the layer, at the start (dotted), middle (dashed) and end (solid) of training"
        + (f", the median over {n} seeds with their range shaded" if n > 1 else "")
        + (f"; values below 1e{LOG_FLOOR:.0f} are marked on the bottom edge. " if off else ". ")
        + "; ".join(summary)
        + "."
    )
    caption = (
        "Per-layer gradient norms over training"
        + (f" (median over {n} seeds, range shaded)" if n > 1 else "")
        + ". A line that falls steeply towards layer 1 "
        "is a vanishing gradient; a missing line means every weight gradient is exactly 0."
    )
    return plotting.show(fig, alt, caption, label="fig-layer-gradients")


def _moment(run: Run, k: int) -> np.ndarray:
    """log10 of each layer's weight-gradient norm at the start (``k = 0``), middle (1) or end
    (2) of training; -inf where the norm is 0; nan for the middle and end of a run that
    diverged (it has none)."""
    if k and run.diverged_at is not None:
        return np.full(run.depth, np.nan)
    with np.errstate(divide="ignore"):
        return np.log10(run.grad_norm[_time_rows(run)[k]])


def _time_rows(run: Run) -> list[int]:
    """Record rows at the start, middle and end of the recorded (finite) training."""
    finite = np.flatnonzero(np.isfinite(run.grad_norm).all(axis=1))
    last = int(finite[-1]) if finite.size else 0
    return [0, last // 2, last]


def median_update_ratios(run: Run) -> np.ndarray:
    """Each layer's median update-to-weight ratio ``||lr v_l|| / ||W_l||`` over the recorded
    training (nan if none, or if the run diverged: its few recorded steps are not a training
    run's)."""
    if run.diverged_at is not None or not np.isfinite(run.update_ratio).any():
        return np.full(run.depth, np.nan)
    return _nan_stat(np.nanmedian, run.update_ratio, axis=0)


def plot_update_ratios(
    runs: Sequence[Run] | Sequence[Sequence[Run]],
) -> plotting.FigureView:
    """Figure: the median update-to-weight ratio of each layer over training (log10), one line
    per rung, against the rule of thumb ``1e-3``. Over seeds: the median over seeds of each
    run's median, and the range shaded."""
    groups = _groups(runs)
    with plotting.style():
        fig, ax = plotting.new_figure(plotting.FIGURE_WIDTH, 5.6)
        bands = {g[0].rung: _over_seeds([median_update_ratios(r) for r in g]) for g in groups}
        ylim = _y_range([_log10(b[0]) for b in bands.values()])
        off, unshaded = [], []
        for group in groups:
            run = group[0]
            median, low, high = bands[run.rung]
            layers, y = np.arange(1, run.depth + 1), _log10(median)
            # A range reaching below the axis at most layers would cover the whole figure:
            # it is not shaded, and the alt text says so.
            if len(group) > 1 and np.mean(~(_log10(low) >= ylim[0])) > 0.5:
                unshaded.append(run.label)
            elif len(group) > 1:
                lo = np.maximum(_log10(low), ylim[0])
                ax.fill_between(
                    layers, lo, _log10(high), color=_look(run)["color"], alpha=0.12, lw=0
                )
            ax.plot(layers, y, **_look(run))
            if _mark_below(ax, layers, y, ylim[0], _look(run)["color"]):
                off.append(run.label)
        ax.set_ylim(*ylim)
        rule = math.log10(UPDATE_RATIO_RULE)
        ax.axhline(rule, color=plotting.COLORS["black"], lw=1)
        # The label sits in the empty band between the rule and the lines far below it.
        ax.text(
            0.33,
            rule - 1.2,
            "rule of thumb 1e−3 (black line)",
            ha="center",
            va="top",
            transform=ax.get_yaxis_transform(),
            bbox=dict(facecolor="white", edgecolor="none", pad=1.0),
        )
        if off:
            ax.text(
                0.5,
                ylim[0] + 0.35,
                f"▼ below 1e{LOG_FLOOR:.0f}",
                ha="center",
                va="bottom",
                transform=ax.get_yaxis_transform(),
            )
        ax.set_xlabel("layer ℓ")
        ax.set_ylabel("log10 ‖lr·v‖ / ‖W‖")
        _legend_below(fig, ax, groups)
    parts = [
        f"{g[0].label}: layer 1 {bands[g[0].rung][0][0]:.1e}, layer {g[0].depth} "
        f"{bands[g[0].rung][0][-1]:.1e}"
        for g in groups
    ]
    n = max(len(g) for g in groups)
    alt = (
        "The median over training of each layer's update-to-weight ratio, log10, against the "
        "layer, one line per rung"
        + (f" (the median over {n} seeds, their range shaded)" if n > 1 else "")
        + ", with a horizontal line at the rule of thumb 1e-3"
        + (
            f"; the axis stops at 1e{LOG_FLOOR:.0f}, and triangles on the bottom edge mark "
            f"the layers of {', '.join(off)} below it. "
            if off
            else ". "
        )
        + "; ".join(parts)
        + "."
        + (
            f" The range of {', '.join(unshaded)} reaches below the axis and is not shaded."
            if unshaded
            else ""
        )
    )
    caption = (
        "Update-to-weight ratios: how far each step moves each layer, relative to its size"
        + (f" (median over {n} seeds, range shaded)" if n > 1 else "")
        + ". About $10^{-3}$ is healthy; far below, the layer hardly learns; far above, it is "
        "unstable."
    )
    return plotting.show(fig, alt, caption, label="fig-update-ratios")


def plot_unit_health(
    runs: Sequence[Run] | Sequence[Sequence[Run]],
) -> plotting.FigureView:
    """Figure: the dead fraction and the saturated fraction of hidden units (mean over the
    hidden layers) against the step, one line per rung (where it applies). Over seeds: the
    median over seeds, and the range shaded."""
    groups = _groups(runs)
    with plotting.style():
        fig, (top, bottom) = plotting.new_figure(plotting.FIGURE_WIDTH, 6.8, nrows=2)
        ends = []
        for group in groups:
            run, look = group[0], _look(group[0])
            with np.errstate(all="ignore"):
                dead = [_nan_stat(np.nanmean, r.dead_fraction, axis=1) for r in group]
                sigmoid = np.isfinite(run.saturated_fraction).any()
                sat = [_nan_stat(np.nanmean, r.saturated_fraction, axis=1) for r in group]
            panels = [(top, dead)] + ([(bottom, sat)] if sigmoid else [])
            for ax, values in panels:
                median, low, high = _over_seeds(values)
                if len(group) > 1:
                    ax.fill_between(
                        run.record_steps, low, high, color=look["color"], alpha=0.12, lw=0
                    )
                ax.plot(run.record_steps, median, **look)
            end = f"{run.label}: dead {_cell([unit_shares(r)[0] for r in group], '.2f')}"
            if sigmoid:
                end += f", saturated {_cell([unit_shares(r)[1] for r in group], '.2f')}"
            ends.append(end)
        top.set_ylabel("dead fraction")
        bottom.set_ylabel("saturated fraction")
        bottom.set_xlabel("training step")
        for ax in (top, bottom):
            ax.set_ylim(-0.03, 1.03)
        _legend_below(fig, top, groups)
    n = max(len(g) for g in groups)
    alt = (
        "Two stacked plots against the training step: the fraction of dead hidden units "
        "(top; units whose derivative is 0 on every example) and of saturated units (bottom; "
        "sigmoid only), averaged over the hidden layers, one line per rung"
        + (f" (the median over {n} seeds, their range shaded)" if n > 1 else "")
        + ". At the end"
        + (", median (smallest to largest)" if n > 1 else "")
        + ": "
        + "; ".join(ends)
        + "."
    )
    caption = "Dead ReLU units and saturated sigmoid units over training" + (
        f" (median over {n} seeds, range shaded)." if n > 1 else "."
    )
    return plotting.show(fig, alt, caption, label="fig-unit-health")


def _last_finite(x: np.ndarray) -> float:
    finite = x[np.isfinite(x)]
    return float(finite[-1]) if finite.size else math.nan


def plot_residual_at_init(norms: dict[str, np.ndarray]) -> plotting.FigureView:
    """Figure: per-layer gradient norms at initialization (log10, relative to the last layer),
    from :func:`residual_gradient_norms`."""
    if not isinstance(norms, dict) or "plain" not in norms:
        raise TypeError("norms must be the dict residual_gradient_norms returns")
    looks = {
        "plain": ("ReLU, He, plain", "blue", "-"),
        "residual": ("ReLU, He, residual α = 1", "red", ":"),
        "residual_scaled": (f"ReLU, He, residual α = {float(norms['alpha']):.2f}", "green", "-"),
        "tanh_plain": ("tanh, Xavier, plain", "grey", "--"),
    }
    with plotting.style():
        fig, ax = plotting.new_figure(plotting.FIGURE_WIDTH, 4.8)
        rel = {}
        for key, (label, colour, ls) in looks.items():
            g = norms[key]
            rel[key] = g / g[-1]
            layers = np.arange(1, len(g) + 1)
            ax.plot(
                layers,
                np.log10(rel[key]),
                color=plotting.COLORS[colour],
                ls=ls,
                lw=1.8,
                label=label,
            )
        ax.axhline(0, color=plotting.COLORS["black"], lw=0.8)
        ax.set_xlabel("layer ℓ")
        ax.set_ylabel("log10 gradient reaching layer ℓ\n/ gradient at layer L")
        fig.legend(loc="outside lower center", ncol=2, handlelength=2.2)
    L = len(norms["plain"])
    parts = [f"{looks[k][0]}: {rel[k][0]:.3g}" for k in looks]
    alt = (
        f"The norm of the gradient reaching each layer of a {L}-layer network at "
        "initialization, relative to the last layer, log10, against the layer. At layer 1: "
        + "; ".join(parts)
        + "."
    )
    caption = (
        "Residual connections at initialization: each layer's backward factor becomes "
        "$I + \\alpha W_\\ell^\\top D_\\ell$. With $\\alpha = 1$ the product grows by "
        "orders of magnitude; with $\\alpha = 1/\\sqrt{B}$ it stays within a small factor."
    )
    return plotting.show(fig, alt, caption, label="fig-residual-at-init")


# --- the checklist ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    """One line of the practitioner's checklist.

    Attributes
    ----------
    symptom
        What goes wrong.
    diagnostic
        How it shows in this chapter's diagnostics.
    cause
        The likely cause.
    fix
        The remedy.
    pytorch, keras, jax
        A one-line call for the fix in each framework (shown, not executed).
    """

    symptom: str
    diagnostic: str
    cause: str
    fix: str
    pytorch: str
    keras: str
    jax: str


#: The checklist, from the first thing to look at to the structural fixes. Framework names
#: checked against the PyTorch, Keras 3 and JAX/Optax/Flax documentation.
CHECKLIST: tuple[ChecklistItem, ...] = (
    ChecklistItem(
        "Loss stuck at chance, or learning then collapsing to chance",
        "Saturated fraction high (about a fifth of sigmoid outputs within 1% of a bound here); "
        "gradient norms falling by decades towards layer 1",
        "Saturated units: weights too large for a squashing activation",
        "In a deep network, switch to ReLU with He weights; for tanh or sigmoid, scale the "
        "initialization to the layer (Xavier), which alone did not rescue the 16-layer sigmoid "
        "here",
        "torch.nn.init.xavier_normal_(layer.weight)",
        'keras.layers.Dense(n, kernel_initializer="glorot_normal")',
        "jax.nn.initializers.glorot_normal()",
    ),
    ChecklistItem(
        "Early layers barely learn",
        "Update-to-weight ratio far below 1e-3 in the first layers, near it in the last",
        "Vanishing gradients: products of factors below 1 (sigmoid's 1/4)",
        "ReLU with He initialization",
        'torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")',
        'keras.layers.Dense(n, activation="relu", kernel_initializer="he_normal")',
        "jax.nn.initializers.he_normal()",
    ),
    ChecklistItem(
        "Loss spikes, then goes flat or to nan",
        "Global gradient norm jumps by orders of magnitude (the lr x 3 rung in one seed of five: "
        "from 43 to 6e238 in four steps)",
        "A step far too long for the curvature: an exploding gradient",
        "Clip the global gradient norm, and lower the learning rate",
        "torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=2.0)",
        "keras.optimizers.SGD(learning_rate=0.05, global_clipnorm=2.0)",
        "optax.chain(optax.clip_by_global_norm(2.0), optax.sgd(0.05))",
    ),
    ChecklistItem(
        "Many ReLU units output 0 for every input; accuracy at chance",
        "Dead fraction well above 0 and not falling (the lr x 3 rung: 47% to 94% of its last "
        "hidden layer dead within 80 steps in four seeds of five, with a modest gradient norm)",
        "A learning rate so large that steps push units to negative pre-activations for every "
        "input (or a negative bias)",
        "A smaller learning rate; leaky ReLU, clipping or normalization help",
        "torch.nn.LeakyReLU(negative_slope=0.01)",
        "keras.layers.LeakyReLU(negative_slope=0.01)",
        "jax.nn.leaky_relu(x, negative_slope=0.01)",
    ),
    ChecklistItem(
        "A deep plain network trains much slower than a shallow one",
        "Steps to a target accuracy grow with depth (ReLU, He: 60 at depth 8, 920 at depth 16, "
        "medians over five seeds)",
        "Every update must pass through the product of many layer Jacobians",
        "Residual connections: each layer's Jacobian gets an identity path, I + alpha D W",
        "x = x + alpha * block(x)  # in forward()",
        "x = keras.layers.Add()([x, keras.layers.Rescaling(alpha)(block(x))])",
        "x = x + alpha * block(x)  # in __call__",
    ),
    ChecklistItem(
        "Activations drift in scale from layer to layer or during training",
        "Activation std growing or shrinking with depth (not measured on this ladder); update "
        "ratios uneven across layers",
        "No control of each layer's input scale",
        "Layer normalization before the activation, where a layer's input is a wide "
        "representation (on two raw features it cost this ladder the radius: §6.4)",
        "torch.nn.LayerNorm(width)",
        "keras.layers.LayerNormalization()",
        "flax.linen.LayerNorm()",
    ),
)


def checklist(items: Sequence[ChecklistItem] = CHECKLIST, *, framework: str = "all") -> Table:
    """The practitioner's checklist as a :class:`Table` (HTML in a notebook).

    ``framework`` is ``"pytorch"``, ``"keras"``, ``"jax"`` or ``"all"`` (one column each).
    """
    framework = check_choice(framework, "framework", ("all", "pytorch", "keras", "jax"))
    chosen = ("pytorch", "keras", "jax") if framework == "all" else (framework,)
    names = {"pytorch": "PyTorch", "keras": "Keras", "jax": "JAX"}
    header = ["symptom", "in the diagnostics", "likely cause", "fix"] + [names[c] for c in chosen]
    rows = [
        [i.symptom, i.diagnostic, i.cause, i.fix] + [getattr(i, c) for c in chosen] for i in items
    ]
    return Table(header, rows, align="l" * len(header))


if __name__ == "__main__":  # pragma: no cover - regenerates the cache
    written = precompute()
    print(f"wrote {written}")
