"""The tagging pipeline's download stage: tagged sentences -> data/dataset.parquet (tokens, tags,
split).

Sources (data.source): `synthetic` (a small grammar with UD tags, the embedded default), `conllu`
(download.path: a CoNLL-U file, a UD treebank folder of *-ud-{train,dev,test}.conllu, or a .zip/.tgz
of one; download.tag_column upos or xpos), `conll` (one token per line, the tag column by index),
`table` (Parquet/JSONL with token-list and tag-list columns). Splits come from the files; validation
(and test, when nothing names one) are carved by sentence, seeded.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ..core.atomic import write_json
from ..core.fetch import fetch, from_root
from ..core.hashing import sha256_of_file
from ..data.stream import BATCH_ROWS, parquet_batches
from .datasets import assign_sentence_splits, read_tagged, require_every_split
from .schemes import convert
from .synthetic import synthetic_tagged_batches

ROOT = Path(__file__).resolve().parents[3]  # the repository: relative paths start there
OUTPUT = "data/dataset.parquet"
REPORT = "data/report.json"  # a plain output, not a metric: results lead `dvc metrics show`
SPLITS = ("train", "validation", "test")
DATASET_SCHEMA = pa.schema(
    [("tokens", pa.list_(pa.string())), ("tags", pa.list_(pa.string())), ("split", pa.string())]
)


def download_tagged(params: dict) -> None:
    """Sentences with one tag per token -> data/dataset.parquet (tokens, tags, split) and
    data/report.json."""
    data, download = params["data"], params["download"]
    origin = {"source": data["source"], "task": "tag"}
    if data["source"] == "synthetic":
        batches = synthetic_tagged_batches(
            download["synthetic_train"],
            download["synthetic_test"],
            data["seed"],
            data["val_fraction"],
            BATCH_ROWS,
        )
    else:
        path = fetch(from_root(download["path"], ROOT), param="download.path")
        frame = read_tagged(data["source"], path, download)
        if path.is_file():
            origin["sha256"] = sha256_of_file(path)
        tags, seen, trained = convert(list(frame["tags"]), download["span_scheme"])
        if seen is not None:
            frame = frame.assign(tags=tags)
            origin.update(span_scheme_seen=seen, span_scheme_trained=trained)
            print(
                f"download: span tags in the {seen} scheme"
                + (f", converted to {trained}" if trained != seen else "")
                + " (download.span_scheme)"
            )
        batches = [
            assign_sentence_splits(
                frame, download["test_fraction"], data["val_fraction"], data["seed"]
            )
        ]
    counts = write_tagged(batches)
    sentences, tokens = counts["sentences"], counts["tokens"]
    write_json(REPORT, {**origin, **counts})
    print(
        f"download: {sum(sentences.values())} sentences -> {OUTPUT} ("
        + ", ".join(f"{s} {sentences[s]} / {tokens[s]} tokens" for s in SPLITS)
        + ")"
    )


def write_tagged(batches: Iterable[pd.DataFrame]) -> dict:
    """Write the frames (tokens, tags, split) to OUTPUT batch by batch; return the report's
    counts: sentences and tokens per split, distinct tags. Nothing is written when a split is
    empty."""
    sentences, tokens, tags = dict.fromkeys(SPLITS, 0), dict.fromkeys(SPLITS, 0), set()
    with parquet_batches(OUTPUT, DATASET_SCHEMA) as writer:
        for frame in batches:
            frame = frame[["tokens", "tags", "split"]]
            writer.write_table(pa.Table.from_pandas(frame, DATASET_SCHEMA, preserve_index=False))
            lengths = frame["tokens"].map(len)
            for split, group in lengths.groupby(frame["split"]):
                sentences[split] += len(group)
                tokens[split] += int(group.sum())
            tags.update(frame["tags"].explode().dropna())
        require_every_split(sentences)
    return {"sentences": sentences, "tokens": tokens, "tags": len(tags)}
