"""Ragged sequences (one flat array of values plus offsets) to fixed-length rows, and back to the
left.

`pad_sequences` / `pad_flat` have Keras' `pad_sequences` semantics: `truncating` says which end
loses tokens when a sequence is longer than `maxlen` ('pre' keeps the last `maxlen` tokens, as Keras
does by default); `padding` says at which end `value` is added.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import ParamsError

SIDES = ("pre", "post")


def pad_sequences(
    sequences,
    maxlen: int,
    padding: str = "pre",
    truncating: str = "pre",
    value: int = 0,
    dtype=np.int32,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (padded [n, maxlen] array, kept lengths [n]) for a list of id sequences."""
    ids, offsets = _flatten(sequences)
    return pad_flat(ids, offsets, maxlen, padding, truncating, value, dtype)


def _flatten(sequences) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    offsets = np.zeros(len(sequences) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = np.fromiter((x for s in sequences for x in s), dtype=np.int64, count=int(offsets[-1]))
    return flat, offsets


def pad_flat(
    ids: np.ndarray,
    offsets: np.ndarray,
    maxlen: int,
    padding: str = "pre",
    truncating: str = "pre",
    value: int = 0,
    dtype=np.int32,
) -> tuple[np.ndarray, np.ndarray]:
    """`pad_sequences` for documents stored as one flat array plus offsets, without a Python
    loop."""
    if maxlen < 1:
        raise ParamsError(f"pad.maxlen must be >= 1, got {maxlen}.")
    for name, side in (("padding", padding), ("truncating", truncating)):
        if side not in SIDES:
            raise ParamsError(f"pad.{name} is {side!r}; allowed: pre, post.")
    offsets = np.asarray(offsets, dtype=np.int64)
    lengths = np.diff(offsets)
    kept = np.minimum(lengths, maxlen)
    # First source index kept from each document: 'pre' truncation drops the start.
    start = offsets[:-1] + (lengths - kept if truncating == "pre" else 0)
    # First destination column: 'pre' padding puts the tokens at the end of the row.
    column = (maxlen - kept) if padding == "pre" else np.zeros_like(kept)
    out = np.full((len(lengths), maxlen), value, dtype=dtype)
    rows = np.repeat(np.arange(len(lengths)), kept)
    within = np.arange(int(kept.sum())) - np.repeat(np.cumsum(kept) - kept, kept)
    out[rows, np.repeat(column, kept) + within] = ids[np.repeat(start, kept) + within]
    return out, kept.astype(np.int32)


def left_align(ids: np.ndarray, lengths: np.ndarray, padding: str) -> np.ndarray:
    """Move each row's real tokens to the start (pre-padded rows are shifted; post-padded are
    already).

    Boolean masks instead of a gather index: on IMDB (50,000 x 800 ids) an int64 index alone took
    320 MB.
    """
    if padding == "post":
        return ids
    steps = ids.shape[1]
    positions = np.arange(steps)
    aligned = np.zeros_like(ids)
    aligned[positions < lengths[:, None]] = ids[positions >= steps - lengths[:, None]]
    return aligned


def piece_offsets(offsets: np.ndarray, maxlen: int) -> tuple[np.ndarray, np.ndarray]:
    """Cut every sequence into consecutive pieces of at most `maxlen` items, dropping nothing:
    (the pieces' offsets into the same flat array, the source sequence of each piece). For
    per-step labels, where truncation would lose labels."""
    offsets = np.asarray(offsets, dtype=np.int64)
    lengths = np.diff(offsets)
    pieces = np.maximum(-(-lengths // maxlen), 1)  # ceil; an empty sequence stays one (empty) piece
    source = np.repeat(np.arange(len(lengths)), pieces)
    within = np.arange(int(pieces.sum())) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    starts = offsets[:-1][source] + within * maxlen
    ends = np.minimum(starts + maxlen, offsets[1:][source])
    return np.append(starts, ends[-1] if len(ends) else offsets[-1]), source
