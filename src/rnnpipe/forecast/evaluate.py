"""The forecasting pipeline's evaluate stage: the forecaster on the test period, next to two
baselines.

metrics/eval.json: MAE and RMSE in the target's units for the model, the naive baseline (the value
at the same time of day, window.delay or more steps earlier) and a ridge regression on the flattened
window, all on the same test windows; with a linear member (train.ensemble_linear) also the RNN's
own MAE (`rnn_mae`) and the member's weight. metrics/predictions.csv: truth and the three forecasts
over the first evaluate.plot_points test windows (`dvc plots show`); metrics/horizon.csv and
metrics/origins.csv: the three MAEs at window.delay, the one step a single series forecasts, from
every test window (one row each; a panel has one per step ahead and per backtest origin). Panels
(prepare.layout wide or long) are evaluated by forecast.panel_evaluate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..core.atomic import atomic_path, write_json
from ..core.device import resolve_device
from ..core.errors import DataError
from ..core.metrics import regression_metrics
from ..training.inference import predict
from .baselines import linear_forecast, naive_forecast
from .model import TrainedForecaster
from .panel_evaluate import evaluate_panel
from .prepared import load_prepared, prepared_layout


@torch.no_grad()
def evaluate_forecaster(params: dict) -> None:
    if prepared_layout() != "single":
        return evaluate_panel(params)
    window, settings = params["window"], params["evaluate"]
    device = resolve_device(settings["device"])
    forecaster = TrainedForecaster.load("data/model", device)
    series = load_prepared(
        "data/series.parquet", "data/stats.json", window["target"], window["missing_features"]
    )
    shape = (window["lookback"], window["step"], window["delay"], window["predict_change"])
    trained_on = (forecaster.columns, forecaster.target, forecaster.predict_change)
    if trained_on != (series.columns, window["target"], window["predict_change"]):
        raise DataError(
            "data/model was trained on other columns, another target or another "
            "window.predict_change "
            "than forecast/params.yaml and data/series.parquet now hold; rerun `dvc repro "
            "forecast/dvc.yaml`."
        )
    test = series.windows("test", *shape)
    truth = series.to_units(test.absolute_targets)
    model = forecaster.model
    forecasts = {
        "model": series.to_units(
            test.absolute(predict(model, test, settings["batch_size"], device))
        ),
        "naive": naive_forecast(series, test),
        "linear": series.to_units(
            linear_forecast(
                series.windows("train", *shape),
                test,
                settings["linear_alpha"],
                settings["linear_max_windows"],
                seed=0,
            )
        ),
    }
    scores = {name: regression_metrics(truth, values) for name, values in forecasts.items()}
    mixed = {}
    if model.linear is not None:
        with model.recurrent_only():
            alone = series.to_units(
                test.absolute(predict(model, test, settings["batch_size"], device))
            )
        mixed = {
            "rnn_mae": regression_metrics(truth, alone)["mae"],
            "linear_weight": round(float(model.linear_weight), 4),
        }
    result = {
        "mae": scores["model"]["mae"],
        "rmse": scores["model"]["rmse"],
        **mixed,
        "naive_mae": scores["naive"]["mae"],
        "naive_rmse": scores["naive"]["rmse"],
        "linear_mae": scores["linear"]["mae"],
        "linear_rmse": scores["linear"]["rmse"],
        "mae_vs_naive": round(scores["model"]["mae"] / scores["naive"]["mae"], 4),
        "mae_vs_linear": round(scores["model"]["mae"] / scores["linear"]["mae"], 4),
        "test_windows": len(test),
    }
    write_json("metrics/eval.json", result)
    shown = slice(0, min(settings["plot_points"], len(test)))
    times = series.times[test.anchors[shown] + test.delay]
    with atomic_path("metrics/predictions.csv") as tmp:
        pd.DataFrame(
            {
                "position": np.arange(len(times)),
                "time": times.strftime("%Y-%m-%dT%H:%M"),
                "truth": truth[shown],
                **{name: values[shown] for name, values in forecasts.items()},
            }
        ).to_csv(tmp, index=False, float_format="%.4f")
    for path, key, value in (
        ("metrics/horizon.csv", "step", window["delay"]),
        ("metrics/origins.csv", "origin", 1),
    ):
        with atomic_path(path) as tmp:
            pd.DataFrame(
                {
                    key: [value],
                    "score": ["mae"],
                    **{name: [scores[name]["mae"]] for name in forecasts},
                }
            ).to_csv(tmp, index=False)
    alone = (
        f" (RNN alone {mixed['rnn_mae']:.3f}, ridge weight {mixed['linear_weight']:.2f})"
        if mixed
        else ""
    )
    print(
        f"evaluate: {window['target']} {window['delay']} steps ahead on {len(test)} test windows: "
        "MAE model "
        f"{result['mae']:.3f}{alone}, naive {result['naive_mae']:.3f}, linear "
        f"{result['linear_mae']:.3f} "
        f"(RMSE {result['rmse']:.3f} / {result['naive_rmse']:.3f} / {result['linear_rmse']:.3f})"
    )
    for name in ("linear", "naive"):  # as the text pipeline's evaluate: say so when a baseline wins
        if result["mae"] > result[f"{name}_mae"]:
            print(
                f"evaluate: warning: the model's MAE ({result['mae']:.3f}) is above the {name} "
                "baseline's "
                f"({result[f'{name}_mae']:.3f}) on these test windows."
            )
