"""Shared test helpers: central finite differences (float64); the browser fixtures.

The browser fixtures (``book``, ``browser``, ``open_page``: the built book served over HTTP and
read by headless Chromium, offline) live in ``_browser.py``; importing them here makes them
available to every test module.
"""

import functools
import importlib
import os
import re
import sys
import threading
from pathlib import Path

import _nbval_kernels
import numpy as np
import pytest
import tqdm
from _browser import book, browser, open_page  # noqa: F401 (fixtures, see the docstring)

# tqdm's default write lock includes a multiprocessing lock, shared by every process forked after
# it exists. The mutation runs (make mutants) fork one test process per mutant; one that ends
# while holding that lock leaves every later process waiting for it forever. A lock of this
# process's own keeps each test process apart (the tests draw no bar from several processes).
tqdm.tqdm.set_lock(threading.RLock())


def pytest_configure(config: pytest.Config) -> None:
    """In an nbval run, start the notebooks' kernels on ipc, retried once (``_nbval_kernels``)."""
    if config.getoption("nbval", False) or config.getoption("nbval_lax", False):
        _nbval_kernels.install()


#: The exercise chapters build their answers and hints when imported (module constants made
#: by the module's own functions and by gradlab.exercises' helpers). They define no class (a
#: test checks), so importing one again changes no type, only those constants.
RELOADED_UNDER_MUTATION = tuple(f"gradlab.exercises.ch{c}" for c in range(1, 7))
_reloaded: list[str] = []


def _reload_chapters() -> None:
    for name in RELOADED_UNDER_MUTATION:
        importlib.reload(sys.modules.get(name) or importlib.import_module(name))


def _reload_for_mutant(mutant: str, test_file: str) -> None:
    """Import the exercise chapters again, so that code run only on import is seen.

    mutmut forks each mutant's tests from a process that imported the chapters with the
    original code, so a mutant of code that runs only on import (an exercise's answer or
    hints) never ran. For a mutant of gradlab.exercises, the chapters are imported again once
    in its test process, with the mutant on. And when mutmut records which tests call which
    function (``MUTANT_UNDER_TEST=stats``), they are imported again before each test of the
    exercises, so that those tests count as calling the code run on import.
    """
    if mutant == "stats":
        if _imports_exercises(test_file):
            _reload_chapters()
    elif not _reloaded and mutant.startswith("gradlab.exercises.") and "__mutmut_" in mutant:
        _reloaded.append(mutant)
        _reload_chapters()


#: A test file that imports gradlab.exercises (at the start of a line, as the files do).
_IMPORTS_EXERCISES = re.compile(
    r"^(from gradlab\.exercises|from gradlab import .*\bexercises\b)", re.M
)


@functools.cache
def _imports_exercises(test_file: str) -> bool:
    return bool(_IMPORTS_EXERCISES.search(Path(test_file).read_text()))


@pytest.fixture(autouse=True)
def _uncached_under_mutation(request):
    """In a mutation run, empty gradlab's memo caches before each test (and, for a mutant of
    gradlab.exercises, import the exercise chapters again, see :func:`_reload_for_mutant`).

    mutmut forks each mutant's test process from the process that ran the whole suite, so a
    cache filled there answers with the original code's results and a mutant of the cached
    code never runs. The caches are pure memoisation (emptying one changes no value, only the
    time and which object holds it), so outside a mutation run (``MUTANT_UNDER_TEST`` unset)
    they are left alone.
    """
    if os.environ.get("MUTANT_UNDER_TEST"):
        _reload_for_mutant(os.environ["MUTANT_UNDER_TEST"], str(request.path))
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
