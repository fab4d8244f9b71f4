"""The trees pipeline's parse stage: data/raw/*.txt -> data/trees.parquet (columnar trees) +
data/vocab.txt.

Reads one bracketed tree per line (errors name file:line: unbalanced brackets, a node with no word
and no children, a label outside 0-4), makes the trees binary, applies parse.granularity (binary:
neutral sentences dropped, as the SST-2 protocol), lowercases words if parse.lowercase, and builds
the vocabulary from the training trees' words only. data/trees.parquet holds, per sentence, its
words and per node (in post-order, the root last) its children, word, label and height; SPINN's
transitions follow from it (a leaf is a SHIFT, an inner node a REDUCE).
"""

from __future__ import annotations

from pathlib import Path

from ..core.atomic import atomic_path, write_json
from ..core.errors import DataError
from ..text.vocabulary import build_vocabulary
from .files import apply_granularity, read_tree_file, write_trees
from .sources import SPLIT_FILES

RAW = Path("data/raw")


def parse_trees(params: dict) -> None:
    settings = params["parse"]
    trees = {
        split: apply_granularity(read_tree_file(RAW / name), settings["granularity"])
        for split, name in SPLIT_FILES.items()
    }
    check_root_classes(trees["train"], settings["granularity"])
    if settings["lowercase"]:
        for split_trees in trees.values():
            for tree in split_trees:
                tree.words = [word.lower() for word in tree.words]
    vocabulary = build_vocabulary([tree.words for tree in trees["train"]], num_words=10**9)
    with atomic_path("data/trees.parquet") as tmp:
        write_trees(tmp, trees)
    with atomic_path("data/vocab.txt") as tmp:
        vocabulary.save(tmp)
    counts = {split: len(split_trees) for split, split_trees in trees.items()}
    write_json(
        "data/parse.json",
        {
            "trees": counts,
            "vocabulary": len(vocabulary),
            "nodes": {s: sum(len(t.label) for t in ts) for s, ts in trees.items()},
        },
    )
    print(f"parse: {counts} trees, vocabulary {len(vocabulary)} -> data/trees.parquet")


def check_root_classes(trees: list, granularity: str) -> None:
    """Refuse training trees whose roots all hold one class: a model of them learns nothing, and
    its validation accuracy would be that class's share."""
    classes = sorted({tree.label[-1] for tree in trees})  # the root is the last node
    if len(classes) < 2:
        raise DataError(
            f"{RAW / SPLIT_FILES['train']}: every training tree's root has class "
            f"{classes[0] if classes else '(none)'} (parse.granularity={granularity}); a "
            "classifier needs at least two. Check the labels (0-4 at each root) or the split."
        )
