"""Forecasts of a many-series model from recent values (`rnnpipe predict --file recent.csv`) and
the model as ONNX (`rnnpipe export`).

The file is a long table (the model's series column, optional when it holds one series, and its
value column, ordered by a time column when it has one), a wide one (an id, then the values), or
for an event-log model the recent events (entity, time: forecasts of each entity's next gaps);
each series' last `lookback` values are its window. Every series gets `horizon` rows: step ahead,
the median forecast and the bounds of each central interval the model was trained for.
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
from .events import event_gaps
from .panel import read_long_series, read_wide_series
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
    """Windows in their own units (and each series' divisor) -> quantiles in the same units."""

    def __init__(self, trained: TrainedQuantileForecaster):
        super().__init__()
        self.model, self.log = trained.model, trained.scaling == "log"
        self.season = trained.model.config.season

    def forward(self, windows: torch.Tensor, divisors: torch.Tensor | None = None) -> torch.Tensor:
        scaled = torch.log(windows) if self.log else windows / divisors[:, None]
        level = scaled[:, -self.season :].mean(1, keepdim=True)
        out = self.model(scaled - level) + level[:, :, None]
        return torch.exp(out) if self.log else out * divisors[:, None, None]


@torch.no_grad()
def panel_forecast_rows(trained: TrainedQuantileForecaster, path: str) -> list[dict]:
    """One row per series and step ahead: series, step, forecast (the median) and the bounds of
    every interval (lower_95, upper_95, ...)."""
    series = read_recent(path, trained)
    windows, divisors = window_inputs(series, trained)
    quantiles = QuantileGraph(trained).eval()(torch.from_numpy(windows), torch.from_numpy(divisors))
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


def export_quantile_forecaster(trained: TrainedQuantileForecaster, folder: Path, seed: int = 0):
    """model.onnx and export.json in `folder`; checked against the PyTorch graph on random
    positive windows."""
    graph = QuantileGraph(trained).eval()
    config = trained.model.config
    rng = np.random.default_rng(seed)
    inputs = {
        "windows": torch.as_tensor(
            rng.uniform(50, 150, size=(3, config.lookback)), dtype=torch.float32
        ),
    }
    if trained.scaling == "level":  # log scaling needs no divisor: the graph has no such input
        inputs["divisors"] = torch.as_tensor(rng.uniform(5, 20, size=3), dtype=torch.float32)
    export_onnx(
        graph,
        inputs,
        {"windows": {0: "batch"}, "divisors": {0: "batch"}},
        "quantiles",
        folder / "model.onnx",
    )
    spec = {
        "kind": "quantile-forecaster",
        "inputs": list(inputs),
        "output": "quantiles",
        "lookback": config.lookback,
        "horizon": config.horizon,
        "quantiles": list(config.quantiles),
        "scaling": trained.scaling,
        "divisors": "level scaling: each series' training std (model.json keeps them)",
    }
    (folder / "export.json").write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")
    return {
        "difference": verify_onnx(folder / "model.onnx", graph, inputs, atol=1e-3),
        "inputs": list(inputs),
    }, 3
