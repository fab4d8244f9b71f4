"""The forecasting pipeline's prepare stage: data/raw/*.csv -> data/series.parquet +
data/stats.json.

Reads every CSV in data/raw/ (header encoding detected or prepare.encoding), parses timestamps (Jena
`01.01.2009 00:10:00`, ISO, or year/month/day/hour columns), plans the features (forecast.columns:
row-number columns dropped, wind directions found and encoded as sin/cos, other text columns
one-hot), sorts, resolves duplicate timestamps, puts the rows on a regular grid, fills gaps of up to
prepare.max_gap steps, reports what stayed missing per column (window.missing_features decides what
windows do with it), and splits chronologically. Normalisation statistics come from the training
period only, so nothing about validation or test leaks into training. Every repair is counted in
data/report.json (a plain output: results lead `dvc metrics show`). Before anything is written it
refuses what train and evaluate would (check_windows: window.target, values that overflow, one
window per split), so a run that cannot finish stops here, with train's model and metrics intact.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.atomic import atomic_path, write_json
from .columns import numeric_features, plan_columns
from .panel_prepare import prepare_panel
from .prepared import SPLITS, prepared_series
from .series import (
    READING_SETTINGS,
    normalisation_stats,
    parse_timestamps,
    read_series_files,
    regularise,
    split_bounds,
)

RAW = Path("data/raw")


def prepare_series(params: dict) -> None:
    settings = params["prepare"]
    if settings["layout"] != "single":
        return prepare_panel(params)
    raw, encodings = read_series_files(
        sorted(RAW.glob("*.csv")), settings["encoding"], settings["na_values"]
    )
    times, time_columns = parse_timestamps(raw, settings["time_column"], settings["time_format"])
    plan = plan_columns(raw, time_columns, settings["drop_columns"], settings["direction_columns"])
    for note in plan.notes:
        print(f"prepare: {note}")
    features = numeric_features(raw, time_columns, plan)
    series, report = regularise(
        features,
        times,
        settings["frequency"],
        settings["duplicates"],
        settings["fill"],
        settings["max_gap"],
    )
    bounds = split_bounds(
        series.index,
        settings["train_fraction"],
        settings["val_fraction"],
        settings["val_start"],
        settings["test_start"],
    )
    split = np.empty(len(series), dtype=object)
    for name, (start, stop) in bounds.items():
        split[start:stop] = name
    columns = [c for c in series.columns if c != "valid"]
    train_rows = series.iloc[slice(*bounds["train"])]
    stats = normalisation_stats(train_rows.loc[train_rows["valid"], columns])
    stats["frequency"] = report["frequency"]
    stats["columns"] = columns
    # For forecasts from new readings: the settings that read them and the column plan made here.
    stats["readings"] = {**{key: settings[key] for key in READING_SETTINGS}, "plan": plan.to_dict()}

    frame = series.reset_index()
    frame["split"] = split
    check_windows(frame, stats, params["window"])
    with atomic_path("data/series.parquet") as tmp:
        frame.to_parquet(tmp, index=False)
    write_json("data/stats.json", stats)
    periods = {
        name: {
            "rows": stop - start,
            "from": str(series.index[start]),
            "to": str(series.index[stop - 1]),
        }
        for name, (start, stop) in bounds.items()
    }
    write_json(
        "data/report.json",
        {
            "encodings": sorted(set(encodings.values())),
            "columns": len(columns),
            **report,
            "column_decisions": plan.notes,
            "periods": periods,
        },
    )
    for key in ("duplicate_timestamps", "off_grid_rows", "missing_timestamps", "missing_values"):
        if report[key]:
            print(
                f"prepare: {report[key]} {key.replace('_', ' ')}"
                + (
                    f" ({report['filled_values']} values filled: prepare.fill={settings['fill']}, "
                    f"max_gap={settings['max_gap']})"
                    if key == "missing_values"
                    else ""
                )
            )
    if report["missing_after_fill"]:
        print(
            "prepare: still missing after filling (rows): "
            + ", ".join(
                f"{name} {count}"
                for name, count in sorted(
                    report["missing_after_fill"].items(), key=lambda kv: -kv[1]
                )
            )
            + "; windows read a missing feature as its training mean and never a missing target "
            "(window.missing_features=impute; drop keeps every such row out of every window)"
        )
    print(
        f"prepare: {len(frame)} rows x {len(columns)} features every "
        f"{readable_step(report['frequency'])} -> "
        "data/series.parquet; "
        + ", ".join(
            f"{k} {v['rows']} ({v['from'][:10]} .. {v['to'][:10]})" for k, v in periods.items()
        )
    )


def check_windows(frame, stats: dict, window: dict) -> None:
    """What train and evaluate would refuse, refused here, before DVC removes their outputs: the
    target is a column that varies over the training period, every value standardises to a
    finite float32, and one window (window.lookback + window.delay) fits each split."""
    series = prepared_series(
        frame, stats, window["target"], window["missing_features"], "the prepared data/raw"
    )
    for split in SPLITS:
        series.windows(
            split, window["lookback"], window["step"], window["delay"], window["predict_change"]
        )


def readable_step(frequency: str) -> str:
    """A stored step (forecast.frequency) as a person writes it: "0 days 01:00:00" -> "1h",
    "10min"; a calendar step as its alias (MS, B)."""
    import pandas as pd

    try:
        step = pd.Timedelta(frequency)
    except ValueError:
        return frequency
    for unit, size in (("d", "1D"), ("h", "1h"), ("min", "1min"), ("s", "1s")):
        count = step / pd.Timedelta(size)
        if count >= 1 and float(count).is_integer():
            return f"{int(count)}{unit}"
    return str(step)
