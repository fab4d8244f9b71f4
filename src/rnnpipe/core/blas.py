"""One BLAS kernel on every x86-64 machine, so a linear member's metrics do not depend on the CPU.

numpy's and scipy's OpenBLAS picks its kernels by the CPU it finds (DYNAMIC_ARCH): on an AMD EPYC
with AVX-512 it chose SkylakeX, on the machine that committed the forecast metrics Haswell, and the
ridge member's validation MAE differed in the sixth digit (0.482883 vs 0.48288), so the same params,
seed and thread count gave other metrics on another machine of the same fleet. Importing this
module before numpy (core/stage.py imports it first; so do the stage scripts' imports) pins
OpenBLAS to its Haswell kernels (AVX2 + FMA), which every x86-64 CPU of the last decade runs. An
OPENBLAS_CORETYPE the user set is kept; a CPU without AVX2, or another architecture, is left to
OpenBLAS' own choice. Set after numpy's import, the variable has no effect (OpenBLAS reads it
when it loads), which is why this happens at import and not in a function a stage calls.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

PINNED_KERNEL = "Haswell"


def cpu_flags() -> set[str]:
    """The CPU's feature flags (/proc/cpuinfo; empty where there is none)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


if platform.machine() in ("x86_64", "AMD64") and {"avx2", "fma"} <= cpu_flags():
    os.environ.setdefault("OPENBLAS_CORETYPE", PINNED_KERNEL)
