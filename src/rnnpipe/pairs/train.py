"""The pairs pipeline's train stage: data/pairs.parquet + data/embeddings.npy -> a pair model in
data/model/.

One Siamese encoder (train.encoder) for both sentences, an MLP over [u; v; |u - v|; u * v]; labels
with cross-entropy, relatedness scores with Tai et al.'s KL objective. The epoch kept is the best
on validation (train.select_on: the loss, or the accuracy of labels); the shared loop does the
rest (schedules, clipping, early stopping, checkpoints a killed run resumes from, DDP).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

from ..core.params import config_from_params
from ..text.vocabulary import Vocabulary
from ..training.checkpoints import run_fingerprint
from ..training.history import (
    chance_level,
    chance_warning,
    write_finished_run,
    write_training_metrics,
)
from ..training.loop import TrainSettings, train_model
from ..training.objectives import ClassificationObjective, RelatednessObjective
from ..training.runner import TrainingProcess
from .classifier import TrainedPairModel
from .dataset import PairSet, read_split
from .model import PairModel, PairModelConfig

DATA = "data/pairs.parquet"
INPUTS = [DATA, "data/vocab.txt", "data/embeddings.npy"]
CHECKPOINT = Path("data/.checkpoints/train.pt")


def output_count(summary: dict, score_range) -> int:
    if summary["target"] == "score":
        return int(round(score_range[1] - score_range[0])) + 1
    return 1 if len(summary["labels"]) == 2 else len(summary["labels"])


def train_pair_model(params: dict, process: TrainingProcess) -> None:
    settings, parse = params["train"], params["parse"]
    summary = json.loads(Path("data/parse.json").read_text(encoding="utf-8"))
    vocabulary = Vocabulary.load("data/vocab.txt")
    weights = torch.from_numpy(np.load("data/embeddings.npy"))
    target, score_range = parse["target"], parse["score_range"]
    splits = {
        split: PairSet(
            read_split(DATA, split), vocabulary, settings["encoder"], target, score_range
        )
        for split in ("train", "validation")
    }
    config = config_from_params(
        PairModelConfig,
        settings,
        vocab_size=len(vocabulary),
        embed_dim=weights.shape[1],
        outputs=output_count(summary, score_range),
        tracker=settings["encoder"] == "spinn" and settings["tracker"],
    )
    model = PairModel(config, weights)
    if target == "score":
        objective, metric = RelatednessObjective(), "mse"
    else:
        objective, metric = ClassificationObjective(max(len(summary["labels"]), 2)), "accuracy"
    process.announce(
        f"train: {config.encoder} (Siamese) on {process.device}, {len(splits['train'])} training "
        f"and {len(splits['validation'])} validation pairs, "
        + (
            f"relatedness {score_range[0]:g}-{score_range[1]:g}"
            if target == "score"
            else f"labels {', '.join(summary['labels'])}"
        )
    )
    result = train_model(
        model,
        splits["train"],
        splits["validation"],
        TrainSettings.from_params(settings),
        process.device,
        checkpoint=CHECKPOINT,
        fingerprint=run_fingerprint({**settings, **parse}, INPUTS, process.script),
        objective=objective,
        on_epoch=lambda so_far: write_training_metrics(so_far, metric),
        dist=process.dist,
    )
    if not process.is_main:
        return
    trained = TrainedPairModel(
        model.cpu(), vocabulary, target, summary["labels"], list(score_range), parse["lowercase"]
    )
    extra, warning = {}, None
    if target == "label":
        val_accuracy = result.history[result.best_epoch - 1]["val_accuracy"]
        extra = chance_level(val_accuracy, splits["train"].labels, splits["validation"].labels)
        warning = chance_warning(extra, val_accuracy)
    write_finished_run(trained, result, metric, CHECKPOINT, extra=extra)
    if warning:
        print(warning)
