"""A vanilla recurrent network with backpropagation through time (BPTT).

The hidden state follows::

    z_t = W_hh h_{t-1} + W_xh x_t + b        h_0 = 0
    h_t = phi(z_t)                           t = 1..T
    y_hat = W_hy h_T + b_y                   linear readout of the last state
    Loss = mean((y_hat - y)**2)

(in code, a batch of sequences is processed at once, one row per sequence).
Backpropagation through time applies the chain rule backwards in time::

    dLoss/dh_T     = dLoss/dy_hat W_hy
    delta_t        = dLoss/dh_t * phi'(z_t)
    dLoss/dh_{t-1} = delta_t W_hh

so ``dLoss/dh_t`` is a product of ``T - t`` factors ``diag(phi'(z)) W_hh``.
Pascanu, Mikolov and Bengio (2013) bound each factor by ``gamma *
sigma_max(W_hh)``, with ``gamma`` the largest ``|phi'|`` (1 for tanh, 1/4 for
sigmoid): ``sigma_max(W_hh) < 1/gamma`` is *sufficient* for the gradient to
vanish exponentially, and ``sigma_max(W_hh) > 1/gamma`` is *necessary* (not
sufficient) for it to explode. :func:`pascanu_check` evaluates both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from . import activations, initializers
from ._validation import check_array, check_choice, check_int, check_real, check_rng
from .clipping import frobenius_norm
from .network import mse

__all__ = [
    "RNN",
    "RNNGradients",
    "PascanuCheck",
    "spectral_radius",
    "largest_singular_value",
    "derivative_bound",
    "pascanu_check",
]


# --- the spectral conditions ----------------------------------------------------------------


def spectral_radius(W: np.ndarray) -> float:
    """``max |lambda_i(W)|`` over the eigenvalues of the square matrix ``W``.

    It sets the long-run growth of ``W^t`` (Gelfand's formula), but a single
    step can grow a vector by up to the largest singular value, which is
    never smaller.
    """
    W = check_array(W, "W", ndim=2)
    if W.shape[0] != W.shape[1]:
        raise ValueError(f"W must be square, got shape {W.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def largest_singular_value(W: np.ndarray) -> float:
    """``sigma_max(W) = ||W||_2``, the most any vector's norm can grow in one product."""
    W = check_array(W, "W", ndim=2)
    return float(np.linalg.norm(W, 2))


_DERIVATIVE_BOUNDS = {
    "identity": 1.0,
    "sigmoid": 0.25,
    "tanh": 1.0,
    "relu": 1.0,
    "leaky_relu": 1.0,  # slopes are in [0, 1)
}


def derivative_bound(activation: str | activations.Activation) -> float:
    """``gamma = sup_z |phi'(z)|``: 1 for tanh, 1/4 for sigmoid, 1 for the ReLU family.

    ELU: ``max(1, alpha)`` (``elu'(z) = alpha exp(z)`` rises to ``alpha`` as ``z -> 0-``,
    and is 1 for ``z > 0``). For SiLU the supremum is found on a fine grid: about
    1.0998, at ``z = 2.40``.
    """
    if not isinstance(activation, activations.Activation):
        check_choice(activation, "activation", activations.names())
    act = activations.get(activation)
    if act.name in _DERIVATIVE_BOUNDS:
        return _DERIVATIVE_BOUNDS[act.name]
    if act.name == "elu":
        return max(1.0, float(act.derivative(0.0)))  # elu'(0) = alpha (the z <= 0 branch)
    grid = np.linspace(-20.0, 20.0, 400_001)
    return float(np.max(np.abs(act.derivative(grid))))


class PascanuCheck(NamedTuple):
    """Pascanu et al.'s (2013) conditions for a recurrent matrix and an activation."""

    largest_singular_value: float
    spectral_radius: float
    gamma: float
    threshold: float  # 1 / gamma
    vanishing_guaranteed: bool  # sigma_max < 1/gamma (sufficient for vanishing)
    exploding_possible: bool  # sigma_max > 1/gamma (necessary for exploding)


def pascanu_check(W_hh: np.ndarray, activation: str | activations.Activation) -> PascanuCheck:
    """Compare ``sigma_max(W_hh)`` with ``1/gamma`` (Pascanu, Mikolov and Bengio, 2013).

    Each backward step multiplies by ``diag(phi'(z)) W_hh``, whose norm is at
    most ``gamma sigma_max``; if ``sigma_max < 1/gamma`` every factor
    contracts and gradients vanish exponentially in the time lag. The converse
    only gives a necessary condition for exploding.
    """
    sigma = largest_singular_value(W_hh)
    rho = spectral_radius(W_hh)
    gamma = derivative_bound(activation)
    threshold = 1.0 / gamma
    return PascanuCheck(sigma, rho, gamma, threshold, sigma < threshold, sigma > threshold)


# --- the network ----------------------------------------------------------------------------


class RNNGradients(NamedTuple):
    """What :meth:`RNN.loss_and_gradients` returns.

    Attributes
    ----------
    loss
        Mean squared error of the readout.
    grads
        Gradients ordered as :meth:`RNN.get_params`: ``[dW_xh, dW_hh, db, dW_hy, db_y]``.
    hidden_grad_norms
        ``hidden_grad_norms[t] = ||dLoss/dh_t||`` (Frobenius norm over the batch)
        for ``t = 0..T``; ``[0]`` is the initial state. Its decay (or growth)
        from ``t = T`` back to ``t = 0`` is vanishing (or exploding) in time.
    """

    loss: float
    grads: list[np.ndarray]
    hidden_grad_norms: np.ndarray

    def as_list(self) -> list[np.ndarray]:
        """The gradients in the order of :meth:`RNN.get_params`."""
        return list(self.grads)


class RNN:
    """A vanilla (Elman) RNN ``h_t = phi(W_hh h_{t-1} + W_xh x_t + b)`` with a linear readout.

    Parameters
    ----------
    input_size, hidden_size, output_size
        Widths of ``x_t``, ``h_t`` and the readout ``y_hat``.
    activation
        Name from :func:`gradlab.activations.names` (``"tanh"`` by default).
    recurrent_scale
        Scale of ``W_hh``. With ``recurrent_init="orthogonal"`` (default)
        every singular value of ``W_hh`` equals ``recurrent_scale``, so it *is*
        ``sigma_max`` in Pascanu's condition; with ``"normal"``, entries are
        ``N(0, recurrent_scale**2 / hidden_size)``, whose spectral radius is
        close to ``recurrent_scale`` (circular law) and ``sigma_max`` close to
        twice that.
    rng, seed
        A ``numpy.random.Generator`` or an integer seed. ``W_xh`` and ``W_hy``
        are LeCun normal; biases start at zero.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        output_size: int = 1,
        activation: str | activations.Activation = "tanh",
        *,
        recurrent_scale: float = 1.0,
        recurrent_init: str = "orthogonal",
        rng: np.random.Generator | None = None,
        seed: int | None = None,
    ) -> None:
        n_in = check_int(input_size, "input_size", minimum=1)
        n_h = check_int(hidden_size, "hidden_size", minimum=1)
        n_out = check_int(output_size, "output_size", minimum=1)
        scale = check_real(recurrent_scale, "recurrent_scale", minimum=0.0)
        check_choice(recurrent_init, "recurrent_init", ("orthogonal", "normal"))
        rng = check_rng(rng, seed)
        if recurrent_init == "orthogonal":
            W_hh = initializers.orthogonal((n_h, n_h), rng, gain=scale)
        else:
            W_hh = rng.normal(0.0, scale / np.sqrt(n_h), size=(n_h, n_h))
        # Stored in the math layout (out, in): z_t = W_hh h_{t-1} + W_xh x_t + b.
        W_xh = initializers.lecun_normal((n_in, n_h), rng).T
        W_hy = initializers.lecun_normal((n_h, n_out), rng).T
        self._setup(W_xh, W_hh, np.zeros(n_h), W_hy, np.zeros(n_out), activation)

    @classmethod
    def from_arrays(
        cls,
        W_xh: np.ndarray,
        W_hh: np.ndarray,
        b: np.ndarray,
        W_hy: np.ndarray,
        b_y: np.ndarray,
        activation: str | activations.Activation = "tanh",
    ) -> RNN:
        """Build an RNN from explicit arrays (copied), in the math layout ``(out, in)``.

        Shapes: ``W_xh (hidden, input)``, ``W_hh (hidden, hidden)``, ``b (hidden,)``,
        ``W_hy (output, hidden)``, ``b_y (output,)``.
        """
        net = cls.__new__(cls)
        net._setup(W_xh, W_hh, b, W_hy, b_y, activation)
        return net

    def _setup(self, W_xh, W_hh, b, W_hy, b_y, activation) -> None:
        W_hh = check_array(W_hh, "W_hh", ndim=2)
        n_h = W_hh.shape[0]
        self.W_hh = check_array(W_hh, "W_hh", shape=(n_h, n_h)).copy()
        self.W_xh = check_array(W_xh, "W_xh", shape=(n_h, None)).copy()
        self.b = check_array(b, "b", shape=(n_h,)).copy()
        self.W_hy = check_array(W_hy, "W_hy", shape=(None, n_h)).copy()
        self.b_y = check_array(b_y, "b_y", shape=(self.W_hy.shape[0],)).copy()
        if not isinstance(activation, activations.Activation):
            check_choice(activation, "activation", activations.names())
        self.activation = activations.get(activation)
        self.input_size, self.hidden_size = self.W_xh.shape[1], n_h
        self.output_size = self.W_hy.shape[0]
        self.hidden_states: list[np.ndarray] = []  # h_0 .. h_T, filled by forward
        self.pre_activations: list[np.ndarray] = []  # z_1 .. z_T

    # --- parameters -------------------------------------------------------------------------

    def param_names(self) -> list[str]:
        """``["W_xh", "W_hh", "b", "W_hy", "b_y"]``, matching :meth:`get_params`."""
        return ["W_xh", "W_hh", "b", "W_hy", "b_y"]

    def get_params(self) -> list[np.ndarray]:
        """The live parameter arrays (not copies); updating them updates the network."""
        return [self.W_xh, self.W_hh, self.b, self.W_hy, self.b_y]

    def set_params(self, params: Sequence[np.ndarray]) -> None:
        """Copy ``params`` (ordered as :meth:`get_params`) into the network."""
        current = self.get_params()
        if not isinstance(params, Sequence) or len(params) != len(current):
            raise ValueError("params must be a list of 5 arrays [W_xh, W_hh, b, W_hy, b_y]")
        checked = [
            check_array(p, f"params[{i}]", shape=c.shape)
            for i, (p, c) in enumerate(zip(params, current, strict=True))
        ]
        for c, p in zip(current, checked, strict=True):
            c[...] = p

    def copy(self) -> RNN:
        """An independent copy of the network."""
        return RNN.from_arrays(*self.get_params(), self.activation)

    def __repr__(self) -> str:
        return (
            f"RNN(input_size={self.input_size}, hidden_size={self.hidden_size}, "
            f"output_size={self.output_size}, activation={self.activation.name!r})"
        )

    # --- forward and BPTT -------------------------------------------------------------------

    def forward(self, X: np.ndarray) -> np.ndarray:
        """Run sequences ``X`` ``(n, T, input_size)``; return ``y_hat`` ``(n, output_size)``.

        ``h_0 .. h_T`` are kept in :attr:`hidden_states` until the next call.
        """
        X = check_array(X, "X", ndim=3)
        if X.shape[2] != self.input_size or X.shape[1] < 1 or X.shape[0] < 1:
            raise ValueError(
                f"X must have shape (n >= 1, T >= 1, {self.input_size}), got {X.shape}"
            )
        n, T, _ = X.shape
        h = np.zeros((n, self.hidden_size))
        self.hidden_states, self.pre_activations = [h], []
        with np.errstate(all="ignore"):
            inputs = X @ self.W_xh.T  # W_xh x_t for every t at once: (n, T, hidden)
            for t in range(T):
                z = h @ self.W_hh.T + inputs[:, t] + self.b
                h = self.activation.forward(z)
                self.pre_activations.append(z)
                self.hidden_states.append(h)
            return h @ self.W_hy.T + self.b_y

    def loss_and_gradients(self, X: np.ndarray, y: np.ndarray, loss: str = "mse") -> RNNGradients:
        """MSE of the readout and its gradients by backpropagation through time.

        Parameters
        ----------
        X
            Sequences, shape ``(n, T, input_size)``.
        y
            Targets, shape ``(n, output_size)`` (or ``(n,)`` for one output).
        loss
            Only ``"mse"`` (the readout is a regression).
        """
        check_choice(loss, "loss", ("mse",))
        y_hat = self.forward(X)
        X = np.asarray(X, dtype=np.float64)
        target = check_array(y, "y", ndim=(1, 2))
        if target.ndim == 1 and self.output_size == 1:
            target = target[:, None]
        if target.shape != y_hat.shape:
            raise ValueError(f"y must have shape {y_hat.shape}, got {target.shape}")
        T = X.shape[1]
        hs, zs = self.hidden_states, self.pre_activations
        dW_xh, dW_hh, db = np.zeros_like(self.W_xh), np.zeros_like(self.W_hh), np.zeros_like(self.b)
        norms = np.empty(T + 1)
        with np.errstate(all="ignore"):
            loss_value, d_out = mse(y_hat, target)  # dLoss/dy_hat
            dW_hy = d_out.T @ hs[T]
            db_y = d_out.sum(axis=0)
            grad_h = d_out @ self.W_hy  # dLoss/dh_T
            norms[T] = frobenius_norm(grad_h)
            for t in range(T, 0, -1):  # hs[t] is h_t, zs[t - 1] is z_t
                delta = grad_h * self.activation.derivative(zs[t - 1])  # dLoss/dz_t
                dW_hh += delta.T @ hs[t - 1]
                dW_xh += delta.T @ X[:, t - 1]
                db += delta.sum(axis=0)
                grad_h = delta @ self.W_hh  # dLoss/dh_{t-1}
                norms[t - 1] = frobenius_norm(grad_h)
        return RNNGradients(loss_value, [dW_xh, dW_hh, db, dW_hy, db_y], norms)

    def pascanu_check(self) -> PascanuCheck:
        """:func:`pascanu_check` for this network's ``W_hh`` and activation."""
        return pascanu_check(self.W_hh, self.activation)
