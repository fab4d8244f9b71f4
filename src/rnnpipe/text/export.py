"""A trained text classifier as ONNX (`rnnpipe export`): the graph maps token ids to class
probabilities.

Inputs: `ids` [batch, time] int64 (vocabulary ids, padded at the end with 0), `lengths` [batch]
int64 (real tokens per row, >= 1), and with a linear member `ngrams` [batch, n] int64: the row's
distinct 1-3 gram ids in linear_ngrams.txt (-1 = none; any n). Output `probabilities` [batch,
classes], the label map's order: exactly TrainedClassifier.predict_proba's numbers, the linear
member's mix included. export.json says how to build the inputs from text: the tokenizer (lowercase,
filters, HTML breaks), maxlen and the truncating side, the labels, the n-gram order.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..core.metrics import class_probabilities
from ..core.onnx_export import ExportError, export_onnx, verify_onnx
from ..data.ragged import pad_sequences
from .classifier import TrainedClassifier
from .linear import NGRAM_MAX
from .tokenizer import unescape

NGRAMS_FILE = "linear_ngrams.txt"


class ClassifierGraph(nn.Module):
    """ids, lengths[, ngrams] -> probabilities, as TrainedClassifier computes them."""

    def __init__(self, trained: TrainedClassifier):
        super().__init__()
        self.model = trained.model
        self.mixed = trained.linear is not None and trained.linear_weight > 0
        if self.mixed:
            if trained.linear.kind != "nb":
                raise ExportError(
                    f"the linear member is of kind {trained.linear.kind!r}; export supports the "
                    "'nb' "
                    f"member the train stage fits."
                )
            coef = torch.as_tensor(
                np.asarray(trained.linear.coef, dtype=np.float32)
            ).T  # [features, K]
            # Row 0 is the "no n-gram" slot: ids are shifted by one, so -1 padding adds nothing.
            self.register_buffer("coef", torch.cat([torch.zeros(1, coef.shape[1]), coef]))
            self.register_buffer(
                "intercept", torch.as_tensor(np.asarray(trained.linear.intercept, np.float32))
            )
            self.register_buffer("weight", torch.tensor(float(trained.linear_weight)))

    @staticmethod
    def _one_vs_rest(scores: torch.Tensor) -> torch.Tensor:
        """The NB member's probabilities from its scores [batch, 1 or K], as text.linear computes
        them."""
        if scores.shape[-1] == 1:
            return class_probabilities(scores[:, 0])
        each = torch.sigmoid(scores)
        return each / each.sum(dim=1, keepdim=True)

    def forward(
        self, ids: torch.Tensor, lengths: torch.Tensor, ngrams: torch.Tensor | None = None
    ) -> torch.Tensor:
        proba = class_probabilities(self.model(ids, lengths))
        if not self.mixed:
            return proba
        scores = self.coef[ngrams + 1].sum(dim=1) + self.intercept
        return (1 - self.weight) * proba + self.weight * self._one_vs_rest(scores)


def row_ngrams(tokens: list[str], index: dict[str, int], longest: int) -> list[int]:
    """The distinct ids of a token list's 1..longest grams (joined by one space, as
    scikit-learn's)."""
    found = {
        index[gram]
        for n in range(1, longest + 1)
        for i in range(len(tokens) - n + 1)
        if (gram := " ".join(tokens[i : i + n])) in index
    }
    return sorted(found)


def graph_inputs(trained: TrainedClassifier, texts: list[str]) -> dict[str, torch.Tensor]:
    """The graph's inputs for `texts`, built as export.json tells a program to build them."""
    token_lists = [trained.tokenizer.tokenize(text) for text in texts]
    ids, lengths = pad_sequences(
        [trained.vocabulary.encode(t) for t in token_lists],
        trained.maxlen,
        padding="post",
        truncating=trained.truncating,
    )
    longest = max(int(lengths.max()), 1)
    inputs = {
        "ids": torch.as_tensor(ids[:, :longest], dtype=torch.long),
        "lengths": torch.as_tensor(np.maximum(lengths, 1), dtype=torch.long),
    }
    if trained.linear is not None and trained.linear_weight > 0:
        index = {gram: i for i, gram in enumerate(trained.linear.ngrams)}
        rows = [row_ngrams(t, index, NGRAM_MAX["nb"]) for t in token_lists]
        width = max(max((len(r) for r in rows), default=0), 1)
        inputs["ngrams"] = torch.as_tensor(
            [r + [-1] * (width - len(r)) for r in rows], dtype=torch.long
        )
    return inputs


def export_classifier(trained: TrainedClassifier, folder: Path, examples: list[str]) -> dict:
    """model.onnx, vocab.txt, export.json (and linear_ngrams.txt) in `folder`; the largest
    difference from PyTorch on `examples` (texts of different lengths)."""
    graph = ClassifierGraph(trained).eval()
    inputs = graph_inputs(trained, examples)
    dynamic = {
        "ids": {0: "batch", 1: "time"},
        "lengths": {0: "batch"},
        "ngrams": {0: "batch", 1: "ngrams"},
    }
    export_onnx(graph, inputs, dynamic, "probabilities", folder / "model.onnx")
    trained.vocabulary.save(folder / "vocab.txt")
    spec = {
        "kind": "classifier",
        "inputs": list(inputs),
        "output": "probabilities",
        "labels": trained.label_map.labels,
        "tokenizer": {
            "lowercase": trained.tokenizer.lowercase,
            "filters": unescape(trained.tokenizer.filters),
            "html_breaks": r"<br\s*/?>",
        },
        "maxlen": trained.maxlen,
        "truncating": trained.truncating,
        "padding": "post",
        "vocabulary": "vocab.txt",
    }
    if graph.mixed:
        (folder / NGRAMS_FILE).write_text("\n".join(trained.linear.ngrams) + "\n", encoding="utf-8")
        spec.update(ngrams=NGRAMS_FILE, ngram_max=NGRAM_MAX["nb"])
    (folder / "export.json").write_text(
        json.dumps(spec, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return {"difference": verify_onnx(folder / "model.onnx", graph, inputs), "inputs": list(inputs)}
