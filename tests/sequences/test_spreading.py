"""A window classifier's probabilities spread over the steps its windows cover."""

import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from rnnpipe.sequences.spreading import spread_probabilities
from rnnpipe.training.objectives import IGNORE_INDEX


class FirstStepClass(nn.Module):
    """Logits that put all the weight on class `x[0]` of each window (features hold class ids)."""

    def forward(self, steps, lengths):
        return torch.nn.functional.one_hot(steps[:, 0, 0].long(), 3).float() * 50


def test_every_labeled_step_gets_the_mean_of_its_windows_and_tails_the_last_window():
    # Two sequences: 7 steps (windows of 4 every 2: starts 0, 2; steps 6 is a tail) and 3 steps (no
    # window).
    classes = np.array([0, 1, 2, 2, 1, 1, 0, 2, 2, 2])
    values = torch.tensor(classes, dtype=torch.float32)[:, None]
    labels = classes.copy()
    labels[1] = IGNORE_INDEX
    sequences = pd.DataFrame({"start": [0, 7], "length": [7, 3], "split": "test"})
    truth, proba = spread_probabilities(
        FirstStepClass(),
        values,
        labels,
        sequences,
        {"length": 4, "stride": 2},
        8,
        torch.device("cpu"),
    )
    assert truth.tolist() == [
        0,
        2,
        2,
        1,
        1,
        0,
    ]  # steps 0, 2-6; step 1 unlabeled; the 3-step sequence has no window
    # windows: [0-3] says class 0, [2-5] says class 2; steps 2-3 are covered by both, 6 takes window
    # [2-5]
    expected = [[1, 0, 0], [0.5, 0, 0.5], [0.5, 0, 0.5], [0, 0, 1], [0, 0, 1], [0, 0, 1]]
    np.testing.assert_allclose(proba, expected, atol=1e-6)
    assert proba.sum(axis=1) == pytest.approx(np.ones(6))
