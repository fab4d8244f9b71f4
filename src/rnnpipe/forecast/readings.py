"""A forecast from a CSV of recent readings: what `rnnpipe predict` does with a forecaster's folder.

The readings go through the prepare stage's own steps with the settings it used (kept in the model
folder: encoding, missing-value markers, time column, dropped and direction columns, the sampling
interval, duplicate handling, gap filling) and are standardised with the training period's
statistics; the model then reads the window that ends at the last reading, exactly as the evaluate
stage reads a test window, and forecasts the target `delay` steps after it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..core.errors import DataError, ModelFileError
from .columns import ColumnPlan, numeric_features
from .frequency import parse_step, steps_after
from .model import TrainedForecaster
from .prepare import readable_step
from .prepared import naive_offset, window_rows
from .series import parse_timestamps, read_series_files, regularise
from .windows import window_offsets


def readings_frame(path: Path, forecaster: TrainedForecaster) -> pd.DataFrame:
    """The readings on the training data's time grid: the model's feature columns and `valid`."""
    preparation = forecaster.preparation
    if not preparation:
        raise ModelFileError(
            "this forecaster's folder predates forecasting from readings (it keeps no feature "
            "statistics); rerun `dvc repro forecast/dvc.yaml` to rebuild it."
        )
    settings = preparation["settings"]
    raw, _ = read_series_files([path], settings["encoding"], settings["na_values"])
    times, time_columns = parse_timestamps(raw, settings["time_column"], settings["time_format"])
    features = numeric_features(raw, time_columns, column_plan(settings, raw))
    missing = [c for c in forecaster.columns if c not in features.columns]
    if missing:
        raise DataError(
            f"{path}: the model reads columns this file lacks: {missing}; give readings with the "
            "same "
            f"columns as the training data."
        )
    frame, _ = regularise(
        features[forecaster.columns],
        times,
        preparation["frequency"],
        settings["duplicates"],
        settings["fill"],
        settings["max_gap"],
    )
    return frame


def column_plan(settings: dict, raw: pd.DataFrame) -> ColumnPlan:
    """The plan prepare made; a folder from before plans were kept holds the two lists it was
    made of."""
    if "plan" in settings:
        plan = ColumnPlan.from_dict(settings["plan"])
    else:
        plan = ColumnPlan(list(settings["drop_columns"]), list(settings["direction_columns"]))
    plan.drop = [
        c for c in plan.drop if c in raw.columns
    ]  # a row number or station name may be absent
    return plan


def forecast_from_readings(path: str | Path, forecaster: TrainedForecaster) -> dict:
    """The forecast `delay` steps after the last reading in `path`, in the target's units."""
    path = Path(path)
    frame = readings_frame(path, forecaster)
    preparation = forecaster.preparation
    frequency = parse_step(preparation["frequency"])
    offset = naive_offset(frequency, forecaster.delay)
    # The rows the window reads, and with predict_change the "same time yesterday" value it
    # corrects.
    back = max(
        forecaster.lookback - 1, offset - forecaster.delay if forecaster.predict_change else 0
    )
    needed = frame.iloc[-(back + 1) :]
    # As in training; a folder from before the policy existed was trained on `drop`'s rows.
    usable = window_rows(
        needed["valid"].to_numpy(),
        needed[forecaster.target].to_numpy(),
        preparation.get("missing_features", "drop"),
    )
    if len(frame) < back + 1 or not usable.all():
        gaps = int((~usable).sum())
        raise DataError(
            f"{path}: the forecast needs the last {back + 1} readings every "
            f"{readable_step(preparation['frequency'])} up to the last one "
            f"({frame.index[-1]}) without gaps longer than prepare.max_gap "
            f"({preparation['settings']['max_gap']}); "
            f"the file has {len(frame)} on that "
            f"grid{f', {gaps} of the last {len(needed)} incomplete' if gaps else ''}."
        )
    mean = np.array([preparation["mean"][c] for c in forecaster.columns])
    std = np.array([preparation["std"][c] for c in forecaster.columns])
    values = np.nan_to_num(
        (frame[forecaster.columns].to_numpy(dtype=np.float64) - mean) / std, nan=0.0
    )
    values = values.astype(np.float32)
    last = len(frame) - 1
    window = torch.from_numpy(values[last + window_offsets(forecaster.lookback, forecaster.step)])[
        None
    ]
    with torch.no_grad():
        output = float(forecaster.model(window.to(next(forecaster.model.parameters()).device))[0])
    if forecaster.predict_change:
        output += float(
            values[last + forecaster.delay - offset, forecaster.columns.index(forecaster.target)]
        )
    at = steps_after(frame.index[-1], frequency, forecaster.delay)
    return {
        "target": forecaster.target,
        "time": at.isoformat(),
        "forecast": output * forecaster.std + forecaster.mean,
        "last_reading": frame.index[-1].isoformat(),
    }
