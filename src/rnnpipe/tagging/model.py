"""The tagger: (word embedding + character-level word encoding) -> RecurrentStack -> one tag per
token.

The recipe of Plank et al. 2016 / Lample et al. 2016: each word is its embedding concatenated with
the final states of a character BiLSTM read over its letters, so rare and unknown words still carry
their shape (capitals, digits, suffixes). Input is left-aligned ids [batch, time] with lengths; the
stack reads real tokens only and the objective scores real tokens only, so padding never changes a
tag.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn

from ..nn.crf import LinearChainCRF
from ..nn.embedding import word_embedding
from ..nn.ensemble import Ensemble
from ..nn.heads import StepHead
from ..nn.pooling import pool_outputs
from ..nn.recurrent import RecurrentStack


@dataclass(frozen=True)
class TaggerConfig:
    """The tagger's architecture: sizes from the data, the rest from the train section's rules
    (core.params.config_from_params); no defaults here, the schema holds them."""

    vocab_size: int
    embed_dim: int
    num_tags: int
    char_vocab: int  # 0 or char_dim 0: words only
    char_dim: int
    char_hidden: int
    cell: str
    hidden: int
    layers: int
    bidirectional: bool
    dropout: float
    freeze_embeddings: bool
    word_dropout: (
        float  # training only: this share of word ids becomes <unk> (the char encoder must cope)
    )
    crf: bool  # a CRF output layer (nn.crf)

    @property
    def uses_chars(self) -> bool:
        return self.char_vocab > 0 and self.char_dim > 0

    def to_dict(self) -> dict:
        return asdict(self)


class CharEncoder(nn.Module):
    """Words as character ids [words, W] (left-aligned) -> [words, 2 * hidden]: a BiLSTM's final
    states."""

    def __init__(self, characters: int, dim: int, hidden: int):
        super().__init__()
        self.hidden = hidden
        self.embedding = nn.Embedding(characters, dim, padding_idx=0)
        nn.init.uniform_(self.embedding.weight, -0.05, 0.05)
        self.rnn = RecurrentStack(dim, "lstm", hidden, 1, True, 0.0)

    def forward(self, chars: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return pool_outputs(
            self.rnn(self.embedding(chars), lengths), lengths, "last", self.hidden, True
        )


class RNNTagger(nn.Module):
    def __init__(self, config: TaggerConfig, embedding_weights: torch.Tensor | None = None):
        super().__init__()
        self.config = config
        self.embedding = word_embedding(
            config.vocab_size, config.embed_dim, embedding_weights, config.freeze_embeddings
        )
        self.chars = (
            CharEncoder(config.char_vocab, config.char_dim, config.char_hidden)
            if config.uses_chars
            else None
        )
        width = config.embed_dim + (2 * config.char_hidden if config.uses_chars else 0)
        self.dropout = nn.Dropout(config.dropout)
        self.rnn = RecurrentStack(
            width, config.cell, config.hidden, config.layers, config.bidirectional, config.dropout
        )
        self.head = StepHead(
            config.hidden * (2 if config.bidirectional else 1), config.num_tags, config.dropout
        )
        # With train.crf the head's outputs are emissions and tags follow a learned transition
        # score: B-PER then I-LOC, or I-X after O, become unlikely paths rather than free choices.
        self.crf = LinearChainCRF(config.num_tags) if config.crf else None

    def forward(
        self,
        ids: torch.Tensor,
        lengths: torch.Tensor,
        chars: torch.Tensor,
        char_lengths: torch.Tensor,
        word_index: torch.Tensor,
    ) -> torch.Tensor:
        """Tag logits [batch, time, tags] (with train.crf: the CRF's emissions); `chars` /
        `char_lengths` are the batch's distinct words and `word_index` [batch, time] the position
        of each token's word among them (see tagging.sequences)."""
        lengths = lengths.to(ids.device).long().clamp(min=1, max=ids.size(1))
        if self.training and self.config.word_dropout > 0:
            # Unknown words at test time are rare words' problem; training with some words unknown
            # teaches
            # the model to tag from the characters and the context alone (Plank et al. 2016's word
            # dropout).
            drop = torch.rand(ids.shape, device=ids.device) < self.config.word_dropout
            ids = ids.masked_fill(drop & (ids > 1), 1)
        x = self.embedding(ids)
        if self.chars is not None:
            # An embedding lookup, not `encoded[word_index]`: the latter's backward (index_put with
            # accumulate)
            # sums gradients in a thread-dependent order on CPU, and two identical runs drifted
            # apart.
            x = torch.cat(
                [x, nn.functional.embedding(word_index, self.chars(chars, char_lengths))], dim=-1
            )
        return self.head(self.rnn(self.dropout(x), lengths))


class EnsembleTagger(Ensemble):
    """Taggers trained separately on the same data; the output is the mean of their logits."""

    def __init__(self, members: list[RNNTagger]):
        if len({(m.config.vocab_size, m.config.num_tags) for m in members}) != 1:
            raise ValueError("ensemble members must share the vocabulary size and the tags")
        super().__init__(members)
        self.config = members[0].config
