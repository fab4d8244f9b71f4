"""The level-batched Tree-LSTM computes exactly what the node-by-node reference computes."""

import numpy as np
import torch

from rnnpipe.trees.batching import batch_trees
from rnnpipe.trees.ptb import parse_tree
from rnnpipe.trees.treelstm import TreeLSTM

TREES = [
    "(3 (2 The) (4 (3 gorgeously) (2 elaborate)))",
    "(1 (2 dull))",
    "(4 (1 a) (2 b) (3 c) (0 d))",
    "(2 (2 (2 (1 not) (3 good)) (2 ,)) (3 (2 but) (4 (3 very) (4 funny))))",
]


def test_batched_levels_equal_the_recursive_reference_in_outputs_and_gradients():
    torch.manual_seed(0)
    trees = [parse_tree(text) for text in TREES]
    token_ids = [np.arange(len(t.words)) + 10 * k for k, t in enumerate(trees)]
    embedding = torch.nn.Embedding(50, 6)
    model = TreeLSTM(6, 5).double()
    embedding.double()

    batch = batch_trees(trees, token_ids)
    assert [len(level) for level in batch.levels][:2] == [sum(len(t.words) for t in trees), 4]
    batched = model(embedding(batch.tokens), batch)
    batched.square().sum().backward()
    batched_grads = [p.grad.clone() for p in [*model.parameters(), *embedding.parameters()]]

    for p in [*model.parameters(), *embedding.parameters()]:
        p.grad = None
    one_by_one = torch.cat(
        [
            model.forward_one(embedding(torch.as_tensor(ids)), tree)
            for tree, ids in zip(trees, token_ids)
        ]
    )
    one_by_one.square().sum().backward()
    torch.testing.assert_close(batched, one_by_one, rtol=1e-12, atol=1e-12)
    for mine, reference in zip(
        batched_grads, [p.grad for p in [*model.parameters(), *embedding.parameters()]]
    ):
        torch.testing.assert_close(mine, reference, rtol=1e-10, atol=1e-12)
    assert batch.roots.tolist() == np.cumsum([len(t.label) for t in trees]).__sub__(1).tolist()


def test_spinn_without_a_tracker_computes_the_tree_lstm_function():
    from rnnpipe.trees.spinn import SPINN, reduce_steps

    torch.manual_seed(1)
    trees = [parse_tree(text) for text in TREES]
    token_ids = [np.arange(len(t.words)) + 10 * k for k, t in enumerate(trees)]
    batch = batch_trees(trees, token_ids)
    words = torch.nn.Embedding(50, 6).double()(batch.tokens)
    spinn = SPINN(6, 5).double()
    tree_lstm = TreeLSTM(6, 5).double()
    tree_lstm.load_state_dict(spinn.compose.state_dict())
    torch.testing.assert_close(spinn(words, batch), tree_lstm(words, batch), rtol=1e-12, atol=1e-12)
    # as many sequential REDUCE steps as the longest transition sequence has reduces at distinct
    # positions
    steps = reduce_steps(batch)
    assert sum(len(step) for step in steps) == sum(len(t.words) - 1 for t in trees)
    assert all(int(batch.node_position[step].unique().numel()) == 1 for step in steps)


def test_spinn_with_a_tracker_gives_each_sentence_the_states_it_gets_alone():
    """The tracker is per sentence: batching sentences of different lengths changes nothing, and
    the tracker really feeds the REDUCEs (its weights get gradients; the states differ from
    SPINN-PI-NT's)."""
    from rnnpipe.trees.spinn import SPINN

    torch.manual_seed(2)
    trees = [parse_tree(text) for text in TREES]
    token_ids = [np.arange(len(t.words)) + 10 * k for k, t in enumerate(trees)]
    embedding = torch.nn.Embedding(50, 6).double()
    spinn = SPINN(6, 5, tracker=True).double()
    batch = batch_trees(trees, token_ids)
    batched = spinn(embedding(batch.tokens), batch)
    alone = torch.cat(
        [
            spinn(embedding(torch.as_tensor(ids)), batch_trees([tree], [ids]))
            for tree, ids in zip(trees, token_ids)
        ]
    )
    torch.testing.assert_close(batched, alone, rtol=1e-12, atol=1e-12)
    batched.square().sum().backward()
    assert float(spinn.tracker_gates.weight.grad.abs().sum()) > 0
    assert float(spinn.tracker.weight_ih.grad.abs().sum()) > 0
    untracked = SPINN(6, 5).double()
    untracked.compose.load_state_dict(spinn.compose.state_dict())
    inner = batch.leaf_word < 0
    assert not torch.allclose(untracked(embedding(batch.tokens), batch)[inner], batched[inner])


def test_the_level_schedule_hand_checked():
    # The(0) gorgeously(1) elaborate(2) [gorgeously elaborate](3) root(4); then a(5) b(6) [a b](7)
    trees = [parse_tree(TREES[0]), parse_tree("(1 (2 a) (3 b))")]
    batch = batch_trees(trees, [np.arange(3), np.arange(3, 5)])
    assert trees[0].heights() == [0, 0, 0, 1, 2]
    assert [level.tolist() for level in batch.levels] == [[0, 1, 2, 5, 6], [3, 7], [4]]
    assert batch.left.tolist() == [-1, -1, -1, 1, 0, -1, -1, 5] and batch.right.tolist() == [
        -1,
        -1,
        -1,
        2,
        3,
        -1,
        -1,
        6,
    ]
    assert batch.leaf_word.tolist() == [0, 1, 2, -1, -1, 3, 4, -1] and batch.roots.tolist() == [
        4,
        7,
    ]
