"""`rnnpipe predict` for sequences: windows for a window classifier, whole sequences for a
per-step model."""

import numpy as np
import pandas as pd
import pytest

from conftest import sequence_config
from rnnpipe.sequences.model import SequenceModel, TrainedSequenceModel
from rnnpipe.sequences.predictor import predict_file


def trained(target: str) -> TrainedSequenceModel:
    model = SequenceModel(
        sequence_config(features=1, num_classes=3, per_step=target == "step", hidden=4)
    ).eval()
    return TrainedSequenceModel(
        model,
        ["x"],
        ["a", "b", "c"],
        [0.0],
        [1.0],
        target,
        {"length": 4, "stride": 2, "label": "last"},
        {"sequence_columns": ["id"], "step_column": ""},
    )


@pytest.fixture
def new_file(tmp_path):
    path = tmp_path / "new.csv"
    pd.DataFrame({"id": ["s"] * 8 + ["t"] * 5, "x": np.arange(13.0)}).to_csv(path, index=False)
    return path


def test_a_window_classifier_labels_each_window_and_a_per_step_model_whole_sequences(new_file):
    windows = predict_file(new_file, trained("sequence"))
    assert [(row["sequence"], row["start"], len(row["labels"])) for row in windows] == [
        ("s", 0, 1),
        ("s", 2, 1),
        ("s", 4, 1),
        ("t", 0, 1),
    ]
    steps = predict_file(new_file, trained("step"))
    assert [(row["sequence"], row["start"], len(row["labels"])) for row in steps] == [
        ("s", 0, 8),
        ("t", 0, 5),
    ]
    assert all(label in ("a", "b", "c") for row in steps for label in row["labels"])


def test_a_file_without_the_models_columns_names_them_not_training_params(tmp_path):
    from rnnpipe.core.errors import DataError

    path = tmp_path / "renamed.csv"
    pd.DataFrame({"user": ["s"] * 5, "value": np.arange(5.0)}).to_csv(path, index=False)
    with pytest.raises(DataError) as raised:
        predict_file(path, trained("sequence"))
    message = str(raised.value)
    assert "the model reads sequences laid out as its training data: columns id, x" in message
    assert "(the file has user, value)" in message and "download." not in message
