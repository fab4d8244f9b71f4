"""Forecasts of a many-series model from recent values (`rnnpipe predict --file recent.csv`) and
the model as ONNX (`rnnpipe export`).

The file is a long table (the model's series column, optional when it holds one series, and its
value column, ordered by a time column when it has one), a wide one (an id, then the values), or
for an event-log model the recent events (entity, time: forecasts of each entity's next gaps);
each series' last `lookback` values are its window. Every series gets `horizon` rows: step ahead,
the median forecast and the bounds of each central interval the model was trained for (a model of
bins, window.bins: the most likely bin and every bin's probability).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..core.errors import DataError
from ..core.onnx_export import export_onnx, verify_onnx
from .bins import bin_names
from .events import event_gaps
from .frequency import stamps, steps_after
from .panel import long_series_clocks, read_long_series, read_wide_series
from .panel_windows import calendar_features
from .quantile_model import TrainedQuantileForecaster, quantile_index


def read_recent(path: str | Path, trained: TrainedQuantileForecaster) -> dict[str, np.ndarray]:
    """{series: its values in time order} from a long table holding the model's value column, or
    else a wide table."""
    path = Path(path)
    if trained.gap_unit is not None:  # an event log: each entity's gaps between events
        return event_gaps(path, trained.series_column, "auto", trained.gap_unit)
    try:
        header = pd.read_csv(path, nrows=0).columns
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read as CSV ({exc}).") from None
    if trained.target not in header:
        return read_wide_series(path)
    if trained.series_column in header:
        return read_long_series(path, trained.series_column, trained.target)
    frame = pd.read_csv(path).assign(**{trained.series_column: "series"})
    staged = path.with_name(f".{path.name}.one-series.csv")
    try:
        frame.to_csv(staged, index=False)
        return read_long_series(staged, trained.series_column, trained.target)
    finally:
        staged.unlink(missing_ok=True)


def window_inputs(series: dict[str, np.ndarray], trained: TrainedQuantileForecaster):
    """(windows [n, lookback] in their own units, divisors [n]) of each series' last values;
    DataError naming a series that is too short or not positive under log scaling."""
    lookback = trained.model.config.lookback
    windows, divisors = [], []
    for name, values in series.items():
        if len(values) < lookback:
            raise DataError(
                f"series {name!r} has {len(values)} values; the model reads the last {lookback} "
                "(window.lookback). Give it a longer history."
            )
        window = values[-lookback:]
        if trained.scaling == "log" and not (window > 0).all():
            raise DataError(
                f"series {name!r} has a value <= 0 in its last {lookback}; the model was trained "
                "on log values (window.scaling: log)."
            )
        known = (trained.divisors or {}).get(name)
        divisors.append(known if known is not None else float(window.std()) or 1.0)
        windows.append(window)
    return np.array(windows, dtype=np.float32), np.array(divisors, dtype=np.float32)


class QuantileGraph(nn.Module):
    """(windows in their own units, then the calendar features of the window's and the target
    steps when the model reads them, then each series' divisor under level scaling) -> quantiles
    in the windows' units, or for a model of bins each step's bin probabilities."""

    def __init__(self, trained: TrainedQuantileForecaster):
        super().__init__()
        self.model, self.log = trained.model, trained.scaling == "log"
        self.season = trained.model.config.season
        self.reads_calendar = bool(trained.model.config.calendar)

    def forward(self, windows: torch.Tensor, *rest: torch.Tensor) -> torch.Tensor:
        rest = list(rest)
        calendar = rest.pop(0) if self.reads_calendar else None
        divisors = None if self.log else rest.pop(0)
        scaled = torch.log(windows) if self.log else windows / divisors[:, None]
        level = scaled[:, -self.season :].mean(1, keepdim=True)
        out = self.model(scaled - level, calendar)
        if self.model.config.bins:
            return torch.softmax(out, -1)
        out = out + level[:, :, None]
        return torch.exp(out) if self.log else out * divisors[:, None, None]


def graph_inputs(trained, windows: np.ndarray, divisors: np.ndarray, calendar) -> list:
    """The graph's inputs in its order (QuantileGraph)."""
    inputs = [torch.as_tensor(windows, dtype=torch.float32)]
    if trained.model.config.calendar:
        inputs.append(torch.as_tensor(calendar, dtype=torch.float32))
    if trained.scaling != "log":
        inputs.append(torch.as_tensor(divisors, dtype=torch.float32))
    return inputs


def recent_calendar(path, trained, series: dict) -> np.ndarray | None:
    """[series, lookback + horizon, features]: the calendar of each series' window and of the
    steps it forecasts, from the file's timestamps (None when the model reads no calendar)."""
    config = trained.model.config
    if not config.calendar:
        return None
    clocks = long_series_clocks(path, trained.series_column)
    rows = []
    for name, values in series.items():
        start, step = clocks.get(name, (None, None))
        if step is None:
            raise DataError(
                f"{path}: series {name!r} has no timestamps to continue; the model reads the "
                f"calendar ({', '.join(config.calendar)}) of the steps it forecasts."
            )
        first = len(values) - config.lookback
        times = stamps(steps_after(start, step, first), step, config.lookback + config.horizon)
        rows.append(calendar_features(times, list(config.calendar)))
    return np.stack(rows)


@torch.no_grad()
def panel_forecast_rows(trained: TrainedQuantileForecaster, path: str) -> list[dict]:
    """One row per series and step ahead: series, step, forecast (the median) and the bounds of
    every interval (lower_95, upper_95, ...)."""
    series = read_recent(path, trained)
    windows, divisors = window_inputs(series, trained)
    calendar = recent_calendar(path, trained, series)
    quantiles = QuantileGraph(trained).eval()(*graph_inputs(trained, windows, divisors, calendar))
    if trained.model.config.bins:
        return bin_rows(list(series), quantiles.numpy(), trained.model.config.bins)
    levels = trained.model.config.quantiles
    intervals = sorted({round(1 - 2 * q, 10) for q in levels if q < 0.5}, reverse=True)
    rows = []
    for i, name in enumerate(series):
        for k in range(quantiles.shape[1]):
            row = {
                "series": name,
                "step": k + 1,
                "forecast": float(quantiles[i, k, quantile_index(levels, 0.5)]),
            }
            for coverage in intervals:
                label = f"{coverage * 100:g}"
                low, high = (1 - coverage) / 2, 1 - (1 - coverage) / 2
                row[f"lower_{label}"] = float(quantiles[i, k, quantile_index(levels, low)])
                row[f"upper_{label}"] = float(quantiles[i, k, quantile_index(levels, high)])
            rows.append(row)
    return rows


def bin_rows(names: list[str], proba: np.ndarray, edges) -> list[dict]:
    """One row per series and step ahead: series, step, the most likely bin and each bin's
    probability (p_<bin>)."""
    labels = bin_names(edges)
    return [
        {
            "series": name,
            "step": k + 1,
            "bin": labels[int(proba[i, k].argmax())],
            **{f"p_{label}": round(float(p), 6) for label, p in zip(labels, proba[i, k])},
        }
        for i, name in enumerate(names)
        for k in range(proba.shape[1])
    ]


def export_quantile_forecaster(trained: TrainedQuantileForecaster, folder: Path, seed: int = 0):
    """model.onnx and export.json in `folder`; checked against the PyTorch graph on random
    positive windows."""
    graph = QuantileGraph(trained).eval()
    config = trained.model.config
    rng = np.random.default_rng(seed)
    windows = rng.uniform(50, 150, size=(3, config.lookback))
    steps = config.lookback + config.horizon
    times = pd.date_range("2024-01-01", periods=3 * steps, freq="1h")
    calendar = calendar_features(times, list(config.calendar)).reshape(3, steps, -1)
    values = graph_inputs(trained, windows, rng.uniform(5, 20, size=3), calendar)
    # log scaling needs no divisor, a model without calendar no calendar: no such graph input
    names = (
        ["windows"]
        + ["calendar"] * bool(config.calendar)
        + ["divisors"] * (trained.scaling != "log")
    )
    inputs = dict(zip(names, values))
    output = "probabilities" if config.bins else "quantiles"
    export_onnx(
        graph,
        inputs,
        {"windows": {0: "batch"}, "calendar": {0: "batch"}, "divisors": {0: "batch"}},
        output,
        folder / "model.onnx",
    )
    spec = {
        "kind": "quantile-forecaster",
        "inputs": list(inputs),
        "output": output,
        "bins": bin_names(config.bins) if config.bins else [],
        "lookback": config.lookback,
        "horizon": config.horizon,
        "quantiles": list(config.quantiles),
        "scaling": trained.scaling,
        "calendar": {
            "features": list(config.calendar),
            "shape": "[batch, lookback + horizon, 2 x features]: sine, cosine of each feature's "
            "position on its circle (hour + minute / 60 of 24, weekday of 7, month - 1 of 12) at "
            "every window step, then every target step",
        },
        "divisors": "level scaling: each series' training std (model.json keeps them)",
    }
    (folder / "export.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    return {
        "difference": verify_onnx(folder / "model.onnx", graph, inputs, atol=1e-3),
        "inputs": list(inputs),
    }, 3
