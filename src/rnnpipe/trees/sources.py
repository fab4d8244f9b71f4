"""Where tree files come from: SST's official zip (URL or local), or a folder with
train/dev/test.txt."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from ..core.errors import DownloadError
from ..core.fetch import expected_sha256, fetch, from_root, verify_sha256

SPLIT_FILES = {"train": "train.txt", "validation": "dev.txt", "test": "test.txt"}


def copy_tree_files(
    location: str, sha256: str, folder: Path, root: Path, param: str, min_rate: int
) -> dict:
    """train.txt, dev.txt and test.txt from the zip or folder at `location` into `folder`; what
    was read, hashed."""
    path = fetch(from_root(location, root), param=param, min_rate=min_rate)
    names = list(SPLIT_FILES.values())
    hashes = {}
    if path.is_dir():
        missing = [name for name in names if not (path / name).is_file()]
        if missing:
            raise DownloadError(
                f"{location}: the folder lacks {', '.join(missing)} (one bracketed tree per line; "
                f"the SST split files)."
            )
        for name in names:
            hashes[name] = verify_sha256(
                path / name, expected_sha256(sha256, location, path / name), location
            )
            shutil.copyfile(path / name, folder / name)
        return {"location": location, "sha256": hashes}
    hashes[path.name] = verify_sha256(path, expected_sha256(sha256, location, path), location)
    try:
        with zipfile.ZipFile(path) as bundle:
            members = {Path(m.filename).name: m for m in bundle.infolist() if not m.is_dir()}
            missing = [name for name in names if name not in members]
            if missing:
                raise DownloadError(
                    f"{location}: the zip lacks {', '.join(missing)} (trainDevTestTrees_PTB.zip "
                    f"holds trees/train.txt, dev.txt, test.txt)."
                )
            for name in names:
                with bundle.open(members[name]) as source, open(folder / name, "wb") as target:
                    shutil.copyfileobj(source, target)
    except zipfile.BadZipFile:
        raise DownloadError(
            f"{path}: not a valid zip file (truncated download?); delete it and run again."
        ) from None
    return {"location": location, "sha256": hashes}
