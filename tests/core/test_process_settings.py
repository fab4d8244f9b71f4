"""core.allocator and core.blas: process-wide settings a stage makes before it computes (freed
memory kept for the next batch; one BLAS kernel on every x86-64 CPU)."""

import platform
import subprocess
import sys

import pytest

CHURN = """
import resource, sys
import torch
from rnnpipe.core.allocator import keep_freed_memory, top_pad_bytes
applied = keep_freed_memory()
# blocks above glibc's largest mmap threshold, as many as the kept pad holds on this machine
count = min(6, top_pad_bytes() // (48 << 20) - 1)
def churn():  # what a training step does: the same large blocks, allocated and freed
    for _ in range(4):
        blocks = [torch.ones(12 << 20) for _ in range(count)]  # 48 MiB each
        del blocks
churn()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
churn()
print(applied, count, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(keep: str) -> tuple[str, int, int]:
    env = {"RNNPIPE_KEEP_FREED_MEMORY": keep, "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", CHURN], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0], int(out[1]), int(out[2])


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the setting is glibc's")
def test_kept_memory_is_not_faulted_in_again():
    applied, count, kept = page_faults("1")
    skipped, _, default = page_faults("0")
    assert (applied, skipped) == ("True", "False") and count >= 2
    # 4 rounds of `count` 48 MiB blocks: glibc's default maps and faults every page of them
    assert default > 0.9 * 4 * count * (48 << 20) / 4096
    assert kept < default / 4, (kept, default)


def test_every_stage_pins_the_blas_kernel_before_numpy_loads():
    """core/blas.py must run before numpy's OpenBLAS loads: every stage script's first import is
    the stage runner, whose first local import is core/blas (nothing before it loads numpy)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    for script in sorted((root / "stages").glob("*/*.py")):
        imports = [
            node
            for node in ast.parse(script.read_text()).body
            if isinstance(node, (ast.Import, ast.ImportFrom))
        ]
        assert imports[0].module == "rnnpipe.core.stage", f"{script}: import the stage runner first"
    code = (
        "import os, sys; import rnnpipe.core.stage as s; from rnnpipe.core.blas import cpu_flags; "
        "import threadpoolctl; "
        "kinds = {i.get('architecture') for i in threadpoolctl.threadpool_info() "
        "if i['internal_api'] == 'openblas'}; "
        "print(os.environ.get('OPENBLAS_CORETYPE'), {'avx2', 'fma'} <= cpu_flags(), sorted(kinds))"
    )
    env = {"PATH": "/usr/bin:/bin"}
    out = (
        subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        .stdout.strip()
        .split(maxsplit=2)
    )
    if platform.machine() == "x86_64" and out[1] == "True":
        assert out[0] == "Haswell" and out[2] == "['Haswell']", out
