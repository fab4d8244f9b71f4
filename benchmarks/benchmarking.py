"""What several benchmarks need: the CPU they ran on, and a params file edited in place.

Imported by the benchmark scripts as `from benchmarking import ...` (a script's own folder is
first on sys.path when it runs as `python benchmarks/<name>.py`).
"""

from __future__ import annotations

import platform
from pathlib import Path


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo), for the first line of a benchmark's report."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def set_params(folder: Path, changes: dict) -> None:
    """Set `changes` (section -> key -> value) in `folder`/params.yaml, keeping its layout and
    comments (ruamel's round trip)."""
    from ruamel.yaml import YAML

    yaml = YAML()
    path = folder / "params.yaml"
    params = yaml.load(path.read_text())
    for section, values in changes.items():
        params[section].update(values)
    with open(path, "w") as handle:
        yaml.dump(params, handle)
