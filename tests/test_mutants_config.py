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


def test_each_equivalent_mutant_is_listed_once_with_a_reason_and_its_pinned_change() -> None:
    """tools/mutants_equivalent.txt: `name  reason  [diff HASH]`, one line per mutant.

    The hash pins the mutant's change (mutmut renumbers a function's mutants when the function
    is edited, and the name would then point at another mutant); a merge can bring back an
    unpinned or duplicate line.
    """
    names = []
    for line in (ROOT / "tools" / "mutants_equivalent.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        match = re.fullmatch(r"(gradlab\.\S+__mutmut_\d+) (\S.*\S) \[diff [0-9a-f]{8}\]", line)
        assert match, f"not `name  reason  [diff HASH]`: {line}"
        names.append(match.group(1))
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
