"""Shared test helper: central finite differences (float64)."""

import numpy as np
import pytest


def _numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar ``f()`` with respect to the array ``x`` (in place)."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        x[idx] = old + eps
        up = f()
        x[idx] = old - eps
        down = f()
        x[idx] = old
        grad[idx] = (up - down) / (2 * eps)
    return grad


def _relative_error(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-300))


@pytest.fixture
def numerical_gradient():
    return _numerical_gradient


@pytest.fixture
def relative_error():
    return _relative_error
