"""Several models trained separately on the same data, used as one: their outputs (logits) averaged."""

from __future__ import annotations

import torch
from torch import nn


class Ensemble(nn.Module):
    """The mean of the members' outputs; members take the same inputs and give outputs of one shape."""

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member")
        self.members = nn.ModuleList(members)

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return torch.stack([member(*inputs) for member in self.members]).mean(dim=0)
