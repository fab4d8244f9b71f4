"""A user's .zip / .tar.gz / .tgz / .tar read as the folder it holds: unpacked into a temporary
folder that is removed afterwards, whatever happens (the source is never modified, nothing is left
behind).

An archive holding a member with an absolute path or a '..' component is refused, naming the member
(such a path is a tampered or hostile archive; nothing is written). So is an archive that would
inflate past the free space of the temporary folder, or holding a member larger than a quarter of
this machine's memory (the readers hold a member's contents in memory, several times over as a
table); the sizes are those the archive declares, and extraction stops where a member's bytes
exceed its declared size (a zip's headers may lie).
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
from .memory import human_bytes, machine_memory

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
                        (m.filename, m.file_size, lambda m=m: archive.open(m))
                        for m in archive.infolist()
                        if not m.is_dir()
                    ]
                    _extract(path, members, folder, keep, parts)
            else:
                with tarfile.open(path) as archive:
                    members = [
                        (m.name, m.size, lambda m=m: archive.extractfile(m))
                        for m in archive.getmembers()
                        if m.isfile()
                    ]
                    _extract(path, members, folder, keep, parts)
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as exc:
            raise DataError(
                f"{path}: cannot read the archive ({exc}); it is truncated or not a "
                f"{''.join(path.suffixes[-2:]) or 'zip / tar'} file."
            ) from None
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _extract(
    path: Path, members, folder: Path, keep: Callable[[str], bool], parts: int | None
) -> None:
    """Write the members (name, declared size, opener) that pass `keep` under `folder`."""
    wanted = []
    for name, size, open_member in members:
        pure = PurePosixPath(name.replace("\\", "/"))
        if pure.is_absolute() or ".." in pure.parts or (len(name) > 1 and name[1] == ":"):
            raise DataError(
                f"{path}: member {name!r} has an absolute path or a '..' component; such an "
                "archive could write outside its folder and is refused (nothing was written). "
                "Repack it with relative paths."
            )
        safe = [p for p in pure.parts if p not in ("", ".")]
        if not safe or not keep(name) or safe[-1].startswith("._") or "__MACOSX" in safe:
            continue  # macOS resource forks ride along in many zips: never data
        wanted.append((name, size, open_member, safe))
    check_sizes(path, [(name, size) for name, size, _, _ in wanted], folder)
    for name, size, open_member, safe in wanted:
        target = folder.joinpath(*(safe if parts is None else safe[-parts:]))
        target.parent.mkdir(parents=True, exist_ok=True)
        with open_member() as handle, open(target, "wb") as out:
            written = _copy_at_most(handle, out, size)
        if written > size:
            raise DataError(
                f"{path}: member {name!r} inflates past the {human_bytes(size)} its header "
                "declares; the archive is corrupt or hostile and is refused."
            )


def check_sizes(path: Path, members: list[tuple[str, int]], folder: Path) -> None:
    """Refuse members whose declared sizes exceed the free space of `folder` in total, or a
    quarter of the machine's memory one by one."""
    total = sum(size for _, size in members)
    free = shutil.disk_usage(folder).free
    if total > free:
        raise DataError(
            f"{path}: inflates to {human_bytes(total)}, more than the {human_bytes(free)} free "
            f"in {folder.parent} (the temporary folder, TMPDIR); free space there or unpack it "
            "yourself and give the folder as the path param."
        )
    most = machine_memory() // 4
    for name, size in members:
        if size > most:
            raise DataError(
                f"{path}: member {name!r} inflates to {human_bytes(size)}, more than a quarter "
                f"of this machine's {human_bytes(machine_memory())} of memory, which reading it "
                "would take; split it into smaller files or leave it out of the archive."
            )


def _copy_at_most(source, target, size: int) -> int:
    """Copy `source` to `target` up to one byte past `size`; the bytes copied."""
    copied = 0
    while copied <= size:
        block = source.read(min(1 << 20, size + 1 - copied))
        if not block:
            break
        target.write(block)
        copied += len(block)
    return copied
