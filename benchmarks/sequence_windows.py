"""The sequences pipeline's windows stay lazy: memory does not grow with the number of windows.

    python benchmarks/sequence_windows.py              # HAPT-sized: 1,122,772 steps x 6 channels,
    61 sessions

Cuts windows of 128 steps (UCI HAR's 2.56 s at 50 Hz) from one array of steps with strides 64, 8 and
1 (8x and 64x more windows), serves every window once in shuffled batches of 256 (`SpanSet.batch`),
and prints for each stride the windows, the resident memory after building the window index and
after serving them, the growth over the steps array alone, and what materialising the windows as one
[windows, 128, 6] float32 array would take. Each stride runs in its own process (a clean peak).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import torch
from window_loader import rss_mib  # benchmarks/window_loader.py, beside this script

STEPS, FEATURES, SESSIONS, LENGTH = 1_122_772, 6, 61, 128


def measure(stride: int, batch_size: int) -> dict:
    from rnnpipe.sequences.prepared import window_items
    from rnnpipe.sequences.spans import SpanSet
    from rnnpipe.training.objectives import IGNORE_INDEX

    rng = np.random.default_rng(0)
    values = torch.from_numpy(rng.normal(size=(STEPS, FEATURES)).astype(np.float32))
    labels = np.full(STEPS, IGNORE_INDEX, dtype=np.int64)
    bounds = np.linspace(0, STEPS, SESSIONS + 1).astype(int)
    sequences = pd.DataFrame({"start": bounds[:-1], "length": np.diff(bounds), "split": "train"})
    before = rss_mib()
    items = window_items(sequences, labels, 0, LENGTH, stride, None)
    spans = SpanSet.from_items(values, torch.from_numpy(labels), items, per_step=False)
    indexed = rss_mib()
    peak = indexed
    for rows in spans.batches(batch_size, np.random.default_rng(0), 1):
        spans.batch(rows, torch.device("cpu"))
        peak = max(peak, rss_mib())
    return {
        "stride": stride,
        "windows": len(spans),
        "steps_mib": round(before, 1),
        "indexed_mib": round(indexed, 1),
        "served_peak_mib": round(peak, 1),
        "materialised_mib": round(len(spans) * LENGTH * FEATURES * 4 / 2**20, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strides", type=int, nargs="+", default=[64, 8, 1])
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument(
        "--one", type=int, help=argparse.SUPPRESS
    )  # internal: measure one stride, print JSON
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure(args.one, args.batch_size)))
        return
    rows = [
        json.loads(
            subprocess.run(
                [sys.executable, __file__, "--one", str(s), "--batch-size", str(args.batch_size)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
        for s in args.strides
    ]
    base = rows[0]
    print(
        f"{'stride':>6} {'windows':>9} {'RSS with steps':>15} {'+ index':>9} {'serving peak':>13} "
        f"{'growth vs stride ' + str(base['stride']):>22} {'materialised would be':>22}"
    )
    for row in rows:
        growth = row["served_peak_mib"] - base["served_peak_mib"]
        print(
            f"{row['stride']:>6} {row['windows']:>9,} {row['steps_mib']:>12.1f} MiB "
            f"{row['indexed_mib']:>5.1f} MiB "
            f"{row['served_peak_mib']:>9.1f} MiB {growth:>+18.1f} MiB "
            f"{row['materialised_mib']:>18.1f} MiB"
        )
    print(
        f"windows x{rows[-1]['windows'] / base['windows']:.0f}: serving peak x"
        f"{rows[-1]['served_peak_mib'] / base['served_peak_mib']:.2f}"
    )


if __name__ == "__main__":
    main()
