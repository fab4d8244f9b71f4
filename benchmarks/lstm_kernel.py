"""How fast can the Keras-tutorial LSTM train on this CPU at all? The kernel alone, no data loading.

    python benchmarks/lstm_kernel.py                 # ~2 min on 2 cores
    python benchmarks/lstm_kernel.py --lengths 100 218 500 --batches 64 256

Times one training step (embedding -> LSTM(100) -> dense, forward + backward + Adam) of the model
that `keras_tutorial_speed.py` trains, on random ids of a fixed length, for each thread count, batch
size and sequence length asked for, and prints samples/s and timesteps/s (samples/s x length). This
is the ceiling for any training path that computes the same LSTM with PyTorch's CPU kernel: a path
can skip padding (fewer timesteps per sample) but not make a timestep cheaper than this.
"""

from __future__ import annotations

import argparse
import json
import time

import torch
from torch import nn


def samples_per_second(batch: int, length: int, seconds: float) -> float:
    embedding, lstm, head = (
        nn.Embedding(10_000, 32),
        nn.LSTM(32, 100, batch_first=True),
        nn.Linear(100, 1),
    )
    params = [*embedding.parameters(), *lstm.parameters(), *head.parameters()]
    optimizer = torch.optim.Adam(params, 1e-3)
    ids, labels = torch.randint(0, 10_000, (batch, length)), torch.randint(0, 2, (batch,)).float()

    def step():
        optimizer.zero_grad(set_to_none=True)
        out, _ = lstm(embedding(ids))
        loss = nn.functional.binary_cross_entropy_with_logits(head(out[:, -1]).squeeze(-1), labels)
        loss.backward()
        optimizer.step()

    step()  # warm-up: oneDNN builds its primitives on the first call
    steps, started = 0, time.perf_counter()
    while steps < 2 or time.perf_counter() - started < seconds:
        step()
        steps += 1
    return steps * batch / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--threads",
        type=int,
        nargs="+",
        default=[1, torch.get_num_threads()],
        help="intra-op thread counts to try",
    )
    parser.add_argument(
        "--batches", type=int, nargs="+", default=[32, 64, 128, 256], help="batch sizes"
    )
    parser.add_argument(
        "--lengths",
        type=int,
        nargs="+",
        default=[218, 500],
        help="sequence lengths (218: IMDB's mean review at num_words 10000, maxlen 500)",
    )
    parser.add_argument(
        "--seconds", type=float, default=4.0, help="time spent on each configuration"
    )
    args = parser.parse_args()
    torch.manual_seed(0)
    rows = []
    for threads in dict.fromkeys(args.threads):
        torch.set_num_threads(threads)
        for length in args.lengths:
            for batch in args.batches:
                rate = samples_per_second(batch, length, args.seconds)
                rows.append(
                    {
                        "threads": threads,
                        "length": length,
                        "batch": batch,
                        "samples_per_s": round(rate, 1),
                        "timesteps_per_s": round(rate * length),
                    }
                )
                print(json.dumps(rows[-1]), flush=True)


if __name__ == "__main__":
    main()
