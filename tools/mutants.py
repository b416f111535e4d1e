"""Mutation testing of gradlab with mutmut 3: run it, apply the equivalents, print the table.

Run by ``make mutants`` (every module) or ``make mutants MODULE=clipping`` (one module), never
by ``make test``::

    python tools/mutants.py                       # every module, then the table
    python tools/mutants.py clipping store        # some modules
    python tools/mutants.py --table               # the table of the last runs, running nothing
    python tools/mutants.py --table --readme      # ... and write it into README.md
    python tools/mutants.py --survivors clipping  # the surviving mutants of a module, with diffs
    python tools/mutants.py --rerun-survivors clipping  # after adding tests: re-test survivors

mutmut 3 expects a src layout (it names a mutant after its path, less a ``src/`` prefix, and
must find the same name in the tests' imports), so this script copies ``lib/gradlab`` to
``.mutmut/src/gradlab``, with ``tests/`` and ``pyproject.toml`` (whose ``[tool.mutmut]``
table is the configuration: what to mutate, which test files), and runs ``mutmut run
"gradlab.MODULE.*"`` there (mutmut copies that again to ``.mutmut/mutants/``, one mutated
copy of every function behind a trampoline, and runs, for each mutant, only the tests that
called its function in a first, recorded run of the whole selection). Naming the mutants
re-tests all of them, so a module's numbers are always from its last run. Everything mutmut
writes is under ``.mutmut/`` (ignored by git).

Equivalent mutants (no test can tell them from the original) are listed in
``tools/mutants_equivalent.txt``, one a line: ``mutant-name  reason``. They are counted
apart and never reported as survivors; one that a test kills after all is reported as
stale (delete its line). The exit status is 1 if a module is below ``TARGET`` killed of its
non-equivalent mutants.

Deterministic: Hypothesis runs with ``--hypothesis-seed=0``; BLAS uses one thread (mutmut
runs ``--max-children`` tests at once, the machine's cores by default).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutmut"
SOURCE = ROOT / "lib" / "gradlab"
EQUIVALENTS = ROOT / "tools" / "mutants_equivalent.txt"
TIMES = WORK / "run_times.json"
TARGET = 0.95
#: Left out of the mutation runs (also ``do_not_mutate`` in pyproject.toml), with the reason.
NOT_RUN: dict[str, str] = {}


def modules() -> list[str]:
    """Every module of gradlab that mutmut mutates, by dotted name under ``gradlab``."""
    names = []
    for path in sorted(SOURCE.rglob("*.py")):
        rel = path.relative_to(SOURCE).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        if parts and parts[0] in NOT_RUN:
            continue
        if parts:
            names.append(".".join(parts))
    return names


#: An equivalent's line ends with the hash of its mutant's change, `[diff 1a2b3c4d]`: mutmut
#: numbers the mutants of a function in order, so an edit to the function renumbers them and a
#: line could silently name another mutant. A line whose hash no longer matches is not counted.
_PIN = re.compile(r"\s+\[diff ([0-9a-f]{8})\]$")


def _entry(line: str) -> tuple[str, str, str | None] | None:
    """One line of the equivalents file as (name, reason, pinned hash or None); None for a
    blank or comment line. The name ends at the first space; spaces around the reason go."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    name, _, rest = line.partition(" ")
    pin = _PIN.search(rest)
    return name, _PIN.sub("", rest).strip(), pin.group(1) if pin else None


def read_equivalents() -> dict[str, str]:
    """``tools/mutants_equivalent.txt``: mutant name -> reason (``#`` starts a comment line).

    An entry whose pinned diff hash differs from its mutant's current change is left out (and
    reported): the function was edited since, and the entry must be checked again.
    """
    out, changed = {}, []
    for n, line in enumerate(EQUIVALENTS.read_text().splitlines(), 1):
        entry = _entry(line)
        if entry is None:
            continue
        name, reason, pin = entry
        if not reason:
            raise SystemExit(f"{EQUIVALENTS.name}:{n}: {name} has no reason")
        if pin and mutant_change_hash(name) not in (None, pin):
            changed.append(name)
            continue
        out[name] = reason
    for name in changed:
        print(f"equivalent's mutant changed since recorded (check it, then --pin): {name}")
    return out


def _functions(code: str) -> dict[str, list[str]]:
    lines = code.splitlines()
    return {
        node.name: lines[node.lineno - 1 : node.end_lineno]
        for node in ast.walk(ast.parse(code))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


@functools.cache
def _mutated_functions(module: str) -> dict[str, list[str]]:
    """The functions of mutmut's mutated copy of ``module``, generated here from the source in
    lib/ as ``mutmut run`` generates it (not read from .mutmut/, which may hold an older
    copy): a pinned equivalent is checked against the mutants of the code as it is now."""
    from mutmut.mutation.file_mutation import mutate_file_contents

    rel = Path(*module.split("."))
    source = SOURCE / f"{rel}.py"
    if not source.exists():
        source = SOURCE / rel / "__init__.py"
    if not source.exists():
        return {}
    with contextlib.chdir(ROOT):  # mutmut reads its configuration from the working directory
        return _functions(mutate_file_contents(str(source), source.read_text()).code)


def mutant_change(name: str) -> list[str] | None:
    """The lines a mutant changes (``-`` old, ``+`` new) in the mutants mutmut generates from
    the current source, or None when there is no such mutant."""
    dotted, _, short = name.rpartition(".")
    function, _, number = short.rpartition("__mutmut_")
    functions = _mutated_functions(dotted.removeprefix("gradlab."))
    original, mutant = functions.get(f"{function}__mutmut_orig"), functions.get(short)
    if original is None or mutant is None:
        return None
    old = [line.replace(f"{function}__mutmut_orig", function) for line in original]
    new = [line.replace(short, function) for line in mutant]
    return [
        line.strip()
        for line in difflib.unified_diff(old, new, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


def mutant_change_hash(name: str) -> str | None:
    change = mutant_change(name)
    if change is None:
        return None
    return hashlib.sha256("\n".join(change).encode()).hexdigest()[:8]


def pin_equivalents() -> None:
    """Append `[diff HASH]` to each unpinned line whose mutant exists (after checking it),
    written as `name reason [diff HASH]` with one space after the name."""
    lines = []
    for line in EQUIVALENTS.read_text().splitlines():
        entry = _entry(line)
        if entry is not None and entry[2] is None:
            name, reason, _ = entry
            digest = mutant_change_hash(name)
            if digest is None:
                print(f"not pinned (no generated mutant of that name): {name}")
            else:
                line = f"{name} {reason} [diff {digest}]"
        lines.append(line)
    EQUIVALENTS.write_text("\n".join(lines) + "\n")


def _sync(src: Path, dst: Path) -> None:
    """Copy ``src`` over ``dst`` (keeping mtimes, so mutmut regenerates only changed files)."""
    if dst.exists():
        for path in dst.rglob("*"):
            if path.is_file() and not (src / path.relative_to(dst)).exists():
                path.unlink()
    shutil.copytree(
        src, dst, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )


#: Not linked into the mutants' folder: copied by mutmut, or not the repository's.
_NOT_LINKED = {"lib", "src", "tests", "pyproject.toml", "mutants", ".mutmut", ".venv", ".git"}


def prepare() -> None:
    WORK.mkdir(exist_ok=True)
    _sync(SOURCE, WORK / "src" / "gradlab")
    _sync(ROOT / "tests", WORK / "tests")
    # mutmut writes a mutated copy of a module (and its .meta) only when the source is newer
    # than its copy: a module once left out (do_not_mutate) keeps a plain copy and no .meta,
    # and would never be mutated. Removing such a copy makes mutmut generate its mutants.
    copies = WORK / "mutants" / "src" / "gradlab"
    for path in sorted(SOURCE.rglob("*.py")):
        copy = copies / path.relative_to(SOURCE)
        if copy.exists() and not copy.with_name(copy.name + ".meta").exists():
            copy.unlink()
    shutil.copy2(ROOT / "pyproject.toml", WORK / "pyproject.toml")
    # The tests run in .mutmut/mutants/ and some read the book (tools/, book/, _toc.yml...):
    # the rest of the repository is linked there, read-only for the tests.
    (WORK / "mutants").mkdir(exist_ok=True)
    for path in ROOT.iterdir():
        link = WORK / "mutants" / path.name
        if path.name not in _NOT_LINKED and not link.exists() and not link.is_symlink():
            link.symlink_to(path)


def _mutmut() -> list[str]:
    return [str(Path(sys.executable).with_name("mutmut"))]


def run_modules(names: list[str], max_children: int | None, only_survivors: bool = False) -> float:
    """One ``mutmut run`` over the mutants of ``names`` (modules) in .mutmut/; returns the wall
    time in seconds.

    One run for all of them: mutmut first runs the clean tests of the named mutants once (a
    minute or two), and then runs the fastest mutants first across the modules. A module's run
    time is recorded as its share, the sum of its mutants' test runs divided by the number of
    parallel children (the wall time itself when a single module is run).

    With ``only_survivors``, only the modules' surviving or unchecked non-equivalent mutants
    are re-tested (after adding tests, or to finish a stopped run); a recorded run time is left
    as it was, and a module that had none (a stopped run now finished) gets its share.
    """
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg")
    patterns = [f"gradlab.{module}.x*" for module in names]  # x_function, xǁClassǁmethod
    if only_survivors:
        equivalents = read_equivalents()
        patterns = []
        for module in names:
            res = results(module) or {}
            patterns += [n for n, st in res.items() if st not in KILLED and n not in equivalents]
        if not patterns:
            return 0.0
    children = max_children or os.cpu_count() or 1
    cmd = [*_mutmut(), "run", *patterns, "--max-children", str(children)]
    print(f"== mutmut run over {', '.join(names)} ({len(patterns)} names)", flush=True)
    start = time.monotonic()
    with subprocess.Popen(cmd, cwd=WORK, env=env) as proc:
        while proc.poll() is None:
            _kill_hung_mutants(proc.pid)
            time.sleep(5)
    done = proc
    seconds = time.monotonic() - start
    if done.returncode != 0:
        print(f"mutmut failed or was stopped (exit status {done.returncode})", flush=True)
        return seconds  # no run time recorded
    times = json.loads(TIMES.read_text()) if TIMES.exists() else {}
    for module in names:
        res = results(module)
        if not res or any(st == "not checked" for st in res.values()):
            continue  # no mutants, or a stopped run: no time recorded
        if len(names) == 1 and not only_survivors:
            times[module] = round(seconds)
        elif module not in times or not only_survivors:
            durations = json.loads(_meta_path(module).read_text())["durations_by_key"]
            share = sum(durations.get(n, 0.0) for n in res) / children
            times[module] = {"share": round(share)}
    TIMES.write_text(json.dumps(times, indent=1, sort_keys=True))
    return seconds


#: A mutant's test process that has used under HUNG_CPU seconds of CPU after HUNG_AGE seconds
#: is waiting forever (a mutant that enables a tqdm bar can deadlock on tqdm's lock in mutmut's
#: forked process); mutmut's own timeout counts CPU time only, so it never fires. (A process
#: starved by other work under nice 19 still gets over half a second in 45 s.)
HUNG_AGE, HUNG_CPU = 45.0, 0.3


def _kill_hung_mutants(parent: int) -> None:
    """SIGKILL the hung test processes of mutmut (pid ``parent``); mutmut then counts the
    mutant as killed (a test run that never ends is a test that notices the change)."""
    ticks = os.sysconf("SC_CLK_TCK")
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()
        # fields[1] is the parent pid; [11], [12] user and system CPU; [19] the start time
        if int(fields[1]) != parent or not cmdline.startswith(b"mutmut: "):
            continue
        age = uptime - int(fields[19]) / ticks
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        if age > HUNG_AGE and cpu < HUNG_CPU:
            name = cmdline.decode(errors="replace").strip("\0")
            print(f"\nkilling a hung mutant's tests after {age:.0f} s: {name}", flush=True)
            os.kill(int(stat.parent.name), signal.SIGKILL)


def _meta_path(module: str) -> Path:
    rel = Path(*module.split("."))
    path = WORK / "mutants" / "src" / "gradlab" / f"{rel}.py.meta"
    if not path.exists():
        path = WORK / "mutants" / "src" / "gradlab" / rel / "__init__.py.meta"
    return path


def results(module: str) -> dict[str, str] | None:
    """Mutant name -> mutmut's status ("killed", "survived", "no tests", "timeout", ...)."""
    meta = _meta_path(module)
    if not meta.exists():
        return None
    from mutmut.stats import status_by_exit_code

    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return {name: status_by_exit_code[code] for name, code in codes.items()}


KILLED = {"killed", "timeout", "segfault", "caught by type check"}


#: The committed record of the last run of each module: what ``table`` prints for a module
#: with no results in this checkout's .mutmut/ (ignored by git, so lost with the checkout).
RECORD = ROOT / "tools" / "mutants_record.json"


def source_digest(path: Path) -> str | None:
    """The first 12 hex digits of the SHA-256 of a module's source (None if it is absent)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else None


def _module_file(module: str, base: Path) -> Path:
    rel = Path(*module.split("."))
    path = base / f"{rel}.py"
    return path if path.exists() else base / rel / "__init__.py"


def read_record() -> dict[str, dict]:
    return json.loads(RECORD.read_text()) if RECORD.exists() else {}


def _run_time(module: str, times: dict, unchecked: int) -> str:
    t = times.get(module)
    if unchecked or t is None:
        return ""
    if isinstance(t, dict):  # run with other modules: its share of the run
        return f"{_duration(t['share'])} (share of a joint run)"
    return _duration(t)


def _record_entry(
    module: str, res: dict[str, str], equivalents: dict[str, str], times: dict
) -> dict:
    """A module's record from mutmut's results in .mutmut/ (see :data:`RECORD`)."""
    equiv = [n for n in res if n in equivalents]
    killed = sum(1 for n, s in res.items() if s in KILLED and n not in equivalents)
    unchecked = sum(1 for n, s in res.items() if s == "not checked" and n not in equivalents)
    meta = _meta_path(module)
    return {
        "mutants": len(res),
        "killed": killed,
        "equivalent": len(equiv),
        "survived": len(res) - len(equiv) - killed - unchecked,
        "not_checked": unchecked,
        "run_time": _run_time(module, times, unchecked),
        "measured": time.strftime(
            "%Y-%m-%d", time.gmtime(meta.stat().st_mtime if meta.exists() else None)
        ),
        "source": source_digest(_module_file(module, WORK / "src" / "gradlab")),
        "survivors": sorted(
            n for n, s in res.items() if s not in KILLED and s != "not checked" and n not in equiv
        ),
        "stale_equivalents": sorted(n for n in equiv if res[n] in KILLED),
    }


def table(names: list[str]) -> tuple[list[str], list[str]]:
    """The per-module table (markdown) and the modules below TARGET.

    A module with results in .mutmut/ (at least one mutant run in this checkout) is counted
    from them, and its entry in the committed record (:data:`RECORD`) is written again; one
    without is shown from the record. A run
    time is marked when the module's source has changed since the run it reports.
    """
    record = read_record()
    times = json.loads(TIMES.read_text()) if TIMES.exists() else {}
    runs = {module: results(module) for module in names}
    # mutmut writes every module's mutants, all "not checked", before it runs the named ones:
    # only a module of which this checkout has run a mutant replaces its recorded entry
    runs = {m: r for m, r in runs.items() if r and any(s != "not checked" for s in r.values())}
    if runs:
        equivalents = read_equivalents()
        for module, res in runs.items():
            if res is not None:
                record[module] = _record_entry(module, res, equivalents, times)
        RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    rows = [
        "| module | mutants | killed | equivalent | survived | killed of non-equivalent "
        "| run time |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    low = []
    for module in names:
        entry = record.get(module)
        if entry is None:
            rows.append(f"| {module} | | | | | not run | |")
            low.append(module)
            continue
        for name in entry.get("stale_equivalents", []):
            print(f"stale equivalent (a test kills it; delete its line): {name}")
        live = entry["mutants"] - entry["equivalent"]
        share = entry["killed"] / live if live else 1.0
        unchecked = entry["not_checked"]
        shown = f"{100 * share:.1f}%"
        if unchecked == live and live:
            shown = "not run yet"
        elif unchecked:
            shown = f"run incomplete: {unchecked} not checked"
        if share < TARGET:
            low.append(module)
        when = entry["run_time"]
        now = source_digest(_module_file(module, SOURCE))
        if entry.get("source") not in (None, now):
            when = f"{when}; source edited since" if when else "source edited since"
        rows.append(
            f"| {module} | {entry['mutants']} | {entry['killed']} | {entry['equivalent']} "
            f"| {entry['survived']} | {shown} | {when} |"
        )
    for module, why in NOT_RUN.items():
        rows.append(f"| {module} | | | | | {why} | |")
    return rows, low


def write_readme_table(rows: list[str]) -> None:
    """Replace the table in README.md (the lines from its header row to the first line that is
    not a table row) with ``rows``."""
    readme = ROOT / "README.md"
    lines = readme.read_text().splitlines()
    start = lines.index(rows[0])
    end = start
    while end < len(lines) and lines[end].startswith("|"):
        end += 1
    readme.write_text("\n".join([*lines[:start], *rows, *lines[end:]]) + "\n")


def _duration(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def survivors(module: str) -> None:
    """Print each surviving, non-equivalent mutant of ``module`` with its diff."""
    equivalents = read_equivalents()
    res = results(module) or {}
    for name, status in sorted(res.items()):
        if status in KILLED or status == "not checked" or name in equivalents:
            continue
        print(f"--- {name} ({status})", flush=True)
        subprocess.run([*_mutmut(), "show", name], cwd=WORK, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help="modules under gradlab (default: all)")
    parser.add_argument("--table", action="store_true", help="print the table, run nothing")
    parser.add_argument("--survivors", action="store_true", help="show the survivors' diffs")
    parser.add_argument(
        "--rerun-survivors",
        action="store_true",
        help="re-test only the survivors",
    )
    parser.add_argument(
        "--readme", action="store_true", help="with --table: write the table into README.md"
    )
    parser.add_argument("--max-children", type=int, default=None)
    parser.add_argument(
        "--pin",
        action="store_true",
        help="pin each unpinned equivalent to its mutant's current change (after checking it)",
    )
    args = parser.parse_args(argv)
    every = modules()
    unknown = [m for m in args.modules if m not in every]
    if unknown:
        parser.error(f"not a mutated module: {unknown} (choose from {every})")
    chosen = args.modules or every
    if args.pin:
        pin_equivalents()
        return 0
    read_equivalents()  # fail early on a line without a reason
    if args.survivors:
        for module in chosen:
            survivors(module)
        return 0
    if not args.table:
        prepare()
        run_modules(chosen, args.max_children, args.rerun_survivors)
    rows, low = table(chosen)
    print("\n".join(rows))
    if args.readme:
        write_readme_table(rows)
    if low:
        print(f"below {TARGET:.0%} killed (or not run): {', '.join(low)}")
    return 1 if low else 0


if __name__ == "__main__":
    sys.exit(main())
