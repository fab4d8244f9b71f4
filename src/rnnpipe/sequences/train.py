"""The numeric-sequences pipeline's train stage: data/prepared/ -> a recurrent sequence model in
data/model/.

A class per item (pooled head, train.pooling) or per step (per-step head; unlabeled and padded steps
masked out of the loss), on the shared recurrent stack and training loop: length-bucketed batches,
early stopping on the validation split, checkpoints after every epoch (a killed run resumes). Writes
data/model/ (model.safetensors, model.json), metrics/train.json and metrics/history.csv.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..core.params import config_from_params
from ..training.checkpoints import run_fingerprint
from ..training.history import (
    chance_level,
    chance_warning,
    write_finished_run,
    write_training_metrics,
)
from ..training.loop import TrainSettings, train_model
from ..training.objectives import ClassificationObjective, StepClassificationObjective
from ..training.runner import TrainingProcess
from .model import SequenceConfig, SequenceModel, TrainedSequenceModel
from .prepared import load_spans

PREPARED = Path("data/prepared")
INPUTS = [
    PREPARED / name for name in ("values.npy", "step_labels.npy", "items.parquet", "meta.json")
]
CHECKPOINT = Path("data/.checkpoints/train.pt")


def train_sequence_model(params: dict, process: TrainingProcess) -> None:
    """Train on the training items, select on validation; rank 0 writes data/model and the
    metrics."""
    settings = params["train"]
    sets, meta = load_spans(PREPARED, ("train", "validation"))
    per_step = meta["target"] == "step"
    config = config_from_params(
        SequenceConfig,
        settings,
        features=len(meta["features"]),
        num_classes=len(meta["labels"]),
        per_step=per_step,
    )
    model = SequenceModel(config)
    objective = (
        StepClassificationObjective() if per_step else ClassificationObjective(config.num_classes)
    )
    process.announce(
        f"train: {config.cell} on {process.device}, a class per {meta['target']} "
        f"({config.num_classes} "
        f"classes), {len(sets['train'])} train / {len(sets['validation'])} validation items of "
        f"{config.features} features"
    )
    result = train_model(
        model,
        sets["train"],
        sets["validation"],
        TrainSettings.from_params(settings),
        process.device,
        checkpoint=CHECKPOINT,
        fingerprint=run_fingerprint(settings, INPUTS, process.script),
        objective=objective,
        on_epoch=lambda so_far: write_training_metrics(so_far, "accuracy"),
        dist=process.dist,
    )
    if not process.is_main:
        return
    trained = TrainedSequenceModel(
        model.cpu(),
        meta["features"],
        meta["labels"],
        meta["mean"],
        meta["std"],
        meta["target"],
        meta["window"],
        meta["reading"],
    )
    val_accuracy = result.history[result.best_epoch - 1]["val_accuracy"]
    chance = chance_level(
        val_accuracy,
        item_targets(sets["train"], per_step),
        item_targets(sets["validation"], per_step),
    )
    write_finished_run(trained, result, "accuracy", CHECKPOINT, extra=chance)
    warning = chance_warning(chance, val_accuracy)
    if warning:
        print(warning)


def item_targets(items, per_step: bool) -> np.ndarray:
    """The class ids a split's accuracy counts: one per item, or each item's steps' own."""
    if not per_step:
        return items.labels.numpy()
    starts, lengths = items.starts.numpy(), items.lengths.numpy()
    steps = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    return items.step_labels.numpy()[steps]
