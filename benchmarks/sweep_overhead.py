"""What a sweep trial costs outside its stages: `dvc exp run --temp` (DVC's temporary copy of the
repository, the experiment's commit, collecting it) against the stages' own compute, in one run.

    python benchmarks/sweep_overhead.py                      # the numeric-sequences pipeline
    python benchmarks/sweep_overhead.py --pipeline tagging --trials 3

Builds a throwaway Git + DVC repository holding the pipeline with the tests' tiny params, then runs
`--trials` trials exactly as `rnnpipe sweep` runs them (sweep.trials.command: `dvc exp run --temp
-n ... -S train.lr=...`, a different learning rate each, so every trial trains), one at a time. For
each: the wall time and the sum of its stages' own "done in" times. The reference, measured in the
same run: the same change made by hand, the params file edited and `dvc repro` run in the
workspace (the stages' processes start, import torch and pandas, and DVC checks and saves as for a
trial). The sweep's own cost is a trial's time over that reference's. Then the first trial's params
once more: a trial DVC serves from its run-cache.
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


def repro(repo: Path, pipeline, lr: float) -> tuple[float, float]:
    """(wall seconds, the stages' own seconds) of the same change by hand: the params file edited,
    `dvc repro` in the workspace."""
    from dvc.utils.serialize import modify_yaml

    with modify_yaml(str(repo / pipeline.params_file)) as params:  # as `-S` writes it
        params["train"]["lr"] = lr
    started = time.monotonic()
    result = sh(["dvc", "repro", pipeline.dvc_file], repo)
    wall = time.monotonic() - started
    return wall, sum(float(s) for s in DONE.findall(result.stdout + result.stderr))


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
        rates = [0.002 * (1.5**k) for k in range(args.trials)]
        trial(repo, pipeline, "bench-warm", 0.001)  # download / prepare once, as a sweep's first
        trials, repros = [], []
        for number, lr in enumerate(rates):
            wall, stages = trial(repo, pipeline, f"bench-{number}", lr)
            by_hand, by_hand_stages = repro(repo, pipeline, lr * 1.01)
            trials.append(wall)
            repros.append(by_hand)
            print(
                f"train.lr={lr:.4g}: trial {wall:.1f} s (stages {stages:.1f} s); dvc repro by hand "
                f"{by_hand:.1f} s (stages {by_hand_stages:.1f} s)",
                flush=True,
            )
        wall, _ = trial(repo, pipeline, "bench-repeat", rates[0])
        print(f"trial bench-0's params again (DVC's run-cache): {wall:.1f} s")
        extra = statistics.median(t - r for t, r in zip(trials, repros))
        print(
            f"{args.pipeline}: a trial {statistics.median(trials):.1f} s, the same run by hand "
            f"{statistics.median(repros):.1f} s: the sweep's own cost {extra:.1f} s a trial "
            "(median)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
