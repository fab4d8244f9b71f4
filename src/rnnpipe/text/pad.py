"""The text pipeline's pad stage: data/tokens.parquet -> data/padded.parquet, every sequence
`maxlen` ids long.

Keras `pad_sequences` semantics. The output keeps each sequence's true (kept) length, so the trainer
can batch by length and pool only over real tokens; the padding side is stored in the file's
metadata, so the trainer needs no pad params of its own.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.atomic import atomic_path
from ..core.memory import require_memory
from ..data.ragged import pad_flat


def pad_texts(settings: dict) -> None:
    """The `pad` params section (maxlen, padding, truncating) -> data/padded.parquet."""
    tokens = pq.read_table("data/tokens.parquet")
    ids_column = tokens.column("ids").combine_chunks()
    check_fits(
        len(ids_column), settings["maxlen"], np.diff(ids_column.offsets.to_numpy()), arrays=1
    )
    padded, lengths = pad_flat(
        ids_column.values.to_numpy(),
        ids_column.offsets.to_numpy(),
        settings["maxlen"],
        settings["padding"],
        settings["truncating"],
    )
    table = pa.table(
        {
            "ids": pa.FixedSizeListArray.from_arrays(
                pa.array(padded.reshape(-1)), settings["maxlen"]
            ),
            "length": pa.array(lengths),
            "label": tokens.column("label"),
            "split": tokens.column("split"),
        }
    ).replace_schema_metadata(
        {
            "rnnpipe.padding": settings["padding"],
            "rnnpipe.truncating": settings["truncating"],
            "rnnpipe.maxlen": str(settings["maxlen"]),
        }
    )
    with atomic_path("data/padded.parquet") as tmp:
        pq.write_table(table, tmp)
    full = np.diff(ids_column.offsets.to_numpy())
    print(
        f"pad: {len(lengths)} sequences -> maxlen {settings['maxlen']}; "
        f"{np.mean(full > settings['maxlen']):.1%} "
        f"truncated, {1 - lengths.sum() / lengths.size / settings['maxlen']:.1%} of positions are "
        "padding"
    )


def check_fits(rows: int, maxlen: int, lengths: np.ndarray, arrays: int) -> None:
    """Refuse a maxlen whose padded arrays (int32, held twice while written) cannot fit in
    memory."""
    longest = int(lengths.max()) if len(lengths) else 0
    require_memory(
        2 * arrays * 4 * rows * maxlen,
        f"pad: {rows:,} rows of pad.maxlen={maxlen:,} ids",
        f"Lower pad.maxlen (the longest text here has {longest:,} tokens).",
    )
