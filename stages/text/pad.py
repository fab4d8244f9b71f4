"""Stage 3, pad: data/tokens.parquet -> data/padded.parquet, every sequence `maxlen` ids long.

    python stages/text/pad.py      # reads params: pad.maxlen, pad.padding, pad.truncating

Keras `pad_sequences` semantics. The output keeps each sequence's true (kept) length, so the
trainer can batch by length and pool only over real tokens; the padding side is stored in the
file's metadata, so the trainer needs no pad params of its own.
"""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from rnnpipe.core.atomic import atomic_path
from rnnpipe.core.stage import run_stage
from rnnpipe.data.ragged import pad_flat
from rnnpipe.text.params import TEXT_SCHEMA


def main(params: dict) -> None:
    settings = params["pad"]
    tokens = pq.read_table("data/tokens.parquet")
    ids_column = tokens.column("ids").combine_chunks()
    padded, lengths = pad_flat(ids_column.values.to_numpy(), ids_column.offsets.to_numpy(),
                               settings["maxlen"], settings["padding"], settings["truncating"])
    table = pa.table({
        "ids": pa.FixedSizeListArray.from_arrays(pa.array(padded.reshape(-1)), settings["maxlen"]),
        "length": pa.array(lengths),
        "label": tokens.column("label"),
        "split": tokens.column("split"),
    }).replace_schema_metadata({"rnnpipe.padding": settings["padding"],
                                "rnnpipe.truncating": settings["truncating"],
                                "rnnpipe.maxlen": str(settings["maxlen"])})
    with atomic_path("data/padded.parquet") as tmp:
        pq.write_table(table, tmp)
    full = np.diff(ids_column.offsets.to_numpy())
    print(f"pad: {len(lengths)} sequences -> maxlen {settings['maxlen']}; {np.mean(full > settings['maxlen']):.1%} "
          f"truncated, {1 - lengths.sum() / lengths.size / settings['maxlen']:.1%} of positions are padding")


if __name__ == "__main__":
    run_stage("pad", main, TEXT_SCHEMA)
