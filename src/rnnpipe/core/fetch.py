"""Fetch a file named by a URL, a `file://` URL or a local path, and verify its SHA-256.

Remote files are downloaded once into a cache folder (RNNPIPE_CACHE, else XDG_CACHE_HOME/rnnpipe,
else ~/.cache/rnnpipe) through a temporary file, so an interrupted download never looks complete.
"""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tqdm import tqdm

from .errors import DownloadError
from .hashing import sha256_of_file

# Published checksums of files the project knows by URL.
IMDB_SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
KNOWN_SHA256 = {
    "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz": IMDB_SHA256,
    "http://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz": IMDB_SHA256,
}


def cache_dir() -> Path:
    if os.environ.get("RNNPIPE_CACHE"):
        return Path(os.environ["RNNPIPE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rnnpipe"


def is_remote(location: str) -> bool:
    return urllib.parse.urlparse(location).scheme in ("http", "https", "ftp")


def from_root(location: str, root: Path) -> str:
    """Relative local paths are read from `root` (the repository root, where the pipelines' path
    params start)."""
    if (
        not location
        or is_remote(location)
        or location.startswith("file:")
        or Path(location).is_absolute()
    ):
        return location
    return str(root / location)


def local_path(location: str) -> Path:
    """The filesystem path of a local path or file:// URL."""
    parsed = urllib.parse.urlparse(location)
    if parsed.scheme == "file":
        return Path(urllib.request.url2pathname(parsed.path))
    return Path(location).expanduser()


# A server that sends a byte now and then never trips the per-read timeout; a download slower than
# this (bytes per second, over any minute) is stopped instead. The pipelines' download.min_rate.
MIN_RATE = 1024
RATE_WINDOW = 60.0  # seconds


def _download(url: str, target: Path, timeout: float, min_rate: int, param: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                desc=f"download {target.name}",
                file=sys.stderr,
                disable=None,
            ) as bar:
                window_start, window_bytes = time.monotonic(), 0
                # read1: whatever has arrived (up to 1 MiB), so a trickle is measured as it comes
                while chunk := response.read1(1 << 20):
                    out.write(chunk)
                    bar.update(len(chunk))
                    window_bytes += len(chunk)
                    elapsed = time.monotonic() - window_start
                    if elapsed >= RATE_WINDOW:
                        if min_rate and window_bytes / elapsed < min_rate:
                            raise DownloadError(
                                f"{url}: the server sent {window_bytes} bytes in the last "
                                f"{elapsed:.0f} s, below download.min_rate "
                                f"({min_rate} bytes/s); the download was stopped. Try again "
                                "later, download the file by hand and give its path, or set "
                                "download.min_rate=0 to wait for any rate."
                            )
                        window_start, window_bytes = time.monotonic(), 0
            if total is not None and out.tell() != total:
                raise DownloadError(
                    f"{url}: download truncated ({out.tell()} of {total} bytes); run the stage "
                    "again."
                )
        os.replace(tmp_name, target)
    except urllib.error.HTTPError as exc:
        raise DownloadError(
            f"{url}: HTTP {exc.code} {exc.reason}; check the URL or download the file by hand "
            f"and pass its local path instead."
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        if isinstance(exc, DownloadError):
            raise
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"{url}: cannot be reached ({reason}). If this machine is offline, download the file "
            f"elsewhere and pass its local path or a file:// URL instead."
        ) from None
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


def _where_relative_paths_start(path: Path) -> str:
    """The hint for a missing local file: relative paths start at the repository root, except in
    the temporary copy DVC makes for a queued or --temp experiment (.dvc/tmp/exps/...), where a
    path like ../shared/... leads somewhere else."""
    parts = path.absolute().parts
    in_temporary_copy = any(parts[i : i + 3] == (".dvc", "tmp", "exps") for i in range(len(parts)))
    if in_temporary_copy:
        return (
            "this run is in DVC's temporary copy of the repository (a queued or --temp "
            "experiment), where "
            "relative paths start inside the copy: pass an absolute path or a file:// URL "
            "(experiments/*.sh "
            "do), or run the experiment in the workspace (dvc exp run without --queue / --temp)."
        )
    return "check the path (relative paths start at the repository root)."


def fetch(
    location: str, *, param: str = "", timeout: float = 60.0, min_rate: int = MIN_RATE
) -> Path:
    """Return a local path for `location`, downloading remote URLs into the cache first; `param`
    names the param that gave the location, for messages. A read waits at most `timeout` seconds,
    and a download slower than `min_rate` bytes/s over a minute is stopped (0: never)."""
    if not location:
        raise DownloadError(
            f"no URL or path given{f' ({param} is empty)' if param else ''}; set it to a local "
            f"path, a file:// URL or a URL."
        )
    if not is_remote(location):
        path = local_path(location)
        if not path.exists():
            raise DownloadError(f"{location}: no such file; {_where_relative_paths_start(path)}")
        return path
    name = Path(urllib.parse.urlparse(location).path).name or "download"
    key = hashlib.sha256(location.encode()).hexdigest()[:12]
    target = cache_dir() / f"{key}-{name}"
    if not target.exists():
        _download(location, target, timeout, min_rate, param)
    return target


def sha256_from_sums_file(path: Path) -> str | None:
    """The hash listed for `path` in a SHA256SUMS file in its folder or up to two folders above,
    if any."""
    path = path.resolve()
    for folder in (path.parent, path.parent.parent, path.parent.parent.parent):
        sums = folder / "SHA256SUMS"
        if not sums.is_file():
            continue
        for line in sums.read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split()
            if len(parts) == 2 and (folder / parts[1].lstrip("*")).resolve() == path:
                return parts[0].lower()
    return None


def expected_sha256(param: str, location: str, path: Path) -> str | None:
    """Resolve the `sha256` param: a hex digest, 'auto' (known URL or a SHA256SUMS beside the
    file) or 'none'."""
    value = param.strip().lower()
    if value == "none":
        return None
    if value == "auto":
        return KNOWN_SHA256.get(location) or sha256_from_sums_file(path)
    if len(value) != 64 or any(c not in "0123456789abcdef" for c in value):
        raise DownloadError(
            f"download.sha256 must be 'auto', 'none' or 64 hex digits, got {param!r}."
        )
    return value


def verify_sha256(path: Path, expected: str | None, location: str) -> str:
    """Hash `path`; raise if it differs from `expected` (a remote download is removed so it is
    fetched anew)."""
    actual = sha256_of_file(path)
    if expected is not None and actual != expected:
        if is_remote(location):
            path.unlink(missing_ok=True)
        raise DownloadError(
            f"{location}: SHA-256 mismatch: expected {expected}, got {actual}. The file is "
            "corrupt, truncated or a "
            "different release; download it again, or if you trust it set download.sha256 to "
            f"{actual}."
        )
    return actual
