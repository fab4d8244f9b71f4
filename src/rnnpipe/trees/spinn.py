"""SPINN's shift-reduce encoder (Bowman et al. 2016), batched over sentences with a thin stack.

Every sentence's transitions are its nodes in post-order (a leaf is a SHIFT, an inner node a
REDUCE), and all sentences of a batch take their t-th transition together. The thin stack is one
tensor for the whole batch, `state` [nodes, 2 * hidden] ([h | c]), holding every transition's
output; a sentence's stack is a set of pointers into it (batching.TreeBatch.stack_pointers: before
each transition, the stack's top two nodes and the buffer's next word), and REDUCE's two pointers
are its node's children, so no stack is ever a Python list. SHIFT pushes the word's leaf state,
computed for the whole batch in one call; REDUCE is the Tree-LSTM composition (treelstm.TreeLSTM).

Without a tracker (SPINN-PI-NT) SPINN computes the Tree-LSTM's function, in as many sequential steps
as the batch's longest transition sequence instead of its deepest tree; only REDUCEs need a step.
With `tracker=True` (SPINN-PI), an LSTM cell per sentence reads [buffer top; stack top; stack
second] (their h) before every transition, SHIFT or REDUCE, and its state is added to each REDUCE's
gates: the composition then sees the sentence's context, and every transition is a sequential step.
"""

from __future__ import annotations

import torch
from torch import nn

from .batching import TreeBatch
from .treelstm import TreeLSTM


class SPINN(nn.Module):
    def __init__(self, input_size: int, hidden: int, tracker: bool = False):
        super().__init__()
        self.hidden = hidden
        self.compose = TreeLSTM(
            input_size, hidden
        )  # its leaf_states (SHIFT) and inner_states (REDUCE)
        if tracker:
            self.tracker = nn.LSTMCell(3 * hidden, hidden)
            self.tracker_gates = nn.Linear(
                hidden, 5 * hidden, bias=False
            )  # tracker h -> REDUCE's gates
            nn.init.xavier_uniform_(self.tracker_gates.weight)
        else:
            self.tracker = None

    def forward(self, words: torch.Tensor, batch: TreeBatch) -> torch.Tensor:
        """Hidden states [nodes, hidden] of every transition of `batch` (the same layout as
        TreeLSTM's)."""
        shifts = torch.nonzero(batch.leaf_word >= 0).squeeze(1)
        if self.tracker is None:
            # The thin stack is TreeLSTM.scheduled_states' `state`: SHIFTs first, then REDUCEs step
            # by step.
            return self.compose.scheduled_states(words, batch, shifts, reduce_steps(batch))
        return self.tracked_states(words, batch, shifts)

    def tracked_states(
        self, words: torch.Tensor, batch: TreeBatch, shifts: torch.Tensor
    ) -> torch.Tensor:
        """SPINN-PI: transition by transition, the tracker first, then that step's REDUCEs."""
        hidden, nodes = self.hidden, batch.left.numel()
        # Row `nodes` stays zero: what a -1 pointer (empty stack or buffer) reads.
        state = words.new_zeros(nodes + 1, 2 * hidden)
        state[shifts] = torch.cat(self.compose.leaf_states(words[batch.leaf_word[shifts]]), dim=-1)
        pointers = torch.where(batch.stack_pointers >= 0, batch.stack_pointers, nodes)
        trees = len(batch.roots)
        tracked_h = words.new_zeros(trees, hidden)
        tracked_c = words.new_zeros(trees, hidden)
        for step in transition_steps(batch):
            sentences = batch.node_tree[step]
            # buffer top, stack top, stack second: their h, side by side.
            read = state[pointers[step][:, [2, 0, 1]].reshape(-1), :hidden].reshape(
                len(step), 3 * hidden
            )
            h, c = self.tracker(read, (tracked_h[sentences], tracked_c[sentences]))
            tracked_h = tracked_h.index_put((sentences,), h)
            tracked_c = tracked_c.index_put((sentences,), c)
            inner = batch.leaf_word[step] < 0
            if not bool(inner.any()):
                continue
            reduces = step[inner]
            children = state[torch.cat([batch.left[reduces], batch.right[reduces]])]
            left, right = children.split(len(reduces))
            h_new, c_new = self.compose.inner_states(
                left[:, :hidden],
                left[:, hidden:],
                right[:, :hidden],
                right[:, hidden:],
                self.tracker_gates(h[inner]),
            )
            state[reduces] = torch.cat([h_new, c_new], dim=-1)
        return state[:nodes, :hidden]


def transition_steps(batch: TreeBatch) -> list[torch.Tensor]:
    """Per transition step t: the nodes that are the t-th transition of their sentence (SHIFT or
    REDUCE)."""
    return _by_position(torch.arange(batch.left.numel(), device=batch.left.device), batch)


def reduce_steps(batch: TreeBatch) -> list[torch.Tensor]:
    """Per transition step t: the nodes that are the t-th transition of their sentence and a
    REDUCE."""
    return [
        step
        for step in _by_position(torch.nonzero(batch.leaf_word < 0).squeeze(1), batch)
        if len(step)
    ]


def _by_position(nodes: torch.Tensor, batch: TreeBatch) -> list[torch.Tensor]:
    """`nodes` grouped by their transition position t = 0, 1, ..., batch.widest - 1 (a group may
    be empty)."""
    positions = batch.node_position[nodes]
    order = torch.argsort(positions, stable=True)
    counts = torch.bincount(positions, minlength=batch.widest)
    return list(torch.split(nodes[order], counts.tolist()))
