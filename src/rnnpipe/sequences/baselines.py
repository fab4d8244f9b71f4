"""The simple baselines every sequences evaluation prints beside the RNN, on the same test items.

- per-step targets: a logistic regression on the current step's features alone (no memory). On the
  binary-digit task it cannot beat ~50%: the class needs the previous digit.
- a class per sequence / window: a logistic regression on each feature's mean, std, min and max over
  the item's steps (the classic activity-recognition features), which sees no order.
Both are fitted on a seeded sample of at most `max_items` training items (steps for per-step
targets).
"""

from __future__ import annotations

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..training.objectives import IGNORE_INDEX
from .spans import SpanSet


def summary_features(data: SpanSet, batch_size: int = 512) -> np.ndarray:
    """[items, 4 * features]: mean, std, min and max of each feature over each item's steps."""
    rows = []
    for start in range(0, len(data), batch_size):
        (x, lengths), _ = data.batch(
            np.arange(start, min(start + batch_size, len(data))), torch.device("cpu")
        )
        real = (torch.arange(x.size(1))[None, :] < lengths[:, None]).unsqueeze(-1)
        count = lengths[:, None].float()
        mean = (x * real).sum(1) / count
        std = (((x - mean[:, None]) * real) ** 2).sum(1).div(count).sqrt()
        rows.append(
            torch.cat(
                [
                    mean,
                    std,
                    x.masked_fill(~real, np.inf).amin(1),
                    x.masked_fill(~real, -np.inf).amax(1),
                ],
                dim=1,
            ).numpy()
        )
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


def baseline_probabilities(
    train: SpanSet, test: SpanSet, classes: int, max_items: int
) -> np.ndarray:
    """[test items (per-step: test labeled steps), classes] probabilities of the matching
    baseline."""
    if test.per_step:
        (x, y), (x_test, _) = labeled_steps(train), labeled_steps(test)
    else:
        x, y, x_test = summary_features(train), train.labels.numpy(), summary_features(test)
    x, y = _sample(x, y, max_items)
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    model.fit(x, y)
    proba = np.zeros((len(x_test), classes))
    proba[:, model.classes_] = model.predict_proba(x_test)
    return proba
