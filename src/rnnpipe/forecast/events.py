"""Event logs as series: a table of event times per entity (a customer's visits, a machine's
faults) becomes each entity's series of gaps between consecutive events, so that the panel
forecaster predicts when each entity's next event comes (prepare.layout: events).

Times are timestamps (gaps in prepare.gap_unit: 1D = days) or plain numbers (gaps in their own
units). Several events at one time give gaps of 0. An entity with fewer gaps than a window needs
is left out and counted (data/report.json), never padded; with none left, a named error.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..core.errors import DataError
from .panel import cell_timestamps


def event_gaps(path: str | Path, entity_column: str, time_column: str, unit: str) -> dict:
    """{entity: its gaps between consecutive events, in time order} from an event table; an
    entity with one event has no gap and is absent. DataError naming the file, column or line of
    what cannot be read."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype={entity_column: str})
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read as a CSV of events ({exc}).") from None
    if time_column == "auto":
        names = {str(c).strip().lower(): c for c in frame.columns}
        time_column = next(
            (names[n] for n in ("time", "timestamp", "date", "datetime", "ds") if n in names), ""
        )
    for column, param in (
        (entity_column, "prepare.series_column"),
        (time_column, "prepare.time_column"),
    ):
        if column not in frame.columns:
            raise DataError(
                f"{path}: no column {column!r} ({param}); an event log needs an entity column and "
                f"a time column; the columns are {', '.join(map(str, frame.columns[:12]))}."
            )
    times = event_times(frame[time_column], path, time_column, unit)
    frame = frame.assign(_time=times).sort_values([entity_column, "_time"], kind="stable")
    gaps = {}
    for entity, rows in frame.groupby(entity_column, sort=False):
        if len(rows) > 1:
            gaps[str(entity)] = np.diff(rows["_time"].to_numpy(dtype=float))
    return gaps


def event_times(column: pd.Series, path: Path, name: str, unit: str) -> np.ndarray:
    """Event times as numbers: plain numbers as they are, timestamps in multiples of `unit`."""
    numbers = pd.to_numeric(column, errors="coerce")
    if numbers.notna().any():  # plain numbers (a cell that is not one is named below)
        if numbers.isna().any():
            row = int(np.flatnonzero(numbers.isna().to_numpy())[0])
            raise DataError(
                f"{path}, line {row + 2}: {name!r} is {column.iat[row]!r}, not a number like the "
                "column's other times."
            )
        return numbers.to_numpy(dtype=float)
    stamps = cell_timestamps(column, path, name)
    try:
        step = pd.Timedelta(unit)
    except ValueError:
        raise DataError(f"prepare.gap_unit {unit!r} is not a duration such as 1D, 1h.") from None
    return ((stamps - stamps.min()) / step).to_numpy(dtype=float)


def usable_entities(gaps: dict, need: int) -> tuple[dict, int]:
    """(the entities with at least `need` gaps, how many were left out)."""
    kept = {name: values for name, values in gaps.items() if len(values) >= need}
    return kept, len(gaps) - len(kept)
