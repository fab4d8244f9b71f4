"""Sequences and windows as spans of one array of steps: a BatchSource that copies only its batch.

All steps of all sequences lie in one array `values` [steps, features] (sequence after sequence). An
item - a whole sequence or a window of `window.length` steps cut every `window.stride` steps - is a
(start, length) pair into it, so memory is the steps themselves plus 16 bytes per item, however many
overlapping windows there are. A batch gathers its items' steps into [batch, longest, features] with
one index operation.

Targets are one class per item (sequence / window classification), or the steps' own classes
(per-step labeling: `per_step`), IGNORE_INDEX at unlabeled steps and past each item's length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..core.metrics import probabilities
from ..data.bucketing import bucketed_batches
from ..training.objectives import IGNORE_INDEX


@dataclass
class SpanSet:
    values: torch.Tensor  # [steps, features] float32, every sequence of the dataset
    step_labels: torch.Tensor  # [steps] class ids, IGNORE_INDEX where unlabeled
    starts: torch.Tensor  # [items] first step of each item
    lengths: torch.Tensor  # [items]
    labels: torch.Tensor  # [items] class per item; IGNORE_INDEX everywhere when per_step
    per_step: bool

    @classmethod
    def from_items(
        cls, values: torch.Tensor, step_labels: torch.Tensor, items, per_step: bool
    ) -> SpanSet:
        """The spans of `items` (a frame with start, length and label columns, as prepared.py
        writes them)."""
        columns = (
            torch.tensor(items[name].to_numpy(np.int64)) for name in ("start", "length", "label")
        )
        return cls(values, step_labels, *columns, per_step)

    def __len__(self) -> int:
        return len(self.starts)

    def to(self, device: torch.device) -> SpanSet:
        return SpanSet(
            self.values.to(device),
            self.step_labels.to(device),
            self.starts.to(device),
            self.lengths.to(device),
            self.labels.to(device),
            self.per_step,
        )

    def _gather(self, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(step index [b, longest] clamped to valid steps, real-step mask [b, longest], lengths
        [b])."""
        lengths = self.lengths[rows]
        offsets = torch.arange(int(lengths.max()), device=lengths.device)
        real = offsets[None, :] < lengths[:, None]
        index = torch.where(
            real, self.starts[rows, None] + offsets[None, :], self.starts[rows, None]
        )
        return index, real, lengths

    def step_targets(self, rows: torch.Tensor) -> torch.Tensor:
        index, real, _ = self._gather(rows)
        return torch.where(real, self.step_labels[index], IGNORE_INDEX)

    @property
    def targets(self) -> torch.Tensor:
        """[items] classes, or [items, longest item] per-step classes."""
        if self.per_step:
            return self.step_targets(torch.arange(len(self), device=self.starts.device))
        return self.labels

    def scored(self, logits: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
        """(class ids [n], probabilities [n, classes]) of what a model's outputs for these items
        are scored on: each item, or per step each labeled step (padding and unlabeled steps
        left out)."""
        if not self.per_step:
            return self.labels.numpy(), probabilities(logits)
        targets = self.targets[:, : logits.size(1)].numpy()
        real = targets != IGNORE_INDEX
        return targets[real], probabilities(logits)[real]

    def batches(
        self, batch_size: int, rng: np.random.Generator | None, bucket_batches: int = 1
    ) -> list[np.ndarray]:
        return bucketed_batches(self.lengths.cpu().numpy(), batch_size, rng, bucket_batches)

    def batch(self, rows, device: torch.device, non_blocking: bool = False):
        """((steps [b, longest, features] with zeros past each length, lengths [b]), targets)."""
        rows = torch.as_tensor(rows, device=self.starts.device)
        index, real, lengths = self._gather(rows)
        x = self.values[index] * real.unsqueeze(-1)
        targets = (
            torch.where(real, self.step_labels[index], IGNORE_INDEX)
            if self.per_step
            else self.labels[rows]
        )
        move = dict(device=device, non_blocking=non_blocking)
        return (x.to(**move), lengths.to(**move)), targets.to(**move)
