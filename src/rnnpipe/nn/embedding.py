"""The word embedding every text model starts with: a pretrained matrix, or Keras' default
initialisation."""

from __future__ import annotations

import torch
from torch import nn


def word_embedding(
    vocab_size: int, dim: int, weights: torch.Tensor | None = None, freeze: bool = False
) -> nn.Embedding:
    """An embedding of `vocab_size` x `dim` (row 0 = padding): `weights` copied in, else uniform
    +-0.05 (Keras'
    default) with a zero padding row; frozen with `freeze`."""
    embedding = nn.Embedding(vocab_size, dim, padding_idx=0)
    if weights is not None:
        if tuple(weights.shape) != (vocab_size, dim):
            raise ValueError(
                f"embedding matrix is {tuple(weights.shape)}, the model expects ({vocab_size}, "
                f"{dim})"
            )
        embedding.weight.data.copy_(weights)
    else:
        nn.init.uniform_(embedding.weight, -0.05, 0.05)
        embedding.weight.data[0] = 0.0
    embedding.weight.requires_grad_(not freeze)
    return embedding
