"""Splits without leaks, train-only normalisation, window labels, and batches gathered from
spans."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import torch

from rnnpipe.core.errors import DataError
from rnnpipe.core.params import defaults
from rnnpipe.data import stream
from rnnpipe.sequences import synthetic
from rnnpipe.sequences.params import SEQUENCES_SCHEMA
from rnnpipe.sequences.prepared import prepare_folder, window_labels
from rnnpipe.sequences.spans import SpanSet
from rnnpipe.sequences.synthetic import binary_digits, sentence_documents
from rnnpipe.sequences.tables import GROUP, LABEL, SEQUENCE, SPLIT, StepTable
from rnnpipe.training.objectives import IGNORE_INDEX

PARAMS = defaults(SEQUENCES_SCHEMA)


def prepared(
    frame: pd.DataFrame,
    features: list[str],
    prepare: dict | None = None,
    window: dict | None = None,
) -> SimpleNamespace:
    """The prepare stage's folder for `frame`, read back: values, step_labels, sequences, items,
    meta."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "prepared"
        StepTable(frame, features).write(Path(tmp) / "steps.parquet")
        prepare_folder(
            Path(tmp) / "steps.parquet",
            {**PARAMS["prepare"], **(prepare or {})},
            {**PARAMS["window"], **(window or {})},
            folder,
        )
        return SimpleNamespace(
            values=np.load(folder / "values.npy"),
            step_labels=np.load(folder / "step_labels.npy"),
            sequences=pd.read_parquet(folder / "sequences.parquet"),
            items=pd.read_parquet(folder / "items.parquet"),
            meta=json.loads((folder / "meta.json").read_text()),
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


@pytest.mark.parametrize("batch_rows", [3, 7, 45])
def test_prepare_streams_batches_of_any_size_to_the_same_folder(monkeypatch, batch_rows):
    """Record batches shorter than a sequence (3, 7: 40-step recordings carried across batches)
    or cutting sequences anywhere (45) give what one batch gives: the passes regroup whole
    sequences."""
    cases = [
        (grouped_recordings(), ["x"], {"test_groups": ["8", "9"]}, {"length": 8, "stride": 4}),
        (binary_digits(50, seed=4), ["digit"], {}, {"length": 5, "stride": 3}),  # per-step
    ]
    for frame, features, prepare, window in cases:
        whole = prepared(frame, features, prepare, window)
        monkeypatch.setattr(stream, "BATCH_ROWS", batch_rows)
        batched = prepared(frame, features, prepare, window)
        monkeypatch.undo()
        np.testing.assert_allclose(batched.values, whole.values, rtol=0, atol=1e-6)
        assert (batched.step_labels == whole.step_labels).all()
        for split in ("train", "validation", "test"):  # (splits interleave chunk by chunk)
            pd.testing.assert_frame_equal(
                batched.items[batched.items["split"] == split].reset_index(drop=True),
                whole.items[whole.items["split"] == split].reset_index(drop=True),
            )
        pd.testing.assert_frame_equal(batched.sequences, whole.sequences)
        assert batched.meta["counts"] == whole.meta["counts"]
        assert batched.meta["labels"] == whole.meta["labels"]


def test_a_group_changing_inside_a_sequence_across_batches_is_refused(monkeypatch):
    frame = grouped_recordings()
    frame.loc[(frame[SEQUENCE] == "3/1").to_numpy().nonzero()[0][25], GROUP] = "x"
    monkeypatch.setattr(stream, "BATCH_ROWS", 7)  # row 25 of the sequence: 3 batches after it began
    with pytest.raises(DataError, match="sequence '3/1' has more than one value in the group"):
        prepared(frame, ["x"], {"test_groups": ["8", "9"]})


def test_synthetic_digits_drawn_in_batches_keep_one_class_rule_across_batch_ends(monkeypatch):
    monkeypatch.setattr(synthetic, "SEQUENCES_PER_BATCH", 7)
    frame = binary_digits(20, seed=2)
    assert frame[SEQUENCE].unique().tolist() == [str(i) for i in range(20)]
    for _, steps in frame.groupby(SEQUENCE, sort=False):
        digits = steps["digit"].to_numpy().astype(int)
        previous = np.concatenate([[0], digits[:-1]])  # each sequence starts fresh
        assert (steps[LABEL].to_numpy() == digits + 2 * previous).all()


def test_a_split_column_of_train_and_test_gets_validation_carved_from_train_stratified():
    # UCR / UEA archives ship TRAIN and TEST only: validation comes from the train sequences,
    # stratified by label and seeded; the given test sequences stay test.
    rows = []
    for k in range(40):
        label, split = k % 4, ("TEST" if k >= 32 else "TRAIN")
        rows.append(
            pd.DataFrame(
                {SEQUENCE: f"s{k}", SPLIT: split, "x": np.arange(6.0) + label, LABEL: label}
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    settings = {"val_fraction": 0.25, "target": "sequence"}
    first, second = prepared(frame, ["x"], settings), prepared(frame, ["x"], settings)
    assert first.items["split"].tolist() == second.items["split"].tolist()  # seeded
    counts = first.items.groupby("split").size().to_dict()
    assert counts == {"test": 8, "train": 24, "validation": 8}
    validation = first.items[first.items["split"] == "validation"]
    assert validation["label"].value_counts().tolist() == [2, 2, 2, 2]  # stratified
    # the given test sequences stay test: theirs are the last 8 starts (x begins at its label)
    test_starts = first.items.loc[first.items["split"] == "test", "start"]
    assert sorted(test_starts) == list(range(32 * 6, 40 * 6, 6))


def test_a_split_column_naming_no_test_sequence_says_so():
    frame = grouped_recordings(groups=2)
    frame[SPLIT] = "train"
    with pytest.raises(
        DataError, match="the test split.* the split column names no sequence of it"
    ):
        prepared(frame, ["x"], {"target": "sequence"})
