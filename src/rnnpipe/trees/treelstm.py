"""The binary constituency Tree-LSTM of Tai et al. (2015), computed level by level.

A leaf reads its word vector x: i, o, u = W x + b; c = sigmoid(i) * tanh(u); h = sigmoid(o) *
tanh(c). An inner node reads its children's states only (constituency trees have words at the
leaves): i, f_l, f_r, o, u = U [h_l; h_r] + b; c = sigmoid(i) * tanh(u) + sigmoid(f_l) * c_l +
sigmoid(f_r) * c_r; h = sigmoid(o) * tanh(c) - one forget gate per child, as in the N-ary Tree-LSTM.

`forward(batch)` runs one cell call per tree height over the whole batch (batching.TreeBatch);
`forward_one(tree_tokens, tree)` is the plain recursive reference, one node at a time, on the same
weights: the two must agree (tests/trees/test_treelstm.py), and benchmarks/tree_lstm.py times both.
"""

from __future__ import annotations

import torch
from torch import nn

from .batching import TreeBatch
from .grouped_cells import GroupedTreeCells
from .ptb import Tree


class TreeLSTM(nn.Module):
    def __init__(self, input_size: int, hidden: int):
        super().__init__()
        self.hidden = hidden
        self.leaf = nn.Linear(input_size, 3 * hidden)  # i, o, u
        self.inner = nn.Linear(2 * hidden, 5 * hidden)  # i, f_l, f_r, o, u
        for layer in (self.leaf, self.inner):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
        with torch.no_grad():  # forget biases 1, as the project's LSTMs start (nn.recurrent)
            self.inner.bias[hidden : 3 * hidden].fill_(1.0)

    def leaf_states(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        i, o, u = self.leaf(x).chunk(3, dim=-1)
        c = torch.sigmoid(i) * torch.tanh(u)
        return torch.sigmoid(o) * torch.tanh(c), c

    def inner_states(
        self, h_left, c_left, h_right, c_right, extra: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """An inner node's (h, c); `extra` [nodes, 5 * hidden] is added to its gates (SPINN's
        tracker)."""
        gates = self.inner(torch.cat([h_left, h_right], dim=-1))
        if extra is not None:
            gates = gates + extra
        i, f_left, f_right, o, u = gates.chunk(5, dim=-1)
        c = (
            torch.sigmoid(i) * torch.tanh(u)
            + torch.sigmoid(f_left) * c_left
            + torch.sigmoid(f_right) * c_right
        )
        return torch.sigmoid(o) * torch.tanh(c), c

    def forward(self, words: torch.Tensor, batch: TreeBatch) -> torch.Tensor:
        """Hidden states [nodes, hidden] of every node of `batch`; `words` [batch words, input]
        are its leaves' vectors in token order. One cell call per tree height."""
        return self.scheduled_states(words, batch, batch.levels[0], batch.levels[1:])

    def scheduled_states(
        self, words: torch.Tensor, batch: TreeBatch, leaves: torch.Tensor, steps: list[torch.Tensor]
    ) -> torch.Tensor:
        """Hidden states [nodes, hidden]: the `leaves` in one call, then each group of inner
        nodes in `steps` in one call; every group's children must be leaves or in earlier groups
        (levels by height here, SPINN's transitions by position). The groups run as one autograd
        Function with a hand-written backward (grouped_cells.GroupedTreeCells): per-op autograd
        bookkeeping would cost more than the arithmetic of groups this small."""
        leaf_h, leaf_c = self.leaf_states(words[batch.leaf_word[leaves]])
        children = [
            torch.stack([batch.left[nodes], batch.right[nodes]], dim=1).view(-1) for nodes in steps
        ]
        return GroupedTreeCells.apply(
            leaf_h,
            leaf_c,
            self.inner.weight,
            self.inner.bias,
            leaves,
            steps,
            children,
            batch.left.numel(),
        )

    def forward_one(self, words: torch.Tensor, tree: Tree) -> torch.Tensor:
        """The recursive reference: hidden states [nodes, hidden] of one tree, one cell call per
        node."""
        states: list[tuple[torch.Tensor, torch.Tensor]] = []
        for left, right, word in zip(tree.left, tree.right, tree.word):
            if left < 0:
                states.append(self.leaf_states(words[word : word + 1]))
            else:
                states.append(self.inner_states(*states[left], *states[right]))
        return torch.cat([h for h, _ in states])
