"""New sequences through a trained model (`rnnpipe predict --model sequences/data/model --file
new.csv`).

The file is read like the training data (the same formats; the sequence and step columns the model
recorded; no labels needed), standardised with the training split's statistics, cut into the model's
windows if it classifies windows, and classified: one label per sequence, per window, or per step (a
per-step model labels whole sequences, windows or not, as its test split was scored).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..core.errors import DataError
from ..core.metrics import probabilities
from ..training.inference import predict
from ..training.objectives import IGNORE_INDEX
from .model import TrainedSequenceModel
from .prepared import sequence_table, whole_items, window_items
from .spans import SpanSet
from .tables import MissingColumnsError, read_step_table


def predict_file(
    path: str | Path, trained: TrainedSequenceModel, batch_size: int = 256
) -> list[dict]:
    """One dict per sequence (or window): `sequence`, `start` (its first step), `labels` (one, or
    one per step) and `probability` (of each label)."""
    reading = trained.reading or {"sequence_columns": ["sequence"], "step_column": ""}
    settings = {
        **reading,
        "feature_columns": trained.features,
        "label_column": "",
        "group_column": "",
        "split_column": "",
        "unlabeled": [],
    }
    try:
        table = read_step_table(path, settings, labeled=False)
    except MissingColumnsError as exc:  # training's params are no remedy for a trained model
        needed = [*reading["sequence_columns"], reading["step_column"], *trained.features]
        raise DataError(
            f"{path}: no column {', '.join(map(repr, exc.missing))}; the model reads sequences "
            f"laid out as its training data: columns {', '.join(c for c in needed if c)} "
            f"(the file has {', '.join(map(str, exc.found))}). Rename or add those columns."
        ) from None
    if len(table.features) != len(
        trained.features
    ):  # .npz and list files name features by position
        raise DataError(
            f"{path}: {len(table.features)} features per step; the model was trained on "
            f"{len(trained.features)} ({', '.join(trained.features)})."
        )
    sequences = sequence_table(table.frame).assign(split="new")
    no_labels = np.full(len(table.frame), IGNORE_INDEX, dtype=np.int64)
    window = trained.window
    if trained.classifies_windows:
        items = window_items(
            sequences, no_labels, len(trained.labels), window["length"], window["stride"], None
        )
        if items.empty:
            raise DataError(
                f"{path}: no sequence holds a whole window of {window['length']} steps (the "
                "model's "
                f"window.length)."
            )
    else:
        items = whole_items(sequences, no_labels, per_step=True)
    values = torch.from_numpy(trained.standardise(table.frame[table.features].to_numpy(np.float32)))
    spans = SpanSet.from_items(
        values, torch.from_numpy(no_labels), items, per_step=trained.target == "step"
    )
    proba = probabilities(predict(trained.scorer, spans, batch_size, torch.device("cpu")))
    return _rows(items, sequences, proba, trained.labels, spans.per_step)


def _rows(
    items: pd.DataFrame, sequences: pd.DataFrame, proba: np.ndarray, names: list, per_step: bool
) -> list[dict]:
    first_step = dict(zip(sequences["start"], sequences["sequence"]))
    starts = np.sort(sequences["start"].to_numpy())
    rows = []
    for i, (start, length) in enumerate(items[["start", "length"]].itertuples(index=False)):
        owner = starts[np.searchsorted(starts, start, side="right") - 1]
        item = proba[i, :length] if per_step else proba[i : i + 1]
        best = item.argmax(axis=-1)
        rows.append(
            {
                "sequence": first_step[owner],
                "start": int(start - owner),
                "labels": [names[k] for k in best],
                "probability": [round(float(p[k]), 6) for p, k in zip(item, best)],
            }
        )
    return rows
