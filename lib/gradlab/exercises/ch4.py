"""Checkers for Chapter 4, *Initialization*.

Code: :func:`he_normal` (Exercise 4.1) checks the learner's ``he_normal(shape, rng)`` by its
statistics (shape, dtype, mean, sample variance, kurtosis) and by its use of the given
generator, on several shapes with seeds the checker chooses. Numeric: :func:`leaky_depth_scale`
(4.2) is the predicted scale after ``L`` leaky-ReLU layers; :func:`choose_initializers` (4.3)
takes the initializer for tanh, ReLU and leaky ReLU, and the leaky one's variance.

Each checker's hints are a module-level table (``HE_HINTS``, ``SCALE_HINTS``,
``NAME_HINTS``, :func:`variance_hints`), so the tests can trigger every one of them. Every
expected value is computed by ``gradlab`` (:func:`gradlab.initializers.variance`), never typed
in.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable

import numpy as np

from .. import initializers
from ._core import (
    Feedback,
    Hint,
    Interval,
    any_at_sig_figs,
    at_sig_figs,
    is_blank,
    near,
    number_rule,
)
from ._functions import _GENERIC_HINTS, is_stub
from ._page import CodeExercise, Field, Option, PageExercise, exercise, single_number

__all__ = [
    "he_normal",
    "he_statistics",
    "leaky_depth_scale",
    "expected_scale",
    "choose_initializers",
    "variance_hints",
]

# Exercise 4.1 (code): He-normal initialization ---------------------------------------------------

#: The shapes (fan_in, fan_out) and seeds the checker tries: each has at least 16,000 entries,
#: so that the statistical tests below are sharp, and fan_in != fan_out (a swapped shape or a
#: fan_out variance shows).
HE_CASES: tuple[tuple[tuple[int, int], int], ...] = (
    ((256, 64), 0),
    ((64, 256), 1),
    ((400, 100), 2),
)
#: How many standard errors a statistic may stray from its target before it is rejected. At 5,
#: a correct implementation fails one case with probability below 1e-6; the seeds are fixed, so
#: the verdict never changes from one run to the next.
HE_Z = 5.0
#: Excess kurtosis of a uniform distribution (a normal's is 0).
UNIFORM_KURTOSIS = -1.2
#: Variance and excess kurtosis of a standard normal truncated to [-2, 2] (Keras's and JAX's
#: truncated normals cut there): ``scipy.stats.truncnorm(-2, 2).stats(moments="vk")``.
TRUNCATED_VARIANCE, TRUNCATED_KURTOSIS = 0.7737413035499232, -0.6344632828703505


def he_statistics(w: np.ndarray) -> dict[str, float]:
    """Sample mean, variance (``ddof = 1``) and excess kurtosis of the entries of ``w``.

    For ``N`` i.i.d. normal draws of variance ``sigma^2`` their standard errors are about
    ``sigma / sqrt(N)``, ``sigma^2 sqrt(2 / (N - 1))`` and ``sqrt(24 / N)``.

    References
    ----------
    Kendall, M., Stuart, A. (1977). *The Advanced Theory of Statistics*, vol. 1, 4th ed.,
    §10.5 (standard errors of moments).
    """
    x = np.asarray(w, dtype=np.float64).ravel()
    mean = float(np.mean(x))
    d = x - mean
    m2 = float(np.mean(d * d))
    kurt = float(np.mean(d**4)) / m2**2 - 3.0 if m2 > 0 else 0.0
    return {"mean": mean, "var": float(np.var(x, ddof=1)), "kurtosis": kurt, "n": float(x.size)}


def _var_ok(var: float, target: float, n: float) -> bool:
    """Whether ``var`` is within ``HE_Z`` standard errors of ``target``.

    That is ``|var / target - 1| <= HE_Z sqrt(2 / (n - 1))``.
    """
    return abs(var / target - 1.0) <= HE_Z * math.sqrt(2.0 / (n - 1.0))


HE_HINTS: dict[str, str] = {
    "not_array": "Return the NumPy array of weights itself, e.g. `return rng.normal(0.0, std, "
    "size=shape)`.",
    "shape_order": "The shape is swapped: return an array of shape (fan_in, fan_out), the shape "
    "you were given, in that order (gradlab's layout, a_{l-1} @ W).",
    "shape": "Return an array of exactly the given shape (fan_in, fan_out): pass size=shape.",
    "dtype": "Return float64 weights (NumPy's default): don't convert to float32 or int.",
    "finite": "Some weights are inf or nan: check the standard deviation you compute.",
    "global_state": "Two generators with the same seed gave different weights: you draw from "
    "NumPy's global state (np.random.randn, np.random.normal ...). Draw from the rng you are "
    "given: rng.normal(...), rng.standard_normal(...).",
    "ignores_rng": "Generators with different seeds gave the same weights: your function does "
    "not draw from the rng it is given (did it seed or create its own generator?). Use rng.",
    "fan_out": "The variance is 2/fan_out: He's forward rule divides by fan_in, the number of "
    "inputs each unit sums (shape[0] in the layout (fan_in, fan_out)).",
    "lecun": "The variance is 1/fan_in, LeCun's: a ReLU zeroes half of its inputs, so He "
    "doubles it to 2/fan_in.",
    "std_not_sqrt": "The standard deviation is 2/fan_in, not sqrt(2/fan_in): the variance is "
    "2/fan_in, and rng.normal takes the standard deviation (its scale argument).",
    "variance": "The sample variance is far from 2/fan_in (see the numbers above): the "
    "standard deviation must be sqrt(2 / shape[0]).",
    "uniform": "The variance is right but the weights are uniform (their kurtosis is -1.2, a "
    "normal's is 0): he_normal draws from a normal, rng.normal(0.0, std, size=shape).",
    "xavier": "The variance is 2/(fan_in + fan_out), Xavier/Glorot's, for tanh and linear "
    "units. He's rule for ReLU uses the fan-in alone: 2/fan_in.",
    "truncated": "Your weights are cut at two standard deviations, as Keras's and JAX's "
    "truncated normals are (their kurtosis, or their variance, gives it away). This exercise "
    "asks for PyTorch's and gradlab's untruncated normal: rng.normal(0.0, std, size=shape).",
    "not_normal": "The weights do not look normally distributed (their kurtosis is far from "
    "0): draw them with rng.normal or rng.standard_normal.",
    "mean": "The weights' mean is far from 0: draw from a normal centred on 0.",
}


def _call(
    func: Callable[..., object], shape: tuple[int, int], seed: int
) -> tuple[object, BaseException | None]:
    """The learner's result on ``(shape, default_rng(seed))`` and what it raised, if anything."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with np.errstate(all="ignore"):
            try:
                return func(shape, np.random.default_rng(seed)), None
            except (Exception, SystemExit) as exc:
                return None, exc


def _bad(what: str, key: str) -> Feedback:
    return Feedback("incorrect", what, HE_HINTS[key])


HE_NORMAL_CODE = CodeExercise(
    "ch4-ex-he-normal",
    "4.1",
    f"The checker draws {len(HE_CASES)} weight matrices with your function, with shapes and "
    "seeds it chooses, and tests each one's shape and dtype, that the same seed gives the "
    "same array, and its mean, variance and kurtosis against N(0, 2/fan_in).",
)


@exercise(HE_NORMAL_CODE)
def he_normal(func: object) -> Feedback:
    """Exercise 4.1: check the learner's ``he_normal(shape, rng)``.

    It must return a float64 array of shape ``shape = (fan_in, fan_out)`` drawn from

    .. math:: W_{ij} \\sim \\mathcal N\\!\\left(0, \\frac{2}{\\mathrm{fan\\_in}}\\right)

    with the NumPy generator ``rng`` (same seed, same array; other seed, other array). The
    checker calls it on ``HE_CASES`` (shapes and seeds it chooses) and tests, for each: the
    shape and dtype; reproducibility (the same seed twice, then another seed); the sample
    variance against ``initializers.variance("he_normal", fan_in, fan_out)`` within ``HE_Z``
    standard errors, ``sqrt(2 / (N - 1))`` relative; the excess kurtosis within
    ``HE_Z sqrt(24 / N)`` of 0, the normal's (a uniform's is -1.2); and the mean within
    ``HE_Z`` standard errors of 0, in that order. Its hints name the usual mistakes
    (``HE_HINTS``).

    References
    ----------
    He, K., Zhang, X., Ren, S., Sun, J. (2015). Delving deep into rectifiers: surpassing
    human-level performance on ImageNet classification. *ICCV*, 1026-1034.
    """
    name = "he_normal"
    if is_blank(func) or is_stub(func):
        return Feedback("not attempted", f"write the body of {name} and run the cell.")
    if not callable(func):
        return Feedback(
            "incorrect",
            f"expected a function {name}(shape, rng), got {type(func).__name__}.",
            f"Define it with `def {name}(shape, rng):` and pass the function itself (no "
            "parentheses after its name).",
        )
    results = [_call(func, shape, seed) for shape, seed in HE_CASES]
    if all(got is Ellipsis or isinstance(err, NotImplementedError) for got, err in results):
        return Feedback("not attempted", f"write the body of {name} and run the cell.")
    for (shape, seed), (got, error) in zip(HE_CASES, results, strict=True):
        where = f"{name}({shape}, np.random.default_rng({seed}))"
        if error is not None:
            text = str(error)[:200]
            said = f"{where} raised {type(error).__name__}" + (f": {text}" if text else ".")
            return Feedback("incorrect", said, _GENERIC_HINTS["error"])
        if got is None or got is Ellipsis:
            key = "none" if got is None else "ellipsis"
            return Feedback("incorrect", f"{where} returned {got!r}.", _GENERIC_HINTS[key])
        if not isinstance(got, np.ndarray):
            return _bad(f"{where} returned {type(got).__name__}, not a NumPy array.", "not_array")
        if got.shape != shape:
            key = "shape_order" if got.shape == shape[::-1] else "shape"
            return _bad(f"{where} has shape {got.shape}, expected {shape}.", key)
        if got.dtype != np.float64:
            return _bad(f"{where} has dtype {got.dtype}, expected float64.", "dtype")
        if not np.all(np.isfinite(got)):
            return _bad(f"{where} holds non-finite values.", "finite")
        again, _ = _call(func, shape, seed)
        if not (isinstance(again, np.ndarray) and np.array_equal(again, got)):
            return _bad(f"two calls of {where} gave different arrays.", "global_state")
        other, _ = _call(func, shape, seed + 100)
        if isinstance(other, np.ndarray) and np.array_equal(other, got):
            return _bad(f"seeds {seed} and {seed + 100} gave the same array.", "ignores_rng")
        fan_in, fan_out = shape
        target = initializers.variance("he_normal", fan_in, fan_out)
        s = he_statistics(got)
        if not _var_ok(s["var"], target, s["n"]):
            said = (
                f"{where}: sample variance {s['var']:.4g}, expected 2/fan_in = {target:.4g} "
                f"(within {HE_Z:g} standard errors, {HE_Z * math.sqrt(2 / (s['n'] - 1)):.1%})."
            )
            mistakes = (
                ("fan_out", 2.0 / fan_out),
                ("lecun", initializers.variance("lecun_normal", fan_in, fan_out)),
                ("std_not_sqrt", (2.0 / fan_in) ** 2),
                ("xavier", initializers.variance("xavier_normal", fan_in, fan_out)),
                ("truncated", TRUNCATED_VARIANCE * target),
            )
            key = next((k for k, v in mistakes if _var_ok(s["var"], v, s["n"])), "variance")
            kurt_tol = HE_Z * math.sqrt(24.0 / s["n"])
            if abs(s["kurtosis"] - TRUNCATED_KURTOSIS) <= kurt_tol < abs(s["kurtosis"]):
                key = "truncated"  # the tails are cut: that, not the variance, is the mistake
            return _bad(said, key)
        kurt_tol = HE_Z * math.sqrt(24.0 / s["n"])
        if abs(s["kurtosis"]) > kurt_tol:
            key = (
                "uniform"
                if abs(s["kurtosis"] - UNIFORM_KURTOSIS) <= kurt_tol
                else "truncated"
                if abs(s["kurtosis"] - TRUNCATED_KURTOSIS) <= kurt_tol
                else "not_normal"
            )
            said = f"{where}: excess kurtosis {s['kurtosis']:.3g}, a normal's is 0."
            return _bad(said, key)
        if abs(s["mean"]) > HE_Z * math.sqrt(target / s["n"]):
            return _bad(f"{where}: mean {s['mean']:.3g}, expected about 0.", "mean")
    return Feedback(
        "correct",
        f"{name} draws N(0, 2/fan_in) from the given generator on all {len(HE_CASES)} shapes.",
    )


# Exercise 4.2: the scale after L leaky-ReLU layers -----------------------------------------------

#: Depth, leaky slope and n Var[W] of Exercise 4.2, and the figures asked for.
SCALE_DEPTH, SCALE_SLOPE, SCALE_NVAR, SCALE_SIG_FIGS = 17, 0.2, 1.0, 3


def _gain_factor(slope: float) -> float:
    """``c = (1 + α^2) / 2``, read off gradlab's He variance: ``c n Var_He = 1``."""
    n = 1000  # any fan: the variance is 2 / ((1 + α^2) n)
    return 1.0 / (n * initializers.variance("he_normal", n, n, negative_slope=slope))


def expected_scale(depth: int = SCALE_DEPTH, slope: float = SCALE_SLOPE) -> float:
    """``rms(a_L) / rms(a_0) = (c n Var[W])^(L/2)`` with ``c = (1 + α^2) / 2``, ``n Var = 1``."""
    return (_gain_factor(slope) * SCALE_NVAR) ** (depth / 2)


def _at(target: float) -> Interval:
    return at_sig_figs(target, SCALE_SIG_FIGS)


_C = _gain_factor(SCALE_SLOPE)
#: The answer.
SCALE = expected_scale()
SCALE_HINTS: tuple[Hint, ...] = (
    (
        _at(_C**SCALE_DEPTH),
        "That is the ratio of the second moments E[a^2]. The question asks for the root mean "
        "square (a standard deviation): take the square root, the power L/2.",
    ),
    (
        _at(SCALE_NVAR ** (SCALE_DEPTH / 2) * (1 + SCALE_SLOPE**2) ** (SCALE_DEPTH / 2)),
        "You forgot the factor 1/2: a leaky ReLU keeps all of E[z^2] on the positive side but "
        "only α^2 of it on the negative side, (1 + α^2)/2 in all.",
    ),
    (
        any_at_sig_figs([_C ** ((SCALE_DEPTH + k) / 2) for k in (-1, 1)], SCALE_SIG_FIGS),
        f"Count the layers again: each of the {SCALE_DEPTH} layers multiplies E[a^2] by "
        "(1 + α^2)/2 once, so the power is L/2, not (L - 1)/2 or (L + 1)/2.",
    ),
    (
        any_at_sig_figs(
            [g ** (SCALE_DEPTH / 2) for g in ((1 + SCALE_SLOPE) / 2, (1 - SCALE_SLOPE**2) / 2)],
            SCALE_SIG_FIGS,
        ),
        "The leaky gain is (1 + α^2)/2, α squared: the negative side's values are multiplied by "
        "α, so their square by α^2.",
    ),
    (
        _at(0.5 ** (SCALE_DEPTH / 2)),
        "That is a plain ReLU's (c = 1/2). The leak keeps α^2 of the negative side too: "
        "c = (1 + α^2)/2.",
    ),
    (
        _at(_C ** (-SCALE_DEPTH / 2)),
        "That is the inverse: the signal shrinks, so rms(a_L) / rms(a_0) is below 1. Take "
        "((1 + α^2)/2)^(L/2), not its reciprocal.",
    ),
    (
        any_at_sig_figs(
            [f(_C ** (SCALE_DEPTH / 2)) for f in (math.log10, math.log)], SCALE_SIG_FIGS
        ),
        "That is a logarithm of the ratio. The question asks for the ratio itself, "
        "((1 + α^2)/2)^(L/2), a number between 0 and 1.",
    ),
)
SCALE_FALLBACK = (
    "Each layer multiplies E[a^2] by c n Var[W] with c = (1 + α^2)/2 and n Var[W] = 1, so after "
    "L layers the rms is multiplied by (c n Var[W])^(L/2)."
)


SCALE_PAGE = single_number(
    "ch4-ex-leaky-depth",
    "4.2",
    number_rule(
        SCALE,
        what=f"rms(a_{SCALE_DEPTH}) / rms(a_0)",
        sig_figs=SCALE_SIG_FIGS,
        hints=SCALE_HINTS,
        fallback_hint=SCALE_FALLBACK,
    ),
    f"rms(a_{SCALE_DEPTH}) / rms(a_0)",
)


@exercise(SCALE_PAGE)
def leaky_depth_scale(answer: object) -> Feedback:
    """Exercise 4.2: ``rms(a_L) / rms(a_0)`` after ``L = 17`` leaky-ReLU layers (slope 0.2).

    With ``n Var[W] = 1`` and zero biases, He et al.'s recursion
    ``E[a_l^2] = (1 + α^2)/2 n Var[W] E[a_{l-1}^2]`` gives

    .. math:: \\frac{\\mathrm{rms}(a_L)}{\\mathrm{rms}(a_0)}
              = \\left(\\frac{1 + \\alpha^2}{2}\\right)^{L/2}
              = 0.52^{8.5} \\approx 3.85 \\times 10^{-3},

    to ``SCALE_SIG_FIGS`` significant figures (every layer, the last included, applies the
    leaky ReLU). The hints are ``SCALE_HINTS``.

    References
    ----------
    He, K., Zhang, X., Ren, S., Sun, J. (2015). Delving deep into rectifiers. *ICCV*, 1026-1034.
    """
    return SCALE_PAGE.check({"answer": answer})


# Exercise 4.3: choose the initializers ---------------------------------------------------------

#: The layer of Exercise 4.3 (fan_in, fan_out), the leaky slope and the figures asked for.
CHOICE_FAN_IN, CHOICE_FAN_OUT, CHOICE_SLOPE, CHOICE_SIG_FIGS = 256, 128, 0.2, 3
#: The accepted initializers per activation.
ACCEPTED = {
    "tanh": ("xavier_normal", "xavier_uniform", "lecun_normal", "lecun_uniform"),
    "relu": ("he_normal", "he_uniform"),
    "leaky": ("he_normal", "he_uniform"),
}
ALIASES = {
    "glorot_normal": "xavier_normal",
    "glorot_uniform": "xavier_uniform",
    "kaiming_normal": "he_normal",
    "kaiming_uniform": "he_uniform",
}
_FAMILY = {
    "xavier_normal": "xavier",
    "xavier_uniform": "xavier",
    "lecun_normal": "lecun",
    "lecun_uniform": "lecun",
    "he_normal": "he",
    "he_uniform": "he",
    "standard_normal": "standard_normal",
    "uniform_fan_in": "uniform_fan_in",
    "orthogonal": "orthogonal",
    "zeros": "constant",
    "constant": "constant",
}

#: Hints for a wrong pairing: (activation, family of the named initializer) -> hint.
NAME_HINTS: dict[tuple[str, str], str] = {
    ("tanh", "he"): "He's factor 2 makes up for the half of its inputs a ReLU zeroes. tanh is "
    "linear near 0 (tanh'(0) = 1) and keeps all of E[z^2] there, so it wants n Var[W] = 1: "
    "LeCun (1/fan_in) or Xavier/Glorot (2/(fan_in + fan_out)).",
    ("relu", "xavier"): "Xavier/Glorot keeps a linear (or tanh) layer's scale. A ReLU zeroes half "
    "of its inputs and halves E[a^2], so with Xavier the signal shrinks by 2^(-1/2) per layer: "
    "He doubles the variance.",
    ("relu", "lecun"): "LeCun keeps a linear (or tanh) layer's scale. A ReLU zeroes half of its "
    "inputs and halves E[a^2], so with LeCun the signal shrinks by 2^(-1/2) per layer: He "
    "doubles the variance.",
    ("leaky", "xavier"): "A leaky ReLU of slope 0.2 keeps (1 + 0.04)/2 = 0.52 of E[z^2], close to "
    "a ReLU's 1/2: it needs He's initializer, its variance corrected by 1/(1 + α^2).",
    ("leaky", "lecun"): "A leaky ReLU of slope 0.2 keeps (1 + 0.04)/2 = 0.52 of E[z^2], close to "
    "a ReLU's 1/2: it needs He's initializer, its variance corrected by 1/(1 + α^2).",
    ("any", "standard_normal"): "Var[W] = 1 makes n Var[W] = fan_in = 256: the signal grows by "
    "about sqrt(256) = 16 per layer. Scale the variance by 1/fan_in.",
    ("any", "uniform_fan_in"): "PyTorch's nn.Linear default has Var[W] = 1/(3 fan_in): n Var[W] = "
    "1/3, so the signal shrinks by sqrt(3) or more per layer. Choose a scheme made for the "
    "activation.",
    ("any", "orthogonal"): "Orthogonal weights are a good choice for tanh (section 4.5), but they "
    "are not a variance-scaling initializer: the exercise asks for one of the LeCun, Xavier/Glorot "
    "or He family, whose variance is made for the activation.",
    ("any", "constant"): "Equal weights make every unit of a layer compute the same thing, and "
    "they stay equal in training (no symmetry breaking). Draw random weights.",
}


def _leaky_variance() -> float:
    return initializers.variance(
        "he_normal", CHOICE_FAN_IN, CHOICE_FAN_OUT, negative_slope=CHOICE_SLOPE
    )


def variance_hints() -> tuple[Hint, ...]:
    """The hint table for the leaky ReLU's variance (each at ``CHOICE_SIG_FIGS`` figures)."""
    fi, fo, a = CHOICE_FAN_IN, CHOICE_FAN_OUT, CHOICE_SLOPE
    v = initializers.variance

    def at(target: float) -> Interval:
        return at_sig_figs(target, CHOICE_SIG_FIGS)

    return (
        (
            at(v("he_normal", fi, fo)),
            "That is plain He, 2/fan_in, for a ReLU. A leaky ReLU keeps (1 + α^2)/2 of E[z^2], "
            "so its variance is 2/((1 + α^2) fan_in).",
        ),
        (
            at(v("he_normal", fi, fo, mode="fan_out", negative_slope=a)),
            f"That divides by fan_out = {fo}. The forward rule divides by fan_in = {fi}, the "
            "number of inputs each unit sums.",
        ),
        (
            at(math.sqrt(_leaky_variance())),
            "That is the standard deviation. Give the variance, its square.",
        ),
        (
            at(2.0 / ((1.0 + a) * fi)),
            "The correction is 1 + α^2 (α squared, 0.04), not 1 + α.",
        ),
        (
            at(v("lecun_normal", fi, fo)) | at(v("xavier_normal", fi, fo)),
            "That is LeCun's or Xavier's variance. He's, for a leaky ReLU, is "
            "2/((1 + α^2) fan_in).",
        ),
        (
            near(fi * _leaky_variance(), rtol=1e-2),
            "That is n Var[W] = 2/(1 + α^2). Divide by fan_in to get Var[W].",
        ),
    )


def _name(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    key = value.strip().lower()
    return ALIASES.get(key, key)


def _pairing(key: str, name: str) -> Feedback | None:
    """None if ``name`` is accepted for activation ``key``, else the verdict with its hint."""
    if name in ACCEPTED[key]:
        return None
    family = _FAMILY[name]
    hint = NAME_HINTS.get((key, family)) or NAME_HINTS.get(("any", family), "")
    return Feedback("incorrect", f"{name} is not the initializer for {key}.", hint)


def _initializer_name(key: str, value: object) -> str | Feedback:
    options = ", ".join(repr(n) for n in initializers.names())
    name = _name(value)
    if name is None:
        return Feedback(
            "incorrect",
            f"{key}: expected an initializer's name as a string, got {type(value).__name__}.",
            f"Write the name in quotes, one of {options}.",
        )
    if name not in _FAMILY:
        return Feedback(
            "incorrect", f"{key}: {value!r} is not an initializer.", f"Choose one of {options}."
        )
    return name


@functools.cache
def initializers_page() -> PageExercise:
    """Exercise 4.3 as data: three choices among :func:`gradlab.initializers.names` (each
    wrong pairing with its hint from ``NAME_HINTS``) and the leaky layer's variance."""
    names = initializers.names()
    labels = {"tanh": "tanh", "relu": "ReLU", "leaky": "leaky ReLU (slope 0.2)"}
    choices = tuple(
        Field(
            key,
            f"Initializer for {labels[key]}",
            blank=f"replace the ... of {key}= with a name.",
            blank_page=f"choose an initializer for {labels[key]}.",
            options=tuple(Option(n, n, _pairing(key, n)) for n in names),
            normalise=functools.partial(_initializer_name, key),
        )
        for key in ("tanh", "relu", "leaky")
    )
    rule = number_rule(
        _leaky_variance(),
        what=f"Var[W] for the leaky ReLU layer ({CHOICE_FAN_IN} -> {CHOICE_FAN_OUT})",
        sig_figs=CHOICE_SIG_FIGS,
        hints=variance_hints(),
        fallback_hint="He's variance for a leaky ReLU of slope α is 2/((1 + α^2) fan_in).",
    )
    variance = Field(
        "leaky_variance",
        "Var[W], leaky ReLU layer",
        blank="replace the ... of leaky_variance= with a number.",
        blank_page="type Var[W] for the leaky ReLU layer, then press Check.",
        rule=rule,
    )
    return PageExercise("ch4-ex-choose-initializers", "4.3", (*choices, variance))


@exercise(initializers_page)
def choose_initializers(
    tanh: object = ..., relu: object = ..., leaky: object = ..., leaky_variance: object = ...
) -> Feedback:
    """Exercise 4.3: the initializer for tanh, for ReLU and for leaky ReLU (slope 0.2), and the
    leaky one's ``Var[W]`` for a layer with ``fan_in = 256``, ``fan_out = 128``.

    Accepted (names of :func:`gradlab.initializers.names`, or the aliases ``glorot_*`` and
    ``kaiming_*``):

    * tanh: **LeCun** (``1/fan_in``) or **Xavier/Glorot** (``2/(fan_in + fan_out)``), normal or
      uniform. tanh is linear near 0 (``tanh'(0) = 1``), so the linear rule ``n Var[W] = 1``
      applies: LeCun keeps the forward signal's scale, Xavier compromises between the forward
      (fan_in) and the backward (fan_out) pass. He's doubled variance would push tanh into
      saturation.
    * ReLU: **He** (``2/fan_in``), normal or uniform: a ReLU halves ``E[a^2]``.
    * leaky ReLU: **He** with the slope's correction, normal or uniform, of variance

      .. math:: \\mathrm{Var}[W] = \\frac{2}{(1 + \\alpha^2)\\,\\mathrm{fan\\_in}}
                = \\frac{2}{1.04 \\cdot 256} \\approx 7.51 \\times 10^{-3}

      (``initializers.variance("he_normal", 256, 128, negative_slope=0.2)``), to
      ``CHOICE_SIG_FIGS`` significant figures.

    A wrong pairing gets the hint of ``NAME_HINTS``; a wrong variance one of
    :func:`variance_hints`.

    References
    ----------
    LeCun, Y., Bottou, L., Orr, G. B., Müller, K.-R. (1998). Efficient BackProp. In *Neural
    Networks: Tricks of the Trade*, 9-50. Glorot, X., Bengio, Y. (2010). *AISTATS*, 249-256.
    He, K., Zhang, X., Ren, S., Sun, J. (2015). *ICCV*, 1026-1034.
    """
    return initializers_page().check(
        {"tanh": tanh, "relu": relu, "leaky": leaky, "leaky_variance": leaky_variance}
    )
