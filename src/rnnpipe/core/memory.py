"""Will it fit? A stage's largest allocations, estimated from the data it has, against the machine's
memory.

A size param far too large (pad.maxlen 10^9, embed.dim 10^9, train.hidden 10^7) would otherwise end
in numpy's or torch's allocator traceback ("Unable to allocate 3.27 TiB") after minutes of work, or
get the process killed. Stages call `require_memory` with their estimate before allocating; the
refusal names the estimate, the machine's memory and the params to change. The estimates are lower
bounds of the real peak (arrays the stage must hold at once), so a refusal is never a false alarm.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ParamsError

# cgroup v2 / v1 limits: a container may be allowed far less than the machine has.
CGROUP_LIMITS = ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes")


def machine_memory() -> int:
    """Bytes this process may use at most: physical memory, or a smaller container limit."""
    total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    for path in CGROUP_LIMITS:
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def human_bytes(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if count < 1024 or unit == "PiB":
            return f"{count:,.1f} {unit}" if unit != "B" else f"{int(count)} B"
        count /= 1024
    raise AssertionError("unreachable")


def require_memory(need: float, what: str, remedy: str, available: int | None = None) -> None:
    """Refuse (ParamsError) when `need` bytes exceed the memory this process may use."""
    available = machine_memory() if available is None else available
    if need > available:
        raise ParamsError(
            f"{what} would need at least {human_bytes(need)}, more than this machine's "
            f"{human_bytes(available)} of memory. {remedy}"
        )
