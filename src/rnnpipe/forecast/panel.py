"""Many series from one file: the wide layout (one row per series, as the M4 competition ships
it: an id column, then the values in time order, each row padded with empty cells after its last
value).

A series without timestamps is indexed by its steps; which file holds which period (training,
the following test values) is the caller's choice.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import DataError


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
