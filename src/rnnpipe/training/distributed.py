"""Data-parallel training on PyTorch's own engine: torchrun's launcher, DistributedDataParallel,
gloo / NCCL.

`train.processes` > 1: the train stage script relaunches itself through `torch.distributed.run` (the
API under `torchrun`, standalone c10d rendezvous on this machine) with that many workers; each
worker joins the process group (`Distributed.from_env`: gloo on CPU, NCCL on CUDA, one GPU per local
rank) and runs the same loop. Every rank draws the same seeded global batches and takes a disjoint
share of each (rows rank, rank + world, ...), so the global batch stays `train.batch_size`; each
rank's loss is scaled by its share of the batch's examples before DDP averages the gradients, which
makes a step exactly the single-process step on the whole batch (to float rounding; tested).
Validation is split the same way and its sums are all-reduced, so every rank takes the same
early-stopping decisions. Only rank 0 writes checkpoints, metrics and the model; a resumed run's
checkpoint is read by rank 0 and broadcast.

Multi-node (unrun here: one machine, no GPU): run the stage script under torchrun on each machine,
e.g. `torchrun --nnodes 2 --nproc-per-node 1 --rdzv-backend c10d --rdzv-endpoint HOST:29400
--rdzv-id RUN stages/text/train.py`, then `dvc commit train` on rank 0's machine
(docs/scale-out.md).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist

from ..core.errors import TrainingError

# Set by torchrun in every worker it starts; a process without it is the stage itself (or a plain
# run).
WORKER_ENV = "LOCAL_RANK"


def is_worker() -> bool:
    return WORKER_ENV in os.environ and "WORLD_SIZE" in os.environ


def worker_count(processes: int) -> int:
    """train.processes as a number of workers: 0 = one per visible GPU (1 without one)."""
    return processes if processes > 0 else max(torch.cuda.device_count(), 1)


def launch_workers(script: str | Path, processes: int) -> None:
    """Run `script` as `processes` workers under torchrun's launcher on this machine and wait for
    them. A failed worker has printed its own message; the launch then raises TrainingError
    saying which rank failed."""
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import get_args_parser, run

    args = get_args_parser().parse_args(
        ["--standalone", f"--nproc-per-node={processes}", "--max-restarts=0", str(script)]
    )
    print(
        f"train: launching {processes} worker processes (torch.distributed.run, "
        f"{'nccl' if torch.cuda.is_available() else 'gloo'})",
        file=sys.stderr,
    )
    # torchrun's own default for its workers, set here so it does not print a warning block
    # about it on every run (the launching process itself does no work).
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        run(args)
    except ChildFailedError as exc:
        ranks = ", ".join(str(rank) for rank in sorted(exc.failures))
        raise TrainingError(
            f"training worker(s) of rank {ranks} failed (their message is above); nothing was "
            f"written. Rerun with train.processes=1 to see the problem in one process."
        ) from None


def data_parallel(
    script: str | Path, processes: int, device: torch.device
) -> tuple[bool, Distributed | None, torch.device]:
    """How a train stage runs: (True, None, device) when it has just launched its workers and
    they finished (the stage is done), else (False, this worker's Distributed, or None for one
    process, and the device it trains on)."""
    workers = worker_count(processes)
    if workers > 1 and not is_worker():
        launch_workers(script, workers)
        return True, None, device
    dist = Distributed.from_env()
    return False, dist, dist.device(device) if dist else device


@dataclass
class Distributed:
    """This worker's place in the process group."""

    rank: int
    world: int
    local_rank: int

    @classmethod
    def from_env(cls) -> Distributed | None:
        """Join the process group torchrun set up (None outside a worker, i.e. a single-process
        run)."""
        if not is_worker():
            return None
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        if not dist.is_initialized():
            dist.init_process_group(backend=backend)
        return cls(dist.get_rank(), dist.get_world_size(), int(os.environ[WORKER_ENV]))

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def device(self, device: torch.device) -> torch.device:
        """One GPU per local rank on CUDA (torchrun's recipe); CPU stays CPU."""
        if device.type == "cuda":
            torch.cuda.set_device(self.local_rank)
            return torch.device("cuda", self.local_rank)
        return device

    def share(self, rows: np.ndarray) -> np.ndarray:
        """This rank's rows of a global batch (disjoint across ranks, together the whole batch)."""
        return np.asarray(rows)[self.rank :: self.world]

    def sum(self, values: list[float]) -> list[float]:
        """Element-wise sum over all ranks (float64 on the CPU, for gloo and NCCL alike)."""
        tensor = torch.tensor(values, dtype=torch.float64)
        if dist.get_backend() == "nccl":
            tensor = tensor.cuda()
        dist.all_reduce(tensor)
        return tensor.cpu().tolist()

    def broadcast(self, obj):
        """Rank 0's `obj` on every rank."""
        box = [obj if self.is_main else None]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def close(self) -> None:
        if dist.is_initialized():
            dist.barrier()
            dist.destroy_process_group()
