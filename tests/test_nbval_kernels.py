"""nbval's kernels start on ipc under names of their own, and a dying one says why
(``tests/_nbval_kernels.py``)."""

from __future__ import annotations

import json
import os
import re
import sys
import warnings
from pathlib import Path

import _nbval_kernels
import conftest
import nbval.kernel
import pytest

from _book import ROOT

posix_only = pytest.mark.skipif(os.name != "posix", reason="the ipc transport is POSIX's")


@posix_only
def test_kernels_run_on_ipc_under_names_of_their_own(monkeypatch):
    monkeypatch.setattr(nbval.kernel, "start_new_kernel", nbval.kernel.start_new_kernel)
    _nbval_kernels.install()
    kernels = [nbval.kernel.RunningKernel("python3", cwd=str(ROOT / "book")) for _ in range(2)]
    try:
        names = [kernel.km.ip for kernel in kernels]
        assert [kernel.km.transport for kernel in kernels] == ["ipc", "ipc"]
        assert all(Path(name).is_absolute() for name in names), names
        assert names[0] != names[1]
        for kernel in kernels:
            assert Path(f"{kernel.km.ip}-{kernel.km.shell_port}").is_socket()
            reply = kernel.kc.execute_interactive("import os; print(os.getcwd())", timeout=30)
            assert reply["content"]["status"] == "ok"
    finally:
        for kernel in kernels:
            kernel.stop()
    for name in names:  # the sockets are gone with their kernel
        assert not list(Path(name).parent.glob(Path(name).name + "-*"))


def _flaky_kernel(tmp_path, monkeypatch) -> str:
    """A kernel spec whose kernel dies at its first start (it writes to stderr and exits) and
    is an ordinary IPython kernel after (a marker file tells which)."""
    script = tmp_path / "flaky_kernel.py"
    script.write_text(
        "import os, runpy, sys\n"
        f"marker = {str(tmp_path / 'started-once')!r}\n"
        "if not os.path.exists(marker):\n"
        "    open(marker, 'w').close()\n"
        "    sys.stderr.write('boom: first start')\n"
        "    sys.exit(3)\n"
        "sys.argv = ['ipykernel_launcher'] + sys.argv[1:]\n"
        "runpy.run_module('ipykernel_launcher', run_name='__main__')\n"
    )
    spec = tmp_path / "kernels" / "gvx-flaky"
    spec.mkdir(parents=True)
    argv = [sys.executable, str(script), "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "flaky"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    return "gvx-flaky"


def test_a_kernel_that_dies_is_started_once_more(tmp_path, monkeypatch):
    """The second kernel is returned, live, with one warning quoting the first one's stderr."""
    name = _flaky_kernel(tmp_path, monkeypatch)
    with pytest.warns(_nbval_kernels.KernelRestartWarning) as warned:
        km, kc = _nbval_kernels.start_new_kernel(
            startup_timeout=30, kernel_name=name, cwd=str(tmp_path)
        )
    try:
        assert len(warned) == 1
        message = str(warned[0].message)
        assert "start 1: Kernel died before replying to kernel_info" in message
        assert message.endswith("its stderr:\nboom: first start")
        assert km.is_alive()
        assert kc.execute_interactive("x = 1", timeout=30)["content"]["status"] == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_a_kernel_that_dies_at_every_start_fails_with_its_stderr(tmp_path, monkeypatch):
    """With one start allowed, the flaky kernel's only start dies: no warning (nothing is
    started again), an error that counts the starts and quotes the stderr."""
    name = _flaky_kernel(tmp_path, monkeypatch)
    monkeypatch.setattr(_nbval_kernels, "ATTEMPTS", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", _nbval_kernels.KernelRestartWarning)
        with pytest.raises(RuntimeError) as raised:
            _nbval_kernels.start_new_kernel(startup_timeout=20, kernel_name=name, cwd=str(tmp_path))
    assert str(raised.value) == (
        "The 'gvx-flaky' kernel died at every start (1 tried).\n"
        "start 1: Kernel died before replying to kernel_info; its stderr:\nboom: first start"
    )


class _Config:
    def __init__(self, **options):
        self.options = options

    def getoption(self, name, default=None):
        return self.options.get(name, default)


@pytest.mark.parametrize(
    ("options", "installed"),
    [({"nbval": True}, True), ({"nbval_lax": True}, True), ({}, False), ({"nbval": False}, False)],
)
def test_the_plugin_is_installed_in_nbval_runs_only(monkeypatch, options, installed):
    original = nbval.kernel.start_new_kernel
    monkeypatch.setattr(nbval.kernel, "start_new_kernel", original)
    conftest.pytest_configure(_Config(**options))
    assert (nbval.kernel.start_new_kernel is _nbval_kernels.start_new_kernel) is installed


def test_make_tests_nbval_run_loads_the_conftest_that_installs_it():
    """conftest.py is loaded for an nbval run only if a path under tests/ is on its command
    line (it is, tests/test_cpu_profile.py); and nbval itself still calls the function by its
    module's name, which is what install() replaces."""
    makefile = (ROOT / "Makefile").read_text()
    nbval_command = re.search(r"^NBVAL = (.*?)(?:\n\n|\n[^\t])", makefile, re.M | re.S).group(1)
    assert re.search(r"\btests/\w+\.py\b", nbval_command), nbval_command
    source = Path(nbval.kernel.__file__).read_text()
    assert "self.km, self.kc = start_new_kernel(" in source
