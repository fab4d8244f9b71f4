"""Optimisers and learning-rate schedules by name (train.optimizer, train.schedule)."""

from __future__ import annotations

import torch


def make_optimizer(name: str, parameters, lr: float, weight_decay: float) -> torch.optim.Optimizer:
    trainable = [p for p in parameters if p.requires_grad]
    if name == "adam":
        return torch.optim.Adam(trainable, lr=lr, weight_decay=weight_decay)
    if name == "rmsprop":
        return torch.optim.RMSprop(trainable, lr=lr, weight_decay=weight_decay)
    if name == "adagrad":  # Tai et al.'s Tree-LSTM recipe (lr 0.05)
        return torch.optim.Adagrad(trainable, lr=lr, weight_decay=weight_decay)
    return torch.optim.SGD(trainable, lr=lr, momentum=0.9, weight_decay=weight_decay)


def make_scheduler(name: str, optimizer, epochs: int, step_size: int, gamma: float, milestones=()):
    """The epoch schedule `name` (train.schedule), stepped once per epoch (step_scheduler)."""
    if name == "step":
        return torch.optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)
    if name == "multistep":
        return torch.optim.lr_scheduler.MultiStepLR(
            optimizer, milestones=sorted(int(m) for m in milestones), gamma=gamma
        )
    if name == "exponential":
        return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=gamma)
    if name == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    if name == "plateau":
        return torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, factor=gamma, patience=max(step_size - 1, 0)
        )
    return None


def step_scheduler(scheduler, val_loss: float | None) -> None:
    """Advance `scheduler` after an epoch; `plateau` reads the validation loss and waits without
    one."""
    if isinstance(scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
        if val_loss is not None:
            scheduler.step(val_loss)
    elif scheduler is not None:
        scheduler.step()


def warmup_factor(step: int, warmup_steps: int) -> float:
    """The share of the scheduled LR that optimiser step `step` (0-based, counted over the whole
    run) takes: (step + 1) / warmup_steps during the warmup, then 1."""
    if warmup_steps <= 0 or step >= warmup_steps:
        return 1.0
    return (step + 1) / warmup_steps
