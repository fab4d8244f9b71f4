"""Training speed on real IMDB: the Keras-tutorial LSTM, fixed-500 padding vs rnnpipe's training
path.

    python benchmarks/keras_tutorial_speed.py                          # 2 epochs each, ~5 min on 2
    cores
    python benchmarks/keras_tutorial_speed.py --precision bf16 --bucket-batches 50   # faster, see
    docs/scale-out.md

Both sides train the same model (Embedding(10000, 32) -> LSTM(100) -> Dense(1), Keras-style init,
Adam 1e-3, batch 64; `--batch-size` / `--lr` change rnnpipe's side only) on the same 25,000 training
reviews, tokenized once, for the same number of samples, in this one process:
- reference: every review pre-padded / pre-truncated to 500 ids, all 500 steps computed, last output
  (the Keras tutorial, written in plain PyTorch);
- rnnpipe: the same padded rows, through rnnpipe's loader (left-aligned rows, length-bucketed
  batches cut to their longest row) and `train_model`, in the chosen precision (default fp32).
It prints training samples/s, inference reviews/s and test accuracy for both, and the ratios.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

from rnnpipe.core.device import seed_everything
from rnnpipe.core.params import BUCKET_BATCHES
from rnnpipe.data.ragged import left_align, pad_sequences
from rnnpipe.nn.recurrent import keras_init_
from rnnpipe.text.datasets import read_imdb_tarball
from rnnpipe.text.model import ClassifierConfig, RNNClassifier
from rnnpipe.text.sequences import SequenceSet
from rnnpipe.text.tokenizer import Tokenizer
from rnnpipe.text.vocabulary import build_vocabulary, encode_corpus
from rnnpipe.training.inference import predict
from rnnpipe.training.loop import TrainSettings, train_model

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tarball", type=Path, default=DEFAULT_TARBALL, help="aclImdb_v1.tar.gz")
    parser.add_argument("--epochs", type=int, default=2, help="training epochs for each side")
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
        default=64,
        help="rnnpipe side's batch size (the reference always uses the tutorial's 64)",
    )
    parser.add_argument(
        "--lr", type=float, default=1e-3, help="rnnpipe side's Adam learning rate (reference: 1e-3)"
    )
    parser.add_argument(
        "--skip-reference", action="store_true", help="only time rnnpipe (no ratios)"
    )
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    num_words, maxlen, embed_dim, hidden, batch_size, lr = 10_000, 500, 32, 100, 64, 1e-3

    started = time.perf_counter()
    data = load_imdb(args.tarball, num_words, maxlen)
    x_train, len_train, y_train = data["train"]
    x_test, len_test, y_test = data["test"]
    print(
        f"data: {len(x_train)} train / {len(x_test)} test reviews, maxlen {maxlen}, "
        f"{1 - len_train.sum() / x_train.size:.1%} of training positions are padding "
        f"({time.perf_counter() - started:.1f} s to read and tokenize)",
        flush=True,
    )
    samples = len(x_train) * args.epochs
    report = {"epochs": args.epochs, "train_samples": samples, "threads": torch.get_num_threads()}

    seed_everything(args.seed)
    # The Keras tutorial's model: one unidirectional LSTM read to its last real step, no dropout.
    config = ClassifierConfig(
        vocab_size=num_words,
        embed_dim=embed_dim,
        num_classes=2,
        cell="lstm",
        hidden=hidden,
        layers=1,
        bidirectional=False,
        dropout=0.0,
        pooling="last",
        freeze_embeddings=False,
    )
    ours = RNNClassifier(config)
    train_set = SequenceSet(
        torch.from_numpy(left_align(x_train, len_train, "pre")),
        torch.from_numpy(len_train),
        torch.from_numpy(y_train),
    )
    test_set = SequenceSet(
        torch.from_numpy(left_align(x_test, len_test, "pre")),
        torch.from_numpy(len_test),
        torch.from_numpy(y_test),
    )
    settings = TrainSettings(
        lr=args.lr,
        batch_size=args.batch_size,
        epochs=args.epochs,
        clip_norm=0.0,
        patience=0,
        seed=args.seed,
        precision=args.precision,
        bucket_batches=args.bucket_batches,
    )
    t0 = time.perf_counter()
    train_model(ours, train_set, None, settings, torch.device("cpu"), progress=False)
    ours_train = time.perf_counter() - t0
    t0 = time.perf_counter()
    ours_logits = predict(ours, test_set, 256, torch.device("cpu"), args.precision)
    ours_infer = time.perf_counter() - t0
    report["rnnpipe"] = {
        "precision": args.precision,
        "bucket_batches": args.bucket_batches,
        "batch_size": args.batch_size,
        "lr": args.lr,
        "train_samples_per_s": round(samples / ours_train, 1),
        "seconds_per_epoch": round(ours_train / args.epochs, 1),
        "inference_reviews_per_s": round(len(x_test) / ours_infer, 1),
        "test_accuracy": round(accuracy(ours_logits, y_test), 4),
    }
    print(json.dumps({"rnnpipe": report["rnnpipe"]}), flush=True)

    if not args.skip_reference:
        seed_everything(args.seed)
        reference = KerasTutorialLSTM(num_words, embed_dim, hidden)
        ref_train = train_reference(
            reference, x_train, y_train, args.epochs, batch_size, lr, args.seed
        )
        t0 = time.perf_counter()
        ref_logits = reference_logits(reference, x_test)
        ref_infer = time.perf_counter() - t0
        report["reference"] = {
            "train_samples_per_s": round(samples / ref_train, 1),
            "seconds_per_epoch": round(ref_train / args.epochs, 1),
            "inference_reviews_per_s": round(len(x_test) / ref_infer, 1),
            "test_accuracy": round(accuracy(ref_logits, y_test), 4),
        }
        report["train_speedup"] = round(
            report["rnnpipe"]["train_samples_per_s"] / report["reference"]["train_samples_per_s"], 2
        )
        report["inference_speedup"] = round(
            report["rnnpipe"]["inference_reviews_per_s"]
            / report["reference"]["inference_reviews_per_s"],
            2,
        )
        report["accuracy_difference"] = round(
            report["rnnpipe"]["test_accuracy"] - report["reference"]["test_accuracy"], 4
        )
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
