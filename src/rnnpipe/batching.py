"""Padded sequences in memory, and batches of similar length.

The pad stage stores fixed-length rows; here every row is moved to the left (real tokens first)
once at load time, and each batch is cut to its own longest row. Training batches are cut from
pools of `pool_batches` batches' worth of shuffled rows sorted by length, so little compute goes to
padding; pools and batch order are shuffled with a seeded generator, so every epoch differs but
every run is the same.

The pool size is a trade-off measured on IMDB (Keras-tutorial LSTM, 2 epochs, 2 CPU cores): pools
of 50 batches cut an epoch from 55 s (fixed 500 steps) to 22 s, but such uniform-length batches
slowed learning (72-85% test accuracy over two seeds, against 87-88% for random batches); pools of
5 batches take 28 s per epoch and reached 85.6-85.8%. Hence the default of 5.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow.parquet as pq
import torch

from .errors import DataError

POOL_BATCHES = 5  # default pool size (train.bucket_batches); 1 = plain random batches


@dataclass
class SequenceSet:
    """Left-aligned ids [n, maxlen], kept lengths [n], class ids [n] of one split."""

    ids: torch.Tensor
    lengths: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.lengths)

    def to(self, device: torch.device) -> "SequenceSet":
        return SequenceSet(self.ids.to(device), self.lengths.to(device), self.labels.to(device))

    @property
    def targets(self) -> torch.Tensor:
        return self.labels

    def batches(self, batch_size: int, rng: np.random.Generator | None,
                pool_batches: int = POOL_BATCHES) -> list[np.ndarray]:
        """Row indices per batch, similar lengths together (see `bucketed_batches`)."""
        return bucketed_batches(self.lengths.cpu().numpy(), batch_size, rng, pool_batches)

    def batch(self, rows: np.ndarray | torch.Tensor, device: torch.device, non_blocking: bool = False):
        """((ids [b, longest], lengths [b]), labels [b]) on `device`, cut to the batch's longest row.

        The first element is the model's positional arguments; training code needs nothing else.
        """
        rows = torch.as_tensor(rows, device=self.ids.device)
        lengths = self.lengths[rows]
        longest = max(int(lengths.max()), 1)
        ids = self.ids[rows, :longest]
        return ((ids.to(device, non_blocking=non_blocking), lengths.to(device, non_blocking=non_blocking)),
                self.labels[rows].to(device, non_blocking=non_blocking))


def left_align(ids: np.ndarray, lengths: np.ndarray, padding: str) -> np.ndarray:
    """Move each row's real tokens to the start (pre-padded rows are shifted; post-padded are already).

    Boolean masks instead of a gather index: on IMDB (50,000 x 800 ids) an int64 index alone took 320 MB.
    """
    if padding == "post":
        return ids
    steps = ids.shape[1]
    positions = np.arange(steps)
    aligned = np.zeros_like(ids)
    aligned[positions < lengths[:, None]] = ids[positions >= steps - lengths[:, None]]
    return aligned


def load_padded(path: str, splits=("train", "validation", "test")) -> tuple[dict[str, SequenceSet], dict]:
    """Read the pad stage's Parquet into one SequenceSet per split, plus its metadata."""
    # Streamed in record batches, keeping only the requested splits' rows: reading the whole table at
    # once peaked at ~1 GB for IMDB's 50,000 x 800 ids (160 MB of data), streaming at ~0.1 GB.
    source = pq.ParquetFile(path)
    metadata = {k.decode(): v.decode() for k, v in (source.schema_arrow.metadata or {}).items()
                if k.startswith(b"rnnpipe.")}
    if "rnnpipe.padding" not in metadata:
        raise DataError(f"{path}: lacks the pad stage's metadata; run `dvc repro pad`.")
    maxlen = source.schema_arrow.field("ids").type.list_size
    parts = {name: ([], [], []) for name in splits}
    for batch in source.iter_batches(batch_size=4096, columns=["ids", "length", "label", "split"]):
        split = batch.column("split").to_numpy(zero_copy_only=False)
        ids = batch.column("ids").flatten().to_numpy().reshape(-1, maxlen)
        lengths, labels = batch.column("length").to_numpy(), batch.column("label").to_numpy()
        for name, (id_parts, length_parts, label_parts) in parts.items():
            rows = split == name
            id_parts.append(ids[rows])
            length_parts.append(lengths[rows])
            label_parts.append(labels[rows])
    sets = {}
    for name, (id_parts, length_parts, label_parts) in parts.items():
        lengths = np.concatenate(length_parts).astype(np.int64) if length_parts else np.zeros(0, np.int64)
        ids = np.concatenate(id_parts) if id_parts else np.zeros((0, maxlen), np.int64)
        aligned = left_align(ids, lengths, metadata["rnnpipe.padding"])
        labels = np.concatenate(label_parts).astype(np.int64) if label_parts else np.zeros(0, np.int64)
        sets[name] = SequenceSet(torch.from_numpy(aligned.astype(np.int64)), torch.from_numpy(lengths),
                                 torch.from_numpy(labels))
    return sets, metadata


def bucketed_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator | None,
                     pool_batches: int = POOL_BATCHES) -> list[np.ndarray]:
    """Row indices per batch, rows of similar length together.

    With `rng` (training): shuffle, sort by length inside pools of `pool_batches` batches, shuffle
    the batches. Without (evaluation): one global length sort, the cheapest order (the gradient is
    not at stake); callers restore the original order.
    """
    lengths = np.asarray(lengths)
    if rng is None:
        order = np.argsort(lengths, kind="stable")
        return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    order = rng.permutation(len(lengths))
    pool = batch_size * pool_batches
    batches = []
    for start in range(0, len(order), pool):
        chunk = order[start:start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]
