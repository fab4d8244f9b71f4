"""Put back a stage's previous outputs when it fails: a failed run never deletes a good model or
metrics.

DVC removes a stage's outputs just before it runs the stage's command, so a run that fails (a
diverging loss, a full disk, a memory refusal, Ctrl-C) would leave the pipeline without the model
and metrics of its last good run. When a stage fails, `restore_outputs` puts back every output to
the version dvc.lock records, as `dvc checkout` would: cached outputs (models, prepared data) from
DVC's cache, uncached ones (metrics and plots kept in git) from the git commit checked out, when its
copy has the recorded hash. An output that cannot be found in either is left as it is and named.
dvc.lock itself is untouched (DVC writes it only after a stage succeeds), so the workspace again
matches it and `dvc status` shows what the failed change would rerun.

Cache layout (DVC 3): .dvc/cache/files/md5/<first 2 hex>/<other 30>; a folder's entry ends in
`.dir` and lists its files as JSON [{"relpath", "md5"}]; `cache.dir` in .dvc/config(.local) moves
the cache.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from ruamel.yaml import YAML, YAMLError

from .atomic import atomic_path
from .params import dvc_root


def restore_outputs(stage: str, folder: Path = Path(".")) -> tuple[list[str], list[str]]:
    """Put back `stage`'s outputs (of the dvc.yaml / dvc.lock in `folder`) as dvc.lock records
    them; (the outputs restored, the outputs that could not be). Outputs already as recorded are
    neither."""
    recorded = _recorded_outputs(stage, folder)
    root = dvc_root(folder.resolve())
    if not recorded or root is None:
        return [], []
    caches = _cache_folders(root)
    restored, missing = [], []
    for path, md5 in recorded:
        if _has_hash(path, md5):
            continue
        source = _from_cache(caches, md5) or _from_git(path, md5)
        if source is None:
            missing.append(str(path))
            continue
        with atomic_path(path) as staged:
            source(staged)
        restored.append(str(path))
    return restored, missing


def recorded_size(stage: str, folder: Path = Path(".")) -> int:
    """Bytes of `stage`'s outputs as dvc.lock records them (0 when it records none)."""
    try:
        entry = _read_yaml(folder / "dvc.lock")["stages"][stage]
        return sum(int(out.get("size") or 0) for out in entry.get("outs", []))
    except (OSError, YAMLError, KeyError, TypeError, AttributeError, ValueError):
        return 0


def _recorded_outputs(stage: str, folder: Path) -> list[tuple[Path, str]]:
    """(path, md5) of each output of `stage` in dvc.lock, paths resolved from the stage's wdir."""
    try:
        lock = _read_yaml(folder / "dvc.lock")
        pipeline = _read_yaml(folder / "dvc.yaml")
        entry = lock["stages"][stage]
        wdir = folder / (pipeline["stages"][stage].get("wdir") or ".")
    except (OSError, YAMLError, KeyError, TypeError, AttributeError):
        return []
    return [
        (wdir / out["path"], out["md5"])
        for out in entry.get("outs", [])
        if isinstance(out, dict) and out.get("path") and out.get("md5")
    ]


def _read_yaml(path: Path):
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _cache_folders(root: Path) -> list[Path]:
    """Where DVC keeps file contents by hash: the configured cache.dir or .dvc/cache (files/md5
    for DVC 3, the folder itself for DVC 2's layout)."""
    cache = root / ".dvc" / "cache"
    for name in ("config", "config.local"):  # the local config overrides the shared one
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        try:
            parser.read(root / ".dvc" / name, encoding="utf-8")
        except configparser.Error:
            continue
        if parser.has_option("cache", "dir"):
            cache = (root / ".dvc" / parser.get("cache", "dir").strip().strip("'\"")).resolve()
    return [cache / "files" / "md5", cache]


def _cached(caches: list[Path], md5: str) -> Path | None:
    return next((path for base in caches if (path := base / md5[:2] / md5[2:]).is_file()), None)


def _from_cache(caches: list[Path], md5: str):
    """A writer of the cached file or folder `md5` to a path, or None when the cache lacks it."""
    entry = _cached(caches, md5)
    if entry is None:
        return None
    if not md5.endswith(".dir"):
        return lambda staged: shutil.copyfile(entry, staged)
    try:
        listing = json.loads(entry.read_text(encoding="utf-8"))
        files = [(item["relpath"], _cached(caches, item["md5"])) for item in listing]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if any(source is None for _, source in files):
        return None

    def write(staged: Path) -> None:
        for relpath, source in files:
            target = staged / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        staged.mkdir(exist_ok=True)  # an empty folder

    return write


def _from_git(path: Path, md5: str):
    """A writer of `path`'s copy in the checked-out git commit, if it has the recorded `md5`."""
    try:
        shown = subprocess.run(
            ["git", "show", f"HEAD:./{os.path.basename(path)}"],
            cwd=path.parent if path.parent.is_dir() else None,
            capture_output=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if shown.returncode != 0 or hashlib.md5(shown.stdout).hexdigest() != md5:
        return None
    return lambda staged: staged.write_bytes(shown.stdout)


def _has_hash(path: Path, md5: str) -> bool:
    """Whether the file at `path` already has the recorded hash (folders are always restored)."""
    if md5.endswith(".dir") or not path.is_file():
        return False
    digest = hashlib.md5()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest() == md5
