"""The prepare stage for many series (prepare.layout wide or long): data/raw/*.csv ->
data/series.parquet (a long table: series, step, value, split) + data/stats.json +
data/report.json.

Splits are per series and in time order: the test period is the values a test file gave (M4's
X-test.csv continuing X-train.csv) or else the last window.horizon x evaluate.origins steps (one
horizon per backtest origin); validation is the last window.horizon steps before it (the tail of
each training series); the rest is training. Before anything is written it refuses what train and
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
from .panel import read_panel_files

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
        need = max(lookback + horizon, season + 1) + horizon + test_steps
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
        train = len(numbers) - horizon - test_steps
        need = max(lookback + horizon, season + 1)
        if train < need:
            raise DataError(
                f"series {name!r} has {len(numbers)} values: {max(train, 0)} for training after "
                f"its validation ({horizon}) and test ({test_steps}) periods, but one "
                f"training window needs {need} (window.lookback {lookback} + window.horizon "
                f"{horizon}, and more than window.season {season} for MASE's scale). Shorten "
                "window.lookback or drop the series."
            )
        code = np.zeros(len(numbers), dtype=np.uint8)
        code[train:] = 1
        code[train + horizon :] = 2
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
            "periods": {
                "train": "all but the last 2 x window.horizon steps of each series",
                "validation": "the window.horizon steps before the test period",
                "test": "the last window.horizon x evaluate.origins steps (a test file's values "
                "when given)",
            },
        },
    )
    print(
        f"prepare: {len(series)} series ({settings['layout']} layout), {counts.sum():,} values, "
        f"{counts.min()}-{counts.max()} per series; validation: {horizon} steps, test: the last "
        f"{test_steps}{' (the test file)' if given_test else ''}; {scaling} scaling -> "
        "data/series.parquet"
    )


def chosen_scaling(series: dict[str, np.ndarray], scaling: str) -> str:
    """log or level: `auto` is log when every value of every series is positive."""
    positive = {name: bool((values > 0).all()) for name, values in series.items()}
    if scaling == "auto":
        return "log" if all(positive.values()) else "level"
    if scaling == "log" and not all(positive.values()):
        name = next(name for name, ok in positive.items() if not ok)
        raise DataError(
            f"series {name!r} has a value <= 0, which window.scaling=log cannot take; use "
            "window.scaling: level (or auto)."
        )
    return scaling
