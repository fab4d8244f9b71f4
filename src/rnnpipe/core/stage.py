"""What every stage script shares: load validated params, turn library errors into one clear line."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Callable

from .errors import RnnpipeError
from .params import Schema, load_params


def run_stage(name: str, main: Callable[[dict], None], schema: Schema, params_file: str | Path = "params.yaml") -> None:
    """Run `main(params)` on the validated `params_file`; a RnnpipeError becomes `<stage>: error: <message>`
    on stderr and exit code 1 (the message names the params file when a param is at fault)."""
    started = time.perf_counter()
    try:
        main(load_params(params_file, schema))
    except RnnpipeError as exc:
        print(f"{name}: error: {exc}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        print(f"{name}: interrupted; outputs were left as they were before this run. Run `dvc repro` again to "
              f"continue (training resumes after its last completed epoch).", file=sys.stderr)
        sys.exit(130)
    print(f"{name}: done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
