"""nbval's kernels, started so that two pytest workers cannot kill each other's.

``make test`` runs nbval with two pytest-xdist workers. nbval starts each notebook's kernel on
jupyter_client's TCP transport: the client finds five free ports by binding sockets to port 0
and closing them, and the kernel binds those ports about a second later. Meanwhile the other
worker may take one (for its own kernel, or as the local port of a connection, drawn from the
same ephemeral range). The kernel then cannot bind, exits, and nbval, which sends the kernel's
stderr to ``/dev/null``, reports "Kernel died before replying to kernel_info" for every cell of
the notebook. CI failed so once (``06_capstone.ipynb``, all 30 cells, 8 December 2026); the race
is jupyter_client's known one (jupyter/jupyter_client#487).

:func:`install` makes nbval start every kernel

- on Unix-domain sockets (transport ``"ipc"``) under a fresh random name in a private temporary
  folder, so that no port is chosen at all and no two kernels share an address (on POSIX; on
  Windows, where ZeroMQ's ipc is not dependable, the transport stays TCP);
- with its stderr kept in a file: a kernel that dies before it replies is started once more,
  with a warning that quotes the dead kernel's stderr; if the second dies too, the error quotes
  both, so that a failure says why.

``tests/conftest.py`` installs it when pytest runs with ``--nbval`` or ``--nbval-lax``.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
import warnings
from pathlib import Path

#: Kernel starts tried per notebook before its cells are errored.
ATTEMPTS = 2
#: Characters of a dead kernel's stderr quoted in the warning or the error.
STDERR_TAIL = 2000

_folder: list[Path] = []


class KernelRestartWarning(UserWarning):
    """A notebook's kernel died while starting and was started again."""


def _private_folder() -> Path:
    if not _folder:
        path = Path(tempfile.mkdtemp(prefix="gvx-kernels-"))
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        _folder.append(path)
    return _folder[0]


def transport_settings() -> dict[str, str]:
    """The KernelManager settings of one kernel: ipc under a fresh absolute name on POSIX."""
    if os.name != "posix":
        return {}
    return {"transport": "ipc", "ip": str(_private_folder() / f"k-{uuid.uuid4().hex[:16]}")}


def _tail(text: str) -> str:
    text = text.strip() or "(the kernel wrote nothing to stderr)"
    return text[-STDERR_TAIL:]


def start_new_kernel(startup_timeout: float = 60, kernel_name: str = "python", **kwargs):
    """nbval's ``start_new_kernel`` (nbval 0.11), on ipc, retried once, its stderr kept."""
    from jupyter_client.manager import KernelManager
    from nbval.kernel import NbvalKernelspecManager

    kwargs.pop("stderr", None)  # nbval's /dev/null: the kernel's stderr goes to a file instead
    deaths: list[str] = []
    for attempt in range(1, ATTEMPTS + 1):
        log = _private_folder() / f"stderr-{uuid.uuid4().hex[:16]}.txt"
        km = KernelManager(
            kernel_name=kernel_name,
            kernel_spec_manager=NbvalKernelspecManager(),
            **transport_settings(),
        )
        with open(log, "w") as stderr:
            km.start_kernel(stderr=stderr, **kwargs)
        kc = km.client()
        kc.start_channels()
        try:
            kc.wait_for_ready(timeout=startup_timeout)
        except RuntimeError as error:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
            deaths.append(f"start {attempt}: {error}; its stderr:\n{_tail(log.read_text())}")
            if attempt < ATTEMPTS:
                warnings.warn(
                    f"A {kernel_name!r} kernel died while starting and is started again. "
                    + deaths[-1],
                    KernelRestartWarning,
                    stacklevel=2,
                )
            continue
        return km, kc
    raise RuntimeError(
        f"The {kernel_name!r} kernel died at every start ({ATTEMPTS} tried).\n" + "\n".join(deaths)
    )


def install() -> None:
    """Make nbval (its ``RunningKernel``) start kernels with :func:`start_new_kernel`."""
    import nbval.kernel

    nbval.kernel.start_new_kernel = start_new_kernel
