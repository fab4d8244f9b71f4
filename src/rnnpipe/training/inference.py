"""Running a model over a whole split: outputs in the split's row order, and its mean loss and
score."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..core.device import autocast_dtype


@torch.no_grad()
def predict(
    model: nn.Module, data, batch_size: int, device: torch.device, precision: str = "auto"
) -> torch.Tensor:
    """Model outputs for every row of `data` (a BatchSource), in its original order.

    Outputs of one value or one vector per row stack to [rows, ...]. Per-step outputs, whose time
    dimension is each batch's own longest row, go into [rows, the split's longest row, ...]; steps
    past a row's own length hold zeros or outputs at padding, which objectives never read.
    """
    model.eval()
    dtype = autocast_dtype(device, precision)
    chunks, order = [], []
    for rows in data.batches(batch_size, rng=None):
        inputs, _ = data.batch(rows, device)
        with torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
            chunks.append(model(*inputs).float().cpu())
        order.append(torch.as_tensor(np.asarray(rows)))
    if not chunks:
        return torch.empty(0)
    widest = [max(chunk.shape[axis] for chunk in chunks) for axis in range(1, chunks[0].dim())]
    out = torch.zeros((len(data), *widest), dtype=torch.float32)
    for rows, chunk in zip(order, chunks):
        out[(rows, *(slice(0, size) for size in chunk.shape[1:]))] = chunk
    return out


def evaluate_loss(
    model: nn.Module,
    data,
    batch_size: int,
    device: torch.device,
    objective,
    precision: str = "auto",
    dist=None,
) -> tuple[float, float]:
    """(mean loss, mean score) of `model` on all of `data`, scored in one call of the objective.
    With `dist` (training.distributed) each rank scores its share of the rows and the sums are
    added over the ranks."""
    if dist is None:
        outputs = predict(model, data, batch_size, device, precision)
        loss, score_sum, count = objective(outputs, data.targets.cpu())
        return float(loss), float(score_sum) / max(count, 1)
    mine = np.arange(len(data))[dist.rank :: dist.world]
    outputs = predict(model, RowSubset(data, mine), batch_size, device, precision)
    loss, score_sum, count = (
        objective(outputs, data.targets.cpu()[torch.from_numpy(mine)]) if len(mine) else (0, 0, 0)
    )
    loss_sum, score_sum, count = dist.sum([float(loss) * count, float(score_sum), count])
    return loss_sum / max(count, 1), score_sum / max(count, 1)


class RowSubset:
    """The rows `rows` of a BatchSource, in that order, as a BatchSource of their own (for
    `predict`)."""

    def __init__(self, data, rows: np.ndarray):
        self.data, self.rows = data, rows

    def __len__(self) -> int:
        return len(self.rows)

    def batches(self, batch_size: int, rng=None, bucket_batches: int = 1) -> list[np.ndarray]:
        return [
            np.arange(i, min(i + batch_size, len(self.rows)))
            for i in range(0, len(self.rows), batch_size)
        ]

    def batch(self, positions: np.ndarray, device: torch.device, non_blocking: bool = False):
        return self.data.batch(self.rows[positions], device, non_blocking)
