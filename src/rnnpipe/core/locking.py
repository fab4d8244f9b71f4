"""One running copy of a stage per project folder: an exclusive lock held while the stage runs.

Killing only `dvc` (not its process group) leaves the stage script running. The next `dvc repro`
would start a second copy that resumes from the orphan's checkpoint while the orphan keeps writing
it, and whose atomic writes clear the orphan's staging folders. The stage takes an exclusive `flock`
first, on a file in DVC's own scratch folder (.dvc/tmp/rnnpipe-locks/, which DVC keeps out of git;
outside a DVC project the system's temporary folder), named after the stage and the folder it runs
in. The kernel releases the lock when the holder exits, however it dies (SIGKILL included), so a
stale lock never blocks a run; the file records the holder's pid for the message. Nothing is written
into the project's own folders.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import RnnpipeError
from .params import dvc_root

try:
    import fcntl
except ImportError:  # not POSIX: no lock (the pipelines are run and tested on Linux)
    fcntl = None


def lock_path(stage: str, cwd: Path | None = None) -> Path:
    """Where the lock of `stage` run in `cwd` lives (see the module docstring)."""
    cwd = (cwd or Path.cwd()).resolve()
    root = dvc_root(cwd)
    if root is not None:
        return (
            root
            / ".dvc"
            / "tmp"
            / "rnnpipe-locks"
            / ("__".join([*cwd.relative_to(root).parts, stage]) + ".lock")
        )
    key = hashlib.sha256(str(cwd).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"rnnpipe-locks-{os.getuid()}" / f"{key}-{stage}.lock"


class StageBusyError(RnnpipeError):
    """Another process is running the same stage in this folder."""


@contextlib.contextmanager
def stage_lock(stage: str, path: Path | None = None) -> Iterator[None]:
    """Hold the stage's lock (at `path`, default lock_path) for the block; StageBusyError naming
    the holder's pid when another process has it."""
    if fcntl is None or "TORCHELASTIC_RUN_ID" in os.environ:
        # (A worker torchrun started for a data-parallel stage: the launching stage holds the lock.)
        yield
        return
    path = path or lock_path(stage)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise StageBusyError(
                f"another {stage} is still running in this folder (pid {holder}; e.g. left running "
                "when only `dvc` "
                "was killed). Two runs must not share its checkpoint and outputs: wait for it to "
                "finish or stop it "
                f"(`kill {holder}`), then run `dvc repro` again."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()  # releases the lock
