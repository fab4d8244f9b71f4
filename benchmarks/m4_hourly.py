"""M4 Hourly (414 series, horizon 48, season 24): forecasts scored as the competition scores them,
beside its published figures, so that each row checks the metrics code or places a method.

    python benchmarks/m4_hourly.py                       # the M4 benchmarks: Naive, sNaive, Naive2
    python benchmarks/m4_hourly.py --data ../shared/datasets/m4_hourly

Prints per method the mean sMAPE and MASE over the 414 series and the OWA relative to Naive2
(computed here), then the published rows of the M4 'Evaluation and Ranks' file for Hourly.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rnnpipe.forecast import accuracy, classical
from rnnpipe.forecast.panel import read_wide_split

ROOT = Path(__file__).resolve().parents[1]
HORIZON, SEASON = 48, 24
# M4 "Evaluation and Ranks", Hourly: sMAPE, MASE, OWA (as quoted in issue 31)
PUBLISHED = {
    "Naive2 (M4 benchmark)": (18.383, 2.395, 1.000),
    "seasonal Naive (M4 benchmark)": (13.912, 1.193, 0.627),
    "RNN (M4 organisers' benchmark)": (14.698, 3.048, 1.036),
    "ES-RNN, Smyl (the winner)": (9.328, 0.893, 0.440),
    "best Hourly entry": (8.913, 0.801, 0.410),
}
METHODS = {
    "Naive": lambda history: classical.naive(history, HORIZON),
    "seasonal Naive": lambda history: classical.seasonal_naive(history, HORIZON, SEASON),
    "Naive2": lambda history: classical.naive2(history, HORIZON, SEASON),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/datasets/m4_hourly")
    args = parser.parse_args()
    panel = read_wide_split(args.data / "Hourly-train.csv", args.data / "Hourly-test.csv")
    pairs = [(history, actual) for _, history, actual in panel]
    scores = {}
    for name, method in METHODS.items():
        started = time.perf_counter()
        forecasts = [method(history) for history, _ in pairs]
        smape, mase = accuracy.mean_scores(pairs, forecasts, SEASON)
        scores[name] = (smape, mase, time.perf_counter() - started)
    naive2 = scores["Naive2"]
    print(f"M4 Hourly: {len(panel)} series, horizon {HORIZON}, season {SEASON}")
    print(f"{'method':34} {'sMAPE':>8} {'MASE':>7} {'OWA':>7} {'seconds':>8}")
    for name, (smape, mase, seconds) in scores.items():
        owa = accuracy.owa(smape, mase, naive2[0], naive2[1])
        print(f"{name:34} {smape:8.3f} {mase:7.3f} {owa:7.3f} {seconds:8.1f}")
    print("published (M4 Evaluation and Ranks, Hourly):")
    for name, (smape, mase, owa) in PUBLISHED.items():
        print(f"{name:34} {smape:8.3f} {mase:7.3f} {owa:7.3f}")


if __name__ == "__main__":
    main()
