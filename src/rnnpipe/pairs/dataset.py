"""Sentence pairs as a BatchSource for the shared training loop.

A batch is both sentences of its pairs as one batch of 2b sentences (premises, then hypotheses),
in the form the encoder reads: padded token ids and lengths (`bilstm`), binary trees
(trees.batching.TreeBatch: `treelstm`, `spinn`) or dependency trees
(trees.childsum.DependencyBatch: `childsum`). Targets are label ids [b], or for relatedness
(parse.target=score) Tai et al.'s distribution [b, classes] over the integer scores: a score y
between integers k and k + 1 puts y - k on k + 1 and k + 1 - y on k. Batches group pairs of
similar length (length bucketing on the longer sentence).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow.parquet as pq
import torch

from ..core.errors import DataError
from ..data.bucketing import bucketed_batches
from ..text.vocabulary import Vocabulary
from ..trees.batching import batch_trees
from ..trees.childsum import batch_dependency_trees, check_heads
from ..trees.ptb import UNLABELED, Tree

NEEDS = {"treelstm": "binary", "spinn": "binary", "childsum": "dependency", "bilstm": "tokens"}
HOW_TO_PARSE = {
    "binary": "binary constituency parses (SNLI's sentence1_binary_parse, or parse the "
    "sentences with a constituency parser such as Stanza or CoreNLP and binarise them)",
    "dependency": "dependency heads (SICK's dependency/ folder of Tai et al., or parse the "
    "sentences with a dependency parser such as Stanza or spaCy into sentence1_heads / "
    "sentence2_heads)",
}


@dataclass
class PaddedSentences:
    tokens: torch.Tensor  # [n, longest] ids, 0 = padding
    lengths: torch.Tensor  # [n]

    def to(self, device: torch.device) -> PaddedSentences:
        return PaddedSentences(self.tokens.to(device), self.lengths.to(device))


def relatedness_distribution(scores: np.ndarray, low: float, high: float) -> np.ndarray:
    """[n, high - low + 1] Tai et al.'s sparse target distribution of each score."""
    classes = int(round(high - low)) + 1
    position = np.clip(np.asarray(scores, dtype=np.float64) - low, 0, classes - 1)
    floor = np.minimum(np.floor(position).astype(np.int64), classes - 1)
    upper = position - floor
    target = np.zeros((len(position), classes))
    target[np.arange(len(position)), floor] = 1 - upper
    has_next = floor + 1 < classes
    target[np.flatnonzero(has_next), floor[has_next] + 1] = upper[has_next]
    return target


def read_split(path: str, split: str) -> dict[str, list]:
    """One split's columns of data/pairs.parquet (pairs.parse)."""
    return pq.read_table(path, filters=[("split", "=", split)]).to_pydict()


class PairSet:
    """Pairs (the columns of data/pairs.parquet: read_split, parse.pair_columns) encoded for
    `encoder`."""

    def __init__(
        self,
        table: dict[str, list],
        vocabulary: Vocabulary,
        encoder: str,
        target: str,
        score_range=(1.0, 5.0),
        relations: Vocabulary | None = None,
        source: str = "data/pairs.parquet",
    ):
        """`relations`: the relation label vocabulary, when the encoder reads the labels
        (childsum with train.relation_dim > 0); `source` names the pairs in messages."""
        self.encoder, self.target = encoder, target
        self.form = NEEDS[encoder]
        self.sentences, self.trees, self.parents = {}, {}, {}
        self.relation_ids = {} if relations is not None else None
        for side, column in (("p", "premise"), ("h", "hypothesis")):
            self.sentences[side] = [
                np.asarray(vocabulary.encode(t), dtype=np.int64) for t in table[column]
            ]
            if self.form == "binary":
                if any(not left for left in table[f"{side}_left"]):
                    raise DataError(refusal(encoder, "binary", source))
                self.trees[side] = [
                    Tree(words, left, right, word, [UNLABELED] * len(left))
                    for words, left, right, word in zip(
                        table[column],
                        table[f"{side}_left"],
                        table[f"{side}_right"],
                        table[f"{side}_word"],
                    )
                ]
            elif self.form == "dependency":
                if any(not heads for heads in table[f"{side}_heads"]):
                    raise DataError(refusal(encoder, "dependency", source))
                self.parents[side] = [check_heads(h, source) for h in table[f"{side}_heads"]]
                if relations is not None:
                    if any(not r for r in table[f"{side}_relations"]):
                        raise DataError(
                            "train.relation_dim > 0 reads each token's dependency relation "
                            "label, and not every sentence has them (SICK's a.rels / b.rels, or "
                            "sentence1_relations / sentence2_relations); set "
                            "train.relation_dim=0."
                        )
                    self.relation_ids[side] = [
                        np.asarray(relations.encode(r), dtype=np.int64)
                        for r in table[f"{side}_relations"]
                    ]
        self.sizes = np.array(
            [max(len(p), len(h)) for p, h in zip(self.sentences["p"], self.sentences["h"])],
            dtype=np.int64,
        )
        self.labels = np.asarray(table["label"], dtype=np.int64)
        self.scores = np.asarray(table["score"], dtype=np.float64)
        if target == "score":
            self._targets = torch.from_numpy(
                relatedness_distribution(self.scores, *score_range).astype(np.float32)
            )
        else:
            self._targets = torch.from_numpy(self.labels)

    def __len__(self) -> int:
        return len(self.sizes)

    @property
    def targets(self) -> torch.Tensor:
        return self._targets

    def to(self, device: torch.device) -> PairSet:
        return self  # batches are built on the host and moved one at a time

    def batches(self, batch_size: int, rng, bucket_batches: int = 1) -> list[np.ndarray]:
        return bucketed_batches(self.sizes, batch_size, rng, bucket_batches)

    def sentence_batch(self, rows: np.ndarray):
        """Premises then hypotheses of `rows`, in the encoder's form."""
        sides = ("p", "h")
        ids = [self.sentences[s][r] for s in sides for r in rows]
        if self.form == "binary":
            return batch_trees([self.trees[s][r] for s in sides for r in rows], ids)
        if self.form == "dependency":
            relation_ids = (
                [self.relation_ids[s][r] for s in sides for r in rows]
                if self.relation_ids is not None
                else None
            )
            return batch_dependency_trees(
                ids, [self.parents[s][r] for s in sides for r in rows], relation_ids
            )
        lengths = np.array([len(x) for x in ids])
        tokens = np.zeros((len(ids), max(int(lengths.max()), 1)), dtype=np.int64)
        for k, x in enumerate(ids):
            tokens[k, : len(x)] = x
        return PaddedSentences(torch.from_numpy(tokens), torch.from_numpy(lengths))

    def batch(self, rows, device: torch.device, non_blocking: bool = False):
        rows = np.asarray(rows)
        sentences = self.sentence_batch(rows).to(device)
        targets = self._targets[torch.as_tensor(rows)]
        return (sentences,), targets.to(device, non_blocking=non_blocking)


def refusal(encoder: str, form: str, where: str = "data/pairs.parquet") -> str:
    return (
        f"train.encoder={encoder} reads {HOW_TO_PARSE[form]}, and not every sentence of "
        f"{where} has one. rnnpipe bundles no parser: give parsed data, or use "
        "train.encoder=bilstm, which reads plain tokens."
    )
