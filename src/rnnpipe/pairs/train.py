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
from ..training.inference import predict
from ..training.loop import TrainSettings, train_model
from ..training.objectives import ClassificationObjective, RelatednessObjective
from ..training.runner import TrainingProcess
from .baselines import PairBaseline
from .classifier import TrainedPairModel
from .dataset import PairSet, read_split
from .model import PairModel, PairModelConfig

DATA = "data/pairs.parquet"
INPUTS = [DATA, "data/vocab.txt", "data/relations.txt", "data/embeddings.npy"]
CHECKPOINT = Path("data/.checkpoints/train.pt")


def output_count(summary: dict, score_range) -> int:
    if summary["target"] == "score":
        return int(round(score_range[1] - score_range[0])) + 1
    return 1 if len(summary["labels"]) == 2 else len(summary["labels"])


MIX_WEIGHTS = np.round(np.linspace(0.0, 1.0, 21), 2)


def validation_score(outputs: np.ndarray, data: PairSet, target: str) -> float:
    """What the mix weight maximises on validation: accuracy (labels), or minus the MSE."""
    if target == "label":
        return float(np.mean(outputs.argmax(axis=1) == data.labels))
    return -float(np.mean((outputs - data.scores) ** 2))


def mix_lexical(
    trained: TrainedPairModel, tables: dict, validation: PairSet, params: dict, process
) -> dict:
    """Fit the lexical member on the training pairs and choose the network's weight in the mix
    (0, 0.05, ..., 1) on validation; ties go to the network. Sets them on `trained`; the summary
    keys for metrics/train.json."""
    parse = params["parse"]
    train_table, val_table = tables["train"], tables["validation"]
    y = train_table["label"] if parse["target"] == "label" else train_table["score"]
    lexical = PairBaseline("lexical", parse["target"], params["evaluate"]["linear_c"]).fit(
        train_table["premise"], train_table["hypothesis"], np.asarray(y)
    )
    network = trained.outputs(
        predict(trained.model, validation, params["train"]["batch_size"] * 4, torch.device("cpu"))
    )
    member = lexical.predict(val_table["premise"], val_table["hypothesis"])
    scores = [
        validation_score(w * network + (1 - w) * member, validation, parse["target"])
        for w in MIX_WEIGHTS
    ]
    best = max(range(len(MIX_WEIGHTS)), key=lambda k: (scores[k], MIX_WEIGHTS[k]))
    trained.lexical, trained.network_weight = lexical, float(MIX_WEIGHTS[best])
    name = "accuracy" if parse["target"] == "label" else "mse"
    sign = 1 if parse["target"] == "label" else -1
    process.announce(
        f"train: the lexical member mixed in with weight {1 - MIX_WEIGHTS[best]:.2f} (chosen on "
        f"validation: {name} {sign * scores[best]:.4f}; network alone {sign * scores[-1]:.4f}, "
        f"lexical alone {sign * scores[0]:.4f})"
    )
    return {
        "network_weight": float(MIX_WEIGHTS[best]),
        f"val_{name}_mixed": round(sign * scores[best], 6),
        f"val_{name}_lexical": round(sign * scores[0], 6),
    }


def train_pair_model(params: dict, process: TrainingProcess) -> None:
    settings, parse = params["train"], params["parse"]
    summary = json.loads(Path("data/parse.json").read_text(encoding="utf-8"))
    vocabulary = Vocabulary.load("data/vocab.txt")
    relations = Vocabulary.load("data/relations.txt")
    weights = torch.from_numpy(np.load("data/embeddings.npy"))
    target, score_range = parse["target"], parse["score_range"]
    tables = {split: read_split(DATA, split) for split in ("train", "validation")}
    splits = {
        split: PairSet(
            tables[split],
            vocabulary,
            settings["encoder"],
            target,
            score_range,
            relations if settings["relation_dim"] else None,
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
        relation_vocab_size=len(relations) if settings["relation_dim"] else 0,
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
        model.cpu(),
        vocabulary,
        target,
        summary["labels"],
        list(score_range),
        parse["lowercase"],
        relations=relations if settings["relation_dim"] else None,
    )
    extra, warning = {}, None
    if settings["mix_lexical"]:
        extra.update(mix_lexical(trained, tables, splits["validation"], params, process))
    if target == "label":
        val_accuracy = result.history[result.best_epoch - 1]["val_accuracy"]
        extra.update(
            chance_level(val_accuracy, splits["train"].labels, splits["validation"].labels)
        )
        warning = chance_warning(extra, val_accuracy)
    write_finished_run(trained, result, metric, CHECKPOINT, extra=extra)
    if warning:
        print(warning)
