"""What every stage script shares: load validated params, turn library errors into one clear
line."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML, YAMLError

from . import blas  # noqa: F401  (before numpy loads: see core/blas.py)
from .allocator import keep_freed_memory
from .atomic import write_text
from .device import using_threads
from .errors import DiskSpaceError, RnnpipeError
from .jobserver import admitted
from .locking import stage_lock
from .memory import human_bytes
from .params import Schema, display_path, load_params, read_yaml
from .restore import recorded_size, restore_outputs

UNWRITABLE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}

# What the check_params stage writes. Always the same bytes, so a valid change of one param reruns
# only the
# stages that read it: the stages after the check see an unchanged dependency.
CHECKED_FILE = "data/params.checked"
CHECKED_TEXT = (
    "The params file passed rnnpipe's checks. This file only orders every stage after the "
    "check_params "
    "stage (dvc.yaml), so that a bad param stops `dvc repro` before DVC removes any stage's "
    "outputs.\n"
)


def run_stage(
    name: str, main: Callable[[dict], None], schema: Schema, params_file: str | Path = "params.yaml"
) -> None:
    """Run `main(params)` on the validated `params_file`; a RnnpipeError becomes `<stage>: error:
    <message>` on stderr and exit code 1 (the message names the params file when a param is at
    fault)."""
    started = time.perf_counter()
    try:
        params = load_params(params_file, schema)
        check_free_space(name)
        cores, threads = stage_threads(name, params)
        if "threads" in params.get(name, {}):  # a computing stage: train, evaluate
            keep_freed_memory()
        with stage_lock(name), admitted(name, cores), using_threads(threads):
            main(params)
    except RnnpipeError as exc:
        note = params_changed_note(params_file)
        if note:
            print(f"{name}: {note}", file=sys.stderr)
        fail(name, str(exc), 1)
    except OSError as exc:
        if exc.errno not in UNWRITABLE:
            _put_back_outputs(name)
            raise
        # A read-only data/, data/.checkpoints/ or metrics/, or a full disk: name the path, not a
        # traceback.
        fail(
            name,
            f"cannot write {exc.filename or 'an output'}: {exc.strerror}. Make that folder "
            "writable (or free space) and run the stage again; nothing half-written was left.",
            1,
        )
    except KeyboardInterrupt:
        fail(
            name,
            "interrupted; nothing half-written was left (outputs are written to a temporary path "
            "and renamed). Run `dvc repro` again: training resumes after its last completed "
            "epoch, and a run seen before is restored from DVC's run-cache.",
            130,
            prefix="",
        )
    except SystemExit as exc:
        if exc.code not in (0, None):
            _put_back_outputs(name)
        raise
    except BaseException:  # an unforeseen failure still must not cost the last good outputs
        _put_back_outputs(name)
        raise
    if os.environ.get("LOCAL_RANK") is None:  # once per stage, not once per DDP worker too
        print(f"{name}: done in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def stage_threads(name: str, params: dict) -> tuple[int, int]:
    """(cores the stage holds on the machine, threads each of its processes computes with): its
    section's `threads` (train.threads, evaluate.threads; 1 for a data stage), shared among
    train.processes DDP workers (at least one thread each)."""
    section = params.get(name, {})
    threads = section.get("threads", 1)
    processes = section.get("processes", 1)
    if processes > 1:
        return max(threads, processes), max(1, threads // processes)
    return threads, threads


# Room a stage needs besides its outputs' size: DVC copies every output into its cache after the
# stage, and a disk that fills up then shows only DVC's "No possible cache link types".
FREE_SPACE_MARGIN = 100 * 2**20


def check_free_space(name: str, folder: Path = Path(".")) -> None:
    """Refuse to start a stage on a disk without room for its outputs twice over (the files and
    DVC's cached copy; their size as dvc.lock records it from the last run) plus a margin."""
    need = 2 * recorded_size(name, folder) + FREE_SPACE_MARGIN
    free = shutil.disk_usage(folder).free
    if free < need:
        raise DiskSpaceError(
            f"only {human_bytes(free)} free on the disk holding {folder.resolve()}, where this "
            f"stage writes its outputs and DVC caches them; it needs about {human_bytes(need)}. "
            "Free space (e.g. `dvc gc -w`) and run it again."
        )


def params_changed_note(params_file: str | Path) -> str | None:
    """Where values came from, when the params file differs from the committed one: a value an
    earlier `dvc exp run -S` left in the workspace is the usual cause of a failure in a later,
    unrelated command. None when they agree (or there is no git)."""
    path = Path(params_file)
    try:
        shown = subprocess.run(
            ["git", "show", f"HEAD:./{path.name}"],
            cwd=path.parent if str(path.parent) else None,
            capture_output=True,
            timeout=30,
            check=False,
        )
        if shown.returncode != 0:
            return None
        committed = flat(YAML(typ="safe", pure=True).load(shown.stdout.decode("utf-8")))
        here = flat(read_yaml(path))
    except (OSError, subprocess.SubprocessError, UnicodeDecodeError, YAMLError, RnnpipeError):
        return None
    changed = [key for key in here if key in committed and here[key] != committed[key]]
    if not changed:
        return None
    shown_keys = ", ".join(
        f"{key}={here[key]!r} (committed: {committed[key]!r})" for key in changed[:4]
    ) + (f" and {len(changed) - 4} more" if len(changed) > 4 else "")
    return (
        f"note: {display_path(path)} differs from the committed one: {shown_keys}. Values set "
        "with `dvc exp run -S` (in this run or an earlier one) stay in the workspace's params "
        f"file; `git checkout {display_path(path)}` restores the committed ones."
    )


def flat(params) -> dict:
    """{"section.key": value} of a params mapping (anything else: empty)."""
    if not isinstance(params, dict):
        return {}
    return {
        f"{section}.{key}": value
        for section, values in params.items()
        if isinstance(values, dict)
        for key, value in values.items()
    }


def fail(name: str, message: str, code: int, prefix: str = "error: ") -> None:
    """Put back the outputs DVC removed, print `<stage>: error: <message>` (the last line, where
    a person looks), and exit."""
    _put_back_outputs(name)
    print(f"{name}: {prefix}{message}", file=sys.stderr)
    sys.exit(code)


def _put_back_outputs(name: str) -> None:
    """Under `dvc repro` / `dvc exp run` (DVC_STAGE is set), DVC removed this stage's outputs before
    running it: put back the last good ones (core.restore) and say which. DDP workers leave it to
    the process that launched them."""
    if not os.environ.get("DVC_STAGE") or os.environ.get("LOCAL_RANK") is not None:
        return
    try:
        restored, missing = restore_outputs(name)
    except Exception as exc:  # a safety net must never hide the stage's own error
        print(f"{name}: could not put back the previous outputs ({exc}).", file=sys.stderr)
        return
    if restored:
        print(
            f"{name}: put back the previous outputs as dvc.lock records them: "
            f"{', '.join(restored)}.",
            file=sys.stderr,
        )
    if missing:
        print(
            f"{name}: no copy of the previous {', '.join(missing)} in DVC's cache or git; "
            "`dvc checkout` or `git checkout` may still have it.",
            file=sys.stderr,
        )


def run_params_check(schema: Schema, params_file: str | Path = "params.yaml") -> None:
    """The check_params stage: validate the whole params file (every rule and cross-param check); on
    success write CHECKED_FILE. DVC deletes a stage's outputs just before running it, so without
    this first stage a bad train param would be found only after train's previous outputs were gone.
    """
    run_stage(
        "check_params", lambda params: write_text(CHECKED_FILE, CHECKED_TEXT), schema, params_file
    )
