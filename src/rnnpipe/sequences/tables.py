"""The user's sequences, from any of the accepted files, as one long table: a row per step.

Accepted (download.path, by suffix):
- a long CSV / TSV (optionally .gz) or Parquet: one row per step; download.sequence_columns name the
  sequence, download.step_column (optional) orders its steps, numeric feature columns, a label
  column
  holding a label per step or the same label on every step of a sequence, optional group / split
  columns;
- a Parquet with one row per sequence: list-valued feature columns (one list per feature, or one
column
  of per-step vectors) and a label that is a scalar or a list with one label per step;
- an .npz with X [sequences, steps, features], optional `lengths` [sequences] (steps past a length
are
  padding) and y [sequences] or [sequences, steps].

The result (`StepTable`) has the reserved columns below plus the features under their own names,
steps in order within each sequence. Labels keep their values (integers stay integers); empty labels
and download.unlabeled values become missing: such steps are masked out of loss and metrics.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.atomic import atomic_path
from ..core.encodings import check_not_wide
from ..core.errors import DataError

SEQUENCE, LABEL, GROUP, SPLIT = "_sequence", "_label", "_group", "_split"
RESERVED = (SEQUENCE, LABEL, GROUP, SPLIT)
SPLITS = ("train", "validation", "test")


@dataclass
class StepTable:
    """`frame`: one row per step, grouped by sequence in step order; `features`: the feature
    columns; `reading`: how a file of the same layout is read again (`rnnpipe predict`): the
    sequence and step columns."""

    frame: pd.DataFrame
    features: list[str]
    reading: dict | None = None

    def write(self, path: str | Path) -> None:
        with StepWriter(path, self.features, self.reading) as writer:
            writer.write(self.frame)


class StepWriter:
    """Long frames (whole sequences each) appended to a Parquet file of steps, one row group per
    frame; the file, with the features and reading settings in its metadata, appears only when
    the `with` block ends without an error. Counts the sequences, steps and unlabeled steps."""

    def __init__(self, path: str | Path, features: list[str], reading: dict | None):
        self.path, self.features, self.reading = Path(path), features, reading
        self.counts = {"sequences": 0, "steps": 0, "unlabeled_steps": 0}
        self._writer = self._staged = None

    def __enter__(self) -> StepWriter:
        self._staged = atomic_path(self.path)
        self._tmp = self._staged.__enter__()
        return self

    def write(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self._writer is None:
            metadata = {
                **(table.schema.metadata or {}),
                b"rnnpipe.features": json.dumps(self.features).encode(),
                b"rnnpipe.reading": json.dumps(self.reading).encode(),
            }
            self._writer = pq.ParquetWriter(self._tmp, table.schema.with_metadata(metadata))
        self._writer.write_table(table)
        self.counts["sequences"] += int(frame[SEQUENCE].nunique())
        self.counts["steps"] += len(frame)
        self.counts["unlabeled_steps"] += int(frame[LABEL].isna().sum())

    def __exit__(self, *error) -> bool:
        if self._writer is not None:
            self._writer.close()
        return self._staged.__exit__(*error)


def step_file_settings(path: str | Path) -> tuple[list[str], dict | None]:
    """The feature columns and reading settings a StepWriter recorded in the file at `path`."""
    metadata = pq.read_schema(path).metadata
    return (
        json.loads(metadata[b"rnnpipe.features"]),
        json.loads(metadata.get(b"rnnpipe.reading", b"null")),
    )


def read_step_table(path: str | Path, settings: dict, labeled: bool = True) -> StepTable:
    """The file at `path` (see the module doc) as a StepTable; DataError naming the culprit
    otherwise. `labeled=False` (new data to predict): no label column is read; the steps' labels
    are all missing."""
    if not labeled:
        settings = {**settings, "label_column": ""}
    path = Path(path)
    name = path.name.lower()
    if not path.is_file():
        raise DataError(
            f"{path}: not a file. Set download.path to a .csv, .tsv, .parquet or .npz file of "
            "sequences."
        )
    if name.endswith(".npz"):
        table = _from_npz(path, labeled)
    elif name.endswith(".parquet"):
        frame = pd.read_parquet(path)
        listed = [
            c
            for c in frame.columns
            if len(frame) and isinstance(frame[c].iloc[0], (list, np.ndarray))
        ]
        table = (
            _from_list_rows(frame, listed, settings, path)
            if listed
            else _from_long(frame, settings, path)
        )
    elif name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt")):
        if not name.endswith(".gz"):
            check_not_wide(path, "utf-8", None)
        try:
            frame = pd.read_csv(path, sep="\t" if ".tsv" in name else ",", low_memory=False)
        except (ValueError, UnicodeDecodeError) as exc:
            raise DataError(f"{path}: cannot be read as CSV ({exc}).") from None
        table = _from_long(frame, settings, path)
    else:
        raise DataError(
            f"{path}: unknown format; download.path takes .csv, .tsv (optionally .gz), .parquet or "
            ".npz."
        )
    table.frame[LABEL] = _clean_labels(table.frame[LABEL], settings["unlabeled"])
    if labeled and table.frame[LABEL].isna().all():
        raise DataError(
            f"{path}: no step has a label (column {settings['label_column']!r}; download.unlabeled "
            f"{settings['unlabeled']})."
        )
    return table


def reading_settings(settings: dict) -> dict:
    """What reading a file of this layout again needs (labels aside): download's sequence and
    step columns."""
    return {
        "sequence_columns": list(settings["sequence_columns"]),
        "step_column": settings["step_column"],
    }


class MissingColumnsError(DataError):
    """A table lacks columns the reading settings name (`missing`; the file has `found`)."""

    def __init__(self, path: Path, missing: list[str], found: list[str]):
        self.path, self.missing, self.found = path, missing, found
        super().__init__(
            f"{path}: no column {', '.join(map(repr, missing))}; its columns: "
            f"{', '.join(map(str, found))}. Set the download.*_column params to the file's names."
        )


def _require(frame: pd.DataFrame, columns: list[str], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise MissingColumnsError(path, missing, list(frame.columns))


def _named_columns(settings: dict) -> list[str]:
    return [
        *settings["sequence_columns"],
        settings["step_column"],
        settings["label_column"],
        settings["group_column"],
        settings["split_column"],
    ]


def _feature_names(frame: pd.DataFrame, settings: dict, path: Path) -> list[str]:
    named = {c for c in _named_columns(settings) if c}
    features = list(settings["feature_columns"]) or [c for c in frame.columns if c not in named]
    _require(frame, features, path)
    if not features:
        raise DataError(
            f"{path}: no feature column left after the sequence, step, label, group and split "
            "columns."
        )
    return features


def _numeric(frame: pd.DataFrame, features: list[str], path: Path, ids: pd.Series) -> pd.DataFrame:
    """The feature columns as float32; DataError naming a non-numeric or missing-valued column."""
    out = {}
    for column in features:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            example = values.dropna().iloc[0] if values.notna().any() else None
            raise DataError(
                f"{path}: feature column {column!r} is not numeric (e.g. {example!r}). Encode it "
                "as "
                f"numbers, or leave it out of download.feature_columns."
            )
        missing = values.isna().to_numpy()
        if missing.any():
            raise DataError(
                f"{path}: feature column {column!r} has {int(missing.sum())} missing value(s), the "
                f"first in sequence {ids.iloc[int(np.argmax(missing))]!r}. Fill or drop them first."
            )
        out[column] = values.to_numpy(dtype=np.float32)
    return pd.DataFrame(out, index=frame.index)


def _sequence_ids(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    ids = frame[columns[0]].astype(str)
    for column in columns[1:]:
        ids = ids + "/" + frame[column].astype(str)
    return ids


def _from_long(frame: pd.DataFrame, settings: dict, path: Path) -> StepTable:
    if not settings["sequence_columns"]:
        raise DataError(
            "download.sequence_columns is empty; name the column(s) that identify a sequence."
        )
    _require(frame, [c for c in _named_columns(settings) if c], path)
    features = _feature_names(frame, settings, path)
    ids = _sequence_ids(frame, settings["sequence_columns"])
    keyed = pd.DataFrame({SEQUENCE: pd.Categorical(ids, categories=ids.unique())})
    if settings["step_column"]:
        keyed["_step"] = frame[settings["step_column"]]
    rows = keyed.sort_values(
        list(keyed.columns), kind="stable"
    ).index  # sequences in order of first appearance
    out = _numeric(frame, features, path, ids).loc[rows].reset_index(drop=True)
    out.insert(0, SEQUENCE, ids.loc[rows].to_numpy())
    out[LABEL] = (
        frame[settings["label_column"]].loc[rows].to_numpy() if settings["label_column"] else None
    )
    for param, column in (("group_column", GROUP), ("split_column", SPLIT)):
        if settings[param]:
            out[column] = frame[settings[param]].loc[rows].astype(str).to_numpy()
    return StepTable(out, features)


def _from_list_rows(
    frame: pd.DataFrame, listed: list[str], settings: dict, path: Path
) -> StepTable:
    """One row per sequence; list-valued features (a list per feature, or per-step vectors)."""
    label = settings["label_column"]
    _require(frame, [label] if label else [], path)
    named = settings["sequence_columns"] and all(c in frame for c in settings["sequence_columns"])
    ids = (
        _sequence_ids(frame, settings["sequence_columns"])
        if named
        else pd.Series(frame.index.astype(str), index=frame.index)
    )  # no id columns: the row number
    features = [c for c in (settings["feature_columns"] or listed) if c != label]
    _require(frame, features, path)
    if not features:
        raise DataError(
            f"{path}: no feature column: the only list-valued column is the label "
            f"{label!r}. Name the feature columns in download.feature_columns (columns holding "
            "a list of numbers per sequence, or a list of per-step vectors)."
        )
    blocks, labels, widths = [], [], None
    for row, sequence in zip(range(len(frame)), ids):
        columns = [_step_matrix(frame[c].iloc[row], c, sequence, path) for c in features]
        steps = {len(block) for block in columns}
        if len(steps) > 1:
            raise DataError(
                f"{path}: sequence {sequence!r} has feature lists of different lengths "
                f"({', '.join(f'{c}: {len(b)}' for c, b in zip(features, columns))})."
            )
        length = steps.pop()
        if length == 0:
            raise DataError(
                f"{path}: sequence {sequence!r} has no steps (empty feature lists). Drop it."
            )
        row_widths = [block.shape[1] for block in columns]
        if widths is not None and row_widths != widths:
            raise DataError(
                f"{path}: feature vectors differ in size between sequences ({widths} in the first, "
                f"{row_widths} in sequence {sequence!r})."
            )
        widths = row_widths
        blocks.append(np.concatenate(columns, axis=1))
        labels.append(
            _step_labels(frame[label].iloc[row] if label else None, length, sequence, path)
        )
    # A column of per-step vectors becomes one feature per component: x_0, x_1, ...
    names = [
        c if width == 1 else f"{c}_{i}" for c, width in zip(features, widths) for i in range(width)
    ]
    out = pd.DataFrame(np.concatenate(blocks), columns=names)
    lengths = [len(block) for block in blocks]
    out.insert(0, SEQUENCE, np.repeat(ids.to_numpy(), lengths))
    out[LABEL] = np.concatenate(labels)
    for param, column in (("group_column", GROUP), ("split_column", SPLIT)):
        if settings[param]:
            _require(frame, [settings[param]], path)
            out[column] = np.repeat(frame[settings[param]].astype(str).to_numpy(), lengths)
    return StepTable(out, names)


def _step_matrix(cell, column: str, sequence: str, path: Path) -> np.ndarray:
    """A list cell as [steps, width]: a list of numbers (width 1) or a list of equal-size
    vectors."""
    items = list(cell) if cell is not None else []
    if items and isinstance(items[0], (list, np.ndarray)):
        sizes = {len(item) for item in items}
        if len(sizes) > 1:
            raise DataError(
                f"{path}: sequence {sequence!r}, column {column!r}: ragged feature vectors (sizes "
                f"{sorted(sizes)}); every step needs a vector of the same size."
            )
    try:
        matrix = np.asarray(items, dtype=np.float32)
    except (TypeError, ValueError):
        raise DataError(
            f"{path}: sequence {sequence!r}, column {column!r} holds non-numeric values "
            f"(e.g. {items[:3]!r})."
        ) from None
    return matrix.reshape(len(items), -1) if len(items) else np.empty((0, 1), np.float32)


def _step_labels(cell, length: int, sequence: str, path: Path) -> np.ndarray:
    if isinstance(cell, (list, np.ndarray)):
        if len(cell) != length:
            raise DataError(
                f"{path}: sequence {sequence!r} has {len(cell)} per-step labels for {length} steps."
            )
        return np.asarray(cell, dtype=object)
    return np.full(length, cell, dtype=object)


def _from_npz(path: Path, labeled: bool = True) -> StepTable:
    try:
        arrays = np.load(path, allow_pickle=False)
        x = arrays["X"]
        y = arrays["y"] if labeled else np.full(len(x), np.nan)
        lengths = (
            arrays["lengths"]
            if "lengths" in arrays
            else np.full(len(x), x.shape[1] if x.ndim > 1 else 0)
        )
    except KeyError as exc:
        raise DataError(
            f"{path}: the .npz needs arrays X [sequences, steps, features] and y; {exc} is missing."
        ) from None
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: not a readable .npz ({exc}).") from None
    if x.ndim != 3 or not np.issubdtype(x.dtype, np.number) or x.shape[2] == 0:
        raise DataError(
            f"{path}: X must be a numeric array [sequences, steps, features]; got shape {x.shape}, "
            f"dtype {x.dtype}."
        )
    if len(y) != len(x) or len(lengths) != len(x):
        raise DataError(
            f"{path}: X has {len(x)} sequences but y has {len(y)} and lengths {len(lengths)}."
        )
    if y.ndim == 2 and y.shape[1] != x.shape[1]:
        raise DataError(
            f"{path}: y holds {y.shape[1]} per-step labels per sequence but X has {x.shape[1]} "
            "steps."
        )
    bad = np.flatnonzero((lengths < 1) | (lengths > x.shape[1]))
    if len(bad):
        raise DataError(
            f"{path}: sequence {int(bad[0])} has length {int(lengths[bad[0]])}; lengths must be "
            f"1..{x.shape[1]} (a sequence with no steps cannot be used)."
        )
    real = np.arange(x.shape[1])[None, :] < lengths[:, None]
    names = [f"x{i}" for i in range(x.shape[2])]
    out = pd.DataFrame(x[real].astype(np.float32), columns=names)
    out.insert(0, SEQUENCE, np.repeat(np.arange(len(x)), lengths).astype(str))
    out[LABEL] = y[real] if y.ndim == 2 else np.repeat(y, lengths)
    if not np.isfinite(out[names].to_numpy()).all():
        raise DataError(
            f"{path}: X holds NaN or infinite values at real steps. Fill or drop them first."
        )
    return StepTable(out, names)


def _clean_labels(labels: pd.Series, unlabeled: list[str]) -> pd.Series:
    """Integers stay integers (1.0 -> 1), others become strings; empty and `unlabeled` values ->
    missing."""
    values = labels.astype(object).where(labels.notna(), None)
    numbers = pd.to_numeric(values, errors="coerce")
    present = values.notna()
    if present.any() and numbers[present].notna().all() and (numbers[present] % 1 == 0).all():
        cleaned = numbers.astype("Int64")
    else:
        cleaned = (
            values.map(lambda v: None if v is None else str(v).strip())
            .replace("", None)
            .astype("string")
        )
    return cleaned.mask(cleaned.astype("string").isin(unlabeled))
