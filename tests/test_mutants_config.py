"""The mutation runs (``make mutants``) see every unit test of gradlab.

mutmut runs, for each mutant, the tests listed in ``[tool.mutmut]``'s
``pytest_add_cli_args_test_selection`` that called the mutated function. A test file left off
that list silently stops counting, so each test file that imports gradlab is either listed
or named here as one that checks the built book, the browser or the environment instead.
"""

from __future__ import annotations

import re
import tomllib

from _book import ROOT

NOT_UNIT = {
    "test_book.py": "reads the book's sources and notebooks",
    "test_browser.py": "Chromium on the built HTML",
    "test_browser_exercises.py": "Chromium on the built HTML",
    "test_environment.py": "the installed environment",
    "test_gvx_book.py": "the book's Sphinx extension",
    "test_html.py": "the built HTML",
    "test_learner.py": "the learner notebooks",
    "test_reference_pages.py": "the book's reference pages",
    "test_static_explorers_html.py": "the built HTML",
}


def test_every_unit_test_file_of_gradlab_is_in_the_mutation_runs() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    listed = {p.removeprefix("tests/") for p in config["pytest_add_cli_args_test_selection"]}
    for name in listed:
        assert (ROOT / "tests" / name).is_file(), f"{name} is listed but does not exist"
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        if re.search(r"^\s*(from|import) gradlab", path.read_text(), re.M):
            assert path.name in listed or path.name in NOT_UNIT, (
                f"{path.name} imports gradlab: add it to [tool.mutmut]"
                " pytest_add_cli_args_test_selection (or to NOT_UNIT here, with the reason)"
            )
    assert not listed & set(NOT_UNIT)
