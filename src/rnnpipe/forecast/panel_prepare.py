"""The prepare stage for many series (prepare.layout wide or long): data/raw/*.csv ->
data/series.parquet (a long table: series, step, value, split) + data/stats.json +
data/report.json.

Splits are per series and in time order: the test period is the values a test file gave (M4's
X-test.csv continuing X-train.csv) or else the last window.horizon x evaluate.origins steps (one
horizon per backtest origin); validation is as many steps before it (the tail of each training
series, forecast from as many origins); the rest is training. Missing values (empty cells, missing
timestamps of a long table) are filled in runs of up to prepare.max_gap (prepare.fill); what is
left stays missing, and no window reads it. Before anything is written it refuses what train and
evaluate would: a series too short for one training window (window.lookback + window.horizon) or
for MASE's seasonal scale, test files whose length is not the test period's, log scaling of a
series that is not positive.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..core.atomic import atomic_path, write_json
from ..core.errors import DataError
from .events import event_gaps, usable_entities
from .frequency import stamps
from .panel import long_series_clocks, read_panel_files
from .series import fill_short_gaps

RAW = Path("data/raw")
SPLIT_NAMES = ("train", "validation", "test")


def prepare_panel(params: dict) -> None:
    settings, window = params["prepare"], params["window"]
    files = sorted(RAW.glob("*.csv"))
    if not files:
        raise DataError(f"{RAW}: no CSV file (download.path / download.pattern).")
    horizon, lookback, season = window["horizon"], window["lookback"], window["season"]
    test_steps = horizon * params["evaluate"]["origins"]
    left_out = 0
    if settings["layout"] == "events":
        gaps: dict[str, np.ndarray] = {}
        for path in files:
            gaps.update(
                event_gaps(
                    path, settings["series_column"], settings["time_column"], settings["gap_unit"]
                )
            )
        need = max(lookback + horizon, season + 1) + 2 * test_steps
        series, left_out = usable_entities(gaps, need)
        if not series:
            raise DataError(
                f"no entity of the event log has the {need} gaps (events - 1) a window needs "
                f"(window.lookback {lookback} + window.horizon {horizon}, then validation and test "
                f"periods); the most any has is {max(map(len, gaps.values()), default=0)}. Shorten "
                "window.lookback."
            )
        if left_out:
            print(
                f"prepare: {left_out} of {len(gaps)} entities have fewer than {need} gaps between "
                "events and are left out (data/report.json: entities_left_out)"
            )
        given_test = {}
    else:
        series, given_test = read_panel_files(
            files,
            settings["layout"],
            settings["series_column"],
            window["target"],
            settings["time_column"],
        )
    missing = {"missing_values": 0, "filled_values": 0}
    if settings["fill"] != "none":
        for name, numbers in series.items():
            gaps = np.isnan(numbers)
            if gaps.any():
                filled = fill_short_gaps(
                    pd.DataFrame({"value": numbers}), settings["fill"], settings["max_gap"]
                )["value"].to_numpy()
                missing["missing_values"] += int(gaps.sum())
                missing["filled_values"] += int(gaps.sum() - np.isnan(filled).sum())
                series[name] = filled
    missing["missing_after_fill"] = missing["missing_values"] - missing["filled_values"]
    if missing["missing_values"]:
        print(
            f"prepare: {missing['missing_values']:,} missing values, {missing['filled_values']:,} "
            f"filled (prepare.fill={settings['fill']}, runs of up to prepare.max_gap="
            f"{settings['max_gap']}); windows never read the {missing['missing_after_fill']:,} "
            "left"
        )
    scaling = chosen_scaling(series, window["scaling"])
    names, steps, values, splits = [], [], [], []
    lengths = {}
    for name, numbers in series.items():
        test = given_test.get(name, test_steps)
        if test != test_steps:
            raise DataError(
                f"series {name!r}: its test file gives {test} values but the test period is "
                f"window.horizon {horizon} x evaluate.origins {params['evaluate']['origins']} = "
                f"{test_steps}; set window.horizon: {test} and evaluate.origins: 1 (M4 Hourly: "
                "48)."
            )
        train = len(numbers) - 2 * test_steps
        need = max(lookback + horizon, season + 1)
        if train < need:
            raise DataError(
                f"series {name!r} has {len(numbers)} values: {max(train, 0)} for training after "
                f"its validation and test periods ({test_steps} each), but one "
                f"training window needs {need} (window.lookback {lookback} + window.horizon "
                f"{horizon}, and more than window.season {season} for MASE's scale). Shorten "
                "window.lookback or drop the series."
            )
        code = np.zeros(len(numbers), dtype=np.uint8)
        code[train:] = 1
        code[train + test_steps :] = 2
        names.append(np.full(len(numbers), name, dtype=object))
        steps.append(np.arange(len(numbers), dtype=np.int32))
        values.append(numbers)
        splits.append(code)
        lengths[name] = len(numbers)
    frame = pd.DataFrame(
        {
            "series": pd.Categorical(np.concatenate(names), categories=list(series)),
            "step": np.concatenate(steps),
            "value": np.concatenate(values),
            "split": pd.Categorical.from_codes(np.concatenate(splits), SPLIT_NAMES),
        }
    )
    times = series_times(files, settings, series) if settings["layout"] == "long" else None
    if times is not None:
        frame["time"] = times
    with atomic_path("data/series.parquet") as tmp:
        frame.to_parquet(tmp, index=False)
    write_json(
        "data/stats.json",
        {"layout": settings["layout"], "series": len(series), "scaling": scaling},
    )
    counts = np.array(list(lengths.values()))
    write_json(
        "data/report.json",
        {
            "layout": settings["layout"],
            "series": len(series),
            "values": int(counts.sum()),
            "shortest_series": int(counts.min()),
            "longest_series": int(counts.max()),
            "test_values_from_file": bool(given_test),
            "entities_left_out": left_out,
            "scaling": scaling,
            **missing,
            "periods": {
                "train": "all but the last 2 x window.horizon steps of each series",
                "validation": "as many steps before the test period",
                "test": "the last window.horizon x evaluate.origins steps (a test file's values "
                "when given)",
            },
        },
    )
    print(
        f"prepare: {len(series)} series ({settings['layout']} layout), {counts.sum():,} values, "
        f"{counts.min()}-{counts.max()} per series; validation and test: {test_steps} steps each"
        f"{' (test: the test file)' if given_test else ''}; {scaling} scaling -> "
        "data/series.parquet"
    )


def chosen_scaling(series: dict[str, np.ndarray], scaling: str) -> str:
    """log or level: `auto` is log when every value of every series is positive."""
    positive = {
        name: bool(np.nan_to_num(values, nan=1.0).min() > 0) for name, values in series.items()
    }
    if scaling == "auto":
        return "log" if all(positive.values()) else "level"
    if scaling == "log" and not all(positive.values()):
        name = next(name for name, ok in positive.items() if not ok)
        raise DataError(
            f"series {name!r} has a value <= 0, which window.scaling=log cannot take; use "
            "window.scaling: level (or auto)."
        )
    return scaling


def series_times(files: list[Path], settings: dict, series: dict) -> np.ndarray | None:
    """Every value's timestamp, series after series, when a long table's times are timestamps
    (each series on its regular grid); None otherwise (steps only: no calendar)."""
    clocks: dict = {}
    for path in files:
        clocks.update(long_series_clocks(path, settings["series_column"], settings["time_column"]))
    if not series or any(clocks.get(name, (None, None))[1] is None for name in series):
        return None
    return np.concatenate(
        [
            stamps(clocks[name][0], clocks[name][1], len(values)).to_numpy()
            for name, values in series.items()
        ]
    )
