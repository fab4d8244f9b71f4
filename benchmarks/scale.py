"""How a pipeline's cost grows with the corpus: time and peak RSS of every stage at several corpus
sizes, printed as a table (and, with --plot, drawn log-log).

    python benchmarks/scale.py                         # 10^4, 10^5, 10^6 reviews, data stages
    python benchmarks/scale.py --sizes 1e4,1e5,1e6,4e6 --train   # and 1 epoch of train + evaluate
    python benchmarks/scale.py --plot docs/scale.png --json scale.json
    python benchmarks/scale.py --pipeline tagging --json scale-tagging.json   # sentences
    python benchmarks/scale.py --pipeline sequences    # numeric sequences: download, prepare

Each size is a pipeline's default synthetic corpus (text: the embedded review generator; tagging:
the embedded grammar's sentences; 2/3 train, 1/3 test; sequences: binary digits of 8-40 steps;
with --train, one epoch, as the defaults have it otherwise) in a fresh folder, every stage run as
its own process (`python stages/<pipeline>/<stage>.py`, the params' threads) and measured with
wait4: wall seconds and the process's peak resident memory. Against the 10^5 run the table prints
each stage's time per item (1.00 = linear; a stage's ~2 s of start-up makes small runs look slow
per item) and its peak RSS (issue 30's targets: RSS <= 1.2x from 10^5 to 4x10^6, time within 1.3x
of linear).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarking import set_params

ROOT = Path(__file__).resolve().parents[1]


def split_corpus(size: int) -> dict:
    """Text and tagging: 2/3 of `size` items to train, 1/3 to test; train one epoch."""
    train = size * 2 // 3
    return {
        "download": {"synthetic_train": train, "synthetic_test": size - train},
        "train": {"epochs": 1, "patience": 0},
    }


# pipeline -> (its folder in the repository, data stages, what one corpus item is, the params
# that make a corpus of `size` items)
PIPELINES = {
    "text": (
        ".",
        ("check_params", "download", "tokenize_text", "pad", "embed"),
        "reviews",
        split_corpus,
    ),
    "tagging": (
        "tagging",
        ("check_params", "download", "tokenize_tags", "pad", "embed"),
        "sentences",
        split_corpus,
    ),
    "sequences": (  # binary digits: 8-40 steps each (24 on average), the splits by fraction
        "sequences",
        ("check_params", "download", "prepare"),
        "sequences",
        lambda size: {"data": {"sequences": size}, "train": {"epochs": 1, "patience": 0}},
    ),
}
TRAIN_STAGES = ("train", "evaluate")


def run_measured(command: list[str], cwd: Path, env: dict) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MiB, output) of one process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{output}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024, output


def measure_size(
    pipeline: str, size: int, stages: tuple[str, ...], scratch: Path
) -> dict[str, tuple]:
    """Run `stages` of `pipeline` on its synthetic corpus of `size` items in a fresh copy;
    {stage: (seconds, peak MiB)}."""
    folder = scratch / f"n{size}"
    folder.mkdir()
    for name in ("params.yaml", "dvc.yaml"):
        shutil.copy(ROOT / name, folder / name)
    workdir, _, _, corpus_params = PIPELINES[pipeline]
    for name in ("stages", "inputs") + ((workdir,) if workdir != "." else ()):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("data"))
    workdir = folder / workdir
    set_params(workdir, corpus_params(size))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "TQDM_DISABLE": "1"}
    env["RNNPIPE_JOBSERVER"] = str(scratch / "registry")
    results = {}
    for stage in stages:
        script = folder / "stages" / pipeline / f"{stage}.py"
        seconds, rss, _ = run_measured([sys.executable, str(script)], workdir, env)
        results[stage] = (seconds, rss)
        print(f"  {size:>9,} {stage:14} {seconds:9.1f} s {rss:9.0f} MiB", flush=True)
    shutil.rmtree(folder)
    return results


def table(measured: dict[int, dict[str, tuple]], items: str = "reviews") -> str:
    """One row per stage and size: seconds, peak MiB, and both against the 10^5 run (or the
    smallest): time per review (1.00 = linear) and peak RSS."""
    sizes = sorted(measured)
    reference = 100_000 if 100_000 in measured else sizes[0]
    lines = [
        f"{'stage':14} {items:>10} {'seconds':>9} {'peak MiB':>9} "
        f"{'time/item vs ' + format(reference, ','):>22} {'RSS vs ' + format(reference, ','):>15}"
    ]
    for stage in measured[reference]:
        base_seconds, base_rss = measured[reference][stage]
        for size in sizes:
            seconds, rss = measured[size][stage]
            per_review = (seconds / size) / (base_seconds / reference)
            lines.append(
                f"{stage:14} {size:>10,} {seconds:9.1f} {rss:9.0f} {per_review:22.2f} "
                f"{rss / base_rss:15.2f}"
            )
    return "\n".join(lines)


def plot(measured: dict[int, dict[str, tuple]], path: Path, items: str = "reviews") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(measured)
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for stage in measured[sizes[0]]:
        left.plot(sizes, [measured[s][stage][0] for s in sizes], marker="o", label=stage)
        right.plot(sizes, [measured[s][stage][1] for s in sizes], marker="o", label=stage)
    for axis, title in ((left, "wall seconds"), (right, "peak RSS (MiB)")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel(f"synthetic {items}")
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
    right.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pipeline", default="text", choices=sorted(PIPELINES))
    parser.add_argument(
        "--sizes",
        default="1e4,1e5,1e6",
        help="comma-separated corpus sizes (reviews, sentences, sequences)",
    )
    parser.add_argument("--train", action="store_true", help="also train 1 epoch and evaluate")
    parser.add_argument(
        "--plot",
        type=Path,
        help="write a log-log PNG here (needs matplotlib: pip install -e '.[bench]')",
    )
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument(
        "--load",
        type=Path,
        help="print (and plot) the measurements a --json run wrote; run nothing",
    )
    args = parser.parse_args()
    if args.load:
        measured = {
            int(size): {stage: tuple(values) for stage, values in stages.items()}
            for size, stages in json.loads(args.load.read_text()).items()
        }
    else:
        measured = {}
        sizes = [int(float(size)) for size in args.sizes.split(",")]
        stages = PIPELINES[args.pipeline][1] + (TRAIN_STAGES if args.train else ())
        with tempfile.TemporaryDirectory() as scratch:
            for size in sizes:
                measured[size] = measure_size(args.pipeline, size, stages, Path(scratch))
    items = PIPELINES[args.pipeline][2]
    print(table(measured, items))
    if args.json:
        args.json.write_text(json.dumps({str(k): v for k, v in measured.items()}, indent=1))
    if args.plot:
        plot(measured, args.plot, items)


if __name__ == "__main__":
    main()
