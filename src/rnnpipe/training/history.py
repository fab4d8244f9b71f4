"""What a training run leaves for DVC: the per-epoch history (a plot) and the best epoch's summary
(metrics).

Both are rewritten after every epoch (write_progress), so `dvc exp show` / `dvc metrics show` in the
workspace show a running experiment's epochs so far; the last write is the finished run's.
Wall-clock seconds stay out: the committed metrics must be identical run to run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..core.atomic import atomic_path, write_json
from .loop import TrainResult


def _best_epoch_summary(result: TrainResult, metric: str) -> dict:
    best = result.history[result.best_epoch - 1]
    return {
        "best_epoch": result.best_epoch,
        "epochs_run": len(result.history),
        **{
            k: round(best[k], 6)
            for k in ("val_loss", f"val_{metric}", "train_loss", f"train_{metric}")
        },
        **({"pruned": True} if result.pruned else {}),
    }


def write_training_metrics(
    result: TrainResult,
    metric: str,
    history_path: str = "metrics/history.csv",
    summary_path: str = "metrics/train.json",
    extra: dict | None = None,
) -> None:
    """The per-epoch history (a DVC plot) and the best epoch's summary (+ `extra` keys), both
    written atomically."""
    columns = ["epoch", "train_loss", f"train_{metric}", "val_loss", f"val_{metric}", "lr"]
    with atomic_path(history_path) as tmp:
        pd.DataFrame(result.history)[columns].to_csv(tmp, index=False, float_format="%.6f")
    write_json(summary_path, {**_best_epoch_summary(result, metric), **(extra or {})})


def _write_member_history(
    results: list[TrainResult], names: list[str], metric: str, history_path: str
) -> None:
    """Several members' histories one after another in one CSV; a `member` column tells them
    apart."""
    columns = [
        "member",
        "epoch",
        "train_loss",
        f"train_{metric}",
        "val_loss",
        f"val_{metric}",
        "lr",
    ]
    rows = [
        {"member": name, **row} for name, result in zip(names, results) for row in result.history
    ]
    with atomic_path(history_path) as tmp:
        pd.DataFrame(rows)[columns].to_csv(tmp, index=False, float_format="%.6f")


def _member_summaries(results: list[TrainResult], names: list[str], metric: str) -> list[dict]:
    return [
        {"member": name, **_best_epoch_summary(result, metric)}
        for name, result in zip(names, results)
    ]


def write_ensemble_metrics(
    results: list[TrainResult],
    names: list[str],
    val_loss: float,
    val_score: float,
    metric: str,
    history_path: str = "metrics/history.csv",
    summary_path: str = "metrics/train.json",
    extra: dict | None = None,
) -> None:
    """As write_training_metrics for several members: their histories one after another (a `member`
    column tells them apart), each member's best epoch, and the averaged model's validation scores.
    """
    _write_member_history(results, names, metric, history_path)
    write_json(
        summary_path,
        {
            "val_loss": round(val_loss, 6),
            f"val_{metric}": round(val_score, 6),
            **(extra or {}),
            "members": _member_summaries(results, names, metric),
        },
    )


def write_progress(
    results: list[TrainResult],
    names: list[str] | None,
    metric: str,
    history_path: str = "metrics/history.csv",
    summary_path: str = "metrics/train.json",
) -> None:
    """The metrics of a run still going, after each epoch: the epochs so far and the best one
    yet. An ensemble's (`names`: its members so far) has them per member; the averaged model's
    scores come when every member is trained."""
    if names is None:
        write_training_metrics(results[0], metric, history_path, summary_path)
        return
    _write_member_history(results, names, metric, history_path)
    write_json(
        summary_path,
        {"members": _member_summaries(results, names, metric)},
    )


def write_finished_run(
    trained,
    result: TrainResult,
    metric: str,
    checkpoint: Path,
    folder: str = "data/model",
    extra: dict | None = None,
) -> None:
    """A finished single-model run's outputs, in the order that keeps a killed stage resumable:
    the model folder (`trained.save`, atomically), then its metrics (+ `extra` keys), and only
    then the checkpoint is removed."""
    with atomic_path(folder) as tmp:
        trained.save(tmp)
    write_training_metrics(result, metric, extra=extra)
    checkpoint.unlink(missing_ok=True)


def chance_level(val_accuracy: float, train_labels, val_labels) -> dict:
    """Whether a classifier learned anything: the validation accuracy of always answering the
    most frequent training class, and `at_chance` when the model does no better
    (metrics/train.json keeps both). Class ids; negative ones (unlabeled steps, padding) do not
    count."""
    train_labels, val_labels = (np.asarray(labels).ravel() for labels in (train_labels, val_labels))
    train_labels, val_labels = train_labels[train_labels >= 0], val_labels[val_labels >= 0]
    majority = int(np.bincount(train_labels).argmax())
    majority_accuracy = round(float(np.mean(val_labels == majority)), 6)
    return {
        "majority_accuracy": majority_accuracy,
        "at_chance": bool(val_accuracy <= majority_accuracy),
    }


def chance_warning(summary: dict, val_accuracy: float) -> str | None:
    """The train stage's last line when the model is at chance level, or None."""
    if not summary["at_chance"]:
        return None
    return (
        f"train: WARNING: the model is at chance level: validation accuracy {val_accuracy:.4f} is "
        "no better than "
        f"always answering the most frequent training class ({summary['majority_accuracy']:.4f}). "
        "Check the data's labels, train.batch_size against the training rows, train.lr and "
        "train.epochs."
    )
