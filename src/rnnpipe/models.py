"""Recurrent classifiers: Embedding -> (Bi)RNN/LSTM/GRU layers -> pooling -> Linear.

Input is batch-first ids [batch, time] with the real tokens first in each row (left-aligned) and
their lengths [batch]. Outputs at padded positions are never used: `last` pooling reads each row's
output at its own last token, `max`/`mean` pool over real positions only. A bidirectional layer runs
its backward direction on each row reversed within its own length, so the backward pass also starts
at a real token, never at padding. Together with length-bucketed batches (see batching.py) this is
exact like packed sequences without pack_padded_sequence's cost on CPU.

Initialisation follows Keras' defaults, which matter for accuracy on IMDB (86-87% vs 67-75% with
PyTorch's defaults for the same LSTM): Glorot-uniform input weights, orthogonal recurrent weights,
zero biases with the LSTM forget-gate bias at 1, Glorot-uniform dense layer.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


@dataclass(frozen=True)
class ModelConfig:
    vocab_size: int
    embed_dim: int
    num_classes: int
    cell: str = "lstm"
    hidden: int = 64
    layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0
    pooling: str = "last"
    freeze_embeddings: bool = False

    @property
    def outputs(self) -> int:
        """One logit for two classes (sigmoid), else one per class (softmax)."""
        return 1 if self.num_classes == 2 else self.num_classes

    def to_dict(self) -> dict:
        return asdict(self)


def reverse_within_length(lengths: torch.Tensor, steps: int) -> torch.Tensor:
    """Index [batch, time] that reverses the first `length` positions of each row and keeps the rest."""
    positions = torch.arange(steps, device=lengths.device).unsqueeze(0)
    lengths = lengths.unsqueeze(1)
    return torch.where(positions < lengths, lengths - 1 - positions, positions)


def _gather_time(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    return x.gather(1, index.unsqueeze(-1).expand(-1, -1, x.size(-1)))


def keras_init_(rnn: nn.RNNBase, cell: str) -> None:
    gates = GATES[cell]
    for name, param in rnn.named_parameters():
        if name.startswith("weight_ih"):
            nn.init.xavier_uniform_(param)
        elif name.startswith("weight_hh"):
            for chunk in param.data.chunk(gates, dim=0):
                nn.init.orthogonal_(chunk)
        elif name.startswith("bias"):
            nn.init.zeros_(param)
            if cell == "lstm" and name.startswith("bias_ih"):
                param.data.chunk(4)[1].fill_(1.0)  # gate order i, f, g, o: forget bias 1


class RNNClassifier(nn.Module):
    def __init__(self, config: ModelConfig, embedding_weights: torch.Tensor | None = None):
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(config.vocab_size, config.embed_dim, padding_idx=0)
        if embedding_weights is not None:
            if tuple(embedding_weights.shape) != (config.vocab_size, config.embed_dim):
                raise ValueError(f"embedding matrix is {tuple(embedding_weights.shape)}, the model expects "
                                 f"({config.vocab_size}, {config.embed_dim})")
            self.embedding.weight.data.copy_(embedding_weights)
        else:
            nn.init.uniform_(self.embedding.weight, -0.05, 0.05)
            self.embedding.weight.data[0] = 0.0
        self.embedding.weight.requires_grad_(not config.freeze_embeddings)

        directions = 2 if config.bidirectional else 1
        features = config.hidden * directions * (2 if config.pooling == "meanmax" else 1)
        cell_class = CELLS[config.cell]
        sizes = [config.embed_dim] + [config.hidden * directions] * (config.layers - 1)
        self.forward_layers = nn.ModuleList(cell_class(s, config.hidden, batch_first=True) for s in sizes)
        self.backward_layers = nn.ModuleList(
            cell_class(s, config.hidden, batch_first=True) for s in (sizes if config.bidirectional else []))
        for rnn in [*self.forward_layers, *self.backward_layers]:
            keras_init_(rnn, config.cell)
        self.dropout = nn.Dropout(config.dropout)
        self.head = nn.Linear(features, config.outputs)
        nn.init.xavier_uniform_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits [batch] (binary) or [batch, classes] for left-aligned `ids` [batch, time]."""
        if ids.dim() != 2:
            raise ValueError(f"expected ids of shape [batch, time], got {tuple(ids.shape)}")
        steps = ids.size(1)
        lengths = lengths.to(ids.device).long().clamp(min=1, max=steps)  # an empty text still reads one <pad>
        x = self.dropout(self.embedding(ids))
        reverse = reverse_within_length(lengths, steps) if self.config.bidirectional else None
        for depth, forward_rnn in enumerate(self.forward_layers):
            if depth:
                x = self.dropout(x)
            out, _ = forward_rnn(x)
            if reverse is not None:
                backward, _ = self.backward_layers[depth](_gather_time(x, reverse))
                out = torch.cat([out, _gather_time(backward, reverse)], dim=-1)
            x = out
        logits = self.head(self.dropout(self._pool(x, lengths)))
        return logits.squeeze(-1) if self.config.outputs == 1 else logits

    def _pool(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        pooling = self.config.pooling
        if pooling == "last":
            last = x[torch.arange(x.size(0), device=x.device), lengths - 1]
            if not self.config.bidirectional:
                return last
            # The backward direction has read the whole row once it reaches position 0.
            hidden = self.config.hidden
            return torch.cat([last[:, :hidden], x[:, 0, hidden:]], dim=-1)
        mask = (torch.arange(x.size(1), device=x.device).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(-1)
        mean = (x * mask).sum(dim=1) / lengths.unsqueeze(1).to(x.dtype)
        if pooling == "mean":
            return mean
        maximum = x.masked_fill(~mask, float("-inf")).max(dim=1).values
        return maximum if pooling == "max" else torch.cat([mean, maximum], dim=-1)
