"""Ensembles of separately trained recurrent models (train.ensemble_cells): one model per cell, seed
+ index.

The text classifier and the tagger both train `train.cell` and then one more model per listed cell,
each early-stopped on its own validation loss with its own checkpoint; the saved model averages
their logits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from ..core.device import seed_everything
from .history import write_ensemble_metrics, write_progress, write_training_metrics
from .inference import evaluate_loss
from .loop import TrainResult, TrainSettings, train_model
from .runner import TrainingProcess

CHECKPOINT = Path("data/.checkpoints/train.pt")


def member_names(cells: list[str]) -> list[str]:
    return [f"{index + 1}:{cell}" for index, cell in enumerate(cells)]


def checkpoint_path(member: int) -> Path:
    return CHECKPOINT if member == 0 else CHECKPOINT.with_name(f"train-member{member + 1}.pt")


def progress_writer(done: tuple, so_far: list[str] | None) -> Callable:
    """What a member's training calls after every epoch: the metrics of the members `done` and of
    its own epochs so far."""

    def on_epoch(result: TrainResult) -> None:
        write_progress([*done, result], so_far, "accuracy")

    return on_epoch


def train_members(
    new_model: Callable[[str], object],
    sets: dict,
    settings: dict,
    process: TrainingProcess,
    fingerprint: str,
    objective,
) -> tuple[list, list[TrainResult]]:
    """Train one model per cell of [train.cell, *train.ensemble_cells] (`new_model(cell)` builds
    it after the generators are seeded with train.seed + its index); metrics/ shows the epochs so
    far after every epoch."""
    cells = [settings["cell"], *settings["ensemble_cells"]]
    names = member_names(cells)
    members, results = [], []
    for index, cell in enumerate(cells):
        seed_everything(settings["seed"] + index)
        model = new_model(cell)

        # After every epoch: the metrics so far (members already trained + this one), for
        # `dvc exp show`.
        on_epoch = progress_writer(tuple(results), names[: index + 1] if len(cells) > 1 else None)

        member = f" (member {index + 1} of {len(cells)})" if len(cells) > 1 else ""
        process.announce(
            f"train: {model.config.cell} on {process.device}{process.ranks()}{member}, "
            f"{len(sets['train'])} train / {len(sets['validation'])} validation rows, "
            f"{sum(x.numel() for x in model.parameters() if x.requires_grad):,} trainable "
            "parameters"
        )
        loop_settings = replace(TrainSettings.from_params(settings), seed=settings["seed"] + index)
        results.append(
            train_model(
                model,
                sets["train"],
                sets["validation"],
                loop_settings,
                process.device,
                checkpoint=checkpoint_path(index),
                fingerprint=f"{fingerprint}:{index}",
                # an objective with parameters of the model's own (a CRF) is bound to it
                objective=objective.bound_to(model)
                if hasattr(objective, "bound_to")
                else objective,
                on_epoch=on_epoch,
                dist=process.dist,
            )
        )
        members.append(model)
    return members, results


def combined(
    members: list,
    ensemble: Callable[[list], object],
    sets: dict,
    settings: dict,
    process: TrainingProcess,
    objective,
):
    """The one model to save (the only member, or `ensemble(members)` averaging them) and the
    ensemble's validation (loss, accuracy), None for a single model."""
    if len(members) == 1:
        return members[0], None
    model = ensemble(members)
    scores = evaluate_loss(
        model,
        sets["validation"],
        settings["batch_size"] * 4,
        process.device,
        objective,
        settings["precision"],
    )
    cells = [settings["cell"], *settings["ensemble_cells"]]
    print(
        f"train: the averaged {'+'.join(cells)} ensemble: val loss {scores[0]:.4f} accuracy "
        f"{scores[1]:.4f}"
    )
    return model, scores


def write_member_metrics(results: list[TrainResult], settings: dict, scores, extra: dict) -> None:
    """metrics/train.json and history.csv of a finished run (one model, or every member and the
    ensemble), then the members' checkpoints are removed (only after the model and metrics are
    written: resumable)."""
    cells = [settings["cell"], *settings["ensemble_cells"]]
    if scores is None:
        write_training_metrics(results[0], "accuracy", extra=extra)
    else:
        write_ensemble_metrics(results, member_names(cells), *scores, "accuracy", extra=extra)
    for index in range(len(cells)):
        checkpoint_path(index).unlink(missing_ok=True)
