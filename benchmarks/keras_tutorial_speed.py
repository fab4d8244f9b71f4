"""Training speed on real IMDB: the Keras-tutorial LSTM, fixed-500 padding vs rnnpipe's training
path, per epoch and to a given validation accuracy.

    python benchmarks/keras_tutorial_speed.py                 # 3 epochs x 2 rounds each side
    python benchmarks/keras_tutorial_speed.py --rows 5000 --epochs 2 --rounds 1   # a quick look
    python benchmarks/keras_tutorial_speed.py --precision bf16 --bucket-batches 50

Both sides train the same model (Embedding(10000, 32) -> LSTM(100) -> Dense(1), Keras-style init,
Adam 1e-3, batch 64; `--batch-size` / `--lr` / `--clip-norm` change rnnpipe's side only; rnnpipe
clips gradients at its pipelines' default norm 5.0, the tutorial does not) on the same IMDB training
reviews (2,500 of them held out as validation, seeded), tokenized once, in this one process:
- reference: every review pre-padded / pre-truncated to 500 ids, all 500 steps computed, last output
  (the Keras tutorial, written in plain PyTorch);
- rnnpipe: the same padded rows, through rnnpipe's loader (left-aligned rows, length-bucketed
  batches cut to their longest row) and `train_model`, in the chosen precision (default fp32).
The machine's speed drifts (a shared machine varies up to 2x by the hour), so the two sides
alternate over --rounds rounds (reference first in odd rounds) and medians are reported. After
every epoch each side's validation accuracy is measured (untimed); the figure a user cares about is
the training time until validation accuracy reaches the reference's 2-epoch accuracy (--target
overrides it). Prints the CPU model and thread count, per-epoch curves, and as JSON: seconds per
epoch, samples/s, time to the target, inference reviews/s, test accuracy, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from benchmarking import cpu_model
from torch import nn

from rnnpipe.core.allocator import keep_freed_memory
from rnnpipe.core.device import seed_everything
from rnnpipe.core.params import BUCKET_BATCHES, TRAINING_RULES
from rnnpipe.data.ragged import left_align, pad_sequences
from rnnpipe.nn.recurrent import keras_init_
from rnnpipe.text.datasets import read_imdb_tarball
from rnnpipe.text.model import ClassifierConfig, RNNClassifier
from rnnpipe.text.sequences import SequenceSet
from rnnpipe.text.tokenizer import Tokenizer
from rnnpipe.text.vocabulary import build_vocabulary, encode_corpus
from rnnpipe.training.inference import predict
from rnnpipe.training.loop import TrainSettings, train_model

CLIP_NORM = TRAINING_RULES["clip_norm"]
NUM_WORDS, MAXLEN, EMBED_DIM, HIDDEN, BATCH_SIZE, LR = 10_000, 500, 32, 100, 64, 1e-3
VALIDATION_ROWS = 2_500  # carved from IMDB train (seeded): time-to-accuracy never looks at test
DEFAULT_TARBALL = (
    Path(__file__).resolve().parents[1].parent / "shared/datasets/imdb/aclImdb_v1.tar.gz"
)


class KerasTutorialLSTM(nn.Module):
    """Embedding -> LSTM -> Dense on fixed-length pre-padded rows; reads the output at the last
    step."""

    def __init__(self, vocab_size: int, embed_dim: int, hidden: int):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        nn.init.uniform_(self.embedding.weight, -0.05, 0.05)
        self.lstm = nn.LSTM(embed_dim, hidden, batch_first=True)
        keras_init_(self.lstm, "lstm")
        self.head = nn.Linear(hidden, 1)
        nn.init.xavier_uniform_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        out, _ = self.lstm(self.embedding(ids))
        return self.head(out[:, -1]).squeeze(-1)


def load_imdb(tarball: Path, num_words: int, maxlen: int):
    frame = read_imdb_tarball(tarball)
    tokenizer = Tokenizer()
    tokens = [tokenizer.tokenize(t) for t in frame["text"]]
    train = (frame["split"] == "train").to_numpy()
    vocab = build_vocabulary((t for t, keep in zip(tokens, train) if keep), num_words)
    ids, offsets = encode_corpus(tokens, vocab)
    padded = {}
    for split in ("train", "test"):
        rows = np.flatnonzero((frame["split"] == split).to_numpy())
        seqs = [ids[offsets[r] : offsets[r + 1]] for r in rows]
        x, lengths = pad_sequences(seqs, maxlen, "pre", "pre")
        y = (frame["label"].to_numpy()[rows] == "pos").astype(np.int64)
        padded[split] = (x.astype(np.int64), lengths.astype(np.int64), y)
    return padded


def train_reference(model, x, y, epochs, batch_size, lr, seed) -> float:
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.BCEWithLogitsLoss()
    rng = np.random.default_rng(seed)
    x, y = torch.from_numpy(x), torch.from_numpy(y).float()
    model.train()
    started = time.perf_counter()
    for epoch in range(epochs):
        epoch_started = time.perf_counter()
        order = torch.from_numpy(rng.permutation(len(x)))
        for start in range(0, len(x), batch_size):
            rows = order[start : start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = criterion(model(x[rows]), y[rows])
            loss.backward()
            optimizer.step()
        print(
            f"reference epoch {epoch + 1}: {time.perf_counter() - epoch_started:.1f} s", flush=True
        )
    return time.perf_counter() - started


@torch.no_grad()
def reference_logits(model, x, batch_size=256) -> torch.Tensor:
    model.eval()
    x = torch.from_numpy(x)
    return torch.cat([model(x[i : i + batch_size]) for i in range(0, len(x), batch_size)])


def accuracy(logits: torch.Tensor, y: np.ndarray) -> float:
    return float(((logits > 0).long().numpy() == y).mean())


def reference_curve(args, data, seed: int) -> dict:
    """Train the reference epoch by epoch: cumulative training seconds and validation accuracy
    after each epoch (validation untimed), then test accuracy and inference speed."""
    (x_train, _, y_train), (x_val, _, y_val), (x_test, _, y_test) = data
    seed_everything(seed)
    model = KerasTutorialLSTM(NUM_WORDS, EMBED_DIM, HIDDEN)
    rng_seed, seconds, curve = seed, 0.0, []
    for epoch in range(args.epochs):
        seconds += train_reference(model, x_train, y_train, 1, BATCH_SIZE, LR, rng_seed + epoch)
        curve.append((seconds, accuracy(reference_logits(model, x_val), y_val)))
    started = time.perf_counter()
    logits = reference_logits(model, x_test)
    return {
        "curve": curve,
        "infer": time.perf_counter() - started,
        "test": accuracy(logits, y_test),
    }


def rnnpipe_curve(args, data, seed: int) -> dict:
    """rnnpipe's training path on the same rows: train_model with validation after every epoch
    (its history's training seconds exclude validation), then test accuracy and inference."""
    train, val, test = (
        SequenceSet(
            torch.from_numpy(left_align(x, lengths, "pre")),
            torch.from_numpy(lengths),
            torch.from_numpy(y),
        )
        for x, lengths, y in data
    )
    seed_everything(seed)
    config = ClassifierConfig(
        vocab_size=NUM_WORDS,
        embed_dim=EMBED_DIM,
        num_classes=2,
        cell="lstm",
        hidden=HIDDEN,
        layers=1,
        bidirectional=False,
        dropout=0.0,
        pooling="last",
        freeze_embeddings=False,
    )
    model = RNNClassifier(config)
    settings = TrainSettings(
        lr=args.lr,
        batch_size=args.batch_size,
        epochs=args.epochs,
        clip_norm=args.clip_norm,
        patience=0,
        seed=seed,
        precision=args.precision,
        bucket_batches=args.bucket_batches,
    )
    result = train_model(model, train, val, settings, torch.device("cpu"), progress=False)
    seconds = np.cumsum([row["seconds"] for row in result.history])
    curve = [(float(s), row["val_accuracy"]) for s, row in zip(seconds, result.history)]
    # train_model leaves the best-validation epoch's weights; the last epoch's are what the
    # reference ends with, but with patience 0 and a rising curve they are the same epoch
    started = time.perf_counter()
    logits = predict(model, test, 256, torch.device("cpu"), args.precision)
    infer = time.perf_counter() - started
    scores = logits if logits.dim() == 1 else logits[:, 1] - logits[:, 0]
    return {"curve": curve, "infer": infer, "test": accuracy(scores, test.labels.numpy())}


def time_to(curve: list[tuple[float, float]], target: float) -> float | None:
    """Training seconds until the first epoch whose validation accuracy reaches `target`."""
    return next((seconds for seconds, acc in curve if acc >= target), None)


def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return float(np.median(values)) if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, default=DEFAULT_TARBALL, help="aclImdb_v1.tar.gz")
    parser.add_argument("--epochs", type=int, default=3, help="training epochs for each side")
    parser.add_argument(
        "--rounds", type=int, default=2, help="rounds, alternating which side trains first"
    )
    parser.add_argument(
        "--target",
        type=float,
        default=None,
        help="validation accuracy to time (default: the reference's after 2 epochs, median)",
    )
    parser.add_argument(
        "--rows", type=int, default=0, help="use only this many training reviews (0 = all)"
    )
    parser.add_argument(
        "--precision", default="fp32", choices=["fp32", "bf16"], help="rnnpipe side's precision"
    )
    parser.add_argument(
        "--bucket-batches",
        type=int,
        default=BUCKET_BATCHES.default,
        help="rnnpipe side: length-sorted pool size in batches (train.bucket_batches)",
    )
    parser.add_argument(
        "--batch-size",
        type=int,
        default=BATCH_SIZE,
        help="rnnpipe side's batch size (the reference always uses the tutorial's 64)",
    )
    parser.add_argument(
        "--lr", type=float, default=LR, help="rnnpipe side's Adam learning rate (reference: 1e-3)"
    )
    parser.add_argument(
        "--clip-norm",
        type=float,
        default=CLIP_NORM.default,
        help="rnnpipe side's gradient clipping (train.clip_norm, default the pipelines'; 0 = "
        "none, as the reference)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--glibc-defaults",
        action="store_true",
        help="leave glibc's malloc as it is (both sides) instead of rnnpipe's setting "
        "(core/allocator.py): shows what the page faults cost",
    )
    args = parser.parse_args()
    kept = not args.glibc_defaults and keep_freed_memory()
    allocator = "kept" if kept else "glibc defaults"
    print(
        f"CPU: {cpu_model()}; torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"kernel capability {torch.backends.cpu.get_cpu_capability()}; freed memory: {allocator}",
        flush=True,
    )
    started = time.perf_counter()
    data = load_imdb(args.tarball, NUM_WORDS, MAXLEN)
    x, lengths, y = data["train"]
    order = np.random.default_rng(args.seed).permutation(len(x))
    val_rows, train_rows = order[:VALIDATION_ROWS], order[VALIDATION_ROWS:]
    if args.rows:
        train_rows = train_rows[: args.rows]
    splits = (
        (x[train_rows], lengths[train_rows], y[train_rows]),
        (x[val_rows], lengths[val_rows], y[val_rows]),
        data["test"],
    )
    print(
        f"data: {len(train_rows)} train / {len(val_rows)} validation (from IMDB train) / "
        f"{len(data['test'][0])} test reviews, maxlen {MAXLEN}, "
        f"{1 - splits[0][1].sum() / splits[0][0].size:.1%} of training positions are padding "
        f"({time.perf_counter() - started:.1f} s to read and tokenize)",
        flush=True,
    )
    runs = {"reference": [], "rnnpipe": []}
    for round_ in range(args.rounds):
        sides = ("reference", "rnnpipe") if round_ % 2 == 0 else ("rnnpipe", "reference")
        for side in sides:
            run = (reference_curve if side == "reference" else rnnpipe_curve)(
                args, splits, args.seed
            )
            runs[side].append(run)
            print(
                f"round {round_ + 1} {side}: "
                + ", ".join(
                    f"epoch {i + 1} {s:.1f} s val {a:.4f}" for i, (s, a) in enumerate(run["curve"])
                )
                + f"; test {run['test']:.4f}",
                flush=True,
            )
    epoch = min(2, args.epochs) - 1
    target = args.target or median([run["curve"][epoch][1] for run in runs["reference"]])
    samples = len(train_rows)
    report = {
        "cpu": cpu_model(),
        "threads": torch.get_num_threads(),
        "freed_memory": allocator,
        "target": round(target, 4),
    }
    for side, side_runs in runs.items():
        per_epoch = median([run["curve"][-1][0] / args.epochs for run in side_runs])
        report[side] = {
            "seconds_per_epoch": round(per_epoch, 1),
            "train_samples_per_s": round(samples / per_epoch, 1),
            "val_accuracy_per_epoch": [
                round(median([run["curve"][i][1] for run in side_runs]), 4)
                for i in range(args.epochs)
            ],
            "seconds_to_target": median([time_to(run["curve"], target) for run in side_runs]),
            "inference_reviews_per_s": round(
                len(splits[2][0]) / median([run["infer"] for run in side_runs]), 1
            ),
            "test_accuracy": round(median([run["test"] for run in side_runs]), 4),
        }
    ours, ref = report["rnnpipe"], report["reference"]
    report["train_speedup"] = round(ours["train_samples_per_s"] / ref["train_samples_per_s"], 2)
    if ours["seconds_to_target"] and ref["seconds_to_target"]:
        report["time_to_accuracy_speedup"] = round(
            ref["seconds_to_target"] / ours["seconds_to_target"], 2
        )
    report["inference_speedup"] = round(
        ours["inference_reviews_per_s"] / ref["inference_reviews_per_s"], 2
    )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
