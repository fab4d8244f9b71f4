"""What `rnnpipe predict` does with a trees model: the root label of each bracketed tree.

The input is what the model was trained on: one binarised bracketed tree per line, SST style, node
labels optional (they are ignored: the model predicts). No parser is bundled, so a line of plain
text is refused with the command that makes such trees: Stanford CoreNLP's sentiment pipeline prints
its parses in exactly SST's format (the Stanford parser made SST's trees).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import torch

from ..core.device import resolve_device
from ..core.errors import DataError
from ..core.metrics import probabilities
from ..training.inference import predict
from .classifier import TrainedTreeClassifier
from .dataset import tree_set
from .ptb import Tree, parse_tree

PARSER_HINT = (
    "No parser is bundled with rnnpipe: parse the sentences first, one per line, e.g. with "
    "Stanford "
    'CoreNLP: `java -mx5g -cp "stanford-corenlp/*" edu.stanford.nlp.sentiment.SentimentPipeline '
    "-file sentences.txt -output PENNTREES` prints SST-style trees (their labels are ignored here)."
)
ANY_LABEL = range(-(10**9), 10**9)  # input labels are read and ignored: the model predicts them


def read_input_trees(texts: list[str], source: str) -> list[Tree | None]:
    """A Tree per text, None for a blank one; DataError naming the line of `source` (or the
    argument, when `source` is "argument") for plain text or a malformed tree."""
    trees: list[Tree | None] = []
    for number, text in enumerate(texts, start=1):
        if not text.strip():
            trees.append(None)
            continue
        where = f"argument {number}" if source == "argument" else f"{source}, line {number}"
        if not text.lstrip().startswith("("):
            raise DataError(
                f"{where} is plain text ({text.strip()[:40]!r}); a trees model reads a bracketed "
                "parse "
                f"such as (3 (2 a) (3 (2 good) (2 film))). {PARSER_HINT}"
            )
        trees.append(parse_tree(text, ANY_LABEL, where))
    return trees


def predict_roots(
    trained: TrainedTreeClassifier, trees: list[Tree], batch_size: int = 256, device: str = "cpu"
) -> np.ndarray:
    """Class probabilities [trees, classes] of each tree's root."""
    if trained.lowercase:
        trees = [replace(tree, words=[word.lower() for word in tree.words]) for tree in trees]
    data = tree_set(trees, trained.vocabulary)
    with torch.no_grad():
        proba = probabilities(predict(trained.model, data, batch_size, resolve_device(device)))
    return proba[np.arange(len(data)), data.sizes - 1]
