"""The tagging pipeline's pad stage: data/tokens.parquet -> data/padded.parquet.

Sentences longer than pad.maxlen are cut into pieces of at most maxlen tokens (truncation would drop
tokens and their tags); word ids and tag ids are padded alike at the end; the words stay ragged
lists; each row keeps the number of its source sentence, so evaluation joins the pieces again.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.atomic import atomic_path
from ..data.ragged import pad_flat, piece_offsets
from ..text.pad import check_fits


def pad_tagged(settings: dict) -> None:
    """The `pad` params section (maxlen) -> data/padded.parquet."""
    tokens = pq.read_table("data/tokens.parquet")
    ids_column, tags_column = (
        tokens.column("ids").combine_chunks(),
        tokens.column("tags").combine_chunks(),
    )
    words_column = tokens.column("words").combine_chunks()
    offsets, sentence = piece_offsets(ids_column.offsets.to_numpy(), settings["maxlen"])
    check_fits(
        len(offsets) - 1, settings["maxlen"], np.diff(ids_column.offsets.to_numpy()), arrays=2
    )
    ids, lengths = pad_flat(
        ids_column.values.to_numpy(), offsets, settings["maxlen"], "post", "post"
    )
    tags, _ = pad_flat(tags_column.values.to_numpy(), offsets, settings["maxlen"], "post", "post")
    maxlen = settings["maxlen"]
    table = pa.table(
        {
            "ids": pa.FixedSizeListArray.from_arrays(pa.array(ids.reshape(-1)), maxlen),
            "tags": pa.FixedSizeListArray.from_arrays(pa.array(tags.reshape(-1)), maxlen),
            "words": pa.ListArray.from_arrays(
                pa.array(offsets.astype("int32")), words_column.values
            ),
            "length": pa.array(lengths),
            "sentence": pa.array(sentence.astype("int32")),
            "split": tokens.column("split").take(pa.array(sentence)),
        }
    ).replace_schema_metadata(
        {
            "rnnpipe.padding": "post",
            "rnnpipe.truncating": "post",
            "rnnpipe.maxlen": str(maxlen),
            "rnnpipe.task": "tag",
        }
    )
    with atomic_path("data/padded.parquet") as tmp:
        pq.write_table(table, tmp)
    print(
        f"pad: {tokens.num_rows} sentences -> {len(lengths)} rows of at most {maxlen} tokens "
        f"({len(lengths) - tokens.num_rows} longer sentences cut into pieces)"
    )
