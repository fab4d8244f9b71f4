"""Pooling a recurrent stack's outputs over each row's real steps only: last, max, mean, or mean
and max."""

from __future__ import annotations

import torch


def pool_outputs(
    x: torch.Tensor, lengths: torch.Tensor, pooling: str, hidden: int, bidirectional: bool
) -> torch.Tensor:
    """Pool RNN outputs [batch, time, features] over each row's first `lengths` positions only."""
    if pooling == "last":
        last = x[torch.arange(x.size(0), device=x.device), lengths - 1]
        if not bidirectional:
            return last
        # The backward direction has read the whole row once it reaches position 0.
        return torch.cat([last[:, :hidden], x[:, 0, hidden:]], dim=-1)
    mask = (torch.arange(x.size(1), device=x.device).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(
        -1
    )
    mean = (x * mask).sum(dim=1) / lengths.unsqueeze(1).to(x.dtype)
    if pooling == "mean":
        return mean
    maximum = x.masked_fill(~mask, float("-inf")).max(dim=1).values
    return maximum if pooling == "max" else torch.cat([mean, maximum], dim=-1)
