"""Content hashes: of a file, and of the code a stage script runs.

`code_closure(script)` follows the script's imports (static, with `ast`, including imports inside
functions) through every rnnpipe module they reach, wherever it lives in the package. Two users of
it: training checkpoints are fingerprinted with the code they were trained by, and the test suite
checks that each stage's deps in dvc.yaml list exactly these files. Package `__init__.py` files are
left out: they hold only a docstring (tests/core/test_layout.py checks it), so they cannot change
what runs.
"""

from __future__ import annotations

import ast
import hashlib
import os
from pathlib import Path

PACKAGE = "rnnpipe"
PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def sha256_of_file(path: str | os.PathLike, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def module_file(name: str, root: Path = PACKAGE_ROOT) -> Path | None:
    """The source file of module `name` (e.g. 'rnnpipe.core.errors') under `root`, or None if it
    is not an rnnpipe module (a package resolves to its __init__.py)."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = root.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_name(path: Path, root: Path) -> str | None:
    try:
        parts = path.resolve().relative_to(root.resolve()).with_suffix("").parts
    except ValueError:
        return None  # a stage script, outside the package
    return ".".join((PACKAGE, *(parts[:-1] if parts[-1] == "__init__" else parts)))


def imported_names(path: Path, root: Path = PACKAGE_ROOT) -> set[str]:
    """Every module name `path` imports (absolute, relative imports resolved), including the
    `package.name` candidates of `from package import name`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    own = _module_name(path, root)
    is_package = path.name == "__init__.py"
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                if own is None:
                    continue
                package = own.split(".") if is_package else own.split(".")[:-1]
                base_parts = package[: len(package) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def code_closure(entry: str | os.PathLike, root: Path = PACKAGE_ROOT) -> list[Path]:
    """`entry` and every rnnpipe module file it reaches through imports, sorted; no __init__.py
    files."""
    entry = Path(entry).resolve()
    seen, queue = {entry}, [entry]
    while queue:
        for name in imported_names(queue.pop(), root):
            found = module_file(name, root)
            if found is not None and found.resolve() not in seen:
                seen.add(found.resolve())
                queue.append(found.resolve())
    return sorted(path for path in seen if path.name != "__init__.py" or path == entry)


def code_fingerprint(entry: str | os.PathLike, root: Path = PACKAGE_ROOT) -> str:
    """One hash of the code `entry` runs: each file's path (inside the package) and contents."""
    digest = hashlib.sha256()
    for path in code_closure(entry, root):
        try:
            name = str(path.relative_to(root.resolve()))
        except ValueError:
            name = path.name
        digest.update(f"{name}\0{sha256_of_file(path)}\n".encode())
    return digest.hexdigest()
