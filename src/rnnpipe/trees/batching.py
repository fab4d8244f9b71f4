"""Many trees as one batch: their nodes concatenated, and a level schedule to compute them by
height.

Node i of tree k becomes node offset[k] + i; child indices are shifted the same way, and each leaf's
word becomes a position in the batch's concatenated token ids. `levels[h]` lists every node of
height h across the whole batch (leaves are height 0), so a Tree-LSTM runs one batched cell call per
level: a batch costs as many sequential steps as its deepest tree, not as many as it has nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .ptb import Tree, shift_indices


@dataclass
class TreeBatch:
    tokens: torch.Tensor  # [words in the batch] token ids, tree after tree
    left: torch.Tensor  # [nodes] batch-wide child indices, -1 at leaves
    right: torch.Tensor
    leaf_word: torch.Tensor  # [nodes] position in `tokens`, -1 at inner nodes
    labels: torch.Tensor  # [nodes] class ids, -1 where unlabeled
    roots: torch.Tensor  # [trees] each tree's root node
    levels: list[torch.Tensor]  # levels[h]: the nodes of height h
    node_tree: torch.Tensor  # [nodes] which tree of the batch a node belongs to
    node_position: (
        torch.Tensor
    )  # [nodes] its index within its tree (post-order; the root is the last)
    stack_pointers: (
        torch.Tensor
    )  # [nodes, 3] before each node's transition: stack top, second, next word (-1 none)

    def to(self, device: torch.device) -> TreeBatch:
        move = dict(device=device)
        return TreeBatch(
            self.tokens.to(**move),
            self.left.to(**move),
            self.right.to(**move),
            self.leaf_word.to(**move),
            self.labels.to(**move),
            self.roots.to(**move),
            [level.to(**move) for level in self.levels],
            self.node_tree.to(**move),
            self.node_position.to(**move),
            self.stack_pointers.to(**move),
        )

    @property
    def widest(self) -> int:
        """The most nodes of any tree in the batch."""
        return int(self.node_position.max()) + 1


def batch_trees(trees: list[Tree], token_ids: list[np.ndarray]) -> TreeBatch:
    """One TreeBatch of `trees`, whose words are `token_ids[k]` (one id array per tree)."""
    left, right, leaf_word, labels, heights, roots, pointers = [], [], [], [], [], [], []
    node_offset = word_offset = 0
    for tree in trees:
        left.append(shift_indices(tree.left, node_offset))
        right.append(shift_indices(tree.right, node_offset))
        leaf_word.append(shift_indices(tree.word, word_offset))
        labels.append(np.asarray(tree.label))
        heights.append(np.asarray(tree.heights()))
        pointers.append(shift_indices(tree.stack_pointers, node_offset))
        node_offset += len(tree.label)
        word_offset += len(tree.words)
        roots.append(node_offset - 1)
    height = np.concatenate(heights)
    order = np.argsort(height, kind="stable")
    counts = np.bincount(height)
    levels = [
        torch.from_numpy(chunk.astype(np.int64))
        for chunk in np.split(order, np.cumsum(counts)[:-1])
    ]
    as_tensor = lambda parts: torch.from_numpy(np.concatenate(parts).astype(np.int64))  # noqa: E731
    sizes = [len(tree.label) for tree in trees]
    return TreeBatch(
        torch.from_numpy(np.concatenate(token_ids).astype(np.int64)),
        as_tensor(left),
        as_tensor(right),
        as_tensor(leaf_word),
        as_tensor(labels),
        torch.tensor(roots, dtype=torch.int64),
        levels,
        torch.from_numpy(np.repeat(np.arange(len(trees)), sizes)),
        torch.from_numpy(np.concatenate([np.arange(n) for n in sizes])),
        as_tensor(pointers),
    )
