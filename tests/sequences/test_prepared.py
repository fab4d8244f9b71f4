"""Splits without leaks, train-only normalisation, window labels, and batches gathered from
spans."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from rnnpipe.core.errors import DataError
from rnnpipe.core.params import defaults
from rnnpipe.sequences.params import SEQUENCES_SCHEMA
from rnnpipe.sequences.prepared import prepare_sequences, window_labels
from rnnpipe.sequences.spans import SpanSet
from rnnpipe.sequences.synthetic import binary_digits, sentence_documents
from rnnpipe.sequences.tables import GROUP, LABEL, SEQUENCE, StepTable
from rnnpipe.training.objectives import IGNORE_INDEX

PARAMS = defaults(SEQUENCES_SCHEMA)


def prepared(
    frame: pd.DataFrame,
    features: list[str],
    prepare: dict | None = None,
    window: dict | None = None,
):
    return prepare_sequences(
        StepTable(frame, features),
        {**PARAMS["prepare"], **(prepare or {})},
        {**PARAMS["window"], **(window or {})},
    )


def grouped_recordings(groups: int = 10, per_group: int = 3, steps: int = 40) -> pd.DataFrame:
    """Sequences of one class per quarter of their steps, each group's values offset by the group
    number."""
    rows = []
    for g in range(groups):
        for s in range(per_group):
            labels = np.repeat([0, 1, 2, 1], steps // 4)
            rows.append(
                pd.DataFrame(
                    {SEQUENCE: f"{g}/{s}", GROUP: str(g), "x": labels + g * 10.0, LABEL: labels}
                )
            )
    return pd.concat(rows, ignore_index=True)


def test_groups_never_share_a_split_and_normalisation_sees_train_only():
    frame = grouped_recordings()
    result = prepared(
        frame,
        ["x"],
        {"test_groups": ["8", "9"], "target": "sequence"},
        {"length": 8, "stride": 4, "label": "pure"},
    )
    sequences = result.sequences
    per_group = sequences.groupby(GROUP)["split"].nunique()
    assert (per_group == 1).all()
    assert set(sequences.loc[sequences["split"] == "test", GROUP]) == {"8", "9"}
    train_rows = np.repeat(sequences["split"].to_numpy() == "train", sequences["length"].to_numpy())
    assert result.values[train_rows].mean() == pytest.approx(0, abs=1e-5)
    assert result.values[~train_rows].mean() > 0.5  # test groups 8, 9 lie above the training mean
    assert result.meta["target"] == "sequence" and result.meta["counts"]["test"]["sequences"] == 6
    # pure windows of 8 steps every 4 inside 10-step runs of one class: none crosses a class change
    labels = result.step_labels
    for start, length, label in result.items[["start", "length", "label"]].itertuples(index=False):
        assert (labels[start : start + length] == label).all()


def test_window_label_rules():
    steps = np.array([0, 0, 1, 1, IGNORE_INDEX, 1])
    starts = np.array([0, 1, 2])
    assert window_labels(steps, starts, 3, 2, "last").tolist() == [1, 1, IGNORE_INDEX]
    assert window_labels(steps, starts, 3, 2, "majority").tolist() == [0, 1, 1]
    assert window_labels(steps, starts, 3, 2, "pure").tolist() == [
        IGNORE_INDEX,
        IGNORE_INDEX,
        IGNORE_INDEX,
    ]
    assert window_labels(steps, np.array([2]), 2, 2, "pure").tolist() == [1]


def test_per_step_targets_score_the_test_sequences_whole():
    result = prepared(binary_digits(60, seed=1), ["digit"], window={"length": 5, "stride": 5})
    items = result.items
    assert result.meta["target"] == "step" and (items["label"] == IGNORE_INDEX).all()
    assert (items.loc[items["split"] != "test", "length"] == 5).all()
    test = result.sequences[result.sequences["split"] == "test"]
    assert sorted(items.loc[items["split"] == "test", "length"]) == sorted(test["length"])


def test_a_sequence_label_that_varies_is_refused_naming_the_sequence():
    frame = sentence_documents(40, seed=0)
    last_step = frame.index[frame[SEQUENCE] == "7"][-1]
    frame.loc[last_step, LABEL] = 1 if frame.loc[last_step, LABEL] != 1 else 0
    with pytest.raises(DataError, match="sequence '7' has different labels"):
        prepared(frame, [c for c in frame.columns if c.startswith("v")], {"target": "sequence"})


def test_a_span_batch_is_the_items_steps_zero_padded():
    values = torch.arange(20, dtype=torch.float32).reshape(10, 2)
    step_labels = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3, 0, IGNORE_INDEX])
    spans = SpanSet(
        values,
        step_labels,
        torch.tensor([6, 1]),
        torch.tensor([4, 2]),
        torch.tensor([1, 0]),
        per_step=True,
    )
    (x, lengths), targets = spans.batch(np.array([1, 0]), torch.device("cpu"))
    assert lengths.tolist() == [2, 4]
    assert x[0].tolist() == [[2, 3], [4, 5], [0, 0], [0, 0]] and x[1].tolist() == [
        [12, 13],
        [14, 15],
        [16, 17],
        [18, 19],
    ]
    assert targets.tolist() == [[1, 2, IGNORE_INDEX, IGNORE_INDEX], [2, 3, 0, IGNORE_INDEX]]
    assert spans.targets.tolist() == [[2, 3, 0, IGNORE_INDEX], [1, 2, IGNORE_INDEX, IGNORE_INDEX]]
    whole = SpanSet(
        values, step_labels, torch.tensor([6, 1]), torch.tensor([4, 2]), torch.tensor([1, 0]), False
    )
    assert whole.batch(np.array([1]), torch.device("cpu"))[1].tolist() == [0]
