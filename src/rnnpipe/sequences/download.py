"""The numeric-sequences pipeline's download stage: the sequences -> data/steps.parquet (one row per
step) + data/source.json.

Sources (data.source): `digits` (the embedded default: binary digits, a class per step from the last
two digits), `documents` (50-d sentence vectors, a -1/0/1 class per document set by their order), or
`table` (download.path, relative to the repository root: a long CSV/Parquet, a Parquet of list
columns or an .npz - see rnnpipe.sequences.tables; a dependency in sequences/dvc.yaml, so an edit
reruns this). Every format ends as the same long table; data/source.json records the file's SHA-256
and the counts.
"""

from __future__ import annotations

from pathlib import Path

from ..core.atomic import write_json
from ..core.hashing import sha256_of_file
from .synthetic import binary_digit_batches, sentence_document_batches
from .tables import StepWriter, read_step_table, reading_settings

ROOT = Path(__file__).resolve().parents[3]  # the repository
OUTPUT = Path("data/steps.parquet")
DOCUMENT_FEATURES = [f"v{i}" for i in range(50)]


def download_sequences(params: dict) -> None:
    data, download = params["data"], params["download"]
    if data["source"] == "digits":
        # the synthetic sources are drawn and written batch by batch: memory flat in their size
        frames, features = binary_digit_batches(data["sequences"], data["seed"]), ["digit"]
        origin = {"location": "synthetic binary digits", "seed": data["seed"]}
    elif data["source"] == "documents":
        frames = sentence_document_batches(data["sequences"], data["seed"])
        features = DOCUMENT_FEATURES
        origin = {"location": "synthetic sentence-vector documents", "seed": data["seed"]}
    else:  # a user's table is read whole (its layouts group and sort over every row)
        path = ROOT / download["path"]
        table = read_step_table(path, download)
        frames, features = [table.frame], table.features
        origin = {"location": download["path"], "sha256": sha256_of_file(path)}
    # new files for `rnnpipe predict` are read with these reading settings
    with StepWriter(OUTPUT, features, reading_settings(download)) as writer:
        for frame in frames:
            writer.write(frame)
    counts = {**writer.counts, "features": len(features)}
    counts = {k: counts[k] for k in ("sequences", "steps", "features", "unlabeled_steps")}
    write_json("data/source.json", {"source": data["source"], **origin, **counts})
    print(
        f"download: {counts['sequences']} sequences, {counts['steps']} steps of "
        f"{counts['features']} features "
        f"({counts['unlabeled_steps']} unlabeled) -> {OUTPUT}"
    )
