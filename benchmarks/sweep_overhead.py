"""What a sweep trial costs outside its stages: `dvc exp run --temp` (DVC's temporary copy of the
repository, the experiment's commit, collecting it) against the stages' own compute, in one run.

    python benchmarks/sweep_overhead.py                      # the numeric-sequences pipeline
    python benchmarks/sweep_overhead.py --pipeline tagging --trials 3

Builds a throwaway Git + DVC repository holding the pipeline with the tests' tiny params, then runs
`--trials` trials exactly as `rnnpipe sweep` runs them (sweep.trials.command: `dvc exp run --temp
-n ... -S train.lr=...`, a different learning rate each, so every trial trains), one at a time. For
each: the wall time, the sum of its stages' own "done in" times, and the rest, the overhead. Then
the first trial's params once more: a trial DVC serves from its run-cache.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

DONE = re.compile(r"^\w+: done in ([0-9.]+) s$", re.M)


def sh(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True)


def trial(repo: Path, pipeline, name: str, lr: float) -> tuple[float, float]:
    """(wall seconds, the stages' own seconds) of one trial."""
    from rnnpipe.sweep.trials import TrialRun, command

    run = TrialRun(repo, pipeline.dvc_file, pipeline.params_file, "", "", "", "", "none", 0)
    started = time.monotonic()
    result = sh(command(run, name, {"train.lr": lr}), repo)
    wall = time.monotonic() - started
    stages = sum(float(s) for s in DONE.findall(result.stdout + result.stderr))
    return wall, stages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pipeline", default="sequences", choices=["sequences", "tagging", "trees"]
    )
    parser.add_argument("--trials", type=int, default=4)
    args = parser.parse_args()
    import conftest
    from rnnpipe.render import PIPELINES

    make = {
        "sequences": conftest.make_sequences_copy,
        "tagging": conftest.make_tagging_copy,
        "trees": conftest.make_trees_copy,
    }[args.pipeline]
    work = Path(tempfile.mkdtemp(prefix="sweep-overhead-"))
    try:
        repo = make(work / "project")
        sh(["dvc", "config", "core.no_scm", "false"], repo)
        for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "b"]):
            sh(cmd, repo)
        pipeline = PIPELINES[args.pipeline]
        shares, rates = [], [0.002 * (1.5**k) for k in range(args.trials)]
        for number, lr in enumerate(rates):
            wall, stages = trial(repo, pipeline, f"bench-{number}", lr)
            shares.append((wall - stages) / wall)
            print(
                f"trial {number} (train.lr={lr:.4g}): {wall:.1f} s in all, stages {stages:.1f} s, "
                f"outside them {wall - stages:.1f} s ({shares[-1]:.0%})",
                flush=True,
            )
        wall, stages = trial(repo, pipeline, "bench-repeat", rates[0])
        print(f"trial 0's params again (DVC's run-cache): {wall:.1f} s, stages {stages:.1f} s")
        print(
            f"{args.pipeline}: median time outside the stages {statistics.median(shares):.0%} of "
            "a trial"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
