"""Several trainings on one machine: per-run speed alone, two and four at once, with and without
rnnpipe's admission (core/jobserver.py), side by side in one run.

    python benchmarks/concurrent_runs.py [--epochs 3] [--cores N]

Builds the default text pipeline's data once (synthetic reviews: check_params .. embed), copies it
into one folder per run, and times `python stages/text/train.py` (3 epochs, the RNN alone:
train.ensemble_linear false) in these scenarios, each in a private registry of --cores slots:

  alone, threads 2 | alone, threads 1 | 2 at once, threads 1 | 4 at once, threads 1 |
  2 at once, threads 2 (admitted: the second waits) | 2 at once, threads 2, admission off

Per run: training samples/s (median epoch, from the epoch lines) and wall seconds from start to
finish (waiting included). Prints the targets of issue 30 as ratios: two concurrent 1-thread runs
each >= 90% of a lone 1-thread run; two concurrent default runs together no later than the same
two one after the other; and whether every run of one thread count computed the same metrics.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarking import cpu_model, set_params

ROOT = Path(__file__).resolve().parents[1]
DATA_STAGES = ("check_params", "download", "tokenize_text", "pad", "embed")
EPOCH_SECONDS = re.compile(r"^epoch \d+: .* \| ([0-9.]+) s$", re.M)


def env(registry: Path, cores: int, admission: bool = True) -> dict:
    result = dict(os.environ)
    result.pop("RNNPIPE_ADMITTED", None)
    for key in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        result.pop(key, None)  # the runs set their own (train.threads)
    result["PYTHONPATH"] = str(ROOT / "src")
    result["RNNPIPE_JOBSERVER"] = str(registry) if admission else "off"
    result["RNNPIPE_CORES"] = str(cores)
    result["TQDM_DISABLE"] = "1"
    return result


def build_base(folder: Path, epochs: int, cores: int) -> None:
    folder.mkdir(parents=True)
    for name in ("params.yaml", "dvc.yaml"):
        shutil.copy(ROOT / name, folder / name)
    shutil.copytree(ROOT / "stages", folder / "stages")
    shutil.copytree(ROOT / "inputs", folder / "inputs")
    set_params(folder, {"train": {"epochs": epochs, "patience": 0, "ensemble_linear": False}})
    for stage in DATA_STAGES:
        subprocess.run(
            [sys.executable, f"stages/text/{stage}.py"],
            cwd=folder,
            env=env(folder / "registry", cores),
            check=True,
            capture_output=True,
        )


def scenario(base: Path, work: Path, runs: int, threads: int, cores: int, admission=True) -> list:
    """Start `runs` trainings at once; per run (samples/s of its median epoch, wall seconds,
    metrics)."""
    registry = work / "registry"
    folders = []
    for index in range(runs):
        folder = work / f"run{index}"
        shutil.copytree(base, folder, ignore=shutil.ignore_patterns("registry"))
        set_params(folder, {"train": {"threads": threads}})
        folders.append(folder)
    import pyarrow.parquet as pq

    split = pq.read_table(base / "data" / "padded.parquet", columns=["split"]).column("split")
    rows = sum(1 for value in split.to_pylist() if value == "train")
    started = time.perf_counter()
    processes = [
        subprocess.Popen(
            [sys.executable, "stages/text/train.py"],
            cwd=folder,
            env=env(registry, cores, admission),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for folder in folders
    ]
    results = []
    for folder, process in zip(folders, processes):
        output, _ = process.communicate()
        wall = time.perf_counter() - started
        if process.returncode != 0:
            raise SystemExit(f"training in {folder} failed:\n{output}")
        seconds = [float(s) for s in EPOCH_SECONDS.findall(output)]
        metrics = (folder / "metrics" / "train.json").read_text()
        results.append((rows / statistics.median(seconds), wall, metrics))
    shutil.rmtree(work)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--cores", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}; {args.cores} cores in the registry; torch threads per run as set")
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        base = scratch / "base"
        build_base(base, args.epochs, args.cores)
        plan = [
            ("alone, threads 2", 1, 2, True),
            ("alone, threads 1", 1, 1, True),
            ("2 at once, threads 1", 2, 1, True),
            ("4 at once, threads 1", 4, 1, True),
            ("2 at once, threads 2 (admitted)", 2, 2, True),
            ("2 at once, threads 2, admission off", 2, 2, False),
        ]
        measured = {}
        print(f"{'scenario':38} {'samples/s per run':>30} {'wall s (last to finish)':>24}")
        for name, runs, threads, admission in plan:
            results = scenario(base, scratch / "work", runs, threads, args.cores, admission)
            measured[name] = results
            rates = " ".join(f"{rate:7.0f}" for rate, _, _ in results)
            print(f"{name:38} {rates:>30} {max(wall for _, wall, _ in results):24.1f}")
    lone_1 = measured["alone, threads 1"][0][0]
    lone_2_wall = measured["alone, threads 2"][0][1]
    pair_1 = min(rate for rate, _, _ in measured["2 at once, threads 1"])
    pair_2_wall = max(wall for _, wall, _ in measured["2 at once, threads 2 (admitted)"])
    off_wall = max(wall for _, wall, _ in measured["2 at once, threads 2, admission off"])
    print(
        f"two 1-thread runs at once, the slower one / a lone 1-thread run: {pair_1 / lone_1:.2f} "
        "(target >= 0.90)"
    )
    print(
        f"two default runs at once (admitted), wall / two lone runs one after the other: "
        f"{pair_2_wall / (2 * lone_2_wall):.2f} (target <= 1.00); admission off: "
        f"{off_wall / (2 * lone_2_wall):.2f}"
    )
    for threads in (1, 2):
        metrics = {
            text
            for name, results in measured.items()
            if f"threads {threads}" in name
            for _, _, text in results
        }
        print(
            f"metrics of every {threads}-thread run identical: {len(metrics) == 1} "
            f"({len(metrics)} distinct)"
        )


if __name__ == "__main__":
    main()
