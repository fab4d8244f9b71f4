"""The sequence model: RecurrentStack -> a pooled head (a class per sequence / window) or a per-step
head.

`TrainedSequenceModel` keeps with it what using it needs: the feature columns and their
training-split mean and std (new data is standardised the same way), the class labels, the target
kind and the window shape; the columns, labels and statistics are also recorded inside the weights
(core.model_folder). With train.mix_baseline it also holds the linear baseline
(sequences.baselines) and the weight train chose for it on validation: `scorer` is the module that
scores new items, the network or the mix of both (MixedSequenceModel).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from ..core.errors import ModelFileError
from ..core.hashing import sha256_of_file
from ..core.metrics import class_probabilities
from ..core.model_folder import load_model_folder, load_weights, save_model_folder
from ..nn.heads import PooledHead, StepHead
from ..nn.recurrent import RecurrentStack
from .baselines import ARRAYS, SequenceBaseline

FORMAT = "rnnpipe-sequences-1"
RECORDED = (
    "features",
    "labels",
    "mean",
    "std",
    "target",
    "window",
    "reading",
    "baseline_weight",
    "baseline_sha256",
)
BASELINE = "baseline.safetensors"


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


class MixedSequenceModel(nn.Module):
    """(1 - w) * the network's probabilities + w * the baseline's, as log-probabilities: what
    core.metrics.probabilities turns back into those probabilities, so every caller of the network
    (evaluate, predict, the per-step spreading of window scores) can call this instead."""

    def __init__(self, model: SequenceModel, baseline: SequenceBaseline, weight: float):
        super().__init__()
        self.model, self.baseline, self.weight = model, baseline, weight

    def forward(self, steps: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        network = class_probabilities(self.model(steps, lengths).float())
        mixed = (1 - self.weight) * network + self.weight * self.baseline(steps, lengths)
        return torch.log(mixed.clamp_min(1e-30))


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
    baseline: SequenceBaseline | None = None  # the linear member (train.mix_baseline)
    baseline_weight: float = 0.0  # its weight in the mix, chosen on validation

    @property
    def scorer(self) -> nn.Module:
        """What scores items: the network, or its mix with the baseline."""
        if self.baseline is None or self.baseline_weight == 0:
            return self.model
        return MixedSequenceModel(self.model, self.baseline, self.baseline_weight).eval()

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
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        baseline_sha256 = None
        if self.baseline is not None:
            save_file(self.baseline.arrays(), folder / BASELINE)
            baseline_sha256 = sha256_of_file(folder / BASELINE)
        meta = {
            "model": self.model.config.to_dict(),
            "features": self.features,
            "labels": self.labels,
            "mean": self.mean,
            "std": self.std,
            "target": self.target,
            "window": self.window,
            "reading": self.reading,
            "baseline_weight": self.baseline_weight,
            "baseline_sha256": baseline_sha256,
        }
        save_model_folder(folder, self.model, FORMAT, meta, RECORDED)

    @classmethod
    def load(cls, folder: str | Path, device: str | torch.device = "cpu") -> TrainedSequenceModel:
        folder = Path(folder)
        meta, state = load_model_folder(
            folder, FORMAT, RECORDED, missing_hint="Run `dvc repro sequences/dvc.yaml` first."
        )
        try:
            config = SequenceConfig(**meta["model"])
            model = SequenceModel(config)
            fields = [meta[key] for key in RECORDED[:7]]
            # a folder from before the baseline member has neither key: the network alone
            weight = float(meta.get("baseline_weight") or 0.0)
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(
                f"{folder / 'model.json'}: unreadable or incomplete ({exc})."
            ) from None
        load_weights(model, state, folder)
        model.to(device).eval()
        baseline = load_baseline(folder, meta.get("baseline_sha256"), config)
        return cls(model, *fields, baseline.to(device) if baseline else None, weight)


def load_baseline(folder: Path, expected: str | None, config: SequenceConfig):
    """The baseline member stored beside the weights, verified by hash (None if there is none)."""
    if expected is None:
        return None
    path = folder / BASELINE
    if not path.is_file() or sha256_of_file(path) != expected:
        raise ModelFileError(
            f"{path} is missing or not the baseline member this model was trained with (hash "
            "differs); restore the folder (`dvc checkout`) or retrain."
        )
    try:
        arrays = load_file(path)
        return SequenceBaseline(
            {name: arrays[name].numpy() for name in ARRAYS}, config.num_classes, config.per_step
        ).eval()
    except (SafetensorError, KeyError, OSError) as exc:
        raise ModelFileError(f"{path}: not a baseline member's arrays ({exc}).") from None
