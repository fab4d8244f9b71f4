"""Which columns of a station file become which features: a plan made once, from the training files,
by the prepare stage, kept with the model, and applied unchanged to new readings (`rnnpipe
predict`).

- time columns: read by series.parse_timestamps, never features;
- dropped: prepare.drop_columns, and row-number columns noticed by their values (`No`: 1, 2, 3,
...);
- wind directions: prepare.direction_columns, or with `auto` every compass-text column (N, NNE, ...)
and
  every numeric column named like a wind direction (`wd`, `wd (deg)`, `wind direction`) within
  0-360.
  A direction becomes <name>_sin and <name>_cos (350 and 10 degrees are neighbours); compass columns
  add
  <name>_calm, 1 where the reading is the calm / variable code `cv` (then sin = cos = 0);
- other text columns: one column per value (<name>=<value>), the values those of the training files;
  a value never seen there is all zeros; a column with one value carries nothing and is dropped;
- everything else: numbers (a cell that is not a number is an error naming the column and row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..core.errors import DataError

COMPASS = [
    "N",
    "NNE",
    "NE",
    "ENE",
    "E",
    "ESE",
    "SE",
    "SSE",
    "S",
    "SSW",
    "SW",
    "WSW",
    "W",
    "WNW",
    "NW",
    "NNW",
]
CALM = "CV"  # "calm and variable": no direction (UCI Beijing files)
AUTO = "auto"
DIRECTION_NAME = re.compile(r"^(wd|wind[ _]?dir(ection)?)\b", re.IGNORECASE)
MAX_CATEGORIES = 50


@dataclass
class ColumnPlan:
    drop: list[str] = field(default_factory=list)
    directions: list[str] = field(default_factory=list)
    categories: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(
        default_factory=list
    )  # what was decided without being asked, for the report

    def to_dict(self) -> dict:
        return {"drop": self.drop, "directions": self.directions, "categories": self.categories}

    @classmethod
    def from_dict(cls, data: dict) -> ColumnPlan:
        return cls(
            list(data["drop"]),
            list(data["directions"]),
            {k: list(v) for k, v in data["categories"].items()},
        )


def plan_columns(
    frame: pd.DataFrame, time_columns: list[str], drop: list[str], directions: list[str]
) -> ColumnPlan:
    """The plan for `frame` (the training files): the params' choices, and the rest decided from
    the data."""
    named = [n for n in drop + [d for d in directions if d != AUTO] if n not in frame.columns]
    if named:
        raise DataError(
            f"column(s) {named} (named in prepare.drop_columns / prepare.direction_columns) not in "
            "the "
            f"data; columns: {list(frame.columns)}."
        )
    plan = ColumnPlan(drop=list(drop))
    candidates = [c for c in frame.columns if c not in time_columns and c not in drop]
    for name in candidates:
        if is_row_number(frame[name]):
            plan.drop.append(name)
            plan.notes.append(
                f"column '{name}' counts rows (1, 2, 3, ...): dropped, it is not a reading"
            )
    candidates = [c for c in candidates if c not in plan.drop]
    if AUTO in directions:
        found = [c for c in candidates if looks_like_direction(c, frame[c])]
        plan.directions = [
            *[d for d in directions if d != AUTO],
            *[c for c in found if c not in directions],
        ]
        if found:
            plan.notes.append(
                f"wind direction column(s) {found}: sin/cos features "
                "(prepare.direction_columns=auto)"
            )
    else:
        plan.directions = list(directions)
    for name in candidates:
        if name in plan.directions or _numeric_share(frame[name]) > 0.5:
            continue
        values = sorted(set(frame[name].dropna().astype(str).str.strip()))
        if len(values) <= 1:
            plan.drop.append(name)
            plan.notes.append(
                f"column '{name}' holds one text value ({values[0] if values else 'none'!r}): "
                "dropped"
            )
        elif len(values) > MAX_CATEGORIES:
            raise DataError(
                f"column '{name}' is text with {len(values)} different values (e.g. {values[:3]}); "
                "too "
                f"many to one-hot encode (at most {MAX_CATEGORIES}). Add it to "
                "prepare.drop_columns, or to "
                f"prepare.direction_columns if it is a wind direction."
            )
        else:
            plan.categories[name] = values
            plan.notes.append(
                f"text column '{name}': one-hot, {len(values)} values ({', '.join(values[:6])}"
                f"{', ...' if len(values) > 6 else ''})"
            )
    return plan


def is_row_number(column: pd.Series) -> bool:
    """1, 2, 3, ... (or 0, 1, 2, ...) down the whole file: a row counter, not a reading."""
    if len(column) < 3 or not pd.api.types.is_integer_dtype(column):
        return False
    values = column.to_numpy()
    return values[0] in (0, 1) and bool((np.diff(values) == 1).all())


def looks_like_direction(name: str, column: pd.Series) -> bool:
    """Compass text (N, NNE, ..., and cv), or numbers within 0-360 under a wind-direction name."""
    present = column.dropna()
    if present.empty:
        return False
    if pd.api.types.is_numeric_dtype(present):
        return bool(DIRECTION_NAME.match(name.strip())) and bool(present.between(0, 360).all())
    text = set(present.astype(str).str.strip().str.upper())
    return text <= set(COMPASS) | {CALM} and bool(text & set(COMPASS))


def _numeric_share(column: pd.Series) -> float:
    present = column.dropna()
    if pd.api.types.is_numeric_dtype(column) or present.empty:
        return 1.0
    return float(pd.to_numeric(present, errors="coerce").notna().mean())


def encode_directions(column: pd.Series, name: str) -> pd.DataFrame:
    """Wind direction (compass text like 'NNW' or 'cv', or degrees) -> <name>_sin, <name>_cos
    (and for compass text <name>_calm); NA stays NA."""
    if pd.api.types.is_numeric_dtype(column):
        radians = np.deg2rad(column.to_numpy(dtype=float))
        return pd.DataFrame(
            {f"{name}_sin": np.sin(radians), f"{name}_cos": np.cos(radians)}, index=column.index
        )
    text = column.astype("string").str.strip().str.upper()
    unknown = sorted(set(text.dropna()) - set(COMPASS) - {CALM})
    if unknown:
        raise DataError(
            f"column '{name}' (prepare.direction_columns) holds values that are neither degrees "
            "nor "
            f"compass points: {unknown[:8]}."
        )
    calm = (text == CALM).fillna(False).to_numpy(dtype=bool)
    radians = np.deg2rad(
        text.map({p: 22.5 * i for i, p in enumerate(COMPASS)}).astype(float).to_numpy()
    )
    sin, cos = np.sin(radians), np.cos(radians)
    sin[calm] = cos[calm] = 0.0
    calm_flag = np.where(text.isna().to_numpy(dtype=bool), np.nan, calm.astype(float))
    return pd.DataFrame(
        {f"{name}_sin": sin, f"{name}_cos": cos, f"{name}_calm": calm_flag}, index=column.index
    )


def one_hot(column: pd.Series, name: str, values: list[str]) -> pd.DataFrame:
    """<name>=<value> per training value: 1 / 0, NA where the cell is missing."""
    text = column.astype("string").str.strip()
    missing = text.isna().to_numpy(dtype=bool)
    parts = {}
    for value in values:
        hot = (text == value).fillna(False).to_numpy(dtype=float)
        hot[missing] = np.nan
        parts[f"{name}={value}"] = hot
    return pd.DataFrame(parts, index=column.index)


def numeric_features(
    frame: pd.DataFrame, time_columns: list[str], plan: ColumnPlan
) -> pd.DataFrame:
    """The feature columns as floats, by `plan`."""
    keep = [c for c in frame.columns if c not in time_columns and c not in plan.drop]
    parts = []
    for name in keep:
        column = frame[name]
        if name in plan.directions:
            parts.append(encode_directions(column, name))
        elif name in plan.categories:
            parts.append(one_hot(column, name, plan.categories[name]))
        elif pd.api.types.is_numeric_dtype(column):
            parts.append(column.astype(float).to_frame())
        else:
            converted = pd.to_numeric(column, errors="coerce")
            bad = column.notna() & converted.isna()
            if bad.any():
                example = column[bad].iloc[0]
                raise DataError(
                    f"column '{name}' is mostly numbers but not all (e.g. {example!r} in row "
                    f"{int(bad.idxmax()) + 1}); add the marker to prepare.na_values if it means "
                    "missing, "
                    f"or the column to prepare.drop_columns."
                )
            parts.append(converted.astype(float).to_frame())
    if not parts:
        raise DataError("no feature columns left after prepare.drop_columns.")
    return pd.concat(parts, axis=1)
