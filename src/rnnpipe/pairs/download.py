"""The pairs pipeline's download stage: a pair dataset's files -> data/raw/ + data/sources.json.

data.source: `synthetic` (train/dev/test.jsonl generated, SNLI's format), `snli` (download.url:
snli_1.0.zip or MultiNLI's zip, or a folder of *_train.jsonl / *_dev.jsonl / *_test.jsonl; for
MultiNLI, which publishes no test labels, dev_matched is validation and dev_mismatched test),
`sick` (download.path: the folder of the SemEval files, with Tai et al.'s dependency/ folder when
there is one) and `table` (download.path: a file, or a folder of files, copied as they are).
SHA-256 is checked against download.sha256 or a SHA256SUMS file beside the data.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import zipfile
from pathlib import Path

from ..core.atomic import atomic_path, write_json
from ..core.errors import DownloadError
from ..core.fetch import expected_sha256, fetch, from_root, verify_sha256
from .readers import SICK_FILES
from .synthetic import synthetic_pairs

ROOT = Path(__file__).resolve().parents[3]  # the repository
OUTPUT = Path("data/raw")
# the split files of an NLI release, best first: MultiNLI has no labelled test file
NLI_SPLITS = {
    "train": ["*_train.jsonl"],
    "dev": ["*_dev.jsonl", "*_dev_matched.jsonl"],
    "test": ["*_test.jsonl", "*_dev_mismatched.jsonl"],
}
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".jsonl", ".json")


def write_synthetic(folder: Path, count: int, seed: int) -> dict:
    sizes = {"train": count, "dev": max(count // 4, 10), "test": max(count // 4, 10)}
    for offset, (split, size) in enumerate(sizes.items()):
        rows = synthetic_pairs(size, seed + offset)
        (folder / f"{split}.jsonl").write_text(
            "".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8"
        )
    return {"location": "synthetic", "pairs": sizes}


def nli_members(names: list[str], location: str) -> dict[str, str]:
    """{split: the member/file name} of an NLI release among `names`."""
    chosen = {}
    for split, patterns in NLI_SPLITS.items():
        found = [
            n
            for pattern in patterns
            for n in sorted(names)
            if fnmatch.fnmatch(Path(n).name, pattern)
        ]
        if not found:
            raise DownloadError(
                f"{location}: no {' or '.join(patterns)} file; an NLI release holds "
                "<name>_train.jsonl, <name>_dev.jsonl and <name>_test.jsonl (SNLI 1.0), or "
                "MultiNLI's _dev_matched / _dev_mismatched."
            )
        chosen[split] = found[0]
    return chosen


def copy_nli(location: str, sha256: str, folder: Path, min_rate: int) -> dict:
    path = fetch(from_root(location, ROOT), param="download.url", min_rate=min_rate)
    hashes = {}
    if path.is_dir():
        members = nli_members([p.name for p in path.iterdir() if p.is_file()], location)
        for split, name in members.items():
            source = path / name
            hashes[name] = verify_sha256(
                source, expected_sha256(sha256, location, source), location
            )
            shutil.copyfile(source, folder / f"{split}.jsonl")
        return {"location": location, "files": members, "sha256": hashes}
    hashes[path.name] = verify_sha256(path, expected_sha256(sha256, location, path), location)
    try:
        with zipfile.ZipFile(path) as bundle:
            names = [m.filename for m in bundle.infolist() if not m.is_dir()]
            names = [n for n in names if "__MACOSX" not in n]
            members = nli_members(names, location)
            for split, name in members.items():
                with bundle.open(name) as source, open(folder / f"{split}.jsonl", "wb") as target:
                    shutil.copyfileobj(source, target)
    except zipfile.BadZipFile:
        raise DownloadError(
            f"{path}: not a valid zip file (truncated download?); delete it and run again."
        ) from None
    return {"location": location, "files": members, "sha256": hashes}


def copy_sick(location: str, sha256: str, folder: Path) -> dict:
    path = fetch(from_root(location, ROOT), param="download.path")
    if not path.is_dir():
        raise DownloadError(
            f"{location}: data.source=sick reads a folder holding {', '.join(SICK_FILES.values())}"
            " (and optionally Tai et al.'s dependency/ folder)."
        )
    missing = [name for name in SICK_FILES.values() if not (path / name).is_file()]
    if missing:
        raise DownloadError(
            f"{location}: the folder lacks {', '.join(missing)} (SemEval-2014 SICK)."
        )
    hashes = {}
    for name in SICK_FILES.values():
        hashes[name] = verify_sha256(
            path / name, expected_sha256(sha256, location, path / name), location
        )
        shutil.copyfile(path / name, folder / name)
    if (path / "dependency").is_dir():
        shutil.copytree(path / "dependency", folder / "dependency")
    return {"location": location, "sha256": hashes, "parses": (path / "dependency").is_dir()}


def copy_table(location: str, sha256: str, folder: Path) -> dict:
    path = fetch(from_root(location, ROOT), param="download.path")
    files = (
        sorted(p for p in path.iterdir() if p.suffix.lower() in TABLE_SUFFIXES)
        if path.is_dir()
        else [path]
    )
    if not files:
        raise DownloadError(
            f"{location}: no table file ({', '.join(TABLE_SUFFIXES)}) in the folder."
        )
    hashes = {}
    target = folder / "table"
    target.mkdir()
    for file in files:
        hashes[file.name] = verify_sha256(file, expected_sha256(sha256, location, file), location)
        shutil.copyfile(file, target / file.name)
    return {"location": location, "sha256": hashes}


def download_pairs(params: dict) -> None:
    data, download = params["data"], params["download"]
    with atomic_path(OUTPUT) as tmp:
        tmp.mkdir()
        source = data["source"]
        if source == "synthetic":
            origin = write_synthetic(tmp, data["synthetic_train"], data["seed"])
        elif source == "snli":
            origin = copy_nli(download["url"], download["sha256"], tmp, download["min_rate"])
        elif source == "sick":
            origin = copy_sick(download["path"], download["sha256"], tmp)
        else:
            origin = copy_table(download["path"], download["sha256"], tmp)
    write_json("data/sources.json", {"source": data["source"], **origin})
    print(f"download: {data['source']} -> {OUTPUT}/ ({origin['location']})")
