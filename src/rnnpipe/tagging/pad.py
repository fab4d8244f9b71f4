"""The tagging pipeline's pad stage: data/tokens.parquet -> data/padded.parquet.

Sentences longer than pad.maxlen are cut into pieces of at most maxlen tokens (truncation would drop
tokens and their tags); word ids and tag ids are padded alike at the end; the words stay ragged
lists; each row keeps the number of its source sentence, so evaluation joins the pieces again.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..data.ragged import pad_flat, piece_offsets
from ..data.stream import parquet_batches, record_batches
from ..text.pad import check_fits


def pad_tagged(settings: dict, source: str = "data/tokens.parquet") -> None:
    """The `pad` params section (maxlen) -> data/padded.parquet, batch by batch (data.stream)."""
    maxlen = settings["maxlen"]
    schema = pa.schema(
        [
            ("ids", pa.list_(pa.int32(), maxlen)),
            ("tags", pa.list_(pa.int32(), maxlen)),
            ("words", pa.list_(pa.string())),
            ("length", pa.int32()),
            ("sentence", pa.int32()),
            ("split", pa.string()),
        ],
        metadata={
            "rnnpipe.padding": "post",
            "rnnpipe.truncating": "post",
            "rnnpipe.maxlen": str(maxlen),
            "rnnpipe.task": "tag",
        },
    )
    sentences = rows = 0
    with parquet_batches("data/padded.parquet", schema) as writer:
        for batch in record_batches(source):
            ids_column = batch.column("ids")
            sentence_offsets = ids_column.offsets.to_numpy()
            sentence_offsets = sentence_offsets - sentence_offsets[0]
            offsets, sentence = piece_offsets(sentence_offsets, maxlen)
            check_fits(len(offsets) - 1, maxlen, np.diff(sentence_offsets), arrays=2)
            ids, lengths = pad_flat(
                ids_column.flatten().to_numpy(), offsets, maxlen, "post", "post"
            )
            tags, _ = pad_flat(
                batch.column("tags").flatten().to_numpy(), offsets, maxlen, "post", "post"
            )
            writer.write_batch(
                pa.record_batch(
                    [
                        pa.FixedSizeListArray.from_arrays(pa.array(ids.reshape(-1)), maxlen),
                        pa.FixedSizeListArray.from_arrays(pa.array(tags.reshape(-1)), maxlen),
                        pa.ListArray.from_arrays(
                            pa.array(offsets.astype("int32")), batch.column("words").flatten()
                        ),
                        pa.array(lengths),
                        pa.array((sentence + sentences).astype("int32")),
                        batch.column("split").take(pa.array(sentence)),
                    ],
                    schema=schema,
                )
            )
            sentences += batch.num_rows
            rows += len(lengths)
    print(
        f"pad: {sentences} sentences -> {rows} rows of at most {maxlen} tokens "
        f"({rows - sentences} longer sentences cut into pieces)"
    )
