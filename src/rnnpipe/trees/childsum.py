"""The Child-Sum Tree-LSTM of Tai et al. (2015) on dependency trees, computed level by level.

In a dependency tree every node is a word, with any number of children (its dependents). Node j
reads its word x_j and its children's states (h_k, c_k):
  h~ = sum_k h_k
  i, o, u = sigmoid(W_i x + U_i h~ + b_i), sigmoid(W_o x + U_o h~ + b_o), tanh(W_u x + U_u h~ + b_u)
  f_k = sigmoid(W_f x + U_f h_k + b_f)          (one forget gate per child)
  c = i * u + sum_k f_k * c_k;  h = o * tanh(c)

`forward(words, batch)` computes a whole batch of trees with one step per tree height: the word
terms W x of every node in one matrix product, then per level (leaves first) the U terms of its
nodes' child sums and of their children, summed per parent with index_add. `forward_one(words,
heads)` is the plain recursive reference, one node at a time, on the same weights: the two must
agree in outputs and gradients (tests/trees/test_childsum.py), and benchmarks/childsum.py times
both.

A tree is given by its heads: heads[t] is token t's head, 1-based, 0 at the root (the CoNLL and
Tai et al. convention).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..core.errors import DataError


def check_heads(heads, where: str) -> np.ndarray:
    """`heads` as 0-based parents (-1 at the root); DataError naming `where` unless they form one
    tree (one root, every head a token, no cycle)."""
    parents = np.asarray(heads, dtype=np.int64) - 1
    n = len(parents)
    if n == 0:
        raise DataError(f"{where}: an empty sentence has no tree.")
    if ((parents < -1) | (parents >= n)).any():
        raise DataError(f"{where}: a head outside 0..{n} (heads are 1-based, 0 = the root).")
    if (parents == -1).sum() != 1:
        raise DataError(f"{where}: {(parents == -1).sum()} roots (head 0); a tree has one.")
    for start in range(n):  # follow heads up; more than n steps is a cycle
        node, steps = start, 0
        while parents[node] >= 0:
            node, steps = parents[node], steps + 1
            if steps > n:
                raise DataError(f"{where}: the heads form a cycle through token {start + 1}.")
    return parents


def node_heights(parents: np.ndarray) -> np.ndarray:
    """Per node: 0 at leaves, else 1 + its tallest child's height."""
    height = np.zeros(len(parents), dtype=np.int64)
    depth = np.zeros(len(parents), dtype=np.int64)
    for node in range(len(parents)):
        walk = parents[node]
        while walk >= 0:
            depth[node] += 1
            walk = parents[walk]
    for node in np.argsort(-depth, kind="stable"):  # deepest first: children before parents
        if parents[node] >= 0:
            height[parents[node]] = max(height[parents[node]], height[node] + 1)
    return height


@dataclass
class DependencyBatch:
    """Many dependency trees as one batch, their nodes renumbered level by level (all leaves,
    then every node of height 1, ...), so each level's children are already computed.

    `order[k]` is the batch position (tree after tree, token order) of level-order node k;
    `levels[h]` = (start, stop) of height h's nodes in level order; `child`/`child_parent` per
    non-root node, sorted by parent: the child's level-order index and its parent's;
    `child_levels[h]` = (start, stop) of the children whose parents have height h."""

    tokens: torch.Tensor  # [nodes] token ids, tree after tree
    order: torch.Tensor  # [nodes] level order -> batch position
    levels: list[tuple[int, int]]
    child_levels: list[tuple[int, int]]
    child: torch.Tensor  # [nodes - trees] level-order index of each child
    child_parent: torch.Tensor  # [nodes - trees] level-order index of its parent
    roots: torch.Tensor  # [trees] level-order index of each tree's root
    lengths: torch.Tensor  # [trees] tokens per tree
    relations: torch.Tensor | None = None  # [nodes] relation label ids, batch order (optional)

    def to(self, device: torch.device) -> DependencyBatch:
        return DependencyBatch(
            self.tokens.to(device),
            self.order.to(device),
            self.levels,
            self.child_levels,
            self.child.to(device),
            self.child_parent.to(device),
            self.roots.to(device),
            self.lengths.to(device),
            self.relations.to(device) if self.relations is not None else None,
        )


def batch_dependency_trees(
    token_ids: list[np.ndarray], parents: list[np.ndarray], relation_ids=None
):
    """One DependencyBatch; `parents[k]` are tree k's 0-based parents (check_heads), and
    `relation_ids[k]` (optional) its tokens' relation label ids."""
    offsets = np.cumsum([0] + [len(p) for p in parents])
    parent = np.concatenate(
        [np.where(p >= 0, p + offset, -1) for p, offset in zip(parents, offsets)]
    )
    height = np.concatenate([node_heights(p) for p in parents])
    order = np.argsort(height, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    counts = np.bincount(height)
    bounds = np.concatenate([[0], np.cumsum(counts)])
    child = np.flatnonzero(parent[order] >= 0)
    child_parent = rank[parent[order][child]]
    by_parent = np.argsort(child_parent, kind="stable")
    child, child_parent = child[by_parent], child_parent[by_parent]
    child_bounds = np.searchsorted(child_parent, bounds)
    as_long = lambda a: torch.from_numpy(np.asarray(a, dtype=np.int64))  # noqa: E731
    return DependencyBatch(
        as_long(np.concatenate(token_ids)),
        as_long(order),
        [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])],
        [(int(a), int(b)) for a, b in zip(child_bounds[:-1], child_bounds[1:])],
        as_long(child),
        as_long(child_parent),
        as_long(rank[offsets[:-1] + [int(np.flatnonzero(p < 0)[0]) for p in parents]]),
        as_long([len(p) for p in parents]),
        as_long(np.concatenate(relation_ids)) if relation_ids is not None else None,
    )


class ChildSumTreeLSTM(nn.Module):
    def __init__(self, input_size: int, hidden: int):
        super().__init__()
        self.hidden = hidden
        self.word = nn.Linear(input_size, 4 * hidden)  # W: i, o, u, f
        self.child_sum = nn.Linear(hidden, 3 * hidden, bias=False)  # U_i, U_o, U_u on h~
        self.child = nn.Linear(hidden, hidden, bias=False)  # U_f on each h_k
        for layer in (self.word, self.child_sum, self.child):
            nn.init.xavier_uniform_(layer.weight)
        nn.init.zeros_(self.word.bias)
        with torch.no_grad():  # forget bias 1, as the project's LSTMs start (nn.recurrent)
            self.word.bias[3 * hidden :].fill_(1.0)

    def cell(self, x_terms, h_sum, child_h, child_c, child_parent, count: int):
        """(h, c) of `count` nodes: their word terms [count, 4H], child sums [count, H], and
        their children's states with each child's parent (0..count-1)."""
        hidden = self.hidden
        iou = x_terms[:, : 3 * hidden] + self.child_sum(h_sum)
        i, o, u = iou.chunk(3, dim=-1)
        c = torch.sigmoid(i) * torch.tanh(u)
        if len(child_parent):
            f = torch.sigmoid(x_terms[child_parent, 3 * hidden :] + self.child(child_h))
            c = c.index_add(0, child_parent, f * child_c)
        return torch.sigmoid(o) * torch.tanh(c), c

    def forward(self, words: torch.Tensor, batch: DependencyBatch) -> torch.Tensor:
        """Hidden states [trees, hidden] of each tree's root; `words` [nodes, input] are the
        batch's token vectors in batch order."""
        x_terms = self.word(words[batch.order])  # level order
        h = words.new_zeros(0, self.hidden)
        c = words.new_zeros(0, self.hidden)
        for (start, stop), (first, last) in zip(batch.levels, batch.child_levels):
            count = stop - start
            kids, parent = batch.child[first:last], batch.child_parent[first:last] - start
            child_h, child_c = h[kids], c[kids]
            h_sum = words.new_zeros(count, self.hidden).index_add(0, parent, child_h)
            h_new, c_new = self.cell(x_terms[start:stop], h_sum, child_h, child_c, parent, count)
            h, c = torch.cat([h, h_new]), torch.cat([c, c_new])
        return h[batch.roots]

    def forward_one(self, words: torch.Tensor, parents: np.ndarray) -> torch.Tensor:
        """The recursive reference: the root's hidden state [1, hidden] of one tree, one cell
        call per node."""
        children = [[] for _ in parents]
        for node, parent in enumerate(parents):
            if parent >= 0:
                children[parent].append(node)

        def state(node: int):
            kids = [state(k) for k in children[node]]
            x_terms = self.word(words[node : node + 1])
            if kids:
                child_h = torch.cat([h for h, _ in kids])
                child_c = torch.cat([c for _, c in kids])
            else:
                child_h = child_c = words.new_zeros(0, self.hidden)
            parent = torch.zeros(len(kids), dtype=torch.long, device=words.device)
            return self.cell(x_terms, child_h.sum(0, keepdim=True), child_h, child_c, parent, 1)

        return state(int(np.flatnonzero(parents < 0)[0]))[0]
