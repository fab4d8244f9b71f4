"""A trained tagger as ONNX (`rnnpipe export`): the graph maps a batch of sentences to per-token tag
probabilities.

Inputs (as tagging.sequences builds a batch): `ids` [batch, time] int64 (vocabulary ids of the
words, lowercased if export.json says so, padded with 0; a sentence longer than export.json's
`maxlen` is cut into rows of at most maxlen tokens, as predict cuts it), `lengths` [batch] int64;
with a character encoder also `chars` [forms, letters] int64 (each distinct word form of the batch
as written, as character ids: padding 0, unknown 1, else 2 + its position in export.json's
`characters`; words longer than 24 keep their first and last 12), `char_lengths` [forms] and
`word_index` [batch, time] (each token's form row). Output `probabilities` [batch, time, tags],
export.json's tag order; steps past a row's length are padding.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..core.onnx_export import ExportError, export_onnx, verify_onnx
from .characters import MAX_WORD_CHARS
from .tagger import TrainedTagger

NAMES = ("ids", "lengths", "chars", "char_lengths", "word_index")


class TaggerGraph(nn.Module):
    """The tagger's inputs -> softmax over tags, per token."""

    def __init__(self, trained: TrainedTagger):
        super().__init__()
        self.model = trained.model
        members = getattr(self.model, "members", [self.model])
        self.uses_chars = any(member.chars is not None for member in members)

    def forward(self, ids, lengths, chars=None, char_lengths=None, word_index=None):
        if not self.uses_chars:  # the model reads no characters: feed it empty ones it ignores
            chars = char_lengths = word_index = ids[:0]
        return torch.softmax(self.model(ids, lengths, chars, char_lengths, word_index), dim=-1)


def graph_inputs(
    trained: TrainedTagger, sentences: list[list[str]], uses_chars: bool
) -> dict[str, torch.Tensor]:
    """The graph's inputs for `sentences`: the rows TrainedTagger.predict_proba reads, as one
    batch."""
    rows, _, _ = trained.rows(sentences)
    inputs, _ = rows.batch(np.arange(len(rows)), torch.device("cpu"))
    return dict(zip(NAMES if uses_chars else NAMES[:2], inputs))


def export_tagger(trained: TrainedTagger, folder: Path, examples: list[list[str]]) -> dict:
    if getattr(trained.model, "crf", None) is not None:
        raise ExportError(
            "the tagger has a CRF output layer (train.crf): its Viterbi decoding and marginals "
            "loop over each sentence's tokens, which the exported graph does not hold yet. Serve "
            "it with `rnnpipe predict` (or the Python API), or retrain with train.crf=false."
        )
    graph = TaggerGraph(trained).eval()
    inputs = graph_inputs(trained, examples, graph.uses_chars)
    dynamic = {
        "ids": {0: "batch", 1: "time"},
        "lengths": {0: "batch"},
        "chars": {0: "forms", 1: "letters"},
        "char_lengths": {0: "forms"},
        "word_index": {0: "batch", 1: "time"},
    }
    export_onnx(graph, inputs, dynamic, "probabilities", folder / "model.onnx")
    trained.vocabulary.save(folder / "vocab.txt")
    spec = {
        "kind": "tagger",
        "inputs": list(inputs),
        "output": "probabilities",
        "tags": trained.tag_map.labels,
        "lowercase": trained.lowercase,
        "vocabulary": "vocab.txt",
        "maxlen": trained.maxlen,
        "characters": trained.characters.characters,
        "max_word_chars": MAX_WORD_CHARS,
    }
    (folder / "export.json").write_text(
        json.dumps(spec, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return {"difference": verify_onnx(folder / "model.onnx", graph, inputs), "inputs": list(inputs)}
