"""Plant realistic one-line bugs in a copy of gradlab and check that the tests notice each one.

A small mutation-testing harness, run by hand (it is not part of ``make test``)::

    python tools/plant_bugs.py                    # every mutant
    python tools/plant_bugs.py --only clipping    # the mutants of one module (repeatable)
    python tools/plant_bugs.py --list             # show the mutants, run nothing

The real ``lib/gradlab`` is never edited. The harness copies ``lib/``, ``tests/`` and
``pyproject.toml`` into a temporary directory, checks that the unmutated copy passes
the test files it will use (the baseline), then, one mutant at a time, rewrites one
line of the copy, runs ``pytest -x -q -p no:cacheprovider`` on the module's own test
file(s) with ``PYTHONPATH`` pointing at the copy (so the editable install of gradlab
is shadowed), and restores the line. A mutant is *caught* when pytest reports a
failure (or the run times out), *missed* when every test still passes.

Deterministic and bounded: Hypothesis runs with ``--hypothesis-seed=0`` and no example
database carried over from one mutant to the next, BLAS uses one thread, and each
mutant has a timeout (``--timeout``, 120 s by default). About 60 mutants take a few
minutes on two cores (``--jobs 2`` runs two at once, each in its own copy).

Each mutant is one exact text replacement that must match exactly once in its file,
so a mutant that no longer applies (the code moved on) is reported as *stale*, not
silently skipped. The ``engine`` modules (activations, initializers, network,
clipping, rnn, train, data, chains) must have every mutant caught; the exit status
is 1 if one is missed, stale, or if the baseline fails.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ENGINE = ("activations", "initializers", "network", "clipping", "rnn", "train", "data", "chains")
OTHER = ("exercises", "explore", "figures")

#: Source file (under lib/gradlab) and test files of each group of mutants.
SOURCES = {
    "exercises": "exercises/ch1.py",
    "figures": "chains.py",
}
TESTS = {
    "exercises": [
        "tests/test_exercises.py",
        "tests/test_exercises_code.py",
        "tests/test_exercises_ch2.py",
        "tests/test_exercises_ch3.py",
    ],
    "explore": [
        "tests/test_explore.py",
        "tests/test_explore_ch2.py",
        "tests/test_explore_ch3.py",
        "tests/test_figures.py",
    ],
    "figures": ["tests/test_chains.py", "tests/test_plotting_and_validation.py"],
}


@dataclass(frozen=True)
class Mutant:
    """Replace ``old`` (which must occur exactly once) by ``new`` in ``module``'s source."""

    module: str
    old: str
    new: str
    what: str
    tests: tuple[str, ...] = ()
    file: str = ""  # the source under lib/gradlab, when not the group's default

    @property
    def source(self) -> str:
        return self.file or SOURCES.get(self.module, f"{self.module}.py")

    @property
    def test_files(self) -> list[str]:
        return list(self.tests) or TESTS.get(self.module, [f"tests/test_{self.module}.py"])


M = Mutant
MUTANTS: list[Mutant] = [
    # --- activations ------------------------------------------------------------------------
    M(
        "activations",
        "negative_slope: float = 0.01, out: np.ndarray | None = None\n) -> np.ndarray:\n"
        '    """Leaky ReLU',
        "negative_slope: float = 0.02, out: np.ndarray | None = None\n) -> np.ndarray:\n"
        '    """Leaky ReLU',
        "leaky_relu default slope 0.01 -> 0.02",
    ),
    M(
        "activations",
        "negative_slope: float = 0.01, out: np.ndarray | None = None\n) -> np.ndarray:\n"
        '    """``1`` if',
        "negative_slope: float = 0.02, out: np.ndarray | None = None\n) -> np.ndarray:\n"
        '    """``1`` if',
        "leaky_relu_derivative default slope 0.01 -> 0.02",
    ),
    M(
        "activations",
        'params.get("negative_slope", 0.01)',
        'params.get("negative_slope", 0.02)',
        "get('leaky_relu') default slope 0.01 -> 0.02",
    ),
    M(
        "activations",
        "def elu(z: ArrayLike, alpha: float = 1.0,",
        "def elu(z: ArrayLike, alpha: float = 2.0,",
        "elu default alpha 1 -> 2",
    ),
    M(
        "activations",
        "def elu_derivative(z: ArrayLike, alpha: float = 1.0,",
        "def elu_derivative(z: ArrayLike, alpha: float = 2.0,",
        "elu_derivative default alpha 1 -> 2",
    ),
    M(
        "activations",
        'params.get("alpha", 1.0)',
        'params.get("alpha", 2.0)',
        "get('elu') default alpha 1 -> 2",
    ),
    M(
        "activations",
        "np.greater(x, 0.0, out=out)",
        "np.greater_equal(x, 0.0, out=out)",
        "ReLU-family kink: phi'(0) from the z > 0 branch",
    ),
    M(
        "activations",
        "return _store(np.where(z > 0, 1.0, negative), out)",
        "return _store(np.where(z >= 0, 1.0, negative), out)",
        "elu'(0) = 1 instead of alpha",
    ),
    M(
        "activations",
        "SATURATION_TOL = 0.01",
        "SATURATION_TOL = 0.02",
        "saturation tolerance 1% -> 2%",
        ("tests/test_activations.py", "tests/test_network.py"),
    ),
    M(
        "activations",
        "np.multiply(t, 4.0, out=t)",
        "np.multiply(t, 2.0, out=t)",
        "tanh' loses its factor 2 (4t -> 2t)",
    ),
    M(
        "activations",
        "np.multiply(t, -2.0, out=t)",
        "np.multiply(t, -1.0, out=t)",
        "tanh' uses exp(-|z|) instead of exp(-2|z|)",
    ),
    M(
        "activations",
        "return Activation(name, tanh, tanh_derivative, None, (-1.0, 1.0))",
        "return Activation(name, tanh, tanh_derivative, None, (0.0, 1.0))",
        "tanh bounds (-1, 1) -> (0, 1)",
    ),
    M(
        "activations",
        'check_real(negative_slope, "negative_slope", minimum=0.0, maximum=0.999)',
        'check_real(negative_slope, "negative_slope", minimum=0.0, maximum=1.0)',
        "leaky slope upper bound 0.999 -> 1.0",
    ),
    M(
        "activations",
        "return np.add(sigmoid(z), z * sigmoid_derivative(z)",
        "return np.add(sigmoid(z), z * sigmoid(z)",
        "silu' uses sigma instead of sigma'",
    ),
    # --- initializers -----------------------------------------------------------------------
    M(
        "initializers",
        "** 2 * 2.0 / (fan_in + fan_out)",
        "** 2 * 1.0 / (fan_in + fan_out)",
        "Glorot variance drops its factor 2",
    ),
    M(
        "initializers",
        "return 2.0 / ((1.0 + slope**2) * fan)",
        "return 2.0 / ((1.0 + slope) * fan)",
        "He variance with (1 + a) instead of (1 + a^2)",
    ),
    M(
        "initializers",
        '            fan_in\n            if check_choice(opts["mode"], "mode", '
        '("fan_in", "fan_out")) == "fan_in"\n            else fan_out',
        '            fan_out\n            if check_choice(opts["mode"], "mode", '
        '("fan_in", "fan_out")) == "fan_in"\n            else fan_in',
        "He mode swaps fan_in and fan_out",
    ),
    M(
        "initializers",
        "return 1.0 / (3.0 * fan_in)",
        "return 1.0 / (3.0 * fan_out)",
        "uniform_fan_in uses fan_out",
    ),
    M(
        "initializers",
        '"constant": {"value": 0.1}',
        '"constant": {"value": 0.2}',
        "constant default (options table) 0.1 -> 0.2",
    ),
    M(
        "initializers",
        "    value: float = 0.1,",
        "    value: float = 0.2,",
        "constant() default value 0.1 -> 0.2",
    ),
    M(
        "initializers",
        '"he_normal": {"mode": "fan_in", "negative_slope": 0.0}',
        '"he_normal": {"mode": "fan_in", "negative_slope": 0.01}',
        "he_normal default slope 0 -> 0.01 (options table)",
    ),
    M(
        "initializers",
        "    std: float = 1.0,",
        "    std: float = 0.05,",
        "standard_normal default std 1 -> 0.05 (Keras)",
    ),
    M(
        "initializers",
        "    seed: int | None = None,\n    gain: float = 1.0,\n) -> np.ndarray:\n"
        '    """A random (semi-)orthogonal',
        "    seed: int | None = None,\n    gain: float = 2.0,\n) -> np.ndarray:\n"
        '    """A random (semi-)orthogonal',
        "orthogonal default gain 1 -> 2",
    ),
    M(
        "initializers",
        "    q *= np.where(np.diag(r) < 0, -1.0, 1.0)\n",
        "",
        "orthogonal without the sign fix: Q not Haar distributed",
    ),
    M(
        "initializers",
        "** 2 / max(fan_in, fan_out)",
        "** 2 / min(fan_in, fan_out)",
        "orthogonal variance uses min(fan) instead of max",
    ),
    M(
        "initializers",
        "return rng.normal(0.0, math.sqrt(var), size=shape)",
        "return np.clip(rng.normal(0.0, math.sqrt(var), size=shape), "
        "-2 * math.sqrt(var), 2 * math.sqrt(var))",
        "normal initializers truncated at 2 std (Keras style)",
    ),
    M(
        "initializers",
        "limit = math.sqrt(3.0 * var)",
        "limit = math.sqrt(6.0 * var)",
        "uniform bound sqrt(6 Var) instead of sqrt(3 Var)",
    ),
    # --- network ----------------------------------------------------------------------------
    M("network", "diff *= 2.0 / diff.size", "diff *= 1.0 / diff.size", "MSE gradient drops 2"),
    M(
        "network",
        "np.count_nonzero(a < low + tol)",
        "np.count_nonzero(a <= low + tol)",
        "saturated: a unit exactly 1% from the low bound counts",
    ),
    M(
        "network",
        "np.count_nonzero(a > high - tol)",
        "np.count_nonzero(a >= high - tol)",
        "saturated: a unit exactly 1% from the high bound counts",
    ),
    M(
        "network",
        "tol = activations.SATURATION_TOL * (high - low)",
        "tol = activations.SATURATION_TOL",
        "saturation tolerance not scaled by the output range",
    ),
    M(
        "network",
        "np.count_nonzero(np.any(d != 0, axis=0))",
        "np.count_nonzero(np.all(d != 0, axis=0))",
        "dead: a unit alive on a single example counts as dead",
    ),
    M(
        "network",
        '        activation: str | activations.Activation = "tanh",\n        init: str',
        '        activation: str | activations.Activation = "relu",\n        init: str',
        "MLP default activation tanh -> relu",
    ),
    M(
        "network",
        'init: str = "xavier_normal"',
        'init: str = "he_normal"',
        "MLP default init xavier_normal -> he_normal",
    ),
    M(
        "network",
        '        activation: str | activations.Activation = "tanh",\n        *,\n        dtype',
        '        activation: str | activations.Activation = "relu",\n        *,\n        dtype',
        "MLP.from_arrays default activation tanh -> relu",
    ),
    M(
        "network",
        "biases = [np.zeros(n) for n in sizes[1:]]",
        "biases = [np.full(n, 0.01) for n in sizes[1:]]",
        "MLP biases start at 0.01, not 0",
    ),
    M(
        "network",
        "        if i > 0:\n                    # delta_{l-1}",
        "        if i > 1:\n                    # delta_{l-1}",
        "backprop stops one layer early",
    ),
    M(
        "network",
        'self, X: np.ndarray, y: np.ndarray | None = None, loss: str = "mse"',
        'self, X: np.ndarray, y: np.ndarray | None = None, loss: str = "cross_entropy"',
        "diagnostics default loss mse -> cross_entropy",
    ),
    M(
        "network",
        'stats["std"][i] = a.std()',
        'stats["std"][i] = a.std(ddof=1)',
        "activation std with ddof=1",
    ),
    # --- clipping ---------------------------------------------------------------------------
    M("clipping", "EPS = 1e-6", "EPS = 1e-5", "clipping eps 1e-6 -> 1e-5"),
    M(
        "clipping",
        "scale = max_norm / (total + eps) if total > max_norm else 1.0",
        "scale = max_norm / (total + eps) if total >= max_norm else 1.0",
        "global norm exactly at max_norm gets rescaled",
    ),
    M(
        "clipping",
        "np.where(norms > max_norm, max_norm / (norms + eps), 1.0)",
        "np.where(norms >= max_norm, max_norm / (norms + eps), 1.0)",
        "per-tensor norm exactly at max_norm gets rescaled",
    ),
    M(
        "clipping",
        "        norms = np.array([frobenius_norm(g) for g in grads])\n        return [np.clip",
        "        norms = np.array([float(np.max(np.abs(g))) for g in grads])\n"
        "        return [np.clip",
        "clip_by_value reports max |g| instead of the Frobenius norm",
    ),
    M(
        "clipping",
        'c = check_real(clip_value, "clip_value", minimum=0.0, strict_minimum=True)',
        'c = check_real(clip_value, "clip_value", minimum=0.0)',
        "clip_value = 0 accepted",
    ),
    M(
        "clipping",
        '    max_norm = check_real(max_norm, "max_norm", minimum=0.0, strict_minimum=True)\n'
        '    eps = check_real(eps, "eps", minimum=0.0)\n    grads = _check_grads(grads, '
        "allow_nonfinite)\n    with",
        '    max_norm = check_real(max_norm, "max_norm", minimum=0.0)\n'
        '    eps = check_real(eps, "eps", minimum=0.0)\n    grads = _check_grads(grads, '
        "allow_nonfinite)\n    with",
        "clip_by_norm accepts max_norm = 0",
    ),
    M(
        "clipping",
        '    max_norm = check_real(max_norm, "max_norm", minimum=0.0, strict_minimum=True)\n'
        '    eps = check_real(eps, "eps", minimum=0.0)\n    grads = _check_grads(grads, '
        "allow_nonfinite)\n    total",
        '    max_norm = check_real(max_norm, "max_norm", minimum=0.0, strict_minimum=True)\n'
        '    eps = check_real(eps, "eps", minimum=0.0, strict_minimum=True)\n    grads = '
        "_check_grads(grads, allow_nonfinite)\n    total",
        "clip_by_global_norm rejects eps = 0 (the Keras/TF form)",
    ),
    M(
        "clipping",
        "max_norm / (norms + eps), 1.0)",
        "max_norm / norms, 1.0)",
        "per-tensor clipping ignores eps",
    ),
    M(
        "clipping",
        "if 1e-280 < squares < math.inf:",
        "if squares < math.inf:",
        "frobenius_norm loses its underflow guard",
    ),
    M(
        "clipping",
        "if scale == 0.0 or not math.isfinite(scale):\n            return scale",
        "if scale == 0.0 or not math.isfinite(scale):\n            return 0.0",
        "frobenius_norm of an array with inf returns 0",
    ),
    # --- rnn --------------------------------------------------------------------------------
    M("rnn", '"sigmoid": 0.25,', '"sigmoid": 0.5,', "gamma(sigmoid) 1/4 -> 1/2"),
    M("rnn", '"identity": 1.0,', '"identity": 0.5,', "gamma(identity) 1 -> 1/2"),
    M(
        "rnn",
        '"leaky_relu": 1.0,  # slopes',
        '"leaky_relu": 0.01,  # slopes',
        "gamma(leaky_relu) is the slope instead of 1",
    ),
    M(
        "rnn",
        "return max(1.0, float(act.derivative(0.0)))",
        "return float(act.derivative(0.0))",
        "gamma(elu) = alpha even when alpha < 1",
    ),
    M(
        "rnn",
        "sigma < threshold, sigma > threshold)",
        "sigma <= threshold, sigma > threshold)",
        "vanishing guaranteed at sigma_max exactly 1/gamma",
    ),
    M(
        "rnn",
        "sigma < threshold, sigma > threshold)",
        "sigma < threshold, sigma >= threshold)",
        "exploding possible at sigma_max exactly 1/gamma",
    ),
    M(
        "rnn",
        "sigma < threshold, sigma > threshold)",
        "rho < threshold, rho > threshold)",
        "Pascanu check on the spectral radius instead of sigma_max",
    ),
    M(
        "rnn",
        'recurrent_init: str = "orthogonal"',
        'recurrent_init: str = "normal"',
        "RNN default recurrent_init orthogonal -> normal",
    ),
    M(
        "rnn",
        "recurrent_scale: float = 1.0,",
        "recurrent_scale: float = 0.9,",
        "RNN default recurrent_scale 1 -> 0.9",
    ),
    M(
        "rnn",
        '        output_size: int = 1,\n        activation: str | activations.Activation = "tanh",',
        "        output_size: int = 1,\n        activation: str | activations.Activation = "
        '"sigmoid",',
        "RNN default activation tanh -> sigmoid",
    ),
    M("rnn", "output_size: int = 1,", "output_size: int = 2,", "RNN default output_size 1 -> 2"),
    M(
        "rnn",
        "rng.normal(0.0, scale / np.sqrt(n_h), size=(n_h, n_h))",
        "rng.normal(0.0, scale / n_h, size=(n_h, n_h))",
        "normal W_hh with std scale/n instead of scale/sqrt(n)",
    ),
    M(
        "rnn",
        "W_xh = initializers.lecun_normal((n_in, n_h), rng).T",
        "W_xh = initializers.he_normal((n_in, n_h), rng).T",
        "W_xh He instead of LeCun normal",
    ),
    M(
        "rnn",
        "self._setup(W_xh, W_hh, np.zeros(n_h), W_hy",
        "self._setup(W_xh, W_hh, np.full(n_h, 0.01), W_hy",
        "RNN bias starts at 0.01, not 0",
    ),
    M(
        "rnn",
        "for t in range(T, 0, -1):",
        "for t in range(T, 1, -1):",
        "BPTT stops one step early",
    ),
    # --- train ------------------------------------------------------------------------------
    M("train", "momentum: float = 0.0,", "momentum: float = 0.9,", "train default momentum 0.9"),
    M("train", "batch_size: int = 32,", "batch_size: int = 64,", "train default batch 32 -> 64"),
    M("train", "epochs: int = 10,", "epochs: int = 5,", "train default epochs 10 -> 5"),
    M("train", "lr: float = 0.1,", "lr: float = 0.01,", "train default lr 0.1 -> 0.01"),
    M(
        "train",
        "clip_threshold: float = 1.0,",
        "clip_threshold: float = 5.0,",
        "train default clip_threshold 1 -> 5",
    ),
    M(
        "train",
        "order = rng.permutation(n)",
        "order = np.random.default_rng(0).permutation(n)",
        "shuffling ignores the seed",
    ),
    M(
        "train",
        "order = rng.permutation(n)",
        "order = np.arange(n)",
        "rows never shuffled",
    ),
    M(
        "train",
        "clipped[step] = bool(np.any(norms[step] > threshold))",
        "clipped[step] = bool(np.all(norms[step] > threshold))",
        "per-tensor clipping flagged only when every tensor is clipped",
    ),
    M(
        "train",
        "clipped[step] = any(np.max(np.abs(g)) > threshold for g in result.as_list())",
        "clipped[step] = any(np.max(g) > threshold for g in result.as_list())",
        "value-clipping flag without abs(): negative entries ignored",
    ),
    M(
        "train",
        "v *= momentum  # v = momentum v + g",
        "v *= lr  # v = momentum v + g",
        "velocity decays by lr instead of momentum",
    ),
    # --- data -------------------------------------------------------------------------------
    M(
        "data",
        "n_samples: int = 400,\n    *,\n    noise: float = 0.05,",
        "n_samples: int = 200,\n    *,\n    noise: float = 0.05,",
        "two_spirals default size 400 -> 200",
    ),
    M(
        "data",
        "n_samples: int = 400,\n    *,\n    noise: float = 0.05,",
        "n_samples: int = 400,\n    *,\n    noise: float = 0.1,",
        "two_spirals default noise 0.05 -> 0.1",
    ),
    M("data", "turns: float = 1.5,", "turns: float = 2.0,", "two_spirals default turns"),
    M(
        "data",
        "    noise: float = 0.1,\n    rng: np.random.Generator | None = None,\n    seed: int | "
        'None = None,\n) -> Dataset:\n    """Two interleaving',
        "    noise: float = 0.2,\n    rng: np.random.Generator | None = None,\n    seed: int | "
        'None = None,\n) -> Dataset:\n    """Two interleaving',
        "moons default noise 0.1 -> 0.2",
    ),
    M(
        "data",
        "def xor(\n    n_samples: int = 400,",
        "def xor(\n    n_samples: int = 100,",
        "xor default size 400 -> 100",
    ),
    M(
        "data",
        "n_samples: int = 256,\n    length: int = 50,",
        "n_samples: int = 256,\n    length: int = 100,",
        "adding_problem default length 50 -> 100",
    ),
    M(
        "data",
        "    y = np.arange(n) % 2\n    t = rng.uniform",
        "    y = rng.integers(0, 2, n)\n    t = rng.uniform",
        "moons labels drawn at random: classes no longer balanced",
    ),
    M(
        "data",
        "second = rng.integers(T // 2, T, size=n)",
        "second = rng.integers(T // 2, T - 1, size=n)",
        "adding problem never marks the last step",
    ),
    M(
        "data",
        "np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])",
        "np.column_stack([1.0 - np.cos(t), 0.5 + np.sin(t)])",
        "moons: class 1 half circle flipped upwards",
    ),
    M(
        "data",
        "theta = np.sqrt(rng.uniform(0.0, 1.0, n)) * 2",
        "theta = rng.uniform(0.0, 1.0, n) * 2",
        "spirals: points crowd the centre (no sqrt)",
    ),
    M(
        "data",
        "angle = theta + np.pi * y",
        "angle = theta + 2 * np.pi * y",
        "spirals: both classes on the same spiral",
    ),
    # --- chains -----------------------------------------------------------------------------
    M(
        "chains",
        "def scalar_chain(w: float, depth: int, a0: float = 1.0)",
        "def scalar_chain(w: float, depth: int, a0: float = 2.0)",
        "scalar_chain default a0 1 -> 2",
    ),
    M(
        "chains",
        "    n_draws: int = 1,\n    *,",
        "    n_draws: int = 2,\n    *,",
        "log_norms default n_draws 1 -> 2",
    ),
    M(
        "chains",
        '    method: str = "matrices",\n) -> np.ndarray:',
        '    method: str = "chi2",\n) -> np.ndarray:',
        "log_norms default method matrices -> chi2",
    ),
    M(
        "chains",
        "    scale: float = 1.0,\n    *,",
        "    scale: float = 0.5,\n    *,",
        "random_matrix_product default scale 1 -> 0.5",
    ),
    M(
        "chains",
        "depth = math.floor(ratio) + 1",
        "depth = math.ceil(ratio)",
        "depth_to_reach: ceil instead of floor + 1",
    ),
    M(
        "chains",
        "return value < math.log(target) if aw < 1",
        "return value <= math.log(target) if aw < 1",
        "depth_to_reach: reaching the target counts as crossing it",
    ),
    M(
        "chains",
        "return math.log(s) + 0.5 * (math.log(2.0)",
        "return math.log(s) + (math.log(2.0)",
        "Lyapunov exponent drops the 1/2",
    ),
    M(
        "chains",
        "return 0.5 * math.sqrt(depth * float(special.polygamma(1, n / 2)))",
        "return math.sqrt(depth * float(special.polygamma(1, n / 2)))",
        "log_norm_std drops the 1/2",
    ),
    M(
        "chains",
        "rates.std(ddof=1)",
        "rates.std(ddof=0)",
        "growth-rate standard error with ddof=0",
    ),
    M(
        "chains",
        "np.cumsum(np.log(np.abs(f)), axis=-1",
        "np.cumsum(np.log(f), axis=-1",
        "log_product without abs()",
    ),
    M(
        "chains",
        "return x * math.log(x) - x",
        "return x * math.log(x)",
        "E[ln w] antiderivative loses its -x",
    ),
    # --- exercises (checkers) ------------------------------------------------------------
    M("exercises", "RATE_SIG_FIGS = 4", "RATE_SIG_FIGS = 3", "growth_rate tolerance x10"),
    M("exercises", "GAIN_SIG_FIGS = 4", "GAIN_SIG_FIGS = 3", "critical_gain tolerance x10"),
    M(
        "exercises",
        "lambda v: v == DEPTH - 1,",
        "lambda v: v == DEPTH + 1,",
        "off-by-one hint checks DEPTH + 1",
    ),
    M(
        "exercises",
        "DECADES_SIG_FIGS = 3",
        "DECADES_SIG_FIGS = 2",
        "decades_lost tolerance x10",
        file="exercises/ch2.py",
    ),
    M(
        "exercises",
        "STEP_SIG_FIGS = 2",
        "STEP_SIG_FIGS = 1",
        "best_step tolerance x10",
        file="exercises/ch2.py",
    ),
    M(
        "exercises",
        "    return 10.0 ** (exponent - int(n) + 1)",
        "    return 10.0 ** (exponent - int(n) + 2)",
        "sig_fig_tolerance ten times too loose",
        file="exercises/_core.py",
    ),
    M(
        "exercises",
        "_DEAD_STRICT = int(np.count_nonzero(np.all(_Z < 0, axis=0)))",
        "_DEAD_STRICT = int(np.count_nonzero(np.all(_Z <= 0, axis=0)))",
        "dead-units hint for z < 0 fires for the right answer",
        file="exercises/ch3.py",
    ),
    # --- explore (drawn data) -------------------------------------------------------------
    M(
        "explore",
        "self._layers * math.log(sigma)) / LN10",
        "self._layers * math.log(gain)) / LN10",
        "draws shifted by ln(gain), not ln(sigma)",
        file="explore/ch1.py",
    ),
    M(
        "explore",
        "crit = chains.critical_scale(width) * math.sqrt(width)",
        "crit = chains.critical_scale(width)",
        "critical gain shown as sigma*",
        file="explore/ch1.py",
    ),
    M(
        "explore",
        '"w": Control("weight w", 0.9,',
        '"w": Control("weight w", 0.8,',
        "scalar explorer default w 0.9 -> 0.8",
        file="explore/ch1.py",
    ),
    M(
        "explore",
        "        logs = np.log10(norms.backward)\n        pred = backprop.linear_prediction(norms)",
        "        logs = np.log(norms.backward)\n        pred = backprop.linear_prediction(norms)",
        "gradient-flow explorer draws natural logs on a log10 axis",
        file="explore/ch2.py",
    ),
    # --- figures (chains plots) -----------------------------------------------------------
    M(
        "figures",
        "layers * mean_log / math.log(10),",
        "layers * mean_log,",
        "random-chain trend line not divided by ln 10",
        tests=("tests/test_chains.py", "tests/test_figures.py"),
    ),
    M(
        "figures",
        "            depth * lam,\n",
        "            lam,\n",
        "histogram marks lambda instead of L lambda",
        tests=("tests/test_chains.py", "tests/test_figures.py"),
    ),
]


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # caught, missed, stale, error
    detail: str
    seconds: float


def _copy_tree(dest: Path) -> None:
    shutil.copytree(ROOT / "lib", dest / "lib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "tests", dest / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", dest / "pyproject.toml")


def _env(copy: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PYTHONPATH=str(copy / "lib"),
        PYTHONDONTWRITEBYTECODE="1",
        JUPYTER_PLATFORM_DIRS="1",
        MPLBACKEND="Agg",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    return env


def _pytest(copy: Path, files: list[str], timeout: float) -> tuple[int | None, str]:
    """Run pytest on ``files`` in ``copy``; return (exit code or None on timeout, output)."""
    shutil.rmtree(copy / ".hypothesis", ignore_errors=True)  # no examples carried over
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-x",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:xdist",
        "-p",
        "no:nbval",
        "--hypothesis-seed=0",
        *files,
    ]
    try:
        proc = subprocess.run(
            cmd, cwd=copy, env=_env(copy), capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return None, ""
    return proc.returncode, proc.stdout + proc.stderr


def _first_failure(output: str) -> str:
    match = re.search(r"^(?:FAILED|ERROR) (\S+)", output, flags=re.MULTILINE)
    return match.group(1) if match else output.strip().splitlines()[-1] if output.strip() else ""


def _check_import(copy: Path) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", "import gradlab; print(gradlab.__file__)"],
        cwd=copy,
        env=_env(copy),
        capture_output=True,
        text=True,
        check=True,
    )
    where = Path(probe.stdout.strip()).resolve()
    if copy.resolve() not in where.parents:
        sys.exit(f"plant_bugs: gradlab imports from {where}, not from the copy {copy}")


def _run_mutant(mutant: Mutant, copies: queue.Queue, timeout: float) -> Outcome:
    copy = copies.get()
    start = time.perf_counter()
    try:
        path = copy / "lib" / "gradlab" / mutant.source
        original = path.read_text()
        count = original.count(mutant.old)
        if count != 1:
            return Outcome(mutant, "stale", f"old text found {count} times", 0.0)
        path.write_text(original.replace(mutant.old, mutant.new))
        try:
            code, output = _pytest(copy, mutant.test_files, timeout)
        finally:
            path.write_text(original)
        seconds = time.perf_counter() - start
        if code is None:
            return Outcome(mutant, "caught", f"timeout after {timeout:g} s", seconds)
        if code == 0:
            return Outcome(mutant, "missed", "all tests pass", seconds)
        if code == 1:
            return Outcome(mutant, "caught", _first_failure(output), seconds)
        return Outcome(mutant, "caught", f"pytest exit {code}: {_first_failure(output)}", seconds)
    finally:
        copies.put(copy)


def main(argv: list[str] | None = None) -> int:
    groups = ENGINE + OTHER
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", action="append", choices=groups, help="module (repeatable)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per mutant")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once (default 1)")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = parser.parse_args(argv)
    selected = [m for m in MUTANTS if not args.only or m.module in args.only]
    if args.list:
        for i, m in enumerate(selected, 1):
            print(f"{i:3d} {m.module:12s} {m.what}")
        return 0

    with tempfile.TemporaryDirectory(prefix="plant_bugs_") as tmp:
        copies: queue.Queue = queue.Queue()
        for j in range(max(1, args.jobs)):
            copy = Path(tmp) / f"copy{j}"
            _copy_tree(copy)
            copies.put(copy)
        first = copies.get()
        _check_import(first)
        files = sorted({f for m in selected for f in m.test_files})
        code, output = _pytest(first, files, args.timeout * 3)
        copies.put(first)
        if code != 0:
            print(f"baseline FAILS on the unmutated copy ({_first_failure(output)}):")
            print(output[-3000:])
            return 1
        print(f"baseline: {len(files)} test files pass on the unmutated copy")
        print(f"{len(selected)} mutants, {args.jobs} at a time\n")

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(_run_mutant, m, copies, args.timeout) for m in selected]
            outcomes = []
            for i, future in enumerate(futures, 1):
                out = future.result()
                outcomes.append(out)
                m = out.mutant
                print(
                    f"{i:3d} {out.status.upper():7s} {m.module:12s} {m.what}  "
                    f"[{out.detail}] {out.seconds:.1f}s",
                    flush=True,
                )
        elapsed = time.perf_counter() - start

    print()
    failed_engine = 0
    for title, mods in (("engine", ENGINE), ("other", OTHER)):
        group = [o for o in outcomes if o.mutant.module in mods]
        if not group:
            continue
        caught = sum(o.status == "caught" for o in group)
        print(f"{title}: caught {caught} of {len(group)}")
        for mod in mods:
            per = [o for o in group if o.mutant.module == mod]
            if per:
                c = sum(o.status == "caught" for o in per)
                print(f"  {mod:12s} {c}/{len(per)}")
        bad = [o for o in group if o.status != "caught"]
        for o in bad:
            print(f"  {o.status}: {o.mutant.module}: {o.mutant.what}")
        if title == "engine":
            failed_engine = len(bad)
    total = sum(o.status == "caught" for o in outcomes)
    print(f"total: caught {total} of {len(outcomes)} in {elapsed:.0f} s")
    return 1 if failed_engine or any(o.status == "stale" for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
