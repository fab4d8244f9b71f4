"""Every accepted input format read into the same long table, and every refusal naming its
culprit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from rnnpipe.core.errors import DataError
from rnnpipe.core.params import defaults
from rnnpipe.sequences.params import SEQUENCES_SCHEMA
from rnnpipe.sequences.tables import GROUP, LABEL, SEQUENCE, read_step_table

HAPT = ROOT.parent / "shared" / "datasets" / "hapt" / "hapt_raw_50hz.csv.gz"


def settings(**changes) -> dict:
    return {**defaults(SEQUENCES_SCHEMA)["download"], **changes}


def long_frame() -> pd.DataFrame:
    """Two sequences, steps out of order in the file, a per-step label with one unlabeled step
    (-1)."""
    return pd.DataFrame(
        {
            "user": [7, 7, 7, 3, 3],
            "step": [2, 0, 1, 1, 0],
            "a": [0.2, 0.0, 0.1, 1.1, 1.0],
            "b": [2.0, 0.0, 1.0, 5.0, 4.0],
            "label": [1, -1, 1, 0, 0],
        }
    )


def test_long_csv_steps_sorted_within_sequences_in_order_of_first_appearance(tmp_path):
    path = tmp_path / "steps.csv"
    long_frame().to_csv(path, index=False)
    table = read_step_table(
        path,
        settings(
            sequence_columns=["user"], step_column="step", unlabeled=["-1"], group_column="user"
        ),
    )
    frame = table.frame
    assert table.features == ["a", "b"]
    assert frame[SEQUENCE].tolist() == ["7", "7", "7", "3", "3"]
    assert frame["a"].tolist() == pytest.approx([0.0, 0.1, 0.2, 1.0, 1.1])
    assert frame[LABEL].tolist()[1:] == [1, 1, 0, 0] and pd.isna(
        frame[LABEL].iloc[0]
    )  # -1: unlabeled
    assert frame[GROUP].tolist() == ["7", "7", "7", "3", "3"]


def test_list_parquet_and_npz_give_the_same_steps_as_the_long_table(tmp_path):
    rows = pd.DataFrame(
        {
            "id": ["s1", "s2"],
            "a": [[0.0, 0.1, 0.2], [1.0, 1.1]],
            "b": [[0.0, 1.0, 2.0], [4.0, 5.0]],
            "label": ["up", "down"],
        }
    )
    rows.to_parquet(tmp_path / "rows.parquet")
    listed = read_step_table(tmp_path / "rows.parquet", settings(sequence_columns=["id"]))
    assert (
        listed.features == ["a", "b"] and listed.frame[SEQUENCE].tolist() == ["s1"] * 3 + ["s2"] * 2
    )
    assert listed.frame[LABEL].tolist() == ["up"] * 3 + ["down"] * 2

    vectors = pd.DataFrame(
        {
            "x": [[[0.0, 0.0], [0.1, 1.0], [0.2, 2.0]], [[1.0, 4.0], [1.1, 5.0]]],
            "label": [[1, 2, 2], [3, 3]],
        }
    )
    vectors.to_parquet(tmp_path / "vectors.parquet")
    per_step = read_step_table(tmp_path / "vectors.parquet", settings(sequence_columns=[]))
    assert per_step.features == ["x_0", "x_1"] and per_step.frame[LABEL].tolist() == [1, 2, 2, 3, 3]
    np.testing.assert_allclose(per_step.frame[["x_0", "x_1"]], listed.frame[["a", "b"]])

    x = np.zeros((2, 3, 2), np.float32)
    x[0], x[1, :2] = [[0.0, 0.0], [0.1, 1.0], [0.2, 2.0]], [[1.0, 4.0], [1.1, 5.0]]
    np.savez(tmp_path / "arrays.npz", X=x, lengths=np.array([3, 2]), y=np.array([-1, 1]))
    arrays = read_step_table(tmp_path / "arrays.npz", settings())
    np.testing.assert_allclose(arrays.frame[arrays.features], listed.frame[["a", "b"]])
    assert arrays.frame[LABEL].tolist() == [
        -1,
        -1,
        -1,
        1,
        1,
    ]  # -1 is a class unless download.unlabeled says so


def error_of(path, **changes) -> str:
    with pytest.raises(DataError) as caught:
        read_step_table(path, settings(**changes))
    return str(caught.value)


def test_refusals_name_the_culprit(tmp_path):
    frame = long_frame().assign(b=["x", "0", "1", "5", "4"])
    frame.to_csv(tmp_path / "text.csv", index=False)
    assert "feature column 'b' is not numeric" in error_of(
        tmp_path / "text.csv", sequence_columns=["user"]
    )
    long_frame().assign(a=[0.1, None, 0.1, 1.1, 1.0]).to_csv(tmp_path / "gap.csv", index=False)
    assert "'a' has 1 missing value(s), the first in sequence '7'" in error_of(
        tmp_path / "gap.csv", sequence_columns=["user"]
    )
    assert "no column 'session'" in error_of(
        tmp_path / "gap.csv", sequence_columns=["user", "session"]
    )

    pd.DataFrame({"a": [[0.0, 1.0], [1.0]], "label": [[1, 2, 2], [3]]}).to_parquet(
        tmp_path / "count.parquet"
    )
    assert "sequence '0' has 3 per-step labels for 2 steps" in error_of(
        tmp_path / "count.parquet", sequence_columns=[]
    )
    pd.DataFrame({"x": [[[0.0, 1.0], [1.0]]], "label": [1]}).to_parquet(tmp_path / "ragged.parquet")
    assert "ragged feature vectors" in error_of(tmp_path / "ragged.parquet", sequence_columns=[])
    pd.DataFrame({"a": [[0.0], []], "label": [1, 2]}).to_parquet(tmp_path / "empty.parquet")
    assert "sequence '1' has no steps" in error_of(tmp_path / "empty.parquet", sequence_columns=[])

    np.savez(
        tmp_path / "zero.npz", X=np.zeros((2, 3, 1)), lengths=np.array([3, 0]), y=np.array([0, 1])
    )
    assert "sequence 1 has length 0" in error_of(tmp_path / "zero.npz")
    np.savez(tmp_path / "steps.npz", X=np.zeros((2, 3, 1)), y=np.zeros((2, 4)))
    assert "y holds 4 per-step labels per sequence but X has 3 steps" in error_of(
        tmp_path / "steps.npz"
    )
    pd.DataFrame({"id": ["a", "b"], "label": [[1, 2], [0, 1]]}).to_parquet(
        tmp_path / "labels_only.parquet"
    )
    assert "no feature column: the only list-valued column is the label 'label'" in error_of(
        tmp_path / "labels_only.parquet", sequence_columns=[]
    )
    np.savez(tmp_path / "featureless.npz", X=np.zeros((2, 3, 0)), y=np.array([0, 1]))
    assert "X must be a numeric array [sequences, steps, features]" in error_of(
        tmp_path / "featureless.npz"
    )
    long_frame().assign(label=-1).to_csv(tmp_path / "unlabeled.csv", index=False)
    assert "no step has a label" in error_of(
        tmp_path / "unlabeled.csv", sequence_columns=["user"], unlabeled=["-1"]
    )


@pytest.mark.skipif(not HAPT.is_file(), reason=f"{HAPT} is absent (the shared datasets folder)")
def test_the_real_hapt_recordings_are_read_whole():
    table = read_step_table(
        HAPT,
        settings(
            sequence_columns=["user", "session"],
            step_column="sequence",
            group_column="user",
            unlabeled=["-1"],
        ),
    )
    frame = table.frame
    assert (
        len(frame) == 1_122_772 and frame[SEQUENCE].nunique() == 61 and frame[GROUP].nunique() == 30
    )
    assert table.features == ["acc-x", "acc-y", "acc-z", "gyro-x", "gyro-y", "gyro-z"]
    assert sorted(frame[LABEL].dropna().unique().tolist()) == list(range(1, 13))


def test_several_vector_columns_each_give_one_feature_per_component(tmp_path):
    pd.DataFrame(
        {
            "acc": [[[0.0, 1.0], [2.0, 3.0]]],
            "gyro": [[[4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]],
            "t": [[0.5, 0.25]],
            "label": [1],
        }
    ).to_parquet(tmp_path / "vectors.parquet")
    table = read_step_table(tmp_path / "vectors.parquet", settings(sequence_columns=[]))
    assert table.features == ["acc_0", "acc_1", "gyro_0", "gyro_1", "gyro_2", "t"]
    assert table.frame[table.features].to_numpy().tolist() == [
        [0, 1, 4, 5, 6, 0.5],
        [2, 3, 7, 8, 9, 0.25],
    ]
