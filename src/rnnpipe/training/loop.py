"""The training loop shared by every task: clipping, LR schedules, early stopping, checkpoints.

The loop knows neither text nor time series. A dataset is a BatchSource (data.batch_source): it
gives the loop batches of row indices and the tensors of one batch; an objective
(training.objectives) turns model outputs and targets into the loss and a score (accuracy for
classifiers, MAE in the target's units for regressors).

One epoch = one pass over the training rows. After each epoch the validation split gives the loss
that drives the `plateau` schedule and, by default, early stopping (`patience` epochs without
improvement) and the choice of the best epoch, whose weights are restored at the end;
`select_on="accuracy"` (the objective's metric) chooses on it instead (accuracy: SST's models are
chosen on dev root accuracy, as in the papers). With `ema_decay` > 0 the loop also keeps an
exponential moving average of the weights (updated after every step,
torch.optim.swa_utils.AveragedModel); validation, early stopping and the saved model then use the
averaged weights, which are less noisy than the last step's. On CUDA: data lives on the GPU, cuDNN
kernels, float16 autocast with a gradient scaler (written to PyTorch's AMP recipe; unrun here, as
this project's machines have no GPU). With `dist` (training.distributed: a torchrun worker) the
model trains under DistributedDataParallel on this rank's share of every global batch and of the
validation rows; only rank 0 reports, writes checkpoints and calls `on_epoch`.
"""

from __future__ import annotations

import copy
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm import tqdm

from ..core.device import autocast_dtype
from ..core.errors import TrainingError
from ..core.params import BUCKET_BATCHES, SELECT_ON, TRAINING_RULES
from .checkpoints import load_checkpoint, save_checkpoint
from .distributed import Distributed
from .inference import evaluate_loss
from .objectives import ClassificationObjective
from .optim import make_optimizer, make_scheduler, step_scheduler, warmup_factor
from .trial import trial_reporter

# The rules of the loop's settings: the shared training group plus length bucketing and the kept
# epoch.
LOOP_RULES = {**TRAINING_RULES, "bucket_batches": BUCKET_BATCHES, "select_on": SELECT_ON}


def _default(key: str):
    """The default of a training setting: the params rule's, written once (core.params)."""
    default = LOOP_RULES[key].default
    if isinstance(default, list):
        return field(default_factory=lambda: list(default))
    return field(default=default)


@dataclass
class TrainSettings:
    """The loop's settings; each default and meaning is its rule's in core.params (LOOP_RULES)."""

    optimizer: str = _default("optimizer")
    lr: float = _default("lr")
    weight_decay: float = _default("weight_decay")
    batch_size: int = _default("batch_size")
    epochs: int = _default("epochs")
    clip_norm: float = _default("clip_norm")
    patience: int = _default("patience")
    schedule: str = _default("schedule")
    step_size: int = _default("step_size")
    milestones: list = _default("milestones")
    gamma: float = _default("gamma")
    warmup_steps: int = _default("warmup_steps")
    seed: int = _default("seed")
    precision: str = _default("precision")
    ema_decay: float = _default("ema_decay")
    bucket_batches: int = _default("bucket_batches")
    select_on: str = _default("select_on")  # only the trees pipeline exposes it (train.select_on)

    @classmethod
    def from_params(cls, section: dict) -> TrainSettings:
        """The settings a pipeline's `train` section holds (a section without bucketing keeps the
        default)."""
        return cls(**{f.name: section[f.name] for f in fields(cls) if f.name in section})


@dataclass
class TrainResult:
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    best_val_loss: float = math.inf
    stopped_early: bool = False
    best_selected: float = (
        math.inf
    )  # what early stopping minimises: the loss, or the score made lower-is-better
    pruned: bool = False  # stopped by a sweep's pruner (training.trial); last: built positionally


@dataclass
class TrainingRun:
    """Everything that decides the rest of a run; checkpointed after every epoch."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: object
    scaler: torch.amp.GradScaler
    averaged: AveragedModel | None
    rng: np.random.Generator
    trainer: nn.Module | None = (
        None  # what the training forward runs: the DDP wrapper of `model`, or `model`
    )
    dist: Distributed | None = None
    result: TrainResult = field(default_factory=TrainResult)
    best_state: dict | None = None
    waited: int = 0

    @classmethod
    def start(
        cls, model: nn.Module, settings: TrainSettings, dtype: torch.dtype | None
    ) -> TrainingRun:
        optimizer = make_optimizer(
            settings.optimizer, model.parameters(), settings.lr, settings.weight_decay
        )
        # The averaged copy is what gets validated and kept; `model` itself is what the optimizer
        # steps.
        averaged = (
            AveragedModel(
                model, multi_avg_fn=get_ema_multi_avg_fn(settings.ema_decay), use_buffers=True
            )
            if settings.ema_decay > 0
            else None
        )
        return cls(
            model,
            optimizer,
            make_scheduler(
                settings.schedule,
                optimizer,
                settings.epochs,
                settings.step_size,
                settings.gamma,
                settings.milestones,
            ),
            torch.amp.GradScaler("cuda", enabled=dtype == torch.float16),
            averaged,
            np.random.default_rng(settings.seed),
        )

    @property
    def kept(self) -> nn.Module:
        """The weights that are validated and saved: the averaged ones when ema_decay is on."""
        return self.averaged.module if self.averaged is not None else self.model

    def track_best(self, epoch: int, val_loss: float, selected: float, patience: int) -> None:
        """Early stopping: remember the best epoch's weights (the lowest `selected`: the validation
        loss or the score made lower-is-better); stop after `patience` epochs without improvement.
        """
        if selected < self.result.best_selected:
            self.result.best_selected, self.result.best_epoch, self.waited = selected, epoch, 0
            self.result.best_val_loss = val_loss
            self.best_state = copy.deepcopy(self.kept.state_dict())
        else:
            self.waited += 1
            self.result.stopped_early = bool(patience and self.waited >= patience)

    def checkpoint_state(
        self, fingerprint: str, epoch: int, finished: bool, device: torch.device
    ) -> dict:
        return {
            "fingerprint": fingerprint,
            "epoch": epoch,
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict() if self.scheduler else None,
            "scaler": self.scaler.state_dict(),
            "averaged": self.averaged.state_dict() if self.averaged is not None else None,
            "torch_rng": torch.get_rng_state(),
            "batch_rng": self.rng.bit_generator.state,
            "cuda_rng": torch.cuda.get_rng_state_all() if device.type == "cuda" else [],
            "history": self.result.history,
            "best_epoch": self.result.best_epoch,
            "best_val_loss": self.result.best_val_loss,
            "best_selected": self.result.best_selected,
            "best_state": self.best_state,
            "waited": self.waited,
            "stopped_early": self.result.stopped_early,
            "finished": finished,
        }

    def restore(self, saved: dict, device: torch.device) -> None:
        self.model.load_state_dict(saved["model"])
        self.optimizer.load_state_dict(saved["optimizer"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(saved["scheduler"])
        self.scaler.load_state_dict(saved["scaler"])
        if self.averaged is not None:
            self.averaged.load_state_dict(saved["averaged"])
        torch.set_rng_state(saved["torch_rng"])
        if device.type == "cuda" and saved["cuda_rng"]:
            torch.cuda.set_rng_state_all(saved["cuda_rng"])
        self.rng.bit_generator.state = saved["batch_rng"]
        self.result = TrainResult(
            saved["history"],
            saved["best_epoch"],
            saved["best_val_loss"],
            saved["stopped_early"],
            # a checkpoint written before select_on existed selected on the loss
            saved.get("best_selected", saved["best_val_loss"]),
        )
        self.best_state, self.waited = saved["best_state"], saved["waited"]


def train_one_epoch(
    run: TrainingRun,
    train,
    settings: TrainSettings,
    device: torch.device,
    dtype: torch.dtype | None,
    objective,
    epoch: int,
    progress: bool,
) -> dict:
    """One pass over the training rows; the epoch's history row (train loss and score, lr,
    seconds)."""
    model, metric = run.trainer or run.model, objective.metric
    model.train()
    started = time.perf_counter()
    batches = train.batches(settings.batch_size, run.rng, settings.bucket_batches)
    total_loss, total_score, seen = 0.0, 0.0, 0
    # disable=None: tqdm's own TTY check, so logs (CI, `dvc exp run --queue`) get no carriage-return
    # frames, only the one summary line per epoch that _report prints; TQDM_DISABLE=1 also works.
    bar = tqdm(
        batches,
        desc=f"epoch {epoch}/{settings.epochs}",
        unit="batch",
        file=sys.stderr,
        disable=None if progress else True,
        mininterval=1.0,
        leave=False,
    )
    for step, rows in enumerate(bar, start=1):
        share = run.dist.share(rows) if run.dist else rows
        # A rank with no row of a short last batch still steps with the others (DDP's all-reduce),
        # on one row
        # that counts for nothing.
        inputs, targets = train.batch(share if len(share) else rows[:1], device, non_blocking=True)
        run.optimizer.zero_grad(set_to_none=True)
        with torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
            outputs = model(*inputs)
        loss, score, count = objective(outputs, targets)
        if not len(share):
            loss, score, count = loss * 0.0, score * 0, 0
        if not torch.isfinite(loss):
            raise TrainingError(
                f"the training loss became {float(loss.detach())} at epoch {epoch}, step {step}. "
                "Lower train.lr "
                f"(now {settings.lr}), set train.clip_norm (now {settings.clip_norm}) to e.g. 1.0, "
                "or check "
                f"the inputs (embedding matrix, feature values) for extreme values."
            )
        if run.dist:
            # DDP averages the ranks' gradients; weighting each rank's mean loss by its share of the
            # batch's
            # examples makes that average the gradient of the whole batch's mean loss.
            (everyone,) = run.dist.sum([count])
            loss_for_grad = loss * (count * run.dist.world / max(everyone, 1))
        else:
            loss_for_grad = loss
        run.scaler.scale(loss_for_grad).backward()
        if settings.clip_norm > 0:
            run.scaler.unscale_(run.optimizer)
            nn.utils.clip_grad_norm_(model.parameters(), settings.clip_norm)
        # The warmup scales the schedule's LR for this step only, so the epoch schedules (which
        # compute each LR from the last) never see it. Steps are counted over the whole run: a
        # resumed run continues the warmup where it was (every epoch has as many batches).
        factor = warmup_factor((epoch - 1) * len(batches) + step - 1, settings.warmup_steps)
        scheduled = [group["lr"] for group in run.optimizer.param_groups]
        for group, lr in zip(run.optimizer.param_groups, scheduled):
            group["lr"] = lr * factor
        run.scaler.step(run.optimizer)
        for group, lr in zip(run.optimizer.param_groups, scheduled):
            group["lr"] = lr
        run.scaler.update()
        if run.averaged is not None:
            run.averaged.update_parameters(model)
        total_loss += float(loss.detach()) * count
        total_score += float(score)
        seen += count
        if step % 20 == 0:
            bar.set_postfix(
                loss=f"{total_loss / seen:.4f}",
                **{metric: f"{total_score / seen:.3f}"},
                refresh=False,
            )
    bar.close()
    if run.dist:
        total_loss, total_score, seen = run.dist.sum([total_loss, total_score, seen])
    return {
        "epoch": epoch,
        "train_loss": total_loss / seen,
        f"train_{metric}": total_score / seen,
        "lr": run.optimizer.param_groups[0]["lr"],
        "seconds": time.perf_counter() - started,
    }


def _report(row: dict, metric: str) -> None:
    line = (
        f"epoch {row['epoch']}: loss {row['train_loss']:.4f} {metric} {row[f'train_{metric}']:.4f}"
    )
    if "val_loss" in row:
        line += f" | val loss {row['val_loss']:.4f} {metric} {row[f'val_{metric}']:.4f}"
        line += f" | lr {row['lr']:.2e}"
    print(f"{line} | {row['seconds']:.1f} s", file=sys.stderr)


def selection_value(row: dict, select_on: str, objective) -> float:
    """The number early stopping minimises for an epoch's history row: its validation loss, or
    its validation score, negated when higher is better (accuracy; MAE is lower-is-better
    already)."""
    if select_on == "loss":
        return row["val_loss"]
    if select_on != objective.metric:
        raise ValueError(
            f"select_on is {select_on!r}; this objective offers 'loss' or {objective.metric!r}"
        )
    score = row[f"val_{objective.metric}"]
    return -score if objective.higher_is_better else score


def train_model(
    model: nn.Module,
    train,
    validation,
    settings: TrainSettings,
    device: torch.device,
    progress: bool = True,
    checkpoint: Path | None = None,
    fingerprint: str = "",
    objective=None,
    on_epoch: Callable[[TrainResult], None] | None = None,
    dist: Distributed | None = None,
) -> TrainResult:
    """Train in place; return the per-epoch history. The model ends with its best-validation
    weights.

    `train` / `validation` are BatchSources (SequenceSet, WindowSet). `objective` defaults to
    classification over `model.config.num_classes` classes. History rows hold train_loss,
    train_<metric>, val_loss, val_<metric> and lr per epoch.

    Without a validation set (benchmarks), every epoch is run and the last weights are kept. With
    `checkpoint`, the state is saved there after every epoch, and a run whose checkpoint carries the
    same `fingerprint` resumes after its last completed epoch, ending as an uninterrupted run would.
    `on_epoch(result)` runs after every validated epoch (the stages write their metrics so far with
    it).
    """
    main = dist is None or dist.is_main
    # A trial of `rnnpipe sweep` reports every epoch to its study (one process: with DDP the
    # ranks would have to agree on the pruner's answer).
    reporter = trial_reporter() if dist is None else None
    if main and validation is not None and settings.batch_size >= len(train):
        # One optimiser step per epoch: on the text default this ended at chance accuracy, without a
        # word.
        print(
            f"train: WARNING: train.batch_size ({settings.batch_size:,}) is at least the training "
            "split's "
            f"{len(train):,} rows, so each epoch takes a single optimisation step and the model "
            "will barely "
            f"learn. Lower train.batch_size (e.g. to {max(1, len(train) // 20):,})."
        )
    model.to(device)
    dtype = autocast_dtype(device, settings.precision)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        train = train.to(device)
        validation = validation.to(device) if validation is not None else None
    objective = objective or ClassificationObjective(model.config.num_classes)
    metric = objective.metric
    run = TrainingRun.start(model, settings, dtype)
    if dist is not None:
        from torch.nn.parallel import DistributedDataParallel

        run.dist = dist
        run.trainer = DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None
        )
    first_epoch = 1
    saved = load_checkpoint(checkpoint, fingerprint) if checkpoint is not None and main else None
    if dist is not None:
        saved = dist.broadcast(saved)  # rank 0's disk decides, on every machine
    if saved is not None:
        run.restore(saved, device)
        # A finished run (killed while writing its outputs) only needs its best weights restored.
        first_epoch = settings.epochs + 1 if saved["finished"] else saved["epoch"] + 1
        if main:
            print(
                f"resuming from the checkpoint after epoch {saved['epoch']} ({checkpoint})",
                file=sys.stderr,
            )

    for epoch in range(first_epoch, settings.epochs + 1):
        row = train_one_epoch(
            run, train, settings, device, dtype, objective, epoch, progress and main
        )
        run.result.history.append(row)
        if validation is not None:
            row["val_loss"], row[f"val_{metric}"] = evaluate_loss(
                run.kept,
                validation,
                settings.batch_size * 4,
                device,
                objective,
                settings.precision,
                dist,
            )
        if main:
            _report(row, metric)
        step_scheduler(run.scheduler, row.get("val_loss"))
        if validation is None:
            continue
        run.track_best(
            epoch,
            row["val_loss"],
            selection_value(row, settings.select_on, objective),
            settings.patience,
        )
        if reporter is not None and reporter.should_stop(epoch, row):
            run.result.stopped_early = run.result.pruned = True
            print(
                f"pruned: the sweep's study stops this trial after epoch {epoch} (its "
                f"{reporter.metric} lags the other trials'); keeping epoch {run.result.best_epoch}",
                file=sys.stderr,
            )
        if checkpoint is not None and main:
            finished = run.result.stopped_early or epoch == settings.epochs
            save_checkpoint(checkpoint, run.checkpoint_state(fingerprint, epoch, finished, device))
        if on_epoch is not None and main:
            on_epoch(run.result)
        if run.result.stopped_early and main and not run.result.pruned:
            print(
                f"early stopping: no validation improvement for {run.waited} epochs; "
                f"keeping epoch {run.result.best_epoch}",
                file=sys.stderr,
            )
        if run.result.stopped_early:
            break
    # Without a validation set: the last weights, averaged ones when ema_decay is on.
    model.load_state_dict(run.best_state if run.best_state is not None else run.kept.state_dict())
    return run.result
