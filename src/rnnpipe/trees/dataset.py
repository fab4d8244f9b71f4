"""Trees as a BatchSource for the shared training loop: a batch is a TreeBatch, targets are per
node.

Targets are [trees, most nodes] class ids in each tree's post-order (the root last), IGNORE_INDEX at
unlabeled nodes and padding, so the tagger's per-step objective scores every labelled node; with
`root_only` every node but the root is ignored. Batches group trees of similar size (length
bucketing on the node count).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..data.bucketing import bucketed_batches
from ..training.objectives import IGNORE_INDEX
from .batching import batch_trees
from .ptb import UNLABELED, Tree


@dataclass
class TreeSet:
    trees: list[Tree]
    token_ids: list[np.ndarray]
    root_only: bool = False

    def __post_init__(self):
        self.sizes = np.array([len(tree.label) for tree in self.trees], dtype=np.int64)
        widest = int(self.sizes.max()) if len(self.sizes) else 0
        targets = np.full((len(self.trees), widest), IGNORE_INDEX, dtype=np.int64)
        for row, tree in enumerate(self.trees):
            labels = np.asarray(tree.label)
            labels = np.where(labels == UNLABELED, IGNORE_INDEX, labels)
            if self.root_only:
                labels[:-1] = IGNORE_INDEX
            targets[row, : len(labels)] = labels
        self.node_targets = torch.from_numpy(targets)

    def __len__(self) -> int:
        return len(self.trees)

    @property
    def targets(self) -> torch.Tensor:
        return self.node_targets

    def to(self, device: torch.device) -> TreeSet:
        return self  # batches are built on the host and moved one at a time

    def batches(
        self, batch_size: int, rng: np.random.Generator | None, bucket_batches: int = 1
    ) -> list[np.ndarray]:
        return bucketed_batches(self.sizes, batch_size, rng, bucket_batches)

    def batch(self, rows, device: torch.device, non_blocking: bool = False):
        """((TreeBatch,), node targets [b, the batch's most nodes])."""
        rows = np.asarray(rows)
        batch = batch_trees([self.trees[r] for r in rows], [self.token_ids[r] for r in rows])
        targets = self.node_targets[torch.as_tensor(rows), : batch.widest]
        return (batch.to(device),), targets.to(device, non_blocking=non_blocking)


def root_targets(data: TreeSet) -> np.ndarray:
    """Each tree's root label (UNLABELED stays as IGNORE_INDEX)."""
    labels = np.array([tree.root_label for tree in data.trees])
    return np.where(labels == UNLABELED, IGNORE_INDEX, labels)


def tree_set(
    trees: list[Tree], vocabulary, root_only: bool = False, phrases: bool = False
) -> TreeSet:
    """A TreeSet of `trees` with words encoded by `vocabulary`; `phrases`: every labelled node's
    phrase as a tree of its own, scored at its root (how sequence models learn from phrase labels).
    """
    if phrases:
        trees = [
            tree.subtree(node)
            for tree in trees
            for node, label in enumerate(tree.label)
            if label != UNLABELED
        ]
        root_only = True
    return TreeSet(
        trees,
        [np.asarray(vocabulary.encode(tree.words), dtype=np.int64) for tree in trees],
        root_only,
    )
