"""The evaluate stage for many series: every series' test period forecast once from the end of
its history (training and validation values), scored as the M4 competition scores, beside the
M4 benchmarks on the same series and horizon.

metrics/eval.json: sMAPE, MASE (window.season) and OWA relative to Naive2 for the model's median
and for the naive, seasonal naive, Naive2 and (evaluate.statistical) Theta forecasts
(forecast.classical); for each central interval (window.intervals) its coverage on the test values,
MSIS at that level and ACD, for the model and for Theta's own intervals; MAE and RMSE over all
test values in the series' own units.
metrics/horizon.csv: sMAPE per horizon step for the model and the baselines; metrics/origins.csv:
with evaluate.origins > 1 (a backtest: every series forecast from several origins in its test
period, the model not refitted; eval.json then averages over series and origins) the OWA of each
origin. metrics/
predictions.csv: the test periods of the first series (evaluate.plot_points steps), the truth, the
median, the interval bounds and the seasonal naive (`dvc plots show`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..core.atomic import atomic_path, write_json
from ..core.device import resolve_device
from ..core.errors import DataError
from ..core.metrics import classification_metrics, probabilities
from ..training.inference import predict
from . import accuracy, classical
from .bins import baseline_probabilities, bin_labels, bin_names
from .panel_windows import load_splits, series_of, training_values, unscale
from .quantile_model import TrainedQuantileForecaster, quantile_index

BASELINES = {
    "naive": lambda history, horizon, season: classical.naive(history, horizon),
    "seasonal_naive": classical.seasonal_naive,
    "naive2": classical.naive2,
}


@torch.no_grad()
def evaluate_panel(params: dict) -> None:
    window, settings = params["window"], params["evaluate"]
    device = resolve_device(settings["device"])
    forecaster = TrainedQuantileForecaster.load("data/model", device)
    windows, panel, divisors, scaling = load_splits(params, ("test",))
    test = windows["test"]
    config = forecaster.model.config
    calendar = tuple(window["calendar"]) if test.calendar is not None else ()
    shape = (
        window["lookback"],
        window["horizon"],
        window["season"],
        scaling,
        calendar,
        tuple(window["bins"]),
    )
    trained = (
        config.lookback,
        config.horizon,
        config.season,
        forecaster.scaling,
        config.calendar,
        config.bins,
    )
    if trained != shape:
        raise DataError(
            "data/model was trained with another window.lookback, horizon, season, scaling, "
            "calendar or bins "
            "than forecast/params.yaml and data/series.parquet now hold; rerun `dvc repro "
            "forecast/dvc.yaml`."
        )
    outputs = predict(forecaster.model, test, settings["batch_size"], device)
    if config.bins:
        evaluate_binned(panel, test, probabilities(outputs), config.bins, settings["plot_points"])
        return
    outputs = outputs.numpy()
    quantiles = unscale(outputs.astype(np.float64), test.levels(), divisors, scaling)
    horizon, season = window["horizon"], window["season"]
    owners = series_of(panel, test.origins)
    # The baselines and MASE's scale read whole histories: gaps prepare left are interpolated
    # for them (the model's windows never hold one).
    histories = [gapless(panel.values[panel.starts[i] : o]) for i, o in zip(owners, test.origins)]
    actuals = [panel.values[o : o + horizon] for o in test.origins]
    origin_number = (test.origins - panel.test_starts[owners]) // horizon + 1
    median = quantiles[..., quantile_index(config.quantiles, 0.5)]
    forecasts, bounds = baseline_forecasts(
        histories, horizon, season, window["intervals"], settings["statistical"]
    )
    forecasts = {"model": list(median), **forecasts}
    model_bounds = {
        coverage: (
            quantiles[..., quantile_index(config.quantiles, (1 - coverage) / 2)],
            quantiles[..., quantile_index(config.quantiles, 1 - (1 - coverage) / 2)],
        )
        for coverage in window["intervals"]
    }
    bounds = {"model": model_bounds, **bounds}
    result, by_step = panel_scores(histories, actuals, forecasts, season)
    truth = np.concatenate(actuals)
    result["mae"] = round(float(np.abs(median.ravel() - truth).mean()), 6)
    result["rmse"] = round(float(np.sqrt(((median.ravel() - truth) ** 2).mean())), 6)
    for name, by_coverage in bounds.items():
        prefix = "" if name == "model" else f"{name}_"
        for coverage, (lower, upper) in by_coverage.items():
            result.update(
                interval_scores(histories, actuals, lower, upper, coverage, season, prefix)
            )
    result["series"], result["horizon"] = len(panel.names), horizon
    result["test_windows"] = len(test)
    result["origins"] = int(origin_number.max())
    per_origin = origin_scores(histories, actuals, forecasts, origin_number, season)
    write_json("metrics/eval.json", result)
    with atomic_path("metrics/horizon.csv") as tmp:
        by_step.to_csv(tmp, index=False, float_format="%.4f")
    with atomic_path("metrics/origins.csv") as tmp:
        pd.DataFrame(per_origin).to_csv(tmp, index=False, float_format="%.4f")
    write_band_plot(
        panel,
        owners,
        test.origins,
        actuals,
        quantiles,
        config.quantiles,
        forecasts,
        settings["plot_points"],
    )
    intervals = ", ".join(
        f"{c:.0%} interval coverage {result[f'coverage_{c * 100:g}']:.3f} "
        f"MSIS {result[f'msis_{c * 100:g}']:.3f}"
        for c in window["intervals"]
    )
    print(
        f"evaluate: {len(panel.names)} series, {horizon} steps: model sMAPE {result['smape']:.3f} "
        f"MASE {result['mase']:.3f} OWA {result['owa']:.3f}; OWA of "
        + ", ".join(
            f"{name.replace('_', ' ')} {result[f'{name}_owa']:.3f}"
            for name in forecasts
            if name not in ("model", "naive2")
        )
        + (f"; {intervals}" if intervals else "")
    )
    for name in [n for n in forecasts if n != "model"]:
        if result["owa"] > result[f"{name}_owa"]:
            print(
                f"evaluate: warning: the model's OWA ({result['owa']:.3f}) is above the "
                f"{name.replace('_', ' ')} baseline's ({result[f'{name}_owa']:.3f})."
            )


def baseline_forecasts(histories, horizon: int, season: int, intervals, statistical: str):
    """({baseline: a forecast per window}, {theta: {coverage: (lower, upper)}}) of the M4
    benchmarks and, with `statistical` theta, the Theta method with its intervals."""
    forecasts = {
        name: [method(history, horizon, season) for history in histories]
        for name, method in BASELINES.items()
    }
    bounds = {}
    if statistical == "theta":
        fits = [classical.theta(history, horizon, season, intervals) for history in histories]
        forecasts["theta"] = [forecast for forecast, _ in fits]
        bounds["theta"] = {
            coverage: tuple(np.array([fit[1][coverage][side] for fit in fits]) for side in (0, 1))
            for coverage in intervals
        }
    return forecasts, bounds


def origin_scores(histories, actuals, forecasts: dict, origin_number, season: int) -> list:
    """One row per backtest origin: every forecast's OWA over the series forecast from it (an
    origin no series could be forecast from, its windows all reading a gap, has no row)."""
    rows = []
    for k in np.unique(origin_number):
        chosen = np.flatnonzero(origin_number == k)
        scores, _ = panel_scores(
            [histories[j] for j in chosen],
            [actuals[j] for j in chosen],
            {name: [values[j] for j in chosen] for name, values in forecasts.items()},
            season,
        )
        owa = {name: scores[("" if name == "model" else f"{name}_") + "owa"] for name in forecasts}
        rows.append({"origin": int(k), "score": "owa", **owa})
    return rows


def gapless(values: np.ndarray) -> np.ndarray:
    """`values` with missing ones linearly interpolated (ends: the nearest value)."""
    missing = np.isnan(values)
    if not missing.any():
        return values
    known = np.flatnonzero(~missing)
    filled = values.copy()
    filled[missing] = np.interp(np.flatnonzero(missing), known, values[known])
    return filled


def interval_scores(histories, actuals, lower, upper, coverage: float, season: int, prefix: str):
    """coverage_<level>, msis_<level> and acd_<level> (prefixed) of one interval over every
    window."""
    label = f"{coverage * 100:g}"
    covered = float(
        np.mean([accuracy.coverage(a, lo, up) for a, lo, up in zip(actuals, lower, upper)])
    )
    msis = np.mean(
        [
            accuracy.msis(a, lo, up, accuracy.seasonal_scale(h, season), 1 - coverage)
            for h, a, lo, up in zip(histories, actuals, lower, upper)
        ]
    )
    return {
        f"{prefix}coverage_{label}": round(covered, 6),
        f"{prefix}msis_{label}": round(float(msis), 6),
        f"{prefix}acd_{label}": round(abs(covered - coverage), 6),
    }


def panel_scores(histories, actuals, forecasts: dict, season: int):
    """(sMAPE, MASE and OWA of each forecast: the model's keys bare, the baselines' prefixed;
    sMAPE per horizon step as a table)."""
    pairs = list(zip(histories, actuals))
    means = {
        name: accuracy.mean_scores(pairs, values, season) for name, values in forecasts.items()
    }
    naive2 = means["naive2"]
    result = {}
    for name, (smape, mase) in means.items():
        prefix = "" if name == "model" else f"{name}_"
        result[f"{prefix}smape"] = round(smape, 6)
        result[f"{prefix}mase"] = round(mase, 6)
        result[f"{prefix}owa"] = round(accuracy.owa(smape, mase, *naive2), 6)
    steps = {"step": np.arange(1, len(actuals[0]) + 1), "score": "smape"}
    for name, values in forecasts.items():
        per_step = [
            [accuracy.smape(a[k : k + 1], f[k : k + 1]) for k in range(len(a))]
            for a, f in zip(actuals, values)
        ]
        steps[name] = np.mean(per_step, axis=0)
    return result, pd.DataFrame(steps)


def write_band_plot(
    panel, owners, origins, actuals, quantiles, levels, forecasts, points: int
) -> None:
    """metrics/predictions.csv: the first test windows' forecasts one after another, up to
    `points` steps: series, step (in the series), a running position, truth, median, the widest
    interval's bounds, seasonal naive."""
    rows = []
    lower, upper = quantile_index(levels, min(levels)), quantile_index(levels, max(levels))
    for i, (owner, origin) in enumerate(zip(owners, origins)):
        name = panel.names[owner]
        for k, value in enumerate(actuals[i]):
            if len(rows) >= points:
                break
            rows.append(
                {
                    "position": len(rows),
                    "series": name,
                    "step": int(origin - panel.starts[owner] + k),
                    "truth": value,
                    "model": forecasts["model"][i][k],
                    "lower": quantiles[i, k, lower],
                    "upper": quantiles[i, k, upper],
                    "seasonal_naive": forecasts["seasonal_naive"][i][k],
                }
            )
    with atomic_path("metrics/predictions.csv") as tmp:
        pd.DataFrame(rows).to_csv(tmp, index=False, float_format="%.4f")


def evaluate_binned(panel, test, proba: np.ndarray, edges, points: int) -> None:
    """The evaluate stage of a model of bins (window.bins): `proba` [windows, horizon, bins].

    metrics/eval.json: accuracy, macro F1 and log loss over every test step for the model and
    each baseline of forecast.bins (the naive one's log loss left out: it gives its one bin all
    of the probability), and each bin's share of the test steps; metrics/horizon.csv and
    metrics/origins.csv: accuracy per step ahead and per forecast origin; metrics/predictions.csv:
    the first test windows' true and most likely bins (indices into eval.json's `bins`)."""
    horizon = proba.shape[1]
    owners = series_of(panel, test.origins)
    truth = np.stack([bin_labels(panel.values[o : o + horizon], edges) for o in test.origins])
    histories = [panel.values[panel.starts[i] : o] for i, o in zip(owners, test.origins)]
    training = bin_labels(training_values(panel), edges)
    forecasts = {
        "model": proba,
        **baseline_probabilities(histories, horizon, edges, training),
    }
    bins = len(edges) + 1
    result = {}
    for name, values in forecasts.items():
        scores = classification_metrics(truth.ravel(), values.reshape(-1, bins))
        prefix = "" if name == "model" else f"{name}_"
        keep = ("accuracy", "f1_macro") + (() if name == "naive" else ("log_loss",))
        result.update({f"{prefix}{key}": scores[key] for key in keep})
    names = bin_names(edges)
    shares = np.bincount(truth.ravel(), minlength=bins) / truth.size
    result["bins"] = " | ".join(names)  # share_<k> is the k-th's share of the test steps
    result.update({f"share_{k}": round(float(s), 6) for k, s in enumerate(shares)})
    origin_number = (test.origins - panel.test_starts[owners]) // horizon + 1
    result.update(series=len(panel.names), horizon=horizon, test_windows=len(test))
    result["origins"] = int(origin_number.max())
    write_json("metrics/eval.json", result)
    hits = {name: values.argmax(-1) == truth for name, values in forecasts.items()}
    steps = {"step": np.arange(1, horizon + 1), "score": "accuracy"}
    steps.update({name: hit.mean(0) for name, hit in hits.items()})
    per_origin = [
        {
            "origin": int(k),
            "score": "accuracy",
            **{name: float(hit[origin_number == k].mean()) for name, hit in hits.items()},
        }
        for k in np.unique(origin_number)
    ]
    with atomic_path("metrics/horizon.csv") as tmp:
        pd.DataFrame(steps).to_csv(tmp, index=False, float_format="%.4f")
    with atomic_path("metrics/origins.csv") as tmp:
        pd.DataFrame(per_origin).to_csv(tmp, index=False, float_format="%.4f")
    rows = [
        {
            "position": i * horizon + k,
            "series": panel.names[owner],
            "step": int(origin - panel.starts[owner] + k),
            "truth": int(truth[i, k]),
            "model": int(proba[i, k].argmax()),
            "naive": int(forecasts["naive"][i, k].argmax()),
        }
        for i, (owner, origin) in enumerate(zip(owners, test.origins))
        for k in range(horizon)
    ][:points]
    with atomic_path("metrics/predictions.csv") as tmp:
        pd.DataFrame(rows).to_csv(tmp, index=False)
    print(
        f"evaluate: {len(panel.names)} series, {horizon} steps, bins {', '.join(names)}: model "
        f"accuracy {result['accuracy']:.3f} macro F1 {result['f1_macro']:.3f} log loss "
        f"{result['log_loss']:.3f}; accuracy of "
        + ", ".join(
            f"{name.replace('_', ' ')} {result[f'{name}_accuracy']:.3f}"
            for name in forecasts
            if name != "model"
        )
    )
    for name in [n for n in forecasts if n != "model"]:
        if result["accuracy"] < result[f"{name}_accuracy"]:
            print(
                f"evaluate: warning: the model's accuracy ({result['accuracy']:.3f}) is below the "
                f"{name.replace('_', ' ')} baseline's ({result[f'{name}_accuracy']:.3f})."
            )
