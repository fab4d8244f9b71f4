"""Sequences stage 3, train: data/prepared/ -> a recurrent sequence model in data/model/.

    cd sequences && python ../stages/sequences/train.py     # reads params: train.*

A class per item (pooled head, train.pooling) or per step (per-step head; unlabeled and padded steps
masked out of the loss), on the shared recurrent stack and training loop: length-bucketed batches,
early stopping on the validation split, checkpoints after every epoch (a killed run resumes).
Writes data/model/ (model.safetensors, model.json), metrics/train.json and metrics/history.csv.
"""

from pathlib import Path

from rnnpipe.core.device import resolve_device, seed_everything
from rnnpipe.core.stage import run_stage
from rnnpipe.sequences.model import SequenceConfig, SequenceModel, TrainedSequenceModel
from rnnpipe.sequences.params import SEQUENCES_SCHEMA
from rnnpipe.sequences.prepared import load_spans
from rnnpipe.training.checkpoints import run_fingerprint
from rnnpipe.training.distributed import data_parallel
from rnnpipe.training.history import write_finished_run, write_training_metrics
from rnnpipe.training.loop import TrainSettings, train_model
from rnnpipe.training.objectives import (
    ClassificationObjective,
    StepClassificationObjective,
)

PREPARED = Path("data/prepared")
INPUTS = [PREPARED / name for name in ("values.npy", "step_labels.npy", "items.parquet", "meta.json")]
CHECKPOINT = Path("data/.checkpoints/train.pt")


def main(params: dict) -> None:
    settings = params["train"]
    launched, dist, device = data_parallel(__file__, settings["processes"], resolve_device(settings["device"]))
    if launched:  # train.processes > 1: the DDP workers ran this script; rank 0 wrote the outputs
        return
    seed_everything(settings["seed"])
    sets, meta = load_spans(PREPARED, ("train", "validation"))
    per_step = meta["target"] == "step"
    config = SequenceConfig(features=len(meta["features"]), num_classes=len(meta["labels"]), per_step=per_step,
                            cell=settings["cell"], hidden=settings["hidden"], layers=settings["layers"],
                            bidirectional=settings["bidirectional"], dropout=settings["dropout"],
                            pooling=settings["pooling"])
    model = SequenceModel(config)
    objective = StepClassificationObjective() if per_step else ClassificationObjective(config.num_classes)
    if dist is None or dist.is_main:  # one line per run, not per rank
        print(f"train: {config.cell} on {device}, a class per {meta['target']} ({config.num_classes} classes), "
              f"{len(sets['train'])} train / {len(sets['validation'])} validation items of {config.features} features")
    result = train_model(model, sets["train"], sets["validation"], TrainSettings.from_params(settings), device,
                         checkpoint=CHECKPOINT, fingerprint=run_fingerprint(settings, INPUTS, __file__),
                         objective=objective, on_epoch=lambda so_far: write_training_metrics(so_far, "accuracy"),
                         dist=dist)
    if dist is not None and not dist.is_main:
        dist.close()
        return
    trained = TrainedSequenceModel(model.cpu(), meta["features"], meta["labels"], meta["mean"], meta["std"],
                                   meta["target"], meta["window"], meta["reading"])
    write_finished_run(trained, result, "accuracy", CHECKPOINT)
    if dist is not None:
        dist.close()


if __name__ == "__main__":
    run_stage("train", main, SEQUENCES_SCHEMA)
