"""One running copy of a stage per project folder: an exclusive lock held while the stage runs.

Killing only `dvc` (not its process group) leaves the stage script running. The next `dvc repro` would start
a second copy that resumes from the orphan's checkpoint while the orphan keeps writing it, and whose
atomic writes clear the orphan's staging folders. The stage takes an exclusive `flock` on
data/.locks/<stage>.lock first; the kernel releases it when the holder exits, however it dies (SIGKILL
included), so a stale lock never blocks a run. The file records the holder's pid for the message.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from .errors import RnnpipeError

try:
    import fcntl
except ImportError:  # not POSIX: no lock (the pipelines are run and tested on Linux)
    fcntl = None

LOCKS = Path("data/.locks")


class StageBusyError(RnnpipeError):
    """Another process is running the same stage in this folder."""


@contextlib.contextmanager
def stage_lock(stage: str, folder: Path = LOCKS) -> Iterator[None]:
    """Hold the stage's lock for the block; StageBusyError naming the holder's pid when another process has it."""
    if fcntl is None:
        yield
        return
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stage}.lock"
    handle = open(path, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise StageBusyError(
                f"another {stage} is still running in this folder (pid {holder}; e.g. left running when only `dvc` "
                f"was killed). Two runs must not share its checkpoint and outputs: wait for it to finish or stop it "
                f"(`kill {holder}`), then run `dvc repro` again.") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()  # releases the lock
