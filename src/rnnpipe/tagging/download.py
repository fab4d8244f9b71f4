"""The tagging pipeline's download stage: tagged sentences -> data/dataset.parquet (tokens, tags,
split).

Sources (data.source): `synthetic` (a small grammar with UD tags, the embedded default), `conllu`
(download.path: a CoNLL-U file, a UD treebank folder of *-ud-{train,dev,test}.conllu, or a .zip/.tgz
of one; download.tag_column upos or xpos), `conll` (one token per line, the tag column by index),
`table` (Parquet/JSONL with token-list and tag-list columns). Splits come from the files; validation
(and test, when nothing names one) are carved by sentence, seeded.
"""

from __future__ import annotations

from ..core.atomic import atomic_path, write_json
from ..core.fetch import fetch
from ..core.hashing import sha256_of_file
from .datasets import assign_sentence_splits, read_tagged
from .synthetic import synthetic_tagged

OUTPUT = "data/dataset.parquet"
REPORT = "data/report.json"  # a plain output, not a metric: results lead `dvc metrics show`
SPLITS = ("train", "validation", "test")


def download_tagged(params: dict) -> None:
    """Sentences with one tag per token -> data/dataset.parquet (tokens, tags, split) and
    data/report.json."""
    data, download = params["data"], params["download"]
    origin = {"source": data["source"], "task": "tag"}
    if data["source"] == "synthetic":
        frame = synthetic_tagged(
            download["synthetic_train"], download["synthetic_test"], data["seed"]
        )
    else:
        path = fetch(download["path"], param="download.path")
        frame = read_tagged(data["source"], path, download)
        if path.is_file():
            origin["sha256"] = sha256_of_file(path)
    frame = assign_sentence_splits(
        frame, download["test_fraction"], data["val_fraction"], data["seed"]
    )
    with atomic_path(OUTPUT) as tmp:
        frame.to_parquet(tmp, index=False)
    sentences = frame.groupby("split").size()
    tokens = frame.groupby("split")["tokens"].apply(lambda column: int(column.map(len).sum()))
    write_json(
        REPORT,
        {
            **origin,
            "sentences": {s: int(sentences.get(s, 0)) for s in SPLITS},
            "tokens": {s: int(tokens.get(s, 0)) for s in SPLITS},
            "tags": int(frame["tags"].explode().nunique()),
        },
    )
    print(
        f"download: {len(frame)} sentences -> {OUTPUT} ("
        + ", ".join(f"{s} {sentences.get(s, 0)} / {tokens.get(s, 0)} tokens" for s in SPLITS)
        + ")"
    )
