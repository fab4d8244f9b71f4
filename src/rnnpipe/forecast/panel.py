"""Many series from CSV files, in either layout a panel comes in:
- wide: one row per series, as the M4 competition ships it: an id column, then the values in time
  order, each row padded with empty cells after its last value;
- long: a row per series and time (prepare.series_column, an optional time column, the value
  column window.target), in any row order.
Files named like M4's (X-test.csv beside X-train.csv) continue the series of the training file
with their test values; every other file adds series. A series without timestamps is indexed by
its steps.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import DataError
from .frequency import infer_step, regular_grid

PARTS = ("year", "month", "day", "hour")  # a time split over columns (UCI Beijing)


def read_wide_series(path: str | Path) -> dict[str, np.ndarray]:
    """{series id: its values (float64)} in file order from a wide CSV; DataError naming the
    series and column of a non-numeric cell, an empty cell before a row's last value, a repeated
    id, or a row without values."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read as a wide CSV of series ({exc}).") from None
    if frame.shape[1] < 2:
        raise DataError(
            f"{path}: {frame.shape[1]} column(s); a wide table has an id column, then one column "
            "per step."
        )
    ids = frame.iloc[:, 0].str.strip()
    repeated = ids[ids.duplicated()]
    if len(repeated):
        raise DataError(f"{path}: series id {repeated.iloc[0]!r} names more than one row.")
    cells = frame.iloc[:, 1:].apply(lambda column: column.str.strip())
    empty = (cells == "").to_numpy()
    values = pd.to_numeric(cells.stack(), errors="coerce").unstack().reindex_like(cells)
    bad = values.isna().to_numpy() & ~empty
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise DataError(
            f"{path}: series {ids.iloc[row]!r}, column {cells.columns[column]!r}: "
            f"{cells.iat[row, column]!r} is not a number."
        )
    series = {}
    numbers = values.to_numpy(dtype=float)
    for row, name in enumerate(ids):
        filled = np.flatnonzero(~empty[row])
        if not len(filled):
            raise DataError(f"{path}: series {name!r} has no value.")
        gaps = np.flatnonzero(empty[row, : filled[-1]])
        if len(gaps):
            raise DataError(
                f"{path}: series {name!r} has an empty cell in column "
                f"{cells.columns[gaps[0]]!r} before its last value; a wide table may pad a row "
                "only after it. Fill or interpolate the gap."
            )
        series[name] = numbers[row, : filled[-1] + 1]
    return series


def read_wide_split(
    train: str | Path, test: str | Path
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(id, training values, test values) per series of two wide files holding the same ids (the
    M4 layout: Hourly-train.csv, then the horizon's values in Hourly-test.csv)."""
    history, future = read_wide_series(train), read_wide_series(test)
    if list(history) != list(future):
        missing = sorted(set(history) ^ set(future))
        raise DataError(
            f"{train} and {test} hold different series"
            + (f" (e.g. {missing[0]!r} is in one only)" if missing else " (in another order)")
            + "; each test row continues the training row of the same id."
        )
    return [(name, history[name], future[name]) for name in history]


def read_long_series(
    path: str | Path, series_column: str, value_column: str, time_column: str = "auto"
) -> dict[str, np.ndarray]:
    """{series id: its values in time order} from a long CSV (a row per series and time). The
    time column (auto: 'time' / 'date' / 'timestamp' / 'ds', or year/month/day[/hour] columns as
    the UCI Beijing files have them; else none: the file's row order is time order) orders each
    series' rows; timestamps are put on each series' regular grid (its most common step), so a
    missing time becomes a missing value. Missing values stay NaN (prepare fills short runs).
    DataError naming the file, column or series of a missing column, a repeated time within a
    series or a cell that is not a number."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype={series_column: str})
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read as a long CSV of series ({exc}).") from None
    for column, param in (
        (series_column, "prepare.series_column"),
        (value_column, "window.target"),
    ):
        if column not in frame.columns:
            raise DataError(
                f"{path}: no column {column!r} ({param}); the columns are "
                f"{', '.join(map(str, frame.columns[:12]))}."
            )
    values = pd.to_numeric(frame[value_column], errors="coerce")
    bad = values.isna() & frame[value_column].notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{path}, line {row + 2}: {value_column!r} is {frame[value_column].iat[row]!r}, not a "
            "number."
        )
    times = _long_time_column(frame, time_column, path)
    order = frame[[series_column]].assign(_value=values)
    if times is not None:
        order = order.assign(_time=times).sort_values([series_column, "_time"], kind="stable")
        repeated = order.duplicated([series_column, "_time"])
        if repeated.any():
            first = order[repeated].iloc[0]
            raise DataError(
                f"{path}: series {first[series_column]!r} has two rows for time "
                f"{first['_time']}; keep one per time."
            )
    series = {}
    for name, rows in order.groupby(series_column, sort=False):
        if times is not None and pd.api.types.is_datetime64_any_dtype(rows["_time"]):
            rows = _on_regular_grid(rows)
        series[str(name)] = rows["_value"].to_numpy(dtype=float)
    return series


def long_series_clocks(path: str | Path, series_column: str, time_column: str = "auto") -> dict:
    """{series id: (its first timestamp, its step)} of a long CSV whose times are timestamps (the
    grid read_long_series puts each series on); {} when they are step numbers or absent."""
    frame = pd.read_csv(path, dtype={series_column: str})
    times = _long_time_column(frame, time_column, Path(path))
    if times is None or not pd.api.types.is_datetime64_any_dtype(times):
        return {}
    clocks = {}
    for name, stamps in times.groupby(frame[series_column].to_numpy(), sort=False):
        ordered = stamps.sort_values()
        clocks[str(name)] = (
            ordered.iloc[0],
            infer_step(ordered) if ordered.nunique() > 1 else None,
        )
    return clocks


def _on_regular_grid(rows: pd.DataFrame) -> pd.DataFrame:
    """One series' rows at every step of its most common interval (a calendar one where it is one:
    forecast.frequency), missing times as NaN."""
    if rows["_time"].nunique() < 2:
        return rows
    step = infer_step(rows["_time"])
    grid = regular_grid(rows["_time"].iloc[0], rows["_time"].iloc[-1], step)
    return rows.set_index("_time").reindex(grid).reset_index(names="_time")


def _long_time_column(frame: pd.DataFrame, time_column: str, path: Path):
    """The parsed time column of a long table, or None (row order is time order)."""
    if time_column == "none":
        return None
    if time_column == "auto":
        names = {str(c).strip().lower(): c for c in frame.columns}
        found = next((names[n] for n in ("time", "date", "timestamp", "ds") if n in names), None)
        if found is None and all(part in names for part in PARTS[:3]):
            parts = frame[[names[p] for p in PARTS if p in names]]
            parts.columns = [p for p in PARTS if p in names]
            try:
                return pd.to_datetime(parts)
            except (ValueError, TypeError) as exc:
                raise DataError(f"{path}: year/month/day/hour do not form dates ({exc}).") from None
        if found is None:
            return None
        time_column = found
    if time_column not in frame.columns:
        raise DataError(f"{path}: no time column {time_column!r} (prepare.time_column).")
    numbers = pd.to_numeric(frame[time_column], errors="coerce")
    if numbers.notna().all():
        return numbers
    return cell_timestamps(frame[time_column], path, time_column)


def cell_timestamps(column: pd.Series, path: Path, name: str) -> pd.Series:
    """A column of times as timestamps: ISO 8601, else each cell read by itself; DataError naming
    the line of a cell that is not a time."""
    times = pd.to_datetime(column, errors="coerce", format="ISO8601")
    if times.isna().any():  # not all ISO 8601: let pandas read each cell by itself
        times = pd.to_datetime(column, errors="coerce", format="mixed")
    if times.isna().any():
        row = int(np.flatnonzero(times.isna().to_numpy())[0])
        raise DataError(
            f"{path}, line {row + 2}: {name!r} is {column.iat[row]!r}, neither a time nor a number."
        )
    return times


def continued_file(name: str) -> str | None:
    """The training file's name a wide test file continues ('Hourly-test.csv' ->
    'Hourly-train.csv', as M4 names its files), or None for any other file."""
    lower = name.lower()
    for marker in ("-test", "_test"):
        at = lower.rfind(marker)
        if at >= 0:
            return name[:at] + marker[0] + "train" + name[at + len(marker) :]
    return None


def read_panel_files(
    files: list[Path], layout: str, series_column: str, value_column: str, time_column: str
) -> tuple[dict[str, np.ndarray], dict[str, int]]:
    """({series id: all its values in time order}, {series id: how many of its last values a
    test file gave}) from the CSVs of a panel. Wide files named like M4's (X-test.csv beside
    X-train.csv) continue the training rows of the same ids; every other file adds series (an id
    in two files is an error)."""
    names = {path.name: path for path in files}
    series: dict[str, np.ndarray] = {}
    given_test: dict[str, int] = {}
    origin: dict[str, str] = {}
    continuing = {name: names[train] for name in names if (train := continued_file(name)) in names}
    for path in files:
        if path.name in continuing:
            continue
        read = (
            read_wide_series(path)
            if layout == "wide"
            else read_long_series(path, series_column, value_column, time_column)
        )
        for name, values in read.items():
            if name in series:
                raise DataError(
                    f"series {name!r} is in both {origin[name]} and {path.name}; a series' rows "
                    "belong in one file (or name the files X-train.csv / X-test.csv)."
                )
            series[name], origin[name] = values, path.name
    for test_name, train_path in continuing.items():
        future = (
            read_wide_series(names[test_name])
            if layout == "wide"
            else read_long_series(names[test_name], series_column, value_column, time_column)
        )
        for name, values in future.items():
            if origin.get(name) != train_path.name:
                raise DataError(
                    f"{test_name}: series {name!r} is not in {train_path.name}, the file it "
                    "continues."
                )
            series[name] = np.concatenate([series[name], values])
            given_test[name] = len(values)
        absent = [
            name for name, file in origin.items() if file == train_path.name and name not in future
        ]
        if absent:
            raise DataError(
                f"{test_name}: no test values for series {absent[0]!r} of {train_path.name} "
                f"({len(absent)} series lack them); every series needs its test values."
            )
    if not series:
        raise DataError("data/raw holds no series.")
    return series, given_test
