"""The simple baselines every sequences evaluation prints beside the RNN, on the same test items,
and the member train.mix_baseline mixes into the model.

- per-step targets: a logistic regression on the current step's features alone (no memory). On the
  binary-digit task it cannot beat ~50%: the class needs the previous digit.
- a class per sequence / window: a logistic regression on each feature's mean, std, min and max over
  the item's steps (the classic activity-recognition features), which sees no order.
Both are fitted on a seeded sample of at most `max_items` training items (steps for per-step
targets). `SequenceBaseline` is the fitted model as a module reading what the network reads
(steps, lengths), so the model folder stores it as a few arrays and a mix of both runs as one
module (model.MixedSequenceModel): on 32 training sequences the network alone can fall far below
this baseline, which the mix, its weight chosen on validation, does not.
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from ..training.objectives import IGNORE_INDEX
from .spans import SpanSet

ARRAYS = ("mean", "scale", "coef", "intercept", "classes")


def summary(steps: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """[items, 4 * features]: mean, std, min and max of each feature over each item's real
    steps."""
    real = (torch.arange(steps.size(1), device=steps.device)[None, :] < lengths[:, None]).unsqueeze(
        -1
    )
    count = lengths[:, None].to(steps.dtype)
    mean = (steps * real).sum(1) / count
    std = (((steps - mean[:, None]) * real) ** 2).sum(1).div(count).sqrt()
    low = steps.masked_fill(~real, np.inf).amin(1)
    high = steps.masked_fill(~real, -np.inf).amax(1)
    return torch.cat([mean, std, low, high], dim=1)


def summary_features(data: SpanSet, batch_size: int = 512) -> np.ndarray:
    """`summary` of every item of `data`, as a numpy array."""
    rows = []
    for start in range(0, len(data), batch_size):
        (x, lengths), _ = data.batch(
            np.arange(start, min(start + batch_size, len(data))), torch.device("cpu")
        )
        rows.append(summary(x, lengths).numpy())
    return np.concatenate(rows) if rows else np.empty((0, 4 * data.values.size(1)), np.float32)


def labeled_steps(data: SpanSet) -> tuple[np.ndarray, np.ndarray]:
    """(features [n, F], classes [n]) of every labeled step of the items, once per item covering
    it."""
    index = torch.cat([torch.arange(int(s), int(s + n)) for s, n in zip(data.starts, data.lengths)])
    labels = data.step_labels[index]
    keep = labels != IGNORE_INDEX
    return data.values[index[keep]].numpy(), labels[keep].numpy()


def _sample(x: np.ndarray, y: np.ndarray, max_items: int) -> tuple[np.ndarray, np.ndarray]:
    if len(y) <= max_items:
        return x, y
    chosen = np.random.default_rng(0).choice(len(y), size=max_items, replace=False)
    return x[chosen], y[chosen]


class SequenceBaseline(nn.Module):
    """The fitted baseline: (steps [batch, time, features], lengths [batch]) -> probabilities
    [batch, classes], or per step [batch, time, classes]. Computed in float64, as scikit-learn
    computes it."""

    def __init__(self, arrays: dict[str, np.ndarray], num_classes: int, per_step: bool):
        super().__init__()
        self.per_step, self.num_classes = per_step, num_classes
        for name in ARRAYS:
            dtype = torch.long if name == "classes" else torch.float64
            self.register_buffer(name, torch.as_tensor(np.asarray(arrays[name]), dtype=dtype))

    @classmethod
    def fit(cls, train: SpanSet, num_classes: int, max_items: int) -> SequenceBaseline:
        if train.per_step:
            x, y = labeled_steps(train)
        else:
            x, y = summary_features(train), train.labels.numpy()
        x, y = _sample(x, y, max_items)
        scaler, learner = StandardScaler(), LogisticRegression(max_iter=1000)
        make_pipeline(scaler, learner).fit(x, y)
        arrays = {
            "mean": scaler.mean_,
            "scale": scaler.scale_,
            "coef": learner.coef_,
            "intercept": learner.intercept_,
            "classes": learner.classes_,
        }
        return cls(arrays, num_classes, train.per_step)

    def arrays(self) -> dict[str, torch.Tensor]:
        return {name: getattr(self, name).contiguous() for name in ARRAYS}

    def forward(self, steps: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        x = steps.double() if self.per_step else summary(steps.double(), lengths)
        decision = ((x - self.mean) / self.scale) @ self.coef.T + self.intercept
        if decision.shape[-1] == 1:  # two classes: the second's log-odds
            positive = torch.sigmoid(decision[..., 0])
            fitted = torch.stack([1 - positive, positive], dim=-1)
        else:
            fitted = torch.softmax(decision, dim=-1)
        proba = torch.zeros(
            (*fitted.shape[:-1], self.num_classes), dtype=fitted.dtype, device=fitted.device
        )
        proba[..., self.classes] = fitted  # a class absent from the sample gets 0
        return proba.float()


def baseline_probabilities(
    train: SpanSet, test: SpanSet, classes: int, max_items: int
) -> np.ndarray:
    """[test items (per-step: test labeled steps), classes] probabilities of the matching
    baseline, fitted on `train`."""
    return member_probabilities(SequenceBaseline.fit(train, classes, max_items), test)


@torch.no_grad()
def member_probabilities(baseline: SequenceBaseline, data: SpanSet) -> np.ndarray:
    """[items (per-step: labeled steps), classes] probabilities of a fitted baseline on `data`."""
    if data.per_step:
        x, _ = labeled_steps(data)
        return baseline(torch.from_numpy(x)[:, None, :], torch.ones(len(x))).numpy()[:, 0]
    rows = []
    for start in range(0, len(data), 512):
        (x, lengths), _ = data.batch(
            np.arange(start, min(start + 512, len(data))), torch.device("cpu")
        )
        rows.append(baseline(x, lengths).numpy())
    return np.concatenate(rows) if rows else np.empty((0, baseline.num_classes), np.float32)
