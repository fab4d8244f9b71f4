"""How every train stage runs: launch the DDP workers (train.processes), seed, train, and let rank 0
write.

A train stage script is one line over `run_training(__file__, params["train"], train)`, where
`train` is its task package's function of (params, TrainingProcess). The sequence each of them
needs:

1. train.processes > 1 and not yet a worker: relaunch the script as that many torchrun workers and
wait
   (their rank 0 writes the outputs); the launching process does nothing else.
2. Seed every generator with train.seed, join the process group when this is a worker.
3. `train(process)`: the task's training; it writes its outputs only where `process.is_main`.
4. Leave the process group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ..core.device import resolve_device, seed_everything
from ..core.memory import require_memory
from ..nn.recurrent import GATES
from .distributed import Distributed, data_parallel


@dataclass(frozen=True)
class TrainingProcess:
    """This process's part of a training run: the stage script (fingerprinted into checkpoints),
    the device it trains on and its place in the DDP process group (None for a one-process run)."""

    script: str
    device: torch.device
    dist: Distributed | None

    @property
    def is_main(self) -> bool:
        """The process that prints the run's lines and writes its outputs (rank 0, or the only
        one)."""
        return self.dist is None or self.dist.is_main

    def announce(self, line: str) -> None:
        """Print `line` once per run, not once per rank."""
        if self.is_main:
            print(line)

    def ranks(self) -> str:
        return f" x {self.dist.world} processes (DDP)" if self.dist else ""


def run_training(
    script: str | Path, settings: dict, train: Callable[[TrainingProcess], None]
) -> None:
    """The launch / seed / train / close sequence of every train stage (see the module
    docstring)."""
    launched, dist, device = data_parallel(
        script, settings["processes"], resolve_device(settings["device"])
    )
    if launched:  # the DDP workers ran this script; their rank 0 wrote the outputs
        return
    seed_everything(settings["seed"])
    train(TrainingProcess(str(script), device, dist))
    if dist is not None:
        dist.close()


def check_training_fits(settings: dict, embedding: tuple[int, int], longest: int) -> None:
    """Refuse sizes whose training could not fit: the embedding table with its gradient and
    Adam's moments, and the gate activations kept for the backward pass of a batch as long as the
    longest training row (the recurrent weights: nn.recurrent)."""
    directions = 2 if settings["bidirectional"] else 1
    activations = (
        settings["batch_size"]
        * longest
        * settings["hidden"]
        * directions
        * settings["layers"]
        * (GATES[settings["cell"]] + 1)
    )
    require_memory(
        4 * (4 * int(np.prod(embedding)) + 2 * activations),
        f"train: a batch of train.batch_size={settings['batch_size']:,} rows of {longest:,} steps "
        "through "
        f"train.hidden={settings['hidden']:,} units, with a {embedding[0]:,} x {embedding[1]:,} "
        f"embedding",
        "Lower train.batch_size, train.hidden or pad.maxlen.",
    )
