"""Per-step outputs fit the shared loop: predict pads each batch's steps to the split's longest
row (steps past a row's length are never read), and an objective's (loss, score sum, count) makes
the reported score a per-step mean over real steps only."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from rnnpipe.data.bucketing import bucketed_batches
from rnnpipe.nn.heads import StepHead
from rnnpipe.nn.recurrent import RecurrentStack
from rnnpipe.training.inference import evaluate_loss, predict
from rnnpipe.training.loop import TrainSettings, train_model
from rnnpipe.training.objectives import IGNORE_INDEX, StepClassificationObjective

IGNORE = IGNORE_INDEX


class StepSequences:
    """A BatchSource of left-aligned feature rows [n, T, 2] whose target at each real step is 1
    when the running sum of the first feature is positive; padded steps carry IGNORE."""

    def __init__(self, rows: int, seed: int):
        rng = np.random.default_rng(seed)
        self.lengths = torch.from_numpy(rng.integers(1, 12, rows))
        self.values = torch.from_numpy(rng.normal(size=(rows, 12, 2)).astype(np.float32))
        real = torch.arange(12)[None, :] < self.lengths[:, None]
        self.values[~real] = 0.0
        labels = (self.values[..., 0].cumsum(1) > 0).long()
        self.labels = labels.masked_fill(~real, IGNORE)

    def __len__(self):
        return len(self.lengths)

    @property
    def targets(self):
        return self.labels

    def batches(self, batch_size, rng, bucket_batches=1):
        return bucketed_batches(self.lengths.numpy(), batch_size, rng, bucket_batches)

    def batch(self, rows, device, non_blocking=False):
        rows = torch.as_tensor(rows)
        longest = int(self.lengths[rows].max())
        return ((self.values[rows, :longest], self.lengths[rows]), self.labels[rows, :longest])


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = RecurrentStack(2, "gru", 16, 1, True, 0.0)
        self.head = StepHead(32, 2, 0.0)

    def forward(self, values, lengths):
        return self.head(self.rnn(values, lengths))


def test_predict_pads_per_step_outputs_to_the_longest_row_in_row_order():
    data = StepSequences(50, seed=0)
    torch.manual_seed(0)
    model = Tagger()
    outputs = predict(model, data, batch_size=8, device=torch.device("cpu"))
    assert outputs.shape == (50, int(data.lengths.max()), 2)
    model.eval()
    for row in (0, 17, 49):
        length = int(data.lengths[row])
        alone = model(data.values[row : row + 1, :length], data.lengths[row : row + 1])[0]
        assert torch.allclose(outputs[row, :length], alone, atol=1e-5)


def test_the_score_is_a_mean_over_real_steps_and_the_loop_learns_per_step_labels():
    train, validation = StepSequences(400, seed=1), StepSequences(100, seed=2)
    torch.manual_seed(0)
    model = Tagger()
    objective = StepClassificationObjective()
    _, before = evaluate_loss(model, validation, 64, torch.device("cpu"), objective)
    logits = predict(model, validation, 64, torch.device("cpu"))
    labels = validation.labels[:, : logits.size(1)]  # no row is as long as the stored width
    real = labels != IGNORE
    by_hand = float(((logits.argmax(-1) == labels) & real).sum()) / float(real.sum())
    assert before == by_hand  # divided by real steps, not by rows
    result = train_model(
        model,
        train,
        validation,
        TrainSettings(lr=0.01, batch_size=32, epochs=6, patience=0),
        torch.device("cpu"),
        progress=False,
        objective=objective,
    )
    assert result.history[-1]["val_accuracy"] > max(before, 0.9)
