"""The forecaster: RecurrentStack -> last step -> dense, on windows of numeric features, and its
model folder.

`RNNForecaster` maps windows [batch, steps, features] to one regression output [batch] (or one logit
per target bin). With a linear member (forecast.linear, `train.ensemble_linear`) its output is (1 -
w) * RNN + w * ridge(flattened window): the member's coefficients and w are weights and buffers of
the module, so the model folder, its hash checks, evaluate and `rnnpipe predict` all carry the mix.
`TrainedForecaster` keeps with it everything needed to use it: the window shape, the feature
columns, the target and its training-period statistics; the columns, target and window shape are
also recorded inside the weights (core.model_folder).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..core.errors import ModelFileError
from ..core.model_folder import load_model_folder, load_weights, save_model_folder
from ..nn.heads import PooledHead
from ..nn.recurrent import RecurrentStack

FORMAT = "rnnpipe-forecaster-1"
RECORDED = (
    "columns",
    "target",
    "lookback",
    "step",
    "delay",
    "predict_change",
    "target_mean",
    "target_std",
    "preparation",
)


@dataclass(frozen=True)
class ForecasterConfig:
    """The architecture: sizes from the data, the rest from the train section's rules
    (core.params.config_from_params); no defaults here, the schema holds them."""

    features: int
    outputs: int  # 1 = regression; k = logits of k target bins
    cell: str
    hidden: int
    layers: int
    bidirectional: bool
    dropout: float
    linear_inputs: (
        int  # > 0: a linear member reads the flattened window (steps * features values); 0 = none
    )

    def to_dict(self) -> dict:
        return asdict(self)


class RNNForecaster(nn.Module):
    """Windows [batch, steps, features] -> prediction [batch] (regression) or logits [batch,
    bins]."""

    def __init__(self, config: ForecasterConfig):
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
        self.head = PooledHead(
            config.hidden, config.bidirectional, "last", config.outputs, config.dropout
        )
        self.linear = None
        self.mixing = True
        if config.linear_inputs:
            self._add_linear(config.linear_inputs)

    def _add_linear(self, inputs: int) -> None:
        self.linear = nn.Linear(inputs, 1).requires_grad_(False)
        self.register_buffer("linear_weight", torch.zeros(()))

    def attach_linear(self, coef: np.ndarray, intercept: float, weight: float) -> None:
        """Mix a fitted linear model (coefficients over the flattened window) into the outputs
        with weight w."""
        if self.config.outputs != 1:
            raise ValueError("a linear member mixes with a regression output only")
        self.config = replace(self.config, linear_inputs=len(coef))
        self._add_linear(len(coef))
        device = next(self.parameters()).device
        with torch.no_grad():
            self.linear.weight.copy_(torch.as_tensor(coef, dtype=torch.float32)[None])
            self.linear.bias.fill_(float(intercept))
            self.linear_weight.fill_(float(weight))
        self.linear.to(device)
        self.linear_weight.data = self.linear_weight.data.to(device)

    @contextmanager
    def recurrent_only(self):
        """Within the block the outputs are the RNN's alone (evaluate reports them beside the
        mix)."""
        self.mixing = False
        try:
            yield self
        finally:
            self.mixing = True

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        if windows.dim() != 3 or windows.size(-1) != self.config.features:
            raise ValueError(
                f"expected windows of shape [batch, steps, {self.config.features}], "
                f"got {tuple(windows.shape)}"
            )
        lengths = torch.full(
            (windows.size(0),), windows.size(1), dtype=torch.long, device=windows.device
        )
        outputs = self.head(self.rnn(windows, lengths), lengths)
        if self.linear is None or not self.mixing:
            return outputs
        weight = self.linear_weight.to(outputs.dtype)
        linear = (
            self.linear(windows.flatten(1).to(self.linear.weight.dtype))
            .squeeze(-1)
            .to(outputs.dtype)
        )
        return (1 - weight) * outputs + weight * linear


@dataclass
class TrainedForecaster:
    """A forecaster with everything needed to use it: window shape, target, feature statistics."""

    model: RNNForecaster
    columns: list[str]
    target: str
    lookback: int
    step: int
    delay: int
    mean: float
    std: float
    predict_change: bool = False
    # How readings become inputs (forecast.readings): the sampling interval, every feature's
    # training-period
    # mean and std, and the prepare settings that read them (series.READING_SETTINGS).
    preparation: dict | None = None

    def save(self, folder: str | Path) -> None:
        meta = {
            "model": self.model.config.to_dict(),
            "columns": self.columns,
            "target": self.target,
            "lookback": self.lookback,
            "step": self.step,
            "delay": self.delay,
            "predict_change": self.predict_change,
            "target_mean": self.mean,
            "target_std": self.std,
            "preparation": self.preparation,
        }
        save_model_folder(folder, self.model, FORMAT, meta, RECORDED)

    @classmethod
    def load(cls, folder: str | Path, device: str | torch.device = "cpu") -> TrainedForecaster:
        folder = Path(folder)
        meta, state = load_model_folder(
            folder, FORMAT, RECORDED, missing_hint="Run `dvc repro forecast/dvc.yaml` first."
        )
        try:
            model = RNNForecaster(ForecasterConfig(**meta["model"]))
            fields = (
                list(meta["columns"]),
                str(meta["target"]),
                int(meta["lookback"]),
                int(meta["step"]),
                int(meta["delay"]),
                float(meta["target_mean"]),
                float(meta["target_std"]),
                bool(meta["predict_change"]),
                meta.get("preparation"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(
                f"{folder / 'model.json'}: unreadable or incomplete ({exc})."
            ) from None
        load_weights(model, state, folder)
        model.to(device).eval()
        return cls(model, *fields)
