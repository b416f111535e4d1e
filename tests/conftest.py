"""Shared test helpers: central finite differences (float64); the browser fixtures.

The browser fixtures (``book``, ``browser``, ``open_page``: the built book served over HTTP and
read by headless Chromium, offline) live in ``_browser.py``; importing them here makes them
available to every test module.
"""

import os
import sys
import threading

import numpy as np
import pytest
import tqdm
from _browser import book, browser, open_page  # noqa: F401 (fixtures, see the docstring)

# tqdm's default write lock includes a multiprocessing lock, shared by every process forked after
# it exists. The mutation runs (make mutants) fork one test process per mutant; one that ends
# while holding that lock leaves every later process waiting for it forever. A lock of this
# process's own keeps each test process apart (the tests draw no bar from several processes).
tqdm.tqdm.set_lock(threading.RLock())


@pytest.fixture(autouse=True)
def _uncached_under_mutation():
    """In a mutation run, empty gradlab's memo caches before each test.

    mutmut forks each mutant's test process from the process that ran the whole suite, so a
    cache filled there answers with the original code's results and a mutant of the cached
    code never runs. The caches are pure memoisation (emptying one changes no result, only the
    time), so outside a mutation run (``MUTANT_UNDER_TEST`` unset) they are left alone.
    """
    if os.environ.get("MUTANT_UNDER_TEST"):
        for name, module in list(sys.modules.items()):
            if name == "gradlab" or name.startswith("gradlab."):
                for value in list(vars(module).values()):
                    if callable(getattr(value, "cache_clear", None)):
                        value.cache_clear()
        text = sys.modules.get("gradlab.explore._text")
        if text is not None:
            text._GLYPHS.clear()
    yield


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
