"""Stage 3, pad: data/tokens.parquet -> data/padded.parquet, every sequence `maxlen` ids long.

    python stages/text/pad.py      # reads params: pad.maxlen, pad.padding, pad.truncating

Keras `pad_sequences` semantics. The output keeps each sequence's true (kept) length, so the
trainer can batch by length and pool only over real tokens; the padding side is stored in the
file's metadata, so the trainer needs no pad params of its own. With data.task=tag, sentences
longer than maxlen are cut into pieces instead (truncation would drop tokens and their tags).
"""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from rnnpipe.core.atomic import atomic_path
from rnnpipe.core.memory import require_memory
from rnnpipe.core.stage import run_stage
from rnnpipe.data.ragged import pad_flat, piece_offsets
from rnnpipe.text.params import TEXT_SCHEMA


def main(params: dict) -> None:
    if params["data"]["task"] == "tag":
        pad_tagged(params["pad"])
    else:
        pad_texts(params["pad"])


def pad_tagged(settings: dict) -> None:
    """Sentences cut into pieces of at most maxlen tokens (no token loses its tag), word ids and tag ids padded
    alike at the end; the words stay ragged lists."""
    tokens = pq.read_table("data/tokens.parquet")
    ids_column, tags_column = tokens.column("ids").combine_chunks(), tokens.column("tags").combine_chunks()
    words_column = tokens.column("words").combine_chunks()
    offsets, sentence = piece_offsets(ids_column.offsets.to_numpy(), settings["maxlen"])
    check_fits(len(offsets) - 1, settings["maxlen"], np.diff(ids_column.offsets.to_numpy()), arrays=2)
    ids, lengths = pad_flat(ids_column.values.to_numpy(), offsets, settings["maxlen"], "post", "post")
    tags, _ = pad_flat(tags_column.values.to_numpy(), offsets, settings["maxlen"], "post", "post")
    maxlen = settings["maxlen"]
    table = pa.table({
        "ids": pa.FixedSizeListArray.from_arrays(pa.array(ids.reshape(-1)), maxlen),
        "tags": pa.FixedSizeListArray.from_arrays(pa.array(tags.reshape(-1)), maxlen),
        "words": pa.ListArray.from_arrays(pa.array(offsets.astype("int32")), words_column.values),
        "length": pa.array(lengths),
        "sentence": pa.array(sentence.astype("int32")),
        "split": tokens.column("split").take(pa.array(sentence)),
    }).replace_schema_metadata({"rnnpipe.padding": "post", "rnnpipe.truncating": "post",
                                "rnnpipe.maxlen": str(maxlen), "rnnpipe.task": "tag"})
    with atomic_path("data/padded.parquet") as tmp:
        pq.write_table(table, tmp)
    print(f"pad: {tokens.num_rows} sentences -> {len(lengths)} rows of at most {maxlen} tokens "
          f"({len(lengths) - tokens.num_rows} longer sentences cut into pieces)")


def pad_texts(settings: dict) -> None:
    tokens = pq.read_table("data/tokens.parquet")
    ids_column = tokens.column("ids").combine_chunks()
    check_fits(len(ids_column), settings["maxlen"], np.diff(ids_column.offsets.to_numpy()), arrays=1)
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


def check_fits(rows: int, maxlen: int, lengths: np.ndarray, arrays: int) -> None:
    """Refuse a maxlen whose padded arrays (int32, held twice while written) cannot fit in memory."""
    longest = int(lengths.max()) if len(lengths) else 0
    require_memory(2 * arrays * 4 * rows * maxlen, f"pad: {rows:,} rows of pad.maxlen={maxlen:,} ids",
                   f"Lower pad.maxlen (the longest text here has {longest:,} tokens).")


if __name__ == "__main__":
    run_stage("pad", main, TEXT_SCHEMA)
