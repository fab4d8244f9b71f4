"""Stage 1, download: raw labeled text -> data/dataset.parquet (text, label, split); with data.task=tag,
tagged sentences -> data/dataset.parquet (tokens, tags, split).

    python stages/text/download.py      # reads params: data.*, download.*

Sources (data.source): `synthetic` (the embedded default), `imdb` (download.url: the official
tarball, a local path or a file:// URL; SHA-256 checked), `table` (download.path: the user's files in
any layout text.layouts reads: a CSV / TSV / Parquet / JSONL table, label<TAB>text or fastText lines,
split files, one file per label, label folders, or a .zip / .tar.gz of them). A validation split is
carved from train, seeded and stratified (data.val_fraction), unless the files name one (`dev`).
With download.deduplicate, repeated texts within a split and train / validation texts also in a later
split are dropped (counted in data/report.json).

Tagging sources: `synthetic` (a small grammar with UD tags), `conllu` (download.path: a CoNLL-U file, a
UD treebank folder of *-ud-{train,dev,test}.conllu, or a .zip/.tgz of one; download.tag_column upos
or xpos), `conll` (one token per line, the tag column by index), `table` (Parquet/JSONL with token-list
and tag-list columns).
"""

from rnnpipe.core.atomic import atomic_path, write_json
from rnnpipe.core.errors import DataError
from rnnpipe.core.fetch import expected_sha256, fetch, verify_sha256
from rnnpipe.core.hashing import sha256_of_file
from rnnpipe.core.stage import run_stage
from rnnpipe.tagging.datasets import assign_sentence_splits, read_tagged
from rnnpipe.tagging.synthetic import synthetic_tagged
from rnnpipe.text.datasets import (
    SPLITS,
    assign_splits,
    blank_texts,
    deduplicate,
    normalise_labels,
    quality_report,
    quality_warnings,
    read_imdb_tarball,
    split_warnings,
)
from rnnpipe.text.layouts import read_labeled
from rnnpipe.text.params import TEXT_SCHEMA
from rnnpipe.text.synthetic import synthetic_reviews

OUTPUT = "data/dataset.parquet"
REPORT = "data/report.json"  # a plain output, not a metric: results lead `dvc metrics show`


TAG_SOURCES = ("synthetic", "conllu", "conll", "table")


def main(params: dict) -> None:
    data = params["data"]
    if data["task"] == "tag":
        download_tagged(params)
    elif data["source"] in ("conllu", "conll"):
        raise DataError(f"data.source={data['source']} holds tagged tokens, not labeled texts; set data.task=tag.")
    else:
        download_texts(params)


def download_tagged(params: dict) -> None:
    """data.task=tag: sentences with one tag per token -> data/dataset.parquet (tokens, tags, split)."""
    data, download = params["data"], params["download"]
    if data["source"] not in TAG_SOURCES:
        raise DataError(f"data.source={data['source']} has no tags per token; with data.task=tag use one of: "
                        f"{', '.join(TAG_SOURCES)}.")
    origin = {"source": data["source"], "task": "tag"}
    if data["source"] == "synthetic":
        frame = synthetic_tagged(download["synthetic_train"], download["synthetic_test"], data["seed"])
    else:
        path = fetch(download["path"], param="download.path")
        frame = read_tagged(data["source"], path, download)
        if path.is_file():
            origin["sha256"] = sha256_of_file(path)
    frame = assign_sentence_splits(frame, download["test_fraction"], data["val_fraction"], data["seed"])
    with atomic_path(OUTPUT) as tmp:
        frame.to_parquet(tmp, index=False)
    sentences = frame.groupby("split").size()
    tokens = frame.groupby("split")["tokens"].apply(lambda column: int(column.map(len).sum()))
    write_json(REPORT, {**origin, "sentences": {s: int(sentences.get(s, 0)) for s in SPLITS[:3]},
                        "tokens": {s: int(tokens.get(s, 0)) for s in SPLITS[:3]},
                        "tags": int(frame["tags"].explode().nunique())})
    print(f"download: {len(frame)} sentences -> {OUTPUT} ("
          + ", ".join(f"{s} {sentences.get(s, 0)} / {tokens.get(s, 0)} tokens" for s in SPLITS[:3]) + ")")


def download_texts(params: dict) -> None:
    """data.task=classify: texts with one label each -> data/dataset.parquet (text, label, split)."""
    data, download = params["data"], params["download"]
    origin = {"source": data["source"]}
    if data["source"] == "synthetic":
        frame = synthetic_reviews(download["synthetic_train"], download["synthetic_test"], data["seed"])
    elif data["source"] == "imdb":
        path = fetch(download["url"], param="download.url")
        expected = expected_sha256(download["sha256"], download["url"], path)
        origin["sha256"] = verify_sha256(path, expected, download["url"])
        if expected is None:
            print(f"download: no published hash known for {download['url']}; its SHA-256 is {origin['sha256']} "
                  f"(pin it with -S download.sha256=...)")
        frame = read_imdb_tarball(path)
    else:
        path = fetch(download["path"], param="download.path")
        notes: list[str] = []
        frame = read_labeled(path, download["text_column"], download["label_column"], download["split_column"],
                             download["encoding"], notes)
        for note in notes:
            print(f"download: {note}")
    blank = blank_texts(frame) & (frame["split"] != "unsup")
    if download["blank_texts"] == "drop" and blank.any():
        if blank.sum() == (frame["split"] != "unsup").sum():
            raise DataError(f"every one of the {int(blank.sum())} labeled texts is blank (empty or whitespace "
                            f"only), so no non-blank text is left to learn from. Check download.text_column (is it "
                            f"the column holding the texts?); download.blank_texts=keep keeps blank texts.")
        frame = frame[~blank]
    frame = assign_splits(normalise_labels(frame), download["test_fraction"], data["val_fraction"], data["seed"])
    dropped = {}
    if download["deduplicate"]:
        frame, dropped = deduplicate(frame)
        print(f"download: deduplicate: dropped {dropped['duplicate_texts_dropped']} repeated texts within a split "
              f"and {dropped['cross_split_texts_dropped']} train / validation texts also in a later split")
    quality = {**quality_report(frame), **dropped}
    quality["blank_texts"] = int(blank.sum())
    for warning in quality_warnings(quality, download["blank_texts"], download["encoding"]):
        print(f"download: warning: {warning}")
    for warning in split_warnings(frame):
        print(f"download: WARNING: {warning}")

    with atomic_path(OUTPUT) as tmp:
        frame.to_parquet(tmp, index=False)
    counts = frame.groupby("split").size()
    write_json(REPORT, {**origin, "rows": {s: int(counts.get(s, 0)) for s in SPLITS if s in counts or s != "unsup"},
                         "classes": int(frame["label"].nunique()), "quality": quality})
    print(f"download: {len(frame)} rows -> {OUTPUT} ({', '.join(f'{k} {v}' for k, v in counts.items())})")


if __name__ == "__main__":
    run_stage("download", main, TEXT_SCHEMA)
