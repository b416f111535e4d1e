"""The mutation runs (``make mutants``) see every unit test of gradlab.

mutmut runs, for each mutant, the tests listed in ``[tool.mutmut]``'s
``pytest_add_cli_args_test_selection`` that called the mutated function. A test file left off
that list silently stops counting, so each test file that imports gradlab is either listed
or named here as one that checks the built book, the browser or the environment instead.
"""

from __future__ import annotations

import hashlib
import json
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


def _mutants_tool():
    import importlib.util

    spec = importlib.util.spec_from_file_location("mutants_tool", ROOT / "tools" / "mutants.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table_counts_equivalents_apart_and_shows_each_kind_of_run_time(
    tmp_path, monkeypatch
) -> None:
    tool = _mutants_tool()
    runs = {
        "alone": {"m.x_f__mutmut_1": "killed", "m.x_f__mutmut_2": "survived"},
        "joint": {f"j.x_f__mutmut_{i}": "killed" for i in range(1, 20)}
        | {"j.x_f__mutmut_20": "survived", "j.x_f__mutmut_21": "survived"},
        "stopped": {"s.x_f__mutmut_1": "killed", "s.x_f__mutmut_2": "not checked"},
    }
    monkeypatch.setattr(tool, "results", runs.get)
    monkeypatch.setattr(tool, "read_equivalents", lambda: {"j.x_f__mutmut_21": "same value"})
    times = tmp_path / "run_times.json"
    times.write_text('{"alone": 61, "joint": {"share": 125}}')
    monkeypatch.setattr(tool, "TIMES", times)
    monkeypatch.setattr(tool, "RECORD", tmp_path / "record.json")
    monkeypatch.setattr(tool, "SOURCE", tmp_path / "lib")
    monkeypatch.setattr(tool, "WORK", tmp_path / "work")
    for base in ("lib", "work/src/gradlab"):  # the source as run, and as it is now
        (tmp_path / base).mkdir(parents=True)
        (tmp_path / base / "alone.py").write_text("x = 1\n")
    expected = [
        "| alone | 2 | 1 | 0 | 1 | 50.0% | 1 min 01 s |",
        # 19 killed of the 20 that are not equivalent: 95.0 %, at the target
        "| joint | 21 | 19 | 1 | 1 | 95.0% | 2 min 05 s (share of a joint run) |",
        "| stopped | 2 | 1 | 0 | 0 | run incomplete: 1 not checked |  |",
        "| absent | | | | | not run | |",
    ]
    runs["generated"] = {"g.x_f__mutmut_1": "not checked"}  # mutmut made it, ran none
    rows, low = tool.table(["alone", "joint", "stopped", "absent", "generated"])
    assert rows[2:] == [*expected, "| generated | | | | | not run | |"]
    del runs["generated"]
    rows, low = tool.table(["alone", "joint", "stopped", "absent"])
    assert rows[2:] == expected
    assert low == ["alone", "stopped", "absent"]
    # the record keeps them for a checkout with no .mutmut/, with the survivors' names
    record = json.loads((tmp_path / "record.json").read_text())
    assert record["joint"]["survivors"] == ["j.x_f__mutmut_20"]
    assert record["alone"]["source"] == hashlib.sha256(b"x = 1\n").hexdigest()[:12]
    monkeypatch.setattr(tool, "results", lambda module: None)
    assert tool.table(["alone", "joint", "stopped", "absent"]) == (rows, low)
    # a module edited since its recorded run says so
    (tmp_path / "lib" / "alone.py").write_text("x = 2\n")
    rows, _ = tool.table(["alone"])
    assert rows[2] == "| alone | 2 | 1 | 0 | 1 | 50.0% | 1 min 01 s; source edited since |"


def test_the_readmes_table_is_the_tools_table_of_the_committed_record(monkeypatch) -> None:
    """README's mutation table is `python tools/mutants.py --table` on a fresh clone (no
    .mutmut/): the committed record, tools/mutants_record.json, row for row."""
    tool = _mutants_tool()
    monkeypatch.setattr(tool, "results", lambda module: None)
    rows, _ = tool.table(tool.modules())
    readme = (ROOT / "README.md").read_text().splitlines()
    start = readme.index(rows[0])
    assert readme[start : start + len(rows)] == rows
    assert not readme[start + len(rows)].startswith("|")


def test_the_modules_imported_again_in_a_mutation_run_define_no_class() -> None:
    """conftest imports the exercise chapters again for a mutant of gradlab.exercises: safe
    only while they define no class (objects made before would then be of another type)."""
    import importlib
    import inspect

    from conftest import RELOADED_UNDER_MUTATION

    for name in RELOADED_UNDER_MUTATION:
        module = importlib.import_module(name)
        own = [v for v in vars(module).values() if inspect.isclass(v) and v.__module__ == name]
        assert own == [], f"{name} defines {own}: drop it from RELOADED_UNDER_MUTATION"


def test_pinning_writes_one_space_after_the_name_and_keeps_pinned_lines(tmp_path, monkeypatch):
    tool = _mutants_tool()
    path = tmp_path / "equivalents.txt"
    path.write_text(
        "# a comment\n"
        "gradlab.m.x_f__mutmut_1   same value  \n"
        "gradlab.m.x_f__mutmut_2 already pinned [diff 0123abcd]\n"
        "gradlab.m.x_g__mutmut_3 no mutant of that name\n"
    )
    monkeypatch.setattr(tool, "EQUIVALENTS", path)
    hashes = {"gradlab.m.x_f__mutmut_1": "89abcdef", "gradlab.m.x_f__mutmut_2": "ffffffff"}
    monkeypatch.setattr(tool, "mutant_change_hash", hashes.get)
    tool.pin_equivalents()
    assert path.read_text().splitlines() == [
        "# a comment",
        "gradlab.m.x_f__mutmut_1 same value [diff 89abcdef]",
        "gradlab.m.x_f__mutmut_2 already pinned [diff 0123abcd]",
        "gradlab.m.x_g__mutmut_3 no mutant of that name",
    ]
    # a pinned line whose change moved on is not counted; one without a mutant is
    assert tool.read_equivalents() == {
        "gradlab.m.x_f__mutmut_1": "same value",
        "gradlab.m.x_g__mutmut_3": "no mutant of that name",
    }


def test_a_mutants_change_is_read_from_the_source_as_it_is_now(tmp_path, monkeypatch):
    # mutmut numbers a function's mutants in order; the change a name stands for is the one
    # mutmut would generate from the source in lib/ now, not from an older copy in .mutmut/.
    tool = _mutants_tool()
    (tmp_path / "m.py").write_text("def f(x):\n    return x + 1\n")
    monkeypatch.setattr(tool, "SOURCE", tmp_path)
    assert tool.mutant_change("gradlab.m.x_f__mutmut_1") == [
        "-    return x + 1",
        "+    return x - 1",
    ]
    assert tool.mutant_change("gradlab.m.x_f__mutmut_99") is None
    assert tool.mutant_change("gradlab.nothing.x_f__mutmut_1") is None
    # an edit renumbers: the first mutant is now the first line's
    (tmp_path / "m.py").write_text("def f(x):\n    y = x * 2\n    return y + 1\n")
    tool._mutated_functions.cache_clear()
    assert tool.mutant_change("gradlab.m.x_f__mutmut_1") == ["-    y = x * 2", "+    y = None"]
    digest = hashlib.sha256(b"-    y = x * 2\n+    y = None").hexdigest()[:8]
    assert tool.mutant_change_hash("gradlab.m.x_f__mutmut_1") == digest


def test_fixtures_built_once_per_module_link_every_test_that_uses_them(monkeypatch) -> None:
    # A module-scoped fixture is built in the first test that uses it: mutmut, recording which
    # tests call which function, would link its building code to that test alone.
    from _mutation import shared_scope

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    for name in config["pytest_add_cli_args_test_selection"]:
        path = ROOT / name.split("::")[0]
        found = re.findall(r"scope=[\"'](module|session|package|class)[\"']", path.read_text())
        assert not found, f"{path.name}: use @pytest.fixture(scope=shared_scope) (_mutation.py)"
    monkeypatch.setenv("MUTANT_UNDER_TEST", "stats")
    assert shared_scope("f", None) == "function"
    for value in ("", "gradlab.chains.x_f__mutmut_1", "fail"):
        monkeypatch.setenv("MUTANT_UNDER_TEST", value)
        assert shared_scope("f", None) == "module"
    monkeypatch.delenv("MUTANT_UNDER_TEST")
    assert shared_scope("f", None) == "module"
