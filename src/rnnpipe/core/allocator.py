"""Keep freed memory for reuse instead of handing it back to the kernel after every batch.

A recurrent training step allocates and frees the same few hundred MiB every batch (activations of
every time step, kept for backward). glibc's malloc returns the freed top of its heap to the kernel
(trimming) and serves large blocks with fresh mmap()s, so each batch touches those pages anew: a
page fault per 4 KiB, ~3 million per 3,000 reviews of the Keras-tutorial LSTM, half its time spent
in the kernel. Measured on this 2-core machine (`python benchmarks/keras_tutorial_speed.py --rows
3000 --epochs 1 --rounds 2`, with and without --glibc-defaults): the tutorial LSTM trained at 317
samples/s with glibc's defaults and 546 with the setting below, rnnpipe's training path at 772 and
1,107, with the same accuracies. The setting also removes a drift: glibc's thresholds adapt to what
the process freed before, so the same training ran 2.5x faster after another one had run in the
same process.

`keep_freed_memory` sets, once per process, M_TOP_PAD (keep up to 1 GiB, or 1/16 of the machine's
memory if less, of freed heap resident) and M_MMAP_THRESHOLD (blocks up to 32 MiB, glibc's
largest, come from the heap rather than from a fresh mmap). Memory a stage once used stays
resident until it exits, so its peak is unchanged. No effect off glibc (macOS, musl) or under
another allocator (LD_PRELOAD=libjemalloc), and none when RNNPIPE_KEEP_FREED_MEMORY=0.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

from .memory import machine_memory

M_TOP_PAD, M_MMAP_THRESHOLD = -2, -3  # glibc's <malloc.h>
TOP_PAD_BYTES = 1 << 30
MMAP_THRESHOLD_BYTES = 32 << 20  # glibc refuses more (HEAP_MAX_SIZE / 2 on 64-bit)
_applied: bool | None = None


def keep_freed_memory() -> bool:
    """Tune glibc's malloc to keep freed memory (see the module's docstring); True when it did.
    Idempotent: the first call decides for the whole process."""
    global _applied
    if _applied is not None:
        return _applied
    _applied = False
    if os.environ.get("RNNPIPE_KEEP_FREED_MEMORY", "1") == "0":
        return False
    libc = _glibc()
    if libc is None:
        return False
    _applied = bool(libc.mallopt(M_TOP_PAD, top_pad_bytes())) and bool(
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    )
    if _applied:
        # Grow the heap's top by the pad now: blocks above the mmap threshold come from the top
        # when it is large enough, else from mmap, and only a smaller block grows the top. The
        # pages are not touched, so nothing becomes resident yet.
        libc.free(libc.malloc(MMAP_THRESHOLD_BYTES // 2))
    return _applied


def top_pad_bytes() -> int:
    """How much freed heap a process keeps: 1 GiB, or 1/16 of the machine's memory if less."""
    return min(TOP_PAD_BYTES, machine_memory() // 16)


def _glibc():
    """glibc, with mallopt, malloc and free typed; None on another C library."""
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    if not hasattr(libc, "gnu_get_libc_version"):  # only glibc has it (not musl, not macOS')
        return None
    libc.mallopt.argtypes, libc.mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    libc.malloc.argtypes, libc.malloc.restype = (ctypes.c_size_t,), ctypes.c_void_p
    libc.free.argtypes, libc.free.restype = (ctypes.c_void_p,), None
    return libc
