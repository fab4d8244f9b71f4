"""Training samples/s: one process (2 threads) against two DDP worker processes (1 thread each,
gloo), the same model, data and global batch, measured side by side in one run.

    python benchmarks/ddp_throughput.py [--rows 8192] [--length 400] [--hidden 64] [--epochs 3]

Prints both rates and their ratio. On a 2-core machine data parallelism buys little (the processes
share the cores the single process already uses); the point of train.processes is correctness and
scale-out to more cores, GPUs and machines.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from pathlib import Path

import torch
import torch.multiprocessing as mp

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from rnnpipe.text.model import ClassifierConfig, RNNClassifier  # noqa: E402
from rnnpipe.text.sequences import SequenceSet  # noqa: E402
from rnnpipe.training.distributed import Distributed  # noqa: E402
from rnnpipe.training.loop import TrainSettings, train_model  # noqa: E402


def make_data(rows: int, length: int) -> SequenceSet:
    generator = torch.Generator().manual_seed(0)
    lengths = torch.randint(length // 2, length + 1, (rows,), generator=generator)
    ids = torch.randint(2, 5000, (rows, length), generator=generator)
    ids[torch.arange(length)[None, :] >= lengths[:, None]] = 0
    return SequenceSet(ids, lengths, torch.randint(0, 2, (rows,), generator=generator))


def timed_training(args, dist=None) -> float:
    """Seconds per epoch (the median epoch) of training on the whole data."""
    torch.manual_seed(0)
    model = RNNClassifier(
        ClassifierConfig(
            vocab_size=5000,
            embed_dim=32,
            num_classes=2,
            hidden=args.hidden,
            cell="lstm",
            layers=1,
            bidirectional=False,
            dropout=0.0,
            pooling="last",
            freeze_embeddings=False,
        )
    )
    settings = TrainSettings(batch_size=64, epochs=args.epochs, patience=0)
    result = train_model(
        model,
        make_data(args.rows, args.length),
        None,
        settings,
        torch.device("cpu"),
        progress=False,
        dist=dist,
    )
    seconds = sorted(row["seconds"] for row in result.history)
    return seconds[len(seconds) // 2]


def worker(rank: int, world: int, port: int, args, queue) -> None:
    os.environ.update(
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE=str(world),
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
    )
    torch.set_num_threads(1)
    dist = Distributed.from_env()
    seconds = timed_training(args, dist)
    if dist.is_main:
        queue.put(seconds)
    dist.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=8192, help="training rows")
    parser.add_argument("--length", type=int, default=400, help="longest row (tokens)")
    parser.add_argument("--hidden", type=int, default=64, help="LSTM units")
    parser.add_argument(
        "--epochs", type=int, default=3, help="epochs timed (the median is reported)"
    )
    args = parser.parse_args()
    torch.set_num_threads(2)
    single = timed_training(args)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    queue = mp.get_context("spawn").SimpleQueue()
    started = time.perf_counter()
    mp.spawn(worker, args=(2, port, args, queue), nprocs=2, join=True)
    parallel = queue.get()
    print(f"1 process x 2 threads: {args.rows / single:,.0f} samples/s ({single:.1f} s/epoch)")
    print(
        f"2 DDP processes x 1 thread: {args.rows / parallel:,.0f} samples/s ({parallel:.1f} "
        "s/epoch; "
        f"{time.perf_counter() - started:.0f} s with start-up)"
    )
    print(f"ratio (2 processes / 1): {single / parallel:.2f}x")


if __name__ == "__main__":
    main()
