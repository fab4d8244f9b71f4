"""The contract between a task's data and the shared training loop.

A batch source is one split of a dataset (text rows, forecasting windows, ...). The loop asks it for
the row indices of each batch, then for the tensors of one batch; it never looks inside.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import torch


class BatchSource(Protocol):
    def __len__(self) -> int:
        """Rows (examples) in the split."""

    @property
    def targets(self) -> torch.Tensor:
        """Every row's target, in row order (for scoring a whole split at once)."""

    def batches(
        self, batch_size: int, rng: np.random.Generator | None, bucket_batches: int = 1
    ) -> list[np.ndarray]:
        """Row indices per batch. With `rng` (training): a seeded shuffle, `bucket_batches`
        batches' worth of rows sorted by length together when rows differ in length. Without: a
        fixed order for evaluation."""

    def batch(
        self, rows: np.ndarray, device: torch.device, non_blocking: bool = False
    ) -> tuple[tuple[torch.Tensor, ...], torch.Tensor]:
        """(the model's positional inputs, targets) of `rows`, on `device`."""

    def to(self, device: torch.device) -> BatchSource:
        """The same split with its tensors on `device` (CUDA: data kept on the GPU)."""
