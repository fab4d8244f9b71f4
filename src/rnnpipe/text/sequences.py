"""The pad stage's rows in memory: one SequenceSet (a BatchSource) per split.

The pad stage stores fixed-length rows; here every row is moved to the left (real tokens first) once
at load time, and each batch is cut to its own longest row. Training batches come from length-sorted
pools (data.bucketing), so little compute goes to padding.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

import numpy as np
import pyarrow.parquet as pq
import torch

from ..core.errors import DataError
from ..data import stream
from ..data.bucketing import bucketed_batches
from ..data.ragged import left_align


@dataclass
class SequenceSet:
    """Left-aligned ids [n, maxlen], kept lengths [n], class ids [n] of one split."""

    ids: torch.Tensor
    lengths: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return len(self.lengths)

    def to(self, device: torch.device) -> SequenceSet:
        return SequenceSet(self.ids.to(device), self.lengths.to(device), self.labels.to(device))

    @property
    def targets(self) -> torch.Tensor:
        return self.labels

    def batches(
        self, batch_size: int, rng: np.random.Generator | None, bucket_batches: int = 1
    ) -> list[np.ndarray]:
        """Row indices per batch, similar lengths together (see data.bucketing)."""
        return bucketed_batches(self.lengths.cpu().numpy(), batch_size, rng, bucket_batches)

    def batch(
        self, rows: np.ndarray | torch.Tensor, device: torch.device, non_blocking: bool = False
    ):
        """((ids [b, longest], lengths [b]), labels [b]) on `device`, cut to the batch's longest
        row.

        The first element is the model's positional arguments; training code needs nothing else.
        """
        rows = torch.as_tensor(rows, device=self.ids.device)
        lengths = self.lengths[rows]
        longest = max(int(lengths.max()), 1)
        ids = self.ids[rows, :longest].long()  # (int32 in the memory-mapped rows)
        return (
            (
                ids.to(device, non_blocking=non_blocking),
                lengths.to(device, non_blocking=non_blocking),
            ),
            self.labels[rows].to(device, non_blocking=non_blocking),
        )


def load_padded(
    path: str, splits=("train", "validation", "test")
) -> tuple[dict[str, SequenceSet], dict]:
    """Read the pad stage's Parquet into one SequenceSet per split, plus its metadata.

    The ids go, left-aligned, into a memory-mapped scratch file per split (unlinked at once, gone
    with the process): what stays in memory is a length and a label per row, and the pages of
    the batches being trained on, which the kernel may drop again. Reading IMDB's 50,000 x 800 ids
    whole peaked at ~1 GB; a corpus of millions of rows would not fit as tensors at all."""
    source = pq.ParquetFile(path)
    metadata = {
        k.decode(): v.decode()
        for k, v in (source.schema_arrow.metadata or {}).items()
        if k.startswith(b"rnnpipe.")
    }
    if "rnnpipe.padding" not in metadata:
        raise DataError(f"{path}: lacks the pad stage's metadata; run `dvc repro pad`.")
    maxlen = source.schema_arrow.field("ids").type.list_size
    counts = dict.fromkeys(splits, 0)
    for batch in stream.record_batches(path, ["split"]):
        split = batch.column("split").to_numpy(zero_copy_only=False)
        for name in splits:
            counts[name] += int((split == name).sum())
    ids = {name: scratch_array(counts[name], maxlen) for name in splits}
    lengths = {name: np.zeros(counts[name], np.int64) for name in splits}
    labels = {name: np.zeros(counts[name], np.int64) for name in splits}
    filled = dict.fromkeys(splits, 0)
    for batch in stream.record_batches(path, ["ids", "length", "label", "split"]):
        split = batch.column("split").to_numpy(zero_copy_only=False)
        batch_ids = batch.column("ids").flatten().to_numpy().reshape(-1, maxlen)
        batch_lengths = batch.column("length").to_numpy().astype(np.int64)
        batch_labels = batch.column("label").to_numpy()
        for name in splits:
            rows = split == name
            start, end = filled[name], filled[name] + int(rows.sum())
            ids[name][start:end] = left_align(
                batch_ids[rows], batch_lengths[rows], metadata["rnnpipe.padding"]
            )
            lengths[name][start:end] = batch_lengths[rows]
            labels[name][start:end] = batch_labels[rows]
            filled[name] = end
    sets = {
        name: SequenceSet(
            torch.from_numpy(ids[name]),
            torch.from_numpy(lengths[name]),
            torch.from_numpy(labels[name]),
        )
        for name in splits
    }
    return sets, metadata


def scratch_array(rows: int, columns: int) -> np.ndarray:
    """A writable int32 [rows, columns] array backed by an anonymous temporary file (np.memmap
    over a file that is already unlinked: nothing to clean up, however the process ends)."""
    if rows == 0 or columns == 0:
        return np.zeros((rows, columns), np.int32)
    with tempfile.TemporaryFile(dir=os.environ.get("RNNPIPE_SCRATCH")) as handle:
        return np.memmap(handle, dtype=np.int32, mode="w+", shape=(rows, columns))


def check_token_ids(
    sets: dict[str, SequenceSet], vocabulary_size: int, path: str = "data/padded.parquet"
) -> None:
    """Every id must index the vocabulary; a larger one means the rows and the vocabulary are
    from different runs."""
    largest = max((int(split.ids.max()) for split in sets.values() if len(split)), default=0)
    if largest >= vocabulary_size:
        raise DataError(
            f"{path} holds token id {largest}, but the vocabulary has only {vocabulary_size} "
            "words: "
            f"the two come from different tokenize runs. Rerun `dvc repro`."
        )
