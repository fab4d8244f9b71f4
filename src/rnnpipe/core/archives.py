"""A user's .zip / .tar.gz / .tgz / .tar read as the folder it holds: unpacked into a temporary
folder that is removed afterwards, whatever happens (the source is never modified, nothing is left
behind).

Member paths are reduced to their safe parts (no absolute path, no '..'), so no member can be
written outside the temporary folder.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from .errors import DataError

ARCHIVES = (".zip", ".tgz", ".tar.gz", ".tar")


def is_archive(path: Path) -> bool:
    return path.is_file() and path.name.lower().endswith(ARCHIVES)


@contextmanager
def unpacked(
    path: Path, keep: Callable[[str], bool] = lambda name: True, parts: int | None = None
) -> Iterator[Path]:
    """`path` itself, or for an archive a temporary folder with its members whose name passes
    `keep`.

    `parts`: keep only the last `parts` components of each member's path (None: the whole safe
    path)."""
    if not is_archive(path):
        yield path
        return
    folder = Path(tempfile.mkdtemp(prefix="rnnpipe-unpacked-"))
    try:
        try:
            if path.name.lower().endswith(".zip"):
                with zipfile.ZipFile(path) as archive:
                    members = [
                        (m.filename, lambda m=m: archive.open(m))
                        for m in archive.infolist()
                        if not m.is_dir()
                    ]
                    _extract(members, folder, keep, parts)
            else:
                with tarfile.open(path) as archive:
                    members = [
                        (m.name, lambda m=m: archive.extractfile(m))
                        for m in archive.getmembers()
                        if m.isfile()
                    ]
                    _extract(members, folder, keep, parts)
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
            raise DataError(
                f"{path}: cannot read the archive ({exc}); it is truncated or not a "
                f"{''.join(path.suffixes[-2:]) or 'zip / tar'} file."
            ) from None
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _extract(members, folder: Path, keep: Callable[[str], bool], parts: int | None) -> None:
    for name, open_member in members:
        safe = [
            p for p in PurePosixPath(name.replace("\\", "/")).parts if p not in ("", ".", "..", "/")
        ]
        if not safe or not keep(name) or safe[-1].startswith("._") or "__MACOSX" in safe:
            continue  # macOS resource forks ride along in many zips: never data
        target = folder.joinpath(*(safe if parts is None else safe[-parts:]))
        target.parent.mkdir(parents=True, exist_ok=True)
        with open_member() as handle, open(target, "wb") as out:
            shutil.copyfileobj(handle, out)
