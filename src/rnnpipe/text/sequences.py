"""The pad stage's rows in memory: one SequenceSet (a BatchSource) per split.

The pad stage stores fixed-length rows; here every row is moved to the left (real tokens first) once
at load time, and each batch is cut to its own longest row. Training batches come from length-sorted
pools (data.bucketing), so little compute goes to padding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow.parquet as pq
import torch

from ..core.errors import DataError
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
        ids = self.ids[rows, :longest]
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
    """Read the pad stage's Parquet into one SequenceSet per split, plus its metadata."""
    # Streamed in record batches, keeping only the requested splits' rows: reading the whole table
    # at
    # once peaked at ~1 GB for IMDB's 50,000 x 800 ids (160 MB of data), streaming at ~0.1 GB.
    source = pq.ParquetFile(path)
    metadata = {
        k.decode(): v.decode()
        for k, v in (source.schema_arrow.metadata or {}).items()
        if k.startswith(b"rnnpipe.")
    }
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
        lengths = (
            np.concatenate(length_parts).astype(np.int64) if length_parts else np.zeros(0, np.int64)
        )
        ids = np.concatenate(id_parts) if id_parts else np.zeros((0, maxlen), np.int64)
        aligned = left_align(ids, lengths, metadata["rnnpipe.padding"])
        labels = (
            np.concatenate(label_parts).astype(np.int64) if label_parts else np.zeros(0, np.int64)
        )
        sets[name] = SequenceSet(
            torch.from_numpy(aligned.astype(np.int64)),
            torch.from_numpy(lengths),
            torch.from_numpy(labels),
        )
    return sets, metadata


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
