"""Stage 1, download: raw labeled text -> data/dataset.parquet (text, label, split).

    python stages/text/download.py      # reads params: data.*, download.*

Sources (data.source): `synthetic` (the embedded default), `imdb` (download.url: the official
tarball, a local path or a file:// URL; SHA-256 checked), `table` (download.table_path: the user's
CSV / Parquet / JSONL, or an IMDB-style folder tree). A validation split is carved from train,
seeded and stratified (data.val_fraction).
"""

from rnnpipe.core.atomic import atomic_path, write_json
from rnnpipe.core.fetch import expected_sha256, fetch, verify_sha256
from rnnpipe.core.stage import run_stage
from rnnpipe.text.datasets import (
    SPLITS,
    assign_splits,
    blank_texts,
    normalise_labels,
    quality_report,
    quality_warnings,
    read_imdb_tarball,
    read_table,
)
from rnnpipe.text.params import TEXT_SCHEMA
from rnnpipe.text.synthetic import synthetic_reviews

OUTPUT = "data/dataset.parquet"
REPORT = "data/report.json"  # a plain output, not a metric: results lead `dvc metrics show`


def main(params: dict) -> None:
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
        path = fetch(download["table_path"], param="download.table_path")
        frame = read_table(path, download["text_column"], download["label_column"], download["split_column"],
                           download["encoding"])
    blank = blank_texts(frame) & (frame["split"] != "unsup")
    if download["blank_texts"] == "drop" and blank.any():
        frame = frame[~blank]
    frame = assign_splits(normalise_labels(frame), download["test_fraction"], data["val_fraction"], data["seed"])
    quality = quality_report(frame)
    quality["blank_texts"] = int(blank.sum())
    for warning in quality_warnings(quality, download["blank_texts"], download["encoding"]):
        print(f"download: warning: {warning}")

    with atomic_path(OUTPUT) as tmp:
        frame.to_parquet(tmp, index=False)
    counts = frame.groupby("split").size()
    write_json(REPORT, {**origin, "rows": {s: int(counts.get(s, 0)) for s in SPLITS if s in counts or s != "unsup"},
                         "classes": int(frame["label"].nunique()), "quality": quality})
    print(f"download: {len(frame)} rows -> {OUTPUT} ({', '.join(f'{k} {v}' for k, v in counts.items())})")


if __name__ == "__main__":
    run_stage("download", main, TEXT_SCHEMA)
