"""The Child-Sum Tree-LSTM: dependency heads checked, heights, and the level-batched computation
equal to the node-by-node reference in outputs and gradients (float64)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnnpipe.core.errors import DataError
from rnnpipe.trees.childsum import (
    ChildSumTreeLSTM,
    batch_dependency_trees,
    check_heads,
    node_heights,
)

# "A group of kids is playing in a yard" as Tai et al.'s SICK files parse it (1-based heads)
SICK_HEADS = [2, 6, 2, 3, 6, 0, 6, 9, 7]


def test_heads_become_parents_and_heights():
    parents = check_heads(SICK_HEADS, "a.parents line 1")
    assert parents.tolist() == [1, 5, 1, 2, 5, -1, 5, 8, 6]
    # playing (root) <- group <- of <- kids; playing <- in <- yard <- a
    assert node_heights(parents).tolist() == [0, 2, 1, 0, 0, 3, 2, 0, 1]


@pytest.mark.parametrize(
    "heads, message",
    [
        ([2, 0, 2, 0], "2 roots"),
        ([2, 3, 1], "0 roots"),
        ([2, 0, 9], "a head outside 0..3"),
        ([0, 3, 2], "cycle through token 2"),
        ([], "empty sentence"),
    ],
)
def test_heads_that_are_not_one_tree_are_refused_by_line(heads, message):
    with pytest.raises(DataError, match=f"b.parents line 7: .*{message}"):
        check_heads(heads, "b.parents line 7")


def random_parents(rng, n):
    """A random tree of n nodes: node k > 0 hangs under an earlier node; then shuffled."""
    parents = np.array([-1] + [int(rng.integers(0, k)) for k in range(1, n)])
    perm = rng.permutation(n)
    inverse = np.argsort(perm)
    return np.where(parents[perm] >= 0, inverse[np.maximum(parents[perm], 0)], -1)


def test_level_batching_equals_the_node_by_node_reference_in_outputs_and_gradients():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    cell = ChildSumTreeLSTM(5, 4).double()
    trees = [check_heads(SICK_HEADS, "t")] + [random_parents(rng, int(n)) for n in (1, 2, 7, 12)]
    words = [torch.randn(len(p), 5, dtype=torch.float64, requires_grad=True) for p in trees]
    batch = batch_dependency_trees([np.arange(len(p)) for p in trees], trees)
    batched = cell(torch.cat(words), batch)
    reference = torch.cat([cell.forward_one(w, p) for w, p in zip(words, trees)])
    assert torch.allclose(batched, reference, atol=1e-12)
    weights = torch.randn_like(batched)
    grads = torch.autograd.grad((batched * weights).sum(), [*words, *cell.parameters()])
    reference_grads = torch.autograd.grad((reference * weights).sum(), [*words, *cell.parameters()])
    for got, want in zip(grads, reference_grads):
        assert torch.allclose(got, want, atol=1e-10)


def test_a_node_sums_its_children_and_forgets_each_separately():
    """By hand: a root with two leaf children and zero weights but the word terms."""
    cell = ChildSumTreeLSTM(1, 1).double()
    with torch.no_grad():
        for p in cell.parameters():
            p.zero_()
        cell.word.weight[:, 0] = torch.tensor([1.0, 1.0, 1.0, 0.0], dtype=torch.float64)
    x = torch.tensor([[1.0], [2.0], [0.5]], dtype=torch.float64)
    parents = check_heads([0, 1, 1], "t")
    sig, tanh = torch.sigmoid, torch.tanh
    leaf_c = [sig(x[k]) * tanh(x[k]) for k in (1, 2)]
    c_root = sig(x[0]) * tanh(x[0]) + 0.5 * (leaf_c[0] + leaf_c[1])  # f = sigmoid(0)
    h_root = sig(x[0]) * tanh(c_root)
    assert torch.allclose(cell.forward_one(x, parents)[0], h_root)
    assert torch.allclose(cell(x, batch_dependency_trees([np.arange(3)], [parents]))[0], h_root)
