"""The sequence model: RecurrentStack -> a pooled head (a class per sequence / window) or a per-step
head.

`TrainedSequenceModel` keeps with it what using it needs: the feature columns and their
training-split mean and std (new data is standardised the same way), the class labels, the target
kind and the window shape; the columns, labels and statistics are also recorded inside the weights
(core.model_folder).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..core.errors import ModelFileError
from ..core.model_folder import load_model_folder, load_weights, save_model_folder
from ..nn.heads import PooledHead, StepHead
from ..nn.recurrent import RecurrentStack

FORMAT = "rnnpipe-sequences-1"
RECORDED = ("features", "labels", "mean", "std", "target", "window", "reading")


@dataclass(frozen=True)
class SequenceConfig:
    """The architecture: sizes from the data, the rest from the train section's rules
    (core.params.config_from_params); no defaults here, the schema holds them."""

    features: int
    num_classes: int
    per_step: bool
    cell: str
    hidden: int
    layers: int
    bidirectional: bool
    dropout: float
    pooling: str

    def to_dict(self) -> dict:
        return asdict(self)


class SequenceModel(nn.Module):
    """(steps [batch, time, features], lengths [batch]) -> logits [batch, classes] (one logit
    [batch] for two classes), or per step [batch, time, classes]."""

    def __init__(self, config: SequenceConfig):
        super().__init__()
        self.config = config
        self.rnn = RecurrentStack(
            config.features,
            config.cell,
            config.hidden,
            config.layers,
            config.bidirectional,
            config.dropout,
        )
        directions = 2 if config.bidirectional else 1
        if config.per_step:
            self.head = StepHead(config.hidden * directions, config.num_classes, config.dropout)
        else:
            outputs = 1 if config.num_classes == 2 else config.num_classes
            self.head = PooledHead(
                config.hidden, config.bidirectional, config.pooling, outputs, config.dropout
            )

    def forward(self, steps: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        if steps.dim() != 3 or steps.size(-1) != self.config.features:
            raise ValueError(
                f"expected steps of shape [batch, time, {self.config.features}], got "
                f"{tuple(steps.shape)}"
            )
        outputs = self.rnn(steps, lengths)
        return self.head(outputs) if self.config.per_step else self.head(outputs, lengths)


@dataclass
class TrainedSequenceModel:
    model: SequenceModel
    features: list[str]
    labels: list
    mean: list[float]
    std: list[float]
    target: str
    window: dict | None
    reading: dict | None = (
        None  # how `rnnpipe predict` reads a new file: the sequence and step columns
    )

    @property
    def classifies_windows(self) -> bool:
        """A class per window of new data. A per-step model trained on windows labels whole
        sequences, as its test split was scored."""
        return self.window is not None and self.target == "sequence"

    def standardise(self, values: np.ndarray) -> np.ndarray:
        return (
            (values - np.asarray(self.mean, np.float32)) / np.asarray(self.std, np.float32)
        ).astype(np.float32)

    def save(self, folder: str | Path) -> None:
        meta = {
            "model": self.model.config.to_dict(),
            "features": self.features,
            "labels": self.labels,
            "mean": self.mean,
            "std": self.std,
            "target": self.target,
            "window": self.window,
            "reading": self.reading,
        }
        save_model_folder(folder, self.model, FORMAT, meta, RECORDED)

    @classmethod
    def load(cls, folder: str | Path, device: str | torch.device = "cpu") -> TrainedSequenceModel:
        folder = Path(folder)
        meta, state = load_model_folder(
            folder, FORMAT, RECORDED, missing_hint="Run `dvc repro sequences/dvc.yaml` first."
        )
        try:
            model = SequenceModel(SequenceConfig(**meta["model"]))
            fields = [meta[key] for key in RECORDED]
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(
                f"{folder / 'model.json'}: unreadable or incomplete ({exc})."
            ) from None
        load_weights(model, state, folder)
        model.to(device).eval()
        return cls(model, *fields)
