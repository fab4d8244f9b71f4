"""Sentence classifiers over trees: word vectors -> an encoder -> a class per node (or per
sentence).

Encoders (`train.model`): `treelstm` (treelstm.TreeLSTM, level by level), `spinn` (spinn.SPINN,
shift-reduce with a thin stack, transition by transition, with or without its tracker), and the
baselines `lstm` / `bilstm`: the shared RecurrentStack over the sentence's words left to right,
whose last state (both directions' ends for bilstm) classifies the root. Outputs are [trees, most
nodes, classes] in each tree's post-order, so one objective scores every labelled node; the
baselines fill the root only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from ..nn.embedding import word_embedding
from ..nn.heads import glorot_linear
from ..nn.pooling import pool_outputs
from ..nn.recurrent import RecurrentStack
from .batching import TreeBatch
from .spinn import SPINN
from .treelstm import TreeLSTM

ENCODERS = ("treelstm", "spinn", "lstm", "bilstm")
TREE_ENCODERS = {
    "treelstm": lambda config: TreeLSTM(config.embed_dim, config.hidden),
    "spinn": lambda config: SPINN(config.embed_dim, config.hidden, config.tracker),
}


@dataclass(frozen=True)
class TreeModelConfig:
    """The architecture: sizes from the data, the rest from the train section's rules
    (core.params.config_from_params); no defaults here, the schema holds them."""

    vocab_size: int
    embed_dim: int
    num_classes: int
    model: str
    hidden: int
    dropout: float
    freeze_embeddings: bool
    tracker: bool  # spinn only: SPINN-PI's tracker (spinn.SPINN)

    def to_dict(self) -> dict:
        return asdict(self)


class TreeClassifier(nn.Module):
    def __init__(self, config: TreeModelConfig, embedding_weights: torch.Tensor | None = None):
        super().__init__()
        self.config = config
        self.embedding = word_embedding(
            config.vocab_size, config.embed_dim, embedding_weights, freeze=config.freeze_embeddings
        )
        self.dropout = nn.Dropout(config.dropout)
        if config.model in TREE_ENCODERS:
            self.encoder = TREE_ENCODERS[config.model](config)
            features = config.hidden
        else:
            bidirectional = config.model == "bilstm"
            self.encoder = RecurrentStack(
                config.embed_dim, "lstm", config.hidden, 1, bidirectional, 0.0
            )
            features = config.hidden * (2 if bidirectional else 1)
        self.output = glorot_linear(features, config.num_classes)

    def forward(self, batch: TreeBatch) -> torch.Tensor:
        words = self.dropout(self.embedding(batch.tokens))
        trees = len(batch.roots)
        out = words.new_zeros(trees, batch.widest, self.config.num_classes)
        if self.config.model in TREE_ENCODERS:
            logits = self.output(self.dropout(self.encoder(words, batch)))
            return out.index_put((batch.node_tree, batch.node_position), logits)
        word_tree = batch.node_tree[batch.leaf_word >= 0]  # leaves in post-order = words in order
        lengths = torch.bincount(word_tree, minlength=trees)
        first = torch.cumsum(lengths, 0) - lengths
        position = torch.arange(len(word_tree), device=words.device) - first[word_tree]
        steps = words.new_zeros(trees, int(lengths.max()), words.size(-1)).index_put(
            (word_tree, position), words
        )
        states = self.encoder(steps, lengths)
        sentence = pool_outputs(
            states, lengths, "last", self.config.hidden, self.config.model == "bilstm"
        )
        roots = batch.node_position[batch.roots]
        return out.index_put(
            (torch.arange(trees, device=out.device), roots), self.output(self.dropout(sentence))
        )
