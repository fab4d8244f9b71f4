"""Machine-wide admission: a stage starts computing only when its threads have free cores.

Why: every PyTorch process sizes its thread pool to all cores, so N runs at once (`dvc queue start
-j N`, a sweep, the test suite beside a training) put N x cores busy threads on the cores, and a
recurrent loop's thousands of small operators per batch each wait at a barrier for a descheduled
thread: two trainings on two cores ran 4-8x slower each (benchmarks/concurrent_runs.py). A stage's
thread count is a param instead (`train.threads`, `evaluate.threads`; a data stage counts as one
thread), and before it starts the stage takes that many *slots* of this machine's registry:

- the registry is a folder (`$RNNPIPE_JOBSERVER`, default `<tmp>/rnnpipe-jobserver-<uid>`) holding
  one lock file per core (`$RNNPIPE_CORES`, default the cores this process may run on);
- a slot is held with `flock`, so the kernel frees it when its holder exits, however it dies: a
  killed run never leaves a stale slot;
- one waiter at a time (the holder of `queue.lock`) gathers slots, keeping those it has until it has
  all it needs, so a stage wanting both cores is not starved by a stream of one-core stages, and
  two waiters never each hold half of what the other needs;
- a stage that asks for more threads than the machine has cores waits for the whole machine;
- the processes a stage starts (DDP workers, a stage run inside a stage) inherit its admission
  (`RNNPIPE_ADMITTED`) instead of queueing behind their own parent.

Every rnnpipe stage goes through it, whoever starts it: `dvc repro`, DVC's queue workers, a sweep's
trials, DDP launches and the test suite's workers. `RNNPIPE_JOBSERVER=off` turns admission off.
Waiting prints who holds the cores, and gives up after `$RNNPIPE_ADMISSION_TIMEOUT` seconds
(default 24 hours) with a line saying so: nothing waits without a deadline.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from .errors import RnnpipeError

try:
    import fcntl
except ImportError:  # not POSIX: no admission (the pipelines are run and tested on Linux)
    fcntl = None

FOLDER_ENV = "RNNPIPE_JOBSERVER"
CORES_ENV = "RNNPIPE_CORES"
TIMEOUT_ENV = "RNNPIPE_ADMISSION_TIMEOUT"
ADMITTED_ENV = "RNNPIPE_ADMITTED"
DEFAULT_TIMEOUT = 24 * 3600.0
POLL_SECONDS = 0.1


class AdmissionTimeoutError(RnnpipeError):
    """The machine's cores stayed taken past the admission deadline."""


def registry_folder() -> Path | None:
    """The registry's folder, or None when admission is off."""
    configured = os.environ.get(FOLDER_ENV, "")
    if configured.lower() == "off" or fcntl is None:
        return None
    if configured:
        return Path(configured)
    return Path(tempfile.gettempdir()) / f"rnnpipe-jobserver-{os.getuid()}"


def machine_cores() -> int:
    """Slots in the registry: $RNNPIPE_CORES, else the cores this process may run on."""
    configured = os.environ.get(CORES_ENV, "")
    if configured:
        try:
            cores = int(configured)
        except ValueError:
            cores = 0
        if cores < 1:
            raise RnnpipeError(
                f"{CORES_ENV}={configured!r} is not a number of cores >= 1; set it to the cores "
                "rnnpipe's stages may share on this machine, or unset it."
            )
        return cores
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def admission_timeout() -> float:
    configured = os.environ.get(TIMEOUT_ENV, "")
    try:
        return float(configured) if configured else DEFAULT_TIMEOUT
    except ValueError:
        raise RnnpipeError(
            f"{TIMEOUT_ENV}={configured!r} is not a number of seconds; set it to how long a stage "
            "may wait for free cores, or unset it (24 hours)."
        ) from None


def _try_lock(handle: IO[str]) -> bool:
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def holders(folder: Path) -> list[str]:
    """What holds the registry's slots now: one 'pid N: stage in folder' line per held slot."""
    found = []
    for path in sorted(folder.glob("slot-*")):
        with open(path, "a+", encoding="utf-8") as handle:
            if _try_lock(handle):
                continue  # free (the lock is released when the file closes)
            handle.seek(0)
            found.append(handle.read().strip() or "unknown")
    return found


def described(taken: list[str]) -> str:
    """holders' lines joined, one per holder, with the cores of a holder of several counted."""
    counts: dict[str, int] = {}
    for line in taken:
        counts[line] = counts.get(line, 0) + 1
    return "; ".join(
        line if count == 1 else f"{line} ({count} cores)" for line, count in counts.items()
    )


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@contextlib.contextmanager
def admitted(
    stage: str,
    threads: int,
    folder: Path | None = None,
    cores: int | None = None,
    timeout: float | None = None,
    say: Callable[[str], None] = _say,
) -> Iterator[int]:
    """Hold `threads` slots of the machine's registry (all of them when it has fewer) for the
    block; yields the number held (0 when admission is off or inherited). Waits, saying for whom,
    while they are taken; AdmissionTimeoutError past the deadline."""
    folder = folder if folder is not None else registry_folder()
    if folder is None or os.environ.get(ADMITTED_ENV) or "TORCHELASTIC_RUN_ID" in os.environ:
        yield 0
        return
    cores = cores if cores is not None else machine_cores()
    wanted = max(1, min(threads, cores))
    deadline = time.monotonic() + (timeout if timeout is not None else admission_timeout())
    folder.mkdir(parents=True, exist_ok=True)
    held: list[IO[str]] = []
    waited = False

    def wait_a_moment() -> None:
        nonlocal waited
        if not waited:
            taken = holders(folder)
            say(
                f"{stage}: waiting for {wanted} of this machine's {cores} cores "
                f"({len(taken)} taken: {described(taken) or 'another stage is gathering them'}). "
                f"Set {stage}.threads lower to start sooner."
                if stage in ("train", "evaluate")
                else f"{stage}: waiting for a free core of this machine's {cores} "
                f"({described(taken) or 'another stage is gathering them'})."
            )
            waited = True
        if time.monotonic() > deadline:
            raise AdmissionTimeoutError(
                f"waited {admission_timeout() if timeout is None else timeout:.0f} s for "
                f"{wanted} free core(s), held by: {described(holders(folder)) or 'unknown'}. "
                f"Stop those runs or raise {TIMEOUT_ENV}, and run the stage again."
            )
        time.sleep(POLL_SECONDS)

    queue = open(folder / "queue.lock", "a+", encoding="utf-8")
    try:
        while not _try_lock(queue):
            wait_a_moment()
        try:
            while len(held) < wanted:
                for slot in range(cores):
                    if len(held) == wanted:
                        break
                    path = folder / f"slot-{slot}"
                    if any(handle.name == str(path) for handle in held):
                        continue
                    handle = open(path, "a+", encoding="utf-8")
                    if _try_lock(handle):
                        handle.seek(0)
                        handle.truncate()
                        handle.write(f"pid {os.getpid()}: {stage} in {Path.cwd()}")
                        handle.flush()
                        held.append(handle)
                    else:
                        handle.close()
                if len(held) < wanted:
                    wait_a_moment()
        finally:
            queue.close()  # the next waiter may start gathering
        if waited:
            say(f"{stage}: admitted ({wanted} core(s))")
        previous = os.environ.get(ADMITTED_ENV)
        os.environ[ADMITTED_ENV] = stage
        try:
            yield wanted
        finally:
            if previous is None:
                os.environ.pop(ADMITTED_ENV, None)
            else:
                os.environ[ADMITTED_ENV] = previous
    finally:
        queue.close()
        for handle in held:
            handle.close()  # frees the slot
