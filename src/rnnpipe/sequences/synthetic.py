"""The embedded datasets, as long tables (one row per step) like a user's own file.

- `binary_digits`: random 0/1 digits; the class of step t is the number the digits at t-1 and t
form,
  x[t] + 2 * x[t-1] (x[-1] = 0), four classes. A model that sees only the current digit cannot
  exceed
  ~50%: the class needs one step of memory along the time axis, and any mix-up of the time and batch
  axes shows as accuracy stuck there.
- `sentence_documents`: documents as sequences of 50-d "sentence vectors": neutral sentences are
noise,
  opinion sentences lean along a positive or a negative direction. A document with no opinion is 0;
  one
  with both opinions takes the one that comes last (+1 or -1, "good acting, but a dull plot"). Both
  opinions occur in every +/-1 document, so a bag of its vectors cannot tell +1 from -1: order
  decides.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from .tables import LABEL, SEQUENCE

# Sequences drawn per batch: the download writes each batch and forgets it (a few MB of steps), so
# its memory stays flat in data.sequences. Up to this many, one batch draws exactly what drawing
# them all at once did (the embedded default's 2,000 sequences are the same steps as before).
SEQUENCES_PER_BATCH = 10_000


def binary_digit_batches(
    sequences: int, seed: int, shortest: int = 8, longest: int = 40
) -> Iterator[pd.DataFrame]:
    """`sequences` binary-digit sequences as long frames of at most SEQUENCES_PER_BATCH
    sequences each, from one seeded generator."""
    rng = np.random.default_rng(seed)
    for first in range(0, sequences, SEQUENCES_PER_BATCH):
        count = min(SEQUENCES_PER_BATCH, sequences - first)
        lengths = rng.integers(shortest, longest + 1, size=count)
        digits = rng.integers(0, 2, size=int(lengths.sum()))
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        previous = np.concatenate([[0], digits[:-1]])
        previous[starts] = 0  # every sequence starts fresh
        yield pd.DataFrame(
            {
                SEQUENCE: np.repeat(np.arange(first, first + count), lengths).astype(str),
                "digit": digits.astype(np.float32),
                LABEL: digits + 2 * previous,
            }
        )


def binary_digits(sequences: int, seed: int, shortest: int = 8, longest: int = 40) -> pd.DataFrame:
    """All of binary_digit_batches in one frame."""
    return pd.concat(binary_digit_batches(sequences, seed, shortest, longest), ignore_index=True)


def sentence_document_batches(
    documents: int,
    seed: int,
    dim: int = 50,
    shortest: int = 4,
    longest: int = 12,
    strength: float = 4.0,
) -> Iterator[pd.DataFrame]:
    """`documents` sentence-vector documents as long frames of at most SEQUENCES_PER_BATCH
    documents each, from one seeded generator."""
    rng = np.random.default_rng(seed)
    directions = (
        np.linalg.qr(rng.normal(size=(dim, 2)))[0].T * strength
    )  # positive, negative: orthogonal
    for first in range(0, documents, SEQUENCES_PER_BATCH):
        count = min(SEQUENCES_PER_BATCH, documents - first)
        lengths = rng.integers(shortest, longest + 1, size=count)
        labels = rng.integers(-1, 2, size=count)
        vectors = rng.normal(size=(int(lengths.sum()), dim)).astype(np.float32)
        start = 0
        for length, label in zip(lengths, labels):
            if label != 0:
                first_opinion, second = np.sort(rng.choice(length, size=2, replace=False)) + start
                last_opinion = 0 if label == 1 else 1
                vectors[second] += directions[last_opinion]
                vectors[first_opinion] += directions[1 - last_opinion]
            start += length
        frame = pd.DataFrame(vectors, columns=[f"v{i}" for i in range(dim)])
        frame.insert(0, SEQUENCE, np.repeat(np.arange(first, first + count), lengths).astype(str))
        frame[LABEL] = np.repeat(labels, lengths)
        yield frame


def sentence_documents(documents: int, seed: int, **shape) -> pd.DataFrame:
    """All of sentence_document_batches in one frame."""
    return pd.concat(sentence_document_batches(documents, seed, **shape), ignore_index=True)
