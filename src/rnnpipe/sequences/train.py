"""The numeric-sequences pipeline's train stage: data/prepared/ -> a recurrent sequence model in
data/model/.

A class per item (pooled head, train.pooling) or per step (per-step head; unlabeled and padded steps
masked out of the loss), on the shared recurrent stack and training loop: length-bucketed batches,
early stopping on the validation split, checkpoints after every epoch (a killed run resumes). Writes
data/model/ (model.safetensors, model.json), metrics/train.json and metrics/history.csv.

Small data (train.adapt_to_size): a batch size and epoch count that suit thousands of sequences give
32 training sequences one update per epoch; the batch shrinks so every epoch holds at least
MIN_UPDATES_PER_EPOCH updates, and the epochs and patience grow so training sees at least
MIN_UPDATES updates (at most MAX_EPOCHS epochs); the sizes used are printed and recorded. Then
(train.mix_baseline) the linear baseline evaluate prints is fitted on the training items and mixed
into the model with the weight of lowest validation log loss (core.mixing), so the default is not
worse on validation than the baseline it is measured against.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch

from ..core.mixing import log_loss, member_weight
from ..core.params import config_from_params
from ..training.checkpoints import run_fingerprint
from ..training.history import (
    chance_level,
    chance_warning,
    write_finished_run,
    write_training_metrics,
)
from ..training.inference import predict
from ..training.loop import TrainSettings, train_model
from ..training.objectives import (
    ClassificationObjective,
    StepClassificationObjective,
)
from ..training.runner import TrainingProcess
from .baselines import SequenceBaseline, member_probabilities
from .model import SequenceConfig, SequenceModel, TrainedSequenceModel
from .prepared import load_spans

PREPARED = Path("data/prepared")
INPUTS = [
    PREPARED / name for name in ("values.npy", "step_labels.npy", "items.parquet", "meta.json")
]
CHECKPOINT = Path("data/.checkpoints/train.pt")
MIN_UPDATES_PER_EPOCH = 16
MIN_UPDATES = 400
MAX_EPOCHS = 200


def sizes_for(count: int, settings: dict) -> dict:
    """batch_size, epochs and patience for `count` training items (the module docstring): the
    params' own when they already give enough updates."""
    batch = min(settings["batch_size"], max(1, count // MIN_UPDATES_PER_EPOCH))
    per_epoch = math.ceil(count / batch)
    epochs = min(max(settings["epochs"], math.ceil(MIN_UPDATES / per_epoch)), MAX_EPOCHS)
    epochs = max(epochs, settings["epochs"])
    patience = settings["patience"]
    if patience and epochs > settings["epochs"]:
        patience = max(patience, math.ceil(patience * epochs / settings["epochs"]))
    return {"batch_size": batch, "epochs": epochs, "patience": patience}


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
    loop_settings = TrainSettings.from_params(settings)
    extra: dict = {}
    if settings["adapt_to_size"]:
        sizes = sizes_for(len(sets["train"]), settings)
        if sizes != {k: settings[k] for k in sizes}:
            loop_settings = replace(loop_settings, **sizes)
            extra.update({f"{k}_used": v for k, v in sizes.items()})
            process.announce(
                f"train: {len(sets['train'])} training items: batch size {sizes['batch_size']}, up "
                f"to {sizes['epochs']} epochs, patience {sizes['patience']} (train.adapt_to_size; "
                "false keeps train.batch_size / epochs / patience as given)"
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
        loop_settings,
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
    if settings["mix_baseline"]:
        extra.update(mix_baseline(trained, sets, params["evaluate"]["baseline_max_items"], process))
    chance = chance_level(
        val_accuracy,
        item_targets(sets["train"], per_step),
        item_targets(sets["validation"], per_step),
    )
    still_improving = (
        result.best_epoch == len(result.history) == loop_settings.epochs and val_accuracy < 1.0
    )
    write_finished_run(trained, result, "accuracy", CHECKPOINT, extra={**extra, **chance})
    warning = chance_warning(chance, val_accuracy)
    if warning:
        print(warning)
    if still_improving:
        print(
            f"train: note: validation still improved at the last epoch ({loop_settings.epochs}); "
            "more epochs may help (train.epochs)."
        )


def mix_baseline(trained: TrainedSequenceModel, sets: dict, max_items: int, process) -> dict:
    """Fit the baseline member on the training items and choose its weight on validation; sets
    them on `trained`; the summary keys for metrics/train.json."""
    validation = sets["validation"]
    baseline = SequenceBaseline.fit(sets["train"], len(trained.labels), max_items)
    labels, network = validation.scored(
        predict(trained.model, validation, 256, torch.device("cpu"))
    )
    member = member_probabilities(baseline, validation)
    weight = member_weight(labels, network, member)
    trained.baseline, trained.baseline_weight = baseline.eval(), weight
    mixed = (1 - weight) * network + weight * member

    def accuracy(proba):
        return float((proba.argmax(axis=1) == labels).mean()) if len(labels) else 0.0

    process.announce(
        f"train: the linear baseline mixed in with weight {weight:.2f} (chosen on validation: "
        f"log loss {log_loss(labels, mixed):.4f}, accuracy {accuracy(mixed):.4f}; network alone "
        f"{log_loss(labels, network):.4f} / {accuracy(network):.4f}, baseline alone "
        f"{log_loss(labels, member):.4f} / {accuracy(member):.4f})"
    )
    return {
        "baseline_weight": weight,
        "val_accuracy_mixed": round(accuracy(mixed), 6),
        "val_accuracy_baseline": round(accuracy(member), 6),
    }


def item_targets(items, per_step: bool) -> np.ndarray:
    """The class ids a split's accuracy counts: one per item, or each item's steps' own."""
    if not per_step:
        return items.labels.numpy()
    starts, lengths = items.starts.numpy(), items.lengths.numpy()
    steps = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
    return items.step_labels.numpy()[steps]
