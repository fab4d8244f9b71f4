"""Weather-like time series: read CSV exports, parse timestamps, regularise, fill gaps, split,
normalise.

Handles what real station files do: headers in Latin-1 (the Jena station's `W/m²`), the Jena
timestamp format `01.01.2009 00:10:00`, ISO timestamps, or separate year/month/day/hour columns (the
UCI Beijing files), `NA` cells, duplicate and missing timestamps (which columns become which
features: forecast.columns). Every repair is counted in a report that the prepare stage writes to
data/report.json.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.encodings import wide_encoding
from ..core.errors import DataError, ParamsError
from .frequency import infer_step, parse_step, regular_grid, step_text

JENA_FORMAT = "%d.%m.%Y %H:%M:%S"
TIME_COLUMN_NAMES = ("date time", "datetime", "date", "time", "timestamp")
PARTS = ("year", "month", "day", "hour")
# The prepare settings that turn a station's readings into features; kept in the model folder, so
# that
# `rnnpipe predict` treats a CSV of recent readings as prepare treated the training data.
# Which columns become which features is kept as the plan prepare made
# (forecast.columns.ColumnPlan).
READING_SETTINGS = (
    "encoding",
    "na_values",
    "time_column",
    "time_format",
    "duplicates",
    "fill",
    "max_gap",
)


def read_csv_any_encoding(
    path: Path, encoding: str = "auto", na_values=("NA",)
) -> tuple[pd.DataFrame, str]:
    """Read one CSV; with encoding 'auto', UTF-8 if the bytes decode as UTF-8, else Latin-1.

    Latin-1 maps every byte to a character, so the fallback never fails; the encoding used is
    returned.
    """
    raw = Path(path).read_bytes()
    if not raw.strip():
        raise DataError(f"{path}: the file is empty.")
    wide = wide_encoding(raw[:4096])
    if encoding == "auto" and wide in ("utf-16", "utf-32"):  # a byte-order mark says which
        text, encoding = raw.decode(wide), wide
    elif encoding == "auto":
        if wide:
            raise DataError(
                f"{path}: the file is {wide.upper()} text (NUL bytes between the characters); "
                f"set prepare.encoding={wide}."
            )
        try:
            text, encoding = raw.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError:
            text, encoding = raw.decode("latin-1"), "latin-1"
    else:
        if wide and not wide.startswith(encoding.lower().replace("_", "-")[:6]):
            raise DataError(
                f"{path}: the file is {wide.upper()} text (a byte-order mark or NUL bytes between "
                f"the characters), not {encoding}; set prepare.encoding={wide}."
            )
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            raise DataError(
                f"{path}: not valid {encoding} at byte {exc.start}; set prepare.encoding to the "
                "file's "
                f"encoding (e.g. latin-1) or to auto."
            ) from None
        except LookupError:
            raise DataError(
                f"prepare.encoding '{encoding}' is not an encoding Python knows (e.g. utf-8, "
                "latin-1, "
                f"cp1252, auto)."
            ) from None
    try:
        frame = pd.read_csv(
            io.StringIO(text), na_values=list(na_values), keep_default_na=True, low_memory=False
        )
    except pd.errors.ParserError as exc:
        raise DataError(f"{path}: not a readable CSV: {exc}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, encoding


def read_series_files(
    paths: list[Path], encoding: str = "auto", na_values=("NA",)
) -> tuple[pd.DataFrame, dict]:
    """Concatenate CSV files (one per year or period) that share their columns."""
    if not paths:
        raise DataError(
            "no CSV files to read: data/raw/ is empty. Check download.path / download.pattern."
        )
    frames, encodings = [], {}
    for path in paths:
        frame, used = read_csv_any_encoding(path, encoding, na_values)
        if frames and list(frame.columns) != list(frames[0].columns):
            raise DataError(
                f"{path.name} has columns {list(frame.columns)}, but {paths[0].name} has "
                f"{list(frames[0].columns)}; files of one series must share their columns. Narrow "
                f"download.pattern to one station's files."
            )
        frames.append(frame)
        encodings[path.name] = used
    return pd.concat(frames, ignore_index=True), encodings


def parse_timestamps(
    frame: pd.DataFrame, time_column: str = "auto", time_format: str = "auto"
) -> tuple[pd.Series, list[str]]:
    """Timestamps of every row, and the columns they were read from.

    `auto` finds a column named like 'Date Time' / 'date' / 'timestamp', else year/month/day[/hour].
    Formats tried with `auto`: the Jena format, then ISO 8601.
    """
    lower = {c.lower(): c for c in frame.columns}
    if time_column == "auto":
        named = [lower[n] for n in TIME_COLUMN_NAMES if n in lower]
        if named:
            time_column = named[0]
        elif all(p in lower for p in PARTS[:3]):
            used = [lower[p] for p in PARTS if p in lower]
            parts = frame[used].rename(columns={lower[p]: p for p in PARTS if p in lower})
            try:
                return pd.to_datetime(parts, errors="raise"), used
            except (ValueError, TypeError) as exc:
                raise DataError(
                    f"year/month/day/hour columns do not form valid dates: {exc}"
                ) from None
        else:
            raise DataError(
                f"no time column found among {list(frame.columns)[:12]}: expected one named 'Date "
                "Time', "
                "'date', 'datetime' or 'timestamp', or year/month/day[/hour] columns. Name it "
                "with "
                f"prepare.time_column."
            )
    if time_column not in frame.columns:
        raise DataError(
            f"prepare.time_column '{time_column}' is not a column; columns: "
            f"{list(frame.columns)[:20]}."
        )
    text = frame[time_column].astype(str).str.strip()
    formats = [JENA_FORMAT, "ISO8601"] if time_format == "auto" else [time_format]
    for fmt in formats:
        try:
            parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        except ValueError as exc:  # a directive pandas does not know, e.g. %Q
            raise ParamsError(
                f"prepare.time_format {fmt!r} is not a valid strftime format ({exc}); use "
                "directives "
                f"such as %Y-%m-%d %H:%M:%S, or auto."
            ) from None
        if parsed.notna().all():
            return parsed, [time_column]
    bad = int(parsed.isna().idxmax())
    raise DataError(
        f"column '{time_column}' row {bad + 1}: cannot read {text.iloc[bad]!r} as a time with "
        "format "
        f"{' or '.join(formats)}; set prepare.time_format (e.g. '%d.%m.%Y %H:%M:%S')."
    )


def fill_short_gaps(frame: pd.DataFrame, method: str, max_gap: int) -> pd.DataFrame:
    """Fill runs of at most `max_gap` missing values per column; longer runs stay missing entirely.

    (pandas' `limit` would fill the first `max_gap` values of a long gap and leave the rest, which
    invents the edge of an outage.) `interpolate` is linear between the neighbours; `ffill` repeats
    the last reading. Leading runs have no left neighbour and stay missing.
    """
    filled = (
        frame.interpolate(method="linear", limit_area="inside")
        if method == "interpolate"
        else frame.ffill()
    )
    missing = frame.isna()
    run_id = (missing != missing.shift()).cumsum()
    out = frame.copy()
    for name in frame.columns:
        run_length = missing[name].groupby(run_id[name]).transform("size")
        short = missing[name] & (run_length <= max_gap)
        out.loc[short, name] = filled.loc[short, name]
    return out


def regularise(
    features: pd.DataFrame,
    times: pd.Series,
    frequency: str,
    duplicates: str,
    fill: str,
    max_gap: int,
) -> tuple[pd.DataFrame, dict]:
    """Sort, resolve duplicate timestamps, put the rows on a regular grid, fill short gaps.

    Returns the frame indexed by time with a boolean `valid` column (False where a value stayed
    missing: a gap longer than `max_gap` steps, or `fill` = none) and a report of every repair, with
    the values still missing per column (`missing_after_fill`).
    """
    frame = features.copy()
    frame.index = pd.DatetimeIndex(times, name="time")
    frame = frame.sort_index(kind="stable")
    report = {"rows_read": len(frame)}
    duplicated = frame.index.duplicated(keep="first")
    report["duplicate_timestamps"] = int(duplicated.sum())
    if duplicated.any():
        if duplicates == "error":
            first = frame.index[duplicated][0]
            raise DataError(
                f"{int(duplicated.sum())} duplicate timestamps (first: {first}); set "
                f"prepare.duplicates to first or mean to resolve them."
            )
        frame = frame.groupby(level=0).mean() if duplicates == "mean" else frame[~duplicated]
    step = infer_step(frame.index) if frequency == "auto" else parse_step(frequency)
    report["frequency"] = step_text(step)
    off_grid = ~frame.index.isin(regular_grid(frame.index[0], frame.index[-1], step))
    report["off_grid_rows"] = int(off_grid.sum())
    frame = frame[~off_grid]  # readings between grid points would need resampling, not filling
    grid = regular_grid(frame.index[0], frame.index[-1], step).rename("time")
    report["missing_timestamps"] = int(len(grid) - len(frame))
    frame = frame.reindex(grid)
    missing_before = frame.isna()
    report["missing_values"] = int(missing_before.to_numpy().sum())
    if fill != "none":
        frame = fill_short_gaps(frame, fill, max_gap)
    report["filled_values"] = int((missing_before & frame.notna()).to_numpy().sum())
    valid = frame.notna().all(axis=1)
    report["invalid_rows"] = int((~valid).sum())
    still = frame.isna().sum()
    report["missing_after_fill"] = {str(name): int(count) for name, count in still.items() if count}
    report["rows"] = len(frame)
    frame["valid"] = valid.to_numpy()
    return frame, report


def split_bounds(
    times: pd.DatetimeIndex,
    train_fraction: float,
    val_fraction: float,
    val_start: str = "",
    test_start: str = "",
) -> dict[str, tuple[int, int]]:
    """Chronological [start, stop) row ranges of train / validation / test, by fraction or by
    date."""
    n = len(times)
    if val_start or test_start:
        if not (val_start and test_start):
            raise DataError(
                "set both prepare.val_start and prepare.test_start (or neither, to split by "
                "fraction)."
            )
        try:
            v, t = (int(times.searchsorted(pd.Timestamp(d))) for d in (val_start, test_start))
        except ValueError as exc:
            raise DataError(f"prepare.val_start / prepare.test_start: {exc}") from None
        if not 0 < v < t < n:
            raise DataError(
                f"prepare.val_start {val_start} and prepare.test_start {test_start} must lie in "
                "order "
                f"inside the data's period, {times[0]} .. {times[-1]}."
            )
    else:
        if train_fraction + val_fraction >= 1.0:
            raise DataError(
                f"prepare.train_fraction ({train_fraction}) + prepare.val_fraction "
                f"({val_fraction}) "
                f"leave no test period; their sum must be below 1."
            )
        v, t = int(n * train_fraction), int(n * (train_fraction + val_fraction))
    return {"train": (0, v), "validation": (v, t), "test": (t, n)}


def normalisation_stats(features: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Mean and standard deviation per column over the given (training) rows; constant columns
    get std 1."""
    with np.errstate(all="ignore"):  # an overflow (1e300) is refused by name when windows are cut
        mean, std = features.mean(), features.std(ddof=0)
    std = std.where(std > 1e-12, 1.0).fillna(1.0)
    return {
        "mean": {k: float(v) for k, v in mean.fillna(0.0).items()},
        "std": {k: float(v) for k, v in std.items()},
    }
