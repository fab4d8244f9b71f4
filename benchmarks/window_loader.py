"""How fast the forecasting loader serves windows, and that its memory does not grow with their
number.

    python benchmarks/window_loader.py                 # Jena-sized series: 420,551 rows x 14
    features
    python benchmarks/window_loader.py --seconds 3     # shorter timing per loader

Both loaders serve shuffled batches of windows of `--lookback` rows x 14 features (the Keras
tutorial's Jena setting is lookback 240 with step 1, or 1440 with step 6) from one float32 series:
- reference: a per-window Python loop (the usual `Dataset.__getitem__` slice + `torch.stack`),
- rnnpipe: `WindowSet.batch`, one index_select per batch from a strided view
(src/rnnpipe/windows.py). Prints windows/s for each and their ratio, then the resident memory after
building the window sets for a small and the full series: it grows with the series (8 bytes per
window for the anchors), not with windows x lookback x features, which is what materialising them
would take.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from rnnpipe.forecast.windows import make_windows

FEATURES = 14


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def windows_per_second(serve, windows, batch_size: int, seconds: float) -> float:
    order = np.random.default_rng(0).permutation(len(windows))
    served, started = 0, time.perf_counter()
    for start in range(0, len(order), batch_size):
        batch = serve(order[start : start + batch_size])
        served += batch.shape[0]
        if time.perf_counter() - started > seconds:
            break
    return served / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=420_551, help="series length (Jena 2009-2016: 420,551)"
    )
    parser.add_argument("--lookback", type=int, default=240, help="rows per window")
    parser.add_argument(
        "--step", type=int, default=1, help="read every step-th row of the lookback"
    )
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="time spent measuring each loader (5 rounds)"
    )
    args = parser.parse_args()
    torch.set_num_threads(1)  # a data loader gets one core; the model gets the rest

    values = np.random.default_rng(0).normal(size=(args.rows, FEATURES)).astype(np.float32)
    target, valid = values[:, 1].copy(), np.ones(args.rows, bool)
    windows = make_windows(
        values, target, valid, 0, args.rows, lookback=args.lookback, step=args.step, delay=144
    )
    series = torch.from_numpy(values)

    def reference(rows):
        return torch.stack(
            [series[a - args.lookback + 1 : a + 1 : args.step] for a in windows.anchors[rows]]
        )

    def rnnpipe_loader(rows):
        (batch,), _ = windows.batch(rows, torch.device("cpu"))
        return batch

    assert torch.equal(reference(np.arange(3)), rnnpipe_loader(np.arange(3)))
    # Alternating rounds, median of each: a 2-core machine's speed drifts with whatever else runs.
    rounds = [
        (
            windows_per_second(reference, windows, args.batch_size, args.seconds / 5),
            windows_per_second(rnnpipe_loader, windows, args.batch_size, args.seconds / 5),
        )
        for _ in range(5)
    ]
    ref, ours = (float(np.median(column)) for column in zip(*rounds))
    shape = f"{len(windows.offsets)} x {FEATURES}"
    print(f"windows of {shape}, batch {args.batch_size}, {len(windows):,} windows, 1 thread")
    print(f"reference (per-window loop): {ref:12,.0f} windows/s")
    print(f"rnnpipe (WindowSet.batch):   {ours:12,.0f} windows/s   ratio {ours / ref:.1f}x")

    print("memory after building train/validation/test window sets (RSS, MiB):")
    for rows in (args.rows // 10, args.rows):
        small = values[:rows]
        before = rss_mib()
        sets = [
            make_windows(
                small,
                target[:rows],
                valid[:rows],
                int(rows * a),
                int(rows * b),
                lookback=args.lookback,
                step=args.step,
                delay=144,
            )
            for a, b in ((0, 0.5), (0.5, 0.75), (0.75, 1.0))
        ]
        for window_set in sets:  # touch one batch of each, as training would
            window_set.batch(np.arange(min(args.batch_size, len(window_set))), torch.device("cpu"))
        count = sum(len(s) for s in sets)
        materialised = count * len(windows.offsets) * FEATURES * 4 / 2**20
        print(
            f"  {rows:>9,} rows, {count:>9,} windows: +{rss_mib() - before:7.1f} MiB "
            f"(materialised windows would take {materialised:,.0f} MiB)"
        )
        del sets


if __name__ == "__main__":
    main()
