"""What every stage script shares: load validated params, turn library errors into one clear
line."""

from __future__ import annotations

import errno
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .atomic import write_text
from .errors import RnnpipeError
from .locking import stage_lock
from .params import Schema, load_params

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
        with stage_lock(name):
            main(params)
    except RnnpipeError as exc:
        print(f"{name}: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except OSError as exc:
        if exc.errno not in UNWRITABLE:
            raise
        # A read-only data/, data/.checkpoints/ or metrics/, or a full disk: name the path, not a
        # traceback.
        print(
            f"{name}: error: cannot write {exc.filename or 'an output'}: {exc.strerror}. Make that "
            "folder "
            f"writable (or free space) and run the stage again; nothing half-written was left.",
            file=sys.stderr,
        )
        sys.exit(1)
    except KeyboardInterrupt:
        # Not "outputs were left as they were": under `dvc repro` DVC removed this stage's outputs
        # before running it.
        print(
            f"{name}: interrupted; nothing half-written was left (outputs are written to a "
            "temporary path and "
            "renamed), but under `dvc repro` DVC had already removed this stage's previous "
            "outputs. Run `dvc "
            "repro` again: training resumes after its last completed epoch, and a run seen before "
            "is restored "
            f"from DVC's run-cache.",
            file=sys.stderr,
        )
        sys.exit(130)
    print(f"{name}: done in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def run_params_check(schema: Schema, params_file: str | Path = "params.yaml") -> None:
    """The check_params stage: validate the whole params file (every rule and cross-param check); on
    success write CHECKED_FILE. DVC deletes a stage's outputs just before running it, so without
    this first stage a bad train param would be found only after train's previous outputs were gone.
    """
    run_stage(
        "check_params", lambda params: write_text(CHECKED_FILE, CHECKED_TEXT), schema, params_file
    )
