"""A window classifier's labels spread over the steps it covers, so it can be scored per step.

Each test step gets the mean of the class probabilities of every window that covers it (windows cut
over the whole test sequences every window.stride steps, whatever their labels); steps after a
sequence's last whole window take that window's. The per-step accuracy and macro F1 that follow are
directly comparable with a per-step model's on the same labeled steps: that is how the two ways of
labeling a long recording (classify windows, or label every step) are told apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from ..core.metrics import probabilities
from ..training.inference import predict
from ..training.objectives import IGNORE_INDEX
from .prepared import window_items
from .spans import SpanSet


def spread_probabilities(
    model,
    values: torch.Tensor,
    step_labels: np.ndarray,
    sequences: pd.DataFrame,
    window: dict,
    batch_size: int,
    device: torch.device,
) -> tuple[np.ndarray, np.ndarray]:
    """(class ids, probabilities [steps, classes]) of every labeled step of `sequences` covered
    by a window."""
    items = window_items(sequences, step_labels, 0, window["length"], window["stride"], None)
    spans = SpanSet.from_items(values, torch.from_numpy(step_labels), items, per_step=False)
    proba = probabilities(predict(model, spans, batch_size, device))
    # Difference arrays: +p where a window starts, -p after it ends; a running sum gives each step's
    # total.
    total = np.zeros((len(step_labels) + 1, proba.shape[1]))
    covering = np.zeros(len(step_labels) + 1)
    starts, ends = items["start"].to_numpy(), items["start"].to_numpy() + items["length"].to_numpy()
    np.add.at(total, starts, proba)
    np.add.at(total, ends, -proba)
    np.add.at(covering, starts, 1)
    np.add.at(covering, ends, -1)
    total, covering = np.cumsum(total, axis=0)[:-1], np.cumsum(covering)[:-1]
    step_proba = pd.DataFrame(
        np.where(covering[:, None] > 0, total / np.maximum(covering, 1)[:, None], np.nan)
    )
    owner = np.full(len(step_labels), -1)
    for number, (start, length) in enumerate(
        sequences[["start", "length"]].itertuples(index=False)
    ):
        owner[start : start + length] = number
    step_proba = (
        step_proba.groupby(owner).ffill().to_numpy()
    )  # a tail takes its sequence's last window
    keep = (owner >= 0) & (step_labels != IGNORE_INDEX) & ~np.isnan(step_proba[:, 0])
    return step_labels[keep], step_proba[keep]
