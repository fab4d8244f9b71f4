"""A trained module as one ONNX file that onnxruntime runs without rnnpipe or torch, with variable
batch and length.

Export uses PyTorch's TorchScript-based exporter (`torch.onnx.export(..., dynamo=False)`) with named
dynamic axes. The newer torch.export-based one (`dynamo=True`, which PyTorch's documentation now
recommends) gave the same numbers but took 75 s for the default bidirectional-GRU classifier on this
machine against 0.3 s, and needs onnxscript besides; switch `dynamo` here when the old one is
removed. The file is then checked by running it in onnxruntime on the example inputs and comparing
with PyTorch (`verify_onnx`). Each task package wraps its model so the graph maps the inputs a
program can build (ids, lengths, windows) to the numbers a program wants (probabilities, forecasts
in the target's units), and writes beside the file what it needs to build those inputs (export.json,
vocabularies).
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import numpy as np
import torch
from torch import nn

from .errors import RnnpipeError

OPSET = 18


class ExportError(RnnpipeError):
    """A model could not be exported, or its exported file does not compute what the model
    computes."""


def export_onnx(
    module: nn.Module,
    inputs: dict[str, torch.Tensor],
    dynamic: dict[str, dict[int, str]],
    output: str,
    path: Path,
) -> None:
    """Write `module(*inputs.values())` as ONNX at `path`; `dynamic` names each input's variable
    axes, e.g. {"ids": {0: "batch", 1: "time"}} (an axis name shared by several inputs is one
    dimension)."""
    module.eval()
    axes = {name: dict(dynamic.get(name, {})) for name in inputs}
    axes[output] = {0: "batch"}
    try:
        with torch.no_grad(), warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter(
                "ignore"
            )  # the exporter warns about every traced branch and its own deprecation
            torch.onnx.export(
                module,
                tuple(inputs.values()),
                str(path),
                input_names=list(inputs),
                output_names=[output],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,
            )
    except Exception as exc:  # the exporter raises many kinds; say what failed and keep the cause
        raise ExportError(
            f"exporting {type(module).__name__} to ONNX failed: {type(exc).__name__}: "
            f"{str(exc).splitlines()[0] if str(exc) else ''}"
        ) from exc


def verify_onnx(
    path: Path, module: nn.Module, inputs: dict[str, torch.Tensor], atol: float = 1e-5
) -> float:
    """Run the file in onnxruntime on `inputs` and compare with the module; the largest absolute
    difference."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = session.run(None, {name: value.numpy() for name, value in inputs.items()})
    with torch.no_grad():
        expected = module(*inputs.values()).numpy()
    difference = float(np.max(np.abs(got - expected))) if expected.size else 0.0
    if got.shape != expected.shape or not difference <= atol:
        raise ExportError(
            f"{path}: the exported graph gives other outputs than the model (shape {got.shape} vs "
            f"{expected.shape}, largest difference {difference:.3g} > {atol})."
        )
    return difference
