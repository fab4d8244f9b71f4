"""Bracketed trees: nesting, unary chains, n-ary nodes, unlabeled nodes, and malformed lines."""

import pytest

from rnnpipe.core.errors import DataError
from rnnpipe.trees.ptb import UNLABELED, parse_tree


def test_a_nested_sst_tree_in_post_order():
    tree = parse_tree("(3 (2 The) (4 (3 gorgeously) (2 elaborate)))")
    assert tree.words == ["The", "gorgeously", "elaborate"]
    # nodes: The, gorgeously, elaborate, (gorgeously elaborate), root
    assert tree.left == [-1, -1, -1, 1, 0] and tree.right == [-1, -1, -1, 2, 3]
    assert tree.word == [0, 1, 2, -1, -1] and tree.label == [2, 3, 2, 4, 3]
    assert tree.heights() == [0, 0, 0, 1, 2] and tree.transitions() == [0, 0, 0, 1, 1]


def test_unary_chains_merge_keeping_the_outer_label_and_n_ary_nodes_branch_right():
    assert parse_tree("(1 (4 (2 word)))").label == [1]
    tree = parse_tree("(4 (1 a) (2 b) (3 c) (0 d))")
    assert tree.words == ["a", "b", "c", "d"]
    assert tree.transitions() == [0, 0, 0, 0, 1, 1, 1]
    assert tree.label == [1, 2, 3, 0, UNLABELED, UNLABELED, 4]
    assert tree.left[-1] == 0 and tree.left[-2] == 1 and tree.left[-3] == 2  # (a (b (c d)))
    assert tree.parents() == [6, 5, 4, 4, 5, 6, -1]


def test_unlabeled_trees_and_plain_word_lists():
    tree = parse_tree("((the cat) (sat))")
    assert tree.words == ["the", "cat", "sat"] and set(tree.label) == {UNLABELED}
    assert tree.transitions() == [0, 0, 1, 0, 1]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("(3 (2 a) (2 b)", "1 '(' left open"),
        ("(3 (2 a)) (2 b))", "text after the tree's closing bracket"),
        ("(3 (2 a) ())", "no children and no word"),
        ("(3 (2 a) (2))", "no children and no word"),
        ("(7 (2 a) (2 b))", "label 7 is outside the declared labels 0..4"),
        ("(3 a (2 b))", "both words (a) and subtrees"),
        ("word", "a tree starts with '('"),
    ],
)
def test_malformed_trees_name_the_place(text, fragment):
    with pytest.raises(DataError) as caught:
        parse_tree(text, where="train.txt:12")
    assert str(caught.value).startswith("train.txt:12: ") and fragment in str(caught.value)


def test_synthetic_trees_round_trip_through_bracketed_text_with_words_in_order():
    from rnnpipe.trees.synthetic import synthetic_trees

    for tree in synthetic_trees(200, seed=1):
        again = parse_tree(tree.to_text())
        assert (again.words, again.left, again.right, again.label) == (
            tree.words,
            tree.left,
            tree.right,
            tree.label,
        )
        leaves = [w for w in tree.word if w >= 0]
        assert leaves == list(range(len(tree.words)))  # post-order visits the words left to right


def test_a_subtree_is_its_phrase_as_a_tree_of_its_own():
    tree = parse_tree("(3 (2 The) (4 (3 gorgeously) (2 (2 elaborate) (2 continuation))))")
    phrase = tree.subtree(4)  # (2 (2 elaborate) (2 continuation))
    assert phrase.to_text() == "(2 (2 elaborate) (2 continuation))"
    assert tree.subtree(5).to_text() == "(4 (3 gorgeously) (2 (2 elaborate) (2 continuation)))"
    assert (
        tree.subtree(len(tree.label) - 1).to_text() == tree.to_text()
        and tree.subtree(0).to_text() == "(2 The)"
    )


def test_spinn_stack_pointers_hand_checked():
    # post-order: a(0) b(1) c(2) [b c](3) root(4); transitions SHIFT SHIFT SHIFT REDUCE REDUCE
    tree = parse_tree("(1 (2 a) (3 (4 b) (0 c)))")
    assert tree.transitions() == [0, 0, 0, 1, 1]
    # before each transition: stack top, stack second, buffer's next word (-1: none)
    assert tree.stack_pointers.tolist() == [
        [-1, -1, 0],
        [0, -1, 1],
        [1, 0, 2],
        [2, 1, -1],
        [3, 0, -1],
    ]
    # left-branching: ((a b) c) -> a(0) b(1) [a b](2) c(3) root(4)
    tree = parse_tree("(1 (2 (3 a) (4 b)) (0 c))")
    assert tree.transitions() == [0, 0, 1, 0, 1]
    assert tree.stack_pointers.tolist() == [
        [-1, -1, 0],
        [0, -1, 1],
        [1, 0, 3],
        [2, -1, 3],
        [3, 2, -1],
    ]


def test_every_reduce_pops_its_own_children_on_generated_trees():
    from rnnpipe.trees.synthetic import synthetic_trees

    for tree in synthetic_trees(200, seed=3):
        pointers = tree.stack_pointers
        for node, (left, right) in enumerate(zip(tree.left, tree.right)):
            if left >= 0:
                assert (pointers[node, 1], pointers[node, 0]) == (left, right)
            else:
                assert pointers[node, 2] == node  # a SHIFT pushes the buffer's next word


def test_a_fine_models_binary_accuracy_leaves_neutral_sentences_out():
    import numpy as np

    from rnnpipe.trees.files import binary_accuracy_of_fine

    labels = np.array([0, 1, 2, 3, 4, 4])
    proba = np.array(
        [
            [0.1, 0.5, 0.0, 0.2, 0.2],  # negative 0.6 vs 0.4: right
            [0.0, 0.3, 0.5, 0.1, 0.1],  # 0.3 vs 0.2 though neutral wins the argmax: right
            [0.0, 0.0, 1.0, 0.0, 0.0],  # neutral sentence: left out
            [0.4, 0.2, 0.0, 0.2, 0.2],  # 0.6 negative for a positive: wrong
            [0.0, 0.0, 0.2, 0.0, 0.8],  # right
            [0.0, 0.1, 0.0, 0.5, 0.4],
        ]
    )  # right
    assert binary_accuracy_of_fine(labels, proba) == 4 / 5
