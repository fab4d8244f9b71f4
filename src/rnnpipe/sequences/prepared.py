"""The prepare stage's work and output: class ids, splits, train-fitted normalisation, items to
learn from, streamed from data/steps.parquet in three passes of whole sequences.

data/prepared/ holds compact arrays the trainer just reads:
- values.npy [steps, features] float32, standardised with the training split's mean and std;
- step_labels.npy [steps] class ids, IGNORE_INDEX (-100) at unlabeled steps;
- sequences.parquet: per sequence its id, first step, length, split (and group);
- items.parquet: what is classified - whole sequences or windows - as split, start, length, class;
- meta.json: feature columns, mean/std, class labels, target, window settings, counts.
Windows are (start, length) pairs, never copies of the steps (spans.SpanSet).

Passes (each reads the steps in record batches regrouped into chunks of whole sequences, so what it
holds is a chunk, plus 5 bytes per sequence (8 more while the splits are drawn) and the longest
sequence):
1. `scan_sequences`: where each sequence starts (and its group / split column) -> the splits;
2. `step_statistics`: each split's distinct labels, the training steps' mean and variance (merged
   chunk by chunk in float64), whether some sequence's label varies -> class ids and target;
3. `write_prepared`: standardised values, class ids, items and sequences, chunk by chunk.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import torch

from ..core.errors import DataError
from ..core.labels import LabelMap
from ..data import stream
from ..data.stream import FrameWriter, NpyRows, record_batches
from ..training.objectives import IGNORE_INDEX
from .spans import SpanSet
from .splits import assign_splits
from .tables import GROUP, LABEL, SEQUENCE, SPLIT, SPLITS, step_file_settings

# A chunk of whole sequences holds at least this many record batches: per-chunk work (a few pandas
# operations) is then amortised over ~65,000 steps (with one batch per chunk, prepare took 2.6x
# as long as reading the table whole did).
CHUNK_BATCHES = 8
ITEMS_SCHEMA = pa.schema(
    [("split", pa.string()), ("start", pa.int64()), ("length", pa.int64()), ("label", pa.int64())]
)


@dataclass
class SequenceLayout:
    """Pass 1's result: sequence i's steps are rows bounds[i]:bounds[i + 1] of the steps file
    (4 or 8 bytes per sequence), plus its group / split column values where the file has them."""

    bounds: np.ndarray
    columns: dict = field(default_factory=dict)  # GROUP / SPLIT -> object array per sequence

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def lengths(self, first: int = 0, end: int | None = None) -> np.ndarray:
        end = len(self) if end is None else end
        return np.diff(self.bounds[first : end + 1]).astype(np.int64)

    def frame(self) -> pd.DataFrame:
        """What assign_splits reads: one row per sequence, its group / split values."""
        return pd.DataFrame(self.columns, index=pd.RangeIndex(len(self)))


@dataclass
class StepStatistics:
    """Pass 2's result."""

    split_labels: dict  # split -> set of its distinct label values
    mean: np.ndarray  # of the training steps, per feature (float64)
    variance: np.ndarray
    varying: str | None  # the first sequence whose labeled steps hold more than one label
    labeled: bool  # some step keeps a label (after prepare.classes)


def prepare_folder(steps: str | Path, settings: dict, window: dict, folder: Path) -> dict:
    """data/steps.parquet -> `folder` (see the module doc) by the prepare.* and window.* params;
    returns meta.json's content."""
    features, reading = step_file_settings(steps)
    layout = scan_sequences(steps)
    split_codes = assign_splits(layout.frame(), settings)
    statistics = step_statistics(steps, layout, split_codes, features, settings["classes"])
    if not statistics.labeled:
        raise DataError(f"prepare.classes {settings['classes']} matches no label of the data.")
    label_map = LabelMap.from_split_labels(statistics.split_labels)
    windowed = window["length"] > 0
    target = resolve_target(settings["target"], statistics.varying, windowed)
    mean = statistics.mean.astype(np.float32)
    std = np.sqrt(statistics.variance).astype(np.float32)
    std = np.where(std > 1e-12, std, 1.0).astype(np.float32)  # a constant feature stays 0
    shape = {"window": window, "per_step": target == "step", "classes": len(label_map)}
    counts = write_prepared(
        steps,
        layout,
        split_codes,
        features,
        settings["classes"],
        label_map,
        (mean, std),
        shape,
        folder,
    )
    empty = [split for split in SPLITS if counts[split]["items"] == 0]
    if empty:
        raise DataError(
            f"no {'window' if windowed else 'sequence'} with a label in the {', '.join(empty)} "
            "split(s) "
            f"(counts: {counts}). "
            + (
                f"Shorten window.length ({window['length']}; the shortest "
                f"sequence has {int(layout.lengths().min())} steps) or use another window.label "
                "rule."
                if windowed
                else "Check the labels and the split params."
            )
        )
    meta = {
        "features": features,
        "mean": mean.astype(float).round(6).tolist(),
        "std": std.astype(float).round(6).tolist(),
        "labels": label_map.labels,
        "target": target,
        "window": {
            "length": window["length"],
            "stride": window["stride"] or window["length"],
            "label": window["label"],
        }
        if windowed
        else None,
        "counts": counts,
        "reading": reading,
    }
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def scan_sequences(steps: str | Path) -> SequenceLayout:
    """Pass 1: a sequence is a run of rows with one id; its group / split column (if any) must
    not vary inside it. With a split column, each sequence's first label is kept too."""
    source = pq.ParquetFile(steps)
    named = [c for c in (GROUP, SPLIT) if c in source.schema_arrow.names]
    # Room for a sequence per row, filled as sequences are found: only the pages written become
    # memory (4 bytes per sequence below 2^31 steps), and no list of pieces is concatenated (twice
    # that) at the end.
    rows = source.metadata.num_rows
    bounds = np.empty(rows + 1, dtype=np.int32 if rows < 2**31 - 1 else np.int64)
    found, values = 0, {column: [] for column in named}
    # each sequence's first label: validation carved from a given train split is stratified by it
    labelled = SPLIT in named and LABEL in source.schema_arrow.names
    if labelled:
        values[LABEL] = []
    previous = {column: None for column in (SEQUENCE, *named)}
    offset = 0
    for batch in record_batches(steps, [SEQUENCE, *named, *([LABEL] if labelled else [])]):
        ids = batch.column(SEQUENCE).to_numpy(zero_copy_only=False)
        new = np.empty(len(ids), dtype=bool)
        new[0] = offset == 0 or ids[0] != previous[SEQUENCE]
        new[1:] = ids[1:] != ids[:-1]
        local = np.flatnonzero(new)
        bounds[found : found + len(local)] = local + offset
        found += len(local)
        # each row's sequence start within the batch (-1: a sequence begun in an earlier batch)
        start_row = np.maximum.accumulate(np.where(new, np.arange(len(ids)), -1))
        for column in named:
            column_values = batch.column(column).to_numpy(zero_copy_only=False)
            first = column_values[np.maximum(start_row, 0)].copy()
            first[start_row < 0] = previous[column]
            same = (first == column_values) | (pd.isna(first) & pd.isna(column_values))
            if not same.all():
                culprit = ids[int(np.argmin(same))]
                raise DataError(
                    f"sequence {culprit!r} has more than one value in the "
                    f"{'group' if column == GROUP else 'split'} column; a sequence belongs to one."
                )
            values[column].append(column_values[local])
            previous[column] = column_values[-1]
        if labelled:
            values[LABEL].append(batch.column(LABEL).to_numpy(zero_copy_only=False)[local])
        previous[SEQUENCE] = ids[-1]
        offset += len(ids)
    bounds[found] = offset
    columns = {column: np.concatenate(parts) for column, parts in values.items()}
    return SequenceLayout(bounds[: found + 1], columns)


def sequence_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per sequence of a long frame held in memory (new data to predict): its id, first
    step and length."""
    ids = frame[SEQUENCE].to_numpy()
    starts = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]]))
    lengths = np.diff(np.concatenate([starts, [len(ids)]]))
    return pd.DataFrame({"sequence": ids[starts], "start": starts, "length": lengths})


def sequence_chunks(
    steps: str | Path, layout: SequenceLayout, columns: list[str]
) -> Iterator[tuple[int, int, pd.DataFrame]]:
    """(first sequence, end sequence, frame of their steps) for consecutive whole sequences: the
    record batches regrouped at sequence boundaries into chunks of at least CHUNK_BATCHES batches
    (a sequence longer than that comes whole)."""
    ends = layout.bounds[1:]
    least = CHUNK_BATCHES * stream.BATCH_ROWS
    pending, rows, first, offset = [], 0, 0, 0  # offset: the step number of pending's first row
    for frame in stream.frames(steps, columns):
        pending.append(frame)
        rows += len(frame)
        if rows < least:
            continue
        buffer = pd.concat(pending, ignore_index=True)
        # (the key in the array's own type: a wider one would convert the whole array per call)
        end = int(np.searchsorted(ends, ends.dtype.type(offset + len(buffer)), side="right"))
        if end == first:  # no sequence complete yet
            pending = [buffer]
            continue
        cut = int(ends[end - 1]) - offset
        yield first, end, buffer.iloc[:cut].reset_index(drop=True)
        rest = buffer.iloc[cut:].reset_index(drop=True)
        pending, rows = ([rest] if len(rest) else []), len(rest)
        first, offset = end, offset + cut
    if pending:  # the file's last rows end its last sequence
        yield first, len(layout), pd.concat(pending, ignore_index=True)


def sequence_id(steps: str | Path, row: int) -> str:
    """The id of the sequence that row `row` of the steps file belongs to (read from its row
    group alone)."""
    source = pq.ParquetFile(steps)
    for group in range(source.metadata.num_row_groups):
        size = source.metadata.row_group(group).num_rows
        if row < size:
            return source.read_row_group(group, columns=[SEQUENCE]).column(0)[row].as_py()
        row -= size
    raise IndexError(f"{steps} has no row {row}")


def chunk_labels(frame: pd.DataFrame, classes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The chunk's step labels as (present: which steps keep a label, the label values as
    objects); labels outside prepare.classes (when given) count as missing."""
    labels = frame[LABEL]
    if classes:
        labels = labels.mask(~labels.astype("string").isin(classes))
    return labels.notna().to_numpy(), labels.to_numpy(dtype=object)


def step_statistics(
    steps, layout: SequenceLayout, split_codes: np.ndarray, features: list[str], classes
) -> StepStatistics:
    """Pass 2: each split's distinct labels, the training steps' mean and variance, the first
    sequence whose label varies."""
    split_labels = {split: set() for split in SPLITS}
    count, mean, m2 = 0, np.zeros(len(features)), np.zeros(len(features))
    varying, labeled = None, False
    for first, end, frame in sequence_chunks(steps, layout, [LABEL, *features]):
        lengths = layout.lengths(first, end)
        split_of_step = np.repeat(split_codes[first:end], lengths)
        present, values = chunk_labels(frame, classes)
        labeled = labeled or bool(present.any())
        for code, split in enumerate(SPLITS):
            split_labels[split].update(pd.unique(values[present & (split_of_step == code)]))
        train = frame[features].to_numpy(dtype=np.float32)[split_of_step == 0].astype(np.float64)
        if len(train):  # Chan et al.'s merge of two sets' means and squared deviations
            chunk_mean = train.mean(axis=0)
            chunk_m2 = ((train - chunk_mean) ** 2).sum(axis=0)
            total = count + len(train)
            delta = chunk_mean - mean
            mean = mean + delta * len(train) / total
            m2 = m2 + chunk_m2 + delta**2 * count * len(train) / total
            count = total
        if varying is None:
            number = np.repeat(np.arange(end - first), lengths)
            distinct = pd.Series(values[present]).groupby(number[present]).nunique()
            several = distinct.index[distinct.to_numpy() > 1]
            if len(several):
                varying = sequence_id(steps, int(layout.bounds[first + several[0]]))
    split_labels = {split: labels for split, labels in split_labels.items() if labels}
    return StepStatistics(split_labels, mean, m2 / max(count, 1), varying, labeled)


def write_prepared(
    steps,
    layout: SequenceLayout,
    split_codes: np.ndarray,
    features: list[str],
    classes,
    label_map: LabelMap,
    normalisation: tuple[np.ndarray, np.ndarray],
    shape: dict,
    folder: Path,
) -> dict:
    """Pass 3: values.npy, step_labels.npy, items.parquet and sequences.parquet in `folder`,
    chunk by chunk; returns the counts per split."""
    mean, std = normalisation
    window, per_step = shape["window"], shape["per_step"]
    total = int(layout.bounds[-1])
    folder.mkdir(parents=True, exist_ok=True)
    values_file = NpyRows(folder / "values.npy", (total, len(features)), np.float32)
    labels_file = NpyRows(folder / "step_labels.npy", (total,), np.int64)
    counts = {
        split: {
            "sequences": int((split_codes == code).sum()),
            "items": 0,
            "labeled_steps": 0,
        }
        for code, split in enumerate(SPLITS)
    }
    named = list(layout.columns)
    item_writer = FrameWriter(folder / "items.parquet", ITEMS_SCHEMA)
    sequence_writer = FrameWriter(folder / "sequences.parquet")
    try:
        for first, end, frame in sequence_chunks(steps, layout, [SEQUENCE, LABEL, *features]):
            offset = int(layout.bounds[first])
            starts = (layout.bounds[first:end] - offset).astype(np.int64)
            lengths = layout.lengths(first, end)
            split_of_step = np.repeat(split_codes[first:end], lengths)
            present, values = chunk_labels(frame, classes)
            step_labels = np.full(len(frame), IGNORE_INDEX, dtype=np.int64)
            for code, split in enumerate(SPLITS):
                chosen = present & (split_of_step == code)
                codes, distinct = pd.factorize(values[chosen])  # each distinct label looked up once
                step_labels[chosen] = label_map.encode(distinct, split)[codes]
                counts[split]["labeled_steps"] += int(chosen.sum())
            x = frame[features].to_numpy(dtype=np.float32)
            values_file.write(((x - mean) / std).astype(np.float32))
            labels_file.write(step_labels)
            sequences = pd.DataFrame(
                {
                    "sequence": frame[SEQUENCE].to_numpy()[starts],
                    "start": starts,
                    "length": lengths,
                    **{column: layout.columns[column][first:end] for column in named},
                    "split": np.array(SPLITS, dtype=object)[split_codes[first:end]],
                }
            )
            items = chunk_items(sequences, step_labels, shape["classes"], window, per_step)
            items["start"] += offset
            for split, n in items["split"].value_counts().items():
                counts[split]["items"] += int(n)
            item_writer.write(items)
            sequences["start"] += offset
            sequence_writer.write(sequences.drop(columns=[SPLIT], errors="ignore"))
        values_file.finish()
        labels_file.finish()
    finally:
        for writer in (item_writer, sequence_writer, values_file, labels_file):
            writer.close()
    return counts


def chunk_items(
    sequences: pd.DataFrame, step_labels: np.ndarray, classes: int, window: dict, per_step: bool
) -> pd.DataFrame:
    """The items of a chunk's sequences (starts relative to the chunk): whole sequences, or
    windows; with per-step targets and windows, the test split's sequences whole (its per-step
    scores count every step once)."""
    if window["length"] == 0:
        return whole_items(sequences, step_labels, per_step)
    stride = window["stride"] or window["length"]
    rule = None if per_step else window["label"]
    items = window_items(sequences, step_labels, classes, window["length"], stride, rule)
    if per_step:
        test = sequences["split"] == "test"
        items = pd.concat(
            [items[items["split"] != "test"], whole_items(sequences[test], step_labels, True)],
            ignore_index=True,
        )
    return items


def resolve_target(target: str, varying: str | None, windowed: bool) -> str:
    """`auto`: per-step targets when some sequence (`varying`, the first) has more than one
    class among its labeled steps. A class per whole sequence needs the same label on all its
    labeled steps (windows take theirs by window.label)."""
    if target == "sequence" and varying is not None and not windowed:
        raise DataError(
            f"sequence {varying!r} has different labels at different steps, but prepare.target is "
            "'sequence' (one class per sequence). Fix its labels, use prepare.target: step, or "
            "cut "
            f"windows (window.length) with a window.label rule."
        )
    if target == "auto":
        return "step" if varying is not None else "sequence"
    return target


def window_items(
    sequences: pd.DataFrame,
    step_labels: np.ndarray,
    classes: int,
    length: int,
    stride: int,
    rule: str | None,
) -> pd.DataFrame:
    """Windows of `length` steps every `stride` steps inside each sequence, labeled by `rule`
    (None: per-step)."""
    starts, splits = [], []
    for start, size, split in sequences[["start", "length", "split"]].itertuples(index=False):
        cut = start + np.arange(0, size - length + 1, stride)
        starts.append(cut)
        splits.append(np.full(len(cut), split, dtype=object))
    starts = np.concatenate(starts) if starts else np.empty(0, np.int64)
    items = pd.DataFrame(
        {
            "split": np.concatenate(splits) if splits else [],
            "start": starts.astype(np.int64),
            "length": np.full(len(starts), length, dtype=np.int64),
        }
    )
    items["label"] = (
        IGNORE_INDEX if rule is None else window_labels(step_labels, starts, length, classes, rule)
    )
    return items if rule is None else items[items["label"] != IGNORE_INDEX].reset_index(drop=True)


def window_labels(
    step_labels: np.ndarray, starts: np.ndarray, length: int, classes: int, rule: str
) -> np.ndarray:
    """A class per window: its last step's, the most common among its labeled steps, or the one
    all its steps share (`pure`); IGNORE_INDEX where none (an unlabeled last step, no labeled
    step, mixed steps)."""
    if rule == "last":
        return step_labels[starts + length - 1]
    # Steps of each class before every position: a window's class counts are two lookups.
    onehot = np.zeros((len(step_labels) + 1, classes), dtype=np.int32)
    labeled = np.flatnonzero(step_labels != IGNORE_INDEX)
    onehot[labeled + 1, step_labels[labeled]] = 1
    before = np.cumsum(onehot, axis=0)
    counts = before[starts + length] - before[starts]
    best = counts.argmax(axis=1)
    top = counts[np.arange(len(starts)), best]
    keep = top == length if rule == "pure" else top > 0
    return np.where(keep, best, IGNORE_INDEX)


def whole_items(sequences: pd.DataFrame, step_labels: np.ndarray, per_step: bool) -> pd.DataFrame:
    """Every sequence as one item; its class is that of its labeled steps (none labeled: left
    out)."""
    items = sequences[["split", "start", "length"]].copy()
    if per_step:
        items["label"] = IGNORE_INDEX
        return items
    number = np.repeat(np.arange(len(sequences)), sequences["length"].to_numpy())
    labeled = step_labels != IGNORE_INDEX
    first = pd.Series(step_labels[labeled]).groupby(number[labeled]).first()
    items["label"] = first.reindex(range(len(sequences)), fill_value=IGNORE_INDEX).to_numpy()
    return items[items["label"] != IGNORE_INDEX].reset_index(drop=True)


def load_spans(folder: str | Path, splits=SPLITS) -> tuple[dict[str, SpanSet], dict]:
    """One SpanSet per split from the prepare stage's folder, and its meta.json."""
    folder = Path(folder)
    if not (folder / "meta.json").is_file():
        raise DataError(
            f"{folder}: no prepared sequences here; run `dvc repro sequences/dvc.yaml`."
        )
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    # Memory-mapped (copy-on-write: torch wants writable arrays, nothing here writes): a batch
    # reads its windows' pages, and the steps of a corpus larger than memory never all load.
    values = torch.from_numpy(np.load(folder / "values.npy", mmap_mode="c"))
    step_labels = torch.from_numpy(np.load(folder / "step_labels.npy", mmap_mode="c"))
    items = pd.read_parquet(folder / "items.parquet")
    per_step = meta["target"] == "step"
    sets = {}
    for split in splits:
        sets[split] = SpanSet.from_items(
            values, step_labels, items[items["split"] == split], per_step
        )
    return sets, meta
