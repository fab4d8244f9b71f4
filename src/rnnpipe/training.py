"""The training loop shared by both pipelines: clipping, LR schedules, early stopping, checkpoints.

The loop knows neither text nor time series. A dataset gives it batches of row indices
(`data.batches(batch_size, rng, pool_batches)`: length-bucketed token rows for text, shuffled
windows for forecasting) and the tensors of one batch (`data.batch(rows, device)` ->
(model inputs, targets)); an `Objective` turns model outputs and targets into the loss and a score
(accuracy for classifiers, MAE in the target's units for regressors).

One epoch = one pass over the training rows. After each epoch the
validation split gives the loss that drives early stopping (`patience` epochs without improvement)
and the `plateau` schedule; the best epoch's weights are restored at the end.
With `ema_decay` > 0 the loop also keeps an exponential moving average of the weights (updated
after every step, torch.optim.swa_utils.AveragedModel); validation, early stopping and the saved
model then use the averaged weights, which are less noisy than the last step's.
On CUDA: data lives on the GPU, cuDNN kernels, float16 autocast with a gradient scaler.
"""

from __future__ import annotations

import copy
import math
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm import tqdm

from .atomic import atomic_path, write_json
from .checkpoints import load_checkpoint, save_checkpoint
from .errors import TrainingError


def resolve_device(name: str) -> torch.device:
    if name == "cuda" and not torch.cuda.is_available():
        raise TrainingError("device 'cuda' was requested but no CUDA GPU is available to torch; "
                            "set train.device (and evaluate.device) to auto or cpu.")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def autocast_dtype(device: torch.device, precision: str) -> torch.dtype | None:
    """The autocast dtype for `precision` ('auto', 'fp32', 'bf16', 'fp16') on `device`; None = float32.

    'auto' is float16 on CUDA (tensor cores, with a gradient scaler) and float32 on CPU.
    """
    if precision == "auto":
        return torch.float16 if device.type == "cuda" else None
    if precision == "fp16" and device.type != "cuda":
        raise TrainingError("train.precision=fp16 needs a CUDA device; use bf16 or fp32 on CPU.")
    return {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def make_optimizer(name: str, parameters, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    trainable = [p for p in parameters if p.requires_grad]
    if name == "adam":
        return torch.optim.Adam(trainable, lr=lr, weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(trainable, lr=lr, weight_decay=weight_decay)
    return torch.optim.SGD(trainable, lr=lr, momentum=0.9, weight_decay=weight_decay)


def make_scheduler(name: str, optimizer, epochs: int, step_size: int, gamma: float):
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    if name == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=gamma, patience=max(step_size - 1, 0))
    return None


class ClassificationObjective:
    """Binary (one logit, BCE) or multi-class (softmax, cross-entropy); the score is accuracy."""

    metric = "accuracy"

    def __init__(self, num_classes: int):
        self.criterion = nn.BCEWithLogitsLoss() if num_classes == 2 else nn.CrossEntropyLoss()

    def __call__(self, logits: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(mean loss, number of correct predictions)."""
        if logits.dim() == 1:
            return self.criterion(logits.float(), labels.float()), ((logits > 0).long() == labels).sum()
        return self.criterion(logits.float(), labels), (logits.argmax(-1) == labels).sum()


class RegressionObjective:
    """MAE or MSE on standardised targets; the score is the absolute error in the target's own units.

    `scale` is the target's standard deviation on the training period, so `mae` reads in e.g. degrees C.
    """

    metric = "mae"

    def __init__(self, loss: str = "mae", scale: float = 1.0):
        self.criterion = nn.L1Loss() if loss == "mae" else nn.MSELoss()
        self.scale = scale

    def __call__(self, predictions: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(mean loss, sum of absolute errors in target units)."""
        predictions = predictions.float()
        return self.criterion(predictions, targets), (predictions.detach() - targets).abs().sum() * self.scale


@dataclass
class TrainSettings:
    optimizer: str = "adam"
    lr: float = 1e-3
    weight_decay: float = 0.0
    batch_size: int = 64
    epochs: int = 10
    clip_norm: float = 5.0
    patience: int = 3
    schedule: str = "none"
    step_size: int = 5
    gamma: float = 0.5
    seed: int = 42
    precision: str = "auto"
    bucket_batches: int = 5
    ema_decay: float = 0.0


@dataclass
class TrainResult:
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    best_val_loss: float = math.inf
    stopped_early: bool = False


@torch.no_grad()
def predict(model: nn.Module, data, batch_size: int, device: torch.device, precision: str = "auto") -> torch.Tensor:
    """Model outputs (logits or predictions) for every row of `data`, in its original order."""
    model.eval()
    out = None
    dtype = autocast_dtype(device, precision)
    for rows in data.batches(batch_size, rng=None):
        inputs, _ = data.batch(rows, device)
        with torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
            outputs = model(*inputs).float().cpu()
        if out is None:
            out = torch.empty((len(data), *outputs.shape[1:]), dtype=torch.float32)
        out[torch.as_tensor(rows)] = outputs
    return out if out is not None else torch.empty(0)


def evaluate_loss(model: nn.Module, data, batch_size: int, device: torch.device, objective,
                  precision: str = "auto") -> tuple[float, float]:
    """(mean loss, mean score) of `model` on all of `data`."""
    outputs = predict(model, data, batch_size, device, precision)
    loss, score = objective(outputs, data.targets.cpu())
    return float(loss), float(score) / max(len(data), 1)


def train_model(model: nn.Module, train, validation, settings: TrainSettings, device: torch.device,
                progress: bool = True, checkpoint: Path | None = None, fingerprint: str = "",
                objective=None) -> TrainResult:
    """Train in place; return the per-epoch history. The model ends with its best-validation weights.

    `train` / `validation` are datasets as described at the top of this module (SequenceSet,
    WindowSet). `objective` defaults to classification over `model.config.num_classes` classes.
    History rows hold train_loss, train_<metric>, val_loss, val_<metric> and lr per epoch.

    Without a validation set (benchmarks), every epoch is run and the last weights are kept.
    With `checkpoint`, the state is saved there after every epoch, and a run whose checkpoint carries
    the same `fingerprint` resumes after its last completed epoch, ending as an uninterrupted run would.
    """
    model.to(device)
    dtype = autocast_dtype(device, settings.precision)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        train = train.to(device)
        validation = validation.to(device) if validation is not None else None
    objective = objective or ClassificationObjective(model.config.num_classes)
    metric = objective.metric
    optimizer = make_optimizer(settings.optimizer, model.parameters(), settings.lr, settings.weight_decay)
    scheduler = make_scheduler(settings.schedule, optimizer, settings.epochs, settings.step_size, settings.gamma)
    scaler = torch.amp.GradScaler("cuda", enabled=dtype == torch.float16)
    rng = np.random.default_rng(settings.seed)
    # The averaged copy is what gets validated and kept; `model` itself is what the optimizer steps.
    averaged = (AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(settings.ema_decay), use_buffers=True)
                if settings.ema_decay > 0 else None)
    kept = averaged.module if averaged is not None else model
    result, best_state, waited, first_epoch = TrainResult(), None, 0, 1
    resumed = load_checkpoint(checkpoint, fingerprint) if checkpoint is not None else None
    if resumed is not None:
        model.load_state_dict(resumed["model"])
        optimizer.load_state_dict(resumed["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(resumed["scheduler"])
        scaler.load_state_dict(resumed["scaler"])
        if averaged is not None:
            averaged.load_state_dict(resumed["averaged"])
        torch.set_rng_state(resumed["torch_rng"])
        if device.type == "cuda" and resumed["cuda_rng"]:
            torch.cuda.set_rng_state_all(resumed["cuda_rng"])
        rng.bit_generator.state = resumed["batch_rng"]
        result = TrainResult(resumed["history"], resumed["best_epoch"], resumed["best_val_loss"],
                             resumed["stopped_early"])
        best_state, waited = resumed["best_state"], resumed["waited"]
        # A finished run (killed while writing its outputs) only needs its best weights restored.
        first_epoch = settings.epochs + 1 if resumed["finished"] else resumed["epoch"] + 1
        print(f"resuming from the checkpoint after epoch {resumed['epoch']} ({checkpoint})", file=sys.stderr)

    for epoch in range(first_epoch, settings.epochs + 1):
        model.train()
        epoch_started = time.perf_counter()
        batches = train.batches(settings.batch_size, rng, settings.bucket_batches)
        total_loss, total_score, seen = 0.0, 0.0, 0
        bar = tqdm(batches, desc=f"epoch {epoch}/{settings.epochs}", unit="batch", file=sys.stderr,
                   disable=not progress, mininterval=1.0, leave=False)
        for step, rows in enumerate(bar, start=1):
            inputs, targets = train.batch(rows, device, non_blocking=True)
            optimizer.zero_grad(set_to_none=True)
            with torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
                outputs = model(*inputs)
            loss, score = objective(outputs, targets)
            if not torch.isfinite(loss):
                raise TrainingError(
                    f"the training loss became {float(loss.detach())} at epoch {epoch}, step {step}. Lower train.lr "
                    f"(now {settings.lr}), set train.clip_norm (now {settings.clip_norm}) to e.g. 1.0, or check "
                    f"the inputs (embedding matrix, feature values) for extreme values.")
            scaler.scale(loss).backward()
            if settings.clip_norm > 0:
                scaler.unscale_(optimizer)
                nn.utils.clip_grad_norm_(model.parameters(), settings.clip_norm)
            scaler.step(optimizer)
            scaler.update()
            if averaged is not None:
                averaged.update_parameters(model)
            total_loss += float(loss.detach()) * len(rows)
            total_score += float(score)
            seen += len(rows)
            if step % 20 == 0:
                bar.set_postfix(loss=f"{total_loss / seen:.4f}", **{metric: f"{total_score / seen:.3f}"}, refresh=False)
        bar.close()

        row = {"epoch": epoch, "train_loss": total_loss / seen, f"train_{metric}": total_score / seen,
               "lr": optimizer.param_groups[0]["lr"], "seconds": time.perf_counter() - epoch_started}
        result.history.append(row)
        if validation is None:
            print(f"epoch {epoch}: loss {row['train_loss']:.4f} {metric} {row[f'train_{metric}']:.4f} | "
                  f"{row['seconds']:.1f} s", file=sys.stderr)
            if scheduler is not None and not isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
                scheduler.step()
            continue
        row["val_loss"], row[f"val_{metric}"] = evaluate_loss(kept, validation, settings.batch_size * 4, device,
                                                              objective, settings.precision)
        print(f"epoch {epoch}: loss {row['train_loss']:.4f} {metric} {row[f'train_{metric}']:.4f} | val loss "
              f"{row['val_loss']:.4f} {metric} {row[f'val_{metric}']:.4f} | lr {row['lr']:.2e} | "
              f"{row['seconds']:.1f} s", file=sys.stderr)
        if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            scheduler.step(row["val_loss"])
        elif scheduler is not None:
            scheduler.step()
        if row["val_loss"] < result.best_val_loss:
            result.best_val_loss, result.best_epoch, waited = row["val_loss"], epoch, 0
            best_state = copy.deepcopy(kept.state_dict())
        else:
            waited += 1
            result.stopped_early = bool(settings.patience and waited >= settings.patience)
        if checkpoint is not None:
            save_checkpoint(checkpoint, {
                "fingerprint": fingerprint, "epoch": epoch, "model": model.state_dict(),
                "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict() if scheduler else None,
                "scaler": scaler.state_dict(), "averaged": averaged.state_dict() if averaged is not None else None,
                "torch_rng": torch.get_rng_state(), "batch_rng": rng.bit_generator.state,
                "cuda_rng": torch.cuda.get_rng_state_all() if device.type == "cuda" else [],
                "history": result.history, "best_epoch": result.best_epoch, "best_val_loss": result.best_val_loss,
                "best_state": best_state, "waited": waited, "stopped_early": result.stopped_early,
                "finished": result.stopped_early or epoch == settings.epochs})
        if result.stopped_early:
            print(f"early stopping: no validation improvement for {waited} epochs; "
                  f"keeping epoch {result.best_epoch}", file=sys.stderr)
            break
    # Without a validation set: the last weights, averaged ones when ema_decay is on.
    model.load_state_dict(best_state if best_state is not None else kept.state_dict())
    return result


def _best_epoch_summary(result: TrainResult, metric: str) -> dict:
    best = result.history[result.best_epoch - 1]
    return {"best_epoch": result.best_epoch, "epochs_run": len(result.history),
            **{k: round(best[k], 6) for k in ("val_loss", f"val_{metric}", "train_loss", f"train_{metric}")}}


def write_training_metrics(result: TrainResult, metric: str, history_path: str = "metrics/history.csv",
                           summary_path: str = "metrics/train.json") -> None:
    """The per-epoch history (a DVC plot) and the best epoch's summary, both written atomically.

    Wall-clock seconds stay out: the committed metrics must be identical run to run.
    """
    columns = ["epoch", "train_loss", f"train_{metric}", "val_loss", f"val_{metric}", "lr"]
    with atomic_path(history_path) as tmp:
        pd.DataFrame(result.history)[columns].to_csv(tmp, index=False, float_format="%.6f")
    write_json(summary_path, _best_epoch_summary(result, metric))


def write_ensemble_metrics(results: list[TrainResult], names: list[str], val_loss: float, val_score: float,
                           metric: str, history_path: str = "metrics/history.csv",
                           summary_path: str = "metrics/train.json") -> None:
    """As write_training_metrics for several members: their histories one after another (a `member`
    column tells them apart), each member's best epoch, and the averaged model's validation scores."""
    columns = ["member", "epoch", "train_loss", f"train_{metric}", "val_loss", f"val_{metric}", "lr"]
    rows = [{"member": name, **row} for name, result in zip(names, results) for row in result.history]
    with atomic_path(history_path) as tmp:
        pd.DataFrame(rows)[columns].to_csv(tmp, index=False, float_format="%.6f")
    write_json(summary_path, {"val_loss": round(val_loss, 6), f"val_{metric}": round(val_score, 6),
                              "members": [{"member": name, **_best_epoch_summary(result, metric)}
                                          for name, result in zip(names, results)]})
