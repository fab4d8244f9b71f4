"""The recurrent stack every task shares: (Bi)RNN/LSTM/GRU layers with exact masking and Keras-style
init.

Input is batch-first [batch, time, features] with each row's real steps first (left-aligned) and
their lengths [batch]. Outputs at padded positions are never used downstream (see pooling.py and the
per-step head). A bidirectional layer runs its backward direction on each row reversed within its
own length, so the backward pass also starts at a real step, never at padding. Together with
length-bucketed batches (data.bucketing) this is exact like packed sequences without
pack_padded_sequence's cost on CPU.

Initialisation follows Keras' defaults, which matter for accuracy on IMDB (86-87% vs 67-75% with
PyTorch's defaults for the same LSTM): Glorot-uniform input weights, orthogonal recurrent weights,
zero biases with the LSTM forget-gate bias at 1.
"""

from __future__ import annotations

import torch
from torch import nn

from ..core.memory import require_memory

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def reverse_within_length(lengths: torch.Tensor, steps: int) -> torch.Tensor:
    """Index [batch, time] that reverses the first `length` positions of each row and keeps the
    rest."""
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


GATES = {"rnn": 1, "gru": 3, "lstm": 4}


def recurrent_weights(
    input_size: int, cell: str, hidden: int, layers: int, bidirectional: bool
) -> int:
    """The stack's parameter count: per layer and direction, gates x hidden x (inputs + hidden +
    2 biases)."""
    directions = 2 if bidirectional else 1
    sizes = [input_size] + [hidden * directions] * (layers - 1)
    return directions * sum(GATES[cell] * hidden * (size + hidden + 2) for size in sizes)


class RecurrentStack(nn.Module):
    """`layers` recurrent layers (batch-first), each optionally bidirectional, with dropout between
    them.

    Returns the outputs [batch, time, hidden * directions] of the last layer.
    """

    def __init__(
        self,
        input_size: int,
        cell: str,
        hidden: int,
        layers: int,
        bidirectional: bool,
        dropout: float,
    ):
        super().__init__()
        # Training holds the weights, their gradients and Adam's two moments: 4 float32 copies.
        require_memory(
            16 * recurrent_weights(input_size, cell, hidden, layers, bidirectional),
            f"training a {layers}-layer {cell} of {hidden:,} units",
            "Lower train.hidden or train.layers.",
        )
        directions = 2 if bidirectional else 1
        cell_class = CELLS[cell]
        sizes = [input_size] + [hidden * directions] * (layers - 1)
        self.bidirectional = bidirectional
        self.forward_layers = nn.ModuleList(cell_class(s, hidden, batch_first=True) for s in sizes)
        self.backward_layers = nn.ModuleList(
            cell_class(s, hidden, batch_first=True) for s in (sizes if bidirectional else [])
        )
        for rnn in [*self.forward_layers, *self.backward_layers]:
            keras_init_(rnn, cell)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        reverse = reverse_within_length(lengths, x.size(1)) if self.bidirectional else None
        for depth, forward_rnn in enumerate(self.forward_layers):
            if depth:
                x = self.dropout(x)
            out, _ = forward_rnn(x)
            if reverse is not None:
                backward, _ = self.backward_layers[depth](_gather_time(x, reverse))
                out = torch.cat([out, _gather_time(backward, reverse)], dim=-1)
            x = out
        return x
