"""SPINN's shift-reduce encoder (Bowman et al. 2016), batched over sentences with a thin stack.

Every sentence's transitions are its nodes in post-order (a leaf is a SHIFT, an inner node a REDUCE),
and all sentences of a batch take their t-th transition together. The thin stack is one tensor for the
whole batch, `state` [nodes, 2 * hidden] ([h | c]), holding every transition's output; a sentence's
stack is a set of pointers into it, and REDUCE's two pointers (the top two entries of the sentence's
stack) are its node's children, known from the parse (batching.TreeBatch left / right), so no stack is
ever a Python list. SHIFT pushes the word's leaf state, computed for the whole batch in one call; REDUCE
is the Tree-LSTM composition (treelstm.TreeLSTM), so without a tracker SPINN computes the same function
as the Tree-LSTM (SPINN-PI-NT), in as many sequential steps as the batch's longest transition sequence
instead of its deepest tree. (The recurrent tracker, train.tracker, is not built yet.)
"""

from __future__ import annotations

import torch
from torch import nn

from .batching import TreeBatch
from .treelstm import TreeLSTM


class SPINN(nn.Module):
    def __init__(self, input_size: int, hidden: int):
        super().__init__()
        self.hidden = hidden
        self.compose = TreeLSTM(input_size, hidden)  # its leaf_states (SHIFT) and inner_states (REDUCE)

    def forward(self, words: torch.Tensor, batch: TreeBatch) -> torch.Tensor:
        """Hidden states [nodes, hidden] of every transition of `batch` (the same layout as TreeLSTM's): the
        thin stack `state` of TreeLSTM.scheduled_states, SHIFTs first, then the REDUCEs transition by transition."""
        shifts = torch.nonzero(batch.leaf_word >= 0).squeeze(1)
        return self.compose.scheduled_states(words, batch, shifts, reduce_steps(batch))


def reduce_steps(batch: TreeBatch) -> list[torch.Tensor]:
    """Per transition step t: the nodes that are the t-th transition of their sentence and a REDUCE."""
    inner = torch.nonzero(batch.leaf_word < 0).squeeze(1)
    positions = batch.node_position[inner]
    order = torch.argsort(positions, stable=True)
    counts = torch.bincount(positions, minlength=batch.widest)
    return [step for step in torch.split(inner[order], counts.tolist()) if len(step)]
