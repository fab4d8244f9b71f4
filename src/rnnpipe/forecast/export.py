"""A trained forecaster as ONNX (`rnnpipe export`): the graph maps windows of readings to forecasts
in the target's units.

Inputs: `windows` [batch, steps, features] float32: for each forecast the window's rows, oldest
first (export.json: `lookback` rows read every `step` rows, ending at the last reading), the feature
`columns` in export.json's order and in their own units (missing values as NaN: the graph
standardises with the training period's mean and std and reads a missing value as that mean). With
`predict_change` also `naive` [batch] float32: the target's value `naive_rows_back` rows before the
last reading (the naive forecast the model corrects). Output `forecast` [batch]: the target `delay`
rows after the last reading, in its units: what `rnnpipe predict` and the evaluate stage compute,
the ridge member's mix included.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from ..core.onnx_export import export_onnx, verify_onnx
from .frequency import parse_step
from .model import TrainedForecaster
from .prepared import naive_offset


class ForecasterGraph(nn.Module):
    def __init__(self, trained: TrainedForecaster):
        super().__init__()
        preparation = trained.preparation or {}
        self.model = trained.model
        self.predict_change = trained.predict_change
        mean = [preparation["mean"][c] for c in trained.columns]
        std = [preparation["std"][c] for c in trained.columns]
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        self.register_buffer("target_mean", torch.tensor(float(trained.mean)))
        self.register_buffer("target_std", torch.tensor(float(trained.std)))

    def forward(self, windows: torch.Tensor, naive: torch.Tensor | None = None) -> torch.Tensor:
        standard = (windows - self.mean) / self.std
        output = self.model(
            torch.where(torch.isnan(standard), torch.zeros_like(standard), standard)
        )
        if self.predict_change:
            output = output + (naive - self.target_mean) / self.target_std
        return output * self.target_std + self.target_mean


def export_forecaster(trained: TrainedForecaster, folder: Path, seed: int = 0) -> dict:
    """model.onnx and export.json in `folder`; checked on random windows of the training scale."""
    if not trained.preparation:
        from ..core.errors import ModelFileError

        raise ModelFileError(
            "this forecaster's folder predates forecasting from readings (it keeps no feature "
            "statistics); rerun `dvc repro forecast/dvc.yaml` before exporting it."
        )
    graph = ForecasterGraph(trained).eval()
    steps = len(range(0, trained.lookback, trained.step))
    rng = np.random.default_rng(seed)
    scale = (
        graph.std.numpy() * rng.normal(size=(3, steps, len(trained.columns))) + graph.mean.numpy()
    )
    inputs = {"windows": torch.as_tensor(scale, dtype=torch.float32)}
    offset = naive_offset(parse_step(trained.preparation["frequency"]), trained.delay)
    if trained.predict_change:
        inputs["naive"] = torch.as_tensor(
            trained.mean + trained.std * rng.normal(size=3), dtype=torch.float32
        )
    export_onnx(
        graph,
        inputs,
        {"windows": {0: "batch"}, "naive": {0: "batch"}},
        "forecast",
        folder / "model.onnx",
    )
    spec = {
        "kind": "forecaster",
        "inputs": list(inputs),
        "output": "forecast",
        "columns": trained.columns,
        "target": trained.target,
        "lookback": trained.lookback,
        "step": trained.step,
        "steps": steps,
        "delay": trained.delay,
        "frequency": trained.preparation["frequency"],
        "predict_change": trained.predict_change,
        "naive_rows_back": offset - trained.delay if trained.predict_change else None,
    }
    (folder / "export.json").write_text(
        json.dumps(spec, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return {
        "difference": verify_onnx(folder / "model.onnx", graph, inputs, atol=1e-4),
        "inputs": list(inputs),
    }
