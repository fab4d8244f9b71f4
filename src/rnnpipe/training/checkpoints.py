"""Per-epoch training checkpoints, so a killed or interrupted run resumes where it stopped.

A checkpoint holds everything that decides the rest of the run: model, optimizer, scheduler and
gradient-scaler states, the torch and batching RNG states, the history and the early-stopping state.
It is written atomically after every epoch and is tagged with a fingerprint of the run's inputs and
params: a checkpoint from a different run is ignored, never resumed.

Checkpoints are saved with torch.save and loaded with `weights_only=True`, which only rebuilds
tensors and plain containers, so a checkpoint file cannot execute code either.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import torch

from ..core.hashing import code_fingerprint, sha256_of_file


def run_fingerprint(params: dict, inputs: list[str | Path], entry: str | Path) -> str:
    """What a checkpoint must match to be resumed: the params, the input files and the code the
    stage runs (`entry`, the stage script, and every rnnpipe module it imports, wherever it lives).
    """
    parts = [json.dumps(params, sort_keys=True), code_fingerprint(entry)]
    parts += [sha256_of_file(path) for path in inputs]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def save_checkpoint(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def load_checkpoint(path: Path, fingerprint: str) -> dict | None:
    """The checkpoint at `path` if it belongs to this run (same fingerprint), else None."""
    if not path.is_file():
        return None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception:  # a damaged checkpoint only costs the epochs it held
        return None
    return state if state.get("fingerprint") == fingerprint else None
