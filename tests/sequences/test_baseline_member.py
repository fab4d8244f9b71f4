"""The linear baseline as a member of the sequences model: the torch module computes
scikit-learn's probabilities, a saved model reloads with it, the mix is a drop-in module, and the
weight follows the better member on validation; the sizes adapt to few training items."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from rnnpipe.core.errors import ModelFileError
from rnnpipe.core.metrics import probabilities
from rnnpipe.core.mixing import member_weight
from rnnpipe.sequences.baselines import (
    SequenceBaseline,
    labeled_steps,
    member_probabilities,
    summary_features,
)
from rnnpipe.sequences.model import SequenceConfig, SequenceModel, TrainedSequenceModel
from rnnpipe.sequences.spans import SpanSet
from rnnpipe.sequences.train import sizes_for
from rnnpipe.training.inference import predict
from rnnpipe.training.objectives import IGNORE_INDEX


def spans(classes: int, per_step: bool, items: int = 60, seed: int = 0) -> SpanSet:
    """Items of 5-20 steps of 3 features whose level follows the class (per step: each step's)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(5, 21, items)
    starts = np.r_[0, np.cumsum(lengths)[:-1]]
    item_labels = np.arange(items) % classes
    step_labels = np.repeat(item_labels, lengths)
    if per_step:
        step_labels = rng.integers(0, classes, lengths.sum())
    values = rng.normal(0, 1, (lengths.sum(), 3)) + step_labels[:, None] * 0.8
    frame = pd.DataFrame(
        {"start": starts, "length": lengths, "label": IGNORE_INDEX if per_step else item_labels}
    )
    return SpanSet.from_items(
        torch.tensor(values, dtype=torch.float32), torch.tensor(step_labels), frame, per_step
    )


@pytest.mark.parametrize("classes, per_step", [(2, False), (4, False), (3, True)])
def test_the_member_computes_scikit_learns_probabilities(classes, per_step):
    train, test = spans(classes, per_step), spans(classes, per_step, seed=1)
    member = SequenceBaseline.fit(train, classes, 20000)
    if per_step:
        (x, y), (x_test, _) = labeled_steps(train), labeled_steps(test)
    else:
        x, y, x_test = summary_features(train), train.labels.numpy(), summary_features(test)
    reference = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(x, y)
    expected = reference.predict_proba(x_test)
    np.testing.assert_allclose(member_probabilities(member, test), expected, atol=1e-5)


def trained_with_member(weight: float, tmp_path=None) -> tuple[TrainedSequenceModel, SpanSet]:
    train, test = spans(4, False), spans(4, False, seed=1)
    torch.manual_seed(0)
    config = SequenceConfig(3, 4, False, "gru", 8, 1, False, 0.0, "last")
    member = SequenceBaseline.fit(train, 4, 20000).eval()
    trained = TrainedSequenceModel(
        SequenceModel(config).eval(),
        ["a", "b", "c"],
        list("wxyz"),
        [0.0] * 3,
        [1.0] * 3,
        "sequence",
        None,
        None,
        member,
        weight,
    )
    return trained, test


def test_the_mix_is_a_drop_in_module_and_a_saved_model_reloads_it(tmp_path):
    trained, test = trained_with_member(0.4)
    network = probabilities(predict(trained.model, test, 16, torch.device("cpu")))
    member = member_probabilities(trained.baseline, test)
    mixed = probabilities(predict(trained.scorer, test, 16, torch.device("cpu")))
    np.testing.assert_allclose(mixed, 0.6 * network + 0.4 * member, atol=1e-6)
    trained.save(tmp_path / "model")
    loaded = TrainedSequenceModel.load(tmp_path / "model")
    assert loaded.baseline_weight == 0.4
    again = probabilities(predict(loaded.scorer, test, 16, torch.device("cpu")))
    np.testing.assert_allclose(again, mixed, atol=1e-6)
    (tmp_path / "model/baseline.safetensors").write_bytes(b"tampered")
    with pytest.raises(ModelFileError, match="not the baseline member this model was trained"):
        TrainedSequenceModel.load(tmp_path / "model")


def test_weight_zero_scores_with_the_network_itself():
    trained, _ = trained_with_member(0.0)
    assert trained.scorer is trained.model


def test_the_weight_follows_the_better_member_on_validation():
    labels = np.array([0, 1, 2, 1])
    right = np.eye(3)[labels] * 0.9 + 0.1 / 3
    flat = np.full((4, 3), 1 / 3)
    assert member_weight(labels, network_proba=flat, member_proba=right) == 1.0
    assert member_weight(labels, network_proba=right, member_proba=flat) == 0.0


def test_sizes_adapt_to_few_training_items_and_leave_many_alone():
    settings = {"batch_size": 32, "epochs": 10, "patience": 3}
    assert sizes_for(27, settings) == {"batch_size": 1, "epochs": 15, "patience": 5}
    assert sizes_for(270, settings) == {"batch_size": 16, "epochs": 24, "patience": 8}
    assert sizes_for(1400, settings) == settings  # the digits default: unchanged
    assert sizes_for(5, {**settings, "patience": 0})["patience"] == 0  # disabled stays disabled
