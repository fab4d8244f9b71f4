"""The text pipeline's download stage: raw labeled text -> data/dataset.parquet (text, label,
split).

Sources (data.source): `synthetic` (the embedded default), `imdb` (download.url: the official
tarball, a local path or a file:// URL; SHA-256 checked), `table` (download.path: the user's files
in any layout text.layouts reads: a CSV / TSV / Parquet / JSONL table, label<TAB>text or fastText
lines, split files, one file per label, label folders, or a .zip / .tar.gz of them). A validation
split is carved from train, seeded and stratified (data.val_fraction), unless the files name one
(`dev`). With download.deduplicate, repeated texts within a split and train / validation texts also
in a later split are dropped (counted in data/report.json).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from ..core.atomic import atomic_path, write_json
from ..core.errors import DataError
from ..core.fetch import expected_sha256, fetch, verify_sha256
from ..data import stream
from ..data.stream import parquet_batches, record_batches
from .datasets import (
    SPLITS,
    assign_splits,
    blank_texts,
    count_warnings,
    cut_long_texts,
    deduplicate,
    normalise_labels,
    quality_report,
    quality_warnings,
    read_imdb_tarball,
    split_warnings,
    stratified_split,
)
from .layouts import long_texts_note, read_labeled
from .synthetic import synthetic_review_batches

OUTPUT = "data/dataset.parquet"
REPORT = "data/report.json"  # a plain output, not a metric: results lead `dvc metrics show`


def download_texts(params: dict) -> None:
    """Texts with one label each -> data/dataset.parquet (text, label, split) and
    data/report.json."""
    data, download = params["data"], params["download"]
    origin = {"source": data["source"]}
    notes: list[str] = []
    max_chars = download["max_text_chars"]
    if data["source"] == "synthetic":
        download_synthetic(data, download)
        return
    if data["source"] == "imdb":
        path = fetch(download["url"], param="download.url", min_rate=download["min_rate"])
        expected = expected_sha256(download["sha256"], download["url"], path)
        origin["sha256"] = verify_sha256(path, expected, download["url"])
        if expected is None:
            print(
                f"download: no published hash known for {download['url']}; its SHA-256 is "
                f"{origin['sha256']} "
                f"(pin it with -S download.sha256=...)"
            )
        frame = read_imdb_tarball(path, max_chars, notes)
    else:
        path = fetch(download["path"], param="download.path", min_rate=download["min_rate"])
        frame = read_labeled(
            path,
            download["text_column"],
            download["label_column"],
            download["split_column"],
            download["encoding"],
            notes,
            max_chars,
        )
    frame, cut = cut_long_texts(frame, max_chars)
    if cut:
        notes.append(long_texts_note(cut, max_chars))
    for note in notes:
        print(f"download: {note}")
    blank = blank_texts(frame) & (frame["split"] != "unsup")
    if download["blank_texts"] == "drop" and blank.any():
        if blank.sum() == (frame["split"] != "unsup").sum():
            raise DataError(
                f"every one of the {int(blank.sum())} labeled texts is blank (empty or whitespace "
                "only), so no non-blank text is left to learn from. Check download.text_column "
                "(is it "
                f"the column holding the texts?); download.blank_texts=keep keeps blank texts."
            )
        frame = frame[~blank]
    frame = assign_splits(
        normalise_labels(frame), download["test_fraction"], data["val_fraction"], data["seed"]
    )
    dropped = {}
    if download["deduplicate"]:
        frame, dropped = deduplicate(frame)
        print(
            f"download: deduplicate: dropped {dropped['duplicate_texts_dropped']} repeated texts "
            "within a split "
            f"and {dropped['cross_split_texts_dropped']} train / validation texts also in a later "
            "split"
        )
    quality = {**quality_report(frame), **dropped}
    quality["blank_texts"] = int(blank.sum())
    for warning in quality_warnings(quality, download["blank_texts"], download["encoding"]):
        print(f"download: warning: {warning}")
    for warning in split_warnings(frame):
        print(f"download: WARNING: {warning}")

    with atomic_path(OUTPUT) as tmp:
        frame.to_parquet(tmp, index=False)
    counts = frame.groupby("split").size()
    write_json(
        REPORT,
        {
            **origin,
            "rows": {s: int(counts.get(s, 0)) for s in SPLITS if s in counts or s != "unsup"},
            "classes": int(frame["label"].nunique()),
            "quality": quality,
        },
    )
    print(
        f"download: {len(frame)} rows -> {OUTPUT} "
        f"({', '.join(f'{k} {v}' for k, v in counts.items())})"
    )


DRAWS = "data/synthetic-draws.parquet"  # pass 1's rows before the splits are known; removed after
TEXT_LABEL = pa.schema([("text", pa.string()), ("label", pa.string())])
DATASET_SCHEMA = pa.schema([("text", pa.string()), ("label", pa.string()), ("split", pa.string())])


def download_synthetic(data: dict, download: dict) -> None:
    """The embedded generator's reviews -> data/dataset.parquet and data/report.json, streamed:
    the rows the in-memory path (synthetic_reviews, assign_splits) writes, in the same order,
    holding one batch of texts and a byte per row at a time (a corpus of millions of reviews
    fits any machine). Pass 1 draws the texts into a scratch file and keeps the labels; the
    validation rows are then drawn from the training labels exactly as assign_splits draws them;
    pass 2 copies the texts with their splits."""
    n_train, n_test = download["synthetic_train"], download["synthetic_test"]
    positive = np.zeros(n_train + n_test, dtype=bool)
    row = 0
    try:
        with parquet_batches(DRAWS, TEXT_LABEL) as writer:
            for texts, labels in synthetic_review_batches(
                n_train, n_test, data["seed"], stream.BATCH_ROWS
            ):
                writer.write_batch(pa.record_batch([texts, labels], schema=TEXT_LABEL))
                positive[row : row + len(labels)] = np.asarray(labels) == "pos"
                row += len(labels)
        split = np.zeros(n_train + n_test, dtype=np.uint8)  # 0 train, 1 validation, 2 test
        split[n_train:] = 2
        labels = positive[:n_train].astype(np.uint8)  # neg 0 < pos 1: the order of the names
        split[np.flatnonzero(stratified_split(labels, data["val_fraction"], data["seed"] + 1))] = 1
        del labels
        for code, name in enumerate(("train", "validation", "test")):
            if not (split == code).any():
                raise DataError(
                    f"the {name} split is empty; raise download.synthetic_train / "
                    "synthetic_test or change data.val_fraction."
                )
        names = np.array(["train", "validation", "test"], dtype=object)
        row = 0
        with parquet_batches(OUTPUT, DATASET_SCHEMA) as writer:
            for batch in record_batches(DRAWS):
                splits = names[split[row : row + batch.num_rows]]
                writer.write_batch(
                    pa.record_batch(
                        [
                            batch.column("text"),
                            batch.column("label"),
                            pa.array(splits, pa.string()),
                        ],
                        schema=DATASET_SCHEMA,
                    )
                )
                row += batch.num_rows
    finally:
        Path(DRAWS).unlink(missing_ok=True)
    counts = {name: int((split == code).sum()) for code, name in enumerate(names)}
    # Every text is new by construction (drawn until new), none blank, none cut, all decodable:
    # the quality counts the in-memory path computes are zero.
    quality = dict.fromkeys(
        (
            "blank_texts",
            "undecodable_rows",
            "duplicate_rows",
            "conflicting_texts",
            "cross_split_texts",
        ),
        0,
    )
    if download["deduplicate"]:
        quality.update(duplicate_texts_dropped=0, cross_split_texts_dropped=0)
    classes = int(positive[:n_train].any()) + int((~positive[:n_train]).any())
    for warning in count_warnings(counts["train"], classes, counts["test"]):
        print(f"download: WARNING: {warning}")
    write_json(
        REPORT,
        {
            "source": "synthetic",
            "rows": counts,
            "classes": int(positive.any()) + int((~positive).any()),  # (labels of every split)
            "quality": quality,
        },
    )
    print(
        f"download: {n_train + n_test} rows -> {OUTPUT} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items()))})"
    )
