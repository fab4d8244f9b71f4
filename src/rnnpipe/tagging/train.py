"""The tagging pipeline's train stage: padded sentences + embedding matrix -> a trained tagger in
data/model/.

Word embeddings + a character BiLSTM per word (train.char_dim, char_hidden) -> the recurrent stack
-> one tag
per token, trained on the masked per-token cross-entropy (padding never counts); early stopping on
validation token loss. Ensembles (train.ensemble_cells), checkpoints and resumption are shared with
the text classifier (training.members). Writes data/model/, metrics/train.json and
metrics/history.csv.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import torch

from ..core.atomic import atomic_path
from ..core.labels import LabelMap
from ..core.params import config_from_params
from ..text.sequences import check_token_ids
from ..text.tokenizer import Tokenizer
from ..text.vectors import load_embedded_vocabulary
from ..training.checkpoints import run_fingerprint
from ..training.history import chance_level, chance_warning
from ..training.members import combined, train_members, write_member_metrics
from ..training.objectives import StepClassificationObjective
from ..training.runner import TrainingProcess, check_training_fits
from .characters import CharVocabulary
from .model import EnsembleTagger, RNNTagger, TaggerConfig
from .sequences import load_tagged
from .tagger import TrainedTagger

INPUTS = [
    "data/padded.parquet",
    "data/embeddings.npy",
    "data/vocab.txt",
    "data/labels.json",
    "data/tokenizer.json",
]


def train_tagger(params: dict, process: TrainingProcess) -> None:
    """Train the tagger (or ensemble) on train, select on validation; rank 0 writes data/model
    and the metrics."""
    settings = params["train"]
    vocabulary, weights = load_embedded_vocabulary()
    tag_map = LabelMap.load("data/labels.json")
    characters = CharVocabulary(
        json.loads(Path("data/tokenizer.json").read_text(encoding="utf-8"))["characters"]
    )
    sets, _ = load_tagged("data/padded.parquet", characters, splits=("train", "validation"))
    objective = StepClassificationObjective()
    check_token_ids(sets, len(vocabulary))
    check_training_fits(settings, weights.shape, int(sets["train"].lengths.max()))

    def new_tagger(cell: str) -> RNNTagger:
        config = config_from_params(
            TaggerConfig,
            settings,
            cell=cell,
            vocab_size=weights.shape[0],
            embed_dim=int(weights.shape[1]),
            num_tags=len(tag_map),
            char_vocab=len(characters),
        )
        return RNNTagger(config, torch.from_numpy(weights))

    fingerprint = run_fingerprint(settings, INPUTS, process.script)
    members, results = train_members(new_tagger, sets, settings, process, fingerprint, objective)
    if not process.is_main:
        return  # rank 0 alone scores and writes
    model, scores = combined(members, EnsembleTagger, sets, settings, process, objective)
    maxlen = int(pq.read_schema("data/padded.parquet").metadata[b"rnnpipe.maxlen"])
    with atomic_path("data/model") as tmp:
        TrainedTagger(
            model.cpu(),
            Tokenizer.load("data/tokenizer.json").lowercase,
            vocabulary,
            characters,
            tag_map,
            maxlen,
        ).save(tmp)
    val_accuracy = (
        scores[1] if scores else results[0].history[results[0].best_epoch - 1]["val_accuracy"]
    )
    chance = chance_level(val_accuracy, sets["train"].tags.numpy(), sets["validation"].tags.numpy())
    write_member_metrics(results, settings, scores, chance)
    warning = chance_warning(chance, val_accuracy)
    if warning:
        print(warning)
