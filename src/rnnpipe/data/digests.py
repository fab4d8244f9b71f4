"""Membership of texts seen so far, at 8 bytes a text: 64-bit BLAKE2b digests in a few sorted
numpy arrays.

A Python set of millions of texts (or of their digests as Python ints) costs 60-200 bytes a text;
a data stage that must know "seen before?" for every row of a corpus keeps this instead. Arrays
are merged when one grows as large as the one before it (a log-structured merge), so adding n
digests costs O(n log n) array work and a look-up is one binary search per array (O(log n)
arrays). Two different texts share a digest with probability about n^2 / 2^65 (1e-6 at 4
million texts).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import numpy as np


def digests(texts: Iterable[str]) -> np.ndarray:
    """The 64-bit BLAKE2b digest of each text, as uint64."""
    return np.fromiter(
        (
            int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")
            for text in texts
        ),
        dtype=np.uint64,
    )


class DigestSet:
    """Digests seen so far (see the module docstring)."""

    def __init__(self) -> None:
        self.levels: list[np.ndarray] = []

    def __len__(self) -> int:
        return sum(len(level) for level in self.levels)

    def contains(self, values: np.ndarray) -> np.ndarray:
        """A boolean per value: already added?"""
        found = np.zeros(len(values), dtype=bool)
        for level in self.levels:
            at = np.minimum(np.searchsorted(level, values), len(level) - 1)
            found |= level[at] == values
        return found

    def add(self, values: np.ndarray) -> None:
        """Add `values` (duplicates among them or of earlier ones are harmless)."""
        if len(values) == 0:
            return
        self.levels.append(np.sort(values))
        while len(self.levels) > 1 and len(self.levels[-2]) <= 2 * len(self.levels[-1]):
            newer = self.levels.pop()
            self.levels[-1] = np.sort(np.concatenate([self.levels[-1], newer]))


def first_new(values: np.ndarray, seen: DigestSet) -> np.ndarray:
    """A boolean per value: not in `seen` and not equal to an earlier value of `values` (the rows
    a "drop every repeat, keep the first" pass keeps)."""
    _, first = np.unique(values, return_index=True)
    keep = np.zeros(len(values), dtype=bool)
    keep[first] = True
    return keep & ~seen.contains(values)
