"""Parquet read and written in record batches: what a data stage holds at a time is one batch, not
the corpus.

IMDB's 100,000 texts read whole peaked at 1.5 GB in tokenize (twelve times the raw text); a corpus
of millions of reviews would not fit at all. A stage reads its input with `frames` (pandas frames of
`BATCH_ROWS` rows, column types as the writer's pandas metadata gives them) and writes with
`parquet_batches` (one row group per batch, the file renamed into place only when complete).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.atomic import atomic_path

BATCH_ROWS = 8192


def frames(path: str | Path, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The Parquet file at `path` as consecutive pandas frames of at most BATCH_ROWS rows."""
    for batch in record_batches(path, columns):
        # (a Table keeps the file's pandas metadata, so nullable integers stay Int64 as
        # pd.read_parquet gives them)
        yield pa.Table.from_batches([batch]).to_pandas()


def record_batches(path: str | Path, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """The Parquet file at `path` as consecutive Arrow record batches of at most BATCH_ROWS
    rows."""
    source = pq.ParquetFile(path)
    # One reader per row group: a single iter_batches over the whole file kept ~32 MiB more of
    # Arrow memory per ~10^6 rows read (4 million rows: 34 -> 129 MiB), per row group it stays flat.
    for group in range(source.metadata.num_row_groups):
        yield from source.iter_batches(batch_size=BATCH_ROWS, row_groups=[group], columns=columns)


@contextlib.contextmanager
def parquet_batches(path: str | Path, schema: pa.Schema) -> Iterator[pq.ParquetWriter]:
    """A writer of `schema` batches (`writer.write_batch` / `write_table`) into `path`, which
    appears only when the block ends without an error."""
    with atomic_path(path) as tmp, pq.ParquetWriter(tmp, schema) as writer:
        yield writer


class NpyRows:
    """A .npy file of a known `shape` and `dtype` written block of rows by block of rows (plain
    writes, no memory map: the pages written never count as the writer's memory). For files
    inside a staged folder; `finish` checks that every row came and closes it."""

    def __init__(self, path: str | Path, shape: tuple[int, ...], dtype):
        self.shape, self.dtype, self.rows = tuple(shape), np.dtype(dtype), 0
        self._file = open(path, "wb")  # noqa: SIM115 - closed by close()
        header = {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False}
        np.lib.format.write_array_header_1_0(self._file, {**header, "shape": self.shape})

    def write(self, block: np.ndarray) -> None:
        block = np.ascontiguousarray(block, dtype=self.dtype)
        if block.shape[1:] != self.shape[1:] or self.rows + len(block) > self.shape[0]:
            raise ValueError(f"block of shape {block.shape} does not fit {self.shape}")
        self._file.write(block.tobytes())
        self.rows += len(block)

    def finish(self) -> None:
        if self.rows != self.shape[0]:
            raise ValueError(f"{self.rows} rows written of {self.shape[0]}")
        self._file.close()

    def close(self) -> None:
        """Close without the check (after an error: the staged folder is discarded)."""
        self._file.close()


class FrameWriter:
    """Pandas frames appended to a Parquet file in row groups of at least `rows` rows: many small
    frames (a chunk's items) make few row groups, since a Parquet writer keeps each row group's
    metadata in memory until it closes (thousands of tiny groups grew a stage's peak memory with
    the corpus). `schema`: the columns' Arrow types (None: the first frame's)."""

    def __init__(self, path: str | Path, schema: pa.Schema | None = None, rows: int = 65_536):
        self.path, self.schema, self.rows = Path(path), schema, rows
        self._pending: list[pd.DataFrame] = []
        self._count = 0
        self._writer: pq.ParquetWriter | None = None

    def write(self, frame: pd.DataFrame) -> None:
        if len(frame):
            self._pending.append(frame)
            self._count += len(frame)
        if self._count >= self.rows:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        frame = pd.concat(self._pending, ignore_index=True)
        table = pa.Table.from_pandas(frame, self.schema, preserve_index=False)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, table.schema)
        self._writer.write_table(table)
        self._pending, self._count = [], 0

    def close(self) -> None:
        """Write what is pending; a file with no rows gets the schema alone (when known)."""
        self._flush()
        if self._writer is None and self.schema is not None:
            self._writer = pq.ParquetWriter(self.path, self.schema)
        if self._writer is not None:
            self._writer.close()
