"""Forecasting on a prepared series: load it as windows, baselines, metrics, and the model folder.

The prepare stage writes raw values (data/series.parquet) and training-period statistics
(data/stats.json); here features are standardised with those statistics and windows are cut per
split. Baselines, on exactly the windows the model is scored on:
- naive: the target's value at the same time of day, `delay` or more steps before the predicted
  time (for a 24 h delay: the last value in the window, "tomorrow = today");
- linear: ridge regression on the flattened window (scikit-learn), fitted on training windows.
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from sklearn.linear_model import Ridge

from .atomic import sha256_of_file
from .errors import DataError, ModelFileError
from .models import ForecasterConfig, RNNForecaster
from .windows import WindowSet, make_windows

FORMAT = "rnnpipe-forecaster-1"
SPLITS = ("train", "validation", "test")


def naive_offset(frequency: pd.Timedelta, delay: int) -> int:
    """Rows back from the predicted time to "the same time of day, at least `delay` rows earlier"."""
    per_day = pd.Timedelta(days=1) / frequency
    period = int(per_day) if per_day >= 1 and float(per_day).is_integer() else 1
    return math.ceil(delay / period) * period


@dataclass
class PreparedSeries:
    """A prepared series with standardised features and target, ready to be cut into windows."""

    times: pd.DatetimeIndex
    values: np.ndarray        # [rows, features] standardised, float32, 0 where invalid
    target: np.ndarray        # [rows] standardised target, float32
    raw_target: np.ndarray    # [rows] target in its own units (NaN where invalid)
    valid: np.ndarray         # [rows] bool
    bounds: dict[str, tuple[int, int]]
    columns: list[str]
    target_name: str
    mean: float               # target's training-period mean and standard deviation
    std: float
    frequency: pd.Timedelta

    def windows(self, split: str, lookback: int, step: int, delay: int, predict_change: bool = False) -> WindowSet:
        """Windows of one split; with `predict_change`, targets are changes from the naive forecast."""
        start, stop = self.bounds[split]
        offset = naive_offset(self.frequency, delay)
        return make_windows(self.values, self.target, self.valid, start, stop, lookback=lookback, step=step,
                            delay=delay, reach_back=offset - delay, base_offset=offset if predict_change else 0,
                            split=split)

    def to_units(self, standardised: np.ndarray | torch.Tensor) -> np.ndarray:
        """Standardised target values -> the target's own units."""
        return np.asarray(standardised, dtype=np.float64) * self.std + self.mean


def load_prepared(series_path: str | Path, stats_path: str | Path, target: str) -> PreparedSeries:
    frame = pd.read_parquet(series_path)
    stats = json.loads(Path(stats_path).read_text(encoding="utf-8"))
    columns = stats["columns"]
    if target not in columns:
        lowered = {c.lower(): c for c in columns}
        close = difflib.get_close_matches(target.lower(), list(lowered), n=1, cutoff=0.6)
        raise DataError(f"window.target '{target}' is not a column of {series_path}"
                        f"{f' (did you mean {lowered[close[0]]!r}?)' if close else ''}; columns: {columns}.")
    mean = np.array([stats["mean"][c] for c in columns], dtype=np.float64)
    std = np.array([stats["std"][c] for c in columns], dtype=np.float64)
    raw = frame[columns].to_numpy(dtype=np.float64)
    values = np.nan_to_num((raw - mean) / std, nan=0.0).astype(np.float32)
    k = columns.index(target)
    split = frame["split"].to_numpy()
    bounds = {}
    for name in SPLITS:
        rows = np.flatnonzero(split == name)
        bounds[name] = (int(rows[0]), int(rows[-1]) + 1) if len(rows) else (0, 0)
    return PreparedSeries(pd.DatetimeIndex(frame["time"]), values, values[:, k].copy(), raw[:, k],
                          frame["valid"].to_numpy(dtype=bool), bounds, columns, target, float(mean[k]), float(std[k]),
                          pd.Timedelta(stats["frequency"]))


def naive_forecast(series: PreparedSeries, windows: WindowSet) -> np.ndarray:
    """The naive baseline's predictions (target units) for each window."""
    return series.raw_target[windows.anchors + windows.delay - naive_offset(series.frequency, windows.delay)]


def linear_forecast(train: WindowSet, test: WindowSet, alpha: float, max_windows: int, seed: int,
                    batch_size: int = 4096) -> np.ndarray:
    """Ridge regression on flattened windows predicting the target's value (standardised units), fitted on
    <= max_windows training windows."""
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(train), size=min(max_windows, len(train)), replace=False))
    model = Ridge(alpha=alpha).fit(train.flat(rows), train.absolute_targets.numpy()[rows])
    return np.concatenate([model.predict(test.flat(np.arange(i, min(i + batch_size, len(test)))))
                           for i in range(0, len(test), batch_size)])


def regression_metrics(truth: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    error = np.asarray(predicted, dtype=np.float64) - np.asarray(truth, dtype=np.float64)
    return {"mae": round(float(np.abs(error).mean()), 6), "rmse": round(float(np.sqrt((error ** 2).mean())), 6)}


@dataclass
class TrainedForecaster:
    """A forecaster with everything needed to use it: window shape, target, feature statistics."""

    model: RNNForecaster
    columns: list[str]
    target: str
    lookback: int
    step: int
    delay: int
    mean: float
    std: float
    predict_change: bool = False

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().cpu().contiguous() for k, v in self.model.state_dict().items()}
        save_file(state, folder / "model.safetensors", metadata={"rnnpipe": json.dumps({"format": FORMAT})})
        meta = {"format": FORMAT, "model": self.model.config.to_dict(), "columns": self.columns, "target": self.target,
                "lookback": self.lookback, "step": self.step, "delay": self.delay,
                "predict_change": self.predict_change, "target_mean": self.mean,
                "target_std": self.std, "weights_sha256": sha256_of_file(folder / "model.safetensors")}
        (folder / "model.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, folder: str | Path, device: str | torch.device = "cpu") -> "TrainedForecaster":
        folder = Path(folder)
        meta_path, weights = folder / "model.json", folder / "model.safetensors"
        if not meta_path.is_file() or not weights.is_file():
            raise ModelFileError(f"{folder}: no trained forecaster (model.json + model.safetensors); run "
                                 f"`dvc repro forecast/dvc.yaml` first.")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT:
                raise ModelFileError(f"{meta_path}: format {meta.get('format')!r}, expected {FORMAT!r}.")
            model = RNNForecaster(ForecasterConfig(**meta["model"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(f"{meta_path}: unreadable or incomplete ({exc}).") from None
        if sha256_of_file(weights) != meta.get("weights_sha256"):
            raise ModelFileError(f"{weights} is not the file model.json was written with; the folder was altered.")
        try:
            model.load_state_dict(load_file(weights), strict=True)
        except (SafetensorError, RuntimeError, OSError) as exc:
            raise ModelFileError(f"{weights}: weights do not load ({str(exc).splitlines()[0]}).") from None
        model.to(device).eval()
        return cls(model, meta["columns"], meta["target"], meta["lookback"], meta["step"], meta["delay"],
                   meta["target_mean"], meta["target_std"], bool(meta.get("predict_change", False)))
