"""The text pipeline's pad stage: data/tokens.parquet -> data/padded.parquet, every sequence
`maxlen` ids long.

Keras `pad_sequences` semantics. The output keeps each sequence's true (kept) length, so the trainer
can batch by length and pool only over real tokens; the padding side is stored in the file's
metadata, so the trainer needs no pad params of its own.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..core.memory import require_memory
from ..data.ragged import pad_flat
from ..data.stream import parquet_batches, record_batches


def pad_texts(settings: dict, source: str = "data/tokens.parquet") -> None:
    """The `pad` params section (maxlen, padding, truncating) -> data/padded.parquet, written
    batch by batch (data.stream) as it reads `source`: memory holds one batch of rows."""
    maxlen = settings["maxlen"]
    schema = pa.schema(
        [
            ("ids", pa.list_(pa.int32(), maxlen)),
            ("length", pa.int32()),
            ("label", pa.int64()),
            ("split", pa.string()),
        ],
        metadata={
            "rnnpipe.padding": settings["padding"],
            "rnnpipe.truncating": settings["truncating"],
            "rnnpipe.maxlen": str(maxlen),
        },
    )
    rows = truncated = kept = 0
    with parquet_batches("data/padded.parquet", schema) as writer:
        for batch in record_batches(source):
            ids_column = batch.column("ids")
            offsets = ids_column.offsets.to_numpy()
            full = np.diff(offsets)
            check_fits(len(full), maxlen, full, arrays=1)
            padded, lengths = pad_flat(
                ids_column.values.to_numpy()[offsets[0] : offsets[-1]],
                offsets - offsets[0],
                maxlen,
                settings["padding"],
                settings["truncating"],
            )
            writer.write_batch(
                pa.record_batch(
                    [
                        pa.FixedSizeListArray.from_arrays(pa.array(padded.reshape(-1)), maxlen),
                        pa.array(lengths),
                        batch.column("label"),
                        batch.column("split"),
                    ],
                    schema=schema,
                )
            )
            rows += len(lengths)
            truncated += int((full > maxlen).sum())
            kept += int(lengths.sum())
    print(
        f"pad: {rows} sequences -> maxlen {maxlen}; {truncated / max(rows, 1):.1%} "
        f"truncated, {1 - kept / max(rows, 1) / maxlen:.1%} of positions are padding"
    )


def check_fits(rows: int, maxlen: int, lengths: np.ndarray, arrays: int) -> None:
    """Refuse a maxlen whose padded arrays of `rows` rows (int32, held twice while written)
    cannot fit in memory."""
    longest = int(lengths.max()) if len(lengths) else 0
    require_memory(
        2 * arrays * 4 * rows * maxlen,
        f"pad: {rows:,} rows of pad.maxlen={maxlen:,} ids",
        f"Lower pad.maxlen (the longest text here has {longest:,} tokens).",
    )
