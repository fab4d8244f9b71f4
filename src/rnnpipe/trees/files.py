"""Tree files in, columnar trees out: read one bracketed tree per line, apply the granularity, store
as Parquet.

`fine`: the five SST classes 0-4 on every node. `binary` (the SST-2 protocol on trees): sentences
whose root is neutral (2) are dropped, 0-1 become 0 (negative) and 3-4 become 1 (positive), and
neutral inner nodes are left unlabeled (no loss, no score).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.errors import DataError
from .ptb import UNLABELED, Tree, parse_tree

FINE_LABELS = range(5)
BINARY = {0: 0, 1: 0, 3: 1, 4: 1}


def read_tree_file(path: str | Path, labels: range = FINE_LABELS) -> list[Tree]:
    """Every non-blank line of `path` as a Tree (its line number kept); errors name path:line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot be read as UTF-8 text ({exc}).") from None
    trees = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            tree = parse_tree(line, labels, where=f"{path}:{number}")
            tree.line = number
            trees.append(tree)
    if not trees:
        raise DataError(f"{path}: no tree in the file (one bracketed tree per line expected).")
    return trees


def apply_granularity(trees: list[Tree], granularity: str) -> list[Tree]:
    """`fine`: unchanged; `binary`: neutral-root sentences dropped, labels mapped, neutral nodes
    unlabeled."""
    if granularity == "fine":
        return trees
    kept = []
    for tree in trees:
        if tree.root_label in BINARY:
            tree.label = [BINARY.get(label, UNLABELED) for label in tree.label]
            kept.append(tree)
    return kept


def binary_accuracy_of_fine(labels: np.ndarray, proba: np.ndarray) -> float:
    """A fine-grained model's SST-2 accuracy: over the sentences whose fine label is not neutral,
    positive when P(3) + P(4) > P(0) + P(1), scored against BINARY's mapping of the label."""
    labels, proba = np.asarray(labels), np.asarray(proba)
    polar = np.isin(labels, list(BINARY))
    positive = proba[polar, 3] + proba[polar, 4] > proba[polar, 0] + proba[polar, 1]
    truth = np.array([BINARY[int(label)] for label in labels[polar]], dtype=bool)
    return float((positive == truth).mean()) if polar.any() else float("nan")


def write_trees(path: str | Path, trees_by_split: dict[str, list[Tree]]) -> None:
    """One row per sentence: split, line, words, and per node (post-order) left / right / parent
    / word / label / height, and SPINN's transitions (0 SHIFT, 1 REDUCE). Readers use the
    children; the rest is for inspection."""
    rows = {
        name: []
        for name in (
            "split",
            "line",
            "words",
            "left",
            "right",
            "parent",
            "word",
            "label",
            "height",
            "transitions",
        )
    }
    for split, trees in trees_by_split.items():
        for tree in trees:
            for name, value in (
                ("split", split),
                ("line", tree.line),
                ("words", tree.words),
                ("left", tree.left),
                ("right", tree.right),
                ("parent", tree.parents()),
                ("word", tree.word),
                ("label", tree.label),
                ("height", tree.heights()),
                ("transitions", tree.transitions()),
            ):
                rows[name].append(value)
    pq.write_table(pa.table(rows), path)


def read_trees(path: str | Path, split: str) -> list[Tree]:
    """The parse stage's trees of one split."""
    table = pq.read_table(path, filters=[("split", "=", split)])
    columns = {
        name: table.column(name).to_pylist()
        for name in ("words", "left", "right", "word", "label", "line")
    }
    return [
        Tree(words, left, right, word, label, line)
        for words, left, right, word, label, line in zip(
            *(columns[name] for name in ("words", "left", "right", "word", "label", "line"))
        )
    ]
