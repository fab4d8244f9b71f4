"""Where the forecasting pipeline's raw files come from: a local CSV, a folder of CSVs, a zip, or a
URL.

Files are copied (zips: their .csv members, by base name only) into the download stage's output
folder, each SHA-256 checked against download.sha256 or a SHA256SUMS file beside the data.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from ..core.errors import DownloadError
from ..core.fetch import expected_sha256, fetch, from_root, verify_sha256


def unpack_csvs(archive: Path, folder: Path) -> list[str]:
    """Extract the .csv members of a zip by their base names (no paths from the archive are
    used)."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [
                m
                for m in bundle.infolist()
                if m.filename.lower().endswith(".csv")
                and not m.is_dir()
                and not Path(m.filename).name.startswith(".")
            ]
            if not members:
                raise DownloadError(f"{archive}: the zip holds no .csv file.")
            for member in members:
                with (
                    bundle.open(member) as source,
                    open(folder / Path(member.filename).name, "wb") as target,
                ):
                    shutil.copyfileobj(source, target)
    except zipfile.BadZipFile:
        raise DownloadError(
            f"{archive}: not a valid zip file (truncated download?); delete it and run again."
        ) from None
    return [Path(m.filename).name for m in members]


def copy_source(
    location: str,
    sha256: str,
    pattern: str,
    folder: Path,
    root: Path,
    param: str = "",
    min_rate: int = 1024,
) -> dict:
    """Copy (or unzip) the CSVs named by `location` (relative paths start at `root`) into `folder`;
    return what was read, with hashes. `param` names the param that gave the location, for messages.
    """
    path = fetch(from_root(location, root), param=param, min_rate=min_rate)
    if path.is_dir():
        files = sorted(p for p in path.glob(pattern) if p.is_file())
        if not files:
            raise DownloadError(
                f"{location}: no files match download.pattern '{pattern}' in this folder."
            )
    else:
        files = [path]
    hashes = {}
    for file in files:
        hashes[file.name] = verify_sha256(file, expected_sha256(sha256, location, file), location)
        if file.suffix.lower() == ".zip":
            unpack_csvs(file, folder)
        else:
            shutil.copyfile(file, folder / file.name)
    return {"location": location, "sha256": hashes}
