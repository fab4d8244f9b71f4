"""Several models trained separately on the same data, used as one: their outputs (logits)
averaged."""

from __future__ import annotations

import torch
from torch import nn


class Ensemble(nn.Module):
    """The mean of the members' outputs; members take the same inputs and give outputs of one
    shape."""

    def __init__(self, members: list[nn.Module]):
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member")
        self.members = nn.ModuleList(members)

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return torch.stack([member(*inputs) for member in self.members]).mean(dim=0)


def architecture(model: nn.Module) -> dict:
    """What a model folder's model.json records of the architecture: each member's config, or the
    model's."""
    if isinstance(model, Ensemble):
        return {"members": [member.config.to_dict() for member in model.members]}
    return {"model": model.config.to_dict()}


def recorded_configs(meta: dict, config_class) -> list:
    """The configs `architecture` recorded, one per member (one for a single model)."""
    return (
        [config_class(**c) for c in meta["members"]]
        if "members" in meta
        else [config_class(**meta["model"])]
    )
