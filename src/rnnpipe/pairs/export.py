"""A trained pair model as ONNX (`rnnpipe export`): the graph maps both sentences' token ids to the
label probabilities or the relatedness score, the lexical member's mix included.

Which encoders export: `bilstm` only. The tree encoders (`treelstm`, `spinn`, `childsum`) compute
level by level over a schedule built on the host from each batch's parses (trees.batching,
trees.childsum): the number and shape of the steps follow the data, which a traced graph cannot
hold; export refuses them by name.

Inputs, every one [batch, ...] int64 and padded at the end:
- `premise_ids`, `hypothesis_ids` [batch, time] (ids in vocab.txt, 0 = padding) and
  `premise_lengths`, `hypothesis_lengths` [batch] (tokens per sentence, >= 1).
- With a lexical member (train.mix_lexical), for its TF-IDF and overlap features
  (pairs.baselines): `premise_terms`, `hypothesis_terms` [batch, n] — the index in
  lexical_terms.txt of every word and word bigram ("a b") of the sentence, as often as it occurs,
  skipping those not listed (-1 = padding); and `premise_words`, `hypothesis_words` [batch, m] — one
  id per token: its index in lexical_terms.txt when listed, else len(terms) + its index in
  export.json's `negations` when it is one of them, else len(terms) + len(negations) + k for the
  pair's k-th distinct other word (the same word gets the same id on both sides of a pair; -1 =
  padding).
Output: `probabilities` [batch, labels] (export.json's label order) or `score` [batch]: exactly
TrainedPairModel's numbers (`rnnpipe predict`). export.json says how to tokenize (the regular
expression, "n't" split off, lowercasing).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..core.metrics import class_probabilities
from ..core.onnx_export import ExportError, export_onnx, verify_onnx
from .baselines import NEGATIONS, PairBaseline, ngrams
from .classifier import LEXICAL_TERMS, TrainedPairModel
from .parse import pair_columns
from .readers import TOKEN, Pair, Sentence, tokenize

NEGATION_LIST = sorted(NEGATIONS)
DENSE_FEATURES = 8  # pairs.baselines.overlap_features


class LexicalGraph(nn.Module):
    """The lexical member (pairs.baselines.PairBaseline, kind lexical) in torch ops: its decision
    values [batch, K] from the inputs the module docstring describes."""

    def __init__(self, lexical: PairBaseline):
        super().__init__()
        terms = len(lexical.words.terms)
        # Slot 0 is "no term": ids are shifted by one, so -1 padding counts nothing.
        idf = np.r_[0.0, lexical.words.idf]
        self.register_buffer("idf", torch.tensor(idf, dtype=torch.float32))
        coef = np.asarray(lexical.coef, dtype=np.float32).T  # [3 * terms + 8, K]
        blocks = [coef[k * terms : (k + 1) * terms] for k in range(3)]
        zero = np.zeros((1, coef.shape[1]), dtype=np.float32)
        for name, block in zip(("coef_p", "coef_h", "coef_both"), blocks):
            self.register_buffer(name, torch.from_numpy(np.concatenate([zero, block])))
        self.register_buffer("coef_dense", torch.from_numpy(coef[3 * terms :].copy()))
        self.register_buffer("intercept", torch.tensor(lexical.intercept, dtype=torch.float32))
        index = {term: i for i, term in enumerate(lexical.words.terms)}
        negation_ids = [index.get(w, terms + k) for k, w in enumerate(NEGATION_LIST)]
        negation_ids += [terms + k for k in range(len(NEGATION_LIST))]  # listed or not
        self.register_buffer("negation_ids", torch.tensor(sorted(set(negation_ids))))

    def tfidf(self, terms: torch.Tensor) -> torch.Tensor:
        """[batch, terms + 1] unit-length TF-IDF rows (slot 0 zero) from term ids."""
        counts = torch.zeros(terms.shape[0], self.idf.shape[0], dtype=torch.float32)
        counts = counts.scatter_add(1, terms + 1, torch.ones(terms.shape, dtype=torch.float32))
        present = (counts > 0) & (self.idf > 0)
        weights = torch.where(present, 1 + torch.log(counts.clamp(min=1.0)), 0.0) * self.idf
        norm = torch.sqrt((weights * weights).sum(dim=1, keepdim=True))
        return weights / norm.clamp(min=1e-30)

    def overlap(self, p_words, h_words, cosine) -> torch.Tensor:
        """pairs.baselines.overlap_features from the word ids."""
        p_valid, h_valid = p_words >= 0, h_words >= 0

        def distinct(words, valid):  # first occurrences of each word
            same = (words.unsqueeze(2) == words.unsqueeze(1)) & valid.unsqueeze(1)
            earlier = torch.tril(torch.ones(same.shape[1], same.shape[1], dtype=torch.bool), -1)
            return valid & ~(same & earlier).any(dim=2)

        p_first = distinct(p_words, p_valid)
        in_h = ((p_words.unsqueeze(2) == h_words.unsqueeze(1)) & h_valid.unsqueeze(1)).any(dim=2)
        p_set = p_first.sum(dim=1).float()
        h_set = distinct(h_words, h_valid).sum(dim=1).float()
        shared = (p_first & in_h).sum(dim=1).float()
        union = p_set + h_set - shared

        def negated(words, valid):
            hit = (words.unsqueeze(2) == self.negation_ids).any(dim=2) & valid
            return hit.any(dim=1).float()

        neg_p, neg_h = negated(p_words, p_valid), negated(h_words, h_valid)
        return torch.stack(
            [
                (h_set - shared) / h_set.clamp(min=1.0),
                shared / union.clamp(min=1.0),
                cosine,
                torch.log1p(p_valid.sum(dim=1).float()),
                torch.log1p(h_valid.sum(dim=1).float()),
                neg_p,
                neg_h,
                (neg_p != neg_h).float(),
            ],
            dim=1,
        )

    def forward(self, p_terms, h_terms, p_words, h_words) -> torch.Tensor:
        p, h = self.tfidf(p_terms), self.tfidf(h_terms)
        both = p * h
        dense = self.overlap(p_words, h_words, both.sum(dim=1))
        return (
            p @ self.coef_p
            + h @ self.coef_h
            + both @ self.coef_both
            + dense @ self.coef_dense
            + self.intercept
        )


class PairGraph(nn.Module):
    """Both sentences' ids (and the lexical inputs) -> probabilities or score, as
    TrainedPairModel computes them."""

    def __init__(self, trained: TrainedPairModel):
        super().__init__()
        self.model, self.target = trained.model, trained.target
        self.low = float(trained.score_range[0]) if trained.score_range else 0.0
        self.mixed = trained.lexical is not None and trained.network_weight < 1.0
        if self.mixed:
            self.lexical = LexicalGraph(trained.lexical)
            self.register_buffer("weight", torch.tensor(float(trained.network_weight)))

    def outputs(self, logits: torch.Tensor) -> torch.Tensor:
        if self.target == "label":
            return class_probabilities(logits)
        p = torch.softmax(logits, dim=-1)
        return p @ torch.arange(p.shape[1], dtype=torch.float32) + self.low

    def lexical_outputs(self, decision: torch.Tensor) -> torch.Tensor:
        if self.target == "score":
            return decision[:, 0]
        if decision.shape[1] == 1:
            return class_probabilities(decision[:, 0])
        return torch.softmax(decision, dim=-1)

    def forward(self, p_ids, p_lengths, h_ids, h_lengths, *lexical) -> torch.Tensor:
        model = self.model
        u = self.encode(p_ids, p_lengths)
        v = self.encode(h_ids, h_lengths)
        both = [(u - v).abs(), u * v]
        features = torch.cat([u, v, *both] if model.config.features == "all" else both, dim=-1)
        logits = model.head(features)
        network = self.outputs(logits.squeeze(-1) if model.config.outputs == 1 else logits)
        if not self.mixed:
            return network
        return self.weight * network + (1 - self.weight) * self.lexical_outputs(
            self.lexical(*lexical)
        )

    def encode(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        from .dataset import PaddedSentences

        return self.model.encode(PaddedSentences(ids, lengths))


def word_ids(premise: list[str], hypothesis: list[str], index: dict[str, int]):
    """The two sentences' `*_words` rows (module docstring)."""
    terms, others = len(index), {}
    negations = {w: k for k, w in enumerate(NEGATION_LIST)}

    def one(word: str) -> int:
        if word in index:
            return index[word]
        if word in negations:
            return terms + negations[word]
        return others.setdefault(word, terms + len(negations) + len(others))

    return [one(w) for w in premise], [one(w) for w in hypothesis]


def padded(rows: list[list[int]], fill: int) -> torch.Tensor:
    width = max(max((len(r) for r in rows), default=0), 1)
    return torch.tensor([r + [fill] * (width - len(r)) for r in rows], dtype=torch.long)


def graph_inputs(trained: TrainedPairModel, pairs: list[Pair]) -> dict[str, torch.Tensor]:
    """The graph's inputs for `pairs`, built as export.json tells a program to build them."""
    table = pair_columns(pairs, trained.labels, trained.lowercase)
    inputs = {}
    for side, column in (("premise", "premise"), ("hypothesis", "hypothesis")):
        ids = [trained.vocabulary.encode(tokens) for tokens in table[column]]
        inputs[f"{side}_ids"] = padded(ids, 0)
        inputs[f"{side}_lengths"] = torch.tensor([max(len(x), 1) for x in ids], dtype=torch.long)
    if trained.lexical is not None and trained.network_weight < 1.0:
        index = trained.lexical.words.index
        for side in ("premise", "hypothesis"):
            inputs[f"{side}_terms"] = padded(
                [[index[g] for g in ngrams(t) if g in index] for t in table[side]], -1
            )
        words = [word_ids(p, h, index) for p, h in zip(table["premise"], table["hypothesis"])]
        inputs["premise_words"] = padded([p for p, _ in words], -1)
        inputs["hypothesis_words"] = padded([h for _, h in words], -1)
    return inputs


def example_pairs(trained: TrainedPairModel) -> list[Pair]:
    """Pairs of several lengths from the model's vocabulary, an unknown word and a negation in
    some, one hypothesis repeating its premise."""
    words = trained.vocabulary.words[2:60] or ["x"]
    lengths = [(1, 3), (4, 9), (12, 2), (7, 7)]
    pairs = []
    for i, (a, b) in enumerate(lengths):
        premise = [words[(i * 5 + j) % len(words)] for j in range(a)]
        hypothesis = [words[(i * 11 + j * 3) % len(words)] for j in range(b)]
        pairs.append(Pair(Sentence(premise), Sentence(hypothesis)))
    pairs[1].hypothesis.tokens[2:4] = ["Zyxwvut", "not"]
    pairs[3] = Pair(Sentence(pairs[3].premise.tokens), Sentence(list(pairs[3].premise.tokens)))
    pairs.append(Pair(Sentence(tokenize("Nobody is not here")), Sentence(["Zyxwvut", "qqq"])))
    return pairs


def export_pair_model(trained: TrainedPairModel, folder: Path) -> tuple[dict, int]:
    """model.onnx, vocab.txt, export.json (and lexical_terms.txt) in `folder`; the largest
    difference from PyTorch on the examples, and how many."""
    encoder = trained.model.config.encoder
    if encoder != "bilstm":
        raise ExportError(
            f"the pair model's encoder is {encoder!r}; export covers the bilstm encoder only: "
            "a tree encoder's steps are built from each batch's parses on the host, which an ONNX "
            "graph cannot hold. Serve it with `rnnpipe predict` (or the Python API), or retrain "
            "with train.encoder=bilstm."
        )
    graph = PairGraph(trained).eval()
    pairs = example_pairs(trained)
    inputs = graph_inputs(trained, pairs)
    output = "probabilities" if trained.target == "label" else "score"
    dynamic = {
        "premise_ids": {0: "batch", 1: "premise_time"},
        "hypothesis_ids": {0: "batch", 1: "hypothesis_time"},
        "premise_lengths": {0: "batch"},
        "hypothesis_lengths": {0: "batch"},
        "premise_terms": {0: "batch", 1: "premise_terms"},
        "hypothesis_terms": {0: "batch", 1: "hypothesis_terms"},
        "premise_words": {0: "batch", 1: "premise_words"},
        "hypothesis_words": {0: "batch", 1: "hypothesis_words"},
    }
    export_onnx(graph, inputs, dynamic, output, folder / "model.onnx")
    trained.vocabulary.save(folder / "vocab.txt")
    spec = {
        "kind": "pairs",
        "inputs": list(inputs),
        "output": output,
        "tokenizer": {
            "pattern": TOKEN.pattern,
            "before": r"(\w)n't\b -> \1 n't (split n't off its word first)",
            "lowercase": trained.lowercase,
        },
        "padding": "post",
        "vocabulary": "vocab.txt",
    }
    if trained.target == "label":
        spec["labels"] = trained.labels
    else:
        spec["score_range"] = trained.score_range
    if graph.mixed:
        terms = trained.lexical.words.terms
        (folder / LEXICAL_TERMS).write_text("".join(f"{t}\n" for t in terms), encoding="utf-8")
        spec.update(terms=LEXICAL_TERMS, negations=NEGATION_LIST)
        spec["network_weight"] = graph.weight.item()
    (folder / "export.json").write_text(
        json.dumps(spec, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    difference = verify_onnx(folder / "model.onnx", graph, inputs, atol=1e-4)
    return {"difference": difference, "inputs": list(inputs)}, len(pairs)
