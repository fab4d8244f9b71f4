"""Where and in which precision a model runs, and seeding every random generator a run uses."""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterator

import numpy as np
import torch

from .errors import TrainingError


def resolve_device(name: str) -> torch.device:
    """'auto' (CUDA when present), 'cpu', 'cuda' or 'cuda:N'; asking for a GPU that is not there
    is an error, not a fallback."""
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise TrainingError(
            f"device '{name}' was requested but no CUDA GPU is available to torch; "
            "set train.device (and evaluate.device) to auto or cpu."
        )
    if name.startswith("cuda:") and int(name.split(":")[1]) >= torch.cuda.device_count():
        raise TrainingError(
            f"device '{name}' was requested but torch sees {torch.cuda.device_count()} GPU(s) "
            f"(cuda:0 .. cuda:{torch.cuda.device_count() - 1})."
        )
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def autocast_dtype(device: torch.device, precision: str) -> torch.dtype | None:
    """The autocast dtype for `precision` ('auto', 'fp32', 'bf16', 'fp16') on `device`; None =
    float32.

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


@contextlib.contextmanager
def using_threads(threads: int) -> Iterator[None]:
    """Compute with exactly `threads` threads in the block: PyTorch's intra-op pool, the BLAS /
    OpenMP pools numpy and scikit-learn use (threadpoolctl), and the same for processes the block
    starts (OMP_NUM_THREADS, MKL_NUM_THREADS). The thread count is part of what a run computes
    (a reduction split over 1 or 2 threads rounds differently), so it is a param, not the number
    of cores of whichever machine runs the stage. The previous settings come back afterwards."""
    from threadpoolctl import threadpool_limits

    previous_torch = torch.get_num_threads()
    previous_env = {key: os.environ.get(key) for key in THREAD_ENV}
    torch.set_num_threads(threads)
    os.environ.update({key: str(threads) for key in THREAD_ENV})
    try:
        with threadpool_limits(limits=threads):
            yield
    finally:
        torch.set_num_threads(previous_torch)
        for key, value in previous_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


THREAD_ENV = ("OMP_NUM_THREADS", "MKL_NUM_THREADS")
