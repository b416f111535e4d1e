"""The reader's environment: pinned as written, and JupyterLab's extensions all load."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "-e", "-r")):
            continue
        name, _, version = line.partition("==")
        assert version, f"{path.name}: {line!r} is not pinned with =="
        out[name] = version
    return out


REQUIREMENTS = ["requirements.txt", "requirements-dev.txt"]


@pytest.mark.parametrize("requirements", REQUIREMENTS)
def test_installed_versions_match_the_pins(requirements):
    for name, version in pins(ROOT / requirements).items():
        assert metadata.version(name) == version, f"{name}: installed != pinned {version}"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_nothing_installed_is_unpinned():
    """Every distribution in this environment is pinned in requirements.txt or
    requirements-dev.txt. A plain ``pip freeze`` leaves out setuptools and wheel, and so did
    requirements.txt once: wheel (for sphinx-togglebutton) came in at whatever version was
    newest, setuptools (which JupyterLab 4.5 needs at run time) at the venv's. pip, the
    installer, is pinned where the Makefile upgrades it; gradlab is the ``-e .`` itself."""
    pinned = {_canonical(name) for req in REQUIREMENTS for name in pins(ROOT / req)}
    installed = {_canonical(d.metadata["Name"]) for d in metadata.distributions()}
    assert sorted(installed - pinned - {"pip", "gradlab"}) == []
    makefile_pip = re.search(r"install .*\bpip==([0-9.]+)", (ROOT / "Makefile").read_text())
    assert makefile_pip, "the Makefile upgrades pip to no pinned version"
    assert metadata.version("pip") == makefile_pip.group(1)


def test_key_versions():
    req = pins(ROOT / "requirements.txt")
    assert req["jupyter-book"].startswith("1.")
    assert req["ipywidgets"].startswith("8.")
    assert req["jupyterlab"].startswith("4.")
    assert "-e ." in (ROOT / "requirements.txt").read_text()
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"


def test_jupyterlab_extensions_all_load():
    """A MyST or widgets extension that JupyterLab cannot load fails silently for a reader."""
    result = subprocess.run(
        [str(BIN / "jupyter-labextension"), "list"], capture_output=True, text=True, check=True
    )
    report = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert "not compatible" not in report, report
    for extension in ("jupyterlab-myst", "@jupyter-widgets/jupyterlab-manager"):
        line = next((ln for ln in report.splitlines() if extension in ln), "")
        assert "enabled" in line and "OK" in line, f"{extension}: {line or 'missing'}"


def test_the_build_environment_is_pinned_too():
    """``-e .`` in requirements.txt builds gradlab in an isolated environment from
    pyproject.toml's build requirements: each must be pinned to one version, like the rest."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    build = tomllib.loads((root / "pyproject.toml").read_text())["build-system"]
    assert build["requires"], "no build requirements"
    for requirement in build["requires"]:
        assert re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", requirement), requirement


def test_the_course_jupyterlab_defaults_reach_jupyterlab():
    """jupyter_config/labconfig sets the course's JupyterLab defaults (notebooks render every
    cell, so in-notebook links land: tools/chapter_terms.py); the Makefile and Binder's ./start
    put it on JUPYTER_CONFIG_PATH, where jupyterlab_server reads it."""
    import os

    config = ROOT / "jupyter_config"
    code = (
        "from jupyterlab_server.settings_utils import _get_overrides;"
        "import json; print(json.dumps(_get_overrides('/nonexistent')[0]))"
    )
    env = {**os.environ, "JUPYTER_CONFIG_PATH": str(config)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    overrides = json.loads(out.stdout)
    assert overrides["@jupyterlab/notebook-extension:tracker"]["windowingMode"] == "none"
    # No "get notified about Jupyter news?" pop-up over a learner's notebook.
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    env["JUPYTER_CONFIG_PATH"] = str(ROOT / "lib")  # no labconfig there: the test can fail
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert "@jupyterlab/notebook-extension:tracker" not in json.loads(out.stdout)
    assert (
        "export JUPYTER_CONFIG_PATH := $(CURDIR)/jupyter_config" in (ROOT / "Makefile").read_text()
    )
    start = ROOT / "start"
    assert os.access(start, os.X_OK)
    shown = subprocess.run(
        [str(start), "bash", "-c", 'echo "$JUPYTER_CONFIG_PATH"'], capture_output=True, text=True
    )
    assert shown.stdout.split(":")[0].strip() == str(config)


def _version_parts(text: str) -> tuple[int, ...]:
    """'4.6.2' -> (4, 6, 2); a pre-release tag ('2.3.1-alpha.1') is dropped."""
    match = re.fullmatch(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-[0-9A-Za-z.]+)?", text.strip())
    if not match:
        raise ValueError(f"not a version: {text!r}")
    return tuple(int(part) for part in match.groups() if part is not None)


def _parse_range(spec: str | list) -> tuple[int, tuple[int, ...]] | None:
    """A shared-module requirement as (parts that must equal, lowest version); None for any.

    ``spec`` is npm's form (``"^4.6.2"``, ``"~4.5.9"``, ``"=1.0.9"``, ``">=2"``, ``"*"``) or
    webpack's encoded one (``[1, 4, 6, 2]`` for ^4.6.2: the first number counts the leading
    parts that must be equal, the rest must be at least as high). Anything else (``||``, ``<``)
    raises, so that a requirement this test cannot read fails it instead of being skipped.
    """
    if isinstance(spec, list):
        if not spec or not isinstance(spec[0], int) or spec[0] < 0:
            raise ValueError(f"unsupported webpack range {spec!r}")
        parts = []
        for item in spec[1:]:
            if not isinstance(item, int):
                break  # the pre-release tag, dropped
            parts.append(item)
        return spec[0], tuple(parts)
    spec = spec.strip()
    if spec in ("", "*"):
        return None
    op = re.match(r"\^|~|>=|=|v|", spec).group()
    parts = _version_parts(spec[len(op) :])
    if op == "^":  # npm: the first non-zero part is fixed (^0.15.2 means <0.16)
        fixed = next((i + 1 for i, p in enumerate(parts) if p), len(parts))
    elif op == "~":
        fixed = min(2, len(parts))
    elif op == ">=":
        fixed = 0
    else:
        fixed = len(parts)
    return fixed, parts


def _satisfies(version: str, spec: str | list) -> bool:
    parsed = _parse_range(spec)
    if parsed is None:
        return True
    fixed, low = parsed
    have = _version_parts(version)
    have, low = have + (0,) * (len(low) - len(have)), low + (0,) * (len(have) - len(low))
    return have[:fixed] == low[:fixed] and have >= low


@pytest.mark.parametrize(
    ("version", "spec", "ok"),
    [
        ("4.5.11", "^4.6.2", False),  # jupyterlab_widgets 3.0.17 in JupyterLab 4.5.11
        ("4.6.6", "^4.6.2", True),
        ("4.5.11", [1, 4, 4, 6], True),  # jupyterlab_widgets 3.0.16's ^4.4.6
        ("4.5.11", [1, 4, 5, 9], True),
        ("4.5.8", [1, 4, 5, 9], False),
        ("5.0.0", [1, 4, 5, 9], False),
        ("7.5.11", "^7.6.2", False),
        ("0.16.0", "^0.15.2", False),
        ("1.0.9", [4, 1, 0, 9], True),
        ("1.0.10", [4, 1, 0, 9], False),
        ("2.7.1", "^2.3.1-alpha.1", True),
        ("4.5.11", "~4.5.9", True),
        ("4.6.0", "~4.5.9", False),
        ("3.0.0", "*", True),
    ],
)
def test_shared_range_reader(version, spec, ok):
    assert _satisfies(version, spec) is ok


# How a webpack bundle asks the share scope for a module, in the three forms that JupyterLab
# extensions' remoteEntry files use: loadSingletonVersion("default", "@jupyterlab/notebook",
# false, [1,4,4,6]), its minified j("default","@jupyterlab/notebook",!1,[1,4,5,9]), and
# shareKey:"@jupyterlab/notebook",import:null,requiredVersion:"^4.6.2".
_CONSUME_CALL = re.compile(
    r'\(\s*"default"\s*,\s*"([^"]+)"\s*,\s*(?:(?:!0|!1|true|false)\s*,\s*)?(\[[^\]]*\])'
)
_CONSUME_OBJECT = re.compile(r'shareKey:"([^"]+)"[^{}]*?requiredVersion:"([^"]*)"')


def _shared_requirements(remote_entry: Path) -> dict[str, str | list]:
    text = remote_entry.read_text(encoding="utf-8", errors="replace")
    found: dict[str, str | list] = {}
    for name, array in _CONSUME_CALL.findall(text):
        items = [item.strip() for item in array[1:-1].split(",")]
        found[name] = [int(i) if i.isdigit() else i.strip('"') for i in items if i]
    for name, spec in _CONSUME_OBJECT.findall(text):
        found[name] = spec
    return found


def test_extensions_need_no_newer_jupyterlab_than_installed():
    """The browser console stays free of ``Unsatisfied version 4.5.11 ... of shared singleton
    module @jupyterlab/notebook (required ^4.6.2)``: every @jupyterlab/* package that an
    installed lab extension takes from JupyterLab's share scope is wanted in a range that the
    installed JupyterLab's own version satisfies. jupyterlab_widgets 3.0.17 (ipywidgets 8.1.9)
    was built against JupyterLab 4.6 and asks ^4.6.2 of nine of them, which 4.5.11 fails."""
    import jupyterlab

    static = Path(jupyterlab.__file__).parent / "static" / "package.json"
    core = json.loads(static.read_text())["resolutions"]
    provided = {
        name: spec.lstrip("~")
        for name, spec in core.items()
        if name.startswith("@jupyterlab/") and re.fullmatch(r"~\d+\.\d+\.\d+", spec)
    }
    assert provided.get("@jupyterlab/notebook") == jupyterlab.__version__, "core list unread"
    labextensions = Path(sys.prefix) / "share" / "jupyter" / "labextensions"
    problems, read = [], {}
    for package_json in sorted(labextensions.glob("**/package.json")):
        meta = json.loads(package_json.read_text())
        load = meta.get("jupyterlab", {}).get("_build", {}).get("load")
        if not load:
            continue
        requirements = _shared_requirements(package_json.parent / load)
        read[meta["name"]] = requirements
        for name, spec in sorted(requirements.items()):
            if name in provided and not _satisfies(provided[name], spec):
                problems.append(f"{meta['name']}: {name} {provided[name]} fails {spec}")
    for extension in ("jupyterlab-myst", "@jupyter-widgets/jupyterlab-manager"):
        # Read, or this test would pass on a bundle format it does not understand.
        assert "@jupyterlab/notebook" in read.get(extension, {}), f"{extension}: not read"
    assert not problems, "\n".join(problems)
