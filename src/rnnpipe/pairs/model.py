"""The Siamese pair model: one encoder reads both sentences with the same weights, and an MLP
classifies the features [u; v; |u - v|; u * v] of their vectors u (premise) and v (hypothesis),
as Mou et al. (2016) and InferSent (Conneau et al., 2017) do; or (train.features: symmetric) of
[|u - v|; u * v] only, as Tai et al. (2015) score relatedness: the same for (a, b) and (b, a).

Encoders (`train.encoder`): `bilstm`, a bidirectional LSTM max-pooled over each sentence's real
steps (InferSent's choice; padding never reaches the pool); `treelstm`, the binary constituency
Tree-LSTM (trees.treelstm, level by level) over the binary parse, its root state; `spinn`, SPINN
over the same parse's shift/reduce transitions (trees.spinn; with train.tracker, SPINN-PI);
`childsum`, the Child-Sum Tree-LSTM (trees.childsum) over the dependency tree, its root state,
Tai et al.'s model for SICK; with train.relation_dim > 0 each node reads its word and its
dependency relation label (nsubj, dobj, ...), which the plain model cannot see: a node sums its
children unordered, so "the dog chases the cat" and "the cat chases the dog" are otherwise the same
tree.

The head gives one logit for two labels, one per label otherwise; for relatedness one per integer
score (Tai et al.: the prediction is the expected score under their softmax).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from ..nn.embedding import word_embedding
from ..nn.heads import glorot_linear
from ..nn.pooling import pool_outputs
from ..nn.recurrent import RecurrentStack
from ..trees.childsum import ChildSumTreeLSTM
from ..trees.spinn import SPINN
from ..trees.treelstm import TreeLSTM


@dataclass(frozen=True)
class PairModelConfig:
    """Sizes from the data, the rest from the train section's rules (no defaults here: the
    schema holds them)."""

    vocab_size: int
    embed_dim: int
    outputs: int  # 1 (two labels), the number of labels, or of integer scores
    encoder: str
    hidden: int
    head_hidden: int
    dropout: float
    freeze_embeddings: bool
    tracker: bool
    features: str  # all: [u; v; |u - v|; u * v] | symmetric: [|u - v|; u * v] (Tai et al.)
    relation_vocab_size: int  # dependency relation labels known (data/relations.txt)
    relation_dim: int  # childsum: each token's relation label embedded and read with its word

    @property
    def sentence_features(self) -> int:
        return 2 * self.hidden if self.encoder == "bilstm" else self.hidden

    def to_dict(self) -> dict:
        return asdict(self)


class PairModel(nn.Module):
    def __init__(self, config: PairModelConfig, embedding_weights: torch.Tensor | None = None):
        super().__init__()
        self.config = config
        self.embedding = word_embedding(
            config.vocab_size, config.embed_dim, embedding_weights, freeze=config.freeze_embeddings
        )
        self.dropout = nn.Dropout(config.dropout)
        if config.encoder == "bilstm":
            self.encoder = RecurrentStack(config.embed_dim, "lstm", config.hidden, 1, True, 0.0)
        elif config.encoder == "treelstm":
            self.encoder = TreeLSTM(config.embed_dim, config.hidden)
        elif config.encoder == "spinn":
            self.encoder = SPINN(config.embed_dim, config.hidden, config.tracker)
        else:
            self.encoder = ChildSumTreeLSTM(config.embed_dim + config.relation_dim, config.hidden)
        if config.relation_dim:
            self.relations = nn.Embedding(
                config.relation_vocab_size, config.relation_dim, padding_idx=0
            )
        self.head = nn.Sequential(
            glorot_linear(
                (4 if config.features == "all" else 2) * config.sentence_features,
                config.head_hidden,
            ),
            nn.Tanh(),
            nn.Dropout(config.dropout),
            glorot_linear(config.head_hidden, config.outputs),
        )

    def encode(self, sentences) -> torch.Tensor:
        """[sentences, features]: one vector per sentence of the batch."""
        words = self.dropout(self.embedding(sentences.tokens))
        if self.config.encoder == "bilstm":
            states = self.encoder(words, sentences.lengths)
            return pool_outputs(states, sentences.lengths, "max", self.config.hidden, True)
        if self.config.encoder == "childsum":
            if self.config.relation_dim:
                labels = self.dropout(self.relations(sentences.relations))
                words = torch.cat([words, labels], dim=-1)
            return self.encoder(words, sentences)
        return self.encoder(words, sentences)[sentences.roots]

    def forward(self, sentences) -> torch.Tensor:
        """Logits [pairs, outputs] (two labels: [pairs]) of a batch holding the premises, then
        the hypotheses."""
        u, v = self.encode(sentences).chunk(2)
        both = [(u - v).abs(), u * v]
        features = torch.cat([u, v, *both] if self.config.features == "all" else both, dim=-1)
        logits = self.head(features)
        return logits.squeeze(-1) if self.config.outputs == 1 else logits
