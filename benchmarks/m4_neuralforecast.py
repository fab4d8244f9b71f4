"""An anchor a forecaster would pick instead of rnnpipe, on the same M4 Hourly split:
neuralforecast's NHITS and LSTM, CPU, their documented defaults, scored exactly as the pipeline
scores (rnnpipe.forecast.accuracy).

    python -m venv /tmp/nfenv && /tmp/nfenv/bin/pip install -c constraints.txt torch pandas \\
        && /tmp/nfenv/bin/pip install neuralforecast        # an optional dependency, not rnnpipe's
    PYTHONPATH=src /tmp/nfenv/bin/python benchmarks/m4_neuralforecast.py

Each model is fitted on the 414 training series (`Hourly-train.csv`) with horizon 48 and an input
of 168 steps (the week rnnpipe's recipe reads); everything else is the library's default (NHITS:
1,000 steps of batches of 32 series, Adam 1e-3, MAE loss, no scaling), then with the robust
scaler Nixtla's own examples use, and with its quantile loss (MQLoss, 95%) for intervals;
`--lstm` adds its LSTM (robust scaler). The test values (`Hourly-test.csv`) are read once, to
score. Two threads, as rnnpipe's stages.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from rnnpipe.forecast import accuracy, classical
from rnnpipe.forecast.panel import read_wide_split

ROOT = Path(__file__).resolve().parents[1]
HORIZON, SEASON, INPUT = 48, 24, 168


def long_frame(panel) -> pd.DataFrame:
    return pd.concat(
        pd.DataFrame({"unique_id": name, "ds": np.arange(len(history)), "y": history})
        for name, history, _ in panel
    )


def main() -> None:
    from neuralforecast import NeuralForecast
    from neuralforecast.losses.pytorch import MQLoss
    from neuralforecast.models import LSTM, NHITS

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/datasets/m4_hourly")
    parser.add_argument("--seed", type=int, default=1, help="the models' random_seed (default 1)")
    parser.add_argument("--lstm", action="store_true", help="also neuralforecast's LSTM (slow)")
    parser.add_argument(
        "--max-steps", type=int, default=1000, help="training steps (1000: the library's default)"
    )
    args = parser.parse_args()
    torch.set_num_threads(2)
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning").setLevel(logging.ERROR)
    panel = read_wide_split(args.data / "Hourly-train.csv", args.data / "Hourly-test.csv")
    pairs = [(history, actual) for _, history, actual in panel]
    naive2 = accuracy.mean_scores(
        pairs, [classical.naive2(h, HORIZON, SEASON) for h, _ in pairs], SEASON
    )
    quiet = {
        "enable_progress_bar": False,
        "logger": False,
        "accelerator": "cpu",
        "enable_model_summary": False,
        "max_steps": args.max_steps,
    }
    runs = {
        "NHITS (defaults)": NHITS(h=HORIZON, input_size=INPUT, random_seed=args.seed, **quiet),
        "NHITS (robust scaler)": NHITS(
            h=HORIZON, input_size=INPUT, scaler_type="robust", random_seed=args.seed, **quiet
        ),
        "NHITS (robust, MQLoss)": NHITS(
            h=HORIZON,
            input_size=INPUT,
            scaler_type="robust",
            loss=MQLoss(level=[95]),
            random_seed=args.seed,
            **quiet,
        ),
    }
    if args.lstm:
        runs["LSTM (robust scaler)"] = LSTM(
            h=HORIZON, input_size=INPUT, scaler_type="robust", random_seed=args.seed, **quiet
        )
    frame = long_frame(panel)
    print(f"M4 Hourly: {len(panel)} series, horizon {HORIZON}; neuralforecast, 2 threads")
    print(f"{'model':22} {'sMAPE':>8} {'MASE':>7} {'OWA':>7} {'MSIS':>8} {'seconds':>8}")
    for name, model in runs.items():
        started = time.perf_counter()
        forecaster = NeuralForecast(models=[model], freq=1)
        forecaster.fit(df=frame)
        predicted = forecaster.predict()
        seconds = time.perf_counter() - started
        columns = [c for c in predicted.columns if c not in ("unique_id", "ds")]
        point = next(c for c in columns if "median" in c or c in ("NHITS", "LSTM"))
        by_series = dict(tuple(predicted.groupby("unique_id")))
        forecasts = [by_series[series][point].to_numpy() for series, _, _ in panel]
        smape, mase = accuracy.mean_scores(pairs, forecasts, SEASON)
        msis = float("nan")
        lower = [c for c in columns if c.endswith("-lo-95")]
        upper = [c for c in columns if c.endswith("-hi-95")]
        if lower and upper:
            msis = np.mean(
                [
                    accuracy.msis(
                        actual,
                        by_series[series][lower[0]].to_numpy(),
                        by_series[series][upper[0]].to_numpy(),
                        accuracy.seasonal_scale(history, SEASON),
                    )
                    for series, history, actual in panel
                ]
            )
        owa = accuracy.owa(smape, mase, *naive2)
        print(
            f"{name:22} {smape:8.3f} {mase:7.3f} {owa:7.3f} {msis:8.3f} {seconds:8.0f}", flush=True
        )


if __name__ == "__main__":
    main()
