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

from ..core.atomic import atomic_path, write_json
from ..core.errors import DataError
from ..core.fetch import expected_sha256, fetch, verify_sha256
from .datasets import (
    SPLITS,
    assign_splits,
    blank_texts,
    cut_long_texts,
    deduplicate,
    normalise_labels,
    quality_report,
    quality_warnings,
    read_imdb_tarball,
    split_warnings,
)
from .layouts import long_texts_note, read_labeled
from .synthetic import synthetic_reviews

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
        frame = synthetic_reviews(
            download["synthetic_train"], download["synthetic_test"], data["seed"]
        )
    elif data["source"] == "imdb":
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
