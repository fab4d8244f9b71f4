"""A prepared series loaded for modelling: standardised features and target, split bounds, windows.

The prepare stage writes raw values (data/series.parquet) and training-period statistics
(data/stats.json); here features are standardised with those statistics and windows are cut per
split.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..core.errors import DataError
from .frequency import Step, naive_offset, parse_step
from .windows import WindowSet, make_windows

SPLITS = ("train", "validation", "test")


@dataclass
class PreparedSeries:
    """A prepared series with standardised features and target, ready to be cut into windows."""

    times: pd.DatetimeIndex
    values: np.ndarray  # [rows, features] standardised, float32, 0 where invalid
    target: np.ndarray  # [rows] standardised target, float32
    raw_target: np.ndarray  # [rows] target in its own units (NaN where invalid)
    valid: np.ndarray  # [rows] bool
    bounds: dict[str, tuple[int, int]]
    columns: list[str]
    target_name: str
    mean: float  # target's training-period mean and standard deviation
    std: float
    frequency: Step  # a fixed or calendar step (forecast.frequency)

    def windows(
        self, split: str, lookback: int, step: int, delay: int, predict_change: bool = False
    ) -> WindowSet:
        """Windows of one split; with `predict_change`, targets are changes from the naive
        forecast."""
        start, stop = self.bounds[split]
        offset = naive_offset(self.frequency, delay)
        return make_windows(
            self.values,
            self.target,
            self.valid,
            start,
            stop,
            lookback=lookback,
            step=step,
            delay=delay,
            reach_back=offset - delay,
            base_offset=offset if predict_change else 0,
            split=split,
        )

    def to_units(self, standardised: np.ndarray | torch.Tensor) -> np.ndarray:
        """Standardised target values -> the target's own units."""
        return np.asarray(standardised, dtype=np.float64) * self.std + self.mean


def load_prepared(
    series_path: str | Path, stats_path: str | Path, target: str, missing_features: str = "impute"
) -> PreparedSeries:
    """The prepared series on disk (the prepare stage's outputs), loaded for `target`."""
    frame = pd.read_parquet(series_path)
    stats = json.loads(Path(stats_path).read_text(encoding="utf-8"))
    return prepared_series(frame, stats, target, missing_features, str(series_path))


def prepared_series(
    frame: pd.DataFrame, stats: dict, target: str, missing_features: str, source: str
) -> PreparedSeries:
    """The series for forecasting `target`, features standardised (a missing one: 0, its
    training mean), the rows windows may read by `missing_features` (window_rows). The prepare
    stage builds it too, so that every refusal here comes before train runs."""
    columns = stats["columns"]
    if target not in columns:
        lowered = {c.lower(): c for c in columns}
        close = difflib.get_close_matches(target.lower(), list(lowered), n=1, cutoff=0.6)
        raise DataError(
            f"window.target '{target}' is not a column of {source}"
            f"{f' (did you mean {lowered[close[0]]!r}?)' if close else ''}; columns: {columns}."
        )
    mean = np.array([stats["mean"][c] for c in columns], dtype=np.float64)
    std = np.array([stats["std"][c] for c in columns], dtype=np.float64)
    raw = frame[columns].to_numpy(dtype=np.float64)
    times = pd.DatetimeIndex(frame["time"])
    with np.errstate(all="ignore"):
        standard = ((raw - mean) / std).astype(np.float32)
    check_finite(raw, standard, ~np.isfinite(mean) | ~np.isfinite(std), columns, times, source)
    values = np.nan_to_num(standard, nan=0.0)
    k = columns.index(target)
    split = frame["split"].to_numpy()
    bounds = {}
    for name in SPLITS:
        rows = np.flatnonzero(split == name)
        bounds[name] = (int(rows[0]), int(rows[-1]) + 1) if len(rows) else (0, 0)
    present = raw[bounds["train"][0] : bounds["train"][1], k]
    present = present[np.isfinite(present)]
    if len(present) == 0 or np.ptp(present) == 0:
        level = f"always {present[0]:g}" if len(present) else "no value at all"
        raise DataError(
            f"window.target '{target}' is constant over the training period ({level}): there is "
            "nothing to forecast, and every error ratio would divide by zero. Choose another "
            "window.target."
        )
    valid = window_rows(frame["valid"].to_numpy(dtype=bool), raw[:, k], missing_features)
    return PreparedSeries(
        times,
        values,
        values[:, k].copy(),
        raw[:, k],
        valid,
        bounds,
        columns,
        target,
        float(mean[k]),
        float(std[k]),
        parse_step(stats["frequency"]),
    )


def check_finite(
    raw: np.ndarray,
    standard: np.ndarray,
    overflowed: np.ndarray,
    columns: list[str],
    times: pd.DatetimeIndex,
    source: str,
) -> None:
    """Refuse a value that is infinite, or whose standardised float32 value is (1e300: it
    overflows the training statistics or float32), naming its column and time; a NaN is a
    missing value, which prepare's filling and window_rows handle. `overflowed`: the columns
    whose training mean or standard deviation is not finite."""
    bad = (~np.isfinite(standard) | overflowed) & ~np.isnan(raw)
    if not bad.any():
        return
    column = int(np.flatnonzero(bad.any(axis=0))[0])
    magnitude = np.nan_to_num(np.abs(raw[:, column]), nan=0.0, posinf=np.inf)
    row = int(np.argmax(magnitude))
    raise DataError(
        f"{source}: column '{columns[column]}' holds {raw[row, column]:g} at {times[row]} (row "
        f"{row + 1} of the prepared series), too large to standardise in float32 (the training "
        "statistics or the scaled value overflow). Remove or correct that reading, or list it as "
        "missing in prepare.na_values."
    )


def window_rows(complete: np.ndarray, target: np.ndarray, missing_features: str) -> np.ndarray:
    """Rows a window may read (training, evaluation and forecasts from readings alike): with
    `impute` every row whose target is present (a missing feature reads as its training mean),
    with `drop` only the rows where every column is present (`complete`)."""
    return (
        np.asarray(complete, dtype=bool)
        if missing_features == "drop"
        else ~np.isnan(np.asarray(target, float))
    )


def prepared_layout(stats_path: str | Path = "data/stats.json") -> str:
    """The layout prepare wrote (single, wide or long: data/stats.json says; files from before
    panels existed are single)."""
    path = Path(stats_path)
    if not path.is_file():
        return "single"  # the single layout's loader then names what is missing
    return json.loads(path.read_text(encoding="utf-8")).get("layout", "single")
