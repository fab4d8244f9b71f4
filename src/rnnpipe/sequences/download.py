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

from ..core.atomic import atomic_path, write_json
from ..core.hashing import sha256_of_file
from .synthetic import binary_digits, sentence_documents
from .tables import LABEL, SEQUENCE, StepTable, read_step_table, reading_settings

ROOT = Path(__file__).resolve().parents[3]  # the repository
OUTPUT = Path("data/steps.parquet")


def download_sequences(params: dict) -> None:
    data, download = params["data"], params["download"]
    if data["source"] == "digits":
        table = StepTable(binary_digits(data["sequences"], data["seed"]), ["digit"])
        origin = {"location": "synthetic binary digits", "seed": data["seed"]}
    elif data["source"] == "documents":
        frame = sentence_documents(data["sequences"], data["seed"])
        table = StepTable(frame, [c for c in frame.columns if c not in (SEQUENCE, LABEL)])
        origin = {"location": "synthetic sentence-vector documents", "seed": data["seed"]}
    else:
        path = ROOT / download["path"]
        table = read_step_table(path, download)
        origin = {"location": download["path"], "sha256": sha256_of_file(path)}
    table.reading = reading_settings(
        download
    )  # new files for `rnnpipe predict` are read with these
    with atomic_path(OUTPUT) as tmp:
        table.write(tmp)
    frame = table.frame
    counts = {
        "sequences": int(frame[SEQUENCE].nunique()),
        "steps": len(frame),
        "features": len(table.features),
        "unlabeled_steps": int(frame[LABEL].isna().sum()),
    }
    write_json("data/source.json", {"source": data["source"], **origin, **counts})
    print(
        f"download: {counts['sequences']} sequences, {counts['steps']} steps of "
        f"{counts['features']} features "
        f"({counts['unlabeled_steps']} unlabeled) -> {OUTPUT}"
    )
