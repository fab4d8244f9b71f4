"""`rnnpipe predict` for a pair model: pairs given as `--premise` / `--hypothesis` texts, or a file
(SNLI-style JSON lines, or a CSV / TSV / Parquet table with two sentence columns), each labelled
with its probabilities, or scored.

A tree encoder reads parses: the file must hold them (SNLI's `sentence{1,2}_binary_parse`, or
`sentence{1,2}_heads` as lists or space-separated 1-based heads); plain texts are refused by name,
as the pipeline refuses them (rnnpipe bundles no parser).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..core.errors import DataError
from ..training.inference import predict
from .classifier import TrainedPairModel
from .dataset import PairSet
from .parse import pair_columns, read_frame
from .readers import Pair, Sentence, read_nli_jsonl, row_sentence, tokenize

SENTENCE_COLUMNS = [
    ("sentence1", "sentence2"),
    ("premise", "hypothesis"),
    ("sentence_A", "sentence_B"),
    ("text_a", "text_b"),
]


def pairs_of_texts(premises: list[str], hypotheses: list[str]) -> list[Pair]:
    if len(premises) != len(hypotheses):
        raise DataError(
            f"{len(premises)} --premise and {len(hypotheses)} --hypothesis given; give them in "
            "pairs."
        )
    return [
        Pair(Sentence(tokenize(p)), Sentence(tokenize(h))) for p, h in zip(premises, hypotheses)
    ]


def pairs_of_file(path: str) -> list[Pair]:
    file = Path(path)
    if file.suffix.lower() == ".jsonl":
        return read_nli_jsonl(file, "test", skip_unlabelled=False).pairs
    frame = read_frame(file)
    names = next((c for c in SENTENCE_COLUMNS if set(c) <= set(frame.columns)), None)
    if names is None:
        raise DataError(
            f"{path}: no pair of sentence columns "
            f"({', '.join('/'.join(c) for c in SENTENCE_COLUMNS)}); its columns: "
            f"{', '.join(map(str, frame.columns[:12]))}."
        )
    rows = frame.to_dict("records")
    return [
        Pair(
            row_sentence(row, 1, names[0], f"{path}, row {i + 1}"),
            row_sentence(row, 2, names[1], f"{path}, row {i + 1}"),
        )
        for i, row in enumerate(rows)
    ]


@torch.no_grad()
def pair_rows(trained: TrainedPairModel, pairs: list[Pair], batch_size: int = 256) -> list[dict]:
    """One row per pair: premise, hypothesis, then label, probability and p_<label> for each
    label, or score."""
    table = pair_columns(pairs, trained.labels, trained.lowercase)
    data = PairSet(
        table,
        trained.vocabulary,
        trained.model.config.encoder,
        "label",
        relations=trained.relations,
        source="the pairs given",
    )
    network = trained.outputs(predict(trained.model, data, batch_size, torch.device("cpu")))
    outputs = trained.mixed(network, table["premise"], table["hypothesis"])
    rows = []
    for i, pair in enumerate(pairs):
        row = {
            "premise": " ".join(pair.premise.tokens),
            "hypothesis": " ".join(pair.hypothesis.tokens),
        }
        if trained.target == "label":
            best = int(np.argmax(outputs[i]))
            row.update(label=trained.labels[best], probability=float(outputs[i][best]))
            row.update({f"p_{name}": float(p) for name, p in zip(trained.labels, outputs[i])})
        else:
            row["score"] = float(outputs[i])
        rows.append(row)
    return rows
