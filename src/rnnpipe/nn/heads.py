"""Output layers on a recurrent stack's outputs [batch, time, features]: one per kind of task.

- `PooledHead`: pool over each row's real steps, then one dense layer: a sequence classifier's
logits,
  or (pooling `last`) a last-step regressor's prediction.
- `StepHead`: one dense layer at every step: per-step labels (tagging); the loss masks padded steps.
Dense layers start Glorot-uniform with zero bias, as Keras' do.
"""

from __future__ import annotations

import torch
from torch import nn

from .pooling import pool_outputs


def glorot_linear(features: int, outputs: int) -> nn.Linear:
    layer = nn.Linear(features, outputs)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


def pooled_features(hidden: int, bidirectional: bool, pooling: str) -> int:
    return hidden * (2 if bidirectional else 1) * (2 if pooling == "meanmax" else 1)


class PooledHead(nn.Module):
    """[batch, time, features] + lengths -> [batch] for one output, else [batch, outputs]."""

    def __init__(
        self, hidden: int, bidirectional: bool, pooling: str, outputs: int, dropout: float
    ):
        super().__init__()
        self.hidden, self.bidirectional, self.pooling = hidden, bidirectional, pooling
        self.dropout = nn.Dropout(dropout)
        self.linear = glorot_linear(pooled_features(hidden, bidirectional, pooling), outputs)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        pooled = pool_outputs(x, lengths, self.pooling, self.hidden, self.bidirectional)
        out = self.linear(self.dropout(pooled))
        return out.squeeze(-1) if out.size(-1) == 1 else out


class StepHead(nn.Module):
    """[batch, time, features] -> [batch, time, outputs]: one prediction per step, padded steps
    included (the objective ignores them)."""

    def __init__(self, features: int, outputs: int, dropout: float):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.linear = glorot_linear(features, outputs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.dropout(x))
