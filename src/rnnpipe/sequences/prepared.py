"""The prepare stage's work and output: class ids, splits, train-fitted normalisation, items to
learn from.

data/prepared/ holds compact arrays the trainer just reads:
- values.npy [steps, features] float32, standardised with the training split's mean and std;
- step_labels.npy [steps] class ids, IGNORE_INDEX (-100) at unlabeled steps;
- sequences.parquet: per sequence its id, split, first step and length (and group);
- items.parquet: what is classified - whole sequences or windows - as split, start, length, class;
- meta.json: feature columns, mean/std, class labels, target, window settings, counts.
Windows are (start, length) pairs, never copies of the steps (spans.SpanSet).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..core.errors import DataError
from ..core.labels import LabelMap
from ..training.objectives import IGNORE_INDEX
from .spans import SpanSet
from .splits import assign_splits
from .tables import GROUP, LABEL, SEQUENCE, SPLIT, SPLITS, StepTable


@dataclass
class Prepared:
    values: np.ndarray
    step_labels: np.ndarray
    sequences: pd.DataFrame
    items: pd.DataFrame
    meta: dict

    def write(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "values.npy", self.values)
        np.save(folder / "step_labels.npy", self.step_labels)
        self.sequences.to_parquet(folder / "sequences.parquet", index=False)
        self.items.to_parquet(folder / "items.parquet", index=False)
        (folder / "meta.json").write_text(json.dumps(self.meta, indent=2) + "\n", encoding="utf-8")


def prepare_sequences(table: StepTable, settings: dict, window: dict) -> Prepared:
    """Class ids, splits, normalisation and items (prepare.* and window.* params) of a StepTable."""
    frame = table.frame
    labels = frame[LABEL]
    if settings["classes"]:
        labels = labels.mask(~labels.astype("string").isin(settings["classes"]))
        if labels.isna().all():
            raise DataError(f"prepare.classes {settings['classes']} matches no label of the data.")
    sequences = sequence_table(frame)
    sequences["split"] = assign_splits(sequences, settings)
    split_of_step = np.repeat(sequences["split"].to_numpy(), sequences["length"].to_numpy())
    step_labels, label_map = encode_labels(labels, split_of_step)
    windowed = window["length"] > 0
    target = resolve_target(settings["target"], step_labels, sequences, windowed)
    per_step = target == "step"
    if windowed:
        stride = window["stride"] or window["length"]
        items = window_items(
            sequences,
            step_labels,
            len(label_map),
            window["length"],
            stride,
            None if per_step else window["label"],
        )
        if per_step:  # per-step test scores count every step once: the test split's sequences whole
            items = pd.concat(
                [
                    items[items["split"] != "test"],
                    whole_items(sequences[sequences["split"] == "test"], step_labels, True),
                ]
            )
    else:
        items = whole_items(sequences, step_labels, per_step)
    values = frame[table.features].to_numpy(dtype=np.float32)
    train_steps = values[split_of_step == "train"]
    mean, std = train_steps.mean(axis=0), train_steps.std(axis=0)
    std = np.where(std > 1e-12, std, 1.0).astype(
        np.float32
    )  # a constant feature stays constant (0)
    counts = {
        split: {
            "sequences": int((sequences["split"] == split).sum()),
            "items": int((items["split"] == split).sum()),
            "labeled_steps": int(((step_labels != IGNORE_INDEX) & (split_of_step == split)).sum()),
        }
        for split in SPLITS
    }
    empty = [split for split in SPLITS if counts[split]["items"] == 0]
    if empty:
        raise DataError(
            f"no {'window' if windowed else 'sequence'} with a label in the {', '.join(empty)} "
            "split(s) "
            f"(counts: {counts}). "
            + (
                f"Shorten window.length ({window['length']}; the shortest "
                f"sequence has {int(sequences['length'].min())} steps) or use another window.label "
                "rule."
                if windowed
                else "Check the labels and the split params."
            )
        )
    meta = {
        "features": table.features,
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
        "reading": table.reading,
    }
    return Prepared(
        ((values - mean) / std).astype(np.float32),
        step_labels,
        sequences.drop(columns=[SPLIT], errors="ignore"),
        items.reset_index(drop=True),
        meta,
    )


def sequence_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per sequence: id, first step, length, and its group / split (which must not vary
    inside it)."""
    ids = frame[SEQUENCE].to_numpy()
    starts = np.flatnonzero(np.concatenate([[True], ids[1:] != ids[:-1]]))
    lengths = np.diff(np.concatenate([starts, [len(ids)]]))
    sequences = pd.DataFrame({"sequence": ids[starts], "start": starts, "length": lengths})
    for column in (GROUP, SPLIT):
        if column in frame:
            number = np.repeat(np.arange(len(starts)), lengths)
            varying = pd.Series(frame[column].to_numpy()).groupby(number).nunique().to_numpy() > 1
            if varying.any():
                raise DataError(
                    f"sequence {ids[starts[int(np.argmax(varying))]]!r} has more than one value in "
                    "the "
                    f"{'group' if column == GROUP else 'split'} column; a sequence belongs to one."
                )
            sequences[column] = frame[column].to_numpy()[starts]
    return sequences


def resolve_target(
    target: str, step_labels: np.ndarray, sequences: pd.DataFrame, windowed: bool
) -> str:
    """`auto`: per-step targets when some sequence has more than one class among its labeled
    steps. A class per whole sequence needs the same label on all its labeled steps (windows take
    theirs by window.label)."""
    varying = _varying_sequences(step_labels, sequences)
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


def _varying_sequences(step_labels: np.ndarray, sequences: pd.DataFrame):
    number = np.repeat(np.arange(len(sequences)), sequences["length"].to_numpy())
    labeled = step_labels != IGNORE_INDEX
    counts = pd.Series(step_labels[labeled]).groupby(number[labeled]).nunique()
    varying = counts.index[counts.to_numpy() > 1]
    return sequences["sequence"].iloc[varying[0]] if len(varying) else None


def encode_labels(labels: pd.Series, split_of_step: np.ndarray) -> tuple[np.ndarray, LabelMap]:
    """Class ids per step (IGNORE_INDEX where unlabeled) with a map fitted on the training
    split's labels."""
    present = labels.notna().to_numpy()
    values = labels.to_numpy(dtype=object)
    train = present & (split_of_step == "train")
    label_map = LabelMap.from_training_labels(v for v in values[train])
    step_labels = np.full(len(labels), IGNORE_INDEX, dtype=np.int64)
    for split in SPLITS:
        chosen = present & (split_of_step == split)
        step_labels[chosen] = label_map.encode(values[chosen], split)
    return step_labels, label_map


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
