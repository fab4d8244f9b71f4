"""The trees pipeline's download stage: bracketed trees -> data/raw/{train,dev,test}.txt +
data/sources.json.

Sources (data.source): `synthetic` (the embedded default: small sentiment trees whose labels
compose), `sst` (download.url: the official trainDevTestTrees_PTB.zip, or a local zip / folder),
`files` (download.path: a folder with train.txt, dev.txt, test.txt; relative to the repository root;
a dependency in trees/dvc.yaml). SHA-256 is checked against download.sha256 or a SHA256SUMS file
beside the data.
"""

from __future__ import annotations

from pathlib import Path

from ..core.atomic import atomic_path, write_json
from .sources import SPLIT_FILES, copy_tree_files
from .synthetic import synthetic_trees

ROOT = Path(__file__).resolve().parents[3]  # the repository
OUTPUT = Path("data/raw")


def write_synthetic(folder: Path, count: int, seed: int) -> dict:
    sizes = {"train": count, "validation": max(count // 4, 5), "test": max(count // 4, 5)}
    for offset, (split, size) in enumerate(sizes.items()):
        trees = synthetic_trees(size, seed + offset)
        (folder / SPLIT_FILES[split]).write_text(
            "".join(t.to_text() + "\n" for t in trees), encoding="utf-8"
        )
    return {"location": "synthetic", "trees": sizes}


def download_trees(params: dict) -> None:
    data, download = params["data"], params["download"]
    with atomic_path(OUTPUT) as tmp:
        tmp.mkdir()
        if data["source"] == "synthetic":
            origin = write_synthetic(tmp, data["synthetic_train"], data["seed"])
        else:
            key = "url" if data["source"] == "sst" else "path"
            origin = copy_tree_files(
                download[key],
                download["sha256"],
                tmp,
                ROOT,
                f"download.{key}",
                download["min_rate"],
            )
    write_json("data/sources.json", {"source": data["source"], **origin})
    print(f"download: {', '.join(SPLIT_FILES.values())} -> {OUTPUT}/ ({origin['location']})")
